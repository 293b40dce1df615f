"""About this kiosk: the camera, the models and thresholds in use, and what went wrong last; for
the administrator, off the public screen."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QVBoxLayout, QWidget

from core.errors import FaceGateError
from core.matching.gallery import model_key
from core.store import Store
from core.vision.embed import FaceEmbedder
from desktop_app.gui.plain import plain_label, plain_tooltip


class SystemPage(QWidget):
    def __init__(self, store: Store, embedder: FaceEmbedder, models: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.embedder = store, embedder
        self.camera_label = plain_label(wordWrap=True)
        self.fps_label = plain_label()
        self.model_label = plain_label(models, wordWrap=True)
        self.threshold_label = plain_label(wordWrap=True)
        self.template_label = plain_label()
        self.problem_label = plain_label(self.tr("none"), wordWrap=True)
        about = QGroupBox(self.tr("About this kiosk"))
        form = QFormLayout(about)
        form.addRow(self.tr("Camera:"), self.camera_label)
        form.addRow(self.tr("Speed:"), self.fps_label)
        form.addRow(self.tr("Models:"), self.model_label)
        form.addRow(self.tr("Thresholds:"), self.threshold_label)
        form.addRow(self.tr("Templates:"), self.template_label)
        form.addRow(self.tr("Last problem:"), self.problem_label)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addStretch(1)

    def refresh(self) -> None:
        """The template count as stored now (an enrolment or a deletion changes it)."""
        try:
            count = self.store.template_count(model_key(self.embedder)[0])
        except FaceGateError as exc:
            self.template_label.setText(self.tr("unknown ({problem})").format(problem=exc))
            return
        self.template_label.setText(self.tr("%n template(s) of the model in use", "", count))

    def show_camera(self, text: str, source: str) -> None:
        """What the camera does; its whole name (a path, a redacted stream address) on hover."""
        self.camera_label.setText(text)
        self.camera_label.setToolTip(plain_tooltip(source))

    def show_kiosk(self, fps: str, models: str | None, thresholds: str | None) -> None:
        self.fps_label.setText(fps)
        if models is not None:
            self.model_label.setText(models)
        if thresholds is not None:
            self.threshold_label.setText(thresholds)

    def show_problem(self, text: str, when: str) -> None:
        self.problem_label.setText(f"{when}: {text}")
