"""Password hashing with argon2id (argon2-cffi); verification runs off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.core.errors import InvalidInputError

MIN_LENGTH = 10
_HASHER = PasswordHasher()
# Verified when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY = _HASHER.hash("aftercare-no-such-account")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInputError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > 1024:
        raise InvalidInputError("a password may have at most 1024 characters")


async def hash_password(password: str) -> str:
    check_strength(password)
    return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; without a stored hash, spends the same time."""

    def check() -> bool:
        try:
            return _HASHER.verify(stored or _DUMMY, password[:1024]) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
