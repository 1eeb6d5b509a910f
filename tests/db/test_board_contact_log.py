"""The board's one-pass read of the contact log counts exactly what the two SQL definitions count."""

from __future__ import annotations

from datetime import datetime

import pytest

from console.board.periods import PeriodKind, period
from storage.queries import board as sql
from tests.db.test_board_reads import NOW, Log, at, log  # noqa: F401 (the fixture)


@pytest.mark.parametrize(
    "kind", [PeriodKind.TODAY, PeriodKind.THIS_WEEK, PeriodKind.THIS_MONTH, PeriodKind.LAST_4_WEEKS]
)
@pytest.mark.parametrize("now", [NOW, at(30, 12)])
def test_one_pass_equals_the_sql_definitions(log: Log, kind: PeriodKind, now: datetime) -> None:  # noqa: F811
    chosen = period(kind, now)
    bounds = chosen.weeks()
    with log.store.read() as session:
        one_pass = sql.contact_log(session, bounds, chosen.start, chosen.end)
        tallies = sql.contact_tallies(session, bounds, chosen.start, chosen.end)
        multichannel = sql.multichannel_cases_by_week(session, bounds)
    assert sorted(one_pass.tallies, key=repr) == sorted(tallies, key=repr)
    assert one_pass.multichannel == multichannel
    assert sum(t.repeats for t in one_pass.tallies) > 0
