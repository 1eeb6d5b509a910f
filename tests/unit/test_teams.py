"""The teams file (resources/teams.toml): read as shipped, a bad line named, and acknowledge-by times
in UK working hours across a weekend and a bank holiday."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.handoff_rules import acknowledge_by
from console.teams import load_teams, parse_teams, standard_teams
from console.working_time import WorkingHours
from domain.vocabulary import Team
from storage.errors import StoreError

GOOD = """[teams]
front_line = { words = "Front line", acknowledge_hours = 2 }
sales = { words = "Sales", acknowledge_hours = 8 }
provisioning = { words = "Provisioning", acknowledge_hours = 4 }
technical = { words = "Technical", acknowledge_hours = 2 }
billing = { words = "Billing", acknowledge_hours = 8 }
field_engineers = { words = "Field engineers", acknowledge_hours = 4 }
complaints = { words = "Complaints", acknowledge_hours = 4 }
"""


def test_the_shipped_file_names_every_team() -> None:
    teams = load_teams()
    assert teams.problem is None
    assert {t.team for t in teams.teams} == set(Team)
    assert teams.info(Team.PROVISIONING).acknowledge_hours == 4


def test_a_bad_line_is_named_and_the_built_in_times_stay() -> None:
    broken = GOOD.replace("acknowledge_hours = 8 }\nprov", "acknowledge_hours = 0 }\nprov")
    teams = parse_teams(broken)
    assert (
        teams.problem
        == "teams.toml line 3: acknowledge_hours for 'sales' must be a whole number from 1 to 40"
    )
    assert teams.info(Team.SALES).acknowledge_hours == 8
    unknown = parse_teams(GOOD + 'legal = { words = "Legal", acknowledge_hours = 4 }\n')
    assert unknown.problem is not None and unknown.problem.startswith(
        "teams.toml line 9: 'legal' is not a team"
    )
    not_toml = parse_teams(GOOD.replace("sales = {", "sales = {{"))
    assert not_toml.problem is not None and not_toml.problem.startswith("teams.toml line 3: not valid TOML")
    missing = parse_teams("\n".join(GOOD.splitlines()[:-1]))
    assert missing.problem == "teams.toml: every team needs a line: complaints missing"


def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    teams = load_teams(tmp_path / "teams.toml")
    assert teams.problem is not None and teams.problem.startswith("teams.toml: cannot be read")
    assert len(teams.teams) == len(Team)


def test_edited_hours_change_the_acknowledge_by() -> None:
    slower = parse_teams(
        GOOD.replace('"Technical", acknowledge_hours = 2', '"Technical", acknowledge_hours = 5')
    )
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    # 2 hours on Friday, 3 on Monday morning.
    assert acknowledge_by(friday_4pm, Team.TECHNICAL, WorkingHours(), slower) == datetime(
        2026, 11, 30, 11, 0, tzinfo=UTC
    )


def test_acknowledge_by_skips_the_weekend() -> None:
    friday_5pm = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # GMT: 17:00 local, an hour before closing
    assert acknowledge_by(friday_5pm, Team.PROVISIONING, WorkingHours(), standard_teams()) == datetime(
        2026, 11, 30, 11, 0, tzinfo=UTC
    )


def test_acknowledge_by_skips_christmas_and_boxing_day_and_the_weekend() -> None:
    # Thursday 24 December 2026, 16:00: 2 hours that day; 25 (Fri) and 28 (Mon, Boxing Day substitute)
    # are bank holidays, 26-27 the weekend; the other 6 of Sales' 8 hours on Tuesday 29th.
    christmas_eve = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)
    assert acknowledge_by(christmas_eve, Team.SALES, WorkingHours()) == datetime(
        2026, 12, 29, 14, 0, tzinfo=UTC
    )


def test_server_init_stops_at_a_bad_teams_file_naming_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import console.teams
    from console.admin_commands import cmd_server

    monkeypatch.setattr(console.teams, "load_teams", lambda: parse_teams(GOOD.replace("= 4 }", "= 99 }", 1)))
    with pytest.raises(StoreError) as refused:
        cmd_server(argparse.Namespace())
    assert str(refused.value) == (
        "teams.toml line 4: acknowledge_hours for 'provisioning' must be a whole number from 1 to 40: "
        "the server was not changed"
    )
