"""The shipped verifier is what scripts/build_verifier.py makes from the shared EdgeFace-XS, it
embeds real faces as that fp32 file does, and it carries what the app needs to use it."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from core.matching.thresholds import UNLOCK_FALSE_ACCEPT, ImpostorTail
from core.vision.embed import Embedder
from core.vision.imaging import load_image
from core.vision.pipeline import VERIFIER_MODEL
from tests.fixtures import ROOT

SHIPPED = ROOT / "assets" / "models" / VERIFIER_MODEL
# fp16 weights move a normalised embedding's coordinates by about 3e-4 at most (measured on 2,000
# CelebA crops and the sample photos): far below any threshold's resolution.
MAX_COORDINATE_DIFFERENCE = 2e-3


def build_verifier():
    spec = importlib.util.spec_from_file_location("build_verifier", ROOT / "scripts" / "build_verifier.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def source(teachers):
    path = teachers / "edgeface_xs.onnx"
    if not path.is_file():
        pytest.skip(f"{path} is not in the shared research data")
    return path


def test_the_shipped_verifier_is_the_rebuild_of_the_shared_file(source, tmp_path):
    from training.onnx_meta import graph_digest

    out = tmp_path / VERIFIER_MODEL
    build_verifier().build(source, out)
    # Same graph and weights; only the impostor metadata, written afterwards, differs.
    assert graph_digest(out) == graph_digest(SHIPPED)
    assert out.stat().st_size < 0.6 * source.stat().st_size


def test_the_shipped_verifier_embeds_real_faces_as_the_fp32_file_does(source, sample_images, detector):
    fp32, shipped = Embedder(source), Embedder(SHIPPED)
    compared = 0
    for photo in sorted(sample_images.glob("*.[jp][pn]g")):
        image = load_image(photo)
        marks = [face.landmarks for face in detector.detect(image)]
        if not marks:
            continue
        a, b = fp32.embed(image, marks), shipped.embed(image, marks)
        assert np.abs(a - b).max() < MAX_COORDINATE_DIFFERENCE, photo.name
        compared += len(marks)
    assert compared >= 2


def test_the_shipped_verifier_carries_its_thresholds_and_terms():
    verifier = Embedder(SHIPPED)
    tail = ImpostorTail.from_metadata(verifier.metadata)
    assert tail is not None, "no impostor scores: the gallery-size rule cannot give the verifier thresholds"
    # Stricter than a chance match, and within what a face model can reach.
    assert 0.3 < tail.score_at(UNLOCK_FALSE_ACCEPT) < 0.8
    assert "non-commercial" in verifier.metadata["facegate.licence"]
    assert verifier.model_id.startswith("edgeface_xs-fp16-")
