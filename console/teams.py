"""The teams work is handed to and each one's acknowledge time (resources/teams.toml), read without
ever failing: a file the console cannot use gives the built-in times and the problem, with its line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path

from domain.vocabulary import Team

TEAMS_FILE = "teams.toml"
MAX_WORDS = 40
MAX_HOURS = 40
_LINE = re.compile(r"line (\d+)")

# Used when the file cannot be: the times the console has always had.
BUILT_IN_HOURS = {
    Team.FRONT_LINE: 2,
    Team.SALES: 8,
    Team.PROVISIONING: 4,
    Team.TECHNICAL: 2,
    Team.BILLING: 8,
    Team.FIELD_ENGINEERS: 4,
    Team.COMPLAINTS: 4,
}


@dataclass(frozen=True)
class TeamInfo:
    team: Team
    words: str
    acknowledge_hours: int

    @property
    def acknowledge_within(self) -> timedelta:
        return timedelta(hours=self.acknowledge_hours)


@dataclass(frozen=True)
class TeamList:
    """Every team, in file order; `problem` says, in a line, why the file could not be used."""

    teams: tuple[TeamInfo, ...]
    problem: str | None = None

    def info(self, team: Team) -> TeamInfo:
        found = next((t for t in self.teams if t.team is team), None)
        return found or TeamInfo(team, team.value.replace("_", " ").capitalize(), BUILT_IN_HOURS[team])


def built_in(problem: str | None = None) -> TeamList:
    infos = (TeamInfo(t, t.value.replace("_", " ").capitalize(), h) for t, h in BUILT_IN_HOURS.items())
    return TeamList(tuple(infos), problem)


def default_teams_path() -> Path:
    return Path(str(files("resources").joinpath(TEAMS_FILE)))


def load_teams(path: Path | None = None) -> TeamList:
    path = path or default_teams_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return built_in(f"{path.name}: cannot be read ({getattr(error, 'strerror', None) or error})")
    return parse_teams(text, path.name)


@cache
def standard_teams() -> TeamList:
    """The shipped file, read once per process."""
    return load_teams()


def parse_teams(text: str, file_name: str = TEAMS_FILE) -> TeamList:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _LINE.search(str(error))
        at = f" line {found.group(1)}" if found else ""
        detail = str(error).split(" (at ")[0]
        return built_in(f"{file_name}{at}: not valid TOML ({detail})")
    lines = text.splitlines()

    def fail(message: str, code: str | None = None) -> TeamList:
        where = _line_of(lines, code)
        at = f" line {where}" if where else ""
        return built_in(f"{file_name}{at}: {message}")

    table = data.get("teams")
    if not isinstance(table, dict) or not table:
        return fail("no [teams] table: list the teams as code = { words = ..., acknowledge_hours = N }")
    known = {t.value: t for t in Team}
    infos: list[TeamInfo] = []
    for code, entry in table.items():
        if code not in known:
            return fail(f"{code[:40]!r} is not a team (one of {', '.join(known)})", code)
        if not isinstance(entry, dict):
            return fail(f"give {code!r} as {{ words = ..., acknowledge_hours = N }}", code)
        words, hours = entry.get("words"), entry.get("acknowledge_hours")
        if not isinstance(words, str) or not words.strip() or len(words.strip()) > MAX_WORDS:
            return fail(f"give the words for {code!r} in quotes (at most {MAX_WORDS} characters)", code)
        if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
            return fail(f"acknowledge_hours for {code!r} must be a whole number from 1 to {MAX_HOURS}", code)
        infos.append(TeamInfo(known[code], words.strip(), hours))
    missing = [t.value for t in Team if t.value not in table]
    if missing:
        return fail(f"every team needs a line: {', '.join(missing)} missing")
    return TeamList(tuple(infos))


def _line_of(lines: list[str], code: str | None) -> int | None:
    if code is None:
        return None
    for number, line in enumerate(lines, start=1):
        key = line.split("=", 1)[0].strip().strip('"').strip("'")
        if "=" in line and key == code:
            return number
    return None
