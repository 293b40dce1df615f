"""Store against real SQLite files and a real PostgreSQL server: schema, people, templates, events,
settings, locking, PIN."""

from __future__ import annotations

import csv
import dataclasses
import multiprocessing
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from core.days import day_range
from core.errors import FaceGateError, StoreError
from core.settings import Settings
from core.store import CheckinRule, Person, Store
from core.store.engine import MIGRATIONS_DIR, engine_url
from core.store.pin import hash_pin, verify_pin
from core.store.schema import Base
from core.store.site import site_row
from core.types import Event

UTC = timezone.utc
T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def url(any_db_url):
    return any_db_url


@pytest.fixture
def sqlite_url(tmp_path):
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


def enrolled(store: Store, name: str, external_id: str | None = None, group: str | None = None) -> Person:
    """A person as the app makes one: enrolled with a template (model "m" version "1")."""
    return store.enrol(unit_rows(1), "m", "1", 0.9, "photo", name=name, external_id=external_id, group=group).person


def test_new_database_is_migrated_to_head_and_matches_models(url, store):
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    engine = create_engine(engine_url(url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head
        assert compare_metadata(context, Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
        assert {"people", "face_templates", "attendance_events", "settings", "audit_log", "site"} <= tables
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    Store(url).close()  # reopening an up-to-date database is a no-op


def test_people_add_list_search_edit_deactivate_delete(store):
    ann = store.enrol(
        unit_rows(2),
        "m",
        "1",
        0.9,
        "camera",
        crops=b"jpeg",
        source_detail="cam0",
        name="Ann Smith",
        external_id="E1",
        group="Sales",
    ).person
    bob = enrolled(store, "Bob Jones", "E2", "Ops")
    zoe = enrolled(store, "Zoë", None, "Sales")
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

    store.record_event(event(ann.id, T0))
    store.delete_person(ann.id)
    assert store.get_person(ann.id) is None
    assert ann.id not in store.templates_for_gallery("m")[1]
    assert {t.person_id for t in store.stale_templates("other")} == {bob.id, zoe.id}  # her crops went with them
    assert store.events(*EVER) == []
    actions = [e.action for e in store.audit_log()]
    assert actions[0] == "delete person" and "enrol" in actions and "edit person" in actions

    kept = enrolled(store, " Zoë  Brown ")
    assert kept.name == "Zoë Brown"
    decomposed = "zoe\u0308 brown"  # the same letters with a combining diaeresis
    for same in ("zoë brown", "ZOË BROWN", decomposed):
        again = store.enrol(unit_rows(1), "m", "1", 0.9, "photo", name=same)
        assert (again.person, again.created) == (kept, False)  # more templates for her, not a second Zoë
        assert store.find_person_by_name(same) == kept
    with pytest.raises(StoreError, match="already enrolled"):
        store.update_person(dataclasses.replace(bob, name="zoe\u0308 brown"))


def test_gallery_holds_active_people_and_current_model_only(store):
    vectors = unit_rows(5, dim=8)
    ann = store.enrol(vectors[:2], "student", "2", [0.9, 0.8], "camera", source_detail="0", name="Ann").person
    bob = store.enrol(vectors[2], "student", "2", 0.7, "photo", source_detail="bob.jpg", name="Bob").person
    cat = store.enrol(vectors[3], "student", "2", 0.7, "photo", name="Cat").person
    store.enrol(vectors[4], "teacher", "1", 0.7, "camera", person_id=bob.id)
    store.deactivate(cat.id)

    matrix, person_ids, names = store.templates_for_gallery("student", "2")
    assert matrix.dtype == np.float32 and matrix.shape == (3, 8)
    np.testing.assert_array_equal(matrix, vectors[:3])
    assert person_ids.tolist() == [ann.id, ann.id, bob.id] and names == ["Ann", "Ann", "Bob"]
    assert store.templates_for_gallery("student", "3")[0].shape == (0, 0)
    assert store.template_count("student", "2") == 3 and store.template_count("student") == 3
    assert store.template_count("student", "3") == 0 and store.template_count("teacher") == 1


def test_stale_templates_flag_other_model_versions_and_can_be_made_again(store):
    first = store.enrol(unit_rows(2), "student", "1", 0.9, "camera", crops=[b"crop", None], name="Ann")
    old = first.template_ids
    new = store.enrol(unit_rows(1), "student", "2", 0.9, "camera", person_id=first.person.id).template_ids

    stale = store.stale_templates("student", "2")
    assert [(t.id, t.model_version, t.has_crop) for t in stale] == [(old[0], "1", True), (old[1], "1", False)]
    assert [t.id for t in store.stale_templates("student")] == []  # same model id, any version
    assert [(t.id, crop) for t, crop in store.template_crops()] == [(old[0], b"crop"), (old[1], None), (new[0], None)]

    fresh = unit_rows(1, seed=7)[0]
    # A new template of old[0]'s face by version 2 (copying its crop), old[0] retired; 999 is gone.
    assert store.rework_templates([(old[0], fresh, "student", "2"), (999, fresh, "student", "2")], [old[0]]) == 1
    assert [t.id for t in store.stale_templates("student", "2")] == [old[1]]
    matrix, _, _ = store.templates_for_gallery("student", "2")
    assert matrix.shape == (2, 4)
    np.testing.assert_array_equal(matrix[1], fresh)
    remade = store.template_crops()[-1]
    assert (remade[0].model_version, remade[1], remade[0].created_at) == ("2", b"crop", stale[0].created_at)


def test_removing_a_template_takes_its_faces_twins_and_keeps_the_rest(store):
    both = store.enrol(
        unit_rows(2), "student", "1", 0.9, "photo", crops=[b"a", b"b"], name="Ann", also=[(unit_rows(2, 3), "v", "1")]
    )
    ann = both.person
    store.record_event(event(ann.id, T0))
    listed = [t.id for t, _ in store.template_crops(ann.id)]
    assert len(listed) == 4 and listed[:2] == both.template_ids
    removed = store.remove_template(both.template_ids[0])
    assert [(t.id, t.model_id) for t in removed] == [(listed[0], "student"), (listed[2], "v")]
    assert [t.id for t, _ in store.template_crops(ann.id)] == [listed[1], listed[3]]
    assert [e.person_id for e in store.events(T0 - timedelta(days=1), T0 + timedelta(days=1))] == [ann.id]
    assert store.audit_log(limit=1)[0].action == "remove template"
    with pytest.raises(StoreError, match=f"no template #{listed[0]}"):
        store.remove_template(listed[0])


def test_events_filters_summary_and_csv(store, tmp_path):
    ann = enrolled(store, "Ann", "E1", "Sales")
    bob = enrolled(store, "=Bob", "E2", "Ops")
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
    assert store.export_csv(path, *day) == 4  # the unlock has an export of its own
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["date", "time", "time_utc", "person", "external_id", "group", "kind", "similarity", "kiosk"]
    # Date and time in this machine's zone, the one the day range was chosen in.
    local = T0.astimezone()
    assert rows[1] == [
        f"{local:%Y-%m-%d}",
        f"{local:%H:%M:%S}",
        "2024-03-04T08:00:00Z",
        "Ann",
        "E1",
        "Sales",
        "check-in",
        "0.800",
        "k1",
    ]
    assert rows[2][3] == "'=Bob"  # not a spreadsheet formula
    assert rows[-1][2:] == ["2024-03-04T17:00:00Z", "Ann", "E1", "Sales", "check-out", "0.800", "k2"]


def test_settings_round_trip_with_pin_and_audit(store):
    assert store.load_settings() == Settings()
    changed = dataclasses.replace(
        Settings(), match_threshold=0.5, cooldown_s=60.0, kiosk_id="door-1", admin_pin_hash=hash_pin("246813")
    )
    store.save_settings(changed, actor="alice")
    loaded = store.load_settings()
    assert loaded == changed and verify_pin("246813", loaded.admin_pin_hash)
    entry = store.audit_log(limit=1)[0]
    assert (entry.actor, entry.action) == ("alice", "change settings")
    assert "admin_pin_hash" in entry.detail and loaded.admin_pin_hash not in entry.detail
    store.save_settings(changed)
    assert len(store.audit_log()) == 1  # nothing changed, nothing logged


def test_pin_hash_and_verify():
    stored = hash_pin("246813")
    assert "246813" not in stored and stored != hash_pin("246813")  # salted
    assert verify_pin("246813", stored)
    assert not verify_pin("246814", stored)
    assert not verify_pin("246813", None) and not verify_pin("246813", "garbage")
    for weak in ("1234", "12345", "abcdef", "12345x", "１２３４５６"):  # short, letters, full-width digits
        with pytest.raises(FaceGateError, match="at least 6 digits"):
            hash_pin(weak)


def _write_events(url: str, person_id: int, kiosk: str, start, count: int) -> None:
    with Store(url) as s:
        start.wait()
        for i in range(count):
            s.record_event(event(person_id, T0 + timedelta(seconds=i), kiosk=kiosk))


def test_two_processes_writing_at_once_lose_nothing(url, store):
    person = enrolled(store, "Ann")
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


def test_locked_database_gives_store_error_then_writes_once_released(tmp_path, sqlite_url):
    with Store(sqlite_url, busy_timeout_s=0.1, retries=1, backoff_s=0.01) as s:
        person = enrolled(s, "Ann")
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


def test_database_applies_cooldown_and_first_in_last_out_idempotently(store):
    ann, bob = enrolled(store, "Ann"), enrolled(store, "Bob")
    rule = CheckinRule(cooldown_s=300)
    first = store.record_attendance(event(ann.id, T0, kiosk="k1"), rule, UTC).stored
    assert first is not None and first.kind == "check-in" and first.name == "Ann"
    # Another kiosk sees her 10 s later: within the cooldown, whatever kind that kiosk thought it
    # was; the answer carries her check-in, for the kiosk's "already checked in at 08:00".
    repeat = store.record_attendance(event(ann.id, T0 + timedelta(seconds=10), "check-out", kiosk="k2"), rule, UTC)
    assert repeat.stored is None and repeat.earlier == first
    # A spooled sighting from before hers, still within the cooldown around it: dropped too.
    assert store.record_attendance(event(ann.id, T0 - timedelta(seconds=60), kiosk="k3"), rule, UTC).stored is None
    later = event(ann.id, T0 + timedelta(hours=8), kiosk="k2")
    assert store.record_attendance(later, rule, UTC).stored.kind == "check-out"
    # The same event sent again (a retry after a lost answer): the stored one back, nothing added.
    again = store.record_attendance(later, rule, UTC).stored
    assert again.uid == later.uid and again.kind == "check-out"
    assert store.record_event(later) is False
    # A new day starts with a check-in; unlocks are no attendance and do not count.
    store.record_event(event(bob.id, T0, "unlock"))
    assert store.record_attendance(event(bob.id, T0 + timedelta(seconds=1)), rule, UTC).stored.kind == "check-in"
    assert store.record_attendance(event(ann.id, T0 + timedelta(days=1)), rule, UTC).stored.kind == "check-in"
    with pytest.raises(ValueError):
        store.record_attendance(event(ann.id, T0, "unlock"), rule, UTC)
    assert [(e.person_id, e.kind) for e in store.events(*EVER) if e.person_id == ann.id] == [
        (ann.id, "check-in"),
        (ann.id, "check-out"),
        (ann.id, "check-in"),
    ]


@pytest.fixture
def berlin_clock(monkeypatch):
    """This process runs on Berlin time, which skipped 02:00-03:00 on 31 March 2024."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_day_with_a_clock_change_starts_at_its_own_midnight(store, berlin_clock):
    start, end = day_range(date(2024, 3, 31), date(2024, 3, 31))
    assert (start, end - start) == (datetime(2024, 3, 30, 23, 0, tzinfo=UTC), timedelta(hours=23))
    assert day_range(date(2024, 3, 31), date(2024, 3, 31), ZoneInfo("Europe/Berlin")) == (start, end)
    ann = enrolled(store, "Ann")
    # 23:30 on the 30th in Berlin, then 10:00 on the 31st: two days, so two check-ins. Midnight
    # taken at the later time's summer offset (22:00 UTC) would put both on the 31st.
    evening = store.record_attendance(event(ann.id, datetime(2024, 3, 30, 22, 30, tzinfo=UTC)), CheckinRule(300))
    morning = store.record_attendance(event(ann.id, datetime(2024, 3, 31, 8, 0, tzinfo=UTC)), CheckinRule(300))
    assert (evening.stored.kind, morning.stored.kind) == ("check-in", "check-in")


def test_a_valid_name_whose_fold_outgrows_the_key_column_is_refused_in_one_line(store):
    # 200 characters, each folded to three ("ffi"): 600, past the 400 of people.name_key.
    with pytest.raises(FaceGateError, match=r"too long once its letters are spelled out .*600 characters; at most 400"):
        enrolled(store, "\ufb03" * 200)
    assert store.list_people() == []
    assert enrolled(store, "\ufb03" * 133).name == "\ufb03" * 133  # 399 once folded: fits


def test_every_text_field_is_length_checked(store):
    long = "x" * 5000
    for kwargs in ({"name": long}, {"name": "Ann", "external_id": long}, {"name": "Ann", "group": long}):
        with pytest.raises(FaceGateError, match="too long"):
            store.enrol(unit_rows(1), "m", "1", 0.9, "photo", **kwargs)
    ann = enrolled(store, "Ann")
    with pytest.raises(FaceGateError, match="name is too long"):
        store.update_person(dataclasses.replace(ann, name=long))
    with pytest.raises(FaceGateError, match="source detail is too long"):
        store.enrol(unit_rows(1), "m", "1", 0.9, "photo", source_detail=long, person_id=ann.id)
    with pytest.raises(FaceGateError, match="kiosk id is too long"):
        store.record_event(event(ann.id, T0, kiosk=long))
    with pytest.raises(FaceGateError, match="kiosk id is too long"):
        store.save_settings(dataclasses.replace(Settings(), kiosk_id=long))
    with pytest.raises(FaceGateError, match="actor is too long"):
        store.audit(long, "x")
    assert [p.name for p in store.list_people()] == ["Ann"] and store.events(*EVER) == []


def test_revision_moves_with_every_change_other_kiosks_must_see(store):
    seen = [store.revision()]
    ann = enrolled(store, "Ann")  # a new person and their templates: two changes
    store.deactivate(ann.id)
    store.save_settings(dataclasses.replace(Settings(), cooldown_s=30.0))
    revisions = [seen[0]]
    for change in (lambda: store.reactivate(ann.id), lambda: store.update_person(dataclasses.replace(ann, group="x"))):
        change()
        revisions.append(store.revision())
    assert revisions == sorted(set(revisions)) and revisions[1] >= seen[0] + 5
    before = store.revision()
    store.record_event(event(ann.id, T0))  # attendance is not a change kiosks reload for
    store.audit("kiosk", "something")
    assert store.revision() == before


def test_pin_back_off_doubles_after_three_wrong_tries_and_survives_a_restart(url):
    from core.store.pin import PinRefused, check_pin, wait_after

    assert [wait_after(n) for n in range(1, 7)] == [0, 0, 5, 10, 20, 40]
    with Store(url) as s:
        s.save_settings(dataclasses.replace(Settings(), admin_pin_hash=hash_pin("246813")))
        check_pin(s, "246813")
        for _ in range(2):
            with pytest.raises(PinRefused, match=r"^Wrong PIN\.$"):
                check_pin(s, "000000")
        with pytest.raises(PinRefused, match="try again in 5 s"):
            check_pin(s, "000000")
    with Store(url) as s:  # the app restarted: still locked, even for the right PIN
        with pytest.raises(PinRefused, match="too many wrong PINs"):
            check_pin(s, "246813")
        assert s.pin_state().failures == 3
        actions = [e.action for e in s.audit_log()]
        assert actions.count("wrong admin PIN") == 3 and actions.count("admin PIN refused") == 1
        s._run(lambda session: setattr(site_row(session), "pin_locked_until", None), write=True)  # time passes
        with pytest.raises(PinRefused, match="try again in 10 s"):
            check_pin(s, "111111")
        s._run(lambda session: setattr(site_row(session), "pin_locked_until", None), write=True)
        check_pin(s, "246813")
        assert s.pin_state().failures == 0


def test_database_urls_never_show_their_password_and_a_missing_driver_names_the_extra(tmp_path):
    with pytest.raises(StoreError) as failed:
        Store("postgresql://ann:s3cret-pw@/facegate?host=/nonexistent-socket-dir", connect_timeout_s=1)
    assert "s3cret-pw" not in str(failed.value) and "***" in str(failed.value)
    with pytest.raises(StoreError) as missing:
        Store("postgresql+psycopg2://ann:s3cret-pw@localhost/facegate")
    assert 'pip install -e ".[postgres]"' in str(missing.value) and "s3cret-pw" not in str(missing.value)
    with pytest.raises(StoreError) as bad:
        Store("not a url :s3cret-pw@")
    assert "s3cret-pw" not in str(bad.value)
