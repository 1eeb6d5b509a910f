"""Normal forms: every way a customer reads a number or postcode out finds the same record."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.normalise import (
    email_key,
    format_phone,
    format_postcode,
    name_key,
    phone_e164,
    phone_prefix,
    postcode_key,
)


@pytest.mark.parametrize(
    "spoken",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+447700900123",
        "(0)7700-900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "07700-900-123",
        " 07700 900 123 ",
    ],
)
def test_every_spoken_form_gives_the_same_e164(spoken: str) -> None:
    assert phone_e164(spoken) == "+447700900123"
    assert phone_prefix(spoken) == "+447700900123"


def test_landline() -> None:
    assert phone_e164("020 7946 0018") == "+442079460018"
    assert format_phone("+442079460018") == "020 7946 0018"


@pytest.mark.parametrize("junk", ["", "abc", "123", "'; DROP TABLE customers;--", "☎️☎️", "0" * 200])
def test_not_a_number(junk: str) -> None:
    assert phone_e164(junk) is None


def test_partial_numbers_become_e164_prefixes() -> None:
    assert phone_prefix("07700 9") == "+4477009"
    assert phone_prefix("+44 77") == "+4477"
    assert phone_prefix("0") is None


@pytest.mark.parametrize("typed", ["sw1a 1aa", "SW1A1AA", " Sw1A  1aA ", "SW1A 1AA"])
def test_postcodes(typed: str) -> None:
    assert postcode_key(typed) == "SW1A1AA"
    assert format_postcode(typed) == "SW1A 1AA"


def test_short_postcodes() -> None:
    assert format_postcode("m11ae") == "M1 1AE"
    assert format_postcode("B33 8TH") == "B33 8TH"
    assert format_postcode("not a postcode") is None


def test_names_fold_case_and_accents() -> None:
    assert name_key("Zoë") == name_key("ZOE") == "zoe"
    assert name_key("O'Brien-Smith") == "o'brien-smith"
    assert email_key(" Priya.Shah@Example.CO.UK ") == "priya.shah@example.co.uk"


@given(st.text(max_size=300))
def test_normalisers_never_raise(text: str) -> None:
    phone_e164(text)
    phone_prefix(text)
    postcode_key(text)
    format_postcode(text)
    name_key(text)


@given(st.integers(min_value=7_400_000_000, max_value=7_999_999_999))
def test_uk_mobiles_round_trip(number: int) -> None:
    national = f"0{number}"
    e164 = phone_e164(national)
    if e164 is not None:
        assert phone_e164(format_phone(e164)) == e164
