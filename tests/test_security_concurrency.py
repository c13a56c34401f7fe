"""Races over real sockets (uvicorn): one email signed up 50 times at once, one reset token used 20 times at once,
and 30 simultaneous attempts against a budget of 10."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from chatbot_agent.config import RateLimit

from .security_support import GENEROUS, sign_in_input, unique
from .support import REQUEST_RESET, RESET, SIGN_IN, SIGN_UP, reset_token, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def parallel(url: str, bodies: list[dict]) -> list[dict]:
    """Each body from its own client (own connection, own cookie jar), all released at once."""
    clients = [httpx.AsyncClient(base_url=url, timeout=60) for _ in bodies]
    try:
        responses = await asyncio.gather(*(c.post("/graphql", json=b) for c, b in zip(clients, bodies, strict=False)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    assert {r.status_code for r in responses} == {200}
    return [r.json()["data"] for r in responses]


def outcome(result: dict) -> str:
    return result.get("code") or result["__typename"]


async def test_fifty_parallel_sign_ups_of_one_email_make_exactly_one_user(live_server_factory, db):
    email = unique("stampede")
    with live_server_factory() as server:
        bodies = [{"query": SIGN_UP, "variables": sign_up_input(email, first=f"Twin{n}")} for n in range(50)]
        results = [r["signUp"] for r in await parallel(server.url, bodies)]
    assert Counter(map(outcome, results)) == {"AuthSuccess": 1, "EMAIL_TAKEN": 49}
    winner = next(r for r in results if r["__typename"] == "AuthSuccess")["user"]
    rows = await db.fetch('SELECT id, "firstName" FROM "user" WHERE lower(email) = $1', email)
    assert [(r["id"], r["firstName"]) for r in rows] == [(winner["id"], winner["firstName"])]
    assert await db.fetchval('SELECT count(*) FROM account WHERE "userId" = $1', winner["id"]) == 1
    assert await db.fetchval('SELECT count(*) FROM session WHERE "userId" = $1', winner["id"]) == 1


async def test_twenty_parallel_resets_with_one_token_exactly_one_succeeds(live_server_factory, smtp_server):
    email = unique("onetoken")
    with live_server_factory() as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            await http.post("/graphql", json={"query": SIGN_UP, "variables": sign_up_input(email)})
            await http.post("/graphql", json={"query": REQUEST_RESET, "variables": {"email": email}})
        token = reset_token(await smtp_server.wait_for(email))
        passwords = [f"racing passphrase {n}" for n in range(20)]
        bodies = [{"query": RESET, "variables": {"token": token, "password": p}} for p in passwords]
        results = [r["resetPassword"] for r in await parallel(server.url, bodies)]
        assert Counter(map(outcome, results)) == {"ResetPasswordSuccess": 1, "INVALID_OR_EXPIRED_TOKEN": 19}
        winner = passwords[next(n for n, r in enumerate(results) if r["__typename"] == "ResetPasswordSuccess")]
        sign_ins = await parallel(
            server.url, [{"query": SIGN_IN, "variables": sign_in_input(email, p)} for p in passwords]
        )
    assert [outcome(r["signIn"]) == "AuthSuccess" for r in sign_ins] == [p == winner for p in passwords]


async def test_simultaneous_attempts_cannot_overdraw_a_budget(live_server_factory, db):
    await db.execute("DELETE FROM auth_rate_limit")
    email = unique("overdraw")
    overrides = dict(
        rate_limit_enabled=True, rate_limit_sign_in_ip=GENEROUS, rate_limit_sign_in_email=RateLimit(10, 600)
    )
    with live_server_factory(**overrides) as server:
        bodies = [{"query": SIGN_IN, "variables": sign_in_input(email, f"guess {n}")} for n in range(30)]
        results = [r["signIn"] for r in await parallel(server.url, bodies)]
    assert Counter(map(outcome, results)) == {"INVALID_CREDENTIALS": 10, "RATE_LIMITED": 20}
