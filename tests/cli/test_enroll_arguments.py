"""`facegate enroll` arguments: options anywhere among the photos, and with --person-id every
positional argument is a photo path (never checked as a name)."""

from __future__ import annotations

import shutil
import subprocess

from core.store import Store
from tests.fixtures import ROOT

PHOTO = ROOT / "assets" / "samples" / "Tom_Hanks_54745.png"


def _run(facegate, cli_env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*facegate, *args], env=cli_env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def test_enroll_accepts_options_between_the_name_and_the_photos(tmp_path, cli_env, facegate):
    done = _run(facegate, cli_env, "enroll", "Alice", "--external-id", "E-77", str(PHOTO), "--group", "staff")
    assert done.returncode == 0, done.stderr
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        [alice] = store.list_people()
    assert (alice.name, alice.external_id, alice.group) == ("Alice", "E-77", "staff")
    stray = _run(facegate, cli_env, "people", "templates", "Alice", "extra")
    assert stray.returncode == 2 and "unrecognized arguments: extra" in stray.stderr


def test_enroll_with_person_id_does_not_check_photo_paths_as_names(tmp_path, cli_env, facegate):
    assert _run(facegate, cli_env, "enroll", "Tom", str(PHOTO)).returncode == 0
    deep = tmp_path / ("d" * 120) / ("e" * 120)
    deep.mkdir(parents=True)
    long_path, tabbed = deep / "photo.png", tmp_path / "tab\there.png"
    for path in (long_path, tabbed):
        shutil.copy(PHOTO, path)
    assert len(str(long_path)) > 200
    done = _run(facegate, cli_env, "enroll", "--person-id", "1", str(long_path), str(tabbed))
    assert done.returncode == 0, done.stderr
    assert "added to Tom (#1): 2 templates" in done.stdout
