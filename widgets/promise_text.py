"""How promises and handoffs read on screen: kinds, states, teams, local times and the state colours."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QCoreApplication, QTimeZone
from PySide6.QtGui import QBrush, QColor

from console.handoff_rules import HandoffState
from console.promise_rules import Urgency
from domain.vocabulary import HandoffKind, PromiseKind, PromiseStatus, Team

# Text colours with a contrast above 4.5:1 on white and on the alternate row grey. The state is
# always written out too: colour only repeats what the words say.
RED = QColor("#a50e0e")
AMBER = QColor("#8a4600")
GREEN = QColor("#1e6b2e")
GREY = QColor("#555555")
RED_BRUSH = QBrush(RED)
AMBER_BRUSH = QBrush(AMBER)
GREEN_BRUSH = QBrush(GREEN)
GREY_BRUSH = QBrush(GREY)

# Kinds an advisor can promise from the pane (a complaint deadline is set by the complaint itself).
PROMISABLE_KINDS = (
    PromiseKind.CALLBACK,
    PromiseKind.PROGRESS_UPDATE,
    PromiseKind.ENGINEER_VISIT,
    PromiseKind.CREDIT,
    PromiseKind.LETTER,
)


def _t(text: str) -> str:
    return QCoreApplication.translate("Promises", text)


def workstation_zone() -> ZoneInfo:
    """The workstation's time zone as an IANA zone (Qt knows its name on every platform); UTC if unknown."""
    candidates = [bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def short_time(moment: datetime, zone: tzinfo | None) -> str:
    """A stored UTC time in the workstation's zone, without the year: `Tue 24 Nov 14:05`."""
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


def clock_time(moment: datetime, zone: tzinfo | None) -> str:
    """`14:05`."""
    return moment.astimezone(zone).strftime("%H:%M")


def kind_label(kind: PromiseKind) -> str:
    labels = {
        PromiseKind.CALLBACK: _t("Callback"),
        PromiseKind.PROGRESS_UPDATE: _t("Progress update"),
        PromiseKind.ENGINEER_VISIT: _t("Engineer visit"),
        PromiseKind.CREDIT: _t("Credit to apply"),
        PromiseKind.COMPLAINT_DEADLINE: _t("Complaint response"),
        PromiseKind.LETTER: _t("Send a letter"),
    }
    return labels[kind]


def urgency_label(value: Urgency) -> str:
    labels = {
        Urgency.ON_TRACK: _t("On track"),
        Urgency.DUE_SOON: _t("Due soon"),
        Urgency.OVERDUE: _t("Overdue"),
    }
    return labels[value]


def urgency_brush(value: Urgency) -> QBrush:
    return {Urgency.ON_TRACK: GREEN_BRUSH, Urgency.DUE_SOON: AMBER_BRUSH, Urgency.OVERDUE: RED_BRUSH}[value]


def ended_label(status: PromiseStatus) -> str:
    labels = {
        PromiseStatus.OPEN: _t("Open"),
        PromiseStatus.DONE: _t("Done"),
        PromiseStatus.NOT_REACHABLE: _t("Not reachable"),
        PromiseStatus.RESCHEDULED: _t("Rescheduled"),
    }
    return labels[status]


def team_label(team: Team) -> str:
    labels = {
        Team.FRONT_LINE: _t("Front line"),
        Team.SALES: _t("Sales"),
        Team.PROVISIONING: _t("Provisioning"),
        Team.TECHNICAL: _t("Technical"),
        Team.BILLING: _t("Billing"),
        Team.FIELD_ENGINEERS: _t("Field engineers"),
        Team.COMPLAINTS: _t("Complaints"),
    }
    return labels[team]


def handoff_kind_label(kind: HandoffKind) -> str:
    return _t("Order") if kind is HandoffKind.ORDER else _t("Task")


def handoff_brush(state: HandoffState) -> QBrush | None:
    if state is HandoffState.DROPPED:
        return RED_BRUSH
    if state in (HandoffState.LATE, HandoffState.AWAITING):
        return AMBER_BRUSH
    if state in (HandoffState.DONE, HandoffState.CANCELLED):
        return GREY_BRUSH
    return GREEN_BRUSH
