"""User settings: one dataclass with defaults in code, stored as key/value rows by the Store."""

from __future__ import annotations

import json
import logging
import math
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

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

# Keyed by the annotation text (postponed annotations make Field.type a string).
_PARSERS: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "str | None": lambda v: None if v is None else str(v),
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
    # The admin area logs out after this many idle seconds; under 5 s it would log out while
    # someone reads a page, and past an hour an unattended kiosk stays open too long.
    "admin_idle_s": (5.0, 3600.0),
}


# The words a text setting may hold; like a number out of range, a stored other word is skipped
# (a kiosk must not stop on "paranoid" in the settings table).
CHOICES: dict[str, tuple[str, ...]] = {"pad_strictness": STRICTNESS}


def range_problem(name: str, value: object) -> str | None:
    """Why `value` cannot be the setting `name`, or None if it can."""
    if name in CHOICES:
        choices = CHOICES[name]
        return (
            None if value in choices else f"{name.replace('_', ' ')} must be one of {', '.join(choices)}, not {value!r}"
        )
    if name not in RANGES:
        return None
    low, high = RANGES[name]
    if not isinstance(value, int | float) or not math.isfinite(value) or not low <= value <= high:
        return f"{name.replace('_', ' ')} must be between {low:g} and {high:g}, not {value!r}"
    return None


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
    challenge_enabled: bool = True
    # Check verdicts with the verifier (core/matching/cascade.py): the student shortlists, the
    # stronger model names. Off, the student decides alone (fewer people recognised).
    verify_verdicts: bool = True

    def __post_init__(self) -> None:
        for name in (*RANGES, *CHOICES):
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
