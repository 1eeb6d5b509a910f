"""Every item model passes Qt's model tester, empty, filled and while fetching more."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.services.customers import CustomerService
from domain.records import TimelineEntry, TimelineKey
from domain.vocabulary import Channel, Direction
from storage.store import Store
from tests.ui.support import NOW, STORY_ACCOUNT, fetch_all
from widgets.background import BackgroundReader
from widgets.cases.model import CaseModel
from widgets.pane.history_model import HistoryModel
from widgets.search.panel import SearchResultsModel
from widgets.text import age


class FakePages:
    """A history of `total` entries held in memory, served by keyset like the service."""

    def __init__(self, total: int) -> None:
        self.calls = 0
        self.entries = [
            TimelineEntry(
                uuid.UUID(int=total - n),
                NOW - timedelta(minutes=n),
                Channel.PHONE,
                Direction.INBOUND,
                None,
                None,
                f"entry {n}",
                None,
            )
            for n in range(total)
        ]

    def history(
        self,
        customer_id: uuid.UUID,
        *,
        channels: frozenset[Channel] | None = None,
        after: TimelineKey | None = None,
        limit: int = 200,
    ) -> list[TimelineEntry]:
        self.calls += 1
        start = 0
        if after is not None:
            start = next(i for i, e in enumerate(self.entries) if e.key == after) + 1
        return self.entries[start : start + limit]


def test_search_results_model(qtmodeltester: ModelTester, ui_store: Store) -> None:
    model = SearchResultsModel()
    qtmodeltester.check(model)
    model.set_matches(CustomerService(ui_store).search("40000"))
    assert model.rowCount() == 3
    model.set_matches([])
    assert model.rowCount() == 0


@pytest.fixture
def reader(qtbot: QtBot) -> Iterator[BackgroundReader]:
    reader = BackgroundReader()
    yield reader
    reader.shutdown()


def test_history_model_with_the_real_service(
    qtmodeltester: ModelTester, qtbot: QtBot, ui_store: Store, reader: BackgroundReader
) -> None:
    service = CustomerService(ui_store)
    model = HistoryModel(service, reader)
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.page_loaded, timeout=5000):
        model.show_customer(service.find_account(STORY_ACCOUNT).id)  # no first page given: read it
    assert model.rowCount() == 200
    fetch_all(qtbot, model)
    assert model.rowCount() == 300
    assert not model.canFetchMore(model.index(-1, -1))
    model.set_channels(frozenset({Channel.EMAIL}))
    model.show_customer(None)
    assert model.rowCount() == 0


def test_history_model_pages_exactly(
    qtmodeltester: ModelTester, qtbot: QtBot, reader: BackgroundReader
) -> None:
    """A history that is an exact multiple of the page size ends with one empty read, inserting nothing."""
    pages = FakePages(30)
    model = HistoryModel(pages, reader, page_size=10)
    qtmodeltester.check(model)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.show_customer(uuid.uuid4(), first_page=pages.entries[:10])
    fetch_all(qtbot, model)
    assert model.rowCount() == 30
    assert inserted == [(10, 19), (20, 29)]  # beginInsertRows's last index is inclusive
    assert pages.calls == 3  # two full pages after the given first one, then one empty read
    assert [model.entry_at(row).summary for row in (0, 29)] == ["entry 0", "entry 29"]  # type: ignore[union-attr]


def test_case_model(qtmodeltester: ModelTester, ui_store: Store) -> None:
    service = CustomerService(ui_store)
    model = CaseModel(ManualClock(NOW))
    qtmodeltester.check(model)
    model.set_cases(service.cases(service.find_account(STORY_ACCOUNT).id))
    assert model.rowCount() == 2
    assert model.open_count == 1


def test_ages_read_naturally() -> None:
    assert age(NOW - timedelta(minutes=1, seconds=5), NOW) == "1 minute"
    assert age(NOW - timedelta(minutes=40), NOW) == "40 minutes"
    assert age(NOW - timedelta(hours=5), NOW) == "5 hours"
    assert age(NOW - timedelta(days=1, hours=2), NOW) == "1 day"
    assert age(NOW - timedelta(days=3), NOW) == "3 days"
    assert age(NOW + timedelta(minutes=5), NOW) == "0 minutes"  # a clock skewed ahead never shows negative
