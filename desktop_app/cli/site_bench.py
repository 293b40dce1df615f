"""`facegate bench site DIR --kiosks N --db URL`: N kiosk processes on one database, each replaying
its own folder of frames of the same enrolled people (real faces from DIR, laid out as LFW's images:
one folder of photos per person), as fast as they can.

Every walking person is one the kiosk recognises from their frame, so each should be stored exactly
once however many kiosks see them: `lost` counts walkers with no stored event, `doubled` stored
events beyond one per person. --kill SIGKILLs one kiosk mid-run and starts it again (its spool must
survive the kill); --cut-db takes the database away for a while: from one kiosk through a TCP proxy
it alone uses (PostgreSQL), or from every kiosk by holding SQLite's write lock.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.errors import FaceGateError

FRAMES_PER_PERSON = 2
COOLDOWN_S = 6 * 3600.0  # longer than any run: every event after the first one of a person is a double


@dataclass(frozen=True)
class Walker:
    person_id: int
    name: str
    photo: Path  # not the enrolment photo


@dataclass(frozen=True)
class SiteResult:
    kiosks: int
    walkers: int
    seconds: float
    stored: int
    lost: int
    doubled: int
    frames: int  # in all kiosks' folders
    others: int  # stored for enrolled people who were not walking (a face in the background, a look-alike)

    @property
    def events_per_s(self) -> float:
        return self.stored / max(self.seconds, 1e-9)

    @property
    def frames_per_s(self) -> float:
        return self.frames / max(self.seconds, 1e-9)


def enrol_site(store, pipeline, count: int, people_dir: Path) -> list[Walker]:
    """Enrols the people of people_dir (one folder of .jpg photos each, as in LFW) from their first
    usable photo, then keeps as walkers `count` of those whose second photo the kiosk names
    correctly against the whole gallery (at the attendance threshold and smallest face of the
    site's settings); the others stay enrolled as look-alikes. So a missing event is the store's
    fault, never the recogniser's."""
    import numpy as np

    from core.enrol.enroller import Enroller
    from core.kiosk.kiosk import MAX_FACES
    from core.matching.thresholds import gallery_in_use

    enroller = Enroller(store, pipeline)
    # The walkers are still photos replayed as cameras, which liveness rightly refuses: this
    # benchmark measures the database under many kiosks, so the site runs with liveness off.
    settings = replace(store.load_settings(), pad_enabled=False, challenge_enabled=False)
    store.save_settings(settings)
    candidates: list[Walker] = []
    folders = (f for f in sorted(people_dir.iterdir()) if len(list(f.glob("*.jpg"))) >= 2)
    # Twice as many as asked for: at the kiosk's gallery-size threshold the bundled student leaves
    # a third or more of second photos unnamed (its open-set figures in assets/models/README.md).
    for folder in folders:
        photos = sorted(folder.glob("*.jpg"))
        samples, _ = enroller.assess_photos(photos[:1])
        if samples:
            person, _, _ = enroller.save(samples, "photo", name=folder.name.replace("_", " "))
            candidates.append(Walker(person.id, person.name, photos[1]))
        if len(candidates) >= 2 * count + 5:
            break
    gallery, in_use = gallery_in_use(store, pipeline.embedder, settings)
    threshold = in_use.attendance  # the kiosk's
    walkers = []
    for walker in candidates:
        faces = pipeline.faces(walker.photo, max_faces=MAX_FACES, min_face=settings.min_face)
        named = gallery.identify(np.stack([f.embedding for f in faces]), threshold) if faces else []
        if any(m.person_id == walker.person_id for m in named):
            walkers.append(walker)
    if len(walkers) < count:
        raise FaceGateError(
            f"only {len(walkers)} people of {people_dir} are recognised from a second photo; ask for fewer"
        )
    return walkers[:count]


def _frames_folder(root: Path, walkers: list[Walker], seed: int) -> Path:
    """This kiosk's own folder: every walker, in its own order, FRAMES_PER_PERSON frames each."""
    folder = root / f"kiosk{seed}"
    folder.mkdir(parents=True)
    order = list(walkers)
    random.Random(seed).shuffle(order)
    for i, walker in enumerate(order):
        for j in range(FRAMES_PER_PERSON):
            shutil.copy(walker.photo, folder / f"{i:05d}_{j}.jpg")
    return folder


def _kiosk(url: str, frames: str, spool: str, kiosk_id: str, model: str | None, start_at: int) -> None:
    """One kiosk process: the real Kiosk loop over its folder, one thread, no frame pacing."""
    os.environ["OMP_NUM_THREADS"] = "1"
    from core.kiosk.kiosk import Kiosk
    from core.kiosk.sources import open_source
    from core.store import Store
    from core.vision.detect import Detector
    from core.vision.embed import load_embedder
    from core.vision.pipeline import FacePipeline, model_spec

    store = Store(url, busy_timeout_s=0.5, retries=1)
    pipeline = FacePipeline(Detector(), load_embedder(model_spec(model)))
    kiosk = Kiosk(store, pipeline, spool=Path(spool), kiosk_id=kiosk_id)
    most_waiting = 0
    progress = Path(spool, "progress")
    with open_source(frames) as source:
        for i, frame in enumerate(source):
            if i >= start_at:
                most_waiting = max(most_waiting, kiosk.process(frame).waiting)
                progress.write_text(str(i + 1))  # where the bench kills or cuts this kiosk
    # The walk is over; whatever still waits is sent once the database answers again.
    deadline = time.monotonic() + 120
    while len(kiosk.spool) and time.monotonic() < deadline:
        time.sleep(0.5)
        kiosk.send_spooled()
    store.close()
    Path(spool, "most_waiting").write_text(str(most_waiting))


class DatabaseCut:
    """A TCP forwarder to a PostgreSQL Unix socket that can drop and refuse every connection for a while."""

    def __init__(self, unix_socket: str):
        self.unix_socket = unix_socket
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._down = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if self._down.is_set():
                client.close()
                continue
            server = socket.socket(socket.AF_UNIX)
            server.connect(self.unix_socket)
            self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def down_for(self, seconds: float) -> None:
        self._down.set()
        for s in self._open:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._open.clear()
        time.sleep(seconds)
        self._down.clear()


def proxied_url(url: str, cut: DatabaseCut) -> str:
    from sqlalchemy import make_url

    parsed = make_url(url)
    query = {k: v for k, v in parsed.query.items() if k != "host"}
    return parsed.set(host="127.0.0.1", port=cut.port, query=query).render_as_string(hide_password=False)


def run_site(
    url: str,
    people_dir: Path,
    kiosks: int,
    people: int,
    model: str | None = None,
    kill: bool = False,
    cut_s: float = 0.0,
    log=print,
) -> SiteResult:
    from core.store import Store
    from core.vision.detect import Detector
    from core.vision.embed import load_embedder
    from core.vision.pipeline import FacePipeline, model_spec

    work = Path(tempfile.mkdtemp(prefix="facegate-site-"))
    with Store(url) as store:
        if store.list_people(include_inactive=True):
            raise FaceGateError("the site benchmark needs an empty database (it enrols its own people)")
        # Two agreeing frames per person (not the default three) keep 8 kiosks on 2 cores to minutes.
        store.save_settings(replace(store.load_settings(), cooldown_s=COOLDOWN_S, consecutive_frames=FRAMES_PER_PERSON))
        started = time.perf_counter()
        walkers = enrol_site(store, FacePipeline(Detector(), load_embedder(model_spec(model))), people, people_dir)
        log(f"enrolled={len(walkers)} enrol_s={time.perf_counter() - started:.1f}")
        before = datetime.now(UTC) - timedelta(minutes=1)
    folders = [_frames_folder(work / "frames", walkers, k) for k in range(kiosks)]
    postgres = url.startswith("postgresql")
    cut = None
    if cut_s and postgres:
        from sqlalchemy import make_url

        host = make_url(url).query.get("host")
        cut = DatabaseCut(f"{host}/.s.PGSQL.{make_url(url).port or 5432}")
    ctx = multiprocessing.get_context("spawn")

    def launch(k: int, start_at: int = 0) -> multiprocessing.process.BaseProcess:
        kiosk_url = proxied_url(url, cut) if cut is not None and k == 1 else url
        p = ctx.Process(
            target=_kiosk, args=(kiosk_url, str(folders[k]), str(work / f"spool{k}"), f"kiosk-{k}", model, start_at)
        )
        p.start()
        return p

    started = time.perf_counter()
    procs = [launch(k) for k in range(kiosks)]
    frames = len(walkers) * FRAMES_PER_PERSON
    if kill:
        done = _reach(work / "spool0", procs[0], frames // 2)
        procs[0].kill()  # SIGKILL: no chance to tidy its spool
        procs[0].join()
        waiting = len(list((work / "spool0").glob("*.event.json")))
        log(f"killed kiosk-0 after {done} of {frames} frames with {waiting} events in its spool; restarting it")
        procs[0] = launch(0, done)
    if cut_s:
        _reach(work / "spool1", procs[1], frames // 4)
        if cut is not None:
            log(f"database cut for kiosk-1 for {cut_s:.0f} s")
            cut.down_for(cut_s)
        else:
            log(f"database write-locked for every kiosk for {cut_s:.0f} s")
            _lock_sqlite(url, cut_s)
    for p in procs:
        p.join()
    seconds = time.perf_counter() - started
    for k in range(kiosks):
        note = work / f"spool{k}" / "most_waiting"
        if note.exists() and int(note.read_text()):
            log(f"kiosk-{k} had up to {note.read_text()} events waiting in its spool")
    failed = [k for k, p in enumerate(procs) if p.exitcode != 0]
    if failed:
        raise FaceGateError(f"kiosk process(es) {failed} failed")
    with Store(url) as store:
        events = store.events(before, datetime.now(UTC) + timedelta(minutes=1))
    shutil.rmtree(work, ignore_errors=True)
    stored_people = {e.person_id for e in events}
    walking = {w.person_id for w in walkers}
    return SiteResult(
        kiosks,
        len(walkers),
        seconds,
        len(events),
        len(walking - stored_people),
        len(events) - len(stored_people),  # one event per person: any more is a double
        kiosks * frames,
        len(stored_people - walking),
    )


def _reach(spool: Path, proc, frames: int, limit_s: float = 1200) -> int:
    """Waits until the kiosk writing to spool has processed `frames` frames; how many it had."""
    deadline = time.monotonic() + limit_s
    done = 0
    while proc.is_alive() and time.monotonic() < deadline and done < frames:
        time.sleep(0.05)
        try:
            done = int((spool / "progress").read_text() or 0)
        except (FileNotFoundError, ValueError):
            pass
    if not proc.is_alive():
        raise FaceGateError("the kiosk ended before the benchmark could kill or cut it")
    return done


def _lock_sqlite(url: str, seconds: float) -> None:
    from sqlalchemy import make_url

    path = make_url(url).database
    if not path:  # in memory: no other process shares it, so there is nothing to take away
        raise FaceGateError("--cut-db on SQLite needs the database in a file")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    locker.execute("ROLLBACK")
    locker.close()
