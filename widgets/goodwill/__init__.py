"""Goodwill and compensation: the goodwill panel, the supervisors' approval queue, decisions, and what
the compensation scheme owes."""
