"""What a kiosk process does with the events its loop confirms: unlock actions run at once, each
in its own thread within a time limit, and never later (a door must not open minutes after the
face left); attendance and attack documents are already in the outbox, which the worker started
here delivers. Nothing here blocks the kiosk loop."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta

from core.actions.outbox import OutboxWorker
from core.actions.runners import TIMEOUT_S, ActionFailed, deliver
from core.errors import StoreError
from core.store import Action, Store
from core.store.actions import event_document
from core.store.schema import utc_now
from core.types import UNLOCK, Event

log = logging.getLogger(__name__)

TEST_NAME = "FaceGate test"


class EventActions:
    """on_problem(message) is told of each failed unlock action (from its thread), after the audit."""

    def __init__(
        self,
        store: Store,
        on_problem: Callable[[str], None] | None = None,
        timeout_s: float = TIMEOUT_S,
        outbox: OutboxWorker | None = None,
    ):
        self.store, self.on_problem, self.timeout_s = store, on_problem, timeout_s
        self.outbox = outbox or OutboxWorker(store, timeout_s)
        self._threads: list[threading.Thread] = []

    def start(self) -> EventActions:
        self.outbox.start()
        return self

    def stop(self) -> None:
        """Waits for the unlock actions under way (each ends within its time limit), then the worker."""
        for thread in self._threads:
            thread.join(self.timeout_s + 1)
        self.outbox.stop()

    def __enter__(self) -> EventActions:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def handle(self, events: Sequence[Event]) -> None:
        """The events of one KioskResult; returns at once."""
        self._threads = [t for t in self._threads if t.is_alive()]
        for event in events:
            if event.kind != UNLOCK:
                self.outbox.wake()
                continue
            thread = threading.Thread(target=self._unlock, args=(event,), name="facegate-unlock-action", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _unlock(self, event: Event) -> None:
        try:
            actions = [a for a in self.store.actions() if UNLOCK in a.kinds]
            person = self.store.get_person(event.person_id)
        except StoreError as exc:
            self._failed(f"unlock actions not run: {exc}")
            return
        body = event_document(event.uid, UNLOCK, event.time, event.kiosk_id, event.similarity, person, event.name)
        # Each in its own thread: a hanging relay command must not hold up the webhook beside it.
        threads = [threading.Thread(target=self._unlock_one, args=(a, body, event), daemon=True) for a in actions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _unlock_one(self, action: Action, body: str, event: Event) -> None:
        if utc_now() > event.time + timedelta(seconds=self.timeout_s):
            # Now or never: a door opening after the person has gone is worse than not at all.
            self._failed(f"unlock action {action.name}: not run, {self.timeout_s:g} s after the unlock")
            return
        try:
            deliver(action, body, self.timeout_s)
        except ActionFailed as exc:
            self._failed(f"unlock action {action.name} failed: {exc}")

    def _failed(self, message: str) -> None:
        log.warning("%s", message)
        try:
            self.store.audit("kiosk", "unlock action failed", message)
        except StoreError as exc:
            log.warning("could not audit a failed unlock action: %s", exc)
        if self.on_problem is not None:
            self.on_problem(message)


def test_action(store: Store, name: str, timeout_s: float = TIMEOUT_S) -> None:
    """Delivers a test document (person "FaceGate test", no person id) to the action now, once,
    whatever its kinds; audited. ActionFailed says why it did not arrive."""
    action = store.get_action(name)
    uid = uuid.uuid4().hex
    kiosk_id = store.load_settings().kiosk_id
    body = event_document(uid, action.kinds[0], utc_now(), kiosk_id, 1.0, None, TEST_NAME)
    try:
        deliver(action, body, timeout_s)
    except ActionFailed as exc:
        store.audit("admin", "test action", f"{name}: failed: {exc}")
        raise
    store.audit("admin", "test action", f"{name}: delivered")
