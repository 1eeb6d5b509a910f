"""The team's handoffs in the window: a tab beside "My promises", the news banner over the customer's
header, the hand-off button of the record row. Given those widgets, never the window."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QTabWidget

from widgets.record.actions import RecordActions
from widgets.team_handoffs.controller import TeamHandoffsController
from widgets.ticker import Ticker


def place_team_handoffs(
    team: TeamHandoffsController,
    tabs: QTabWidget,
    banners: QBoxLayout,
    actions: RecordActions,
    ticker: Ticker,
) -> None:
    """The list as a tab of `tabs`, the banner in `banners` just over the record buttons; the first read."""
    name = team.tr("Team handoffs")
    index = tabs.addTab(team.panel, name)
    tabs.setTabToolTip(index, team.tr("Work handed to your team, the soonest acknowledge-by first"))
    team.team_title.connect(lambda text: tabs.setTabText(index, text or name))
    banners.insertWidget(max(banners.indexOf(actions), 0), team.banner)
    actions.hand_off_button.clicked.connect(team.hand_off)
    ticker.add(team.model)
    team.refresh()
