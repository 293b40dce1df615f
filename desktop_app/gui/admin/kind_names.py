"""The names on screen of the words core stores in English (event and audit kinds, strictness): the
database and the exports keep the English word, the admin pages show it in the chosen language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.i18n import QT_TRANSLATE_NOOP

EVENT_KINDS = {
    "check-in": QT_TRANSLATE_NOOP("EventKind", "check-in"),
    "check-out": QT_TRANSLATE_NOOP("EventKind", "check-out"),
    "unlock": QT_TRANSLATE_NOOP("EventKind", "unlock"),
    "attack": QT_TRANSLATE_NOOP("EventKind", "attack"),
}
AUDIT_KINDS = {
    "enrolment": QT_TRANSLATE_NOOP("AuditKind", "enrolment"),
    "deletion": QT_TRANSLATE_NOOP("AuditKind", "deletion"),
    "person": QT_TRANSLATE_NOOP("AuditKind", "person"),
    "pin": QT_TRANSLATE_NOOP("AuditKind", "PIN"),
    "refused-photo": QT_TRANSLATE_NOOP("AuditKind", "refused photo"),
    "settings": QT_TRANSLATE_NOOP("AuditKind", "settings"),
    "correction": QT_TRANSLATE_NOOP("AuditKind", "correction"),
    "other": QT_TRANSLATE_NOOP("AuditKind", "other"),
}


def event_name(kind: str) -> str:
    """An event kind (core.types) on screen; one this table does not know, as stored."""
    return QCoreApplication.translate("EventKind", EVENT_KINDS.get(kind, kind))


def audit_kind_name(kind: str) -> str:
    """An audit kind (core.store.audit.AUDIT_KINDS) on screen."""
    return QCoreApplication.translate("AuditKind", AUDIT_KINDS.get(kind, kind))


STRICTNESS = {
    "lenient": QT_TRANSLATE_NOOP("Strictness", "lenient"),
    "normal": QT_TRANSLATE_NOOP("Strictness", "normal"),
    "strict": QT_TRANSLATE_NOOP("Strictness", "strict"),
}


def strictness_name(strictness: str) -> str:
    """A liveness strictness (core.settings.STRICTNESS) on screen."""
    return QCoreApplication.translate("Strictness", STRICTNESS.get(strictness, strictness))
