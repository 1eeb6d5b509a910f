"""Errors the services raise, importable without the storage layer (the early start catches them)."""

from __future__ import annotations


class CustomerNotFoundError(LookupError):
    """No customer with that id or account number on this store."""
