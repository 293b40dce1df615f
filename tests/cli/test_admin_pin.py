"""The admin PIN guards what changes people or leaves the building: CLI enrolment and export, and
arming Unlock in the window. Wrong tries are audited and slowed down (see tests/store/test_store.py for the back-off)."""

from __future__ import annotations

import dataclasses
import subprocess

from core.store import Store
from core.store.pin import hash_pin


def _set_pin(tmp_path, pin: str) -> None:
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin(pin)))


def test_cli_enrolment_and_export_ask_for_the_pin_once_one_is_set(tmp_path, cli_env, facegate, lfw_photos):
    photo = str(lfw_photos("George_W_Bush", ("0007",))[0])
    out = str(tmp_path / "out.csv")

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*facegate, *args],
            env={**cli_env, **env},
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    assert run("enroll", "Before Pin", photo).returncode == 0  # no PIN set: nothing to ask
    _set_pin(tmp_path, "246813")
    export = ("attendance", "export", "--from", "2025-01-01", "--to", "2025-01-02", "--out", out)
    for args in (("enroll", "Ada", photo), export):
        asked = run(*args)
        assert asked.returncode == 2 and "FACEGATE_ADMIN_PIN" in asked.stderr and "Traceback" not in asked.stderr
        wrong = run(*args, FACEGATE_ADMIN_PIN="000000")
        assert wrong.returncode == 2 and wrong.stderr.strip() == "facegate: Wrong PIN."
        assert "000000" not in wrong.stderr and "246813" not in wrong.stdout + wrong.stderr
    assert run("enroll", "Ada", photo, "--force", FACEGATE_ADMIN_PIN="246813").returncode == 0  # the same face: --force
    assert run(*export, FACEGATE_ADMIN_PIN="246813").returncode == 0
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        assert sorted(p.name for p in store.list_people()) == ["Ada", "Before Pin"]
        log = store.audit_log()
        assert [e.actor for e in log if e.action == "wrong admin PIN"] == ["cli", "cli"]
        assert store.pin_state().failures == 0  # the right PIN reset the count


def test_arming_unlock_takes_the_pin_and_a_wrong_one_arms_nothing(qtbot, store, enrolled):
    from desktop_app.gui.unlock_view import UnlockView

    store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin("246813")))
    view = UnlockView(store)
    qtbot.addWidget(view)
    view.refresh_people()
    view.person.setCurrentIndex(view.person.findData(enrolled.id))
    requested = []
    view.unlock_requested.connect(requested.append)
    view.start_button.click()
    dialog = view.pin_dialog
    assert not dialog.setting and dialog.isVisible()
    dialog.pin.setText("111111")
    dialog.ok_button.click()
    assert dialog.message.text() == "Wrong PIN." and requested == [] and view._armed is None
    dialog.pin.setText("246813")
    dialog.ok_button.click()
    assert requested == [[enrolled.id]] and view._armed == [enrolled.id]
