"""What the search box makes of each kind of input, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.search import MAX_QUERY_LENGTH, Probe, ProbeKind, plan_search


def kinds(text: str) -> list[ProbeKind]:
    return [probe.kind for probe in plan_search(text)]


def test_account_number_is_also_tried_as_nothing_else() -> None:
    assert plan_search("40000001") == [Probe(ProbeKind.ACCOUNT, ("40000001",))]


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "(0)7700-900123"])
def test_phone_forms(typed: str) -> None:
    assert plan_search(typed) == [Probe(ProbeKind.PHONE, ("+447700900123",))]


def test_international_digits_are_tried_as_account_and_phone() -> None:
    assert kinds("447700900123") == [ProbeKind.ACCOUNT]
    assert kinds("+447700") == [ProbeKind.PHONE]


@pytest.mark.parametrize("typed", ["sw1a 1aa", "SW1A1AA", "SW1A", "m1 1"])
def test_postcodes(typed: str) -> None:
    assert kinds(typed) == [ProbeKind.POSTCODE]


def test_email() -> None:
    assert plan_search("Priya.Shah@Example") == [Probe(ProbeKind.EMAIL, ("priya.shah@example",))]


def test_names() -> None:
    assert plan_search("  Priya   SHAH ") == [Probe(ProbeKind.NAME, ("priya", "shah"))]
    assert plan_search("Zoë") == [Probe(ProbeKind.NAME, ("zoe",))]


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "x" * 10_000,
        "'; DROP TABLE customers;--",
        "%_%",
        "😀😀",
        "\u202e\u202d",
        "12ab34cd",
    ],
)
def test_junk_plans_nothing_or_something_harmless(junk: str) -> None:
    for probe in plan_search(junk):
        assert all(len(key) <= MAX_QUERY_LENGTH for key in probe.keys)


def test_right_to_left_names_are_searched_as_names() -> None:
    assert kinds("\u200fمحمد") == [ProbeKind.NAME]


@given(st.text(max_size=500))
def test_plan_never_raises(text: str) -> None:
    plan_search(text)
