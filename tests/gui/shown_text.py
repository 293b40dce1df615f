"""Every text a widget tree shows, and the ones a pseudo-translation did not reach: with every
translation set to "⟪source⟫" (pseudo_translation), a shown text with a letter outside ⟪⟫ was never
marked for translation. tests/gui/test_translations.py runs it over the kiosk; a page's test runs it
over that page the same way (walk it, then assert untranslated(...) == [])."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QTabWidget,
    QToolBar,
    QWidget,
)

from desktop_app.gui.video_view import VideoView
from desktop_app.i18n import release, update

OPEN, CLOSE = "⟪", "⟫"
_WRAPPED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_TAGS = re.compile(r"<[^>]+>")


def pseudo_translation(folder: Path) -> QTranslator:
    """The app's marked text as found in the code now, each translated as ⟪source⟫ (placeholders
    kept), compiled and installed; remove it with QCoreApplication.removeTranslator when done."""
    ts, qm = folder / "pseudo.ts", folder / "pseudo.qm"
    update([ts])
    tree = ET.parse(ts)
    tree.getroot().set("language", "en")  # two plural forms
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        translation.attrib.pop("type", None)
        if message.get("numerus") == "yes":
            for child in list(translation):
                translation.remove(child)
            for _ in range(2):
                ET.SubElement(translation, "numerusform").text = OPEN + source + CLOSE
        else:
            translation.text = OPEN + source + CLOSE
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    release(ts, qm)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    return translator


def shown_texts(root: QWidget, skip: tuple[type, ...] = ()) -> list[str]:
    """The texts root and the widgets inside it show or offer: labels, buttons, titles, tabs, combo
    items, placeholders, tooltips, item headers, menu entries and a VideoView's message and box
    labels. Hidden widgets too (a hidden banner still holds what it said); subtrees of the `skip`
    classes are left out."""
    return [text for widget in _widgets(root, skip) for text in _texts(widget) if text]


def untranslated(texts: Collection[str], data: Collection[str] = ()) -> list[str]:
    """The texts with a letter outside ⟪⟫, once each `data` string (a name from the store, a
    formatted time) is taken out."""
    bad = []
    for text in texts:
        rest = text
        for each in sorted(data, key=len, reverse=True):
            rest = rest.replace(each, "")
        while _WRAPPED.search(rest):  # innermost first: a translated text may hold another
            rest = _WRAPPED.sub("", rest)
        if any(ch.isalpha() for ch in rest):
            bad.append(text)
    return bad


def _widgets(root: QWidget, skip: tuple[type, ...]) -> Iterator[QWidget]:
    if isinstance(root, skip):
        return
    yield root
    for child in root.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        yield from _widgets(child, skip)


def _texts(widget: QWidget) -> Iterator[str]:
    if widget.isWindow() or isinstance(widget, QToolBar):
        yield widget.windowTitle()
    yield _plain(widget.toolTip())
    if isinstance(widget, QLabel):
        yield _plain(widget.text())
    if isinstance(widget, QAbstractButton):
        yield widget.text()
    if isinstance(widget, QGroupBox):
        yield widget.title()
    if isinstance(widget, QLineEdit):
        yield widget.placeholderText()
    if isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QTabWidget):
        yield from (widget.tabText(i) for i in range(widget.count()))
    if isinstance(widget, QMenu):
        yield from (action.text() for action in widget.actions())
    if isinstance(widget, QTableView) and widget.model() is not None:
        model = widget.model()
        yield from (str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(model.columnCount()))
    if isinstance(widget, VideoView):
        yield "" if widget.showing_frame else widget.placeholder
        yield from (overlay.label for overlay in widget.overlays)


def _plain(text: str) -> str:
    """Rich text (a tooltip made by plain_tooltip, a bold heading) as the words it shows."""
    return html.unescape(_TAGS.sub("", text)) if "<" in text else text
