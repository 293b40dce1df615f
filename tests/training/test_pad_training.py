"""The liveness training module on real parts: the reference graph as a torch module gives the
reference's outputs, synthetic attacks keep a detectable face, and an export is a model core runs."""

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from core.liveness.pad import PAD_KIND, PadModel
from core.vision.imaging import load_image
from tests.fixtures import SHARED

REFERENCE = SHARED / "models" / "anti-spoof" / "minifasnet_v2_scale2.7.onnx"


@pytest.fixture(scope="module")
def reference() -> Path:
    if not REFERENCE.is_file():
        pytest.skip(f"reference liveness model not found at {REFERENCE}: ../shared/models is needed")
    return REFERENCE


@pytest.mark.shared
def test_graph_module_matches_onnxruntime_and_exports_a_model_core_runs(reference, tmp_path, sample_images, detector):
    from training.pad.graph import OnnxGraphModule
    from training.pad.train import export

    module = OnnxGraphModule(reference).eval()
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 80, 80)).astype(np.float32)
    expected = ort.InferenceSession(str(reference), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    assert np.abs(module(torch.from_numpy(x)).detach().numpy() - expected).max() < 1e-4
    out = tmp_path / "pad.onnx"
    export(module, out, {"lenient": 0.3, "normal": 0.5, "strict": 0.7})
    pad = PadModel(out)
    assert pad.networks[0].metadata["face.kind"] == PAD_KIND and pad.threshold == 0.5
    image = load_image(sample_images / "t1.jpg")
    face = detector.detect(image)[0]
    ours = pad.live_score(image, face.box)
    theirs = PadModel(f"{reference}@2.7").live_score(image, face.box)
    assert ours == pytest.approx(theirs, abs=1e-4)


def test_synthetic_attacks_keep_a_face_and_change_the_frame(sample_images, detector):
    from training.pad.data import synth_print, synth_replay

    rng = np.random.default_rng(0)
    portrait = load_image(sample_images / "Tom_Hanks_54745.png")
    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[100:324, 200:424] = np.kron(portrait, np.ones((2, 2, 1), np.uint8))
    background = np.full_like(frame, 160)
    for make in (synth_print, synth_replay):
        attack = make(frame, background, rng)
        assert attack.shape == frame.shape and np.abs(attack.astype(int) - frame).mean() > 5
        assert detector.detect(attack), f"{make.__name__} lost the face"
