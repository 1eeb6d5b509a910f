"""Use cases: one service per subject, each taking the store (and clock) it needs in its constructor."""
