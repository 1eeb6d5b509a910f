"""SCRAM-SHA-256 password verifiers computed here, as psql's \\password does, so the plain password
never travels to the server or appears in any statement, server log or error."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata

ITERATIONS = 4096  # PostgreSQL's default scram_iterations
MIN_LENGTH = 8
MAX_LENGTH = 1_000  # hashing it costs the same at any length, but no person types more


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def password_problem(password: str) -> str | None:
    """Why `password` may not be a console login's password (the rules `user add` and `user
    set-password` apply), or None."""
    if len(password) < MIN_LENGTH:
        return f"the password must have at least {MIN_LENGTH} characters: nothing was changed"
    if len(password) > MAX_LENGTH:
        return f"the password may have at most {MAX_LENGTH:,} characters: nothing was changed"
    return None


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The string PostgreSQL stores in pg_authid.rolpassword for this password."""
    # PostgreSQL SASLprep-normalises passwords; NFKC is the part of it that changes real passwords.
    prepared = unicodedata.normalize("NFKC", password).encode("utf-8")
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", prepared, salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return f"SCRAM-SHA-256${iterations}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def matches(password: str, verifier: str) -> bool:
    """Whether `verifier` (as stored by PostgreSQL) was made from `password`."""
    try:
        method, rest = verifier.split("$", 1)
        params, keys = rest.split("$", 1)
        iterations_text, salt_text = params.split(":", 1)
    except ValueError:
        return False
    if method != "SCRAM-SHA-256":
        return False
    again = scram_verifier(password, salt=base64.b64decode(salt_text), iterations=int(iterations_text))
    return hmac.compare_digest(again.split("$", 2)[2], keys)
