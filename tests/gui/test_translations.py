"""The app's languages: every text the kiosk, unlock and main window show is marked for
translation (a pseudo-translation reaches all of it), Arabic turns the screens right to left, an
unknown language is English, times follow the language, and the shipped .ts files are complete."""

import logging
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt

from core.errors import FaceGateError
from core.kiosk.kiosk import KioskResult, SeenFace
from core.liveness.challenge import PROMPTS
from core.liveness.pad import HINT_ATTACK, HINT_CLOSER
from core.matching.gallery import model_key
from core.settings import Settings
from core.types import CHECK_IN, CHECK_OUT, Event
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.admin.system_page import SystemPage
from desktop_app.gui.admin.window import AdminWindow
from desktop_app.gui.kiosk_view import ATTACK, NOT_RECOGNISED, KioskView, confirmation
from desktop_app.gui.locale_format import date_text, time_text
from desktop_app.i18n import TRANSLATED, install_language, ts_file, update
from tests.gui.shown_text import OPEN, pseudo_translation, shown_texts, untranslated
from tests.gui.test_windows import TIMEOUT_MS

BOX = np.array([100, 100, 200, 220], np.float32)
# Not text to translate: the product's name.
PRODUCT = ("FaceGate",)
PLACEHOLDER = re.compile(r"\{\w+\}|%n")


@pytest.fixture
def languages(qapp, tmp_path, monkeypatch):
    """install_language for this test, with a cache folder of its own (so each .ts is compiled here,
    as on a fresh install); English and the system's formats again afterwards."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield lambda language: install_language(qapp, language)
    install_language(qapp, "en")
    QLocale.setDefault(QLocale.system())
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def _result(*faces: SeenFace, hint: str | None = None, prompt: str | None = None) -> KioskResult:
    frame = np.zeros((480, 640, 3), np.uint8)
    return KioskResult(frame, faces, (), 10.0, datetime.now(timezone.utc), hint=hint, prompt=prompt)


def test_every_text_of_the_kiosk_unlock_and_main_window_is_translated(
    qtbot, window, store, enrolled, person_folder, tmp_path
):
    translator = pseudo_translation(tmp_path)
    try:
        win = window(person_folder)
        # A check-in, then the end of the video: a banner, boxes, a message in the video area.
        qtbot.waitUntil(lambda: win.worker.isFinished() and OPEN in win.kiosk.banner.text(), timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: not win.kiosk.video.showing_frame, timeout=TIMEOUT_MS)
        shown = shown_texts(win, skip=(AdminWindow, PinDialog))
        now = datetime.now(timezone.utc)
        earlier = [Event(enrolled.id, enrolled.name, now, kind, 0.9, "door") for kind in (CHECK_IN, CHECK_OUT)]
        win.kiosk.show_events(earlier)
        shown += shown_texts(win.kiosk)
        win.kiosk.show_already(earlier)
        shown += shown_texts(win.kiosk)
        win.kiosk.banner.clear_banner()  # a check-in's banner stays over hints
        win.kiosk.show_result(_result(SeenFace(BOX, None, None, 0.1, live=False), hint=HINT_ATTACK))
        assert win.kiosk.banner.showing(ATTACK)
        shown += shown_texts(win.kiosk)
        win.kiosk.banner.clear_banner()
        win.kiosk.show_result(_result(SeenFace(BOX, None, None, 0.1), SeenFace(BOX, 1, "x", 0.9), hint=HINT_CLOSER))
        shown += shown_texts(win.kiosk)
        for _ in range(30):  # a stranger for long enough
            win.kiosk.show_result(_result(SeenFace(BOX, None, None, 0.1)))
        shown += shown_texts(win.kiosk)
        win.show_unlock()
        win.unlock.show_result(_result(prompt=PROMPTS["left"]))
        shown += shown_texts(win.unlock)
        win.unlock.show_events([Event(enrolled.id, enrolled.name, now, "unlock", 0.9, "door")])
        shown += shown_texts(win.unlock)
        win._show_camera("camera 0", True)
        shown += shown_texts(win, skip=(AdminWindow, PinDialog))
    finally:
        QCoreApplication.removeTranslator(translator)
    kiosk_id = store.load_settings().kiosk_id
    data = [*PRODUCT, enrolled.name, "x", kiosk_id, win.clock.text()]
    assert untranslated(shown, data) == []
    # The translation did reach the screens (an empty walk would pass too).
    for text in ("⟪Check-in⟫", "⟪The video has ended", "⟪LOCKED⟫", "⟪Turn your head"):
        assert text in shown or any(text in each for each in shown), text
    assert any(each.startswith("⟪Welcome") for each in shown)


def test_arabic_turns_the_kiosk_right_to_left_in_arabic(qtbot, languages):
    locale = languages("ar")
    assert QCoreApplication.instance().layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert locale.language() == QLocale.Language.Arabic
    view = KioskView()
    qtbot.addWidget(view)
    assert view.layoutDirection() == Qt.LayoutDirection.RightToLeft
    view.show_result(_result(SeenFace(BOX, None, None, 0.1), hint=HINT_CLOSER))
    assert view.banner.text() == "يُرجى الاقتراب من الكاميرا"
    when = datetime(2026, 12, 7, 20, 12, tzinfo=timezone.utc)
    said = confirmation(Event(1, "Ann", when, CHECK_IN, 0.9, "door"))
    # The name as typed, the time in the locale's digits.
    assert said.startswith("أهلًا Ann") and time_text(when) in said and "20:12" not in said
    # The banner's sign stands before the words, so on their right, and the words end at it: none
    # run past the banner's edge.
    view.resize(900, 600)
    view.show()
    view.show_events([Event(1, "Ann", when, CHECK_IN, 0.9, "door")])
    image = view.banner.grab().toImage()
    ink = [
        x for x in range(image.width()) for y in range(0, image.height(), 2) if image.pixelColor(x, y).lightness() > 200
    ]
    sign = view.banner.sign_rect()
    assert ink and sign.center().x() > (min(ink) + max(ink)) / 2
    assert max(ink) <= sign.right() + 2 and min(ink) > view.banner.contentsRect().left() + 10


def test_chinese_and_german_are_installed_and_qt_buttons_follow(qtbot, languages):
    languages("zh_CN")
    assert QCoreApplication.translate("KioskView", NOT_RECOGNISED).startswith("未识别")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own, from the wheel
    languages("de")
    assert QCoreApplication.translate("KioskView", "not recognised") == "nicht erkannt"
    assert QCoreApplication.instance().layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_an_unknown_language_is_english_with_one_warning(qtbot, languages, caplog):
    languages("de")
    with caplog.at_level(logging.WARNING):
        languages("fr")
    assert [r.levelno for r in caplog.records] == [logging.WARNING] and "'fr'" in caplog.records[0].getMessage()
    assert QCoreApplication.translate("KioskView", NOT_RECOGNISED) == NOT_RECOGNISED
    with pytest.raises(FaceGateError, match="language must be one of system, en, zh_CN, de, ar"):
        Settings(language="fr")


def test_times_and_dates_follow_the_language(qapp):
    when = datetime(2026, 12, 7, 20, 12, 5)
    try:
        QLocale.setDefault(QLocale("en_US"))
        assert time_text(when).replace("\u202f", " ") == "8:12 PM"
        assert time_text(when, seconds=True).replace("\u202f", " ") == "8:12:05 PM"
        QLocale.setDefault(QLocale("de"))
        assert (time_text(when), time_text(when, seconds=True), date_text(when.date())) == (
            "20:12",
            "20:12:05",
            "07.12.26",
        )
    finally:
        QLocale.setDefault(QLocale.system())


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_translation_is_complete(language, tmp_path):
    """Every message finished, with the source's placeholders, and nothing marked in the code missing."""
    for message in ET.parse(ts_file(language)).iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None and translation.get("type") is None, source
        forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
        for form in forms:
            assert form.strip(), source
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)) or (
                # a plural form may spell its number out ("حدث واحد", one event)
                message.get("numerus") == "yes" and "%n" not in form
            ), (source, form)
    fresh = tmp_path / ts_file(language).name
    shutil.copy(ts_file(language), fresh)
    update([fresh])
    assert _messages(fresh) == _messages(ts_file(language)), (
        f"{ts_file(language).name} is not what the code marks: run python -m desktop_app.i18n update and translate"
    )


def _messages(ts: Path) -> set[tuple[str, str, bool]]:
    """Each message as (context, source, finished)."""
    return {
        (context.findtext("name") or "", m.findtext("source") or "", m.find("translation").get("type") is None)
        for context in ET.parse(ts).iter("context")
        for m in context.iter("message")
    }


def test_the_language_is_chosen_on_the_settings_page(qtbot, window, store, tmp_path):
    win = window(tmp_path / "no-camera")
    win.enter_admin()
    page = win.admin.settings
    win.admin.setCurrentWidget(page)
    assert page.language.currentData() == "system"
    # Each language by its own name, so that a reader of it finds it whatever the screen's language.
    assert [page.language.itemText(i) for i in range(1, page.language.count())] == [
        "English",
        "简体中文",
        "Deutsch",
        "العربية",
    ]
    page.language.setCurrentIndex(page.language.findData("ar"))
    assert page.unsaved() and page.save() is True
    assert store.load_settings().language == "ar"


def test_counts_take_the_languages_plural_forms(qtbot, languages, store, pipeline):
    """English's own plural file says "1 template" and "3 templates"; Arabic has a form for two."""
    page = SystemPage(store, pipeline.embedder, "models")
    qtbot.addWidget(page)
    key = model_key(pipeline.embedder)
    store.enrol(np.ones(pipeline.embedder.dim, np.float32), *key, 0.9, "photo", name="Ann")
    languages("en")
    page.refresh()
    assert page.template_label.text() == "1 template of the model in use"
    for name in ("Bob", "Cy"):
        store.enrol(np.ones(pipeline.embedder.dim, np.float32), *key, 0.9, "photo", name=name)
    page.refresh()
    assert page.template_label.text() == "3 templates of the model in use"
    languages("ar")
    page.refresh()
    assert page.template_label.text() == "قوالب النموذج المستخدم: 3 قوالب"
    store.delete_person(store.find_person_by_name("Cy").id)
    page.refresh()
    assert page.template_label.text() == "قوالب النموذج المستخدم: قالبان"  # the dual, its number spelled out


def test_english_holds_the_plural_forms_of_every_count(tmp_path):
    """facegate_en.ts: only the messages with a count, each with its singular and plural, as
    lupdate -pluralonly finds them in the code."""
    messages = list(ET.parse(ts_file("en")).iter("message"))
    assert messages and all(m.get("numerus") == "yes" for m in messages)
    for message in messages:
        forms = [f.text or "" for f in message.iter("numerusform")]
        source = message.findtext("source") or ""
        assert len(forms) == 2 and "(s)" not in "".join(forms) and all("%n" in f for f in forms), source
    fresh = tmp_path / ts_file("en").name
    shutil.copy(ts_file("en"), fresh)
    update([fresh], plural_only=True)
    assert _messages(fresh) == _messages(ts_file("en"))
