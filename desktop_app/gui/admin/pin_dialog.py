"""The admin PIN: chosen on first use, asked for every time after; kept as a scrypt hash in Settings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from core.errors import FaceGateError
from core.store import Store
from core.store.pin import MIN_PIN_LENGTH, check_pin, hash_pin
from desktop_app.gui.plain import plain_label


class PinDialog(QDialog):
    """Sets a new PIN when none is stored (or when changing it), otherwise checks the one entered
    (wrong tries are audited and slowed down by core.store.pin's back-off)."""

    def __init__(self, store: Store, parent: QWidget | None = None, change: bool = False, purpose: str | None = None):
        super().__init__(parent)
        self.store = store
        self.setting = change or store.load_settings().admin_pin_hash is None
        self.setWindowTitle(self.tr("Choose the admin PIN") if self.setting else self.tr("Admin PIN"))
        self.pin = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.message = plain_label(wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form = QFormLayout(self)
        if self.setting:
            form.addRow(
                QLabel(
                    self.tr("Choose a PIN of at least {digits} digits to protect the admin area.").format(
                        digits=MIN_PIN_LENGTH
                    )
                )
            )
        elif purpose:
            form.addRow(QLabel(purpose))
        form.addRow(self.tr("PIN:"), self.pin)
        if self.setting:
            form.addRow(self.tr("Repeat:"), self.repeat)
        form.addRow(self.message)
        form.addRow(buttons)
        self.repeat.setVisible(self.setting)

    def submit(self) -> None:
        try:
            if self.setting:
                self._set_pin()
            else:
                check_pin(self.store, self.pin.text())
        except FaceGateError as exc:
            self._refuse(str(exc))
            return
        self.accept()

    def _set_pin(self) -> None:
        if self.pin.text() != self.repeat.text():
            raise FaceGateError(self.tr("The two PINs differ."))

        settings = self.store.load_settings()
        self.store.save_settings(replace(settings, admin_pin_hash=hash_pin(self.pin.text())))

    def _refuse(self, message: str) -> None:
        self.message.setText(message)
        self.pin.clear()
        self.repeat.clear()
        self.pin.setFocus()
