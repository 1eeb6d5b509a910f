"""Handoffs between teams: the open customer's handoff list and acknowledging or completing one."""
