"""The admin area: one tab per job, each scrolling when the screen is small, entered through the PIN dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

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
from desktop_app.gui.admin.system_page import SystemPage
from desktop_app.gui.worker import FrameResult, FrameWorker


def scrolling(page: QWidget) -> QScrollArea:
    """The page at the width it is given, scrolling up and down when the screen is shorter than it."""
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


class AdminPanel(QTabWidget):
    gallery_changed = Signal()
    settings_saved = Signal(object)
    camera_chosen = Signal(str)

    def __init__(
        self, store: Store, enroller: Enroller, worker: FrameWorker, models: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        embedder = enroller.pipeline.embedder
        self.enrol = EnrolPage(store, enroller, worker)
        self.people = PeoplePage(store, embedder, enroller.pipeline.verifier, enroller=enroller)
        self.attendance = AttendancePage(store)
        self.settings = SettingsPage(store, embedder, worker)
        self.reports, self.audit = ReportsPage(store), AuditPage(store)
        self.backup = BackupPage(store)
        self.event_actions = ActionsPage(store)
        self.system = SystemPage(store, embedder, models)
        self.pages: dict[QWidget, QScrollArea] = {}
        for page, title in (
            (self.enrol, self.tr("Enrol")),
            (self.people, self.tr("People")),
            (self.attendance, self.tr("Attendance")),
            (self.reports, self.tr("Reports")),
            (self.audit, self.tr("Audit")),
            (self.event_actions, self.tr("Actions")),
            (self.settings, self.tr("Settings")),
            (self.backup, self.tr("Backup")),
            (self.system, self.tr("System")),
        ):
            self.pages[page] = scrolling(page)
            self.addTab(self.pages[page], title)
        self.backup.restored.connect(self.gallery_changed)
        self.enrol.enrolled.connect(self.gallery_changed)
        self.people.changed.connect(self.gallery_changed)
        self.gallery_changed.connect(self.system.refresh)
        self.people.reenrol.connect(self._reenrol)
        self.settings.saved.connect(self.settings_saved)
        self.settings.camera_chosen.connect(self.camera_chosen)
        self.currentChanged.connect(self.refresh)

    def currentWidget(self) -> QWidget:
        """The page shown (not the scroll area around it)."""
        area = super().currentWidget()
        assert isinstance(area, QScrollArea)  # every tab is a page in its scroll area
        page = area.widget()
        assert page is not None
        return page

    def setCurrentWidget(self, page: QWidget) -> None:
        super().setCurrentWidget(self.pages[page])

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
        elif page is self.system:
            self.system.refresh()

    def leave(self) -> None:
        self.enrol.reset()

    def show_result(self, result: FrameResult) -> None:
        if self.currentWidget() is self.enrol:
            self.enrol.show_result(result)

    def _reenrol(self, person: Person) -> None:
        self.enrol.prefill(person)
        self.setCurrentWidget(self.enrol)
