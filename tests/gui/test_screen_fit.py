"""The windows on an 800x480 panel (the second offscreen screen tests/conftest.py sets up): the
kiosk, the unlock screen and every admin page have each button inside the screen (admin pages
scroll to it), and a 60-character name leaves the window no wider than the screen."""

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QScrollArea, QToolButton

from core.types import CHECK_IN, UNLOCK, Event

LONG_NAME = "María-Fernanda de los Santos Rodríguez-Gutiérrez y Villanueva"


@pytest.fixture
def panel():
    screens = {screen.name(): screen for screen in QGuiApplication.screens()}
    if "panel" not in screens:
        pytest.skip(
            "QT_QPA_PLATFORM was set outside the tests: the 800x480 screen of tests/gui/screens.json is missing"
        )
    screen = screens["panel"]
    assert screen.geometry().size().toTuple() == (800, 480)
    return screen


def _on(qtbot, widget, screen) -> None:
    """Moves a shown window onto `screen`, as a person dragging it there would."""
    widget.setScreen(screen)
    widget.move(screen.availableGeometry().topLeft())
    qtbot.waitUntil(lambda: widget.screen() is screen)


def _global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def _buttons(root) -> list:
    return [
        button
        for kind in (QPushButton, QToolButton)
        for button in root.findChildren(kind)
        if button.isVisibleTo(root.window())
    ]


def _assert_inside(qtbot, window, screen) -> None:
    qtbot.wait(50)  # let the layouts settle
    room = screen.availableGeometry() if not window.isFullScreen() else screen.geometry()
    assert room.contains(window.frameGeometry()), (window.frameGeometry(), room)
    assert window.width() <= room.width() and window.height() <= room.height()


def _assert_buttons_inside(qtbot, root, screen) -> int:
    buttons = _buttons(root)
    for button in buttons:
        area = next((a for a in _ancestors(button) if isinstance(a, QScrollArea)), None)
        if area is not None:
            area.ensureWidgetVisible(button)
            qtbot.wait(10)
            viewport = QRect(area.viewport().mapToGlobal(QPoint(0, 0)), area.viewport().size())
            assert viewport.contains(_global_rect(button)), (button.text(), _global_rect(button), viewport)
        assert screen.geometry().contains(_global_rect(button)), (button.text(), _global_rect(button))
    return len(buttons)


def _ancestors(widget):
    parent = widget.parentWidget()
    while parent is not None:
        yield parent
        parent = parent.parentWidget()


def test_every_button_of_every_screen_fits_an_800x480_panel(qtbot, window, panel, tmp_path):
    win = window(tmp_path / "no-camera")
    _on(qtbot, win, panel)
    _assert_inside(qtbot, win, panel)
    assert {"Check-in", "Unlock", "Admin"} <= {b.text() for b in _buttons(win.toolbar)}
    _assert_buttons_inside(qtbot, win, panel)
    win.show_unlock()
    assert win.unlock.start_button in _buttons(win)
    _assert_buttons_inside(qtbot, win, panel)

    win.enter_admin()
    admin = win.admin_window
    assert admin.screen() is panel
    _assert_inside(qtbot, admin, panel)
    for page in win.admin.pages:
        win.admin.setCurrentWidget(page)
        assert _assert_buttons_inside(qtbot, page, panel) > 0 or page is win.admin.system
        if page is win.admin.enrol:
            assert {"Enrol", "Start camera capture"} <= {b.text() for b in _buttons(page)}
    assert _assert_buttons_inside(qtbot, admin, panel) > 0  # Log out
    admin.log_out()

    win.show_kiosk()
    win.enter_kiosk_mode()
    qtbot.waitUntil(lambda: win.isFullScreen() and win.size().toTuple() == (800, 480))
    assert _assert_buttons_inside(qtbot, win, panel) == 1  # the staff button, alone


def test_a_60_character_name_leaves_the_window_no_wider_than_the_screen(qtbot, window, panel, tmp_path):
    name = LONG_NAME[:60]
    assert len(name) == 60
    win = window(tmp_path / "no-camera")
    _on(qtbot, win, panel)
    now = datetime.now(timezone.utc)
    win.kiosk.show_events([Event(1, name, now, CHECK_IN, 0.9, "front-door")])
    _assert_inside(qtbot, win, panel)
    banner = win.kiosk.banner
    # Cut short on screen with "…", whole in the tooltip.
    assert banner.text().count(name) == 1 and name in banner.toolTip()
    assert banner.shown_lines()[0].endswith("…") and name not in banner.shown_lines()[0]
    assert banner.width() <= panel.geometry().width()

    win.show_unlock()
    win.unlock.person.addItem(name, 1)
    win.unlock.show_events([Event(1, name, now, UNLOCK, 0.9, "front-door")])
    _assert_inside(qtbot, win, panel)
    assert name in win.unlock.state.text() and win.unlock.state.shown_lines()[0].endswith("…")

    win.enter_kiosk_mode()
    qtbot.waitUntil(lambda: win.isFullScreen() and win.size().toTuple() == (800, 480))
    win.show_kiosk()
    win.kiosk.show_events([Event(1, name, now, CHECK_IN, 0.9, "front-door")])
    qtbot.wait(100)
    assert win.size().toTuple() == (800, 480)
