"""Enrol a person from photo files (dialog or drag-and-drop) and/or a guided camera capture."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.enrol.enroller import CaptureSession, Enroller, PhotoOutcome, Review, Sample
from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP, Phrase
from core.store import Person, Store
from core.vision.imaging import IMAGE_SUFFIXES
from desktop_app.gui.admin.templates_dialog import thumbnail_row
from desktop_app.gui.plain import plain_label
from desktop_app.gui.tasks import run_task
from desktop_app.gui.video_view import AMBER, GREEN, Overlay, VideoView
from desktop_app.gui.worker import FrameResult, FrameWorker, PreviewFrame
from desktop_app.i18n import problem_text, translated

NO_CAMERA = QT_TRANSLATE_NOOP(
    "EnrolPage", "No camera picture: check that the camera is plugged in and chosen in Settings, then try again."
)
CAPTURE_HINT = QT_TRANSLATE_NOOP("EnrolPage", "Capture takes 5 to 10 good frames; follow the prompts.")
WARNING_STYLE = "background:#fff3cd; color:#664d03; padding:6px; border-radius:4px;"


class EnrolPage(QWidget):
    enrolled = Signal()

    def __init__(self, store: Store, enroller: Enroller, worker: FrameWorker, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.enroller, self.worker = store, enroller, worker
        self.setAcceptDrops(True)
        self.photo_samples: list[Sample] = []
        self.camera_samples: list[Sample] = []
        self._session: CaptureSession | None = None
        # What the verifier objected to in the batch on screen, until refused or added anyway.
        self._review: Review | None = None
        self._reviewed: list[Sample] = []

        self.name = QLineEdit(placeholderText=self.tr("Full name (an existing name adds to that person)"))
        self.group = QLineEdit(placeholderText=self.tr("optional, e.g. staff or admin"))
        self.external_id = QLineEdit(placeholderText=self.tr("optional, e.g. employee number"))
        self.name.textChanged.connect(self._forget_review)
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("Group:"), self.group)
        form.addRow(self.tr("External id:"), self.external_id)

        self.add_button = QPushButton(self.tr("Add photos…"))
        self.add_button.clicked.connect(self.choose_photos)
        self.photo_list = QListWidget()
        self.photo_list.setWordWrap(True)
        photos = QGroupBox(self.tr("From photos (or drop image files here)"))
        box = QVBoxLayout(photos)
        box.addWidget(self.add_button)
        box.addWidget(self.photo_list)

        self.video = VideoView()
        self.capture_button = QPushButton(self.tr("Start camera capture"))
        self.capture_button.clicked.connect(self.toggle_capture)
        self.feedback = plain_label(QCoreApplication.translate("EnrolPage", CAPTURE_HINT), wordWrap=True)
        camera = QGroupBox(self.tr("From the camera"))
        box = QVBoxLayout(camera)
        box.addWidget(self.video, 1)
        box.addWidget(self.feedback)
        box.addWidget(self.capture_button)

        sources = QHBoxLayout()
        sources.addWidget(photos, 1)
        sources.addWidget(camera, 2)

        self.warning = plain_label(wordWrap=True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setVisible(False)
        # The refused photos' thumbnails beside the person's (or look-alike's) kept faces.
        self.compare = QVBoxLayout()
        self.refuse_button = QPushButton(self.tr("Refuse these photos"))
        self.refuse_button.clicked.connect(self.refuse)
        self.refuse_button.setVisible(False)
        self.status = plain_label(wordWrap=True)
        self.enrol_button = QPushButton(self.tr("Enrol"))
        self.enrol_button.clicked.connect(self.enrol)
        self.enrol_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(sources, 1)
        layout.addWidget(self.warning)
        layout.addLayout(self.compare)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refuse_button)
        buttons.addWidget(self.enrol_button, 1)
        layout.addLayout(buttons)

    # ------------------------------------------------------------------------------------ photos

    def choose_photos(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(IMAGE_SUFFIXES))
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Photos of the person"), "", self.tr("Images ({patterns})").format(patterns=patterns)
        )
        if paths:
            self.add_photos(paths)

    def dragEnterEvent(self, event) -> None:
        if any(Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls()]
        self.add_photos([p for p in paths if Path(p).suffix.lower() in IMAGE_SUFFIXES])

    def add_photos(self, paths: Sequence[str | Path]) -> None:
        self.status.setText(self.tr("Checking %n photo(s)…", "", len(paths)))
        self.add_button.setEnabled(False)
        run_task(lambda: self.enroller.assess_photos(paths), self._photos_checked, self._failed)

    def _photos_checked(self, checked: tuple[list[Sample], list[PhotoOutcome]]) -> None:
        samples, outcomes = checked
        self.photo_samples += samples
        for outcome in outcomes:
            name = Path(outcome.path).name
            self.photo_list.addItem(f"✓ {name}" if outcome.ok else f"✗ {name} — {self._reason(outcome.reason or '')}")
        self.add_button.setEnabled(True)
        self.status.setText(self.tr("{usable} of %n photo(s) usable.", "", len(outcomes)).format(usable=len(samples)))
        self._update_button()

    def _reason(self, reason: str) -> str:
        """A gate's reason translated; a file that could not be read, after a translated lead with
        the detail in English (core's errors stay English)."""
        if isinstance(reason, Phrase):
            return translated(reason)
        return self.tr("cannot be read: {detail}").format(detail=reason)

    # ------------------------------------------------------------------------------------ camera

    def toggle_capture(self) -> None:
        if self._session:
            self.stop_capture()
        elif not self.worker.camera_ok:
            self.feedback.setText(QCoreApplication.translate("EnrolPage", NO_CAMERA))
        else:
            self._session = self.worker.start_capture(self.enroller)
            self.capture_button.setText(self.tr("Stop capture"))

    def stop_capture(self) -> None:
        self.worker.end_capture()
        if self._session:
            self.camera_samples += list(self._session.samples)
            self._session = None
        self.capture_button.setText(self.tr("Start camera capture"))
        self.feedback.setText(self.tr("%n camera sample(s) ready.", "", len(self.camera_samples)))
        self._update_button()

    def camera_stopped(self) -> None:
        """The camera failed or the video ended: a capture keeps what it had collected."""
        if self._session:
            self.stop_capture()
            self.feedback.setText(f"{QCoreApplication.translate('EnrolPage', NO_CAMERA)} {self.feedback.text()}")

    def show_result(self, result: FrameResult) -> None:
        """The camera while the kiosk runs on; the capture's prompts and face box while capturing."""
        if not isinstance(result, PreviewFrame):
            self.video.show_frame(result.frame)
            return
        feedback = result.feedback if self._session else None
        overlay = []
        if feedback and feedback.face is not None:
            overlay = [Overlay(feedback.face.box, "", GREEN if feedback.usable else AMBER)]
        self.video.show_frame(result.frame, overlay)
        if feedback:
            self.feedback.setText(translated(feedback.message))
            if feedback.done:
                self.stop_capture()

    # ----------------------------------------------------------------------------------- enrol

    @property
    def samples(self) -> list[Sample]:
        return self.photo_samples + self.camera_samples

    def _update_button(self) -> None:
        self.enrol_button.setEnabled(bool(self.samples))

    def _forget_review(self) -> None:
        self._review, self._reviewed = None, []
        self.warning.hide()
        self.refuse_button.hide()
        while (item := self.compare.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.enrol_button.setText(self.tr("Enrol"))

    def prefill(self, person: Person) -> None:
        """Re-enrolment: new samples are added to this person."""
        self.reset()
        self.name.setText(person.name)
        self.group.setText(person.group or "")
        self.external_id.setText(person.external_id or "")

    def enrol(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.status.setText(self.tr("Type the person's name first."))
            return
        if self._review:
            self._save(name, forced=self._review.describe(self._reviewed))
            return
        try:
            existing = self.store.find_person_by_name(name)
        except FaceGateError as exc:
            self._failed(str(exc))
            return
        samples = self.samples
        self.enrol_button.setEnabled(False)
        run_task(
            lambda: self.enroller.review(
                samples, existing.name if existing else name, existing.id if existing else None
            ),
            lambda review: self._checked(name, review, samples),
            self._failed,
        )

    def _checked(self, name: str, review: Review, samples: list[Sample]) -> None:
        if not review:
            self._save(name)
            return
        self._review, self._reviewed = review, samples
        self.warning.setText(
            self.tr("⚠ {problem}. Refuse them, or enrol anyway only if they are {name}.").format(
                problem=review.describe(samples, QCoreApplication.translate), name=name
            )
        )
        self.warning.show()
        self._show_comparison(review, samples)
        self.refuse_button.setVisible(bool(review.mismatches))
        self.enrol_button.setText(self.tr("Enrol anyway"))
        self._update_button()

    def _show_comparison(self, review: Review, samples: list[Sample]) -> None:
        """The refused faces beside the faces they were compared with, as thumbnails."""
        refused = {m.index for m in review.mismatches}
        if refused:
            self.compare.addWidget(
                thumbnail_row([samples[i].crop_jpeg for i in sorted(refused)], self.tr("These photos:"))
            )
            person = self.store.find_person_by_name(review.person)
            kept = [] if person is None else self.store.template_crops(person.id)
            theirs = list(dict.fromkeys(crop for _, crop in kept if crop is not None))
            if not theirs:  # a new person: the rest of the batch
                theirs = [s.crop_jpeg for i, s in enumerate(samples) if i not in refused]
            self.compare.addWidget(thumbnail_row(theirs[:6], self.tr("{name} as enrolled:").format(name=review.person)))
        for match in review.duplicates:
            if match.person_id is None:
                continue
            crops = [crop for _, crop in self.store.template_crops(match.person_id) if crop is not None]
            self.compare.addWidget(
                thumbnail_row(
                    list(dict.fromkeys(crops))[:6], self.tr("{name}, already enrolled:").format(name=match.name)
                )
            )

    def refuse(self) -> None:
        """Drops the photos the verifier refused and marks them in the list."""
        if self._review is None:
            return
        refused = [self._reviewed[m.index] for m in self._review.mismatches]
        self.photo_samples = [s for s in self.photo_samples if not any(s is r for r in refused)]
        self.camera_samples = [s for s in self.camera_samples if not any(s is r for r in refused)]
        for i in range(self.photo_list.count()):
            item = self.photo_list.item(i)
            if any(item.text() == f"✓ {r.detail}" for r in refused):
                item.setText(self.tr("✗ {photo} — refused: not the same person").format(photo=item.text()[2:]))
        self._forget_review()
        self.status.setText(self.tr("Refused %n photo(s).", "", len(refused)))
        self._update_button()

    def _save(self, name: str, forced: str | None = None) -> None:
        photo, camera = list(self.photo_samples), list(self.camera_samples)
        group, external_id = self.group.text().strip(), self.external_id.text().strip()
        self.enrol_button.setEnabled(False)

        def save() -> tuple[Person, int]:
            person, count = None, 0
            for source, samples in (("photo", photo), ("camera", camera)):
                if samples:
                    person, ids, _ = self.enroller.save(
                        samples,
                        source,
                        name=name,
                        person_id=person.id if person else None,
                        group=group,
                        external_id=external_id,
                        forced=forced,
                    )
                    count += len(ids)
            if person is None:
                # Unreachable from the page (Enrol stays disabled without samples), but with neither
                # photo nor camera samples nothing was saved: fail as Enroller.save does on none.
                raise FaceGateError("no usable face to enrol")
            return person, count

        run_task(save, self._saved, self._failed)

    def _saved(self, saved: tuple[Person, int]) -> None:
        person, count = saved
        self.reset()
        self.status.setText(self.tr("Enrolled {name}: %n template(s) stored.", "", count).format(name=person.name))
        self.enrolled.emit()

    def reset(self) -> None:
        if self._session:
            self.stop_capture()
        self.photo_samples.clear()
        self.camera_samples.clear()
        self.photo_list.clear()
        for field in (self.name, self.group, self.external_id):
            field.clear()
        self._forget_review()
        self.feedback.setText(QCoreApplication.translate("EnrolPage", CAPTURE_HINT))

        self.status.clear()
        self._update_button()

    def _failed(self, message: str) -> None:
        self.status.setText(problem_text(message))
        self.add_button.setEnabled(True)
        self._update_button()
