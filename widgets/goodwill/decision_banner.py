"""In-window notice that a supervisor decided one of the user's goodwill requests, shown until
dismissed; the same shape as the promise banner, with its own names."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QWidget

from widgets.promises.panels import PromiseBanner


class DecisionBanner(PromiseBanner):
    """`goodwillDecisionBanner`: "Goodwill £75.00 for Tom Reed approved by Sam Patel"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("goodwillDecisionBanner")
        self.text.setObjectName("goodwillDecisionBannerText")
        self.open_button.setAccessibleName(self.tr("Open the customer of this goodwill request"))
        self.dismiss_button.setAccessibleName(self.tr("Dismiss the goodwill decision notice"))

    def tell(self, text: str, customer_id: uuid.UUID | None) -> None:
        self.announce(text, customer_id, overdue=False)
