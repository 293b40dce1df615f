"""The GUI tests collect Python's cycles on the GUI thread only, as the app does
(desktop_app/gui/collector.py): a test's windows freed by a background thread's collection crash
a later test."""

from __future__ import annotations

import gc

import pytest

from desktop_app.gui.collector import collect_on_gui_thread


@pytest.fixture(autouse=True)
def cycles_on_the_gui_thread(qapp, english):
    timer = collect_on_gui_thread(qapp)
    yield
    timer.stop()
    timer.deleteLater()
    gc.collect()  # this test's windows go here, on the GUI thread, not in a later test's threads
    gc.enable()  # for the tests after these, which run no Qt
