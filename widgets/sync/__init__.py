"""Connectivity and sync: the status line, the sync link to the engine, first-sync progress, sync problems."""
