"""Where the board lives for a supervisor: a "Board" tab shown first, beside the "Customer" tab that
holds the usual search and customer pane."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from widgets.board.panel import SupervisorBoard


class BoardTabs(QTabWidget):
    """`boardTabs`: the board first, the customer pane one tab away (Ctrl+F or opening a customer)."""

    def __init__(self, board: SupervisorBoard, customer_pane: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardTabs")
        self.setDocumentMode(True)
        self.board = board
        self.customer_pane = customer_pane
        self.addTab(board, self.tr("Board"))
        self.addTab(customer_pane, self.tr("Customer"))
        self.setTabToolTip(0, self.tr("Promises at risk, late handoffs, the iceberg, root causes, measures"))
        self.setTabToolTip(1, self.tr("Search and the open customer's pane (Ctrl+F)"))

    def show_board(self) -> None:
        self.setCurrentWidget(self.board)

    def show_customer(self, *_: object) -> None:
        self.setCurrentWidget(self.customer_pane)
