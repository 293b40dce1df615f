"""The spool under faults: damaged or newer-version files are set aside or read without stopping the
kiosk, and a spool that cannot be written (a full disk) sends straight to the database."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.kiosk.kiosk import Kiosk
from core.kiosk.sources import open_source
from core.kiosk.spool import QUARANTINE, SUFFIX
from core.store import Store
from tests.conftest import SAMPLE_PERSON, recognition_only

DAY = (datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1))


@pytest.fixture
def enrolled(sample_enrolled):
    return sample_enrolled[SAMPLE_PERSON]


def test_damaged_spool_files_are_set_aside_once_and_newer_fields_skipped(tmp_path, store, pipeline, enrolled):
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / f"20250101T000000000000-cut{SUFFIX}").write_text('{"person_id": 1, "na')
    newer = {
        "person_id": enrolled.id,
        "name": SAMPLE_PERSON,
        "time": datetime.now(UTC).isoformat(),
        "kind": "check-in",
        "similarity": 0.8,
        "kiosk_id": "door-2",
        "uid": "from-a-newer-kiosk",
        "mood": "cheerful",  # a field only a newer FaceGate knows
    }
    (spool / f"20250101T000000000001-new{SUFFIX}").write_text(json.dumps(newer))
    kiosk = Kiosk(store, pipeline, spool=spool)
    committed, said = kiosk.send_spooled()
    assert said is not None and "cut" in said and "moved to" in said
    assert [p.name for p in (spool / QUARANTINE).iterdir()] == [f"20250101T000000000000-cut{SUFFIX}"]
    assert [e.kiosk_id for e in store.events(*DAY)] == ["door-2"]  # the newer file was sent
    assert not list(spool.glob(f"*{SUFFIX}"))
    assert kiosk.send_spooled() == ((), None)  # said once
    assert [e.action for e in store.audit_log()].count("spool file set aside") == 1


@contextmanager
def full_folder(tmp_path: Path, before_filling: Callable[[Path], object] = lambda folder: None):
    """A 1 MiB tmpfs filled to the last byte (root only), with a spool folder in it; before_filling
    runs on the tmpfs first."""
    folder = tmp_path / "full"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)]).returncode:
        pytest.skip("cannot mount a tmpfs (needs root)")
    try:
        (folder / "spool").mkdir()
        before_filling(folder)
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        yield folder / "spool"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_spool_disk_sends_straight_to_the_database_and_says_when_neither_works(
    tmp_path, db_url, store, pipeline, enrolled, sample_person_folder
):
    recognition_only(store)
    frames = list(open_source(sample_person_folder))
    with full_folder(tmp_path) as spool:
        kiosk = Kiosk(store, pipeline, spool=spool)
        events = [e for frame in frames for e in kiosk.process(frame).events]
        assert [e.kind for e in events] == ["check-in"] and len(store.events(*DAY)) == 1
        assert list(spool.iterdir()) == []  # no temp file left behind

        # A second sighting is kept (a check-out), with no cooldown and no minimum gap.
        store.save_settings(replace(store.load_settings(), cooldown_s=0.0, checkout_min_gap_s=0.0))
        cut_off = Store(db_url, busy_timeout_s=0.05, retries=0)
        offline = Kiosk(cut_off, pipeline, spool=spool)
        locker = sqlite3.connect(tmp_path / "facegate.db", isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # and now the database cannot be written either
        try:
            errors = [offline.process(frame).error for frame in frames]
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        said = next(e for e in errors if e)
        assert "cannot be written" in said and "held in memory only" in said, said
        assert list(spool.iterdir()) == []
        offline._retry_at = 0.0  # as after OFFLINE_RETRY_S
        committed, error = offline.send_spooled()
        assert committed and error is None and len(store.events(*DAY)) == 1 + len(committed)
        cut_off.close()
