"""Action definitions and the outbox on SQLite and PostgreSQL: a stored attendance event queues its
document in the same transaction, once per uid; a cooldown drop queues nothing; unlock is never
queued; failures wait; removing an action drops its deliveries."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from core.errors import FaceGateError
from core.store import CheckinRule, Store
from core.store.actions import make_action
from core.store.schema import utc_now
from core.types import CHECK_IN, UNLOCK, Event
from tests.store.test_store import enrolled

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def shop(any_db_url):
    with Store(any_db_url) as store:
        person = enrolled(store, "Ann Lee", external_id="E7", group="staff")
        store.add_action(
            make_action("hook", "check-in,check-out", "webhook", "https://user:pw@example.org/h?token=t0k")
        )
        store.add_action(make_action("door", "unlock", "run", "true"))
        yield store, person


def test_a_stored_check_in_is_queued_once_and_delivered(shop):
    store, person = shop
    sighting = Event(person.id, None, NOON, CHECK_IN, 0.81234, "front")
    assert store.record_attendance(sighting, CheckinRule(cooldown_s=60)).stored is not None
    assert (
        store.record_attendance(sighting, CheckinRule(cooldown_s=60)).stored is not None
    )  # a spooled resend: same uid
    store.record_attendance(
        Event(person.id, None, NOON + timedelta(seconds=5), CHECK_IN, 0.8, "front"), CheckinRule(60)
    )
    store.record_event(Event(person.id, "Ann Lee", NOON, UNLOCK, 0.9, "front"))
    assert store.outbox_waiting() == {"hook": 1}
    (item,) = store.outbox_due()
    document = json.loads(item.body)
    assert document == {
        "uid": sighting.uid,
        "kind": CHECK_IN,
        "person_id": person.id,
        "name": "Ann Lee",
        "group": "staff",
        "external_id": "E7",
        "kiosk_id": "front",
        "time": "2026-03-02T12:00:00Z",
        "similarity": 0.8123,
    }
    assert store.outbox_due() == []  # leased to the one who took it
    store.outbox_failed(item.id, "the webhook answered HTTP 500", utc_now() - timedelta(seconds=1))
    (again,) = store.outbox_due()
    assert again.attempts == 1 and again.event_uid == sighting.uid
    store.outbox_delivered(again.id)
    assert store.outbox_waiting() == {}


def test_actions_are_listed_audited_without_secrets_and_removed_with_their_deliveries(shop):
    store, person = shop
    assert [a.name for a in store.actions()] == ["door", "hook"]
    with pytest.raises(FaceGateError, match="already"):
        store.add_action(make_action("hook", "attack", "run", "true"))
    store.record_attendance(Event(person.id, None, NOON, CHECK_IN, 0.8, "front"), CheckinRule(60))
    store.remove_action("hook")
    assert store.outbox_waiting() == {} and [a.name for a in store.actions()] == ["door"]
    audit = " ".join(f"{a.action} {a.detail}" for a in store.audit_log())
    assert "add action" in audit and "remove action hook" in audit
    assert "pw" not in audit and "t0k" not in audit


def test_an_attack_is_audited_and_queued_in_one_step(shop):
    store, person = shop
    store.add_action(make_action("alarm", "attack", "run", "true"))
    store.record_attack("front", person.id, 0.7, "photo or screen refused: looked like Ann Lee")
    store.record_attack("front", None, 0.2, "photo or screen refused: looked like an unknown face")
    bodies = [json.loads(item.body) for item in store.outbox_due()]
    assert [(b["kind"], b["person_id"]) for b in bodies] == [("attack", person.id), ("attack", None)]
    assert len([a for a in store.audit_log() if a.action == "presentation attack"]) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (("x", "check-in,lunch", "run", "true"), "lunch"),
        (("x", "check-in", "webhook", "ftp://h/x"), "http"),
        (("x", "check-in", "mqtt", "mqtt://h"), "topic"),
        (("x", "check-in", "run", "true", "t"), "topic"),
        (("x", "check-in", "run", "true", None, "/f"), "secret"),
        (("x", "check-in", "webhook", "https://:hunter2@"), "host"),
    ],
)
def test_a_wrong_action_is_refused_with_a_reason(args, message):
    with pytest.raises(FaceGateError, match=message) as caught:
        make_action(*args)
    assert "hunter2" not in str(caught.value)
