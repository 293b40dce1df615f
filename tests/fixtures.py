"""Fixtures every test module can use (loaded by pytest -p, see pyproject): real sample faces,
the shared data folder, the models."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LFW = SHARED / "data" / "lfw" / "images"
TEACHERS = SHARED / "models" / "teachers"


@pytest.fixture(scope="session")
def sample_images() -> Path:
    """Real photos shipped in assets/samples (from insightface's wheel): t1.jpg (six people),
    Tom_Hanks_54745.png."""
    return ROOT / "assets" / "samples"


@pytest.fixture(scope="session")
def lfw() -> Path:
    if not LFW.is_dir():
        pytest.skip(f"LFW not found at {LFW}: ../shared/data is needed for this test")
    return LFW


@pytest.fixture(scope="session")
def teachers() -> Path:
    if not TEACHERS.is_dir():
        pytest.skip(f"teacher models not found at {TEACHERS}: ../shared/models is needed")
    return TEACHERS


@pytest.fixture(scope="session")
def detector():
    from core.vision.detect import Detector

    return Detector(min_face=20)
