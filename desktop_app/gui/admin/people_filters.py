"""The Person and Group choices beside the Attendance and Reports pages' dates."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox

from core.store import Store


def refill_people_filters(store: Store, person: QComboBox, group: QComboBox) -> None:
    """Reload the choices (people change while the app runs), keeping what was chosen where it
    still exists."""
    chosen_person, chosen_group = person.currentData(), group.currentData()
    people = store.list_people(include_inactive=True)
    person.clear()
    person.addItem(QCoreApplication.translate("PeopleFilters", "Everyone"), None)
    for p in people:
        person.addItem(p.name, p.id)
    group.clear()
    group.addItem(QCoreApplication.translate("PeopleFilters", "All groups"), None)

    for g in sorted({p.group for p in people if p.group}, key=str.casefold):
        group.addItem(g, g)
    person.setCurrentIndex(max(person.findData(chosen_person), 0))
    group.setCurrentIndex(max(group.findData(chosen_group), 0))
