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


def test_a_paper_mask_covers_the_face_and_leaves_the_scene(sample_images, detector):
    from training.pad.data import synth_mask

    rng = np.random.default_rng(1)
    wearer = load_image(sample_images / "t1.jpg")
    box = detector.detect(wearer)[0].box
    material = load_image(sample_images / "Tom_Hanks_54745.png")
    masked = synth_mask(wearer, box, material, rng)
    x1, y1, x2, y2 = box.astype(int)
    inside = np.abs(masked[y1:y2, x1:x2].astype(int) - wearer[y1:y2, x1:x2]).mean()
    corner = np.abs(masked[:20, :20].astype(int) - wearer[:20, :20]).mean()
    assert inside > 20 > corner  # the face is paper now; the scene only got the recapture's noise
    assert detector.detect(masked), "the worn mask must still be a face to the detector"


def test_a_close_up_fills_the_frame_and_a_far_face_shrinks_with_its_box(sample_images, detector):
    from training.pad.live import close_up, far

    rng = np.random.default_rng(2)
    frame = np.full((480, 640, 3), 90, np.uint8)
    portrait = load_image(sample_images / "Tom_Hanks_54745.png")
    frame[120:232, 260:372] = portrait
    box = detector.detect(frame)[0].box
    near = close_up(frame, box, rng)
    assert near.shape == (480, 640, 3)
    face = detector.detect(near)[0]
    assert (face.box[3] - face.box[1]) / 480 > 0.5
    small, moved = far(frame, box, rng)
    assert small.shape == frame.shape and (moved[2] - moved[0]) < 0.8 * (box[2] - box[0])
    assert np.abs(detector.detect(small)[0].box - moved).max() < 0.2 * (moved[2] - moved[0])


def test_loso_floor_and_histograms_come_from_the_held_out_scores():
    from training.pad.data import LIVE, PRINT, REPLAY, SOURCES
    from training.pad.loso import histograms, secure_floor, source_rates, worst

    # Three sources: live scores high, prints spread over 0..0.6, replays all below 0.3.
    live, prints, replays = np.linspace(0.5, 1, 40), np.linspace(0, 0.6, 100), np.linspace(0, 0.29, 50)
    scores = np.concatenate([live, prints, replays]).astype(np.float32)
    kind = np.array([LIVE] * 40 + [PRINT] * 100 + [REPLAY] * 50)
    source = np.array(
        [SOURCES.index("nuaa-live")] * 40 + [SOURCES.index("synth-print")] * 100 + [SOURCES.index("synth-replay")] * 50
    )
    group = np.array([f"g{i // 5}" for i in range(190)])
    data = {"kind": kind, "source": source, "group": group}
    floor = secure_floor(data, scores, 0.05, 0.01)
    # 5 % of the prints may pass: the 6 highest of 100 are > 0.565, the 5th highest 0.57.
    assert floor == pytest.approx(0.57, abs=0.011)
    rows = {r.source: r for r in source_rates(data, scores, floor)}
    assert rows["synth-print"].frame <= 0.05 and rows["synth-replay"].frame == 0
    assert rows["nuaa-live"].temporal is not None and worst(list(rows.values()))["print"].source == "synth-print"
    hist = histograms(data, scores)
    assert sum(map(int, hist["pad.live_hist"].split(","))) == 40
    counts = [int(c) for c in hist["pad.attack_hist"].split(",")]
    assert len(counts) == 20 and sum(counts) == 150 and counts[-1] == 0


def _commit(root: Path, files: dict[str, np.ndarray]) -> Path:
    """A real git repository holding `files` (JPEGs) in one commit; its git dir."""
    import subprocess

    import cv2

    for name, image in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / name), image)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "sample"], check=True)
    return root / ".git"


def test_specdiff_frames_label_prints_and_screens_group_sessions_and_scale(tmp_path):
    from training.pad.data import LIVE, PRINT, REPLAY, SPECDIFF_SHORT_SIDE, specdiff_frames

    portrait = np.full((192, 108, 3), 120, np.uint8)
    names = [
        "data/live/ID07/IMG_0001.JPG",
        "data/live/ID07/IMG_0002.JPG",
        "data/live/ID07/IMG_0040.JPG",  # a gap: the next session
        "data/spoof/ID07/003_0100.jpg",
        "data/spoof/ID07/003_0101.jpg",
        "data/spoof/ID07/003_6200.jpg",
        "data/spoof/ID08/004_20190227103815_1.jpg",  # a timestamp name: a screen too
        "data/spoof/ID08/004_20190227103815_2.jpg",
        "data/spoof/ID08/notes.txt.jpg",  # not a capture name: skipped
    ]
    repo = _commit(tmp_path, dict.fromkeys(names, portrait))
    frames = specdiff_frames(repo, step=1)
    got = [(f.subject, f.kind, f.source) for f in frames]
    assert got == [
        ("specdiff/ID07", PRINT, "specdiff-print"),
        ("specdiff/ID07", PRINT, "specdiff-print"),
        ("specdiff/ID07", LIVE, "specdiff-live"),
        ("specdiff/ID07", LIVE, "specdiff-live"),
        ("specdiff/ID07", LIVE, "specdiff-live"),
        ("specdiff/ID07", REPLAY, "specdiff-replay"),
        ("specdiff/ID08", REPLAY, "specdiff-replay"),
        ("specdiff/ID08", REPLAY, "specdiff-replay"),
    ]
    groups = [f.group for f in frames]
    assert groups[0] == groups[1] and groups[2] == groups[3] != groups[4] and groups[6] == groups[7] != groups[5]
    assert all(f.image.shape == (960, SPECDIFF_SHORT_SIDE, 3) for f in frames)
    assert len(specdiff_frames(repo, step=3)) == 3
