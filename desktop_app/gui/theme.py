"""The screens' look (Settings' theme): the standard colours, or high contrast for people who see
poorly: black, white and yellow everywhere, a thick yellow outline on the control that has the
keyboard focus, and banners with a border of their own. Applied to the whole application, so the
kiosk, the unlock screen, the admin window and their dialogs all follow it; the widgets that choose
colours of their own (the banners, the door state) ask `pick` for the current theme's."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from core.settings import HIGH_CONTRAST, STANDARD

BLACK, WHITE, YELLOW = QColor("#000000"), QColor("#ffffff"), QColor("#ffff00")
# Every control that takes the keyboard: a 3 px yellow outline on the one that has it. A style
# sheet on the application reaches every window and dialog, unlike one set on a single window.
HIGH_CONTRAST_SHEET = """
QPushButton, QToolButton, QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit {
    background: black; color: white; border: 2px solid white; padding: 3px 6px;
}
QPushButton:focus, QToolButton:focus, QLineEdit:focus, QComboBox:focus, QAbstractSpinBox:focus,
QPlainTextEdit:focus, QTextEdit:focus, QAbstractItemView:focus, QCheckBox:focus, QTabBar::tab:focus {
    border: 3px solid yellow;
}
QPushButton:checked, QToolButton:checked, QTabBar::tab:selected { background: yellow; color: black; }
QPushButton:disabled, QToolButton:disabled, QLineEdit:disabled { color: #c0c0c0; border-style: dashed; }
QTabBar::tab { background: black; color: white; border: 2px solid white; padding: 4px 10px; }
QToolTip { background: black; color: white; border: 2px solid yellow; }
"""

_current = STANDARD
_standard_palette: QPalette | None = None


def high_contrast_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, BLACK),
        (QPalette.ColorRole.WindowText, WHITE),
        (QPalette.ColorRole.Base, BLACK),
        (QPalette.ColorRole.AlternateBase, QColor("#1a1a1a")),
        (QPalette.ColorRole.Text, WHITE),
        (QPalette.ColorRole.PlaceholderText, QColor("#d0d0d0")),
        (QPalette.ColorRole.Button, BLACK),
        (QPalette.ColorRole.ButtonText, WHITE),
        (QPalette.ColorRole.BrightText, YELLOW),
        (QPalette.ColorRole.Highlight, YELLOW),
        (QPalette.ColorRole.HighlightedText, BLACK),
        (QPalette.ColorRole.ToolTipBase, BLACK),
        (QPalette.ColorRole.ToolTipText, WHITE),
        (QPalette.ColorRole.Link, YELLOW),
    ):
        palette.setColor(role, color)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#c0c0c0"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#c0c0c0"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#c0c0c0"))
    return palette


def apply_theme(name: str) -> None:
    """Sets the theme (one of core.settings.THEMES) on the running application: at start, and again
    when Settings saves another. Banners shown from then on take its colours."""
    global _current, _standard_palette
    app = QApplication.instance()
    assert isinstance(app, QApplication)  # the GUI made it before any window
    if _standard_palette is None:
        _standard_palette = QPalette(app.palette())
    _current = name
    high = name == HIGH_CONTRAST
    app.setPalette(high_contrast_palette() if high else _standard_palette)
    app.setStyleSheet(HIGH_CONTRAST_SHEET if high else "")


def pick(standard: str, high_contrast: str) -> str:
    """The style (or colour) of the theme in use."""
    return high_contrast if _current == HIGH_CONTRAST else standard
