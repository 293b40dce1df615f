"""The kiosk's autostart files in packaging/autostart/ parse as their tools read them: the desktop
entry as desktop-file-validate checks it, the systemd user unit as `systemd-analyze verify` does."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

AUTOSTART = Path(__file__).resolve().parents[2] / "packaging" / "autostart"
DESKTOP, UNIT = AUTOSTART / "facegate.desktop", AUTOSTART / "facegate.service"


def _ini(path: Path) -> configparser.ConfigParser:
    # Both formats are INI-like with case-sensitive keys; a unit's '#' lines are comments.
    parser = configparser.ConfigParser(interpolation=None, strict=True, comment_prefixes=("#",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_the_desktop_entry_starts_the_kiosk_full_screen():
    entry = _ini(DESKTOP)["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"
    assert entry["Exec"].split() == ["facegate", "--fullscreen"]
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (Debian/Ubuntu: apt install desktop-file-utils)")
    checked = subprocess.run([validate, str(DESKTOP)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0 and checked.stdout + checked.stderr == "", checked.stdout + checked.stderr


def test_the_user_unit_restarts_the_app_but_not_on_a_problem_to_fix(tmp_path):
    unit = _ini(UNIT)
    service = unit["Service"]
    assert service["ExecStart"].split()[1:] == ["--fullscreen"] and service["ExecStart"].startswith("/")
    assert service["Restart"] == "on-failure" and service["RestartPreventExitStatus"] == "2"
    assert unit["Install"]["WantedBy"] == "graphical-session.target"
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the unit was parsed as INI only")
    # verify needs ExecStart to exist; the copy runs this Python instead of the installed facegate.
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text(encoding="utf-8").replace("/usr/local/bin/facegate", sys.executable))
    checked = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, check=False)
    # verify exits 0 even for a value it ignores: any line about the file is a fault.
    faults = [line for line in (checked.stdout + checked.stderr).splitlines() if copy.name in line]
    assert checked.returncode == 0 and not faults, checked.stdout + checked.stderr
