"""Side panels whose features arrive in later slices: each has its stable object name and an empty view
that says plainly it shows nothing yet, so nobody reads an empty box as "this customer has none"."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractItemView, QGroupBox, QListView, QTableView, QVBoxLayout, QWidget

from widgets.views import HintListView, HintTableView


def not_shown_text() -> str:
    return QCoreApplication.translate("Panels", "Not shown in this version of the console.")


def _group(title: str, parent: QWidget | None) -> tuple[QGroupBox, QVBoxLayout]:
    group = QGroupBox(title, parent)
    layout = QVBoxLayout(group)
    layout.setContentsMargins(6, 4, 6, 6)
    return group, layout


def _read_only(view: QAbstractItemView, spoken_as: str) -> None:
    view.setAccessibleName(spoken_as)
    view.setAccessibleDescription(not_shown_text())
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setMinimumHeight(view.fontMetrics().height() * 3)


def list_group(title: str, object_name: str, parent: QWidget | None = None) -> tuple[QGroupBox, QListView]:
    """A titled group holding an empty list view named `object_name`, spoken as `title`."""
    group, layout = _group(title, parent)
    view = HintListView(group, not_shown_text())
    view.setObjectName(object_name)
    _read_only(view, title)
    layout.addWidget(view)
    return group, view


def table_group(title: str, object_name: str, parent: QWidget | None = None) -> tuple[QGroupBox, QTableView]:
    """A titled group holding an empty table view named `object_name`, spoken as `title`."""
    group, layout = _group(title, parent)
    view = HintTableView(group, not_shown_text())
    view.setObjectName(object_name)
    _read_only(view, title)
    view.verticalHeader().hide()
    layout.addWidget(view)
    return group, view


def panel_group(
    title: str, object_name: str, view_name: str, parent: QWidget | None = None
) -> tuple[QGroupBox, QListView]:
    """A titled group that is the panel named `object_name`, holding an empty list spoken as `view_name`."""
    group, layout = _group(title, parent)
    group.setObjectName(object_name)
    view = HintListView(group, not_shown_text())
    _read_only(view, view_name)
    layout.addWidget(view)
    return group, view
