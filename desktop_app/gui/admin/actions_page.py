"""Actions on events: the list (with deliveries still waiting), and adding, removing and testing
one. The rules for what an action may be are core.store.actions'; this page only collects them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP
from core.store import Action, Store
from core.store.actions import KINDS, make_action, shown_target
from desktop_app.gui.admin.kind_names import event_name
from desktop_app.gui.admin.record_table import Column, RecordFilter, RecordTableModel, record_view
from desktop_app.gui.plain import ask, plain_label

TARGET_HINTS = {
    "run": QT_TRANSLATE_NOOP("ActionsPage", "shell command, e.g. usbrelay HURTM_1=1"),
    "webhook": QT_TRANSLATE_NOOP("ActionsPage", "https://host/path"),
    "mqtt": QT_TRANSLATE_NOOP("ActionsPage", "mqtt://user:password@host:1883"),
}
# The methods as the list names them (core.store.actions.METHODS stores the English word).
METHOD_NAMES = {
    "run": QT_TRANSLATE_NOOP("ActionsPage", "run"),
    "webhook": QT_TRANSLATE_NOOP("ActionsPage", "webhook"),
    "mqtt": QT_TRANSLATE_NOOP("ActionsPage", "mqtt"),
}


class ActionsPage(QWidget):
    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self._waiting: dict[str, int] = {}
        columns: tuple[Column[Action], ...] = (
            Column(QT_TRANSLATE_NOOP("RecordTable", "Name"), lambda a: a.name, searched=True),
            Column(QT_TRANSLATE_NOOP("RecordTable", "Events"), lambda a: ", ".join(event_name(k) for k in a.kinds)),
            Column(
                QT_TRANSLATE_NOOP("RecordTable", "Method"),
                lambda a: self.tr("{method} (signed)").format(method=a.method) if a.secret_file else a.method,
            ),
            Column(
                QT_TRANSLATE_NOOP("RecordTable", "Target"),
                lambda a: (
                    self.tr("{target}  topic {topic}").format(target=shown_target(a), topic=a.topic)
                    if a.topic
                    else shown_target(a)
                ),
            ),
            Column(
                QT_TRANSLATE_NOOP("RecordTable", "Waiting"),
                lambda a: str(self._waiting.get(a.name, 0)),
                sort_key=lambda a: self._waiting.get(a.name, 0),
            ),
        )
        self.model = RecordTableModel(columns)
        self.proxy = RecordFilter(self.model)
        self.table = record_view(self.proxy)
        self.name = QLineEdit(placeholderText=self.tr("e.g. front door"))
        self.kinds = {kind: QCheckBox(event_name(kind)) for kind in KINDS}
        self.method = QComboBox()
        for method in TARGET_HINTS:
            self.method.addItem(QCoreApplication.translate("ActionsPage", METHOD_NAMES[method]), method)
        self.target = QLineEdit()
        self.topic = QLineEdit(placeholderText=self.tr("MQTT only, e.g. facegate/door"))
        self.secret_file = QLineEdit(placeholderText=self.tr("webhook only: a file of mode 0600 holding the secret"))
        self.add_button, self.remove_button, self.test_button = (
            QPushButton(self.tr("Add")),
            QPushButton(self.tr("Remove")),
            QPushButton(self.tr("Send a test event")),
        )
        self.status = plain_label(wordWrap=True)
        kinds_row = QHBoxLayout()
        for box in self.kinds.values():
            kinds_row.addWidget(box)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("On"), kinds_row)
        form.addRow(self.tr("Method"), self.method)
        form.addRow(self.tr("Target"), self.target)
        form.addRow(self.tr("Topic"), self.topic)
        form.addRow(self.tr("Secret file"), self.secret_file)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.test_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.method.currentIndexChanged.connect(self._show_hint)
        self._show_hint()
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.test_button.clicked.connect(self.test)

    def _show_hint(self) -> None:
        hint = TARGET_HINTS[self.method.currentData()]
        self.target.setPlaceholderText(QCoreApplication.translate("ActionsPage", hint))

    def refresh(self) -> None:
        try:
            self._waiting = self.store.outbox_waiting()
            self.model.set_records(self.store.actions())
        except FaceGateError as exc:
            self.status.setText(str(exc))

    def selected(self) -> Action | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.record_at(rows[0]) if rows else None

    def add(self) -> None:
        from core.actions.secret import read_secret

        try:
            kinds = tuple(kind for kind, box in self.kinds.items() if box.isChecked())
            action = make_action(
                self.name.text(),
                kinds,
                self.method.currentData(),
                self.target.text(),
                self.topic.text() or None,
                self.secret_file.text().strip() or None,
            )
            if action.secret_file:
                read_secret(action.secret_file)  # refused now, not at the first event
            self.store.add_action(action)
        except FaceGateError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(self.tr("Added {name}.").format(name=action.name))
        for edit in (self.name, self.target, self.topic, self.secret_file):
            edit.clear()
        self.refresh()
        self.changed.emit()

    def remove(self) -> None:
        action = self.selected()
        if action is None:
            self.status.setText(self.tr("Choose an action in the list first."))
            return
        if not ask(
            self,
            self.tr("Remove action"),
            self.tr("Remove {name} and the deliveries still waiting for it?").format(name=action.name),
        ):
            return
        try:
            self.store.remove_action(action.name)
        except FaceGateError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(self.tr("Removed {name}.").format(name=action.name))
        self.refresh()
        self.changed.emit()

    def test(self) -> None:
        from core.actions.hub import test_action

        action = self.selected()
        if action is None:
            self.status.setText(self.tr("Choose an action in the list first."))
            return
        try:
            test_action(self.store, action.name)
        except FaceGateError as exc:
            self.status.setText(self.tr("{name}: not delivered: {problem}").format(name=action.name, problem=exc))
            return
        self.status.setText(self.tr("{name}: test event delivered.").format(name=action.name))
