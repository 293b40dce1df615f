"""Liveness (presentation-attack detection) on real frames: the bundled model, its errors, the
temporal rule, `facegate liveness` and `facegate bench --pad`."""

import re
import shutil

import cv2
import numpy as np
import pytest

from core.errors import ModelError
from core.liveness.pad import (
    HINT_ATTACK,
    HINT_CLOSER,
    MIN_FACE,
    PAD_KIND,
    GrayscaleFrameError,
    PadModel,
    PadScore,
    TemporalRule,
    face_change,
    is_grayscale,
)
from core.vision.embed import Embedder
from core.vision.imaging import load_image
from desktop_app.cli import main
from tests.fixtures import SHARED

PAD_DATA = SHARED / "data" / "pad"


@pytest.fixture(scope="module")
def pad():
    return PadModel()


@pytest.fixture(scope="module")
def pad_data():
    if not PAD_DATA.is_dir():
        pytest.skip(f"liveness frames not found at {PAD_DATA}: ../shared/data/pad is needed")
    return PAD_DATA


def _frames(folder, every=1, limit=None):
    return sorted(folder.iterdir())[::every][:limit]


def test_bundled_model_says_what_it_is(pad):
    meta = pad.networks[0].metadata
    assert meta["face.kind"] == PAD_KIND and pad.model_id.startswith("pad-")
    assert "Apache-2.0" in meta["facegate.licence"]
    assert 0 < pad.thresholds["lenient"] < pad.thresholds["normal"] < pad.thresholds["strict"] < 1
    pad.strictness = "strict"
    assert pad.threshold == pad.thresholds["strict"]


def test_missing_or_wrong_model_is_a_clear_error(tmp_path, model):
    with pytest.raises(ModelError, match="is missing"):
        PadModel(tmp_path / "pad.onnx")
    # A face embedder is a real ONNX model, but not a liveness one.
    with pytest.raises(ModelError, match="not a liveness"):
        PadModel(model)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load"):
        PadModel(f"{broken}@2.7")
    with pytest.raises(ModelError, match="crop scale"):
        PadModel(f"{model}@wide")


def test_every_model_session_runs_without_spinning_threads(pad, detector, model):
    # Spinning pool threads starve the camera and UI threads; detection, embedding and liveness
    # sessions must all be made the one way, with the caller's thread count.
    embedder = Embedder(model, threads=2)
    sessions = [pad.networks[0].session, detector._pnet, detector._onet, embedder.session]
    for session in sessions:
        assert session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert embedder.session.get_session_options().intra_op_num_threads == 2


def test_grayscale_frames_are_refused_with_a_reason(pad, detector, sample_images):
    photo = load_image(sample_images / "t1.jpg")
    assert not is_grayscale(photo)
    gray = cv2.cvtColor(cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    assert is_grayscale(gray)
    with pytest.raises(GrayscaleFrameError, match="colour camera"):
        pad.score(gray, detector.detect(gray))


def test_a_small_face_is_asked_to_come_closer(pad, detector, sample_images):
    # The group photo shrunk as if the people stood at the back of the room: 35-50 px faces.
    photo = cv2.resize(load_image(sample_images / "t1.jpg"), None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    faces = detector.detect(photo)
    assert faces and all(f.size < MIN_FACE for f in faces)
    scores = pad.score(photo, faces)
    assert {s.verdict for s in scores} == {"too-small"} and scores[0].hint == HINT_CLOSER


def test_temporal_rule_ignores_one_odd_frame():
    live, attack = PadScore(0.95, "live"), PadScore(0.02, "attack")
    rule = TemporalRule(0.5)
    assert rule.add(live, 3.0) is None and rule.add(live, 3.0) is None  # too new to judge
    assert rule.add(attack, 3.0) is True  # two live, one odd: still live
    assert rule.add(live, 3.0) is True
    rule = TemporalRule(0.5)
    for score in (attack, attack, live, attack, attack):
        verdict = rule.add(score, 3.0)
    assert verdict is False
    # A face too small to score neither helps nor hurts.
    assert rule.add(PadScore(None, "too-small")) is False


def test_a_frozen_face_is_never_live(sample_images):
    photo = load_image(sample_images / "Tom_Hanks_54745.png")
    box = np.array([10, 10, 100, 100], np.float32)
    sample, first = face_change(None, photo, box)
    assert first is None
    rule = TemporalRule(0.5)
    for _ in range(5):
        sample, change = face_change(sample, photo, box)
        verdict = rule.add(PadScore(0.99, "live"), change)
    assert change == 0.0 and verdict is False and rule.frozen
    # The same picture through a camera: sensor noise alone makes it a live stream again.
    rng = np.random.default_rng(0)
    rule = TemporalRule(0.5)
    for _ in range(5):
        noisy = np.clip(photo + rng.normal(0, 1.5, photo.shape), 0, 255).astype(np.uint8)
        sample, change = face_change(sample, noisy, box)
        verdict = rule.add(PadScore(0.99, "live"), change)
    assert verdict is True


def test_a_slideshow_of_stills_is_frozen_but_one_repeated_frame_is_not():
    def verdict(changes):
        rule = TemporalRule(0.5)
        for change in changes:
            out = rule.add(PadScore(0.99, "live"), change)
        return out

    assert verdict([2.0, 0.0, 2.5, 1.8, 2.2]) is True  # a camera that repeated one frame
    assert verdict([0.0, 0.0, 40.0, 0.0, 0.0]) is False  # each still shown for three frames


@pytest.mark.shared
def test_live_frames_pass_and_prints_and_replays_do_not(pad, detector, pad_data):
    def verdicts(folder):
        out = []
        for path in _frames(folder, every=12):
            image = load_image(path)
            out += [s.verdict for s in pad.score(image, detector.detect(image)[:1])]
        return out

    live = verdicts(pad_data / "nuaa" / "live") + verdicts(pad_data / "replay" / "live")
    attacks = verdicts(pad_data / "nuaa" / "print") + verdicts(pad_data / "replay" / "replay")
    assert len(live) >= 20 and len(attacks) >= 30
    assert live.count("live") >= 0.9 * len(live)
    assert attacks.count("attack") >= 0.95 * len(attacks)


@pytest.mark.shared
def test_liveness_command_prints_each_face(pad_data, capsys):
    live = _frames(pad_data / "nuaa" / "live")[0]
    attack = _frames(pad_data / "replay" / "replay")[0]
    assert main(["liveness", str(live)]) == 0
    assert "verdict=live" in capsys.readouterr().out
    assert main(["liveness", str(live), str(attack)]) == 1
    out = capsys.readouterr().out
    assert "verdict=attack" in out and HINT_ATTACK in out
    assert main(["liveness", "--pad-model", str(live), str(live)]) == 2
    assert capsys.readouterr().err.startswith("facegate: cannot load liveness model")


@pytest.mark.shared
def test_bench_pad_reports_iso_rates(pad_data, tmp_path, capsys):
    # A small copy with the same layout: one live and two attack kinds, two prefixes each.
    for kind, source in (("live", "replay/live"), ("print", "nuaa/print"), ("replay", "replay/replay")):
        folder = tmp_path / "set" / kind
        folder.mkdir(parents=True)
        for path in _frames(pad_data / source, every=9, limit=8):
            shutil.copy(path, folder / path.name)
    assert main(["bench", "--pad", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("pad_model=pad-") and "ms_per_face=" in lines[0]
    assert [line.split()[0] for line in lines[1:4]] == ["live", "print", "replay"]
    assert "BPCER" in lines[1] and "APCER" in lines[2]
    assert re.fullmatch(r"apcer_max=\d+\.\d\d bpcer=\d+\.\d\d bpcer_frame=\d+\.\d\d", lines[-1])
    assert all(" groups decided) " in line for line in lines[1:4])


def _bench_pad_lines(root, capsys):
    assert main(["bench", "pad", str(root)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    return {line.split()[0]: line for line in lines[1:-1]}, lines[-1]


def test_bench_pad_headline_counts_single_image_attacks(pad, detector, sample_images, tmp_path, capsys):
    # The bundled model accepts t1.jpg's first face (the one bench pad scores, at 0.98) and refuses
    # the others once blurred (0.03; the Tom Hanks sample is gray, which liveness refuses to score).
    # Both are checked here so the rates below follow from them.
    accepted, refused = sample_images / "t1.jpg", tmp_path / "blurred.png"
    cv2.imwrite(str(refused), cv2.GaussianBlur(load_image(accepted)[:, 200:], (21, 21), 0))
    for photo, verdict in ((accepted, "live"), (refused, "attack")):
        image = load_image(photo)
        assert pad.score(image, detector.detect(image)[:1])[0].verdict == verdict
    root = tmp_path / "pad"

    def frames(kind, names):  # name -> photo; "clip_N" names are frames of one group, others one each
        folder = root / "set" / kind
        folder.mkdir(parents=True)
        for name, photo in names.items():
            shutil.copy(photo, folder / f"{name}{photo.suffix}")

    # Live: one five-frame clip with one refused frame; the temporal rule overrules it.
    frames("live", {"clip_1": accepted, "clip_2": refused, "clip_3": accepted, "clip_4": accepted, "clip_5": accepted})
    # Replay: one clip whose first and last frames are accepted; every temporal verdict refuses it.
    frames("replay", {"clip_1": accepted, "clip_2": refused, "clip_3": refused, "clip_4": refused, "clip_5": accepted})
    rows, last = _bench_pad_lines(root, capsys)
    assert "frame= 40.00% temporal=  0.00% (1 of 1 groups decided)" in rows["replay"]
    assert "frame= 20.00% temporal=  0.00% (1 of 1 groups decided)" in rows["live"]
    # A kind with temporal decisions counts with them, not with its accepted frames.
    assert last == "apcer_max=0.00 bpcer=0.00 bpcer_frame=20.00"

    # Print: single photos, one per person, two of three accepted; no group is long enough to decide.
    frames("print", {"alice": accepted, "bob": accepted, "carol": refused})
    rows, last = _bench_pad_lines(root, capsys)
    assert "frame= 66.67% temporal=    n/a (0 of 3 groups decided)" in rows["print"]
    assert last == "apcer_max=66.67 bpcer=0.00 bpcer_frame=20.00"
