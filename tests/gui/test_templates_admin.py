"""Admin → People: a person's templates listed with thumbnails and removed one face at a time, and
the verifier's templates made from kept crops with a progress bar."""

from datetime import datetime, timezone

from PySide6.QtCore import Qt

from core.enrol.enroller import Enroller
from core.types import Event
from core.vision.pipeline import FacePipeline
from desktop_app.gui.admin.people_page import PeoplePage
from desktop_app.gui.admin.templates_dialog import TemplatesDialog

TOM = "Tom Hanks"
TIMEOUT_MS = 30_000


def test_the_dialog_lists_thumbnails_and_removes_one_face(qtbot, store, pipeline, sample_people):
    tom = Enroller(store, pipeline).enrol_photos(TOM, sample_people[TOM].photos).person
    store.record_event(Event(tom.id, TOM, datetime.now(timezone.utc), "check-in", 0.9, "kiosk-1"))
    dialog = TemplatesDialog(store, tom)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 6  # three faces, by the student and by the verifier
    assert not dialog.table.item(0, 0).icon().isNull()
    models = {dialog.table.item(row, 2).text() for row in range(6)}
    assert models == {pipeline.embedder.model_id, pipeline.verifier.model_id}
    first = int(dialog.table.item(0, 1).text())
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.changed):
        dialog.remove_selected()
    assert dialog.table.rowCount() == 4
    assert first not in {int(dialog.table.item(row, 1).text()) for row in range(4)}
    assert dialog.message.text().startswith(f"Removed #{first}, ")
    assert (
        store.get_person(tom.id).active
        and len(store.events(datetime(2000, 1, 1, tzinfo=timezone.utc), datetime.now(timezone.utc))) == 1
    )


def test_people_page_makes_verifier_templates_with_a_progress_bar(qtbot, store, pipeline, sample_people):
    student_only = Enroller(store, FacePipeline(pipeline.detector, pipeline.embedder, verifier=None))
    student_only.enrol_photos(TOM, sample_people[TOM].photos)
    page = PeoplePage(store, pipeline.embedder, pipeline.verifier)
    qtbot.addWidget(page)
    page.refresh()
    assert page.recompute_button.isEnabled() and "3 kept faces lack a template" in page.stale_note.text()
    seen = []
    page.progressed.connect(lambda done, total: seen.append((done, total)))
    page.recompute()
    assert page.progress.isVisibleTo(page)
    qtbot.waitUntil(lambda: page.message.text().startswith("Made"), timeout=TIMEOUT_MS)
    assert page.message.text() == "Made 3 templates from kept crops."
    assert seen[-1] == (3, 3) and page.progress.maximum() == 3 and not page.progress.isVisibleTo(page)
    assert store.template_count(pipeline.verifier.model_id) == 3 and not page.recompute_button.isEnabled()
    assert page.table.model().index(0, 5).data(Qt.ItemDataRole.DisplayRole) == "3"  # of the student in use
