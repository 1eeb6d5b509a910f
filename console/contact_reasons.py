"""The coded list of contact reasons a wrap-up offers (resources/contact_reasons.toml), read without
ever failing: a file the console cannot use gives an empty list and the problem, with its line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from console.contact_rules import MAX_REASON_CODE, REASON_CODE

REASONS_FILE = "contact_reasons.toml"
MAX_WORDS = 80
_LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class ContactReason:
    code: str
    words: str


@dataclass(frozen=True)
class ReasonList:
    """The reasons in file order; `problem` says, in a line, why the file could not be used."""

    reasons: tuple[ContactReason, ...]
    problem: str | None = None

    def words_for(self, code: str | None) -> str | None:
        return next((r.words for r in self.reasons if r.code == code), None)

    def has(self, code: str) -> bool:
        return any(r.code == code for r in self.reasons)


def default_reasons_path() -> Path:
    return Path(str(files("resources").joinpath(REASONS_FILE)))


def load_reasons(path: Path | None = None) -> ReasonList:
    path = path or default_reasons_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return ReasonList((), f"{path.name}: cannot be read ({getattr(error, 'strerror', None) or error})")
    return parse_reasons(text, path.name)


def parse_reasons(text: str, file_name: str = REASONS_FILE) -> ReasonList:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _LINE.search(str(error))
        at = f" line {found.group(1)}" if found else ""
        detail = str(error).split(" (at ")[0]
        return ReasonList((), f"{file_name}{at}: not valid TOML ({detail})")
    lines = text.splitlines()

    def fail(message: str, code: str | None = None) -> ReasonList:
        where = _line_of(lines, code)
        at = f" line {where}" if where else ""
        return ReasonList((), f"{file_name}{at}: {message}")

    table = data.get("reasons")
    if not isinstance(table, dict) or not table:
        return fail('no [reasons] table: list the reasons as code = "words" under [reasons]')
    reasons: list[ContactReason] = []
    for code, words in table.items():
        if not REASON_CODE.fullmatch(code):
            return fail(
                f"{code[:MAX_REASON_CODE]!r} is not a reason code (a-z, 0-9, _ or -, at most "
                f"{MAX_REASON_CODE} characters)",
                code,
            )
        if not isinstance(words, str) or not words.strip():
            return fail(f"give the words for {code!r} in quotes", code)
        if len(words.strip()) > MAX_WORDS:
            return fail(f"the words for {code!r} are too long (at most {MAX_WORDS} characters)", code)
        reasons.append(ContactReason(code, words.strip()))
    return ReasonList(tuple(reasons))


def _line_of(lines: list[str], code: str | None) -> int | None:
    if code is None:
        return None
    for number, line in enumerate(lines, start=1):
        key = line.split("=", 1)[0].strip().strip('"').strip("'")
        if "=" in line and key == code:
            return number
    return None
