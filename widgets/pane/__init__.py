"""The open customer: header, contact history, offers and the update prompt; the pane controller opens
and re-reads them."""
