"""The CLI's argparse value types and the option sets several commands share.

A type raises ArgumentTypeError, so a bad value is refused (exit 2) before any work starts.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from core.errors import FaceGateError
from core.settings import STRICTNESS


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-01-31") from None


def moment(text: str) -> datetime:
    """A local date and time, YYYY-MM-DD HH:MM, on this machine's clock."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").astimezone()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a local time like '2025-01-31 08:30'") from None


def date_range(parser: argparse.ArgumentParser, required: bool) -> None:
    """--from/--to, the days of attendance, reports and the audit; both days count."""
    whole = "" if required else " (default: the earliest)"
    parser.add_argument(
        "--from", dest="start", type=day, required=required, metavar="DATE", help=f"first day, YYYY-MM-DD{whole}"
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=day,
        required=required,
        metavar="DATE",
        help=f"last day, YYYY-MM-DD, inclusive{'' if required else ' (default: the latest)'}",
    )


def number(kind: type[int] | type[float], low: float, high: float = math.inf) -> Callable[[str], float]:
    """An argparse type: a finite int or float within [low, high]."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'a whole number' if kind is int else 'a number'}"
            ) from None
        if not math.isfinite(value) or not low <= value <= high:
            bounds = f"at least {low:g}" if high == math.inf else f"between {low:g} and {high:g}"
            raise argparse.ArgumentTypeError(f"{text!r} is out of range: it must be {bounds}")
        return value

    return parse


def label(what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        from core.store.labels import clean_label

        try:
            return clean_label(text, what)
        except FaceGateError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def drawing(text: str) -> Path:
    from core.vision.imaging import IMAGE_SUFFIXES

    path = Path(text)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text!r} needs an image suffix ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return path


def folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    return path


def min_face(text: str) -> int:
    from core.vision.detect import PNET_WINDOW  # the smallest face the detector's first stage can see

    return int(number(int, PNET_WINDOW, 100_000)(text))


# The same options after a command's name as before it. SUPPRESS keeps a subcommand from resetting
# a value given before its name: argparse copies every default a subcommand's parser sets over
# what the parser above it parsed.


def model_options() -> argparse.ArgumentParser:
    model = argparse.ArgumentParser(add_help=False)
    model.add_argument("--model", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    verifier_options(model, shown=False)
    return model


def verifier_options(parser: argparse.ArgumentParser, shown: bool = True) -> None:
    """--verifier M and --no-verifier, wherever --model is offered (main.py sets their defaults)."""
    parser.add_argument(
        "--verifier",
        metavar="M",
        default=argparse.SUPPRESS,
        help="the model that checks every verdict (default: FACEGATE_VERIFIER, else the bundled EdgeFace-XS)"
        if shown
        else argparse.SUPPRESS,
    )
    parser.add_argument(
        "--no-verifier",
        action="store_true",
        default=argparse.SUPPRESS,
        help="the student decides alone" if shown else argparse.SUPPRESS,
    )


def camera_options() -> argparse.ArgumentParser:
    camera = argparse.ArgumentParser(add_help=False)
    camera.add_argument(
        "--camera",
        metavar="SRC",
        default=argparse.SUPPRESS,
        help="camera number, URL, video file or folder (default: the Settings camera)",
    )
    camera.add_argument("--realtime", action="store_true", help="play files and folders at their own frame rate")
    return camera


def pad_options(defaults: bool = True) -> argparse.ArgumentParser:
    """--pad-model and --strictness; without defaults for a subcommand of a command that has them
    (`bench --strictness strict pad DIR` keeps strict)."""

    def default(value: str | None) -> str | None:
        return value if defaults else argparse.SUPPRESS

    pad = argparse.ArgumentParser(add_help=False)
    pad.add_argument(
        "--pad-model",
        metavar="SPEC",
        default=default(None),
        help="liveness model (default: the bundled pad.onnx); PATH@SCALE for a reference model "
        "without metadata, several joined by commas to average them",
    )
    pad.add_argument(
        "--strictness",
        choices=STRICTNESS,
        default=default("normal"),
        help="which of the model's liveness thresholds to use (default normal)",
    )
    return pad
