"""Marks English text that the GUI shows translated (desktop_app/i18n): core has no Qt, so it only
marks; the GUI translates at the point of display with QCoreApplication.translate(context, text),
and the command line, which installs no translator, prints the English as it stands."""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name pyside6-lupdate looks for
    """`text` as it is; pyside6-lupdate collects it for `context` by this call's name."""
    return text
