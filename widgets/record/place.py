"""The record feature in the window: its controller (none while nobody is signed in) and its row of
buttons, wired to the signals it needs. Given those signals, never the window."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, SignalInstance

from console.clock import Clock
from domain.records import CaseSummary
from widgets.jobs import Jobs
from widgets.record.actions import RecordActions
from widgets.record.controller import RecordController

if TYPE_CHECKING:
    from widgets.workbench import Workbench


def build_record(
    jobs: Jobs,
    workbench: Workbench | None,
    clock: Clock,
    zone: ZoneInfo,
    selected_case: Callable[[], CaseSummary | None],
    parent: QObject,
) -> RecordController | None:
    """The controller; None while nobody is signed in (nothing could be written down)."""
    if workbench is None:
        return None
    return RecordController(jobs, workbench, clock, zone, selected_case=selected_case, parent=parent)


def place_record(
    record: RecordController | None, call_ended: SignalInstance, customer_opened: SignalInstance
) -> RecordActions:
    """The button row, wired: a call that ends opens its wrap-up; a customer opened is the one the
    buttons act on, and their wrap-ups left unsaved come back (those of anyone, once, at start)."""
    actions = RecordActions()
    if record is None:
        return actions  # the buttons stay off
    record.attach(actions)
    call_ended.connect(record.call_ended)
    customer_opened.connect(record.customer_opened)
    record.offer_drafts()
    return actions
