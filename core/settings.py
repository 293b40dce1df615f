"""User settings: one dataclass with defaults in code, stored as key/value rows by the Store."""

from __future__ import annotations

import json
import logging
import math
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import date, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.errors import FaceGateError

log = logging.getLogger(__name__)

# The bundled student's recommended thresholds (its facegate.threshold.* metadata): per-frame FAR
# 1e-2 for attendance and 1e-3 for unlock on never-seen CelebA people; K agreeing frames make a
# false event far rarer. Unlock is stricter because a false accept opens the door, while a false
# attendance record is only an admin correction. With a model that carries impostor scores they are
# floors under the gallery-size rule (core/matching/thresholds.py); Calibrate in Settings re-tunes
# them. Settings only ever holds these floors, never the threshold in use.
DEFAULT_MATCH_THRESHOLD = 0.29
DEFAULT_UNLOCK_THRESHOLD = 0.39
DEFAULT_CONSECUTIVE_FRAMES = 3
DEFAULT_WINDOW_S = 2.0
DEFAULT_COOLDOWN_S = 300.0
# At most this share of a stranger's frames may be named as someone, whatever the number of people
# enrolled (core/matching/thresholds.py turns it into the attendance threshold for the gallery's size).
DEFAULT_STRANGER_TARGET = 0.001
# The liveness model's operating points, loosest first (core/liveness/pad.py holds their thresholds). Kept
# here, with no model import, so the CLI can offer them without loading onnxruntime.
STRICTNESS = ("lenient", "normal", "strict")
# How a kiosk tells a check-in from a check-out (README "Check-in rules"): "auto" decides from the
# person's shift, "buttons" records the direction they choose on the kiosk (In / Out, keys I / O).
CHECKIN_MODES = ("auto", "buttons")
# How the screens look (desktop_app/gui/theme.py): the standard colours, or black, white and yellow
# with a border on every banner and a thick focus outline, for people who see poorly.
STANDARD, HIGH_CONTRAST = "standard", "high-contrast"
THEMES = (STANDARD, HIGH_CONTRAST)
# The app's language (desktop_app/i18n): "system" follows the computer's locale. The command line
# stays English whatever this says: scripts read it.
LANGUAGES = ("system", "en", "zh_CN", "de", "ar")

# Keyed by the annotation text (postponed annotations make Field.type a string).
_PARSERS: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "str | None": lambda v: None if v is None else str(v),
    "float | None": lambda v: None if v is None else float(v),
}

# The values a number setting may take (inclusive). Settings refuses others; a stored value outside
# them is skipped like an unreadable one, so its default stands. The Settings screen's fields take
# these same ranges, so that Save stores what a person sees.
RANGES: dict[str, tuple[float, float]] = {
    # Cosine floors: one below 0 would admit faces less alike than unrelated ones (a stored one is
    # skipped, and the default floor stands).
    "match_threshold": (0.0, 1.0),
    "unlock_threshold": (0.0, 1.0),
    # A share: never 0 (no threshold reaches it); 0.001 % to 10 %, as the screen offers it.
    "stranger_target": (1e-5, 0.1),
    "consecutive_frames": (1, 30),
    "window_s": (0.1, 60.0),
    "cooldown_s": (0.0, 86_400.0),
    # The detector sees no face under 12 px, and the app never offered one under 20 px; 1000 px is
    # more than a face fills of a full-HD frame.
    "min_face": (20, 1000),
    # A liveness score; None (the strictness's threshold) is always allowed. The liveness model
    # adds its own floor (PadModel.check_site_threshold), which needs the model loaded.
    "pad_threshold": (0.0, 1.0),
    "late_grace_min": (0, 240),
    "checkout_min_gap_s": (0.0, 86_400.0),
    "max_shift_s": (0.0, 86_400.0),
    # The admin area logs out after this many idle seconds; under 5 s it would log out while
    # someone reads a page, and past an hour an unattended kiosk stays open too long.
    "admin_idle_s": (5.0, 3600.0),
}


# Number settings that may be unset (None).
OPTIONAL = frozenset({"pad_threshold"})


# The words a text setting may hold; like a number out of range, a stored other word is skipped
# (a kiosk must not stop on "paranoid" in the settings table).
CHOICES: dict[str, tuple[str, ...]] = {
    "pad_strictness": STRICTNESS,
    "checkin_mode": CHECKIN_MODES,
    "theme": THEMES,
    "language": LANGUAGES,
}


# ---- The working calendar the attendance reports (core/reports) count lates and absences against.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def work_start_time(text: str) -> time:
    """ "09:00" as a time; ValueError for anything else."""
    hours, _, minutes = text.strip().partition(":")
    if hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60:
        return time(int(hours), int(minutes))
    raise ValueError(f"work start must be a time as HH:MM, not {text!r}")


def working_weekdays(text: str) -> frozenset[int]:
    """ "mon tue wed thu fri" (commas or spaces, any case) as Monday=0 weekday numbers."""
    words = text.replace(",", " ").casefold().split()
    if not words or any(len(w) < 3 or w[:3] not in WEEKDAYS for w in words):
        raise ValueError(f"working days are day names such as mon tue wed thu fri, not {text!r}")
    return frozenset(WEEKDAYS.index(w[:3]) for w in words)


def holiday_dates(text: str) -> frozenset[date]:
    """ "2026-12-25, 2026-12-26" (commas or spaces) as dates; empty for none."""
    try:
        return frozenset(date.fromisoformat(word) for word in text.replace(",", " ").split())
    except ValueError:
        raise ValueError(f"holidays are dates as YYYY-MM-DD separated by commas, not {text!r}") from None


# Text settings with a format of their own: the parser that reads them raises ValueError with the reason.
FORMATS: dict[str, Callable[[str], object]] = {
    "work_start": work_start_time,
    "working_days": working_weekdays,
    "holidays": holiday_dates,
}


def range_problem(name: str, value: object) -> str | None:
    """Why `value` cannot be the setting `name`, or None if it can."""
    if name in FORMATS:
        try:
            FORMATS[name](str(value))
        except ValueError as exc:
            return str(exc)
        return None
    if name in CHOICES:
        choices = CHOICES[name]
        return (
            None if value in choices else f"{name.replace('_', ' ')} must be one of {', '.join(choices)}, not {value!r}"
        )
    if name not in RANGES or (value is None and name in OPTIONAL):
        return None
    low, high = RANGES[name]
    if not isinstance(value, int | float) or not math.isfinite(value) or not low <= value <= high:
        return f"{name.replace('_', ' ')} must be between {low:g} and {high:g}, not {value!r}"
    return None


# The stream protocols Qt Multimedia's FFmpeg backend plays from a camera.
STREAM_SCHEMES = ("rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt")


def camera_source_problem(text: str) -> str | None:
    """Why `text` cannot be a camera source, or None: a camera number, a stream URL with a host, or
    an existing video file or folder. Not checked in Settings itself: a stored folder that is gone
    for now must not turn a kiosk to camera 0; the Settings page, `settings set` and open_source check."""
    spec = text.strip()
    if not spec:
        return "no camera source given: use a camera number (0), a URL, a video file or a folder of images"
    if spec.isdigit():
        return None
    if "://" in spec:
        # The URL itself is not repeated: it may carry a password.
        url = urlsplit(spec)
        if url.scheme.lower() not in STREAM_SCHEMES:
            return f"a camera URL starts with {', '.join(s + '://' for s in STREAM_SCHEMES[:4])} or similar"
        return None if url.hostname else "the camera URL names no host (rtsp://HOST/...)"
    path = Path(spec).expanduser()
    if path.is_dir() or path.is_file():
        return None
    return f"camera source {spec!r} is not a camera number, a URL, or an existing video file or folder"


def default_kiosk_id() -> str:
    return socket.gethostname()


@dataclass(frozen=True)
class Settings:
    camera_source: str = "0"
    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    unlock_threshold: float = DEFAULT_UNLOCK_THRESHOLD
    stranger_target: float = DEFAULT_STRANGER_TARGET
    consecutive_frames: int = DEFAULT_CONSECUTIVE_FRAMES
    window_s: float = DEFAULT_WINDOW_S
    cooldown_s: float = DEFAULT_COOLDOWN_S
    kiosk_id: str = field(default_factory=default_kiosk_id)
    min_face: int = 60
    admin_pin_hash: str | None = None
    admin_idle_s: float = 120.0
    # The aligned crop of each template (encrypted) lets a new model recompute templates without
    # the person; off, no face image is kept and a model change means re-enrolling everyone.
    keep_face_crops: bool = True
    # Liveness (presentation-attack detection): refuse photos and screens held to the camera;
    # strictness picks one of the liveness model's thresholds (lenient, normal, strict). Unlock
    # also asks for a head turn the way a random prompt says.
    pad_enabled: bool = True
    pad_strictness: str = "normal"
    # A threshold calibrated on this site's camera (facegate liveness --calibrate, or Calibrate
    # liveness in Settings); when set it replaces the strictness's threshold.
    pad_threshold: float | None = None
    challenge_enabled: bool = True
    # Check verdicts with the verifier (core/matching/cascade.py): the student shortlists, the
    # stronger model names. Off, the student decides alone (fewer people recognised).
    verify_verdicts: bool = True
    # Reports: a check-in after work_start plus the grace is late; a working day (one of
    # working_days, not one of the holidays) without a check-in is an absence.
    work_start: str = "09:00"
    late_grace_min: int = 0
    working_days: str = "mon tue wed thu fri"
    holidays: str = ""
    # Check-in rules (core/store/events.py applies them, README "Check-in rules"). In auto mode a
    # sighting sooner than checkout_min_gap_s after the check-in is no check-out (walking past the
    # kiosk again at 08:10 does not end the day). A shift belongs to the day it began while it lasts
    # under max_shift_s, so a night shift from 22:00 to 06:00 is one day; 0 starts every day afresh.
    checkin_mode: str = "auto"
    checkout_min_gap_s: float = 7200.0
    max_shift_s: float = 57_600.0
    # Accessibility (README "Accessibility"): the screens' theme, and a chime on a check-in and a
    # tone on a refused photo or screen (off by default: a quiet office may not want them).
    theme: str = STANDARD
    sounds: bool = False
    # Applied when the app starts.
    language: str = "system"

    def __post_init__(self) -> None:
        for name in (*RANGES, *CHOICES, *FORMATS):
            problem = range_problem(name, getattr(self, name))
            if problem:
                raise FaceGateError(problem)

    def to_items(self) -> dict[str, str]:
        return {key: json.dumps(value) for key, value in asdict(self).items()}

    @classmethod
    def from_items(cls, items: dict[str, str]) -> Settings:
        """Defaults overridden by the stored values; unknown keys (from a newer version) and values
        that no longer parse are skipped so a bad row cannot stop the app from starting."""
        values = {}
        for f in fields(cls):
            if f.name not in items:
                continue
            try:
                value = _PARSERS[str(f.type)](json.loads(items[f.name]))
            except (ValueError, TypeError):
                log.warning("ignoring unreadable setting %s=%r", f.name, items[f.name])
                continue
            problem = range_problem(f.name, value)
            if problem:
                log.warning("ignoring stored setting: %s", problem)
                continue
            values[f.name] = value
        return cls(**values)
