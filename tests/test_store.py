"""Store against real SQLite files: schema, people, templates, events, settings, locking, PIN."""
from __future__ import annotations

import csv
import dataclasses
import multiprocessing
import sqlite3
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from core.attendance import Event
from core.errors import StoreError
from core.pin import hash_pin, verify_pin
from core.settings import Settings
from core.store import MIGRATIONS_DIR, Base, Store

UTC = timezone.utc
T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'facegate.db'}"


@pytest.fixture
def store(url):
    with Store(url) as s:
        yield s


def unit_rows(n: int, dim: int = 4, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def event(person_id: int, t: datetime, kind: str = "check-in", kiosk: str = "k1") -> Event:
    return Event(person_id, None, t, kind, 0.8, kiosk)


def test_new_database_is_migrated_to_head_and_matches_models(url, store):
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head
        assert compare_metadata(context, Base.metadata) == []
        tables = {name for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"people", "face_templates", "attendance_events", "settings", "audit_log"} <= tables
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    Store(url).close()  # reopening an up-to-date database is a no-op


def test_people_add_list_search_edit_deactivate_delete(store):
    ann = store.add_person("Ann Smith", "E1", "Sales")
    bob = store.add_person("Bob Jones", "E2", "Ops")
    zoe = store.add_person("Zoë", None, "Sales")
    assert [p.name for p in store.list_people()] == ["Ann Smith", "Bob Jones", "Zoë"]
    assert [p.id for p in store.list_people(search="sales")] == [ann.id, zoe.id]
    assert [p.id for p in store.list_people(search="e2")] == [bob.id]
    assert [p.id for p in store.list_people(search="ZOË")] == [zoe.id]
    assert store.find_person_by_name("ann smith") == ann
    assert store.find_person_by_name("nobody") is None

    edited = store.update_person(dataclasses.replace(ann, name="Ann Brown", group="Ops"))
    assert store.get_person(ann.id) == edited and edited.name == "Ann Brown" and edited.group == "Ops"
    with pytest.raises(StoreError, match="external id"):
        store.update_person(dataclasses.replace(bob, external_id="E1"))

    store.deactivate(bob.id)
    assert bob.id not in [p.id for p in store.list_people()]
    assert store.get_person(bob.id).active is False
    assert bob.id in [p.id for p in store.list_people(include_inactive=True)]
    store.reactivate(bob.id)
    assert store.get_person(bob.id).active

    store.add_templates(ann.id, unit_rows(2), "m", "1", 0.9, "camera", crops=b"jpeg", source_detail="cam0")
    store.record_event(event(ann.id, T0))
    store.delete_person(ann.id)
    assert store.get_person(ann.id) is None
    assert store.templates_for_gallery("m")[0].shape == (0, 0)
    assert store.stale_templates("other") == []  # the crops went with the templates
    assert store.events(*EVER) == []
    actions = [e.action for e in store.audit_log()]
    assert actions[0] == "delete person" and "enrol" in actions and "edit person" in actions

    kept = store.add_person(" Zoë  Brown ")
    assert kept.name == "Zoë Brown"
    decomposed = "zoe\u0308 brown"  # the same letters with a combining diaeresis
    for same in ("zoë brown", "ZOË BROWN", decomposed):
        with pytest.raises(StoreError, match="already enrolled"):
            store.add_person(same)
        assert store.find_person_by_name(same) == kept
    with pytest.raises(StoreError, match="already enrolled"):
        store.update_person(dataclasses.replace(bob, name="zoe\u0308 brown"))


def test_gallery_holds_active_people_and_current_model_only(store):
    ann, bob, cat = (store.add_person(n) for n in ("Ann", "Bob", "Cat"))
    vectors = unit_rows(5, dim=8)
    store.add_templates(ann.id, vectors[:2], "student", "2", [0.9, 0.8], "camera", source_detail="0")
    store.add_templates(bob.id, vectors[2], "student", "2", 0.7, "photo", source_detail="bob.jpg")
    store.add_templates(cat.id, vectors[3], "student", "2", 0.7, "photo")
    store.add_templates(bob.id, vectors[4], "teacher", "1", 0.7, "camera")
    store.deactivate(cat.id)

    matrix, person_ids, names = store.templates_for_gallery("student", "2")
    assert matrix.dtype == np.float32 and matrix.shape == (3, 8)
    np.testing.assert_array_equal(matrix, vectors[:3])
    assert person_ids.tolist() == [ann.id, ann.id, bob.id] and names == ["Ann", "Ann", "Bob"]
    assert store.templates_for_gallery("student", "3")[0].shape == (0, 0)


def test_stale_templates_flag_other_model_versions_and_can_be_recomputed(store):
    ann = store.add_person("Ann")
    old = store.add_templates(ann.id, unit_rows(2), "student", "1", 0.9, "camera", crops=[b"crop", None])
    new = store.add_templates(ann.id, unit_rows(1), "student", "2", 0.9, "camera")

    stale = store.stale_templates("student", "2")
    assert [(t.id, t.model_version, t.has_crop) for t in stale] == [(old[0], "1", True), (old[1], "1", False)]
    assert [t.id for t in store.stale_templates("student")] == []  # same model id, any version
    assert store.crops_for_recompute("student", "2") == [(old[0], b"crop")]

    fresh = unit_rows(1, seed=7)[0]
    assert store.replace_embeddings({old[0]: fresh, 999: fresh}, "student", "2") == 1
    assert [t.id for t in store.stale_templates("student", "2")] == [old[1]]
    matrix, _, _ = store.templates_for_gallery("student", "2")
    assert matrix.shape == (2, 4) and new[0] != old[0]
    np.testing.assert_array_equal(matrix[0], fresh)


def test_events_filters_summary_and_csv(store, tmp_path):
    ann = store.add_person("Ann", "E1", "Sales")
    bob = store.add_person("=Bob", "E2", "Ops")
    store.record_event(event(ann.id, T0))
    store.record_event(event(bob.id, T0 + timedelta(minutes=5)))
    store.record_event(event(ann.id, T0 + timedelta(hours=4), "check-out"))
    store.record_event(event(ann.id, T0 + timedelta(hours=5), "unlock"))
    store.record_event(event(ann.id, T0 + timedelta(hours=9), "check-out", kiosk="k2"))
    store.record_event(event(ann.id, T0 + timedelta(days=1)))

    day = (T0, T0 + timedelta(days=1))
    assert len(store.events(*day)) == 5
    assert [e.kind for e in store.events(*day, person_id=bob.id)] == ["check-in"]
    assert {e.person_id for e in store.events(*day, group="Sales")} == {ann.id}
    assert store.events(*day)[0] == Event(ann.id, "Ann", T0, "check-in", 0.8, "k1")

    summary = store.daily_summary(*EVER, tz=UTC)
    assert [(s.day, s.name, s.first_in, s.last_out) for s in summary] == [
        (date(2024, 3, 4), "=Bob", T0 + timedelta(minutes=5), None),
        (date(2024, 3, 4), "Ann", T0, T0 + timedelta(hours=9)),
        (date(2024, 3, 5), "Ann", T0 + timedelta(days=1), None),
    ]

    path = tmp_path / "out.csv"
    assert store.export_csv(path, *day) == 5
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["date", "time_utc", "person", "external_id", "group", "kind", "similarity", "kiosk"]
    assert rows[1] == ["2024-03-04", "08:00:00", "Ann", "E1", "Sales", "check-in", "0.800", "k1"]
    assert rows[2][2] == "'=Bob"  # not a spreadsheet formula
    assert rows[-1] == ["2024-03-04", "17:00:00", "Ann", "E1", "Sales", "check-out", "0.800", "k2"]


def test_settings_round_trip_with_pin_and_audit(store):
    assert store.load_settings() == Settings()
    changed = dataclasses.replace(
        Settings(), match_threshold=0.5, cooldown_s=60.0, kiosk_id="door-1", admin_pin_hash=hash_pin("2468")
    )
    store.save_settings(changed, actor="alice")
    loaded = store.load_settings()
    assert loaded == changed and verify_pin("2468", loaded.admin_pin_hash)
    entry = store.audit_log(limit=1)[0]
    assert (entry.actor, entry.action) == ("alice", "change settings")
    assert "admin_pin_hash" in entry.detail and loaded.admin_pin_hash not in entry.detail
    store.save_settings(changed)
    assert len(store.audit_log()) == 1  # nothing changed, nothing logged


def test_pin_hash_and_verify():
    stored = hash_pin("1234")
    assert "1234" not in stored and stored != hash_pin("1234")  # salted
    assert verify_pin("1234", stored)
    assert not verify_pin("1235", stored)
    assert not verify_pin("1234", None) and not verify_pin("1234", "garbage")


def _write_events(url: str, person_id: int, kiosk: str, start, count: int) -> None:
    with Store(url) as s:
        start.wait()
        for i in range(count):
            s.record_event(event(person_id, T0 + timedelta(seconds=i), kiosk=kiosk))


def test_two_processes_writing_at_once_lose_nothing(url, store):
    person = store.add_person("Ann")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_write_events, args=(url, person.id, f"k{i}", start, 200)) for i in range(2)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    events = store.events(*EVER)
    assert len(events) == 400
    assert sorted(e.kiosk_id for e in events) == ["k0"] * 200 + ["k1"] * 200


def test_locked_database_gives_store_error_then_writes_once_released(tmp_path, url):
    with Store(url, busy_timeout_s=0.1, retries=1, backoff_s=0.01) as s:
        person = s.add_person("Ann")
        locker = sqlite3.connect(tmp_path / "facegate.db", isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError, match="busy"):
            s.record_event(event(person.id, T0))
        assert s.events(*EVER) == []  # readers still work under WAL
        locker.execute("ROLLBACK")
        locker.close()
        s.record_event(event(person.id, T0))
        assert len(s.events(*EVER)) == 1


def test_damaged_file_gives_store_error(tmp_path):
    path = tmp_path / "facegate.db"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="damaged"):
        Store(f"sqlite:///{path}")
