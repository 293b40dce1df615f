"""`facegate liveness --calibrate SRC [--seconds S] [--apply]` and `facegate settings set
pad_threshold`: the proposal and its histogram are printed, --apply saves it behind the admin PIN,
and a camera with no face or with attacks in it, or a threshold under the model's secure floor, is
refused on one `facegate:` line (exit 2) with nothing changed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.store import Store
from core.store.pin import hash_pin
from desktop_app.cli import main
from tests.liveness.calibration_data import ATTACK_HIST, LIVE, PRINTS, need_pad_data, no_face_folder, pad_model_copy

pytestmark = pytest.mark.shared


@pytest.fixture
def site(home):
    need_pad_data()
    with Store() as store:
        return store.load_settings(), store.audit_log()


def _stored():
    with Store() as store:
        return store.load_settings(), store.audit_log()


def _refused(capsys, why: str) -> str:
    err = capsys.readouterr().err
    assert err.count("facegate: ") == 1 and err.splitlines()[-1].startswith("facegate: ") and why in err, err
    return err


def test_calibrate_prints_the_proposal_and_changes_nothing_without_apply(site, capsys):
    assert main(["liveness", "--calibrate", str(LIVE)]) == 0
    out = capsys.readouterr().out
    assert "110 frames: 110 with a face judged" in out
    assert "proposed liveness threshold" in out and "nothing was changed: add --apply" in out
    # The text histogram: one row per bin, the floor and the proposal marked where they fall.
    rows = [line for line in out.splitlines() if line[:4] in {f"{i / 20:.2f}" for i in range(20)}]
    assert len(rows) == 20
    assert any("<- secure floor" in row for row in rows) and any("proposal" in row for row in rows)
    assert _stored() == site


def test_apply_saves_the_proposal_which_settings_show_reports(site, capsys):
    assert main(["liveness", "--calibrate", str(LIVE), "--seconds", "120", "--apply"]) == 0
    out = capsys.readouterr().out
    proposal = float(out.split("proposed liveness threshold ")[1].split(":")[0])
    settings, audit = _stored()
    assert settings == replace(site[0], pad_threshold=proposal)
    assert audit[0].action == "calibrate liveness" and audit[0].actor == "cli"
    assert main(["settings", "show"]) == 0
    assert f"pad_threshold\t{proposal}" in capsys.readouterr().out


def test_the_secure_floor_wins_and_the_shipped_attack_scores_are_shown(site, tmp_path, capsys):
    model = pad_model_copy(tmp_path, secure_floor="0.9", attack_hist=ATTACK_HIST)
    assert main(["liveness", "--pad-model", str(model), "--calibrate", str(LIVE)]) == 0
    out = capsys.readouterr().out
    assert "the secure floor wins" in out and "proposed liveness threshold 0.900" in out
    assert "attacks (shipped with the model)" in out and "secure floor 0.900, proposal 0.900" in out
    # --apply saves for the model the kiosk runs, the bundled one.
    assert main(["liveness", "--pad-model", str(model), "--calibrate", str(LIVE), "--apply"]) == 2
    _refused(capsys, "leave out --pad-model")
    assert _stored() == site


def test_a_camera_with_no_face_is_refused_and_nothing_changes(site, tmp_path, capsys):
    room = no_face_folder(tmp_path / "room")
    assert main(["liveness", "--calibrate", str(room), "--apply"]) == 2
    _refused(capsys, "no face seen: stand in front of the camera")
    assert _stored() == site


def test_a_print_in_front_of_the_camera_is_refused_and_nothing_changes(site, capsys):
    assert main(["liveness", "--calibrate", str(PRINTS), "--apply"]) == 2
    err = _refused(capsys, "scored like a photo or screen")
    assert err.rstrip().endswith("nothing was changed")
    assert _stored() == site


def test_apply_asks_for_the_pin_before_recording(site, capsys):
    with Store() as store:
        store.save_settings(replace(store.load_settings(), admin_pin_hash=hash_pin("246813")))
    before = _stored()
    assert main(["liveness", "--calibrate", str(LIVE), "--apply"]) == 2
    captured = capsys.readouterr()
    assert "FACEGATE_ADMIN_PIN" in captured.err and "recording" not in captured.err
    assert _stored() == before


def test_arguments_that_do_not_go_together_are_refused(site, capsys):
    assert main(["liveness"]) == 2
    _refused(capsys, "IMAGE files, or --calibrate SRC")
    assert main(["liveness", "--apply", str(LIVE / "apfol_0000.jpg")]) == 2
    _refused(capsys, "go with --calibrate")
    assert main(["liveness", "--calibrate", str(LIVE), str(LIVE / "apfol_0000.jpg")]) == 2
    _refused(capsys, "not both")


def test_settings_set_pad_threshold_refuses_a_value_under_the_floor(site, capsys):
    assert main(["settings", "set", "pad_threshold", "0.1"]) == 2
    _refused(capsys, "below this model's secure floor")
    assert _stored() == site
    assert main(["settings", "set", "pad_threshold", "0.8"]) == 0
    assert _stored()[0].pad_threshold == 0.8
    assert main(["settings", "set", "pad_threshold", "none"]) == 0
    assert _stored()[0].pad_threshold is None
