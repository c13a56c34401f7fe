"""Password hashing (argon2id, plus verification of Better Auth scrypt hashes) and the password policy.

Hashing is CPU- and memory-hard by design, so it never runs on the event loop: every hash and verify goes to a
bounded pool of hashing processes (HASH_WORKERS per worker, one per core by default) at the lowest scheduling
priority. Cheap requests keep flowing while sign-ins queue for a hashing process, and the event loop gets a core as
soon as a request arrives even when every core hashes (chatbot_agent/hashing.py says why processes).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from ... import hashing
from ...hashing import is_better_auth_hash, normalize
from .errors import AuthFailure, Code

__all__ = ["PasswordHashing", "PasswordPolicy", "Verified", "is_better_auth_hash", "normalize"]


class HashingMonitor(Protocol):
    """Told when a job enters the hashing queue and when it leaves it (metrics: queue depth and wait)."""

    def queued(self) -> None: ...

    def started(self, waited_seconds: float | None) -> None: ...  # None: cancelled before a thread took it


@dataclass(frozen=True)
class Verified:
    ok: bool
    needs_rehash: bool = False


class PasswordHashing:
    """argon2id hash/verify in a bounded pool of hashing processes (chatbot_agent/hashing.py). One per worker."""

    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int, workers: int) -> None:
        self._params: hashing.Params = (time_cost, memory_kib, parallelism)
        # spawn: a fresh interpreter that imports hashing.py alone, never a fork of a process running an event loop
        # and threads. Processes start when the first job needs one (warm_up, at start-up).
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=hashing.start
        )
        self.workers = workers
        self._dummy: str | None = None
        self.monitor: HashingMonitor | None = None

    async def _run(self, fn: Callable[..., tuple[Any, ...]], *args: Any) -> tuple[Any, ...]:
        monitor = self.monitor
        future = asyncio.get_running_loop().run_in_executor(self._pool, fn, self._params, *args)
        if monitor is None:
            return await future
        submitted = time.monotonic()
        monitor.queued()
        try:
            result = await future
        except BaseException:
            monitor.started(None)
            raise
        monitor.started(max(0.0, result[-1] - submitted))
        return result

    async def hash(self, password: str) -> str:
        hashed, _ = await self._run(hashing.hash_password, password)
        return str(hashed)

    async def verify(self, stored: str, password: str) -> Verified:
        ok, needs_rehash, _ = await self._run(hashing.verify_password, stored, password)
        return Verified(bool(ok), bool(needs_rehash))

    async def spend_dummy(self, password: str) -> None:
        """Spend one verification on an unknown account, so unknown emails take as long as wrong passwords."""
        dummy = await self.warm_up()
        await self.verify(dummy, password)

    async def warm_up(self) -> str:
        """Make the dummy hash (once) before the first request needs it; this starts the first hashing process."""
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        return self._dummy

    def close(self) -> None:
        """Stop the hashing processes (jobs not started are cancelled; one in progress ends first: milliseconds)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class PasswordPolicy:
    """Length (counted in characters after NFKC), the most common breached passwords, and the email itself."""

    def __init__(self, *, min_length: int, max_length: int) -> None:
        self.min_length, self.max_length = min_length, max_length

    @cached_property
    def common(self) -> frozenset[str]:
        # zxcvbn ships the 30,000 most common passwords of a public breach corpus (Xato's 10M passwords).
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        return frozenset(FREQUENCY_LISTS["passwords"])

    def describe(self) -> str:
        return f"Use {self.min_length} to {self.max_length} characters; avoid common passwords and your email address."

    def check(self, password: str, *, email: str | None = None, field: str = "password") -> None:
        normalized = normalize(password)
        length = len(normalized)
        if length < self.min_length:
            raise AuthFailure(
                Code.WEAK_PASSWORD, f"Use at least {self.min_length} characters.", field, reason="too_short"
            )
        if length > self.max_length:
            raise AuthFailure(
                Code.WEAK_PASSWORD, f"Use at most {self.max_length} characters.", field, reason="too_long"
            )
        folded = normalized.casefold()
        if folded in self.common:
            raise AuthFailure(
                Code.WEAK_PASSWORD, "This password is too common. Choose another.", field, reason="common"
            )
        if email and (folded == email.casefold() or folded == email.split("@")[0].casefold()):
            raise AuthFailure(
                Code.WEAK_PASSWORD, "Your password must not be your email address.", field, reason="email"
            )
