"""The database connection: engine setup, SQLite tuning, URLs, one transaction per unit of work,
the schema upgrade, and driver errors turned into messages a person can act on."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar
from urllib.parse import quote, unquote

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from core.errors import StoreError, StoreUnavailable
from core.paths import data_dir, database_url, private_file
from core.redact import redact_url, scrub
from core.store.schema import Base

# Beside this file both from source and when frozen (the spec bundles core/store/migrations as data).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock namespaces (PostgreSQL only; SQLite's BEGIN IMMEDIATE already serialises writers).
LOCK_SCHEMA, LOCK_NAME = 1, 2
_WRITE = "facegate_write"
T = TypeVar("T")
# scheme://user:password@host...: the user info runs to the last `@` before the path.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][\w+.-]*://)(?P<userinfo>[^/]*)@(?P<rest>[^@/]*(?:/.*)?)\Z", re.DOTALL)

# SQLite primary result codes -> what the person in front of the screen can do about it.
_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
_SQLITE_IOERR, _SQLITE_FULL = 10, 13
_FULL_BELOW_BYTES = 1 << 20  # free space under which an I/O error is taken for a full disk
_BUSY = "is busy: another FaceGate window or program is writing to it; close it or try again"
_ACCESS = (
    "cannot be opened or written: check that its folder exists and that you may write to it "
    "(or point FACEGATE_HOME / FACEGATE_DB elsewhere)"
)
DAMAGED = "is damaged or not a FaceGate database: restore a backup, or move the file away for a fresh one"
_SQLITE_ADVICE = {
    5: _BUSY,
    6: _BUSY,
    3: _ACCESS,  # PERM
    8: _ACCESS,  # READONLY
    14: _ACCESS,  # CANTOPEN
    11: DAMAGED,  # CORRUPT
    26: DAMAGED,  # NOTADB
    _SQLITE_IOERR: "could not be read or written (disk error): check the drive",
    _SQLITE_FULL: "cannot grow because the disk is full: free some space and try again",
}


def _sqlite_code(exc: DBAPIError) -> int:
    return getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF


def _tune_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, decides when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows and the plain values a sealing migration replaced are zeroed on disk.
        cursor.execute("PRAGMA secure_delete = ON")
        # WAL: the kiosk keeps reading while an admin window or a second process writes.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write takes the lock up front; a deferred BEGIN that later upgrades to a writer fails
        # at once with SQLITE_BUSY instead of waiting out the busy timeout.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def alembic_config(connection: Connection) -> Config:
    """Alembic without alembic.ini; also what a developer passes to command.revision(autogenerate=True)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = Base.metadata
    return config


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        make_url(url)
    except ArgumentError:
        # Not parseable, so its password cannot be told apart: show none of it.
        return "(not a URL like sqlite:///path/facegate.db or postgresql://user@host/db)"
    return redact_url(url)


def engine_url(url: str) -> URL | str:
    """postgresql:// means psycopg 3 here (SQLAlchemy would pick psycopg2, which FaceGate does not use).

    An unencoded `@` or `:` in the password is encoded first: SQLAlchemy would split at the first
    `@` and take the rest of the password for the host (and name it in its error)."""
    found = _USERINFO.match(url)
    if found:
        user, colon, password = found["userinfo"].partition(":")
        userinfo = quote(unquote(user), safe="") + colon + quote(unquote(password), safe="")
        url = f"{found['scheme']}{userinfo}@{found['rest']}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed


def _driver_text(exc: BaseException | None, url: str) -> str:
    """A driver's message for our one `facegate:` line: its password out, its lines joined (libpq
    adds an indented hint line)."""
    return " ".join(scrub(str(exc), url).split())


def advisory_lock(session: Session, namespace: int, key: str | int) -> None:
    """A PostgreSQL lock held to the end of the transaction; SQLite writers are serialised already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"), {"ns": namespace, "key": str(key)})


class Database:
    """One engine, and `_run`: each unit of work is one Session and one transaction.

    A write that finds the database locked waits busy_timeout_s, and is retried `retries` times with
    doubling pauses from backoff_s before StoreUnavailable; the caller keeps its data and may retry.
    narrow_mode=False (read-only jobs): an existing SQLite file keeps its mode (paths.private_file).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        busy_timeout_s: float = 2.0,
        retries: int = 3,
        backoff_s: float = 0.2,
        connect_timeout_s: int = 3,
        narrow_mode: bool = True,
    ):
        self.url = url or database_url()
        self._retries, self._backoff_s = retries, backoff_s
        try:
            target = engine_url(self.url)
            postgres = not isinstance(target, str) and target.get_backend_name() == "postgresql"
            self._engine = create_engine(
                target,
                # A kiosk must notice a lost server in seconds (and spool), not hang on a dead socket.
                connect_args={"connect_timeout": connect_timeout_s} if postgres else {},
                pool_pre_ping=postgres,
            )
        except ModuleNotFoundError as exc:
            install = 'pip install -e ".[postgres]"' if "postgres" in self.url.split(":", 1)[0] else "install it"
            raise StoreError(f"the database URL {safe_url(self.url)} needs the {exc.name} driver: {install}") from exc
        except (ImportError, ValueError, SQLAlchemyError) as exc:  # a mistyped FACEGATE_DB
            raise StoreError(
                f"cannot use the database URL {safe_url(self.url)}: {_driver_text(exc, self.url)}"
            ) from exc
        self._postgres = self._engine.dialect.name == "postgresql"
        if self._engine.dialect.name == "sqlite":
            database = self._engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                private_file(Path(database), narrow=narrow_mode)
            _tune_sqlite(self._engine, busy_timeout_s)
        self._writer = self._engine.execution_options(**{_WRITE: True})
        self._opened()

    def _opened(self) -> None:
        """What a subclass does once the engine is up (the Store upgrades the schema and unseals)."""

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def local_folder(self) -> Path:
        """This machine's folder for files beside the database (the kiosk's spool): the SQLite
        file's folder, else the data folder."""
        path = self.sqlite_file()
        return path.parent if path else data_dir()

    def sqlite_file(self) -> Path | None:
        """The SQLite database file; None for PostgreSQL or a database in memory."""
        database = self._engine.url.database
        if self._engine.dialect.name == "sqlite" and database and database != ":memory:":
            return Path(database).resolve()
        return None

    @property
    def _where(self) -> str:
        url = self._engine.url
        return (url.database or "(in memory)") if url.get_backend_name() == "sqlite" else safe_url(self.url)

    def _disk_full(self) -> bool:
        try:
            return shutil.disk_usage(self.local_folder()).free < _FULL_BELOW_BYTES
        except OSError:
            return False

    def _error(self, exc: DBAPIError) -> StoreError:
        advice = _SQLITE_ADVICE.get(_sqlite_code(exc))
        if _sqlite_code(exc) == _SQLITE_IOERR and self._disk_full():
            # SQLite reports a full disk as an I/O error where it maps memory (SQLITE_IOERR_SHMSIZE).
            advice = _SQLITE_ADVICE[_SQLITE_FULL]
        if advice is None and isinstance(exc, IntegrityError):
            text = str(exc.orig)
            if "external_id" in text:
                return StoreError("that external id is already used by another person")
            if "name_key" in text:
                return StoreError("someone of that name is already enrolled; choose another name")
            if "FOREIGN KEY" in text.upper():
                return StoreError("that person no longer exists (deleted from another window?)")
        message = f"the database {self._where} {advice or f'reported an error: {_driver_text(exc.orig, self.url)}'}"
        if _sqlite_code(exc) in _SQLITE_BUSY or (self._postgres and isinstance(exc, OperationalError)):
            return StoreUnavailable(message.strip())
        return StoreError(message.strip())

    def _run(self, work: Callable[[Session], T], write: bool = False) -> T:
        attempt = 0
        while True:
            try:
                with Session(self._writer if write else self._engine) as session, session.begin():
                    return work(session)
            except DBAPIError as exc:
                if attempt < self._retries and _sqlite_code(exc) in _SQLITE_BUSY:
                    time.sleep(self._backoff_s * 2**attempt)
                    attempt += 1
                    continue
                raise self._error(exc) from exc

    def _upgrade(self, session: Session) -> None:
        advisory_lock(session, LOCK_SCHEMA, "upgrade")  # two kiosks opening a new database migrate it once
        try:
            command.upgrade(alembic_config(session.connection()), "head")
        except CommandError as exc:
            raise StoreError(
                f"the database {self._where} has a schema this FaceGate cannot use ({exc}); "
                "open it with the FaceGate version that made it, or a newer one"
            ) from exc
