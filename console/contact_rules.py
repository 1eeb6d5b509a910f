"""What a contact on the timeline must hold (a summary in words, a short reason code, a duration), in
the same words the server's api.contact_add refuses with."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.vocabulary import Channel, Direction

if TYPE_CHECKING:
    from console.contact_reasons import ReasonList

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


CHANNEL_WORDS = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.LETTER: "Letter",
    Channel.VISIT: "Visit",
    Channel.SOCIAL: "Social",
    Channel.CHAT: "Chat",
}


@dataclass(frozen=True)
class ContactEntry:
    """A contact logged by hand: how, which way, what was said, and the case it was about."""

    customer_id: uuid.UUID
    channel: Channel
    direction: Direction
    summary: str
    case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class WrapUp:
    """What the advisor writes down when a call ends; `draft_id` names its draft, deleted on save."""

    customer_id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    reason_code: str | None
    note: str
    case_id: uuid.UUID | None = None
    number: str | None = None
    draft_id: uuid.UUID | None = None


def check_wrap_up(wrap: WrapUp, reasons: ReasonList) -> tuple[str | None, int, str]:
    """The reason code, the duration in seconds and the note as they will be stored. A reason from
    the list is required, unless the list could not be read (then the call is saved without one)."""
    code = check_reason_code(wrap.reason_code)
    if reasons.reasons:
        if code is None:
            raise ContactRuleError("choose the contact reason")
        if not reasons.has(code):
            raise ContactRuleError(f"{code!r} is not on the list of contact reasons")
    seconds = check_duration(max(int((wrap.ended_at - wrap.started_at).total_seconds()), 0))
    assert seconds is not None
    return code, seconds, check_summary(wrap.note)
