"""The call in hand, Qt-free: read who is calling from what a softphone hands over, and the call's record.

A softphone gives a number (`07700 900123`, `+44 7700 900123`), a `tel:` URL (RFC 3966) or a
`callto:` URL, or says the number is withheld. `parse_caller` turns any of them into a `Caller` with
the number in E.164 (UK by default, through console.normalise), or refuses it with a message that
never repeats the input back whole.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote

from console.normalise import DEFAULT_REGION, format_phone, phone_e164

# Nothing a softphone hands over for a caller is longer; longer input is refused before it is read.
MAX_CALLER_INPUT = 200
# How much of refused input a message may show (escaped), so a message never carries it whole.
SHOWN_PREFIX = 10
WITHHELD_WORDS = frozenset({"withheld", "anonymous", "private", "unknown"})
SCHEMES = ("tel:", "callto:")
# What may stand in a number once the URL's scheme and parameters are gone: digits, a leading `+`,
# and the visual separators people and RFC 3966 use.
NUMBER_TEXT = re.compile(r"\+?[0-9 \-.()/]+", re.ASCII)


class CallerInputError(ValueError):
    """What a softphone handed over is not a caller; the message is safe to show (input clipped)."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: `e164` is None when the number is withheld."""

    e164: str | None

    @property
    def withheld(self) -> bool:
        return self.e164 is None

    @property
    def spoken(self) -> str:
        """The number as a customer says it (`07700 900123` for UK numbers); empty when withheld."""
        return format_phone(self.e164) if self.e164 is not None else ""


@dataclass(frozen=True)
class CallRecord:
    """One call, for the wrap-up: the number (None if withheld), the customer it was about, its times."""

    number: str | None
    customer_id: uuid.UUID | None
    started_at: datetime
    ended_at: datetime

    @property
    def duration(self) -> timedelta:
        return self.ended_at - self.started_at


def shown(text: str) -> str:
    """A short, escaped prefix of `text` for a message: never the whole of a long input, no control
    characters, so a refused input cannot rewrite the terminal or a log line."""
    prefix = text[:SHOWN_PREFIX]
    more = "…" if len(text) > SHOWN_PREFIX else ""
    return ascii(prefix)[1:-1] + more


def _refuse(text: str) -> CallerInputError:
    return CallerInputError(f'not a phone number or a tel:/callto: URL: "{shown(text)}"')


def _split_scheme(text: str) -> tuple[str | None, str]:
    lowered = text.lower()
    for scheme in SCHEMES:
        if lowered.startswith(scheme):
            rest = text[len(scheme) :]
            return scheme, rest[2:] if rest.startswith("//") else rest
    return None, text


def _context_region(context: str) -> str | None:
    """RFC 3966's `phone-context=+44` says which country a local number is in; a domain name says
    nothing we can use (None: the default region applies)."""
    import phonenumbers  # on first use, not at start: its metadata takes a while to import

    digits = context.lstrip("+")
    if not context.startswith("+") or not digits.isdigit():
        return None
    for length in (1, 2, 3):
        region = phonenumbers.region_code_for_country_code(int(digits[:length]))
        if region != "ZZ":
            return region
    return None


def _number_from_url(text: str, scheme: str) -> tuple[str, str]:
    """The number part of a tel: or callto: URL (decoded, parameters dropped) and the region to read it in."""
    body = unquote(text)
    if scheme == "callto:":
        body = body.split("?", 1)[0]
    number, *parameters = body.split(";")
    region = DEFAULT_REGION
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "phone-context" and not number.strip().startswith("+"):
            region = _context_region(value.strip()) or region
    return number.strip(), region


def parse_caller(text: str) -> Caller:
    """Who is calling, from a number, a `tel:`/`callto:` URL, or a withheld marker (an empty number,
    `withheld`, `anonymous`, `private`, `unknown`, `tel:anonymous`); CallerInputError otherwise."""
    if len(text) > MAX_CALLER_INPUT:
        raise CallerInputError(
            f"too long for a phone number or URL ({len(text):,} characters, at most "
            f'{MAX_CALLER_INPUT}): "{shown(text)}"'
        )
    stripped = text.strip()
    scheme, rest = _split_scheme(stripped)
    region = DEFAULT_REGION
    if scheme is not None:
        rest, region = _number_from_url(rest, scheme)
    if rest.lower() in WITHHELD_WORDS or (not rest and scheme is None):
        return Caller(None)
    if not NUMBER_TEXT.fullmatch(rest) or not any(ch.isdigit() for ch in rest):
        raise _refuse(stripped)
    e164 = phone_e164(rest.replace("/", " "), region)
    if e164 is None:
        raise _refuse(stripped)
    return Caller(e164)


def format_duration(elapsed: timedelta) -> str:
    """A call timer: `0:07`, `12:34`, `1:02:03`; never negative (a clock moved back shows 0:00)."""
    seconds = max(int(elapsed.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"
