"""The automatic compensation scheme without Qt or a database: the shipped figures file, its checks,
known answers across a weekend, bank holidays and an April uprating, and properties of the money."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.compensation import (
    FactsError,
    SchemeError,
    ServiceFacts,
    Suggestion,
    check_facts,
    covered,
    load_scheme,
    parse_scheme,
    suggest,
)
from console.working_time import LONDON, local_to_utc
from domain.vocabulary import CaseKind

SCHEME = load_scheme()
BROADBAND = CaseKind.BROADBAND_FAULT


def uk(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute), LONDON)


def owed(facts: ServiceFacts, as_of: datetime) -> Suggestion:
    found = suggest(facts, SCHEME, as_of)
    assert found is not None
    return found


# -- the figures file -----------------------------------------------------------------------------


def test_the_shipped_file_names_the_source_and_date_of_every_figure() -> None:
    assert SCHEME.rates[0].effective_from == date(2019, 4, 1)
    first = SCHEME.rates[0]
    assert (first.loss_of_service_per_day, first.delayed_start_per_day, first.missed_appointment) == (
        800,
        500,
        2500,
    )
    assert "Ofcom" in first.source and "2017" in first.source
    for rates in SCHEME.rates:
        assert rates.source
        assert rates.effective_from.month == 4 and rates.effective_from.day == 1
        assert rates.verified or rates.check  # an unverified figure always says what to check
        assert rates.page and rates.page.startswith("https://")  # the exact page it was read at
        if rates.verified:  # verified means read in Ofcom's own publication
            assert "ofcom.org.uk" in rates.page
    assert SCHEME.rates_on(date(2024, 11, 4)) is not None
    assert SCHEME.rates_on(date(2024, 11, 4)).loss_of_service_per_day == 976  # type: ignore[union-attr]
    assert SCHEME.rates_on(date(2019, 3, 31)) is None


GOOD_BLOCK = """
[[rates]]
effective_from = 2019-04-01
loss_of_service_per_day = "8.00"
delayed_start_per_day = "5.00"
missed_appointment = "25.00"
source = "Ofcom statement, 10 November 2017"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('scheme = "x"\n' + GOOD_BLOCK.replace('"8.00"', "8.0"), "line 5, rates[1].loss_of_service_per_day"),
        (
            'scheme = "x"\n' + GOOD_BLOCK.replace('"5.00"', '"5.001"'),
            "line 6, rates[1].delayed_start_per_day",
        ),
        ('scheme = "x"\n' + GOOD_BLOCK.replace('"25.00"', '"-25"'), "line 7, rates[1].missed_appointment"),
        (
            'scheme = "x"\n' + GOOD_BLOCK.replace("2019-04-01", '"April 2019"'),
            "line 4, rates[1].effective_from",
        ),
        ('scheme = "x"\n' + GOOD_BLOCK.replace("source =", "sauce ="), "line 8, rates[1].sauce"),
        ('scheme = "x"\n' + GOOD_BLOCK + "verified = false\n", "rates[1].check"),
        ('scheme = "x"\n' + GOOD_BLOCK + GOOD_BLOCK, "line 11, rates[2].effective_from"),
        ('scheme = "x"\n' + GOOD_BLOCK.replace('source = "Ofcom', 'source = ""\n#'), "rates[1].source"),
        ('scheme = "x"\n', "rates: no [[rates]] blocks"),
        (GOOD_BLOCK, "scheme: give the scheme's name"),
        ('scheme = "x"\n[[rates]\n', "not valid TOML"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_the_line_or_key(text: str, message: str) -> None:
    with pytest.raises(SchemeError) as raised:
        parse_scheme(text, "compensation_scheme.toml")
    assert str(raised.value).startswith("compensation_scheme.toml")
    assert message in str(raised.value)


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SchemeError, match=r"missing\.toml: cannot be read"):
        load_scheme(tmp_path / "missing.toml")


def test_the_file_is_read_at_run_time_so_new_figures_need_no_code(tmp_path: Path) -> None:
    path = tmp_path / "scheme.toml"
    path.write_text('scheme = "test"\n' + GOOD_BLOCK.replace('"8.00"', '"11.11"'), encoding="utf-8")
    facts = ServiceFacts(BROADBAND, uk(date(2024, 11, 4)), uk(date(2024, 11, 7)))
    found = suggest(facts, load_scheme(path), uk(date(2024, 11, 20)))
    assert found is not None and found.total_pence == 1111


# -- known answers --------------------------------------------------------------------------------


def test_the_worked_example() -> None:
    facts = ServiceFacts(BROADBAND, uk(date(2024, 11, 4)), uk(date(2024, 11, 10), 15))
    found = owed(facts, uk(date(2024, 11, 20)))
    assert found.total_pence == 3904
    assert found.words() == (
        "Broadband loss of service reported Mon 4 Nov; repair due by end of Wed 6 Nov "
        "(2nd full working day); restored Sun 10 Nov: 4 days × £9.76 = £39.04"
    )


def test_a_weekend_is_not_a_working_day_but_is_paid_as_a_calendar_day() -> None:
    # Thursday's report: Friday and Monday are the two full working days; Tue and Wed are owed.
    facts = ServiceFacts(CaseKind.LANDLINE_FAULT, uk(date(2024, 11, 7), 17), uk(date(2024, 11, 13), 8))
    found = owed(facts, uk(date(2024, 11, 20)))
    assert "repair due by end of Mon 11 Nov" in found.words()
    assert found.words().endswith("restored Wed 13 Nov: 2 days × £9.76 = £19.52")


def test_a_bank_holiday_is_not_a_working_day() -> None:
    # Summer bank holiday, Mon 26 Aug 2024: Friday's report is due by the end of Wed 28 Aug.
    facts = ServiceFacts(BROADBAND, uk(date(2024, 8, 23), 10), uk(date(2024, 8, 30), 12))
    found = owed(facts, uk(date(2024, 9, 2)))
    assert "repair due by end of Wed 28 Aug" in found.words()
    assert found.total_pence == 2 * 976
    # Christmas: a report on Mon 23 Dec is due by the end of Fri 27 Dec, the 2nd working day after.
    christmas = ServiceFacts(BROADBAND, uk(date(2024, 12, 23)), uk(date(2024, 12, 27), 20))
    found = owed(christmas, uk(date(2025, 1, 6)))
    assert "repair due by end of Fri 27 Dec 2024" in found.words()
    assert found.total_pence == 0 and "in time: nothing owed" in found.words()


def test_days_either_side_of_the_april_uprating_are_paid_at_their_own_rate() -> None:
    facts = ServiceFacts(BROADBAND, uk(date(2025, 3, 24)), uk(date(2025, 4, 3)))
    found = owed(facts, uk(date(2025, 4, 10)))
    assert found.total_pence == 5 * 976 + 3 * 998
    assert found.words().endswith("8 days: 5 days × £9.76 + 3 days × £9.98 = £78.74")


def test_days_the_customer_caused_are_taken_off_and_said() -> None:
    facts = ServiceFacts(
        BROADBAND,
        uk(date(2024, 11, 4)),
        uk(date(2024, 11, 10)),
        customer_delay_days=2,
        customer_delay_reason="the customer declined the earliest slot",
    )
    found = owed(facts, uk(date(2024, 11, 20)))
    assert found.total_pence == 2 * 976
    assert found.words().endswith(
        "restored Sun 10 Nov: 4 days, less 2 days the customer declined the earliest slot: "
        "2 days × £9.76 = £19.52"
    )
    everything = ServiceFacts(
        BROADBAND, uk(date(2024, 11, 4)), uk(date(2024, 11, 10)), customer_delay_days=9,
        customer_delay_reason="missed their own appointment",
    )  # fmt: skip
    assert owed(everything, uk(date(2024, 11, 20))).total_pence == 0


def test_still_down_counts_to_today_so_far() -> None:
    facts = ServiceFacts(BROADBAND, uk(date(2024, 11, 4)))
    found = owed(facts, uk(date(2024, 11, 8), 11))
    assert "not restored yet, so far to Fri 8 Nov: 2 days × £9.76 = £19.52" in found.words()
    early = owed(facts, uk(date(2024, 11, 6), 17))
    assert early.total_pence == 0 and "nothing owed yet" in early.words()


def test_a_late_new_service_is_paid_from_the_missed_start_date() -> None:
    facts = ServiceFacts(CaseKind.NEW_SERVICE, promised_start=date(2024, 11, 6), started_on=date(2024, 11, 8))
    found = owed(facts, uk(date(2024, 11, 20)))
    assert found.total_pence == 1220  # Wed (the missed date) and Thu; not Fri, when it started
    assert "started Fri 8 Nov: 2 days × £6.10 = £12.20" in found.words()
    on_time = ServiceFacts(
        CaseKind.NEW_SERVICE, promised_start=date(2024, 11, 6), started_on=date(2024, 11, 6)
    )
    assert owed(on_time, uk(date(2024, 11, 20))).total_pence == 0


def test_a_missed_or_late_cancelled_appointment_is_a_lump_sum() -> None:
    slot = uk(date(2024, 11, 12), 8)
    missed = ServiceFacts(BROADBAND, appointment_at=slot, appointment_missed=True)
    found = owed(missed, uk(date(2024, 11, 20)))
    assert found.total_pence == 3049
    assert found.words() == "Engineer missed the appointment on Tue 12 Nov 08:00: £30.49"
    late = ServiceFacts(
        CaseKind.ENGINEER_APPOINTMENT, appointment_at=slot, cancellation_notice_at=slot - timedelta(hours=23)
    )
    assert owed(late, uk(date(2024, 11, 20))).total_pence == 3049
    in_time = ServiceFacts(
        CaseKind.ENGINEER_APPOINTMENT, appointment_at=slot, cancellation_notice_at=slot - timedelta(hours=24)
    )
    found = owed(in_time, uk(date(2024, 11, 20)))
    assert found.total_pence == 0 and "24 hours' notice (24 or more): nothing owed" in found.words()


def test_parts_add_up_and_unchecked_figures_are_flagged() -> None:
    facts = ServiceFacts(
        BROADBAND,
        uk(date(2026, 11, 16)),
        uk(date(2026, 11, 22)),
        appointment_at=uk(date(2026, 11, 18), 8),
        appointment_missed=True,
    )
    found = owed(facts, uk(date(2026, 11, 24)))
    assert found.total_pence == 4 * 1034 + 3231
    assert found.words().splitlines()[-1] == "Total: £73.67"
    assert found.checks() and "1 Apr 2026" in found.checks()[0]


def test_kinds_outside_the_scheme_and_days_before_it_owe_nothing() -> None:
    assert not covered(CaseKind.MOBILE_FAULT) and not covered(CaseKind.BILLING)
    assert (
        suggest(ServiceFacts(CaseKind.MOBILE_FAULT, uk(date(2024, 1, 1))), SCHEME, uk(date(2024, 2, 1)))
        is None
    )
    assert suggest(ServiceFacts(BROADBAND), SCHEME, uk(date(2024, 2, 1))) is None  # no dates: no suggestion
    before = ServiceFacts(BROADBAND, uk(date(2019, 3, 18)), uk(date(2019, 3, 29)))
    found = owed(before, uk(date(2019, 4, 10)))
    assert found.total_pence == 0 and "before the scheme began" in found.words()


# -- facts that cannot all be true ----------------------------------------------------------------

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (ServiceFacts(BROADBAND, NOW, NOW - timedelta(hours=1)), "restored before"),
        (ServiceFacts(BROADBAND, NOW - timedelta(days=2), NOW + timedelta(hours=1)), "in the future"),
        (ServiceFacts(BROADBAND, NOW + timedelta(hours=1)), "reported in the future"),
        (ServiceFacts(CaseKind.NEW_SERVICE, started_on=date(2026, 11, 1)), "promised start date"),
        (
            ServiceFacts(
                CaseKind.NEW_SERVICE, promised_start=date(2026, 11, 1), started_on=date(2026, 11, 30)
            ),
            "started in the future",
        ),
        (ServiceFacts(BROADBAND, appointment_missed=True), "appointment time"),
        (
            ServiceFacts(BROADBAND, appointment_at=NOW + timedelta(days=1), appointment_missed=True),
            "still to come",
        ),
        (
            ServiceFacts(BROADBAND, appointment_at=NOW, cancellation_notice_at=NOW + timedelta(minutes=1)),
            "in the future",
        ),
        (ServiceFacts(BROADBAND, customer_delay_days=2), "how the customer caused"),
        (ServiceFacts(BROADBAND, customer_delay_days=-1), "0 to 365"),
        (ServiceFacts(BROADBAND, customer_delay_days=1, customer_delay_reason="x" * 501), "too long"),
    ],
)
def test_impossible_facts_are_refused_with_a_reason(facts: ServiceFacts, message: str) -> None:
    with pytest.raises(FactsError, match=message):
        check_facts(facts, NOW)


# -- properties -----------------------------------------------------------------------------------

reports = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@given(reports, st.integers(0, 400), st.integers(0, 400), st.integers(0, 30))
def test_repair_money_is_whole_pence_never_negative_and_grows_with_the_delay(
    reported: datetime, hours: int, more_hours: int, customer_days: int
) -> None:
    as_of = reported + timedelta(days=60)
    reason = "declined the earliest slot" if customer_days else None

    def pence(restored: datetime, days: int) -> int:
        facts = ServiceFacts(
            BROADBAND, reported, restored, customer_delay_days=days, customer_delay_reason=reason
        )
        found = suggest(facts, SCHEME, as_of)
        assert found is not None
        assert isinstance(found.total_pence, int) and found.total_pence >= 0
        return found.total_pence

    sooner = reported + timedelta(hours=hours)
    later = sooner + timedelta(hours=more_hours)
    assert pence(sooner, customer_days) <= pence(later, customer_days)
    assert pence(later, customer_days) <= pence(later, 0)
    assert pence(later, customer_days + 1) <= pence(later, customer_days)


@given(
    st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_late_start_money_is_never_negative_and_grows_with_the_delay(
    promised: date, late: int, more: int
) -> None:
    as_of = uk(promised + timedelta(days=300))

    def pence(days_late: int) -> int:
        facts = ServiceFacts(
            CaseKind.NEW_SERVICE, promised_start=promised, started_on=promised + timedelta(days=days_late)
        )
        found = suggest(facts, SCHEME, as_of)
        assert found is not None and found.total_pence >= 0
        return found.total_pence

    assert pence(late) <= pence(late + more)
    if promised >= date(2019, 4, 1) and late:
        assert pence(late) >= late * 500  # never below the 2019 figure once the scheme applies
