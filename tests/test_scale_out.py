"""Scale-out: three instances of the service (separate `chatbot-agent serve` processes on separate ports, as behind a
load balancer) on one PostgreSQL. They share nothing but the database and the secrets, so whatever one instance does
to a session or a budget, the others see at once. Two instances that start at once on a fresh database migrate it
once, without a collision.

The instances run with rate limits on and TRUSTED_PROXY_COUNT=1, as behind a reverse proxy: each test speaks for its
own client address in X-Forwarded-For, so budgets are per test."""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import time

import asyncpg
import httpx
import pytest
from chatbot_agent.auth.methods import migration_sources
from chatbot_agent.db import migrate

from .processes import cli, instances, service_env
from .support import ME, SIGN_IN, SIGN_OUT, SIGN_UP, sign_up_input

PUBLIC_URL = "http://auth.example.test"  # the load balancer's address: one issuer and one origin for all instances
COOKIE = "chatbot_session"
SIGN_IN_IP_LIMIT = 6
WORKERS = 2
_addresses = itertools.count(1)


@pytest.fixture(scope="module")
def fresh_database(databases):
    import asyncio

    return asyncio.run(databases.create("scale_out", migrated=False))


@pytest.fixture(scope="module")
def cluster(fresh_database, tmp_path_factory):
    """A, B and C, started at once on a database no migration has touched yet: all three migrate it on start-up.
    Each runs two workers, each worker with its own session cache."""
    tmp = tmp_path_factory.mktemp("cluster")
    env = service_env(
        fresh_database,
        tmp,
        PUBLIC_URL=PUBLIC_URL,
        RATE_LIMIT_ENABLED="true",
        TRUSTED_PROXY_COUNT="1",
        RATE_LIMIT_SIGN_IN_IP=f"{SIGN_IN_IP_LIMIT}/600",
        METRICS="on",
    )
    with instances(env, tmp, ["A", "B", "C"], workers=WORKERS) as (a, b, c):
        with (
            httpx.Client(base_url=a.url, timeout=30) as ca,
            httpx.Client(base_url=b.url, timeout=30) as cb,
            httpx.Client(base_url=c.url, timeout=30) as cc,
        ):
            yield {"A": Node(ca), "B": Node(cb), "C": Node(cc)}


class Node:
    """A client of one instance that keeps no cookies of its own: each call says which session (if any) it carries."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def gql(
        self,
        query: str,
        variables: dict | None = None,
        *,
        address: str,
        cookie: str | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"X-Forwarded-For": address}
        if cookie:
            headers["Cookie"] = f"{COOKIE}={cookie}"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text
        return response

    def me(self, *, address: str, cookie: str | None = None, token: str | None = None) -> dict | None:
        return self.gql(ME, address=address, cookie=cookie, token=token).json()["data"]["me"]

    def me_everywhere(self, *, address: str, cookie: str, times: int = 8) -> list[dict | None]:
        """`me` on new connections (`Connection: close` after each), which the kernel spreads over the workers."""
        headers = {"X-Forwarded-For": address, "Cookie": f"{COOKIE}={cookie}", "Connection": "close"}
        return [
            self.http.post("/graphql", json={"query": ME}, headers=headers).json()["data"]["me"] for _ in range(times)
        ]

    def metric(self, name: str) -> float:
        text = self.http.get("/metrics").text
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def new_address() -> str:
    return f"198.51.100.{next(_addresses)}"


def session_cookie(response: httpx.Response) -> str:
    value = response.cookies.get(COOKIE)
    assert value, f"no {COOKIE} cookie in {response.headers.get_list('set-cookie')}"
    return value


def test_a_session_made_on_one_instance_is_seen_and_ended_on_the_others(cluster):
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    address = new_address()
    signed_up = a.gql(SIGN_UP, sign_up_input("ada.scale@example.com"), address=address)
    result = signed_up.json()["data"]["signUp"]
    assert result["__typename"] == "AuthSuccess"
    cookie, token, user_id = session_cookie(signed_up), result["accessToken"], result["user"]["id"]

    # Signed up on A; B knows the session from its cookie, C knows the bearer token (one signing key, one database).
    assert b.me(address=address, cookie=cookie)["id"] == user_id
    assert c.me(address=address, token=token)["id"] == user_id
    assert a.me(address=address, cookie=cookie)["id"] == user_id

    # Signed out on C: the session is dead on A and B at once, for the cookie and for the access token alike.
    assert c.gql(SIGN_OUT, address=address, cookie=cookie).json()["data"]["signOut"] is True
    for node in (a, b, c):
        assert node.me(address=address, cookie=cookie) is None
        assert node.me(address=address, token=token) is None

    # Signing in again on B makes a new session that A accepts, and the old cookie stays dead.
    signed_in = b.gql(
        SIGN_IN,
        {"input": {"email": "ada.scale@example.com", "password": "correct horse battery staple"}},
        address=address,
    )
    assert signed_in.json()["data"]["signIn"]["__typename"] == "AuthSuccess"
    fresh = session_cookie(signed_in)
    assert fresh != cookie
    assert a.me(address=address, cookie=fresh)["id"] == user_id
    assert a.me(address=address, cookie=cookie) is None


def test_one_client_has_one_rate_limit_budget_across_the_instances(cluster):
    nodes = [cluster["A"], cluster["B"], cluster["C"]]
    victim = "grace.scale@example.com"
    nodes[0].gql(SIGN_UP, sign_up_input(victim), address=new_address())
    attacker = new_address()
    guess = lambda node, n: node.gql(
        SIGN_IN, {"input": {"email": victim, "password": f"wrong guess {n}"}}, address=attacker
    ).json()["data"]["signIn"]

    # The budget is spent across A, B and C in turn: two attempts each, not six on every instance.
    codes = [guess(nodes[n % 3], n)["code"] for n in range(SIGN_IN_IP_LIMIT)]
    assert codes == ["INVALID_CREDENTIALS"] * SIGN_IN_IP_LIMIT
    for n, node in enumerate(nodes):
        refused = guess(node, SIGN_IN_IP_LIMIT + n)
        assert refused["code"] == "RATE_LIMITED" and refused["retryAfterSeconds"] > 0
    # Another client is not affected: budgets are per client, shared by the instances.
    ok = (
        nodes[1]
        .gql(SIGN_IN, {"input": {"email": victim, "password": "correct horse battery staple"}}, address=new_address())
        .json()["data"]["signIn"]
    )
    assert ok["__typename"] == "AuthSuccess"


async def _versions(dsn: str) -> list[int]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r["version"] for r in await conn.fetch("SELECT version FROM auth_migrations ORDER BY version")]
    finally:
        await conn.close()


def test_instances_started_at_once_migrated_the_fresh_database_once(cluster, fresh_database):
    import asyncio

    expected = [m.version for m in migrate.available(migration_sources())]
    assert asyncio.run(_versions(fresh_database)) == expected  # each version recorded once, by one of A, B, C


def test_two_migrate_commands_at_once_on_a_fresh_database(databases, tmp_path):
    import asyncio

    dsn = asyncio.run(databases.create("migrate_race", migrated=False))
    env = service_env(dsn, tmp_path)
    runs = [
        subprocess.Popen(
            cli("migrate"), env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = []
    for run in runs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            outputs.append(run.communicate(timeout=120)[0])
        if run.poll() is None:
            run.kill()
    assert [run.returncode for run in runs] == [0, 0], outputs
    expected = [m.version for m in migrate.available(migration_sources())]
    # One of them applied every migration while the other waited on the lock and then found nothing to do (or they
    # shared the work): either way each migration ran once.
    applied = [int(out.split("applied ", 1)[1].split(" ", 1)[0]) for out in outputs]
    assert sum(applied) == len(expected), outputs
    assert all(f"database at version {expected[-1]}" in out for out in outputs), outputs
    assert asyncio.run(_versions(dsn)) == expected


def test_every_worker_of_every_instance_forgets_a_revoked_or_changed_session_at_once(cluster):
    """Each worker answers `me` from its session cache; a sign-out, a rename or a revocation on one instance reaches
    every worker of every instance (PostgreSQL NOTIFY) before the next request, round after round."""
    nodes = a, b, c = cluster["A"], cluster["B"], cluster["C"]
    email = "cache.scale@example.com"
    user_id = a.gql(SIGN_UP, sign_up_input(email), address=new_address()).json()["data"]["signUp"]["user"]["id"]
    hits_before = sum(node.metric('chatbot_auth_session_cache_lookups_total{result="hit"') for node in nodes)
    credentials = {"input": {"email": email, "password": "correct horse battery staple"}}
    for round_ in range(6):
        address = new_address()  # each round its own client: the sign-in budget is per address
        cookie = session_cookie(a.gql(SIGN_IN, credentials, address=address))
        for node in nodes:  # every worker that is reached now holds the session
            assert {me["id"] for me in node.me_everywhere(address=address, cookie=cookie)} == {user_id}

        # A rename on B: every worker of A and C shows the new name on the very next request.
        name = f"Round{round_}"
        renamed = b.gql(
            "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { __typename } }",
            {"i": {"firstName": name, "lastName": "Lovelace"}},
            address=address,
            cookie=cookie,
        )
        assert renamed.json()["data"]["updateProfile"]["__typename"] != "AuthError", renamed.text
        for node in (a, c):
            assert {me["firstName"] for me in node.me_everywhere(address=address, cookie=cookie)} == {name}

        # Signed out on C: dead on every worker of A and B (and C) at once.
        assert c.gql(SIGN_OUT, address=address, cookie=cookie).json()["data"]["signOut"] is True
        for node in nodes:
            assert node.me_everywhere(address=address, cookie=cookie) == [None] * 8

    # The answers above came from the caches (not only from the database), and every worker's listener is heard.
    deadline = time.monotonic() + 30
    while True:  # the gauges are sampled every 2 s
        listening = [node.metric("chatbot_auth_session_cache_listening") for node in nodes]
        hits = sum(node.metric('chatbot_auth_session_cache_lookups_total{result="hit"') for node in nodes)
        if (listening == [WORKERS] * 3 and hits > hits_before) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert listening == [WORKERS] * 3
    assert hits > hits_before
