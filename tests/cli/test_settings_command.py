"""`facegate settings show|set`: a headless site reads and fixes its stored settings, behind the
admin PIN, checked as the Settings page checks them, audited, with camera passwords hidden; and a
stored setting no FaceGate offers is skipped, not fatal."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys

from core.store import Store
from core.store.pin import hash_pin
from core.store.schema import SettingRow
from tests.fixtures import ROOT


def _facegate(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if key not in ("FACEGATE_DB", "FACEGATE_ADMIN_PIN")}
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "desktop_app.cli", *args],
        env={**environ, "FACEGATE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_a_stored_strictness_no_facegate_offers_is_skipped_with_a_warning(store, caplog):
    store._run(lambda s: s.merge(SettingRow(key="pad_strictness", value='"paranoid"')), write=True)
    with caplog.at_level(logging.WARNING):
        assert store.load_settings().pad_strictness == "normal"
    assert "paranoid" in caplog.text


def test_settings_set_fixes_a_setting_behind_the_pin_and_show_hides_camera_passwords(tmp_path):
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    with Store(url) as store:
        store._run(lambda s: s.merge(SettingRow(key="pad_strictness", value='"paranoid"')), write=True)
        store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin("246813")))
    pin = {"FACEGATE_ADMIN_PIN": "246813"}

    asked = _facegate(tmp_path, "settings", "set", "pad_strictness", "strict")
    assert asked.returncode == 2 and "FACEGATE_ADMIN_PIN" in asked.stderr
    for key, value, why in (
        ("pad_strictness", "paranoid", "must be one of lenient, normal, strict"),
        ("match_threshold", "1.5", "between 0 and 1"),
        ("consecutive_frames", "many", "whole number"),
        ("pad_enabled", "maybe", "true or false"),
        ("camera_source", str(tmp_path / "no such folder"), "not a camera number, a URL, or an existing"),
        # The refusal does not repeat a URL: it may carry a password.
        ("camera_source", "ftp://cam:s3cret@10.0.0.5/x", "a camera URL starts with rtsp://"),
    ):
        refused = _facegate(tmp_path, "settings", "set", key, value, **pin)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert refused.stderr.startswith("facegate: ") and why in refused.stderr
        assert "s3cret" not in refused.stderr
    assert _facegate(tmp_path, "settings", "set", "admin_pin_hash", "x", **pin).returncode == 2

    assert _facegate(tmp_path, "settings", "set", "pad_strictness", "strict", **pin).returncode == 0
    camera = "rtsp://cam:s3cret@10.0.0.5/stream?token=abc123"
    assert _facegate(tmp_path, "settings", "set", "camera_source", camera, **pin).returncode == 0
    shown = _facegate(tmp_path, "settings", "show", **pin)
    assert shown.returncode == 0
    lines = dict(line.split("\t") for line in shown.stdout.splitlines())
    assert lines["pad_strictness"] == "strict" and lines["admin_pin"] == "set"
    assert lines["camera_source"] == "rtsp://***@10.0.0.5/stream?token=***"
    assert "s3cret" not in shown.stdout and "abc123" not in shown.stdout and "scrypt" not in shown.stdout
    with Store(url) as store:
        assert store.load_settings().camera_source == camera
        changes = [(e.actor, e.detail) for e in store.audit_log() if e.action == "change settings"]
        assert changes[:2] == [("cli", "camera_source"), ("cli", "pad_strictness")]
