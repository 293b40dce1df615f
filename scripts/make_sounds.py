"""Makes the kiosk's two sounds (desktop_app/gui/sounds.py) as 16-bit mono WAV files: a rising two-note
chime for a check-in and a low falling double buzz for a refused photo or screen. Synthesised here from
sine waves, so they are the project's own work; the same bytes every run (assets/sounds/README.md
lists their sha256).

    python scripts/make_sounds.py [FOLDER]    (default: assets/sounds)
"""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np

RATE = 22_050
# Quiet enough not to startle anyone near the kiosk; the system volume does the rest.
LEVEL = 0.35


def _note(freq: float, seconds: float, harmonics: tuple[float, ...] = (1.0,)) -> np.ndarray:
    """A tone with a 10 ms rise and an exponential fall, so it neither clicks nor rings on."""
    t = np.arange(round(RATE * seconds)) / RATE
    wave_ = sum(level * np.sin(2 * np.pi * freq * (i + 1) * t) for i, level in enumerate(harmonics))
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-4.0 * t / seconds)
    return np.asarray(wave_, dtype=np.float64) * envelope


def chime() -> np.ndarray:
    # E5 then A5: up a fourth, the usual "done" sound.
    return np.concatenate([_note(659.25, 0.14, (1.0, 0.3)), _note(880.0, 0.26, (1.0, 0.3))])


def refusal() -> np.ndarray:
    # Two short low buzzes (odd harmonics: a square-ish, unmistakably "no" sound), the second lower.
    gap = np.zeros(round(RATE * 0.06))
    odd = (1.0, 0.0, 0.33, 0.0, 0.2)
    return np.concatenate([_note(220.0, 0.16, odd), gap, _note(174.6, 0.22, odd)])


SOUNDS = {"checkin.wav": chime, "refusal.wav": refusal}


def write_wav(path: Path, samples: np.ndarray) -> None:
    peak = float(np.max(np.abs(samples)))
    pcm = np.round(samples / peak * LEVEL * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "assets" / "sounds"
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in SOUNDS.items():
        write_wav(folder / name, make())
        print(folder / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
