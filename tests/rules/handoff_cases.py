"""One table of acknowledge-by cases: when a handoff made at a moment must be acknowledged by the
receiving team, in UK working hours (Monday to Friday 08:00 to 18:00 London time, England and Wales bank
holidays skipped). Run against the console's `handoff_rules.acknowledge_by`
(tests/unit/test_handoff_ack_cases.py) and against the server's check of `handoff.create`
(tests/db/test_server_handoff_ack_cases.py): the two calendars cannot drift apart.

Each row: a name, when the handoff is made and when it must be acknowledged (London wall-clock
times), and the receiving team (resources/teams.toml gives its acknowledge hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.vocabulary import Team

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class AckCase:
    name: str
    made: datetime  # London time
    team: Team
    due: datetime  # London time

    @property
    def made_utc(self) -> datetime:
        return self.made.astimezone(UTC)

    @property
    def due_utc(self) -> datetime:
        return self.due.astimezone(UTC)


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


ACK_CASES = [
    AckCase("a weekday morning: two hours on", _at(2026, 11, 25, 10), Team.TECHNICAL, _at(2026, 11, 25, 12)),
    AckCase(
        "late afternoon carries over to the next morning",
        _at(2026, 11, 25, 17),
        Team.PROVISIONING,
        _at(2026, 11, 26, 11),
    ),
    AckCase("Friday evening waits for Monday", _at(2026, 11, 27, 19), Team.TECHNICAL, _at(2026, 11, 30, 10)),
    AckCase(
        "before opening, the clock starts at eight",
        _at(2026, 11, 24, 6, 30),
        Team.SALES,
        _at(2026, 11, 24, 16),
    ),
    AckCase(
        "Christmas Day, Boxing Day and the weekend are skipped",
        _at(2025, 12, 24, 15),
        Team.BILLING,
        _at(2025, 12, 29, 13),
    ),
    AckCase(
        "Good Friday and Easter Monday are skipped", _at(2026, 4, 2, 16), Team.SALES, _at(2026, 4, 7, 14)
    ),
    AckCase("summer time: London hours, not UTC", _at(2026, 7, 1, 9), Team.TECHNICAL, _at(2026, 7, 1, 11)),
    AckCase(
        "the clocks go forward over the weekend",
        _at(2026, 3, 27, 17),
        Team.PROVISIONING,
        _at(2026, 3, 30, 11),
    ),
    AckCase(
        "the early May bank holiday is skipped",
        _at(2026, 5, 1, 17, 30),
        Team.COMPLAINTS,
        _at(2026, 5, 5, 11, 30),
    ),
    AckCase(
        "made on the summer bank holiday itself", _at(2026, 8, 31, 10), Team.FRONT_LINE, _at(2026, 9, 1, 10)
    ),
]
