"""How records read on screen: vocabulary labels, local times, dates and ages, all translatable."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QCoreApplication

from domain.vocabulary import Channel, Direction

APPLICATION_NAME = "Advisor Console"


def window_title(*parts: str) -> str:
    """`parts` and then the program's name, once: the platform adds the name to a title that does
    not end with it (so "Advisor Console — Advisor" would read "… — Advisor — Advisor Console")."""
    return " — ".join([*parts, APPLICATION_NAME])


def _t(text: str, context: str = "Display") -> str:
    return QCoreApplication.translate(context, text)


def channel_label(channel: Channel) -> str:
    labels = {
        Channel.PHONE: _t("Phone"),
        Channel.EMAIL: _t("Email"),
        Channel.SOCIAL: _t("Social"),
        Channel.LETTER: _t("Letter"),
        Channel.CHAT: _t("Chat"),
        Channel.VISIT: _t("Visit"),
        Channel.SYSTEM: _t("System"),
    }
    return labels[channel]


def direction_label(direction: Direction) -> str:
    labels = {
        Direction.INBOUND: _t("Inbound"),
        Direction.OUTBOUND: _t("Outbound"),
        Direction.INTERNAL: _t("Internal"),
    }
    return labels[direction]


def local_time(moment: datetime) -> str:
    """A stored UTC time in the workstation's time zone: `Tue 24 Nov 2026 14:05`."""
    return moment.astimezone().strftime("%a %d %b %Y %H:%M")


def long_date(day: date) -> str:
    """`24 Nov 2026`."""
    return day.strftime("%d %b %Y").lstrip("0")


def age(since: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit that reads naturally: `40 minutes`, `5 hours`, `3 days`."""
    elapsed = max(now - since, timedelta(0))
    if elapsed < timedelta(hours=1):
        minutes = int(elapsed.total_seconds() // 60)
        return _t("1 minute") if minutes == 1 else _t("%n minutes").replace("%n", str(minutes))
    if elapsed < timedelta(days=1):
        hours = int(elapsed.total_seconds() // 3600)
        return _t("1 hour") if hours == 1 else _t("%n hours").replace("%n", str(hours))
    days = elapsed.days
    return _t("1 day") if days == 1 else _t("%n days").replace("%n", str(days))


def yes_no(value: bool) -> str:
    return _t("Yes") if value else _t("No")


def one_line(text: str) -> str:
    """Folds line breaks and runs of spaces, so a row never grows taller than its neighbours."""
    return " ".join(text.split())
