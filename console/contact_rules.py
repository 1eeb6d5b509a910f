"""What a contact on the timeline must hold (a summary in words, a short reason code, a duration), in
the same words the server's api.contact_add refuses with."""

from __future__ import annotations

import re

from domain.vocabulary import Channel, Direction

# api.contact_add: text_field(p, 'summary', 10000, 'write what happened').
MAX_SUMMARY = 10_000
MAX_SUBJECT = 200
MAX_REASON_CODE = 40
REASON_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
MAX_DURATION_SECONDS = 86_400
# The channels an advisor logs by hand (system lines are the console's own).
LOGGED_CHANNELS = (
    Channel.PHONE,
    Channel.EMAIL,
    Channel.LETTER,
    Channel.VISIT,
    Channel.SOCIAL,
    Channel.CHAT,
)
LOGGED_DIRECTIONS = (Direction.INBOUND, Direction.OUTBOUND)


class ContactRuleError(ValueError):
    """A contact that cannot be recorded; the message says why, for the field."""


def check_summary(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ContactRuleError("write what happened")
    if len(cleaned) > MAX_SUMMARY:
        raise ContactRuleError(
            f"the summary is too long ({len(cleaned):,} characters, at most {MAX_SUMMARY:,})"
        )
    return cleaned


def check_reason_code(code: str | None) -> str | None:
    """None (no reason given) or a short code; whether it is on the list is the console's concern."""
    if code is None or not code.strip():
        return None
    code = code.strip()
    if not REASON_CODE.fullmatch(code):
        raise ContactRuleError(
            f"the contact reason must be a short code (a-z, 0-9, _ or -, at most {MAX_REASON_CODE})"
        )
    return code


def check_duration(seconds: int | None) -> int | None:
    if seconds is None:
        return None
    if not 0 <= seconds <= MAX_DURATION_SECONDS:
        raise ContactRuleError(f"the duration must be 0 to {MAX_DURATION_SECONDS:,} seconds")
    return seconds


def check_logged(channel: Channel, direction: Direction) -> None:
    if channel not in LOGGED_CHANNELS:
        raise ContactRuleError("choose how the customer was in touch: " + ", ".join(LOGGED_CHANNELS))
    if direction not in LOGGED_DIRECTIONS:
        raise ContactRuleError("choose whether the customer contacted us or we contacted them")


def duration_words(seconds: int) -> str:
    """`754` -> `12 min 34 s`: how long a call took, for its timeline line."""
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {rest:02d} s"
    return f"{rest} s"


def call_heading(reason_words: str, seconds: int, number: str | None = None) -> str:
    """A wrapped-up call's line on the timeline: `Reporting a fault (12 min 34 s), +447700900123`."""
    heading = f"{reason_words} ({duration_words(seconds)})"
    return (f"{heading}, {number}" if number else heading)[:MAX_SUBJECT]
