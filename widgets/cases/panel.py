"""The case list with its title, the update prompt, and the buttons and row menu of the case acts."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QToolButton, QVBoxLayout, QWidget
from typing_extensions import override

from widgets.cases.model import CaseColumn, CaseModel
from widgets.views import HintTableView, read_only_rows, set_column_widths


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
        self.hide_prompt()
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

    def hide_prompt(self) -> None:
        """No case waits for an update. The hidden prompt keeps one line of words (never shown or read
        out), so the room the middle column keeps for it is the room it takes (widgets.layout)."""
        self.update_prompt.hide()
        self.update_prompt.setText(self.tr("A case is past target with no update"))

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
        self._metrics = metrics
        # The short columns are as wide as what they show; the title has the width it needs (up to
        # three fifths of what is left), the next step the rest (widgets.table_model: whole text as tooltip).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        view.setMinimumHeight(header.sizeHint().height() + view.verticalHeader().defaultSectionSize() * 2 + 4)
        view.viewport().installEventFilter(self)
        model.modelReset.connect(self.share_width)
        return view

    def share_width(self) -> None:
        """Size the columns for the cases shown and the view's width."""
        view, metrics = self.view, self._metrics

        def needs(column: CaseColumn) -> int:
            texts = [str(self.model.index(row, column).data() or "") for row in range(self.model.rowCount())]
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            return max(metrics.horizontalAdvance(text) for text in [title, *texts]) + 16

        short = (CaseColumn.REFERENCE, CaseColumn.STATUS, CaseColumn.OWNER, CaseColumn.AGE)
        widths: dict[int, int] = {column: needs(column) for column in short}
        free = view.viewport().width() - sum(widths.values())
        title = min(needs(CaseColumn.TITLE), max(free * 3 // 5, free - needs(CaseColumn.NEXT_STEP)))
        widths[CaseColumn.TITLE] = max(title, metrics.averageCharWidth() * 12)
        set_column_widths(view, widths)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self.share_width()
        return super().eventFilter(watched, event)
