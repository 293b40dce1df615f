"""Admin → Backup: `facegate backup` and `facegate restore` (core/store/backup.py) from the app."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.paths import key_path
from core.store import Store
from core.store.backup import Restored, make_backup, restore
from desktop_app.gui.admin.path_row import path_row
from desktop_app.gui.plain import plain_label
from desktop_app.gui.tasks import run_task


def _secret() -> QLineEdit:
    return QLineEdit(echoMode=QLineEdit.EchoMode.Password)


class BackupPage(QWidget):
    restored = Signal()  # the database was replaced: everything shown or loaded from it is out of date

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.backup_file = QLineEdit(placeholderText="site.fgbackup")
        self.with_key = QCheckBox("Include the face-data key, sealed under a passphrase")
        self.passphrase, self.passphrase_again = _secret(), _secret()
        self.backup_button = QPushButton("Back up now")
        self.backup_button.clicked.connect(self.back_up)
        self.restore_file = QLineEdit(placeholderText="a backup file")
        self.restore_passphrase = _secret()
        self.replace = QCheckBox("Replace the current database (everything since the backup is lost)")
        self.restore_button = QPushButton("Restore…")
        self.restore_button.clicked.connect(self.restore)
        self.message = plain_label(wordWrap=True)

        choose_out, choose_in = QPushButton("Browse…"), QPushButton("Browse…")
        choose_out.clicked.connect(self._choose_out)
        choose_in.clicked.connect(self._choose_in)
        making = QGroupBox("Back up")
        form = QFormLayout(making)
        form.addRow("File:", path_row(self.backup_file, choose_out))
        form.addRow(self.with_key)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow("Passphrase again:", self.passphrase_again)
        form.addRow(self.backup_button)
        putting_back = QGroupBox("Restore")
        form = QFormLayout(putting_back)
        form.addRow("File:", path_row(self.restore_file, choose_in))
        form.addRow("Passphrase (if it holds the key):", self.restore_passphrase)
        form.addRow(self.replace)
        form.addRow(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(making)
        layout.addWidget(putting_back)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def _choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Back up to", "site.fgbackup")
        if path:
            self.backup_file.setText(path)

    def _choose_in(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Restore from")
        if path:
            self.restore_file.setText(path)

    def _busy(self, text: str) -> None:
        self.message.setText(text)
        self.backup_button.setEnabled(False)
        self.restore_button.setEnabled(False)

    def _idle(self, text: str) -> None:
        self.message.setText(text)
        self.backup_button.setEnabled(True)
        self.restore_button.setEnabled(True)

    def back_up(self) -> None:
        out = self.backup_file.text().strip()
        if not out:
            self.message.setText("⚠ Choose the file to write first.")
            return
        secret = None
        if self.with_key.isChecked():
            secret = self.passphrase.text()
            if not secret or secret != self.passphrase_again.text():
                self.message.setText("⚠ Type the same passphrase twice: it seals the key.")
                return
        self._busy("Backing up…")
        run_task(lambda: make_backup(self.store, out, secret), lambda _m: self._backed_up(out, secret), self._failed)

    def _backed_up(self, out: str, secret: str | None) -> None:
        self.passphrase.clear()
        self.passphrase_again.clear()
        where = "inside, sealed under the passphrase" if secret else f"not inside: keep {key_path()} safe apart"
        self._idle(f"Wrote {out}. The face-data key is {where}.")

    def restore(self) -> None:
        source = self.restore_file.text().strip()
        if not source:
            self.message.setText("⚠ Choose the backup file first.")
            return
        if not self.replace.isChecked():
            self.message.setText("⚠ Restoring replaces the current database: tick the box to confirm.")
            return
        secret = self.restore_passphrase.text()
        self._busy("Restoring…")
        # The app's own connections let go of the file first; the Store opens new ones on the restored one.
        self.store.close()
        run_task(lambda: restore(source, lambda: secret, url=self.store.url, force=True), self._restored, self._failed)

    def _restored(self, done: Restored) -> None:
        self.restore_passphrase.clear()
        self.replace.setChecked(False)
        migrated = f", migrated from {done.schema_from}" if done.schema_from != done.schema_to else ""
        self._idle(f"Restored the backup of {done.created} (schema {done.schema_to}{migrated}).")
        self.restored.emit()

    def _failed(self, message: str) -> None:
        self.restore_passphrase.clear()
        self._idle(f"⚠ {message}")
