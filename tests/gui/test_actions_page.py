"""The admin's Actions page, offscreen: an action added there is stored and listed with its URL's
password hidden, a secret file others may read is refused with the reason, a test event reaches a
real receiver on 127.0.0.1 (the URL's user and password as basic authentication), and Remove takes it away."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel

from desktop_app.gui.admin.actions_page import ActionsPage
from tests.actions.conftest import Receiver


def _cells(page: ActionsPage) -> list[list[str]]:
    model = page.proxy
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_the_actions_page_adds_lists_tests_and_removes(qtbot, store, tmp_path, monkeypatch):
    page = ActionsPage(store)
    qtbot.addWidget(page)
    page.refresh()
    receiver = Receiver().start()
    try:
        page.name.setText("hook")
        page.kinds["check-in"].setChecked(True)
        page.method.setCurrentText("webhook")
        page.target.setText(receiver.url.replace("http://", "http://me:pw7@"))
        secret = tmp_path / "s"
        secret.write_text("x-secret")
        secret.chmod(0o640)
        page.secret_file.setText(str(secret))
        page.add_button.click()
        assert "chmod 600" in page.status.text() and store.actions() == []
        secret.chmod(0o600)
        page.add_button.click()
        assert [a.name for a in store.actions()] == ["hook"]
        (row,) = _cells(page)
        assert row[:3] == ["hook", "check-in", "webhook (signed)"] and "pw7" not in row[3] and row[4] == "0"

        page.table.selectionModel().select(
            page.proxy.index(0, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        page.test_button.click()
        assert "delivered" in page.status.text() and len(receiver.posts) == 1
        assert receiver.posts[0][0]["authorization"] == "Basic bWU6cHc3"  # me:pw7, sent as basic authentication
        monkeypatch.setattr("desktop_app.gui.admin.actions_page.ask", lambda *_: True)
        page.remove_button.click()
        assert store.actions() == [] and _cells(page) == []
    finally:
        receiver.stop()
