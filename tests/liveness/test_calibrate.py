"""Per-site liveness calibration on real frames and the real model: the proposal refuses at most
1 % of the live frames, never goes below the model's secure floor (and says when the floor wins),
and a camera with no face, a print, a screen replay or a still picture is refused with nothing
changed; an applied threshold is the one the kiosk uses."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.errors import FaceGateError, ModelError
from core.kiosk.kiosk import Kiosk
from core.liveness.calibrate import MIN_SCORED, NO_FACE, REFUSE_SHARE, attack_level, calibrate
from core.liveness.pad import HIST_BINS, PadModel
from core.store.schema import SettingRow
from core.vision.imaging import load_image
from tests.liveness.calibration_data import (
    ATTACK_HIST,
    LIVE,
    LIVE_HIST,
    PRINTS,
    REPLAYS,
    need_pad_data,
    no_face_folder,
    pad_model_copy,
)

pytestmark = pytest.mark.shared


def _frames(folder, every=1):
    return [load_image(p) for p in sorted(folder.iterdir())[::every]]


@pytest.fixture(scope="module")
def live_frames():
    need_pad_data()
    return _frames(LIVE)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The bundled network as a newer model ships it: a secure floor above this webcam's lowest
    live scores, and the attack and live scores of its held-out crops."""
    folder = tmp_path_factory.mktemp("models")
    return PadModel(pad_model_copy(folder, secure_floor="0.9", attack_hist=ATTACK_HIST, live_hist=LIVE_HIST))


@pytest.fixture(scope="module")
def plain_model(tmp_path_factory):
    """The bundled network without any of the newer keys: the documented fallbacks apply."""
    return PadModel(pad_model_copy(tmp_path_factory.mktemp("plain")))


@pytest.fixture(scope="module")
def live_result(plain_model, live_frames):
    return calibrate(plain_model, live_frames)


def test_a_model_without_the_newer_keys_falls_back_to_its_lenient_threshold(plain_model, shipped, tmp_path):
    assert plain_model.secure_floor == plain_model.thresholds["lenient"]
    assert plain_model.attack_hist is None and plain_model.live_hist is None
    assert attack_level(plain_model) == plain_model.secure_floor
    assert shipped.secure_floor == 0.9
    assert shipped.attack_hist == tuple(int(c) for c in ATTACK_HIST.split(","))
    assert len(shipped.live_hist or ()) == HIST_BINS
    # Most shipped attack scores lie under 0.05: a face there looks like an attack.
    assert attack_level(shipped) == pytest.approx(0.05)
    with pytest.raises(ModelError, match="20 counts"):
        PadModel(pad_model_copy(tmp_path, attack_hist="1,2,3"))
    with pytest.raises(ModelError, match="secure_floor must be a score between 0 and 1"):
        PadModel(pad_model_copy(tmp_path, secure_floor="high"))


def test_a_site_threshold_replaces_the_strictness_but_never_goes_below_the_floor(shipped):
    shipped.strictness = "strict"
    shipped.site_threshold = 0.95
    assert shipped.threshold == 0.95
    with pytest.raises(FaceGateError, match="below this model's secure floor 0.9"):
        shipped.site_threshold = 0.5
    assert shipped.threshold == 0.95
    shipped.site_threshold = None
    assert shipped.threshold == shipped.thresholds["strict"]


def test_the_proposal_refuses_at_most_one_percent_of_the_live_frames(live_result, live_frames):
    r = live_result
    assert r.refusal is None and not r.floor_wins
    assert r.frames == len(live_frames) and len(r.scores) >= MIN_SCORED
    refused = sum(s < r.proposal for s in r.scores)
    assert refused == r.refused <= REFUSE_SHARE * len(r.scores)
    # And it is the strictest such threshold (to the 0.001 it is given in).
    assert sum(s < r.proposal + 0.001 for s in r.scores) > REFUSE_SHARE * len(r.scores)
    assert r.proposal >= r.floor
    assert sum(r.live_hist) == len(r.scores) and len(r.live_hist) == HIST_BINS
    assert "secure floor wins" not in "\n".join(r.summary())


def test_the_secure_floor_wins_over_low_live_scores_and_says_so(shipped, live_frames):
    r = calibrate(shipped, live_frames)
    assert r.refusal is None and r.floor_wins
    assert r.proposal == r.floor == 0.9
    # More than 1 % of these live frames score under the floor: it refuses them rather than go lower.
    assert r.refused > REFUSE_SHARE * len(r.scores)
    assert r.attack_hist == shipped.attack_hist
    assert "the secure floor wins" in "\n".join(r.summary())


def test_a_camera_with_no_face_is_refused(plain_model, tmp_path):
    need_pad_data()
    r = calibrate(plain_model, _frames(no_face_folder(tmp_path / "room")))
    assert r.refusal == NO_FACE and r.proposal is None
    assert r.no_face == r.frames == 40


def test_too_few_faces_are_refused(plain_model, live_frames):
    r = calibrate(plain_model, live_frames[:10])
    assert r.proposal is None and r.refusal.startswith("only 10 frames held a face")


@pytest.mark.parametrize("attack", [PRINTS, REPLAYS], ids=["prints", "screen-replays"])
def test_attacks_in_view_are_refused(plain_model, attack):
    need_pad_data()
    r = calibrate(plain_model, _frames(attack, every=4))
    assert r.proposal is None and "scored like a photo or screen" in r.refusal


def test_live_frames_with_a_photo_held_up_for_part_of_the_time_are_refused(plain_model, live_frames):
    need_pad_data()
    prints = _frames(PRINTS, every=10)[:15]
    r = calibrate(plain_model, live_frames[:60] + prints + live_frames[60:])
    assert r.proposal is None and "scored like a photo or screen" in r.refusal


def test_a_still_picture_fed_in_as_frames_is_refused(plain_model, live_frames):
    # The model scores this live frame live; it is the same pixels every time that give it away.
    r = calibrate(plain_model, [live_frames[0]] * 40)
    assert r.proposal is None and "did not change from frame to frame" in r.refusal


def test_apply_saves_the_proposal_audited_and_the_kiosk_uses_it(store, pipeline, live_result):
    before = store.load_settings()
    live_result.apply(store, actor="admin")
    assert store.load_settings() == replace(before, pad_threshold=live_result.proposal)
    audit = store.audit_log()
    assert audit[0].action == "calibrate liveness" and f"{live_result.proposal:.3f}" in audit[0].detail
    kiosk = Kiosk(store, pipeline)
    assert kiosk.liveness.model is not None and kiosk.liveness.model.threshold == live_result.proposal


def test_a_refused_calibration_changes_nothing(store, plain_model):
    r = calibrate(plain_model, [])
    assert r.refusal == "the camera gave no frames"
    items, audit = store.load_settings(), store.audit_log()
    with pytest.raises(FaceGateError, match="nothing was changed"):
        r.apply(store, actor="admin")
    assert (store.load_settings(), store.audit_log()) == (items, audit)


def test_a_stored_threshold_under_the_models_floor_gives_way_to_the_strictness(store, pipeline, caplog):
    # Calibrated for a model with a lower floor, then the model changed: the floor still holds.
    store.save_settings(replace(store.load_settings(), pad_threshold=0.05, pad_strictness="strict"))
    model = Kiosk(store, pipeline).liveness.model
    assert model is not None and model.threshold == model.thresholds["strict"] > 0.05
    assert "secure floor" in caplog.text


def test_scores_are_the_kiosks(plain_model, live_frames, detector):
    # The same detector and PadModel.score as the kiosk: the largest face's score of each frame.
    r = calibrate(plain_model, live_frames[:5])
    expected = [plain_model.score(f, detector.detect(f)[:1])[0].live for f in live_frames[:5]]
    np.testing.assert_allclose(r.scores, expected, rtol=1e-6)


def test_the_stored_site_threshold_is_checked_like_every_number_setting(store):
    with pytest.raises(FaceGateError, match="pad threshold must be between 0 and 1"):
        replace(store.load_settings(), pad_threshold=1.5)
    store.save_settings(replace(store.load_settings(), pad_threshold=0.61))
    assert store.load_settings().pad_threshold == 0.61
    # A row written by hand with a value out of range is skipped: the strictness's threshold stands.
    store._run(lambda s: s.merge(SettingRow(key="pad_threshold", value="7")), write=True)
    assert store.load_settings().pad_threshold is None
