"""The admin area: one tab per job, entered through the PIN dialog."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from core.enrol.enroller import Enroller
from core.store import Person, Store
from desktop_app.gui.admin.actions_page import ActionsPage
from desktop_app.gui.admin.attendance_page import AttendancePage
from desktop_app.gui.admin.audit_page import AuditPage
from desktop_app.gui.admin.backup_page import BackupPage
from desktop_app.gui.admin.enrol_page import EnrolPage
from desktop_app.gui.admin.people_page import PeoplePage
from desktop_app.gui.admin.reports_page import ReportsPage
from desktop_app.gui.admin.settings_page import SettingsPage
from desktop_app.gui.worker import FrameResult, FrameWorker, PreviewFrame


class AdminPanel(QTabWidget):
    gallery_changed = Signal()
    settings_saved = Signal(object)
    camera_chosen = Signal(str)

    def __init__(self, store: Store, enroller: Enroller, worker: FrameWorker, parent: QWidget | None = None):
        super().__init__(parent)
        embedder = enroller.pipeline.embedder
        self.enrol = EnrolPage(store, enroller, worker)
        self.people = PeoplePage(store, embedder, enroller.pipeline.verifier, enroller=enroller)
        self.attendance = AttendancePage(store)
        self.settings = SettingsPage(store, embedder, worker)
        self.reports, self.audit = ReportsPage(store), AuditPage(store)
        self.addTab(self.enrol, "Enrol")
        self.addTab(self.people, "People")
        self.addTab(self.attendance, "Attendance")
        self.addTab(self.reports, "Reports")
        self.addTab(self.settings, "Settings")
        self.addTab(self.audit, "Audit")
        self.backup = BackupPage(store)
        self.addTab(self.backup, "Backup")
        self.backup.restored.connect(self.gallery_changed)
        self.event_actions = ActionsPage(store)
        self.addTab(self.event_actions, "Actions")
        self.enrol.enrolled.connect(self.gallery_changed)
        self.people.changed.connect(self.gallery_changed)
        self.people.reenrol.connect(self._reenrol)
        self.settings.saved.connect(self.settings_saved)
        self.settings.camera_chosen.connect(self.camera_chosen)
        self.currentChanged.connect(self.refresh)

    def refresh(self) -> None:
        """Pages show what is in the Store now; another window or the CLI may have changed it."""
        page = self.currentWidget()
        if page is self.people:
            self.people.refresh()
        elif page is self.attendance:
            self.attendance.refresh_filters()
            self.attendance.refresh()
        elif page is self.settings:
            self.settings.refresh()
        elif page is self.reports:
            self.reports.refresh_filters()
            self.reports.refresh()
        elif page is self.audit:
            self.audit.refresh()
        elif page is self.event_actions:
            self.event_actions.refresh()

    def leave(self) -> None:
        self.enrol.reset()

    def show_result(self, result: FrameResult) -> None:
        # A kiosk result can still arrive from just before the switch to admin.
        if isinstance(result, PreviewFrame) and self.currentWidget() is self.enrol:
            self.enrol.show_result(result)

    def _reenrol(self, person: Person) -> None:
        self.enrol.prefill(person)
        self.setCurrentWidget(self.enrol)
