"""The database behind FaceGate: Store and the plain records it hands out."""

from core.store.engine import safe_url
from core.store.facade import Store
from core.store.records import Action, AuditEntry, DaySummary, Enrolment, OutboxItem, Person, PinState, TemplateInfo

__all__ = [
    "Action",
    "AuditEntry",
    "DaySummary",
    "Enrolment",
    "OutboxItem",
    "Person",
    "PinState",
    "Store",
    "TemplateInfo",
    "safe_url",
]
