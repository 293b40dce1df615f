"""The app's languages: English (the source text), Simplified Chinese, German and Arabic (right to
left). The GUI only; the command line stays English, since scripts read it.

How text is marked for translation (pyside6-lupdate collects it; tests/gui/test_translations.py
fails on any shown text that is not marked):

- In a QObject or QWidget subclass: ``self.tr("Source text")`` (the context is the class's name).
- In a module-level GUI function: ``QCoreApplication.translate("Context", "Source text")``.
- Module-level constants, and core/ text that reaches the screen (core has no Qt): marked with
  ``QT_TRANSLATE_NOOP("Context", "Source text")`` from core/i18n.py, which returns the text as it
  is, and translated where it is shown with ``QCoreApplication.translate("Context", text)``.
- core/ text with values (a reason, a prompt, a count) is a core.i18n.Phrase: its English for the
  command line, and its marked template and values, which the GUI shows with ``translated(text)``.
- core's error messages stay English (many, and shared with the command line and the log): a page
  shows one after a translated lead with ``problem_text(exc)``.
- Placeholders are filled after translation: ``self.tr("Welcome, {name}").format(name=name)``,
  never an f-string inside tr. A count takes Qt's plural form: ``self.tr("%n event(s)", "", n)``;
  facegate_en.ts holds the English forms of those alone ("1 event", "2 events"), Qt's way of
  writing the plurals of the source language.
- Times and dates on screen: desktop_app/gui/locale_format.py, in the language's own format.

The translations are facegate_<language>.ts beside this file; `python -m desktop_app.i18n update`
adds newly marked text to them (keeping what is translated) for a translator to fill in with Qt
Linguist or an editor. The compiled .qm files are not in the repository: the PyInstaller build
compiles them into the bundle, and a source or pip install compiles each .ts on first use into the
user cache folder with PySide6's own lrelease.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import PySide6
from platformdirs import user_cache_dir
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QGuiApplication

from core.i18n import Phrase
from core.paths import APP_NAME
from core.settings import LANGUAGES

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
# The languages with a translation; English is the source text and needs none.
TRANSLATED = tuple(language for language in LANGUAGES if language not in ("system", "en"))
# Those with a facegate_<language>.ts: English's holds only the plural forms (lupdate -pluralonly).
WITH_TS = ("en", *TRANSLATED)
# Translators stay installed as long as the application: Qt does not own them.
_installed: list[QTranslator] = []


def ts_file(language: str) -> Path:
    return HERE / f"facegate_{language}.ts"


def resolve(language: str) -> str:
    """A setting's value as one of "en" and TRANSLATED: "system" is the computer's locale (Chinese
    of any script as Simplified, any other language without a translation as English); an unknown
    value is English, with a warning."""
    if language == "system":
        name = QLocale.system().name()  # "de_AT", "zh_CN", "en_US"
        return next((t for t in TRANSLATED if name == t or name.split("_")[0] == t.split("_")[0]), "en")
    if language in LANGUAGES:
        return language
    log.warning("unknown language %r: showing English (choose one of %s)", language, ", ".join(LANGUAGES))
    return "en"


def install_language(app: QCoreApplication, language: str) -> QLocale:
    """Before any window is built: installs the translation for the setting `language` (and Qt's own
    for its standard buttons), makes its locale the default for dates, times and numbers, and turns
    the layout right to left for Arabic. Returns that locale. Installing again replaces the last."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    chosen = resolve(language)
    system = QLocale.system()
    # The computer's own locale when it speaks the chosen language (en_GB keeps its 24-hour clock).
    locale = system if system.name().split("_")[0] == chosen.split("_")[0] else QLocale(chosen)
    QLocale.setDefault(locale)
    qm = compiled(chosen)
    if qm is not None:
        _install(app, str(qm.parent), qm.stem)
    if chosen != "en":
        # Qt's own (OK, Cancel, Yes): in the wheel, and in the bundle for the languages above.
        _install(app, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), f"qtbase_{chosen}")
    if isinstance(app, QGuiApplication):
        app.setLayoutDirection(locale.textDirection())
    return locale


def _install(app: QCoreApplication, folder: str, name: str) -> None:
    translator = QTranslator(app)
    if translator.load(name, folder):
        app.installTranslator(translator)
        _installed.append(translator)


def compiled(language: str) -> Path | None:
    """The .qm for `language`: beside this file in the built bundle (which has no .ts), else the
    .ts compiled into the user cache folder (once per version of the .ts); None, with a warning,
    when it cannot be had, and the app shows English."""
    shipped, source = HERE / f"facegate_{language}.qm", ts_file(language)
    if not source.is_file():
        if shipped.is_file():
            return shipped
        log.warning("no translation for %s: showing English", language)
        return None
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    cached = Path(user_cache_dir(APP_NAME, appauthor=False)) / "translations" / f"facegate_{language}-{digest}.qm"
    if cached.is_file():
        return cached
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        release(source, partial)
        partial.replace(cached)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot compile the %s translation (%s): showing English", language, exc)
        return None
    return cached


def qt_tool(name: str) -> Path:
    """One of the Qt tools inside the PySide6 wheel (lrelease, lupdate)."""
    return Path(PySide6.__file__).parent / (f"{name}.exe" if sys.platform == "win32" else name)


def release(ts: Path, qm: Path) -> None:
    """Compiles a .ts into a .qm with PySide6's lrelease."""
    subprocess.run(
        [str(qt_tool("lrelease")), "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True, timeout=60
    )
    if not qm.is_file():
        raise OSError(f"lrelease made no {qm.name}")


def sources(root: Path) -> list[Path]:
    """The Python files whose marked text the translations cover: the GUI and the core it shows."""
    return sorted(p for folder in ("desktop_app", "core") for p in (root / folder).rglob("*.py"))


def update(ts_files: list[Path], root: Path = HERE.parent.parent, plural_only: bool = False) -> None:
    """Runs pyside6-lupdate over the code into each .ts: new text is added unfinished, text gone
    from the code is marked obsolete (-no-obsolete drops it), translations already made are kept.
    plural_only: only the text with a count (%n), for the source language's own plural forms."""
    files = [str(p.relative_to(root)) for p in sources(root)]
    only = ["-pluralonly"] if plural_only else []
    subprocess.run(
        [
            str(qt_tool("lupdate")),
            "-silent",
            "-no-obsolete",
            *only,
            "-locations",
            "none",
            *files,
            "-ts",
            *map(str, ts_files),
        ],
        check=True,
        cwd=root,
        timeout=300,
    )


def translated(text: str) -> str:
    """Core text in the screen's language: a Phrase translated, any other text (an error's English
    detail, a name) as it is."""
    return text.text(QCoreApplication.translate) if isinstance(text, Phrase) else text


def problem_text(detail: object) -> str:
    """A problem the core reported, for a page's message line: a lead in the screen's language and
    the detail in English (core's errors are many, precise and shared with the command line and
    the log, so they are not translated one by one)."""
    return QCoreApplication.translate("Problem", "⚠ This did not work: {detail}").format(
        detail=translated(detail) if isinstance(detail, str) else detail
    )


def language_names() -> dict[str, str]:
    """Each value of the language setting as the Settings page lists it: a language by its own name
    (a reader of it finds it whatever the screen's language), "system" in the screen's language."""
    return {
        "system": QCoreApplication.translate("Language", "The computer's language"),
        "en": "English",
        "zh_CN": "简体中文",
        "de": "Deutsch",
        "ar": "العربية",
    }
