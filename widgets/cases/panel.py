"""The case list with its title, the update prompt, and the buttons and row menu of the case acts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QToolButton, QVBoxLayout, QWidget

from widgets.cases.model import CaseColumn, CaseModel
from widgets.views import HintTableView, read_only_rows


class CasePanel(QWidget):
    """Title and act buttons across the top, the update prompt under them, the case list below."""

    def __init__(self, model: CaseModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.title = QLabel(self.tr("Cases"), self)
        self.title.setObjectName("panelTitle")
        self.update_prompt = QLabel(self)
        self.update_prompt.setObjectName("caseUpdatePrompt")
        self.update_prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.update_prompt.setWordWrap(True)
        self.update_prompt.hide()
        self.view = self._case_view(model)

        # Ownership: explicit acts, each with a note (buttons beside the title, and the row's menu).
        self.take_over_action = self._action(
            self.tr("Take over…"), self.tr("Make the selected case yours, with a note")
        )
        self.hand_over_action = self._action(
            self.tr("Hand over…"), self.tr("Give the selected case to a colleague, with a note")
        )
        self.service_dates_action = self._action(
            self.tr("Service dates…"),
            self.tr("When the service was lost, restored or started, and the engineer appointment"),
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.take_over_button = self._button(self.take_over_action, self.tr("Take over the case"))
        self.hand_over_button = self._button(self.hand_over_action, self.tr("Hand over the case"))
        self.service_dates_button = self._button(
            self.service_dates_action, self.tr("Service dates of the case")
        )
        self.service_dates_button.setObjectName("serviceDatesButton")
        self._top = QHBoxLayout()
        self._top.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.title, 1), (self.take_over_button, 0), (self.hand_over_button, 0)):
            self._top.addWidget(widget, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(self._top)
        layout.addWidget(self.update_prompt)
        layout.addWidget(self.view, 1)

    def add_acts(self, menu_actions: list[QAction], buttons: list[QToolButton]) -> None:
        """The resolution and complaint acts: last in the row menu, buttons before the dates'."""
        self.view.addActions(menu_actions)
        for button in buttons:
            self._top.addWidget(button)
        self._top.addWidget(self.service_dates_button)

    def _action(self, text: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        self.view.addAction(action)
        return action

    def _button(self, action: QAction, spoken: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setAccessibleName(spoken)
        return button

    def _case_view(self, model: CaseModel) -> HintTableView:
        view = HintTableView(self)
        view.setObjectName("caseList")
        view.setAccessibleName(self.tr("Cases"))
        view.setModel(model)
        read_only_rows(view)
        view.setWordWrap(False)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        bold = view.font()
        bold.setBold(True)  # open cases are bold: size the fixed columns for them
        metrics = QFontMetrics(bold)
        widths = {
            CaseColumn.REFERENCE: metrics.horizontalAdvance("CS-0000000") + 16,
            CaseColumn.STATUS: metrics.horizontalAdvance("Awaiting customer") + 16,
            CaseColumn.OWNER: metrics.horizontalAdvance("Daniel Okafor") + 16,
            CaseColumn.AGE: metrics.horizontalAdvance("took 10 days") + 16,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        # The two free-text columns share what is left.
        header.setSectionResizeMode(CaseColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CaseColumn.NEXT_STEP, QHeaderView.ResizeMode.Stretch)
        view.setMinimumHeight(header.sizeHint().height() + view.verticalHeader().defaultSectionSize() * 2 + 4)
        return view
