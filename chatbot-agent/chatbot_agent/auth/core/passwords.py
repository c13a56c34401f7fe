"""Password hashing (argon2id, plus verification of Better Auth scrypt hashes) and the password policy.

Hashing is CPU- and memory-hard by design, so it never runs on the event loop: every hash and verify goes to a
bounded thread pool (argon2-cffi and hashlib.scrypt release the GIL while they work), sized to the cores by default.
Cheap requests keep flowing while sign-ins queue for a hashing thread, and the hashing threads run at a lower
scheduling priority (Linux), so the event loop gets a core as soon as a request arrives even when every core hashes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .errors import AuthFailure, Code

T = TypeVar("T")

# Better Auth 1.x `hashPassword`: "<salt hex 32>:<key hex 128>", scrypt N=16384 r=16 p=1 dkLen=64, NFKC password,
# the salt *string* used as UTF-8 bytes.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 16384, 16, 1, 64
SCRYPT_MAXMEM = 64 * 1024 * 1024
HASH_THREAD_NICENESS = 10  # below the event loop (0): measured me p99 under saturated sign-in load (make bench)


def normalize(password: str) -> str:
    """NFKC, as NIST 800-63B recommends and as Better Auth does, so the same password typed on another keyboard
    (composed or decomposed accents, ligatures, full-width digits) verifies."""
    return unicodedata.normalize("NFKC", password)


def is_better_auth_hash(stored: str) -> bool:
    salt, sep, key = stored.partition(":")
    return bool(sep) and len(salt) == 32 and len(key) == 128 and all(c in "0123456789abcdef" for c in salt + key)


def _scrypt_verify(stored: str, password: str) -> bool:
    salt, _, key_hex = stored.partition(":")
    derived = hashlib.scrypt(
        normalize(password).encode(),
        salt=salt.encode(),
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=SCRYPT_DKLEN,
        maxmem=SCRYPT_MAXMEM,
    )
    return hmac.compare_digest(derived, bytes.fromhex(key_hex))


def _yield_to_requests() -> None:
    """Runs in each hashing thread: lower its priority (Linux nice is per thread), so a queue of sign-ins cannot
    starve the event loop. Elsewhere (no per-thread nice) it does nothing."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)


class HashingMonitor(Protocol):
    """Told when a job enters the hashing queue and when it leaves it (metrics: queue depth and wait)."""

    def queued(self) -> None: ...

    def started(self, waited_seconds: float | None) -> None: ...  # None: cancelled before a thread took it


@dataclass(frozen=True)
class Verified:
    ok: bool
    needs_rehash: bool = False


class PasswordHashing:
    """argon2id hash/verify on a bounded thread pool. One instance per process."""

    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int, workers: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hash", initializer=_yield_to_requests)
        self.workers = workers
        self._dummy: str | None = None
        self.monitor: HashingMonitor | None = None

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        monitor = self.monitor
        if monitor is None:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        submitted = time.perf_counter()

        def timed() -> T:
            monitor.started(time.perf_counter() - submitted)
            return fn(*args)

        monitor.queued()
        future = self._pool.submit(timed)
        future.add_done_callback(lambda f: monitor.started(None) if f.cancelled() else None)
        return await asyncio.wrap_future(future)

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, normalize(password))

    def _verify_sync(self, stored: str, password: str) -> Verified:
        if is_better_auth_hash(stored):
            return Verified(_scrypt_verify(stored, password), needs_rehash=True)
        try:
            self._hasher.verify(stored, normalize(password))
        except VerifyMismatchError:
            return Verified(False)
        except (VerificationError, InvalidHashError):
            return Verified(False)
        return Verified(True, self._hasher.check_needs_rehash(stored))

    async def verify(self, stored: str, password: str) -> Verified:
        return await self._run(self._verify_sync, stored, password)

    async def spend_dummy(self, password: str) -> None:
        """Spend one verification on an unknown account, so unknown emails take as long as wrong passwords."""
        dummy = await self.warm_up()
        await self.verify(dummy, password)

    async def warm_up(self) -> str:
        """Make the dummy hash (once) before the first request needs it."""
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        return self._dummy

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


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
