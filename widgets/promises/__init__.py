"""Promises: the customer's promise panel, the due-soon banner, My promises, their dialogs, and the
ticker's announcements and escalation."""
