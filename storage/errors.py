"""The one exception storage raises for a store it cannot use, with a one-line message for people."""


class StoreError(Exception):
    """The store cannot be opened or used; `str()` is a single line fit for a user."""
