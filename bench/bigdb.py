"""The scale phase of `make bench`: `signIn` and `me` (cookie) on a database of 1,000 users and on one of 1,000,000
(`--scale-users`), one server of ours on each, measured in turns.

In each database the bench's own users (`--users`) sign up through the server, so their sessions and cookies are
real; the rest are filler users loaded with PostgreSQL COPY: a `"user"` row, a credential `account` row with an
argon2id hash (one hash, made once with the bench's parameters, shared by all) and one live `session` row (a random
SHA-256 token hash) each, so the session table is as large as the user table. Then VACUUM (ANALYZE): the planner
knows the sizes, and autovacuum has nothing left to do on one database while the other is measured.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import harness

SMALL_USERS = 1_000  # the reference: the figures at 1,000 users
BATCH = 50_000  # filler rows generated and copied at a time (bounded memory)
USER_COLUMNS = ("id", "name", "email", "emailVerified", "firstName", "lastName", "createdAt", "updatedAt")
ACCOUNT_COLUMNS = ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt")
SESSION_COLUMNS = ("id", "token", "userId", "expiresAt", "ipAddress", "userAgent", "createdAt", "updatedAt")


@dataclass
class Database:
    label: str  # "small" or "big": where its figures go
    users: int  # in all: the bench's own plus the filler
    dsn: str
    load: dict
    server: harness.Server | None = None
    cookies: list[str] = field(default_factory=list)


def filler_rows(count: int, password_hash: str) -> Iterator[tuple[list, list, list]]:
    """(users, accounts, sessions) rows for `count` filler users, BATCH at a time."""
    now = datetime.now(UTC)
    expires = now + timedelta(days=7)
    for start in range(0, count, BATCH):
        n = min(BATCH, count - start)
        user_ids, account_ids, session_ids = (os.urandom(16 * n).hex() for _ in range(3))
        tokens = os.urandom(32 * n).hex()  # as random as sha256 hex of a random token
        users, accounts, sessions = [], [], []
        for k in range(n):
            i, uid, token = start + k, user_ids[32 * k : 32 * k + 32], tokens[64 * k : 64 * k + 64]
            users.append((uid, f"Filler User{i}", f"filler-{i}@example.com", True, "Filler", f"User{i}", now, now))
            accounts.append((account_ids[32 * k : 32 * k + 32], uid, "credential", uid, password_hash, now, now))
            sessions.append((session_ids[32 * k : 32 * k + 32], token, uid, expires, "127.0.0.1", "bench", now, now))
        yield users, accounts, sessions


async def load(dsn: str, count: int, password_hash: str) -> dict:
    """COPY `count` filler users (with an account and a session each) into `dsn`, then VACUUM (ANALYZE). A batch's
    accounts and sessions are copied while the next batch's users are, on three connections."""
    tables = (("user", USER_COLUMNS), ("account", ACCOUNT_COLUMNS), ("session", SESSION_COLUMNS))
    conns = [await asyncpg.connect(dsn) for _ in tables]
    try:
        copy = lambda n, rows: conns[n].copy_records_to_table(tables[n][0], records=rows, columns=tables[n][1])
        started = time.perf_counter()
        accounts, sessions = [], []  # the batch before, whose users are in
        for users, *children in filler_rows(count, password_hash):
            await asyncio.gather(copy(0, users), copy(1, accounts), copy(2, sessions))
            accounts, sessions = children
        await asyncio.gather(copy(1, accounts), copy(2, sessions))
        copied = time.perf_counter() - started
        started = time.perf_counter()
        await conns[0].execute('VACUUM (ANALYZE) "user", account, session')
        vacuumed = time.perf_counter() - started
        size = await conns[0].fetchval("SELECT pg_database_size(current_database())")
    finally:
        for conn in conns:
            await conn.close()
    return {
        "copied_users": count,
        "copy_seconds": round(copied, 2),
        "copy_users_per_s": round(count / copied) if copied else None,
        "vacuum_analyze_seconds": round(vacuumed, 2),
        "database_bytes": size,
    }


def filler_hash(args) -> str:
    """One argon2id hash with the bench's parameters, of a password nobody knows."""
    from argon2 import PasswordHasher, Type

    return PasswordHasher(
        time_cost=args.argon2_time_cost,
        memory_cost=args.argon2_memory_kib,
        parallelism=args.argon2_parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    ).hash(secrets.token_urlsafe(16))


async def run(bench, pg: harness.Postgres) -> None:
    """The phase: both databases loaded, a server of ours on each, signIn and me (cookie) in turns on both."""
    a = bench.args
    password_hash = filler_hash(a)
    dbs = []
    for label, users in (("small", SMALL_USERS), ("big", a.scale_users)):
        filler = max(0, users - a.users)
        bench.log(f"scale: {label} database, COPY of {filler:,} filler users (with an account and a session each)")
        dsn = await pg.create(f"bench_scale_{label}")
        dbs.append(Database(label, filler + a.users, dsn, await load(dsn, filler, password_hash)))
        bench.log(f"scale: {label} loaded: {_describe(dbs[-1].load)}")
    for db in dbs:  # started only now: their first plans see the loaded tables
        db.server = bench.start_ours(db.dsn, name=f"chatbot-agent-{db.label}-db")
    for db in dbs:
        db.cookies, _ = await bench.seed_ours(db.server, migrated_from_better_auth=False)
    sign_in = bench.sign_in_requests()
    me = {db.label: bench.me_cookie_requests(db.cookies) for db in dbs}
    me_load = {"expect": bench.ME_EXPECT, "connections": a.me_connections}
    sign_in_load = {"expect": bench.SIGN_IN_EXPECT, "connections": a.sign_in_connections}
    if a.warmup:
        for db in dbs:
            bench.wrk(db.server, me[db.label], seconds=a.warmup, **me_load)
    bench.log(f"scale: signIn and me (cookie) at {dbs[0].users:,} and at {dbs[1].users:,} users, in turns")
    jobs = {}
    for db in dbs:
        jobs[f"{db.label}:sign_in"] = lambda s, db=db: bench.wrk(db.server, sign_in, seconds=s, **sign_in_load)
        jobs[f"{db.label}:me_cookie"] = lambda s, db=db: bench.wrk(db.server, me[db.label], seconds=s, **me_load)
    runs = bench.rounds(dict(sorted(jobs.items(), key=lambda job: job[0].split(":")[1])))  # small, big; small, big
    scale = {}
    for db in dbs:
        bench.stop(db.server)
        scale[db.label] = {
            "users": db.users,
            **db.load,
            "sign_in": harness.combine(runs[f"{db.label}:sign_in"]),
            "me_cookie": harness.combine(runs[f"{db.label}:me_cookie"]),
        }
    small, big = scale["small"], scale["big"]
    scale["big_over_small"] = {
        phase: {key: round(big[phase][key] / small[phase][key], 3) for key in ("rps", "p50_ms", "p99_ms")}
        for phase in ("sign_in", "me_cookie")
        if small[phase]["rps"] and small[phase]["p50_ms"] and small[phase]["p99_ms"]
    }
    bench.results["scale"] = scale


def _describe(load: dict) -> str:
    return (
        f"COPY {load['copy_seconds']:.1f} s ({load['copy_users_per_s'] or 0:,} users/s), "
        f"VACUUM (ANALYZE) {load['vacuum_analyze_seconds']:.1f} s, database {load['database_bytes'] / 2**20:,.0f} MiB"
    )


def goals(results: dict) -> list[tuple]:
    """Issue 14: `me` and `signIn` at 1,000,000 users within 10% of the figures at 1,000."""
    scale = results.get("scale")
    if not scale:
        return []
    big, small = f"{scale['big']['users']:,}", f"{scale['small']['users']:,}"
    ratio = lambda phase: (
        scale["big"][phase]["rps"] / scale["small"][phase]["rps"] if scale["small"][phase]["rps"] else None
    )
    return [
        (f"me (cookie) at {big} users / at {small}", ratio("me_cookie"), ">=", 0.90, "%"),
        (f"signIn at {big} users / at {small}", ratio("sign_in"), ">=", 0.90, "%"),
    ]


def rows(results: dict) -> list[tuple[str, dict]]:
    """The phase's rows of the table: (name, figures)."""
    scale = results.get("scale")
    if not scale:
        return []
    return [
        (f"ours, {scale[label]['users']:,} users: {name}", scale[label][phase])
        for phase, name in (("sign_in", "signIn"), ("me_cookie", "me (cookie)"))
        for label in ("small", "big")
    ]


def lines(results: dict) -> list[str]:
    """The phase's lines under the table: how the filler users were loaded."""
    scale = results.get("scale")
    if not scale:
        return []
    return [
        f"scale, {scale[label]['users']:,} users ({scale[label]['copied_users']:,} loaded with COPY): "
        + _describe(scale[label])
        for label in ("small", "big")
    ]
