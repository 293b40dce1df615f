"""Admin → Backup: `facegate backup` and `facegate restore` (core/store/backup.py) from the app."""

from __future__ import annotations

from datetime import datetime

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
from desktop_app.gui.locale_format import datetime_text
from desktop_app.gui.plain import plain_label
from desktop_app.gui.tasks import run_task
from desktop_app.i18n import problem_text


def _when(created: str) -> str:
    """A backup's ISO 8601 time in the locale's format; as written where it does not parse."""
    try:
        return datetime_text(datetime.fromisoformat(created))
    except ValueError:
        return created


def _secret() -> QLineEdit:
    return QLineEdit(echoMode=QLineEdit.EchoMode.Password)


class BackupPage(QWidget):
    restored = Signal()  # the database was replaced: everything shown or loaded from it is out of date

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.backup_file = QLineEdit(placeholderText="site.fgbackup")
        self.with_key = QCheckBox(self.tr("Include the face-data key, sealed under a passphrase"))
        self.passphrase, self.passphrase_again = _secret(), _secret()
        self.backup_button = QPushButton(self.tr("Back up now"))
        self.backup_button.clicked.connect(self.back_up)
        self.restore_file = QLineEdit(placeholderText=self.tr("a backup file"))
        self.restore_passphrase = _secret()
        self.replace = QCheckBox(self.tr("Replace the current database (everything since the backup is lost)"))
        self.restore_button = QPushButton(self.tr("Restore…"))
        self.restore_button.clicked.connect(self.restore)
        self.message = plain_label(wordWrap=True)

        choose_out, choose_in = QPushButton(self.tr("Browse…")), QPushButton(self.tr("Browse…"))
        choose_out.clicked.connect(self._choose_out)
        choose_in.clicked.connect(self._choose_in)
        making = QGroupBox(self.tr("Back up"))
        form = QFormLayout(making)
        form.addRow(self.tr("File:"), path_row(self.backup_file, choose_out))
        form.addRow(self.with_key)
        form.addRow(self.tr("Passphrase:"), self.passphrase)
        form.addRow(self.tr("Passphrase again:"), self.passphrase_again)
        form.addRow(self.backup_button)
        putting_back = QGroupBox(self.tr("Restore"))
        form = QFormLayout(putting_back)
        form.addRow(self.tr("File:"), path_row(self.restore_file, choose_in))
        form.addRow(self.tr("Passphrase (if it holds the key):"), self.restore_passphrase)
        form.addRow(self.replace)
        form.addRow(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(making)
        layout.addWidget(putting_back)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def _choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Back up to"), "site.fgbackup")
        if path:
            self.backup_file.setText(path)

    def _choose_in(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Restore from"))
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
            self.message.setText(self.tr("⚠ Choose the file to write first."))
            return
        secret = None
        if self.with_key.isChecked():
            secret = self.passphrase.text()
            if not secret or secret != self.passphrase_again.text():
                self.message.setText(self.tr("⚠ Type the same passphrase twice: it seals the key."))
                return
        self._busy(self.tr("Backing up…"))
        run_task(lambda: make_backup(self.store, out, secret), lambda _m: self._backed_up(out, secret), self._failed)

    def _backed_up(self, out: str, secret: str | None) -> None:
        self.passphrase.clear()
        self.passphrase_again.clear()
        done = (
            self.tr("Wrote {file}. The face-data key is inside, sealed under the passphrase.")
            if secret
            else self.tr("Wrote {file}. The face-data key is not inside: keep {key} safe apart.")
        )
        self._idle(done.format(file=out, key=key_path()))

    def restore(self) -> None:
        source = self.restore_file.text().strip()
        if not source:
            self.message.setText(self.tr("⚠ Choose the backup file first."))
            return
        if not self.replace.isChecked():
            self.message.setText(self.tr("⚠ Restoring replaces the current database: tick the box to confirm."))
            return
        secret = self.restore_passphrase.text()
        self._busy(self.tr("Restoring…"))
        # The app's own connections let go of the file first; the Store opens new ones on the restored one.
        self.store.close()
        run_task(lambda: restore(source, lambda: secret, url=self.store.url, force=True), self._restored, self._failed)

    def _restored(self, done: Restored) -> None:
        self.restore_passphrase.clear()
        self.replace.setChecked(False)
        restored = (
            self.tr("Restored the backup of {created} (schema {schema}, migrated from {old}).")
            if done.schema_from != done.schema_to
            else self.tr("Restored the backup of {created} (schema {schema}).")
        )
        self._idle(restored.format(created=_when(done.created), schema=done.schema_to, old=done.schema_from))

        self.restored.emit()

    def _failed(self, message: str) -> None:
        self.restore_passphrase.clear()
        self._idle(problem_text(message))
