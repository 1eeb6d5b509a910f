"""Time-ordered UUIDs (version 7), generated on the client so records made offline never collide."""

from __future__ import annotations

import random
import uuid


def new_id() -> uuid.UUID:
    import uuid6  # on first use: importing it reads package metadata (importlib.metadata, email) at start

    return uuid.UUID(bytes=uuid6.uuid7().bytes)


def id_at(unix_ms: int, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 for a given moment with randomness from `rng`: deterministic demo data."""
    rand_a = rng.getrandbits(12)
    rand_b = rng.getrandbits(62)
    value = (unix_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)
