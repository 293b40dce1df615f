"""What every kiosk of a site shares besides people and events: the settings, the audit log, the
revision kiosks poll to reload, and the admin PIN's back-off."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.errors import StoreError
from core.settings import Settings
from core.store.engine import DAMAGED, Database, safe_url
from core.store.labels import check_length
from core.store.records import AuditEntry, PinState
from core.store.schema import ACTION_LEN, ACTOR_LEN, KIOSK_LEN, AuditRow, SettingRow, SiteRow, TemplateRow, utc_now


def site_row(session: Session, lock: bool = False) -> SiteRow:
    query = select(SiteRow).where(SiteRow.id == 1)
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:  # every migrated database has it: someone deleted it outside FaceGate
        url = session.get_bind().engine.url
        raise StoreError(f"the database {url.database or safe_url(str(url))} {DAMAGED} (its site row is missing)")
    return row


def write_audit(session: Session, actor: str, action: str, detail: str) -> None:
    check_length("actor", actor, ACTOR_LEN)
    check_length("audit action", action, ACTION_LEN)
    session.add(AuditRow(time=utc_now(), actor=actor, action=action, detail=detail))


def note_change(session: Session, actor: str, action: str, detail: str) -> None:
    """Audits a change to people, templates or settings and tells the other kiosks (revision)."""
    write_audit(session, actor, action, detail)
    session.execute(update(SiteRow).where(SiteRow.id == 1).values(revision=SiteRow.revision + 1))


def _settings(session: Session) -> Settings:
    return Settings.from_items(dict(session.execute(select(SettingRow.key, SettingRow.value)).all()))


class Site(Database):
    def revision(self) -> int:
        """Changes whenever people, templates or settings change, on any kiosk of the site."""
        return self._run(lambda s: s.scalar(select(SiteRow.revision).where(SiteRow.id == 1)) or 0)

    def load_settings(self) -> Settings:
        return self._run(_settings)

    def save_settings(self, settings: Settings, *, actor: str = "admin") -> None:
        """Turning keep_face_crops off also erases the crops already kept."""
        check_length("kiosk id", settings.kiosk_id, KIOSK_LEN)
        items = settings.to_items()

        def work(s: Session) -> None:
            stored = dict(s.execute(select(SettingRow.key, SettingRow.value)).all())
            changed = [key for key, value in items.items() if stored.get(key) != value]
            for key in changed:
                s.merge(SettingRow(key=key, value=items[key]))
            if changed:
                # Keys only: the log must not carry the PIN hash.
                note_change(s, actor, "change settings", ", ".join(changed))
            if not settings.keep_face_crops:
                erased = s.scalar(select(func.count()).where(TemplateRow.crop_jpeg.is_not(None)))
                s.execute(update(TemplateRow).where(TemplateRow.crop_jpeg.is_not(None)).values(crop_jpeg=None))
                if erased:
                    write_audit(s, actor, "erase face crops", f"{erased} crops")

        self._run(work, write=True)

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        self._run(lambda s: write_audit(s, actor, action, detail), write=True)

    def audit_log(self, limit: int | None = None) -> list[AuditEntry]:
        """Newest first: the read side of the audit log, for the admins' view of it (and the tests)."""
        query = select(AuditRow).order_by(AuditRow.time.desc(), AuditRow.id.desc()).limit(limit)
        return self._run(lambda s: [AuditEntry(r.time, r.actor, r.action, r.detail) for r in s.scalars(query)])

    def pin_state(self) -> PinState:
        def work(s: Session) -> PinState:
            site = site_row(s)
            return PinState(site.pin_failures, site.pin_locked_until)

        return self._run(work)

    def reset_pin(self, pin_hash: str, *, actor: str) -> None:
        """A new admin PIN for an owner who forgot the old one (`facegate admin reset-pin`, which
        proves access to the face-data key first): the back-off from wrong tries ends with it."""

        def work(s: Session) -> None:
            site = site_row(s, lock=True)
            site.pin_failures, site.pin_locked_until = 0, None
            s.merge(SettingRow(key="admin_pin_hash", value=json.dumps(pin_hash)))
            # The action only: neither the PIN nor its hash reaches the log.
            note_change(s, actor, "reset admin PIN", "with the face-data key file")

        self._run(work, write=True)

    def pin_try(
        self, verify: Callable[[str | None], bool], wait_s: Callable[[int], float], *, actor: str = "kiosk"
    ) -> tuple[bool | None, PinState]:
        """One PIN try as one atomic step, so parallel guesses are counted one by one: under the
        site row's lock, the back-off is read, the try is counted as a failure and written (a
        database where that cannot be written raises here, before verify runs), then verify(the
        stored hash) decides. Returns (None while the back-off runs, True when right or no PIN is
        set, False when wrong; the state after the try). wait_s(failures in a row) is how long the
        next try is refused; a failure is audited."""

        def work(s: Session) -> tuple[bool | None, PinState]:
            site = site_row(s, lock=True)
            pin_hash = _settings(s).admin_pin_hash
            if pin_hash is None:
                return True, PinState(site.pin_failures, site.pin_locked_until)
            left = (site.pin_locked_until - utc_now()).total_seconds() if site.pin_locked_until else 0
            if left > 0:
                write_audit(s, actor, "admin PIN refused", f"back-off: {math.ceil(left)} s left")
                return None, PinState(site.pin_failures, site.pin_locked_until)
            site.pin_failures += 1
            wait = wait_s(site.pin_failures)
            site.pin_locked_until = utc_now() + timedelta(seconds=wait) if wait > 0 else None
            s.flush()
            if verify(pin_hash):
                site.pin_failures, site.pin_locked_until = 0, None
                return True, PinState(site.pin_failures, site.pin_locked_until)
            write_audit(s, actor, "wrong admin PIN", f"{site.pin_failures} in a row")
            return False, PinState(site.pin_failures, site.pin_locked_until)

        return self._run(work, write=True)
