"""Face data at rest: sealed with AES-GCM under a key outside the database, private files, crops
optional, a clear error without the key, and old plain databases sealed (and migrated) on open."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import subprocess
from datetime import UTC, datetime

import cv2
import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command

from core.settings import Settings
from core.store import Store
from core.store.crypto import KeyFileError
from core.store.engine import alembic_config, engine_url
from tests.conftest import ENROL_PHOTOS, PERSON

JPEG_START = b"\xff\xd8\xff"
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _file_bytes(db_path) -> bytes:
    """The database as it lies on disk, with its write-ahead log if one is left."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_database_file_holds_no_face_image_and_no_raw_embedding(tmp_path, monkeypatch, pipeline, lfw_photos):
    from core.enrol.enroller import Enroller

    home = tmp_path / "home"  # made by FaceGate: 0700
    key = tmp_path / "keys" / "facegate.key"
    monkeypatch.setenv("FACEGATE_HOME", str(home))
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(key))
    monkeypatch.delenv("FACEGATE_DB", raising=False)
    with Store() as store:
        result = Enroller(store, pipeline).enrol_photos("George W Bush", lfw_photos(PERSON, ENROL_PHOTOS))
        vectors, _, _ = store.templates_for_gallery(*_model_key(pipeline))
        crops = [(t.id, crop) for t, crop in store.template_crops() if crop is not None]
    assert len(result.template_ids) == 3 and vectors.shape[0] == 3
    assert [c[1][:3] for c in crops] == [
        JPEG_START
    ] * 6  # the student's and the verifier's  # above the Store: plain JPEG crops
    db = home / "facegate.db"
    raw = _file_bytes(db)
    assert JPEG_START not in raw
    for vector in vectors:
        assert vector.astype("<f4").tobytes() not in raw
        assert vector.astype("<f4").tobytes()[:64] not in raw  # not even part of one
    assert (_mode(home), _mode(db), _mode(key)) == (0o700, 0o600, 0o600)


def _model_key(pipeline):
    from core.matching.gallery import model_key

    return model_key(pipeline.embedder)


def test_missing_or_wrong_key_is_a_clear_error_and_destroys_nothing(tmp_path, monkeypatch, cli_env, facegate):
    key = tmp_path / "facegate.key"
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(key))
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    with Store(url) as store:
        store.enrol(np.ones(8, np.float32) / np.sqrt(8), "m", "1", 0.9, "photo", crops=b"\xff\xd8\xffjpeg", name="Ann")
    before = hashlib.sha256(_file_bytes(tmp_path / "facegate.db")).hexdigest()
    saved = key.read_bytes()

    key.unlink()
    done = subprocess.run(
        [*facegate, "people"],
        env={**cli_env, "FACEGATE_KEY_FILE": str(key)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("facegate: the face data in") and "restore that file" in done.stderr
    assert "enrol everyone again" in done.stderr
    assert not key.exists()  # no new key made over the lost one

    key.write_bytes(os.urandom(32))  # someone else's key
    with pytest.raises(KeyFileError, match="is not the key"):
        Store(url)
    key.write_bytes(b"short")
    with pytest.raises(KeyFileError, match="not a FaceGate key"):
        Store(url)
    assert hashlib.sha256(_file_bytes(tmp_path / "facegate.db")).hexdigest() == before

    key.write_bytes(saved)  # restored: everything is there
    with Store(url) as store:
        assert store.templates_for_gallery("m")[0].shape == (1, 8)
        assert [(t.id, crop) for t, crop in store.template_crops()] == [(1, b"\xff\xd8\xffjpeg")]


def test_turning_face_crops_off_erases_them_and_keeps_none(store):
    store.enrol(np.ones((2, 4), np.float32) / 2, "m", "1", 0.9, "camera", crops=[b"a", b"b"], name="Ann")
    assert Settings().keep_face_crops
    store.save_settings(dataclasses.replace(store.load_settings(), keep_face_crops=False))
    assert not store.load_settings().keep_face_crops
    assert [crop for _, crop in store.template_crops()] == [None, None]
    assert [t.has_crop for t in store.stale_templates("other")] == [False, False]
    assert store.audit_log(limit=1)[0].action == "erase face crops"


def test_enroller_keeps_no_crop_when_the_setting_is_off(store, pipeline, lfw_photos):
    from core.enrol.enroller import Enroller

    store.save_settings(dataclasses.replace(store.load_settings(), keep_face_crops=False))
    Enroller(store, pipeline).enrol_photos("George W Bush", lfw_photos(PERSON, ENROL_PHOTOS[:1]))
    assert [t.has_crop for t in store.stale_templates("other")] == [False, False]  # student and verifier


def test_an_existing_plain_database_is_migrated_and_sealed_with_its_data_intact(any_db_url, tmp_path):
    """A database made by the first release (schema 0001, plain face data, two people whose names
    differ only in case) opens with every row intact, names made unique by key, data sealed."""
    engine = sa.create_engine(engine_url(any_db_url))
    vectors = np.random.default_rng(1).normal(size=(3, 16)).astype("<f4")
    _, jpeg = cv2.imencode(".jpg", np.full((112, 112, 3), 128, np.uint8))
    crop = jpeg.tobytes()
    now = datetime(2024, 3, 4, 8, 0)
    meta = sa.MetaData()
    people = sa.Table(
        "people", meta, *[sa.Column(c) for c in ("id", "name", "external_id", "group", "active", "created_at")]
    )
    templates = sa.Table(
        "face_templates",
        meta,
        *[
            sa.Column(c)
            for c in (
                "id",
                "person_id",
                "embedding",
                "dim",
                "model_id",
                "model_version",
                "quality",
                "source",
                "source_detail",
                "created_at",
                "crop_jpeg",
            )
        ],
    )
    events = sa.Table(
        "attendance_events",
        meta,
        *[sa.Column(c) for c in ("id", "person_id", "time", "kind", "similarity", "kiosk_id")],
    )
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(
            people.insert(),
            [
                {
                    "id": 1,
                    "name": "Ann Smith",
                    "external_id": "E1",
                    "group": "staff",
                    "active": True,
                    "created_at": now,
                },
                {"id": 2, "name": "ann smith", "external_id": None, "group": None, "active": True, "created_at": now},
                {"id": 3, "name": "Bob", "external_id": None, "group": None, "active": False, "created_at": now},
            ],
        )
        conn.execute(
            templates.insert(),
            [
                {
                    "id": i + 1,
                    "person_id": pid,
                    "embedding": vectors[i].tobytes(),
                    "dim": 16,
                    "model_id": "m",
                    "model_version": "1",
                    "quality": 0.9,
                    "source": "photo",
                    "source_detail": f"p{i}.jpg",
                    "created_at": now,
                    "crop_jpeg": crop if i < 2 else None,
                }
                for i, pid in enumerate((1, 2, 1))
            ],
        )
        conn.execute(
            events.insert(),
            [
                {"id": i + 1, "person_id": pid, "time": now, "kind": kind, "similarity": 0.7, "kiosk_id": "k1"}
                for i, (pid, kind) in enumerate(((1, "check-in"), (2, "check-in"), (1, "check-out")))
            ],
        )
    engine.dispose()

    with Store(any_db_url) as store:
        people = sorted(store.list_people(include_inactive=True), key=lambda p: p.id)
        assert [(p.id, p.name, p.external_id, p.active) for p in people] == [
            (1, "Ann Smith", "E1", True),
            (2, "ann smith", None, True),
            (3, "Bob", None, False),
        ]
        assert store.find_person_by_name("ANN SMITH").id == 1  # the earlier one keeps the name
        matrix, person_ids, _ = store.templates_for_gallery("m")
        np.testing.assert_array_equal(matrix, vectors)
        assert person_ids.tolist() == [1, 2, 1]
        assert sorted((t.id, c) for t, c in store.template_crops() if c is not None) == [(1, crop), (2, crop)]
        stored = store.events(*EVER)
        assert [(e.person_id, e.kind) for e in stored] == [(1, "check-in"), (2, "check-in"), (1, "check-out")]
        assert len({e.uid for e in stored}) == 3
    engine = sa.create_engine(engine_url(any_db_url))
    with engine.connect() as conn:
        raw = [bytes(v) for (v,) in conn.execute(sa.text("SELECT embedding FROM face_templates"))]
        raw += [
            bytes(v)
            for (v,) in conn.execute(sa.text("SELECT crop_jpeg FROM face_templates WHERE crop_jpeg IS NOT NULL"))
        ]
    engine.dispose()
    assert all(v.startswith(b"FGE1") for v in raw) and len(raw) == 5
    if any_db_url.startswith("sqlite"):
        on_disk = _file_bytes(tmp_path / "facegate.db")
        assert JPEG_START not in on_disk and vectors[0].tobytes() not in on_disk  # secure_delete: no plain remnants
