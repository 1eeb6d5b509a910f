"""Shared test helpers: factories for hand-built data with known answers."""
