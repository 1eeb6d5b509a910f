"""`demo-team` without its windows: server init, the same demo data on the server and in two local
stores, an advisor and a supervisor whose engines sync a goodwill request and its approval."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from console.clock import ManualClock
from console.demo_team import ADVISOR_LOGIN, SUPERVISOR_LOGIN, DemoTeam, Member, build_team
from console.services.goodwill import GoodwillService
from console.services.promises import PromiseService
from console.sync.engine import SyncEngine
from console.sync.remote import connector, conninfo
from domain.vocabulary import GoodwillKind, GoodwillState
from storage.location import StoreLocation
from storage.models import Customer, Goodwill
from storage.queries import goodwill as goodwill_queries
from tests.helpers import passwords
from tests.helpers.central import NOW

pytestmark = pytest.mark.postgres


def engine_for(team: DemoTeam, member: Member, clock: ManualClock) -> SyncEngine:
    connect = connector(conninfo(team.login_url(member)), password=member.password)
    return SyncEngine(member.store, connect, clock=clock, listen=False)


def test_the_demo_team_syncs_a_request_and_its_approval(pg_location: StoreLocation, tmp_path: Path) -> None:
    url = pg_location.url.render_as_string(hide_password=False)
    team = build_team(url, tmp_path, customers=12, now=NOW)
    try:
        advisor, supervisor = team.advisor, team.supervisor
        passwords.register(advisor.password, supervisor.password)  # made by the run: searched for at the end
        assert (advisor.user.username, supervisor.user.username) == (ADVISOR_LOGIN, SUPERVISOR_LOGIN)
        # The demo users own the demo work: the advisor's My promises and request awaiting approval.
        assert PromiseService(advisor.store, ManualClock(NOW), advisor.user).worklist()
        waiting = GoodwillService(supervisor.store, ManualClock(NOW), supervisor.user).pending()
        assert any(record.requested_by == advisor.user.id for record in waiting)
        with advisor.store.read() as session:
            customer = session.scalars(select(Customer).order_by(Customer.account_number)).first()
            assert customer is not None
            customer_id = customer.id
        clock = ManualClock(NOW)
        asked = GoodwillService(advisor.store, clock, advisor.user).request(
            customer_id, GoodwillKind.GOODWILL_CREDIT, "75.00", "service outage", "no signal"
        )
        summary = asyncio.run(engine_for(team, advisor, clock).sync_once())
        assert (summary.accepted, summary.rejected) == (1, 0)
        assert asyncio.run(engine_for(team, supervisor, clock).sync_once()).offline is None
        with supervisor.store.read() as session:
            record = goodwill_queries.get(session, asked.id)
        assert record is not None and record.state is GoodwillState.AWAITING_APPROVAL
        GoodwillService(supervisor.store, clock, supervisor.user).approve(record)
        assert asyncio.run(engine_for(team, supervisor, clock).sync_once()).accepted == 1
        asyncio.run(engine_for(team, advisor, clock).sync_once())
        with advisor.store.read() as session:
            state = session.scalar(select(Goodwill.state).where(Goodwill.id == asked.id))
            assert state is GoodwillState.APPROVED
    finally:
        team.close()
        admin = create_engine(pg_location.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in (ADVISOR_LOGIN, SUPERVISOR_LOGIN):  # login roles are cluster-wide
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()
