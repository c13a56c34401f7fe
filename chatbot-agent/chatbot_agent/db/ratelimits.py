"""The `auth_rate_limit` table: fixed-window counters shared by every worker and instance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .common import Executor, count

_COUNT_ATTEMPT = """ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN r."resetAt" <= now() THEN 1 ELSE r.count + 1 END,
             "resetAt" = CASE WHEN r."resetAt" <= now() THEN EXCLUDED."resetAt" ELSE r."resetAt" END
           RETURNING r.key, r.count, r."resetAt" """


async def hit(
    db: Executor, gate: tuple[str, int, int], keys: Sequence[str], windows: Sequence[int]
) -> list[tuple[str, int, datetime]]:
    """Count one attempt against fixed windows, in one round trip: first `gate` (key, window seconds, limit), then
    each of `keys` only while the gate has room. So a request refused by the gate (an address over its budget)
    adds no row for the values it carries (ever new emails): the table grows with the budgets, not with the attack.

    Returns (key, attempts in the current window, when the window ends) for each key counted."""
    rows = await db.fetch(
        f"""WITH gate AS (
             INSERT INTO auth_rate_limit AS r (key, count, "resetAt") VALUES ($1, 1, now() + make_interval(secs => $2))
             {_COUNT_ATTEMPT}
           ), rest AS (
             INSERT INTO auth_rate_limit AS r (key, count, "resetAt")
             SELECT k, 1, now() + make_interval(secs => w) FROM unnest($4::text[], $5::int[]) AS t(k, w)
             WHERE (SELECT count FROM gate) <= $3
             {_COUNT_ATTEMPT}
           )
           SELECT * FROM gate UNION ALL SELECT * FROM rest""",
        gate[0],
        gate[1],
        gate[2],
        list(keys),
        list(windows),
    )
    return [(r["key"], r["count"], r["resetAt"]) for r in rows]


async def delete_keys(db: Executor, keys: Sequence[str]) -> int:
    return count(await db.execute("DELETE FROM auth_rate_limit WHERE key = ANY($1::text[])", list(keys)))
