"""Many kiosks on one database, as real processes: the database, not each process's memory, keeps
events single, names unique and enrolments whole; a kiosk without the database spools and catches up.

The cameras replay still LFW photos, which liveness rightly refuses; these tests are about the
database, so their kiosks run with liveness off (recognition_only, or the site benchmark's setup)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime

import numpy as np

from core.kiosk.kiosk import POLL_S, Kiosk
from core.store import CheckinRule, Store
from core.types import Event
from tests.conftest import ENROL_PHOTOS, PERSON, recognition_only

T0 = datetime.now(UTC).replace(microsecond=0)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
SPAWN = multiprocessing.get_context("spawn")


def _run_together(target, args_per_process, timeout: float = 120) -> None:
    start = SPAWN.Event()
    workers = [SPAWN.Process(target=target, args=(*args, start)) for args in args_per_process]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(timeout)
    assert [w.exitcode for w in workers] == [0] * len(workers)


def _sightings(url: str, person_ids: list[int], kiosk: str, start) -> None:
    with Store(url) as store:
        start.wait()
        for pid in person_ids:
            store.record_attendance(Event(pid, None, T0, "check-in", 0.8, kiosk), CheckinRule(300), UTC)


def test_kiosk_processes_racing_on_the_same_people_store_one_event_each(any_db_url):
    with Store(any_db_url) as store:
        ids = [
            store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=f"Person {i}").person.id
            for i in range(20)
        ]
        _run_together(_sightings, [(any_db_url, ids, f"k{k}") for k in range(6)])
        events = store.events(*EVER)
    assert sorted(e.person_id for e in events) == ids
    assert {e.kind for e in events} == {"check-in"}


def _enrol_same_names(url: str, trials: int, start) -> None:
    with Store(url) as store:
        start.wait()
        for t in range(trials):
            store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=f"Same Name {t}")


def test_concurrent_enrolment_of_one_name_makes_one_person(any_db_url):
    _run_together(_enrol_same_names, [(any_db_url, 12)] * 4)
    with Store(any_db_url) as store:
        people = store.list_people()
        assert sorted(p.name for p in people) == sorted(f"Same Name {t}" for t in range(12))
        _, person_ids, _ = store.templates_for_gallery("m")
    assert sorted(np.bincount(person_ids)[1:].tolist()) == [4] * 12  # every process's template landed


def _enrol_forever(url: str, start) -> None:
    with Store(url) as store:
        start.wait()
        for i in range(100_000):
            store.enrol(np.ones((3, 4), np.float32) / 2, "m", "1", 0.9, "photo", crops=b"x" * 5000, name=f"P{i}")


def test_a_kill_during_enrolment_never_leaves_a_person_without_templates(any_db_url):
    with Store(any_db_url) as store:  # migrated before the child starts
        start = SPAWN.Event()
        child = SPAWN.Process(target=_enrol_forever, args=(any_db_url, start))
        child.start()
        start.set()
        deadline = time.monotonic() + 60
        while len(store.list_people()) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)  # somewhere in the middle of an enrolment, most likely
        child.join(10)
    with Store(any_db_url) as store:
        people = store.list_people()
        _, person_ids, _ = store.templates_for_gallery("m")
    counts = np.bincount(person_ids, minlength=max((p.id for p in people), default=0) + 1)
    assert people, "the child stored nobody before it was killed"
    assert all(counts[p.id] == 3 for p in people)


# ------------------------------------------------------------------ real kiosks on real faces


def test_two_checkin_processes_on_one_home_store_each_person_once(
    tmp_path, cli_env, facegate, pipeline, lfw, camera_folder
):
    from desktop_app.cli.site_bench import enrol_site

    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        walkers = enrol_site(store, pipeline, 10, lfw)
    walk = camera_folder("walk", [w.photo for w in walkers], repeats=4)
    kiosks = [
        subprocess.Popen(
            [*facegate, "checkin", "--camera", str(walk)],
            env={**cli_env, "OMP_NUM_THREADS": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [k.communicate(timeout=180) for k in kiosks]
    assert [k.returncode for k in kiosks] == [0, 0], outputs
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        events = store.events(*EVER)
    # Both kiosks saw all ten; each is stored once, and each kiosk confirms only what the database kept.
    assert sorted(e.person_id for e in events) == sorted(w.person_id for w in walkers), outputs
    assert sum(out.count("check-in:") for out, _ in outputs) == 10


def test_two_cli_enrolments_of_one_name_at_once_make_one_person(tmp_path, cli_env, facegate, lfw_photos):
    photos = [str(p) for p in lfw_photos(PERSON, ENROL_PHOTOS)]
    runs = [
        subprocess.Popen(
            [*facegate, "enroll", "Same Name", photo],
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for photo in photos[:2]
    ]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    verbs = sorted(out.splitlines()[-1].split(" ")[0] for out, _ in outputs)
    assert verbs == ["added", "enrolled"]
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        assert [p.name for p in store.list_people()] == ["Same Name"]
        # --person-id reaches the same person by id.
    done = subprocess.run(
        [*facegate, "enroll", "--person-id", "1", photos[2]],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "added to Same Name (#1): 1 templates" in done.stdout, done.stderr


def test_kiosk_without_the_database_keeps_recognising_spools_and_catches_up_once(
    tmp_path, db_url, store, pipeline, enrolled, person_folder
):
    from core.kiosk.sources import open_source

    frames = list(open_source(person_folder))
    recognition_only(store)
    kiosk_store = Store(db_url, busy_timeout_s=0.05, retries=0)
    kiosk = Kiosk(kiosk_store, pipeline, spool=tmp_path / "spool")
    locker = sqlite3.connect(tmp_path / "facegate.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # the database is unreachable for writers
    results = [kiosk.process(frame) for frame in frames[:4]]
    assert any(face.name == "George W Bush" for r in results for face in r.faces)  # still recognising
    assert results[-1].waiting == 1 and "spool" in results[-1].error
    assert not any(r.events for r in results)
    spooled = next((tmp_path / "spool").glob("*.event.json"))
    copy = spooled.read_bytes()
    locker.execute("ROLLBACK")
    locker.close()
    time.sleep(3.1)  # the kiosk tries the database again after OFFLINE_RETRY_S
    back = kiosk.process(frames[4])
    assert [e.kind for e in back.events] == ["check-in"] and back.waiting == 0 and back.error is None
    # The same spooled event sent again (say the answer was lost before the file went): still one.
    spooled.write_bytes(copy)
    assert kiosk.send_spooled() == ((), None)
    assert len(store.events(*EVER)) == 1 and not list((tmp_path / "spool").glob("*.json"))
    kiosk_store.close()


def test_a_change_at_one_kiosk_reaches_another_without_restart(db_url, store, pipeline, enrolled, person_folder):
    from core.kiosk.sources import open_source

    frames = list(open_source(person_folder))
    assert POLL_S < 5  # what a site expects; the kiosk here polls faster so the test need not wait it out
    with Store(db_url) as other_kiosk_store:
        kiosk = Kiosk(other_kiosk_store, pipeline, poll_s=0.1)
        assert any(face.known for face in kiosk.process(frames[0]).faces)
        store.deactivate(enrolled.id)  # at the admin screen of another kiosk
        time.sleep(0.2)
        assert not any(face.known for frame in frames[1:4] for face in kiosk.process(frame).faces)


def test_kiosk_cut_off_from_postgresql_keeps_recognising_and_catches_up(
    tmp_path, postgres_url, postgres_server, pipeline, lfw_photos, person_folder
):
    import threading

    from core.enrol.enroller import Enroller
    from core.kiosk.kiosk import OFFLINE_RETRY_S
    from core.kiosk.sources import open_source
    from desktop_app.cli.site_bench import DatabaseCut, proxied_url

    with Store(postgres_url) as admin:
        Enroller(admin, pipeline).enrol_photos("George W Bush", lfw_photos(PERSON, ENROL_PHOTOS))
        recognition_only(admin)
    frames = list(open_source(person_folder))
    cut = DatabaseCut(f"{postgres_server}/.s.PGSQL.5432")  # this kiosk reaches the server through TCP we can cut
    kiosk_store = Store(proxied_url(postgres_url, cut), connect_timeout_s=1)
    kiosk = Kiosk(kiosk_store, pipeline, spool=tmp_path / "spool")
    outage = threading.Thread(target=cut.down_for, args=(5.0,))
    outage.start()
    time.sleep(0.2)
    results = [kiosk.process(frame) for frame in frames[:4]]
    assert any(face.name == "George W Bush" for r in results for face in r.faces)
    assert results[-1].waiting == 1 and not any(r.events for r in results)
    outage.join()
    time.sleep(OFFLINE_RETRY_S + 0.1)
    back = kiosk.process(frames[4])
    assert [e.kind for e in back.events] == ["check-in"] and back.waiting == 0
    kiosk_store.close()
    with Store(postgres_url) as admin:
        assert [e.name for e in admin.events(*EVER)] == ["George W Bush"]


def test_window_status_bar_says_offline_with_the_events_waiting(
    qtbot, tmp_path, db_url, store, enrolled, pipeline, person_folder, english
):
    from desktop_app.gui.main_window import MainWindow

    recognition_only(store)

    kiosk_store = Store(db_url, busy_timeout_s=0.05, retries=0)
    locker = sqlite3.connect(tmp_path / "facegate.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        win = MainWindow(kiosk_store, pipeline, str(person_folder), realtime=False)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: "offline: 1 event waiting" in win.admin.system.fps_label.text(), timeout=30_000)
        assert win.kiosk.banner.isHidden() or "checked in" not in win.kiosk.banner.text()  # not confirmed yet
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    win.close()
    kiosk_store.close()
