"""`facegate settings show` and `facegate settings set KEY VALUE`: the stored settings, for a site
with no screen to open the Settings page on. Both take the admin PIN once one is set."""

from __future__ import annotations

import argparse
import math
from dataclasses import fields, replace
from typing import Any

from core.errors import FaceGateError
from core.settings import Settings, camera_source_problem
from desktop_app.cli.common import open_store, require_pin

# Set by the app's Settings page (Change PIN), which asks for the new PIN twice; never shown.
_PIN = "admin_pin_hash"
_TYPES = {f.name: str(f.type) for f in fields(Settings) if f.name != _PIN}
_TRUE, _FALSE = ("true", "on", "yes", "1"), ("false", "off", "no", "0")


def add_settings(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="show or change the stored settings (asks for the PIN)")
    actions = p.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="one line per setting: KEY<TAB>VALUE (camera passwords hidden)")
    show.set_defaults(func=show_settings)
    change = actions.add_parser("set", help="change one setting, checked as the Settings page checks it; audited")
    change.add_argument("key", metavar="KEY", choices=sorted(_TYPES), help=", ".join(sorted(_TYPES)))
    change.add_argument("value", metavar="VALUE", help="true/false for on/off settings, a number, or text")
    change.set_defaults(func=set_setting)


def _shown(key: str, value: object) -> str:
    from core.redact import redact_url

    if key == "camera_source":
        return redact_url(str(value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def _parsed(key: str, text: str) -> Any:
    kind = _TYPES[key]
    if kind == "bool":
        if text.lower() not in _TRUE + _FALSE:
            raise FaceGateError(f"{key} is on or off: give true or false, not {text!r}")
        return text.lower() in _TRUE
    if kind in ("int", "float"):
        try:
            value = int(text) if kind == "int" else float(text)
        except ValueError:
            raise FaceGateError(
                f"{key} takes {'a whole number' if kind == 'int' else 'a number'}, not {text!r}"
            ) from None
        if not math.isfinite(value):
            raise FaceGateError(f"{key} takes a finite number, not {text!r}")
        return value
    # As the Settings page takes text: trimmed, and an empty camera is camera 0.
    return text.strip() or ("0" if key == "camera_source" else "")


def show_settings(args: argparse.Namespace) -> int:
    with open_store(read_only=True) as store:
        require_pin(store)
        settings = store.load_settings()
    for key in _TYPES:
        print(f"{key}\t{_shown(key, getattr(settings, key))}")
    print(f"admin_pin\t{'set' if settings.admin_pin_hash else 'not set'}")
    return 0


def set_setting(args: argparse.Namespace) -> int:
    value = _parsed(args.key, args.value)
    if value == "":
        raise FaceGateError(f"{args.key} cannot be empty")
    problem = camera_source_problem(value) if args.key == "camera_source" else None
    if problem:
        raise FaceGateError(problem)
    with open_store() as store:
        require_pin(store)
        # replace() runs Settings' own checks (the ranges and choices the Settings page offers), and
        # save_settings the column sizes; nothing is written if either refuses.
        store.save_settings(replace(store.load_settings(), **{args.key: value}), actor="cli")
    print(f"{args.key}\t{_shown(args.key, value)}")
    return 0
