"""The supervisor's board, Qt-free: periods in UK time, the named measures, and their CSV export."""
