"""`facegate backup` and `facegate restore`: the site's database in one archive file, and back."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from core.errors import FaceGateError
from desktop_app.cli.common import open_store, require_pin


def add_backup(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backup",
        help="copy the database into one archive file, safely while kiosks run; asks for the PIN",
        epilog="The face-data key is not in the archive unless --with-key, and then sealed under a passphrase "
        "(asked for twice at the terminal, or read from --passphrase-file). PostgreSQL: use pg_dump (see README).",
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="the archive to write (e.g. site.fgbackup)")
    p.add_argument("--with-key", action="store_true", help="put the face-data key in, sealed under a passphrase")
    p.add_argument("--passphrase-file", type=Path, metavar="FILE", help="read the passphrase from FILE's first line")
    p.set_defaults(func=backup)


def add_restore(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "restore",
        help="put a backup back as the database (checked, then migrated to this version)",
        epilog="An existing database is replaced only with --force, and then only with its admin PIN "
        "(FACEGATE_ADMIN_PIN for scripts): stop the kiosks that use it first.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the archive facegate backup wrote")
    p.add_argument("--force", action="store_true", help="replace the existing database")
    p.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="the passphrase of a backup made --with-key (first line)"
    )
    p.set_defaults(func=restore)


def passphrase(file: Path | None, confirm: bool) -> str:
    """From the file's first line, else typed without echo (twice when making one); never an argument,
    so it stays out of the shell history and the process list."""
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise FaceGateError(
                f"cannot read the passphrase file {file}: {getattr(exc, 'strerror', None) or exc}"
            ) from exc
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        raise FaceGateError("a passphrase is needed: type it at a terminal, or give --passphrase-file")
    typed = getpass.getpass("Passphrase for the key: ")
    if confirm and getpass.getpass("The same passphrase again: ") != typed:
        raise FaceGateError("the two passphrases differ: nothing was written")
    return typed


def backup(args: argparse.Namespace) -> int:
    from core.paths import key_path
    from core.store.backup import make_backup

    if args.passphrase_file is not None and not args.with_key:
        raise FaceGateError("--passphrase-file seals the key: give --with-key too")
    with open_store() as store:
        require_pin(store)
        secret = passphrase(args.passphrase_file, confirm=True) if args.with_key else None
        manifest = make_backup(store, args.out, secret)
    size = manifest["members"]["facegate.db"]["size"]
    print(f"wrote {args.out}: database of {size} bytes, schema {manifest['schema_revision']}")
    if args.with_key:
        print("the face-data key is inside, sealed under the passphrase: restoring needs the passphrase")
    else:
        print(f"the face-data key is not inside: keep {key_path()} safe apart; restoring needs it")
    return 0


def restore(args: argparse.Namespace) -> int:
    from core.store.backup import replaces, restore_target
    from core.store.backup import restore as restore_backup

    if args.force and replaces(restore_target()):
        # Replacing a site's database is an admin's act: its own PIN, as every change to it takes.
        with open_store(read_only=True) as store:
            require_pin(store)
    done = restore_backup(args.file, lambda: passphrase(args.passphrase_file, confirm=False), force=args.force)
    migrated = f", migrated from {done.schema_from}" if done.schema_from != done.schema_to else ""
    print(f"restored {done.path} from the backup of {done.created} (schema {done.schema_to}{migrated})")
    if done.key_written:
        print("the face-data key was written from the backup")
    return 0
