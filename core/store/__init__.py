"""The database behind FaceGate: Store and the plain records it hands out."""

from core.store.engine import safe_url
from core.store.events import CheckinRule
from core.store.facade import Store
from core.store.records import (
    Action,
    Attendance,
    AuditEntry,
    CorrectedEvent,
    Correction,
    DaySummary,
    Enrolment,
    OutboxItem,
    Person,
    PersonFacts,
    PinState,
    TemplateInfo,
)

__all__ = [
    "Action",
    "Attendance",
    "AuditEntry",
    "CorrectedEvent",
    "Correction",
    "CheckinRule",
    "DaySummary",
    "Enrolment",
    "OutboxItem",
    "Person",
    "PersonFacts",
    "PinState",
    "Store",
    "TemplateInfo",
    "safe_url",
]
