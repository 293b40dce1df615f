"""The enrolled people: search, edit, deactivate, delete, their templates, and templates for every
model in use made from the kept face crops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.enrol.enroller import Enroller
from core.enrol.upgrade import UpgradeResult, missing_templates, upgrade_templates
from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP
from core.store import Person, PersonFacts, Store
from core.vision.embed import FaceEmbedder
from desktop_app.gui.admin.people_io import ExportDialog, ImportDialog
from desktop_app.gui.admin.record_table import Column, RecordFilter, RecordTableModel, record_view
from desktop_app.gui.admin.templates_dialog import TemplatesDialog
from desktop_app.gui.locale_format import datetime_text
from desktop_app.gui.plain import ask, plain_label
from desktop_app.gui.tasks import run_task
from desktop_app.i18n import problem_text

THUMBNAIL_PX = 40


@dataclass(frozen=True)
class ListedPerson:
    """A row of the People table: the person, whether any of their templates came from another
    model, their templates of the model in use and last sighting (PersonFacts), and their face."""

    person: Person
    stale: bool
    facts: PersonFacts = PersonFacts(0, None)
    face: QPixmap | None = None


def _templates(p: ListedPerson) -> str:
    if not p.stale:
        return f"{p.facts.templates}"
    return QCoreApplication.translate("PeoplePage", "{count} · ⚠ made by a model not in use").format(
        count=p.facts.templates
    )


def _last_seen(p: ListedPerson) -> str:
    if p.facts.last_seen:
        return datetime_text(p.facts.last_seen)
    return QCoreApplication.translate("PeoplePage", "never")


def _status(p: ListedPerson) -> str:
    if p.person.active:
        return QCoreApplication.translate("PeoplePage", "active")
    return QCoreApplication.translate("PeoplePage", "deactivated")


def thumbnail(jpeg: bytes | None) -> QPixmap | None:
    """A kept face crop as the table draws it beside the name."""
    picture = QPixmap()
    if jpeg is None or not picture.loadFromData(jpeg, "JPG"):
        return None
    return picture.scaled(THUMBNAIL_PX, THUMBNAIL_PX, Qt.AspectRatioMode.KeepAspectRatio)


COLUMNS: tuple[Column[ListedPerson], ...] = (
    # The id the command line takes (facegate people, --person #7).
    Column(QT_TRANSLATE_NOOP("RecordTable", "Id"), lambda p: f"#{p.person.id}", sort_key=lambda p: p.person.id),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Name"), lambda p: p.person.name, searched=True, picture=lambda p: p.face),
    Column(QT_TRANSLATE_NOOP("RecordTable", "External id"), lambda p: p.person.external_id or "", searched=True),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Group"), lambda p: p.person.group or "", searched=True),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Status"), _status),
    # Of the model in use: how many faces they are enrolled with.
    Column(QT_TRANSLATE_NOOP("RecordTable", "Templates"), _templates, sort_key=lambda p: p.facts.templates),
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "Last seen"),
        _last_seen,
        sort_key=lambda p: p.facts.last_seen.timestamp() if p.facts.last_seen else float("-inf"),
    ),
)


class PersonDialog(QDialog):
    def __init__(self, person: Person, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit {name}").format(name=person.name))
        self.person = person
        self.name = QLineEdit(person.name)
        self.external_id = QLineEdit(person.external_id or "")
        self.group = QLineEdit(person.group or "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("External id:"), self.external_id)
        form.addRow(self.tr("Group:"), self.group)
        form.addRow(buttons)

    def edited(self) -> Person:
        return replace(self.person, name=self.name.text(), external_id=self.external_id.text(), group=self.group.text())


class PeoplePage(QWidget):
    changed = Signal()  # people or templates changed: the kiosk should reload
    reenrol = Signal(object)  # Person to take new photos or camera samples of
    progressed = Signal(int, int)  # faces embedded, of how many: emitted from the upgrade's thread

    def __init__(
        self,
        store: Store,
        embedder: FaceEmbedder,
        verifier: FaceEmbedder | None = None,
        parent: QWidget | None = None,
        enroller: Enroller | None = None,  # for Import… (none: no import button)
    ):
        super().__init__(parent)
        self.store = store
        self.enroller = enroller
        # The models in use: every kept face needs a template of each (core/enrol/upgrade.py).
        self.models = [m for m in (embedder, verifier) if m is not None]
        self.show_inactive = QCheckBox(self.tr("Show deactivated"))
        # Everyone, deactivated people too: searching and "Show deactivated" filter these, not the Store.
        self.model = RecordTableModel(COLUMNS, dimmed=lambda p: not p.person.active)
        self.proxy = RecordFilter(self.model, keep=lambda p: p.person.active or self.show_inactive.isChecked())
        self.search = QLineEdit(placeholderText=self.tr("Search name, external id or group"), clearButtonEnabled=True)
        self.search.setAccessibleName(self.tr("Search people"))
        self.search.textChanged.connect(self.proxy.search)
        self.show_inactive.toggled.connect(self.proxy.refilter)
        self.table = record_view(self.proxy)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by name, as `facegate people` lists them
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.doubleClicked.connect(self.edit)
        self.stale_note = plain_label(wordWrap=True)
        self.message = plain_label(wordWrap=True)
        self.recompute_button = QPushButton(self.tr("Make missing templates"))
        self.recompute_button.clicked.connect(self.recompute)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progressed.connect(self._progressed)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_inactive)
        actions = QHBoxLayout()
        for text, slot in (
            (self.tr("Edit…"), self.edit),
            (self.tr("Deactivate / reactivate"), self.toggle_active),
            (self.tr("Delete…"), self.delete),
            (self.tr("Re-enrol…"), self.start_reenrol),
            (self.tr("Templates…"), self.show_templates),
            *([(self.tr("Import…"), self.import_people)] if enroller else []),
            (self.tr("Export…"), self.export_people),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.recompute_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.stale_note)
        layout.addLayout(actions)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        """Reads the people and their templates' models from the Store again."""
        try:
            people = self.store.list_people(include_inactive=True)
            stale = self.store.stale_templates([m.model_id for m in self.models])
            missing, reenrol = missing_templates(self.store, self.models)
            facts = self.store.people_facts(self.models[0].model_id)
            faces = self.store.face_thumbnails()
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        stale_people = {t.person_id for t in stale}
        self.model.set_records(
            [
                ListedPerson(p, p.id in stale_people, facts.get(p.id, PersonFacts(0, None)), thumbnail(faces.get(p.id)))
                for p in people
            ]
        )
        self.recompute_button.setEnabled(missing > 0)
        notes = []
        if stale:
            notes.append(self.tr("%n template(s) were made by a model not in use.", "", len(stale)))
        if missing:
            notes.append(
                self.tr("%n kept face(s) lack a template of a model in use: make them from their crops.", "", missing)
            )
        if reenrol:
            notes.append(self.tr("Enrol again (no kept crop): {names}.").format(names=", ".join(reenrol)))
        self.stale_note.setText(" ".join(notes))

    def selected(self) -> Person | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.message.setText(self.tr("Select a person first."))
            return None
        return self.proxy.record_at(rows[0]).person

    def _apply(self, action: Callable[[], object], done: str) -> None:
        try:
            action()
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.message.setText(done)
        self.refresh()
        self.changed.emit()

    def edit(self, *_args: object) -> None:
        person = self.selected()
        if person is None:
            return
        dialog = PersonDialog(person, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            edited = dialog.edited()
            self._apply(lambda: self.store.update_person(edited), self.tr("Saved {name}.").format(name=edited.name))

    def toggle_active(self) -> None:
        person = self.selected()
        if person is None:
            return
        if person.active:
            self._apply(
                lambda: self.store.deactivate(person.id),
                self.tr("{name} is no longer recognised.").format(name=person.name),
            )
        else:
            self._apply(
                lambda: self.store.reactivate(person.id),
                self.tr("{name} is recognised again.").format(name=person.name),
            )

    def delete(self) -> None:
        person = self.selected()
        if person is None:
            return
        if ask(
            self,
            self.tr("Delete person"),
            self.tr(
                "Delete {name} with their face templates and all their attendance records?\n"
                "This cannot be undone; deactivate instead to keep the history."
            ).format(name=person.name),
        ):
            self._apply(
                lambda: self.store.delete_person(person.id), self.tr("Deleted {name}.").format(name=person.name)
            )

    def start_reenrol(self) -> None:
        person = self.selected()
        if person is not None:
            self.reenrol.emit(person)

    def show_templates(self) -> None:
        person = self.selected()
        if person is None:
            return
        dialog = TemplatesDialog(self.store, person, self)
        dialog.changed.connect(self.changed)
        dialog.exec()
        self.refresh()

    def import_people(self) -> None:
        assert self.enroller is not None  # the button is there only with one
        dialog = ImportDialog(self.enroller, self)
        dialog.imported.connect(self._imported)
        dialog.exec()

    def _imported(self, _count: int) -> None:
        self.refresh()
        self.changed.emit()

    def export_people(self) -> None:
        ExportDialog(self.store, self).exec()

    def recompute(self) -> None:
        self.recompute_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.message.setText(self.tr("Making templates from the kept face crops…"))
        models = list(self.models)
        run_task(lambda: upgrade_templates(self.store, models, self.progressed.emit), self._recomputed, self._failed)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _recomputed(self, result: UpgradeResult) -> None:
        self.progress.setVisible(False)
        made = (
            self.tr("Made %n template(s) from kept crops; enrol again (no kept crop): {names}.", "", result.made)
            if result.need_reenrol
            else self.tr("Made %n template(s) from kept crops.", "", result.made)
        )
        self.message.setText(made.format(names=", ".join(result.need_reenrol)))

        self.refresh()
        self.changed.emit()

    def _failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.message.setText(problem_text(message))
        self.refresh()
