"""Admin → People → Import…/Export… and Admin → Backup, driven offscreen as an admin would: the
import checks every row before Import can be pressed, the export writes the list, and a backup
taken from the page restores a deleted person."""

from __future__ import annotations

import csv
import json

from PySide6.QtWidgets import QPushButton

from core.enrol.enroller import Enroller
from desktop_app.gui.admin.backup_page import BackupPage
from desktop_app.gui.admin.people_io import ExportDialog, ImportDialog
from desktop_app.gui.admin.people_page import PeoplePage
from tests.conftest import SAMPLE_ENROLLED

TIMEOUT_MS = 60_000


def _csv(path, rows) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("name", "photo", "group"), *rows])
    return str(path)


def test_people_page_has_the_import_and_export_buttons(qtbot, store, pipeline):
    page = PeoplePage(store, pipeline.embedder, pipeline.verifier, enroller=Enroller(store, pipeline))
    qtbot.addWidget(page)
    texts = {b.text() for b in page.findChildren(QPushButton)}
    assert {"Import…", "Export…"} <= texts


def test_import_dialog_checks_every_row_then_enrols_them_all(qtbot, store, pipeline, sample_people, tmp_path):
    # Each person's photos are in a folder of their own under one root.
    folder = sample_people[SAMPLE_ENROLLED[0]].photos[0].parent.parent
    rows = [
        (name, ";".join(p.relative_to(folder).as_posix() for p in sample_people[name].photos), "staff")
        for name in SAMPLE_ENROLLED
    ]
    dialog = ImportDialog(Enroller(store, pipeline))
    qtbot.addWidget(dialog)
    imported = []
    dialog.imported.connect(imported.append)

    # One photo missing: the check names its row and Import stays off.
    dialog.file.setText(_csv(tmp_path / "bad.csv", [*rows, ("Nobody", "nobody.jpg", "")]))
    dialog.photos.setText(str(folder))
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=TIMEOUT_MS)
    assert dialog.message.text().startswith(
        "⚠ This did not work: 1 of 6 rows cannot be enrolled, so nothing was: row 7 (Nobody)"
    )
    assert not dialog.import_button.isEnabled() and store.list_people() == []
    assert dialog.progress.value() == 6 and len(dialog.report.toPlainText().splitlines()) == 6

    dialog.file.setText(_csv(tmp_path / "good.csv", rows))
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=TIMEOUT_MS)
    assert store.list_people() == []  # checking stores nothing
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS):
        dialog.import_button.click()
    assert imported == [len(rows)] and dialog.message.text() == f"Imported {len(rows)} people."
    assert sorted(p.name for p in store.list_people()) == sorted(SAMPLE_ENROLLED)


def test_export_dialog_writes_json_by_the_file_name(qtbot, store, pipeline, sample_people, tmp_path):
    tom = SAMPLE_ENROLLED[0]
    Enroller(store, pipeline).enrol_photos(tom, sample_people[tom].photos, group="staff")
    dialog = ExportDialog(store)
    qtbot.addWidget(dialog)
    out = tmp_path / "people.json"
    dialog.file.setText(str(out))
    assert dialog.format.currentText() == "json"
    dialog.save_button.click()
    assert dialog.message.text() == f"Wrote 1 person to {out}."
    (person,) = json.loads(out.read_text(encoding="utf-8"))
    assert person["name"] == tom and person["group"] == "staff" and len(person["photo"]) == 3


def test_backup_page_backs_up_and_restores_a_deleted_person(qtbot, store, pipeline, sample_people, tmp_path):
    enroller = Enroller(store, pipeline)
    for name in SAMPLE_ENROLLED[:2]:
        enroller.enrol_photos(name, sample_people[name].photos)
    page = BackupPage(store)
    qtbot.addWidget(page)
    archive = tmp_path / "site.fgbackup"
    page.backup_file.setText(str(archive))
    page.with_key.setChecked(True)
    page.passphrase.setText("a passphrase")
    page.passphrase_again.setText("another")
    page.back_up()
    assert page.message.text() == "⚠ Type the same passphrase twice: it seals the key." and not archive.exists()
    page.passphrase_again.setText("a passphrase")
    page.back_up()
    qtbot.waitUntil(lambda: page.backup_button.isEnabled(), timeout=TIMEOUT_MS)
    assert page.message.text().startswith(f"Wrote {archive}.") and archive.is_file()
    assert page.passphrase.text() == ""  # not kept on screen

    store.delete_person(store.find_person_by_name(SAMPLE_ENROLLED[0]).id)
    page.restore_file.setText(str(archive))
    page.restore()
    assert "tick the box to confirm" in page.message.text()
    page.replace.setChecked(True)
    page.restore_passphrase.setText("wrong")
    page.restore()
    qtbot.waitUntil(lambda: page.restore_button.isEnabled(), timeout=TIMEOUT_MS)
    assert "the passphrase does not open the key" in page.message.text()
    assert [p.name for p in store.list_people()] == [SAMPLE_ENROLLED[1]]
    page.restore_passphrase.setText("a passphrase")
    with qtbot.waitSignal(page.restored, timeout=TIMEOUT_MS):
        page.restore()
    assert page.message.text().startswith("Restored the backup of ")
    # The same Store, reopened on the restored file: the person is back, their templates decrypt.
    assert sorted(p.name for p in store.list_people()) == sorted(SAMPLE_ENROLLED[:2])
    assert len(store.templates_for_gallery(pipeline.embedder.model_id)[1]) == 6
