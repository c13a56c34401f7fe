"""What runs inside the password-hashing processes (auth/core/passwords.py starts them): argon2id, and Better
Auth's scrypt for users who came from it. It imports nothing else of the package, so a hashing process starts in
milliseconds.

Processes, not threads: a hashing thread shares the worker's GIL, and at a low priority it can be descheduled while
it holds it (between two hashes), leaving the event loop waiting on a thread the scheduler does not run: measured as
10-18 ms stalls of the loop under saturated sign-in load. A process shares nothing with the loop but the cores, and
runs at nice 19, so the kernel hands a core to the loop (or PostgreSQL) the moment either wants one."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import threading
import time
import unicodedata

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

NICENESS = 19

# Better Auth 1.x `hashPassword`: "<salt hex 32>:<key hex 128>", scrypt N=16384 r=16 p=1 dkLen=64, NFKC password,
# the salt *string* used as UTF-8 bytes.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 16384, 16, 1, 64
SCRYPT_MAXMEM = 64 * 1024 * 1024

Params = tuple[int, int, int]  # argon2id time cost, memory (KiB), parallelism


def start() -> None:
    """The initializer of each hashing process: the lowest priority (Unix; elsewhere nothing), and an end with the
    worker that started it, even one killed outright (a hashing process left behind would hold its stdout open)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    parent = os.getppid()

    def exit_with_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=exit_with_parent, name="exit-with-parent", daemon=True).start()


def normalize(password: str) -> str:
    """NFKC, as NIST 800-63B recommends and as Better Auth does, so the same password typed on another keyboard
    (composed or decomposed accents, ligatures, full-width digits) verifies."""
    return unicodedata.normalize("NFKC", password)


def is_better_auth_hash(stored: str) -> bool:
    salt, sep, key = stored.partition(":")
    return bool(sep) and len(salt) == 32 and len(key) == 128 and all(c in "0123456789abcdef" for c in salt + key)


@functools.cache
def hasher(params: Params) -> PasswordHasher:
    time_cost, memory_kib, parallelism = params
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, hash_len=32, salt_len=16, type=Type.ID
    )


def hash_password(params: Params, password: str) -> tuple[str, float]:
    """(argon2id hash, when the process took the job: time.monotonic(), one clock for every process)."""
    started = time.monotonic()
    return hasher(params).hash(normalize(password)), started


def verify_password(params: Params, stored: str, password: str) -> tuple[bool, bool, float]:
    """(matches, needs rehash to the current argon2id parameters, when the process took the job)."""
    started = time.monotonic()
    if is_better_auth_hash(stored):
        return _scrypt_verify(stored, password), True, started
    current = hasher(params)
    try:
        current.verify(stored, normalize(password))
    except (VerificationError, InvalidHashError):  # a mismatch, or not a hash at all: the same answer
        return False, False, started
    return True, current.check_needs_rehash(stored), started


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
