"""User settings: one dataclass with defaults in code, stored as key/value rows by the Store."""
from __future__ import annotations

import json
import logging
import socket
from dataclasses import asdict, dataclass, field, fields

log = logging.getLogger(__name__)

# The bundled student's recommended thresholds (its facegate.threshold.* metadata): per-frame FAR
# 1e-2 for attendance and 1e-3 for unlock on never-seen CelebA people; K agreeing frames make a
# false event far rarer. Unlock is stricter because a false accept opens the door, while a false
# attendance record is only an admin correction. Calibrate in Settings re-tunes them per site.
DEFAULT_MATCH_THRESHOLD = 0.29
DEFAULT_UNLOCK_THRESHOLD = 0.39
DEFAULT_CONSECUTIVE_FRAMES = 3
DEFAULT_WINDOW_S = 2.0
DEFAULT_COOLDOWN_S = 300.0

# Keyed by the annotation text (postponed annotations make Field.type a string).
_PARSERS = {"str": str, "int": int, "float": float, "bool": bool, "str | None": lambda v: None if v is None else str(v)}


def default_kiosk_id() -> str:
    return socket.gethostname()


@dataclass(frozen=True)
class Settings:
    camera_source: str = "0"
    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    unlock_threshold: float = DEFAULT_UNLOCK_THRESHOLD
    consecutive_frames: int = DEFAULT_CONSECUTIVE_FRAMES
    window_s: float = DEFAULT_WINDOW_S
    cooldown_s: float = DEFAULT_COOLDOWN_S
    kiosk_id: str = field(default_factory=default_kiosk_id)
    min_face: int = 60
    admin_pin_hash: str | None = None
    # Liveness (presentation-attack detection): refuse photos and screens held to the camera;
    # strictness picks one of the liveness model's thresholds (lenient, normal, strict). Unlock
    # also asks for a head turn the way a random prompt says.
    pad_enabled: bool = True
    pad_strictness: str = "normal"
    challenge_enabled: bool = True

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
                values[f.name] = _PARSERS[f.type](json.loads(items[f.name]))
            except (ValueError, TypeError):
                log.warning("ignoring unreadable setting %s=%r", f.name, items[f.name])
        return cls(**values)
