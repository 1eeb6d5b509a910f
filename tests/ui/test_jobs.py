"""The job runner: reads deliver their result or their error on the UI thread, the latest job under a
key wins, and a change announces one Change notice after its result is handled."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from widgets.background import BackgroundReader
from widgets.jobs import Change, ChangeKind, Jobs

CUSTOMER = uuid.UUID(int=5)


@pytest.fixture
def jobs(qtbot: QtBot) -> Iterator[Jobs]:
    runner = Jobs(BackgroundReader())
    yield runner
    runner.shutdown()


def test_a_read_delivers_its_result_or_its_error(qtbot: QtBot, jobs: Jobs) -> None:
    results: list[object] = []
    jobs.read(lambda: 41 + 1, results.append).run()
    jobs.read(lambda: 1 / 0, results.append).failed(results.append).run()
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
    assert results[0] == 42
    assert isinstance(results[1], ZeroDivisionError)


def test_the_latest_job_under_a_key_wins(qtbot: QtBot, jobs: Jobs) -> None:
    release = threading.Event()
    shown: list[str] = []
    errors: list[BaseException] = []

    def slow() -> str:
        release.wait(5)
        return "older"

    def slow_failure() -> str:
        release.wait(5)
        raise RuntimeError("older failure")

    jobs.read(slow, shown.append).latest("customer").run()
    jobs.read(slow_failure, shown.append).failed(errors.append).latest("customer").run()
    jobs.read(lambda: "newer", shown.append).latest("customer").run()
    jobs.read(lambda: "other key", shown.append).latest("worklist").run()
    release.set()
    qtbot.waitUntil(lambda: not jobs.busy, timeout=5000)
    assert shown == ["newer", "other key"]
    assert errors == []


def test_a_stamp_makes_every_earlier_job_under_the_key_stale(qtbot: QtBot, jobs: Jobs) -> None:
    shown: list[str] = []
    jobs.read(lambda: "read before the stamp", shown.append).latest("goodwill").run()
    jobs.stamp("goodwill")  # e.g. the same data arrived with an opening
    qtbot.waitUntil(lambda: not jobs.busy, timeout=5000)
    assert shown == []


def test_a_change_announces_after_its_result_and_a_failure_announces_nothing(
    qtbot: QtBot, jobs: Jobs
) -> None:
    seen: list[object] = []
    jobs.changed.connect(seen.append)
    jobs.change(
        lambda: "made",
        lambda result: seen.append(f"done: {result}"),
        announce=lambda result: Change(ChangeKind.PROMISE, CUSTOMER, f"Promise {result}"),
    ).run()
    jobs.change(lambda: 1 / 0, announce=lambda _r: Change(ChangeKind.PROMISE, None, "never")).failed(
        seen.append
    ).run()
    jobs.change(list, announce=lambda _r: None).run()  # nothing changed: nothing announced
    qtbot.waitUntil(lambda: not jobs.busy, timeout=5000)
    assert seen[:2] == ["done: made", Change(ChangeKind.PROMISE, CUSTOMER, "Promise made")]
    assert isinstance(seen[2], ZeroDivisionError) and len(seen) == 3


def test_run_now_delivers_on_the_calling_thread(jobs: Jobs) -> None:
    shown: list[object] = []
    jobs.read(lambda: "at once", shown.append).run_now()
    jobs.read(lambda: 1 / 0, shown.append).failed(lambda error: shown.append(type(error))).run_now()
    assert shown == ["at once", ZeroDivisionError]


@pytest.mark.parametrize(
    ("change_customer", "open_customer", "concerns"),
    [
        (CUSTOMER, CUSTOMER, True),
        (None, CUSTOMER, True),  # several customers, or not known: re-read
        (uuid.UUID(int=6), CUSTOMER, False),
        (CUSTOMER, None, False),  # nobody open: nothing to re-read
    ],
)
def test_a_change_concerns_the_open_customer_it_names(
    change_customer: uuid.UUID | None, open_customer: uuid.UUID | None, concerns: bool
) -> None:
    assert Change(ChangeKind.CASE, change_customer, "").concerns(open_customer) is concerns


def test_a_job_run_after_the_paint_starts_in_a_later_turn_and_counts_as_busy_until_delivered(
    qtbot: QtBot, jobs: Jobs
) -> None:
    started: list[str] = []
    results: list[object] = []

    def work() -> str:
        started.append(threading.current_thread().name)
        return "recorded"

    jobs.read(work, results.append).run_after_paint()
    assert jobs.busy and started == []  # not submitted yet: this turn's layout and paint come first
    qtbot.waitUntil(lambda: results == ["recorded"], timeout=5000)
    assert started and started[0] != threading.current_thread().name  # on the worker
    qtbot.waitUntil(lambda: not jobs.busy, timeout=5000)
