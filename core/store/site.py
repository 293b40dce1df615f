"""What every kiosk of a site shares besides people and events: the settings, the audit log, the
revision kiosks poll to reload, and the admin PIN's back-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.settings import Settings
from core.store.engine import Database
from core.store.labels import check_length
from core.store.records import AuditEntry, PinState
from core.store.schema import ACTION_LEN, ACTOR_LEN, KIOSK_LEN, AuditRow, SettingRow, SiteRow, TemplateRow, utc_now


def site_row(session: Session, lock: bool = False) -> SiteRow:
    query = select(SiteRow).where(SiteRow.id == 1)
    return session.scalars(query.with_for_update() if lock else query).one()


def write_audit(session: Session, actor: str, action: str, detail: str) -> None:
    check_length("actor", actor, ACTOR_LEN)
    check_length("audit action", action, ACTION_LEN)
    session.add(AuditRow(time=utc_now(), actor=actor, action=action, detail=detail))


def note_change(session: Session, actor: str, action: str, detail: str) -> None:
    """Audits a change to people, templates or settings and tells the other kiosks (revision)."""
    write_audit(session, actor, action, detail)
    session.execute(update(SiteRow).where(SiteRow.id == 1).values(revision=SiteRow.revision + 1))


class Site(Database):
    def revision(self) -> int:
        """Changes whenever people, templates or settings change, on any kiosk of the site."""
        return self._run(lambda s: s.scalar(select(SiteRow.revision).where(SiteRow.id == 1)) or 0)

    def load_settings(self) -> Settings:
        return Settings.from_items(self._run(lambda s: dict(s.execute(select(SettingRow.key, SettingRow.value)).all())))

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

    def pin_result(self, ok: bool, wait_s: Callable[[int], float], *, actor: str = "kiosk") -> PinState:
        """Records one PIN try (a failure is audited); wait_s(failures in a row) is how long the next
        try is refused. Stored in the database, so a restart does not reset the back-off."""

        def work(s: Session) -> PinState:
            site = site_row(s, lock=True)
            if ok:
                site.pin_failures, site.pin_locked_until = 0, None
            else:
                site.pin_failures += 1
                wait = wait_s(site.pin_failures)
                site.pin_locked_until = utc_now() + timedelta(seconds=wait) if wait > 0 else None
                write_audit(s, actor, "wrong admin PIN", f"{site.pin_failures} in a row")
            return PinState(site.pin_failures, site.pin_locked_until)

        return self._run(work, write=True)
