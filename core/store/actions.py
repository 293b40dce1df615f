"""Actions on events and their outbox: THE rules for what an action may be, the event document every
action gets, and the durable queue of documents waiting to be delivered.

Attendance and attack documents are queued in the transaction that stores their event (the
Store calls queue_event there), so an event is never stored without its deliveries, nor queued
without being stored. Unlock documents are never queued: a door must open now or not at all
(core/actions runs those at once).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import FaceGateError
from core.redact import redact_url
from core.store.engine import Database
from core.store.labels import clean_label
from core.store.records import Action, OutboxItem, Person
from core.store.schema import ACTION_NAME_LEN, DETAIL_LEN, ActionRow, OutboxRow, PersonRow, utc_now
from core.store.site import write_audit
from core.types import CHECK_IN, CHECK_OUT, UNLOCK

ATTACK = "attack"
KINDS = (CHECK_IN, CHECK_OUT, UNLOCK, ATTACK)
METHODS = ("run", "webhook", "mqtt")
_SCHEMES = {"webhook": ("http", "https"), "mqtt": ("mqtt", "mqtts")}


def parse_kinds(text: str) -> tuple[str, ...]:
    """'check-in,unlock' -> ('check-in', 'unlock'), in KINDS' order; FaceGateError names a wrong one."""
    asked = {word.strip().lower() for word in text.split(",") if word.strip()}
    wrong = sorted(asked - set(KINDS))
    if wrong or not asked:
        raise FaceGateError(f"event kinds are a comma list of {', '.join(KINDS)}; not {', '.join(wrong) or 'empty'}")
    return tuple(kind for kind in KINDS if kind in asked)


def make_action(
    name: str,
    kinds: str | tuple[str, ...],
    method: str,
    target: str,
    topic: str | None = None,
    secret_file: str | None = None,
) -> Action:
    """An Action checked as a person typed it; FaceGateError says what is wrong, without the secret."""
    name = clean_label(name, "action name")
    if not name or len(name) > ACTION_NAME_LEN:
        raise FaceGateError(f"an action needs a name of 1 to {ACTION_NAME_LEN} characters")
    kinds = parse_kinds(kinds) if isinstance(kinds, str) else parse_kinds(",".join(kinds))
    if method not in METHODS:
        raise FaceGateError(f"an action is one of {', '.join(METHODS)}, not {method!r}")
    target = target.strip()
    if not target:
        raise FaceGateError(f"the {method} action needs a {'command' if method == 'run' else 'URL'}")
    if method in _SCHEMES:
        parts = urlsplit(target)
        if parts.scheme not in _SCHEMES[method] or not parts.hostname:
            schemes = " or ".join(f"{s}://" for s in _SCHEMES[method])
            raise FaceGateError(f"the {method} URL {redact_url(target)} must start with {schemes} and name a host")
    if method == "mqtt":
        topic = (topic or "").strip()
        if not topic or len(topic) > DETAIL_LEN or any(c in topic for c in "#+"):
            raise FaceGateError("an MQTT action needs --topic: a plain topic such as facegate/door (no # or +)")
    elif topic:
        raise FaceGateError("only an MQTT action takes a topic")
    if secret_file and method != "webhook":
        raise FaceGateError("only a webhook takes a secret file")
    return Action(name, kinds, method, target, topic or None, secret_file or None)


def shown_target(action: Action) -> str:
    """The target as screens, logs and the audit show it: URLs without passwords or tokens."""
    return action.target if action.method == "run" else redact_url(action.target)


def event_document(
    uid: str,
    kind: str,
    time: datetime,
    kiosk_id: str,
    similarity: float,
    person: PersonRow | Person | None,
    name: str | None = None,
) -> str:
    """The one JSON document every action gets for an event; never a face image. person is None
    for an attack that looked like nobody enrolled (name: who it looked like, if anyone)."""
    return json.dumps(
        {
            "uid": uid,
            "kind": kind,
            "person_id": person.id if person else None,
            "name": person.name if person else name,
            "group": person.group if person else None,
            "external_id": person.external_id if person else None,
            "kiosk_id": kiosk_id,
            "time": time.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
            "similarity": round(float(similarity), 4),
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _action(row: ActionRow) -> Action:
    return Action(row.name, tuple(row.kinds.split(",")), row.method, row.target, row.topic, row.secret_file)


def queue_event(session: Session, uid: str, kind: str, body: str) -> None:
    """Queues body for every action on kind, in the caller's transaction. Never for unlock."""
    if kind == UNLOCK:
        return
    now = utc_now()
    for row in session.scalars(select(ActionRow)):
        if kind in row.kinds.split(","):
            session.add(OutboxRow(action_id=row.id, event_uid=uid, body=body, attempts=0, next_try=now, created_at=now))


class Actions(Database):
    def add_action(self, action: Action, *, actor: str = "admin") -> None:
        def work(s: Session) -> None:
            if s.scalar(select(func.count()).where(ActionRow.name == action.name)):
                raise FaceGateError(f"there is already an action called {action.name!r}: remove it first")
            s.add(
                ActionRow(
                    name=action.name,
                    kinds=",".join(action.kinds),
                    method=action.method,
                    target=action.target,
                    topic=action.topic,
                    secret_file=action.secret_file,
                    created_at=utc_now(),
                )
            )
            detail = f"{action.name}: {action.method} {shown_target(action)} on {', '.join(action.kinds)}"
            write_audit(s, actor, "add action", detail)

        self._run(work, write=True)

    def actions(self) -> list[Action]:
        return self._run(lambda s: [_action(r) for r in s.scalars(select(ActionRow).order_by(ActionRow.name))])

    def get_action(self, name: str) -> Action:
        found = [a for a in self.actions() if a.name == name]
        if not found:
            raise FaceGateError(f"there is no action called {name!r}: see facegate action list")
        return found[0]

    def remove_action(self, name: str, *, actor: str = "admin") -> None:
        """Its waiting deliveries go with it."""

        def work(s: Session) -> None:
            row = s.scalars(select(ActionRow).where(ActionRow.name == name)).one_or_none()
            if row is None:
                raise FaceGateError(f"there is no action called {name!r}: see facegate action list")
            s.delete(row)
            write_audit(s, actor, "remove action", name)

        self._run(work, write=True)

    def record_attack(
        self, kiosk_id: str, person_id: int | None, similarity: float, detail: str, *, actor: str = "kiosk"
    ) -> None:
        """Audits a refused photo or screen and queues its document for the attack actions, at once."""

        def work(s: Session) -> None:
            write_audit(s, actor, "presentation attack", detail)
            person = s.get(PersonRow, person_id) if person_id is not None else None
            uid = uuid.uuid4().hex
            queue_event(s, uid, ATTACK, event_document(uid, ATTACK, utc_now(), kiosk_id, similarity, person))

        self._run(work, write=True)

    def outbox_due(self, limit: int = 20, lease_s: float = 60.0) -> list[OutboxItem]:
        """Up to limit documents due now, oldest first, leased for lease_s: another process
        delivering the same outbox (kiosks sharing a database) skips them meanwhile."""

        def work(s: Session) -> list[OutboxItem]:
            now = utc_now()
            query = (
                select(OutboxRow, ActionRow)
                .join(ActionRow, ActionRow.id == OutboxRow.action_id)
                .where(OutboxRow.next_try <= now)
                .order_by(OutboxRow.id)
                .limit(limit)
            )
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=OutboxRow)
            items = []
            for row, action in s.execute(query):
                row.next_try = now + timedelta(seconds=lease_s)
                items.append(OutboxItem(row.id, _action(action), row.event_uid, row.body, row.attempts))
            return items

        return self._run(work, write=True)

    def outbox_delivered(self, item_id: int) -> None:
        self._run(lambda s: s.execute(delete(OutboxRow).where(OutboxRow.id == item_id)), write=True)

    def outbox_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        def work(s: Session) -> None:
            row = s.get(OutboxRow, item_id)
            if row is not None:  # its action may have been removed meanwhile
                row.attempts += 1
                row.last_error, row.next_try = error, retry_at

        self._run(work, write=True)

    def outbox_waiting(self) -> dict[str, int]:
        """Documents waiting per action name."""
        query = (
            select(ActionRow.name, func.count(OutboxRow.id))
            .join(OutboxRow, OutboxRow.action_id == ActionRow.id)
            .group_by(ActionRow.name)
        )
        return self._run(lambda s: {name: count for name, count in s.execute(query)})
