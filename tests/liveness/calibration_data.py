"""Real material for the liveness calibration tests: the shared frames of a live webcam, prints and
screen replays, frames with no face cut from the live ones, and copies of the bundled pad.onnx
with the metadata a newer model carries (pad.secure_floor, pad.attack_hist, pad.live_hist)."""

from __future__ import annotations

from pathlib import Path

import cv2
import onnx
import pytest

from core.liveness.pad import PAD_MODEL
from core.paths import model_path
from tests.fixtures import SHARED

PAD_DATA = SHARED / "data" / "pad"
LIVE = PAD_DATA / "replay" / "live"
PRINTS = PAD_DATA / "nuaa" / "print"
REPLAYS = PAD_DATA / "replay" / "replay"
# Held-out attack crops score near 0 and live ones near 1, as a trained model's metadata says.
ATTACK_HIST = "900,40,20,15,10,5,4,3,2,1,0,0,0,0,0,0,0,0,0,0"
LIVE_HIST = "0,0,0,0,0,0,0,0,0,1,2,3,5,8,12,20,40,80,160,300"
NEW_KEYS = ("pad.secure_floor", "pad.attack_hist", "pad.live_hist")


def need_pad_data() -> None:
    if not PAD_DATA.is_dir():
        pytest.skip(f"liveness frames not found at {PAD_DATA}: ../shared/data/pad is needed")


def pad_model_copy(folder: Path, **metadata: str) -> Path:
    """The bundled pad.onnx with exactly these of NEW_KEYS in its metadata (keys given as
    secure_floor=..., attack_hist=..., live_hist=...)."""
    model = onnx.load(str(model_path(PAD_MODEL)))
    kept = [p for p in model.metadata_props if p.key not in NEW_KEYS]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    for key, value in metadata.items():
        model.metadata_props.add(key=f"pad.{key}", value=value)
    path = folder / f"pad-{len(list(folder.glob('pad-*.onnx')))}.onnx"
    onnx.save(model, str(path))
    return path


def no_face_folder(folder: Path, count: int = 40) -> Path:
    """The left quarter of live webcam frames: the room behind the person, no face in it."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sorted(LIVE.iterdir())[:count]):
        image = cv2.imread(str(path))
        cv2.imwrite(str(folder / f"{i:04d}.png"), image[:, : image.shape[1] // 4])
    return folder
