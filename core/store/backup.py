"""Backup and restore of a site's SQLite database: one zip file, made while kiosks run.

The archive holds a copy of the database taken with SQLite's online backup API (a consistent
snapshot even while a kiosk writes), manifest.json (format, schema revision, time, app version,
the face-data key's fingerprint, each member's size and SHA-256) and manifest.hmac, an HMAC of the
manifest under a key derived from the face-data key: a truncated, damaged or edited archive is
refused before anything is written. The face-data key itself is in the archive only when asked
for, sealed under a passphrase (scrypt, then AES-GCM); without it, restore needs the site's key
file. A restore checks everything, migrates the copy to this FaceGate's schema in a temporary file
beside the target, and only then moves it into place.

PostgreSQL sites use PostgreSQL's own tools (POSTGRES_ROUTE), with the key file kept apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core.errors import FaceGateError
from core.paths import database_url, key_path
from core.store import crypto
from core.store.engine import MIGRATIONS_DIR, Database, engine_url, safe_url
from core.store.facade import Store

FORMAT = 1
DATABASE, MANIFEST, SIGNATURE, SEALED_KEY = "facegate.db", "manifest.json", "manifest.hmac", "key.sealed"
# scrypt at 2^15 x 8: about 32 MiB and a tenth of a second, once per backup or restore.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_KEY_AAD = b"facegate-backup-key"
_CHUNK = 1 << 20
POSTGRES_ROUTE = (
    "FaceGate backs up only SQLite databases itself; for PostgreSQL use its own tools: "
    "pg_dump -Fc -f facegate.dump DBNAME to back up, pg_restore --clean --if-exists -d DBNAME facegate.dump to restore, "
    "and keep the face-data key file (FACEGATE_KEY_FILE) safe apart (see README: Backup and restore)"
)


class BackupRefused(FaceGateError):
    """An archive that is damaged, edited, of another format, or whose key cannot be had."""


@dataclass(frozen=True)
class Restored:
    path: Path  # the database file written
    created: str  # when the backup was made (ISO 8601, UTC)
    schema_from: str  # the archive's schema revision
    schema_to: str  # this FaceGate's, which the copy was migrated to
    key_written: bool  # the key file was made from the archive's sealed key


def _app_version() -> str:
    try:
        return metadata.version("facegate")
    except metadata.PackageNotFoundError:  # a frozen build carries no package metadata
        return "unknown"


def _sign(key: bytes, manifest: bytes) -> str:
    # A key of its own for the archive: the face-data key is never used directly for two jobs.
    mac_key = hmac.new(key, b"facegate-backup-manifest", hashlib.sha256).digest()
    return hmac.new(mac_key, manifest, hashlib.sha256).hexdigest()


def _scrypt(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode())


def seal_key(key: bytes, passphrase: str) -> bytes:
    """The face-data key sealed under a passphrase, as the archive's key.sealed member."""
    if not passphrase:
        raise FaceGateError("an empty passphrase cannot protect the key: choose one")
    salt, nonce = os.urandom(16), os.urandom(crypto.NONCE_BYTES)
    sealed = AESGCM(_scrypt(passphrase, salt)).encrypt(nonce, key, _KEY_AAD)
    fields = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt, "nonce": nonce, "key": sealed}
    return json.dumps(
        {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in fields.items()}
    ).encode()


def open_key(sealed: bytes, passphrase: str) -> bytes:
    try:
        fields = json.loads(sealed)
        salt, nonce, key = (base64.b64decode(fields[k]) for k in ("salt", "nonce", "key"))
        derived = Scrypt(salt=salt, length=32, n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"])).derive(
            passphrase.encode()
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupRefused("the archive's sealed key is damaged") from exc
    try:
        return AESGCM(derived).decrypt(nonce, key, _KEY_AAD)
    except InvalidTag:
        raise BackupRefused("the passphrase does not open the key in this backup (or the key was altered)") from None


def _sqlite_copy(source: Path, target: Path, busy_timeout_s: float = 10.0) -> None:
    """A consistent snapshot of source into target (SQLite's online backup: kiosks keep writing to
    source meanwhile), made self-contained (no write-ahead log of its own)."""
    with closing(sqlite3.connect(source.as_posix(), timeout=busy_timeout_s)) as src:
        with closing(sqlite3.connect(target.as_posix())) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")


def _facts(copy: Path) -> tuple[str, str | None]:
    """(schema revision, key fingerprint) of a database copy."""
    with closing(sqlite3.connect(copy.as_posix())) as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        (key_id,) = db.execute("SELECT key_id FROM site WHERE id = 1").fetchone()
    return revision, key_id


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def make_backup(store: Store, out: str | Path, passphrase: str | None = None) -> dict[str, Any]:
    """Writes the archive of the store's database to out (replaced only once complete, private);
    with a passphrase, the face-data key goes in, sealed under it. Returns the manifest."""
    source = store.sqlite_file()
    if source is None:
        raise FaceGateError(POSTGRES_ROUTE)
    key = crypto.read_key(key_path())
    assert key is not None  # the Store opened, so its key file is there and is the database's
    out = Path(out)
    if out.is_dir():
        raise FaceGateError(f"cannot write {out}: it is a folder; give the name of a file in it")
    folder = out.parent if out.parent.as_posix() else Path(".")
    try:
        with tempfile.TemporaryDirectory(prefix=".facegate-backup-", dir=folder) as work:
            copy = Path(work) / DATABASE
            _sqlite_copy(source, copy)
            revision, key_id = _facts(copy)
            sealed = None if passphrase is None else seal_key(key, passphrase)
            members = {DATABASE: {"size": copy.stat().st_size, "sha256": _sha256(copy)}}
            if sealed is not None:
                members[SEALED_KEY] = {"size": len(sealed), "sha256": hashlib.sha256(sealed).hexdigest()}
            manifest = {
                "format": FORMAT,
                "app": "FaceGate",
                "app_version": _app_version(),
                "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "schema_revision": revision,
                "key_id": key_id,
                "members": members,
            }
            text = json.dumps(manifest, indent=1).encode()
            partial = Path(work) / "archive.zip"
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, text)
                archive.writestr(SIGNATURE, _sign(key, text))
                archive.write(copy, DATABASE)
                if sealed is not None:
                    archive.writestr(SEALED_KEY, sealed)
            os.chmod(partial, 0o600)
            os.replace(partial, out)
    except sqlite3.Error as exc:
        raise FaceGateError(f"cannot copy the database {source}: {exc}") from exc
    except OSError as exc:
        raise FaceGateError(f"cannot write {out}: {exc.strerror or exc}; choose another file or folder") from exc
    return manifest


class _Schema(Database):
    """A database opened only to be brought to this FaceGate's schema (no key needed)."""

    def _opened(self) -> None:
        self._run(self._upgrade, write=True)


def _read_archive(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any], bytes, bytes]:
    """(the open archive, its manifest, the manifest's bytes, their signature)."""
    damaged = f"{path} is not a FaceGate backup, or it is damaged (truncated?)"
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupRefused(f"there is no backup file {path}") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BackupRefused(damaged) from exc
    try:
        text = archive.read(MANIFEST)
        signature = archive.read(SIGNATURE)
        manifest = json.loads(text)
        members = manifest.get("members") if isinstance(manifest, dict) else None
        if not isinstance(members, dict) or not all(isinstance(m, dict) for m in members.values()):
            raise ValueError("no members")
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
        archive.close()
        raise BackupRefused(damaged) from exc
    if manifest.get("format") != FORMAT or DATABASE not in manifest["members"]:
        archive.close()
        raise BackupRefused(
            f"{path} is a backup of format {manifest.get('format')!r}, which this FaceGate cannot read "
            "(made by a newer FaceGate?)"
        )
    return archive, manifest, text, signature


def _key_for(archive: zipfile.ZipFile, manifest: dict[str, Any], passphrase: Callable[[], str]) -> tuple[bytes, bool]:
    """(the archive's face-data key, whether it must be written to the key file): from its sealed
    copy, else the site's key file. BackupRefused if neither is the key the face data needs."""
    path = key_path()
    local = crypto.read_key(path)
    if SEALED_KEY in manifest["members"]:
        try:
            sealed = archive.read(SEALED_KEY)
        except (KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise BackupRefused("the backup is damaged: its sealed key does not read back (truncated?)") from exc
        if hashlib.sha256(sealed).hexdigest() != manifest["members"][SEALED_KEY].get("sha256"):
            raise BackupRefused("the backup is damaged: its sealed key does not match its checksum")
        key = open_key(sealed, passphrase())
        if local is not None and local != key:
            raise BackupRefused(
                f"the key file {path} holds another key than this backup's: move it away (or set "
                "FACEGATE_KEY_FILE to a new path) so the backup's key can be written there"
            )
        return key, local is None
    if local is None:
        raise BackupRefused(
            f"this backup was made without its key (backup --with-key) and there is no key file at {path}: "
            "put the site's key file there (or set FACEGATE_KEY_FILE)"
        )
    if crypto.fingerprint(local) != manifest.get("key_id"):
        raise BackupRefused(
            f"the key file {path} is not the key this backup's face data is sealed with: restore the site's "
            "key file there (or set FACEGATE_KEY_FILE), or make the backup again with --with-key"
        )
    return local, False


def _extract(archive: zipfile.ZipFile, manifest: dict[str, Any], target: Path) -> None:
    """The database member into target, its size and SHA-256 checked against the manifest."""
    expected = manifest["members"][DATABASE]
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(DATABASE) as member, target.open("wb") as f:
            while chunk := member.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                f.write(chunk)
    except (zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise BackupRefused("the backup is damaged: its database copy does not read back (truncated?)") from exc
    if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
        raise BackupRefused("the backup is damaged: its database copy does not match its checksum")


def restore_target(url: str | None = None) -> Path:
    """The SQLite database file a restore writes (url, default paths.database_url()); PostgreSQL is
    refused with the route to its own tools."""
    url = url or database_url()
    parsed = engine_url(url)
    if isinstance(parsed, str) or parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise FaceGateError(
            POSTGRES_ROUTE if "postgres" in url.split(":", 1)[0] else f"cannot restore to {safe_url(url)}"
        )
    return Path(parsed.database).resolve()


def replaces(target: Path) -> bool:
    """Whether restoring to target would replace a database (an empty file is not one)."""
    return target.exists() and target.stat().st_size > 0


def restore(
    archive_path: str | Path, passphrase: Callable[[], str], *, url: str | None = None, force: bool = False
) -> Restored:
    """Restores an archive over the SQLite database at url (default paths.database_url()):
    refused over an existing one without force; integrity, signature, key and schema checked, the
    copy migrated, all beside the target before it replaces it. passphrase: asked only when the
    archive holds a sealed key."""
    target = restore_target(url)
    if replaces(target) and not force:
        raise FaceGateError(
            f"the database {target} exists; restore replaces it only with --force "
            "(stop the kiosks using it first, and back it up if it may be needed)"
        )
    archive, manifest, text, signature = _read_archive(Path(archive_path))
    with archive:
        key, write_key = _key_for(archive, manifest, passphrase)
        if not hmac.compare_digest(_sign(key, text), signature.decode(errors="replace")):
            raise BackupRefused(
                f"{archive_path} was changed after it was made: its manifest does not match its signature"
            )
        revision = str(manifest.get("schema_revision"))
        scripts = ScriptDirectory(str(MIGRATIONS_DIR))
        try:
            scripts.get_revision(revision)
        except CommandError:
            raise BackupRefused(
                f"{archive_path} has database schema {revision}, which this FaceGate does not know: "
                "restore it with the FaceGate version that made it, or a newer one"
            ) from None
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restoring", dir=target.parent)
        os.close(fd)
        partial = Path(name)
        try:
            _extract(archive, manifest, partial)
            _Schema(f"sqlite:///{partial.as_posix()}").close()
            if write_key:
                crypto.write_key(key_path(), key)
            # A write-ahead log left by the database being replaced would be replayed into the new one.
            for leftover in ("-wal", "-shm"):
                Path(f"{target}{leftover}").unlink(missing_ok=True)
            os.replace(partial, target)
        finally:
            for leftover in ("", "-wal", "-shm", "-journal"):
                Path(f"{partial}{leftover}").unlink(missing_ok=True)
    return Restored(target, str(manifest.get("created")), revision, scripts.get_current_head() or revision, write_key)
