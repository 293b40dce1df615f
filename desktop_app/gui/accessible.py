"""Names for screen readers. Qt names a control after the label whose buddy it is, and a form row
makes its label the buddy of a field that is a widget; a row whose field is a layout (a field with a
hint beside it, a line of buttons) gets no buddy, so its control would be read out without a name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFormLayout, QLabel, QLayout, QWidget


def first_control(layout: QLayout) -> QWidget | None:
    """The first widget in the layout (or in one inside it) that takes the keyboard focus."""
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        widget, inner = item.widget(), item.layout()
        if widget is not None and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            return widget
        found = first_control(inner) if inner is not None else None
        if found is not None:
            return found
    return None


def label_layout_rows(form: QFormLayout) -> None:
    """Makes each row label the buddy of the first control of its row's layout."""
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        inner = field.layout() if field is not None else None
        if label is None or inner is None:
            continue
        text, control = label.widget(), first_control(inner)
        if isinstance(text, QLabel) and text.buddy() is None and control is not None:
            text.setBuddy(control)


def add_labelled(row: QBoxLayout, label: str, control: QWidget) -> None:
    """A label and the control it names, side by side in a row of filters."""
    text = QLabel(label)
    text.setBuddy(control)
    row.addWidget(text)
    row.addWidget(control)
