"""Marking strings for translation outside a class: Qt-free, so core may mark its own words too."""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name pyside6-lupdate looks for
    """Marks text for pyside6-lupdate; the GUI translates it where it is shown."""
    return text
