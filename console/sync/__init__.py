"""Offline-first sync, Qt-free asyncio: the outbox services write to, push and pull against the
central server's functions, and the engine that runs them (the widgets run it on the qasync loop)."""
