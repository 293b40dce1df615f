"""Marks English text that the GUI shows translated (desktop_app/i18n): core has no Qt, so it only
marks; the GUI translates at the point of display with QCoreApplication.translate(context, text),
and the command line, which installs no translator, prints the English as it stands.

Text with values (a size, a count, a name) is a Phrase: the marked template and its values, so
that the GUI translates the template and fills the values in after, and nothing parses English."""

from __future__ import annotations

from collections.abc import Callable

# (context, source text) -> the text in the screen's language; QCoreApplication.translate in the GUI.
Translate = Callable[[str, str], str]


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name pyside6-lupdate looks for
    """`text` as it is; pyside6-lupdate collects it for `context` by this call's name."""
    return text


def english(context: str, text: str) -> str:
    """The source text: what the command line, the logs and the report files say."""
    return text


class Phrase(str):
    """Core text that reaches the screen: it is its English (so the command line, logs and files
    use it as any str), and keeps the marked template and values it was made of, for the GUI to say
    it in the screen's language with text(translate). A value may itself be a Phrase."""

    context: str
    template: str
    values: dict[str, object]

    def __new__(cls, context: str, template: str, **values: object) -> Phrase:
        phrase = super().__new__(cls, _fill(english, context, template, values))
        phrase.context, phrase.template, phrase.values = context, template, values
        return phrase

    def __getnewargs_ex__(self) -> tuple[tuple[str, str], dict[str, object]]:
        # Copied and pickled as it was made (str's own way would call __new__ with the English).
        return (self.context, self.template), self.values

    def text(self, translate: Translate = english) -> str:
        return _fill(translate, self.context, self.template, self.values)


def _fill(translate: Translate, context: str, template: str, values: dict[str, object]) -> str:
    # Placeholders filled after translation: a translation may move them, never change them.
    filled = {k: v.text(translate) if isinstance(v, Phrase) else v for k, v in values.items()}
    return translate(context, template).format(**filled) if values else translate(context, template)
