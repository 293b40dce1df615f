"""`facegate admin reset-pin`: a way back from a forgotten admin PIN for the machine's owner."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from core.errors import FaceGateError
from desktop_app.cli.common import open_store


def add_admin(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("admin", help="the admin PIN: reset a forgotten one (needs the face-data key file)")
    jobs = p.add_subparsers(dest="job", required=True)
    reset = jobs.add_parser(
        "reset-pin",
        help="set a new admin PIN without the old one; needs the face-data key file; audited",
        description="Sets a new admin PIN without asking for the old one. Only whoever can read this "
        "database's face-data key file (FACEGATE_KEY_FILE, else facegate.key in the user config folder) "
        "can do it: the command opens the face data with that key first. The new PIN is typed twice, "
        "or read from --pin-file; it is audited as 'reset admin PIN', without the PIN.",
    )
    reset.add_argument(
        "--pin-file",
        type=Path,
        metavar="FILE",
        help="read the new PIN from the first line of FILE instead of asking (for scripts; delete it after)",
    )
    reset.set_defaults(func=reset_pin)


def reset_pin(args: argparse.Namespace) -> int:
    from core.paths import key_path
    from core.store import crypto
    from core.store.pin import hash_pin

    # Opening the Store opens the face data with the key file and refuses a missing or wrong key
    # (core/store/keys.py): whoever gets past it holds this database's key.
    with open_store() as store:
        if crypto.read_key(key_path()) is None:
            raise FaceGateError(f"the face-data key file {key_path()} is missing: only its holder can reset the PIN")
        pin_hash = hash_pin(_new_pin(args.pin_file))
        store.reset_pin(pin_hash, actor="cli")
    print("The admin PIN was reset; the back-off from wrong tries is cleared.")
    return 0


def _new_pin(pin_file: Path | None) -> str:
    if pin_file is not None:
        try:
            lines = pin_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise FaceGateError(f"cannot read the PIN file {pin_file}: {exc.strerror or exc}") from None
        if not lines or not lines[0].strip():
            raise FaceGateError(f"the PIN file {pin_file} is empty: write the new PIN on its first line")
        return lines[0].strip()
    if not sys.stdin.isatty():
        raise FaceGateError("type the new PIN at a terminal, or give it with --pin-file FILE")
    pin = getpass.getpass("New admin PIN (at least 6 digits): ")
    if getpass.getpass("The same PIN again: ") != pin:
        raise FaceGateError("the two PINs differ: nothing was changed")
    return pin
