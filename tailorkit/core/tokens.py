"""Secret tokens for links and API keys: made from the OS random source, stored only as a hash.

A token is shown once (in an email or on screen); the database keeps its SHA-256, so a copy of the
database or a backup does not hand out working links. SHA-256 without a salt is enough here
because the tokens are 256 random bits, not passwords a person chose.
"""

import hashlib
import secrets


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    # 256 bits from the OS random source; only the SHA-256 hash is stored.
    return secrets.token_urlsafe(32)
