"""Who is calling: numbers, tel: and callto: URLs, withheld callers, and everything else refused."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.calls import (
    MAX_CALLER_INPUT,
    SHOWN_PREFIX,
    Caller,
    CallerInputError,
    CallRecord,
    format_duration,
    parse_caller,
    shown,
)

UK = "+447700900123"


@pytest.mark.parametrize(
    "given_text",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "  07700-900-123  ",
        "tel:+447700900123",
        "TEL:+44-7700-900-123",
        "tel:+44.7700.900.123",
        "tel:+44(7700)900123",
        "tel:07700900123",
        "tel:07700900123;phone-context=+44",
        "tel:7700900123;phone-context=+44",
        "tel:07700-900123;phone-context=example.com",
        "tel:+447700900123;ext=201",
        "tel:+447700900123;isub=12;unknown-param=1",
        "tel://+447700900123",
        "tel:%2B44%207700%20900123",
        "tel:%2b447700900123",
        "callto:+447700900123",
        "callto://+447700900123",
        "CallTo://07700%20900123",
        "callto:+447700900123?call",
        "callto:07700/900123",
    ],
)
def test_every_form_of_the_same_number(given_text: str) -> None:
    assert parse_caller(given_text) == Caller(UK)


def test_phone_context_names_the_country_of_a_local_number() -> None:
    assert parse_caller("tel:202-555-0123;phone-context=+1") == Caller("+12025550123")
    assert parse_caller("tel:+1-202-555-0123") == Caller("+12025550123")


@pytest.mark.parametrize(
    "given_text",
    [
        "",
        "   ",
        "withheld",
        "Anonymous",
        "PRIVATE",
        "unknown",
        " Withheld ",
        "tel:anonymous",
        "callto:private",
    ],
)
def test_withheld(given_text: str) -> None:
    caller = parse_caller(given_text)
    assert caller.withheld
    assert caller.e164 is None
    assert caller.spoken == ""


@pytest.mark.parametrize(
    "junk",
    [
        "hello",
        "call me back",
        "sip:alice@example.com",
        "mailto:someone@example.com",
        "http://example.com/+447700900123",
        "tel:",
        "tel:+",
        "callto://skype.username",
        "0800 FLOWERS",
        "+44",
        "12",
        "07700 900123; rm -rf /",
        "tel:+44\x1b[2J7700900123",
        "tel:%ZZ447700900123",
        "０７７００ ９００１２３",  # full-width digits: not what a softphone sends
        "07700\n900123",
        "x" * (MAX_CALLER_INPUT + 1),
    ],
)
def test_refused(junk: str) -> None:
    with pytest.raises(CallerInputError) as refused:
        parse_caller(junk)
    message = str(refused.value)
    assert "\n" not in message
    assert "\x1b" not in message
    if len(junk) > SHOWN_PREFIX:
        assert junk not in message


def test_too_long_says_so_without_repeating_it() -> None:
    junk = "0" * 5000
    with pytest.raises(CallerInputError, match="too long") as refused:
        parse_caller(junk)
    assert len(str(refused.value)) < 150


def test_shown_is_short_and_escaped() -> None:
    assert shown("abc") == "abc"
    assert shown("\x1b[31mred alert") == "\\x1b[31mred a…"
    assert len(shown("z" * 1000)) == SHOWN_PREFIX + 1


def test_spoken_number_is_national_for_uk_and_international_otherwise() -> None:
    assert Caller(UK).spoken == "07700 900123"
    assert Caller("+12025550123").spoken == "+1 202-555-0123"


@st.composite
def uk_mobiles(draw: st.DrawFn) -> str:
    return f"+4477009{draw(st.integers(min_value=0, max_value=99999)):05d}"


@given(uk_mobiles(), st.sampled_from(["NATIONAL", "INTERNATIONAL", "E164", "RFC3966"]))
def test_any_uk_mobile_in_any_format_round_trips(e164: str, style: str) -> None:
    number = phonenumbers.parse(e164, None)
    written = phonenumbers.format_number(number, getattr(phonenumbers.PhoneNumberFormat, style))
    assert parse_caller(written) == Caller(e164)
    assert parse_caller(f"callto:{written.removeprefix('tel:')}") == Caller(e164)


@given(st.text(max_size=300))
def test_any_text_is_a_caller_or_a_clean_refusal(text: str) -> None:
    try:
        caller = parse_caller(text)
    except CallerInputError as refused:
        message = str(refused)
        assert "\n" not in message
        assert len(message) < 200
        if len(text) > SHOWN_PREFIX:
            assert text not in message
    else:
        assert caller.e164 is None or (caller.e164.startswith("+") and caller.e164[1:].isdigit())


@given(st.text(alphabet="0123456789 -.()+/", max_size=40))
def test_digit_soup_never_raises_anything_else(text: str) -> None:
    with contextlib.suppress(CallerInputError):
        parse_caller(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (7, "0:07"), (59, "0:59"), (60, "1:00"), (754, "12:34"), (3723, "1:02:03"), (-5, "0:00")],
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


def test_call_record_duration() -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    record = CallRecord(UK, uuid.uuid4(), start, start + timedelta(minutes=4, seconds=12))
    assert record.duration == timedelta(minutes=4, seconds=12)
