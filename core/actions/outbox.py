"""The outbox worker: delivers the attendance and attack documents the Store queued, in its own
thread, at least once. A failed delivery waits, doubling each time (back-off), and stays in the
database meanwhile, so a restart or a receiver down for hours loses nothing; receivers drop a
document they saw twice by its uid."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from core.actions.runners import TIMEOUT_S, ActionFailed, deliver
from core.errors import StoreError
from core.store import Store
from core.store.schema import utc_now

log = logging.getLogger(__name__)

FIRST_RETRY_S, MAX_RETRY_S = 2.0, 300.0
# How often the worker looks for documents queued by another process (kiosks sharing a database).
POLL_S = 5.0


class OutboxWorker:
    def __init__(
        self,
        store: Store,
        timeout_s: float = TIMEOUT_S,
        first_retry_s: float = FIRST_RETRY_S,
        max_retry_s: float = MAX_RETRY_S,
        poll_s: float = POLL_S,
    ):
        self.store = store
        self.timeout_s, self.first_retry_s, self.max_retry_s, self.poll_s = (
            timeout_s,
            first_retry_s,
            max_retry_s,
            poll_s,
        )
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def retry_in(self, attempts: int) -> float:
        """Seconds before the next try of a document that failed attempts times (this one included)."""
        return min(self.first_retry_s * 2 ** max(attempts - 1, 0), self.max_retry_s)

    def deliver_due(self) -> int:
        """Delivers what is due now; the number delivered."""
        delivered = 0
        # Leased for longer than one delivery can take, so a second process skips them meanwhile.
        for item in self.store.outbox_due(lease_s=self.timeout_s * 4 + 10):
            try:
                deliver(item.action, item.body, self.timeout_s)
            except ActionFailed as exc:
                wait = self.retry_in(item.attempts + 1)
                log.warning("action %s: %s; next try in %.0f s", item.action.name, exc, wait)
                self.store.outbox_failed(item.id, str(exc), utc_now() + timedelta(seconds=wait))
                continue
            self.store.outbox_delivered(item.id)
            delivered += 1
        return delivered

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="facegate-outbox", daemon=True)
            self._thread.start()

    def stop(self, wait_s: float | None = None) -> None:
        """What is due gets one more try first (`checkin --once` delivers its check-in before it
        exits), for about one time limit; whatever is left waits in the outbox for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(wait_s if wait_s is not None else self.timeout_s + 1)

    def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                busy = self.deliver_due() > 0
            except StoreError as exc:
                # The database is away: the documents wait in it, and so do we.
                log.warning("outbox: %s", exc)
                busy = False
            if self._stop.is_set():
                return
            if not busy:
                self._wake.wait(self.poll_s)
