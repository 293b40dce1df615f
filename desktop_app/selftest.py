"""`facegate --selftest`: shows that an install works, from source or frozen, without camera or display.

Runs the bundled detector and embedding model on the sample photos in assets/samples, then
takes one person through a throwaway database the way the app does: enrol from a photo, recognise a
moved and rescaled copy, record the check-in, export the day as CSV and read it back. Only core is
used, so a headless kiosk can run it.
"""

from __future__ import annotations

import csv
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

GROUP_PHOTO, GROUP_FACES = "t1.jpg", 6
PORTRAIT = "Tom_Hanks_54745.png"
PERSON = "Tom Hanks"
# The portrait scaled and moved within a larger frame: recognition must not depend on where the
# face sits or how big it is.
MOVED_SCALE, MOVED_SHIFT, MOVED_SIZE = 1.3, (40, 25), (260, 240)
UNIT_NORM_TOLERANCE = 1e-3


class _Failed(Exception):
    """An expectation that did not hold; its message says what was found."""


def _expect(condition: object, message: str) -> None:
    # Not `assert`: python -O would turn every check into a pass.
    if not condition:
        raise _Failed(message)


class _Checks:
    def __init__(self, out: Callable[[str], Any]):
        self.out = out
        self.passed = 0
        self.failed = 0

    def run(self, name: str, step: Callable[..., tuple[Any, str]], *needs: Any) -> Any:
        """step(*needs) returns (value, what it checked); prints PASS or FAIL, returns value or None."""
        try:
            if any(need is None for need in needs):
                raise _Failed("not run: a check it depends on failed")
            value, detail = step(*needs)
        except Exception as exc:  # every failure, whatever its kind, is reported and the rest still run
            self.failed += 1
            reason = str(exc) if isinstance(exc, _Failed) else f"{type(exc).__name__}: {exc}"
            self.out(f"FAIL  {name}: {reason}")
            return None
        self.passed += 1
        self.out(f"PASS  {name}: {detail}")
        return value


def run_selftest(out: Callable[[str], Any] = print) -> bool:
    """Runs every check, printing one PASS/FAIL line each; True only if all passed."""
    checks = _Checks(out)
    checks.run("bundle", _check_bundle)
    photos = checks.run("sample photos", _check_photos)
    detector = checks.run("detector", _check_detector)
    checks.run(f"detect {GROUP_PHOTO}", _check_group, detector, photos)
    pipeline = checks.run("embedding model", _check_model, detector)
    checks.run(f"embed {PORTRAIT}", _check_portrait, pipeline, photos)
    checks.run("liveness model", _check_liveness, detector, photos)
    checks.run("user data folder", _check_data_dir)
    with tempfile.TemporaryDirectory(prefix="facegate-selftest-", ignore_cleanup_errors=True) as tmp:
        store = checks.run("database", _check_database, Path(tmp))
        try:
            person = checks.run("enrol", _check_enrol, store, pipeline)
            run = checks.run("recognise", _check_recognise, store, pipeline, photos, person)
            event = checks.run("check-in", _check_checkin, store, run, person)
            checks.run("CSV export", _check_export, store, event, Path(tmp))
        finally:
            if store is not None:
                store.close()
    total = checks.passed + checks.failed
    out(f"selftest: {checks.passed} of {total} checks passed" + ("" if checks.failed else ", all OK"))
    return checks.failed == 0


def _check_bundle() -> tuple[None, str]:
    from core.paths import assets_dir, bundle_dir
    from core.store.engine import MIGRATIONS_DIR

    models, migrations = assets_dir() / "models", MIGRATIONS_DIR
    bundle = bundle_dir()
    if bundle:
        # Frozen, everything must come from inside the executable's folder, never a source tree.
        for path in (models, migrations):
            _expect(bundle in path.resolve().parents, f"{path} is outside the bundle {bundle}")
    _expect(models.is_dir(), f"no models folder at {models}")
    _expect((migrations / "env.py").is_file(), f"no migrations at {migrations}")
    found = ", ".join(sorted(p.name for p in models.glob("*.onnx")))
    return None, f"{'frozen' if bundle else 'source'}; models in {models} ({found}); migrations in {migrations}"


def _sample_dir() -> Path:
    from core.paths import samples_dir

    folder = samples_dir()
    _expect(folder.is_dir(), f"no sample photos at {folder}; reinstall FaceGate")
    return folder


def _check_photos() -> tuple[dict[str, np.ndarray], str]:
    from core.vision.imaging import load_image

    folder = _sample_dir()
    photos = {name: load_image(folder / name) for name in (GROUP_PHOTO, PORTRAIT)}
    sizes = ", ".join(f"{name} {img.shape[1]}x{img.shape[0]}" for name, img in photos.items())
    return photos, f"{sizes} from {folder}"


def _check_detector():
    from core.vision.detect import Detector

    # The CLI's default smallest face: the portrait is a 112 px crop.
    detector = Detector(min_face=20)
    return detector, "MTCNN cascade loaded (P-Net, R-Net, O-Net)"


def _check_group(detector, photos) -> tuple[None, str]:
    faces = detector.detect(photos[GROUP_PHOTO])
    _expect(len(faces) == GROUP_FACES, f"found {len(faces)} faces in {GROUP_PHOTO}, expected {GROUP_FACES}")
    return None, f"{len(faces)} faces found, expected {GROUP_FACES}"


def _check_model(detector):
    from core.vision.pipeline import FacePipeline, model_spec

    pipeline = FacePipeline(detector)
    return pipeline, f"{model_spec()} (model id {pipeline.embedder.model_id}, {pipeline.embedder.dim}-d)"


def _check_portrait(pipeline, photos):
    faces = pipeline.faces(photos[PORTRAIT])
    _expect(len(faces) == 1, f"found {len(faces)} faces in {PORTRAIT}, expected 1")
    embedding = faces[0].embedding
    norm = float(np.linalg.norm(embedding))
    _expect(np.isfinite(embedding).all(), "the embedding is not finite")
    _expect(abs(norm - 1) <= UNIT_NORM_TOLERANCE, f"embedding norm {norm:.6f}, expected 1")
    return None, f"1 face, {embedding.size}-d embedding, norm {norm:.6f}"


def _check_liveness(detector, photos) -> tuple[None, str]:
    from core.liveness.pad import PadModel

    pad = PadModel()
    image = photos[GROUP_PHOTO]
    scores = [s.live for s in pad.score(image, detector.detect(image)) if s.live is not None]
    _expect(scores and all(0.0 <= s <= 1.0 for s in scores), f"live scores {scores}, expected some in 0..1")
    return None, f"{pad.model_id}: {len(scores)} faces of {GROUP_PHOTO} scored"


def _check_data_dir() -> tuple[None, str]:
    from core.paths import bundle_dir, data_dir

    folder = data_dir()
    bundle = bundle_dir()
    _expect(not bundle or bundle not in folder.resolve().parents, f"{folder} is inside the bundle")
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".selftest-"):
        pass
    return None, f"{folder} is writable"


def _check_database(tmp: Path):
    from core.store import Store

    path = tmp / "selftest.db"
    store = Store(f"sqlite:///{path.as_posix()}")
    # Read beside SQLAlchemy, not through it: proof that the migrations, not the models, made the schema.
    with sqlite3.connect(path) as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return store, f"new SQLite database {path} migrated to revision {revision}"


def _check_enrol(store, pipeline):
    from core.enrol.enroller import Enroller

    # What `facegate enroll` and the admin screen do: quality gates, then the template.
    result = Enroller(store, pipeline).enrol_photos(PERSON, [_sample_dir() / PORTRAIT])
    _expect(result.created and len(result.template_ids) == 1, f"enrolment gave {result}")
    return result.person, f"{PERSON} is person #{result.person.id} with 1 template from {PORTRAIT}"


def _moved(portrait: np.ndarray) -> np.ndarray:
    from core.vision.raster import resize_linear

    height, width = portrait.shape[:2]
    scaled = resize_linear(portrait, (round(width * MOVED_SCALE), round(height * MOVED_SCALE)))
    frame = np.full((MOVED_SIZE[1], MOVED_SIZE[0], 3), 128, np.uint8)
    x, y = MOVED_SHIFT
    part = scaled[: MOVED_SIZE[1] - y, : MOVED_SIZE[0] - x]
    frame[y : y + part.shape[0], x : x + part.shape[1]] = part
    return frame


def _check_recognise(store, pipeline, photos, person):
    from dataclasses import replace

    from core.kiosk.kiosk import Kiosk

    # The kiosk screen's own loop body, fed the moved copy as a camera frame. A still photo is
    # what liveness refuses, so it is off here: this checks recognition and the rules (the
    # "liveness model" check runs the model itself).
    store.save_settings(replace(store.load_settings(), pad_enabled=False), actor="selftest")
    run = _KioskRun(Kiosk(store, pipeline), _moved(photos[PORTRAIT]))
    seen = run.step().faces
    _expect(len(seen) == 1, f"the kiosk saw {len(seen)} faces in the moved copy, expected 1")
    face = seen[0]
    _expect(
        face.person_id == person.id,
        f"recognised person {face.person_id} at similarity {face.similarity:.4f}, expected #{person.id}",
    )
    return run, (
        f"{face.name} at similarity {face.similarity:.4f} ({run.kiosk.thresholds.describe()}) "
        f"in a copy scaled {MOVED_SCALE}x and moved {MOVED_SHIFT} px"
    )


class _KioskRun:
    """The kiosk fed one frame again and again, on a clock the selftest steps."""

    def __init__(self, kiosk, frame: np.ndarray):
        self.kiosk, self.frame = kiosk, frame
        self.start = datetime.now(timezone.utc)
        settings = kiosk.settings
        # Frames close enough together that the rules' window holds all those a check-in needs.
        self.interval = timedelta(seconds=settings.window_s / (2 * settings.consecutive_frames))
        self.frames = 0

    def step(self):
        result = self.kiosk.process(self.frame, now=self.start + self.frames * self.interval)
        self.frames += 1
        _expect(result.error is None, f"the kiosk could not store an event: {result.error}")
        return result


def _check_checkin(store, run, person):
    from core.types import CHECK_IN

    events = []
    while run.frames < run.kiosk.settings.consecutive_frames:
        events += run.step().events
    found = [(e.person_id, e.kind) for e in events]
    _expect(found == [(person.id, CHECK_IN)], f"{run.frames} frames gave events {found}, expected one check-in")
    stored = store.events(run.start - timedelta(minutes=1), run.start + timedelta(minutes=1))
    _expect([(e.person_id, e.kind) for e in stored] == [(person.id, CHECK_IN)], f"the database holds {stored}")
    return stored[0], f"{run.frames} frames made 1 check-in, read back from the database"


def _check_export(store, event, tmp: Path) -> tuple[None, str]:
    path = tmp / "attendance.csv"
    count = store.export_csv(path, event.time - timedelta(minutes=1), event.time + timedelta(minutes=1))
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    _expect(count == len(rows) == 1, f"export wrote {count} rows, read back {len(rows)}, expected 1")
    _expect((rows[0]["person"], rows[0]["kind"]) == (PERSON, "check-in"), f"read back {rows[0]}")
    return None, f"{path.name} has 1 row: {rows[0]['person']}, {rows[0]['kind']}, similarity {rows[0]['similarity']}"
