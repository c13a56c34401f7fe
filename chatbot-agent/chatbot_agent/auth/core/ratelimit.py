"""Rate limits counted in PostgreSQL, so every worker and instance shares one budget.

Keys are `<action>:<scope>:<sha256 of the value, 16 hex>`: emails and addresses are not stored in clear."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from ...config import RateLimit
from ...db import ratelimits
from ...db.common import Executor
from .errors import AuthFailure, Code


@dataclass(frozen=True)
class Rule:
    action: str
    scope: str  # "ip" or "email"
    limit: RateLimit


def key(rule: Rule, value: str) -> str:
    digest = hashlib.sha256(value.casefold().encode()).hexdigest()[:16]
    return f"{rule.action}:{rule.scope}:{digest}"


class RateLimiter:
    def __init__(self, db: Executor, *, enabled: bool = True) -> None:
        self._db, self.enabled = db, enabled

    async def hit(self, checks: list[tuple[Rule, str | None]]) -> None:
        """Count one attempt for each (rule, value); raise RATE_LIMITED when any budget is spent.

        The first check (the client address) gates the others: once it is spent, the others are no longer counted,
        so an address over its budget can neither add rows for ever new emails nor spend other people's budgets."""
        counted = [(rule, value) for rule, value in checks if value]
        if not self.enabled or not counted:
            return
        keys = [key(rule, value) for rule, value in counted]
        gate = counted[0][0].limit
        rows = await ratelimits.hit(
            self._db,
            (keys[0], gate.window_seconds, gate.limit),
            keys[1:],
            [rule.limit.window_seconds for rule, _ in counted[1:]],
        )
        limits = {k: rule.limit.limit for k, (rule, _) in zip(keys, counted, strict=True)}
        now = datetime.now(UTC)
        waits = [(reset_at - now).total_seconds() for k, count, reset_at in rows if count > limits[k]]
        if waits:
            retry = max(1, math.ceil(max(waits)))
            raise AuthFailure(Code.RATE_LIMITED, f"Too many attempts. Try again in {retry} seconds.", retry_after=retry)
