"""How soon a change notice may start a pull: a floor between pulls, doubled while pulls bring
nothing, so notices from anyone (any login can NOTIFY the channel) cannot make a workstation pull
without pause."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

FLOOR = timedelta(seconds=1)
CEILING = timedelta(seconds=30)


@dataclass
class PullPacing:
    """Notices only mark a pull as wanted; the engine starts it when `allowed_at` has come."""

    floor: timedelta = FLOOR
    ceiling: timedelta = CEILING
    gap: timedelta = field(init=False)
    last_pull: datetime | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.gap = self.floor

    def allowed_at(self) -> datetime | None:
        """When a notice may start the next pull (None: at once)."""
        return None if self.last_pull is None else self.last_pull + self.gap

    def wait(self, now: datetime) -> float:
        """Seconds until a notice may start a pull (0: now)."""
        allowed = self.allowed_at()
        return 0.0 if allowed is None else max((allowed - now).total_seconds(), 0.0)

    def pulled(self, at: datetime, *, brought: bool, noticed: bool = True) -> None:
        """After a pull: the floor again when it moved the cursor; twice the gap (to the ceiling)
        when a notice asked for it and it brought nothing."""
        self.last_pull = at
        if brought:
            self.gap = self.floor
        elif noticed:
            self.gap = min(self.gap * 2, self.ceiling)
