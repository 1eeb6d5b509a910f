"""Handing work to another team, the user's team's handoffs, and telling the sender how theirs went."""
