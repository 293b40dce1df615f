"""Settings → Calibrate liveness: live people in front of the kiosk's camera for a minute, then the
site threshold core/liveness/calibrate.py proposes, drawn against the model's shipped attack scores.

The frames come from the frame worker, which holds the camera: a second reader could not open a
webcam the worker has open. Nothing is saved until Apply.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.liveness.calibrate import CALIBRATE_S, Calibration, LiveScores
from core.liveness.pad import HIST_BINS, PadModel
from core.settings import Settings
from core.store import Store
from desktop_app.gui.admin.kind_names import strictness_name
from desktop_app.gui.plain import plain_label
from desktop_app.gui.worker import FrameWorker
from desktop_app.i18n import problem_text, translated

LIVE = QColor(46, 160, 67, 170)
ATTACK = QColor(207, 34, 46, 120)
FLOOR = QColor(60, 60, 60)
PROPOSAL = QColor(9, 105, 218)
TICK_MS = 200


def in_use_text(settings: Settings, model: PadModel) -> str:
    if settings.pad_threshold is not None:
        return QCoreApplication.translate(
            "CalibrateDialog",
            "In use now: the calibrated threshold {threshold} (it replaces the strictness's); "
            "the model's secure floor is {floor}.",
        ).format(threshold=f"{settings.pad_threshold:.3f}", floor=f"{model.secure_floor:.3f}")
    return QCoreApplication.translate(
        "CalibrateDialog", "In use now: the {strictness} threshold {threshold}; the model's secure floor is {floor}."
    ).format(
        strictness=strictness_name(settings.pad_strictness),
        threshold=f"{model.thresholds[settings.pad_strictness]:.3f}",
        floor=f"{model.secure_floor:.3f}",
    )


class HistogramView(QWidget):
    """Live scores seen here beside the attack scores the model ships, each as shares of its own
    total in the model's bins, with lines at the secure floor and the proposal."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.calibration: Calibration | None = None
        self.setMinimumSize(420, 200)

    def show_result(self, result: Calibration | None) -> None:
        self.calibration = result
        self.update()

    def paintEvent(self, event: object) -> None:
        result = self.calibration
        if result is None or not result.scores:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        plot = QRectF(8, metrics.height() + 8, self.width() - 16, self.height() - 2 * metrics.height() - 16)
        series = [(LIVE, result.live_hist)]
        if result.attack_hist is not None:
            series.append((ATTACK, result.attack_hist))
        shares = [[c / max(sum(counts), 1) for c in counts] for _, counts in series]
        peak = max(max(s) for s in shares) or 1.0
        width = plot.width() / HIST_BINS
        for (colour, _), values in zip(series, shares):
            for i, share in enumerate(values):
                height = plot.height() * share / peak
                painter.fillRect(QRectF(plot.left() + i * width, plot.bottom() - height, width - 1, height), colour)
        painter.setPen(QPen(Qt.GlobalColor.gray))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        for tick in (0.0, 0.5, 1.0):
            text = f"{tick:g}"
            left = plot.left() + tick * plot.width() - metrics.horizontalAdvance(text) * tick
            painter.drawText(QPointF(left, self.height() - 4), text)
        legend = self.tr("green: live scores on this camera")
        legend += "   " + (
            self.tr("red: attacks (shipped with the model)")
            if result.attack_hist is not None
            else self.tr("(the model ships no attack scores)")
        )
        painter.drawText(QPointF(plot.left(), metrics.ascent() + 2), legend)
        lines: list[tuple[QColor, float | None, Qt.PenStyle]] = [
            (FLOOR, result.floor, Qt.PenStyle.DashLine),
            (PROPOSAL, result.proposal, Qt.PenStyle.SolidLine),
        ]
        for colour, value, style in lines:
            if value is not None:
                painter.setPen(QPen(colour, 2, style))
                x = plot.left() + value * plot.width()
                painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.end()


class CalibrateDialog(QDialog):
    """Start records for the chosen seconds (a folder or file camera: at most until it ends);
    Apply saves the proposal, Use strictness goes back to the strictness's threshold."""

    def __init__(self, store: Store, worker: FrameWorker, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.worker = store, worker
        self.model = PadModel()
        self.setWindowTitle(self.tr("Calibrate liveness"))
        self.collector: LiveScores | None = None
        self.calibration: Calibration | None = None
        self._started = 0.0
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)

        intro = plain_label(
            self.tr(
                "Have live people stand in front of the camera, one at a time, facing it and moving a little, "
                "in the light the kiosk works in. No photos or screens in view. The proposal refuses at most "
                "1 % of their frames, but never goes below the model's secure floor."
            ),
            wordWrap=True,
        )
        self.in_use = plain_label(wordWrap=True)
        self.seconds = QSpinBox(minimum=5, maximum=600, value=int(CALIBRATE_S), suffix=self.tr(" s"))
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(self.start)
        self.progress = QProgressBar(minimum=0, maximum=1000, textVisible=False)
        self.counts = plain_label()
        self.histogram = HistogramView()
        self.message = plain_label(wordWrap=True)
        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.clear_button = QPushButton(self.tr("Use the strictness's threshold"))
        self.clear_button.clicked.connect(self.clear)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)

        run_row = QHBoxLayout()
        run_row.addWidget(plain_label(self.tr("Record for:")))
        run_row.addWidget(self.seconds)
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.progress, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        for widget in (intro, self.in_use):
            layout.addWidget(widget)
        layout.addLayout(run_row)
        layout.addWidget(self.counts)
        layout.addWidget(self.histogram, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._show_in_use()

    @property
    def recording(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self.calibration = None
        self.histogram.show_result(None)
        self.apply_button.setEnabled(False)
        self.start_button.setEnabled(False)
        self.message.setText(self.tr("Recording…"))
        self.collector = LiveScores(self.model)
        self.worker.source_ended.connect(self._source_ended)
        self.worker.start_feed(self.collector.feed)
        # A folder or video file that has run out plays again from its start.
        if not self.worker.isRunning():
            self.worker.start()
        self._started = time.monotonic()
        self._timer.start()

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.progress.setValue(min(round(1000 * elapsed / self.seconds.value()), 1000))
        if self.collector is not None:
            c = self.collector
            self.counts.setText(
                self.tr("{frames} frames, {judged} with a face judged").format(frames=c.frames, judged=len(c.scores))
            )
        if elapsed >= self.seconds.value():
            self.finish()

    def _source_ended(self) -> None:
        if self.recording:
            self.finish()

    def _stop_recording(self) -> None:
        # The camera goes back to the admin screens' preview.
        self._timer.stop()
        self.worker.source_ended.disconnect(self._source_ended)
        self.worker.end_capture()

    def finish(self) -> None:
        self._stop_recording()
        self.start_button.setEnabled(True)
        if self.collector is None:
            return
        self.calibration = self.collector.result()
        self.progress.setValue(1000)
        self.counts.setText("\n".join(translated(line) for line in self.calibration.summary()))
        self.histogram.show_result(self.calibration)
        if self.calibration.refusal:
            self.message.setText(
                self.tr("⚠ {problem}. Nothing was changed.").format(problem=translated(self.calibration.refusal))
            )
        else:
            self.message.setText(self.tr("Apply saves this threshold for every kiosk of the site."))
        self.apply_button.setEnabled(self.calibration.proposal is not None)

    def apply(self) -> None:
        if self.calibration is None:
            return
        try:
            self.calibration.apply(self.store, actor="admin")
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.accept()

    def clear(self) -> None:
        try:
            self.store.save_settings(replace(self.store.load_settings(), pad_threshold=None))
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self._show_in_use()
        self.message.setText(self.tr("The kiosk uses the strictness's threshold again."))

    def _show_in_use(self) -> None:
        try:
            settings = self.store.load_settings()
        except FaceGateError as exc:
            self.in_use.setText(problem_text(exc))
            return
        self.in_use.setText(in_use_text(settings, self.model))
        self.clear_button.setEnabled(settings.pad_threshold is not None)

    def done(self, code: int) -> None:
        if self.recording:
            self._stop_recording()
        super().done(code)
