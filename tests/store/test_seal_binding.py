"""Sealed face data against a database writer without the key: a damaged template is skipped and
named, a template moved to another person no longer opens, an old database is re-sealed to the row
binding, and the key file is checked the way ssh checks a private key."""

from __future__ import annotations

import logging
import os
import sqlite3

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command

from core.store import Store
from core.store.crypto import KeyFileError, Sealer, create_key
from core.store.engine import alembic_config, engine_url

VECTORS = np.eye(4, 8, dtype="<f4")


def _enrol_four(url: str) -> None:
    with Store(url) as store:
        for i, vector in enumerate(VECTORS):
            store.enrol(vector, "m", "1", 0.9, "photo", crops=b"\xff\xd8\xffcrop", name=f"Person {i + 1}")


def _sql(tmp_path, statement: str) -> None:
    with sqlite3.connect(tmp_path / "facegate.db") as db:
        db.execute(statement)


def _flip_last_byte(tmp_path, where: str) -> None:
    """The last byte (inside the GCM tag) of each sealed embedding `where` selects, flipped."""
    with sqlite3.connect(tmp_path / "facegate.db") as db:
        for template_id, sealed in db.execute(f"SELECT id, embedding FROM face_templates WHERE {where}").fetchall():
            damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
            db.execute("UPDATE face_templates SET embedding = ? WHERE id = ?", (damaged, template_id))


def test_one_damaged_template_is_skipped_and_its_person_named_and_most_failing_means_wrong_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    _enrol_four(url)
    _flip_last_byte(tmp_path, "person_id = 3")
    with Store(url) as store:
        matrix, person_ids, _ = store.templates_for_gallery("m")
        assert person_ids.tolist() == [1, 2, 4] and np.allclose(matrix, VECTORS[[0, 1, 3]])
        [entry] = [e for e in store.audit_log() if e.action == "damaged template skipped"]
        assert "re-enrol Person 3" in entry.detail
    _flip_last_byte(tmp_path, "person_id <> 3")  # now all four are damaged
    with Store(url) as store, pytest.raises(KeyFileError, match="4 of 4 face templates .* not the key"):
        store.templates_for_gallery("m")


def test_a_template_moved_to_another_person_does_not_open_as_theirs(tmp_path):
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    _enrol_four(url)
    _sql(tmp_path, "UPDATE face_templates SET person_id = 2 WHERE person_id = 1")
    with Store(url) as store:
        _, person_ids, _ = store.templates_for_gallery("m")
        assert person_ids.tolist() == [2, 3, 4]  # Person 1's face is nobody's, never Person 2's
    _sql(tmp_path, "UPDATE face_templates SET model_id = 'other' WHERE person_id IN (3, 4)")
    with Store(url) as store, pytest.raises(KeyFileError):  # nor does one passed off as another model's
        store.templates_for_gallery("other")


def test_a_database_sealed_to_columns_only_is_resealed_to_its_rows(any_db_url, tmp_path, monkeypatch):
    """Schema 0002 with face data sealed the old way (bound to the column name only)."""
    key_file = tmp_path / "old.key"
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(key_file))
    sealer = Sealer(create_key(key_file))
    engine = sa.create_engine(engine_url(any_db_url))
    meta = sa.MetaData()
    people = sa.Table("people", meta, *[sa.Column(c) for c in ("id", "name", "name_key", "active", "created_at")])
    columns = ("id", "person_id", "embedding", "dim", "model_id", "model_version", "quality", "source", "created_at")
    templates = sa.Table("face_templates", meta, *[sa.Column(c) for c in columns], sa.Column("crop_jpeg"))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
        conn.execute(sa.text("UPDATE site SET key_id = :k"), {"k": sealer.id})
        now = sa.func.now()
        for i in (1, 2):
            conn.execute(people.insert().values(id=i, name=f"P{i}", name_key=f"p{i}", active=True, created_at=now))
            embedding = sealer.seal(VECTORS[i].tobytes(), b"face_templates.embedding")
            crop = sealer.seal(b"\xff\xd8\xffold", b"face_templates.crop_jpeg")
            conn.execute(
                templates.insert().values(
                    id=i, person_id=i, embedding=embedding, dim=8, model_id="m", model_version="1",
                    quality=0.9, source="photo", created_at=now, crop_jpeg=crop,
                )
            )  # fmt: skip
    engine.dispose()
    with Store(any_db_url) as store:
        matrix, person_ids, _ = store.templates_for_gallery("m")
        assert person_ids.tolist() == [1, 2] and np.allclose(matrix, VECTORS[[1, 2]])
        assert [(info.id, crop) for info, crop in store.template_crops()] == [
            (1, b"\xff\xd8\xffold"),
            (2, b"\xff\xd8\xffold"),
        ]
    with engine.begin() as conn:  # re-sealed: moving a template to the other person no longer opens it
        assert conn.execute(sa.text("SELECT seal_format FROM site")).scalar_one() == 2
        conn.execute(sa.text("UPDATE face_templates SET person_id = 2 WHERE id = 1"))
    engine.dispose()
    with Store(any_db_url) as store:
        assert store.templates_for_gallery("m")[1].tolist() == [2]


def test_a_key_file_others_may_write_is_refused_and_one_they_may_read_warned_about(tmp_path, monkeypatch, caplog):
    key = tmp_path / "facegate.key"
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(key))
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    Store(url).close()
    for mode in (0o620, 0o602, 0o666):
        key.chmod(mode)
        with pytest.raises(KeyFileError, match="others may write"):
            Store(url)
    key.chmod(0o644)
    with caplog.at_level(logging.WARNING), Store(url):
        pass
    assert "others may read" in caplog.text
    link = tmp_path / "link.key"
    link.symlink_to(key)
    key.chmod(0o600)
    caplog.clear()
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(link))
    with caplog.at_level(logging.WARNING), Store(url):
        pass
    assert "is a symbolic link" in caplog.text and os.readlink(link) == str(key)
