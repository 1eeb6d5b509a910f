"""The call in hand: the local channel `advisor-console call` speaks to, the call strip, its controller."""
