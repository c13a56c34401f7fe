"""Rate limits: counted in PostgreSQL (shared by every worker and instance), per client address and per email, with a
retry-after figure; the client address comes from the socket, or from X-Forwarded-For only behind trusted proxies."""

from __future__ import annotations

import hashlib

import pytest
import pytest_asyncio
from chatbot_agent.api.graphql.context import client_ip
from chatbot_agent.config import RateLimit
from starlette.requests import Request

from .security_support import PASSWORD, limited_settings, sign_in_input, unique
from .support import REQUEST_RESET, RESET, SIGN_IN, SIGN_UP, running_app, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def fresh_budgets(db):
    """Every test of this module starts with no counters (they all come from 127.0.0.1)."""
    await db.execute("DELETE FROM auth_rate_limit")


def code_of(result: dict) -> str:
    return result.get("code") or result["__typename"]


async def test_per_ip_budget_with_retry_after_and_success_does_not_reset_it(database_url, smtp_server, tmp_path):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, sign_in_ip=RateLimit(4, 600))
    async with running_app(settings) as (app, api):
        mine, victim = unique("attacker"), unique("victim")
        await api(SIGN_UP, sign_up_input(mine))
        await api(SIGN_UP, sign_up_input(victim))
        outcomes = []
        for email, password in [(victim, "guess one!"), (mine, PASSWORD), (victim, "guess two!"), (mine, PASSWORD)]:
            outcomes.append(code_of((await api(SIGN_IN, sign_in_input(email, password)))["signIn"]))
        assert outcomes == ["INVALID_CREDENTIALS", "AuthSuccess", "INVALID_CREDENTIALS", "AuthSuccess"]
        # Two successful sign-ins in between did not give the address a fresh budget for guessing.
        refused = (await api(SIGN_IN, sign_in_input(victim, "guess three!")))["signIn"]
        assert refused["code"] == "RATE_LIMITED"
        assert 0 < refused["retryAfterSeconds"] <= 600
        assert f"{refused['retryAfterSeconds']} seconds" in refused["message"]
        # Spent means spent, even with the right password: the password is not even checked.
        assert (await api(SIGN_IN, sign_in_input(mine)))["signIn"]["code"] == "RATE_LIMITED"


async def test_per_email_budget_across_addresses_and_letter_case(database_url, smtp_server, tmp_path):
    settings = limited_settings(
        database_url, tmp_path, smtp_server.url, sign_in_email=RateLimit(3, 900), trusted_proxy_count=1
    )
    async with running_app(settings) as (app, api):
        victim, other = unique("target"), unique("bystander")
        await api(SIGN_UP, sign_up_input(victim))
        await api(SIGN_UP, sign_up_input(other))
        spellings = [victim, victim.upper(), f"  {victim.title()} "]
        for n, email in enumerate(spellings):  # a botnet: every attempt from another address
            headers = {"x-forwarded-for": f"203.0.113.{n + 1}"}
            result = (await api(SIGN_IN, sign_in_input(email, "wrong password"), headers=headers))["signIn"]
            assert result["code"] == "INVALID_CREDENTIALS"
        fourth = (await api(SIGN_IN, sign_in_input(victim), headers={"x-forwarded-for": "198.51.100.9"}))["signIn"]
        assert fourth["code"] == "RATE_LIMITED" and 0 < fourth["retryAfterSeconds"] <= 900
        assert code_of((await api(SIGN_IN, sign_in_input(other)))["signIn"]) == "AuthSuccess"  # others unaffected


async def test_budget_is_shared_by_two_instances_through_postgresql(database_url, smtp_server, tmp_path):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, sign_in_ip=RateLimit(4, 300))
    async with running_app(settings) as (_, first), running_app(settings) as (_, second):
        email = unique("shared")
        results = []
        for n in range(6):
            api = first if n % 2 == 0 else second
            results.append(code_of((await api(SIGN_IN, sign_in_input(email)))["signIn"]))
        assert results == ["INVALID_CREDENTIALS"] * 4 + ["RATE_LIMITED"] * 2


async def test_counters_are_keyed_by_hashes_not_by_email_or_address(database_url, smtp_server, tmp_path, db):
    settings = limited_settings(database_url, tmp_path, smtp_server.url)
    async with running_app(settings) as (_, api):
        email = unique("hashed")
        await api(SIGN_IN, sign_in_input(email))
    keys = [r["key"] for r in await db.fetch("SELECT key FROM auth_rate_limit")]
    assert sorted(k.split(":")[:2] for k in keys) == [["signIn", "email"], ["signIn", "ip"]]
    assert f"signIn:email:{hashlib.sha256(email.encode()).hexdigest()[:16]}" in keys
    assert not any(email in k or "127.0.0.1" in k for k in keys)


async def test_a_window_that_ended_opens_a_fresh_budget(database_url, smtp_server, tmp_path, db):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, sign_in_ip=RateLimit(2, 3600))
    async with running_app(settings) as (_, api):
        email = unique("window")
        await api(SIGN_UP, sign_up_input(email))
        codes = [code_of((await api(SIGN_IN, sign_in_input(email, "nope nope")))["signIn"]) for _ in range(3)]
        assert codes == ["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "RATE_LIMITED"]
        await db.execute("UPDATE auth_rate_limit SET \"resetAt\" = now() - interval '1 second'")  # an hour later
        assert code_of((await api(SIGN_IN, sign_in_input(email)))["signIn"]) == "AuthSuccess"
        assert await db.fetchval("SELECT count FROM auth_rate_limit WHERE key LIKE 'signIn:ip:%'") == 1


async def test_refused_attempts_do_not_grow_the_table_and_expired_rows_are_swept(
    database_url, smtp_server, tmp_path, db
):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, sign_in_ip=RateLimit(3, 60))
    async with running_app(settings) as (app, api):
        results = [(await api(SIGN_IN, sign_in_input(unique("spray"))))["signIn"]["code"] for _ in range(25)]
        assert results == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 22
        # 25 different emails, but only the 3 attempts the address was allowed left an email counter behind.
        rows = await db.fetch("SELECT key, count FROM auth_rate_limit ORDER BY key")
        assert len(rows) == 1 + 3
        assert [r["count"] for r in rows if r["key"].startswith("signIn:ip:")] == [25]
        await db.execute("UPDATE auth_rate_limit SET \"resetAt\" = now() - interval '1 second'")
        removed = await app.state.auth.auth.core.delete_expired()
    assert removed["rateLimits"] == 4 and await db.fetchval("SELECT count(*) FROM auth_rate_limit") == 0


async def test_aliased_attempts_in_one_request_are_each_counted(database_url, smtp_server, tmp_path):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, sign_in_email=RateLimit(3, 900))
    email = unique("aliases")
    fields = " ".join(
        f'a{n}: signIn(input: {{email: "{email}", password: "guess number {n}"}}) {{ ... on AuthError {{ code }} }}'
        for n in range(5)
    )
    async with running_app(settings) as (_, api):
        data = await api(f"mutation {{ {fields} }}")
    assert [data[f"a{n}"]["code"] for n in range(5)] == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 2


async def test_sign_up_is_limited_per_address(database_url, smtp_server, tmp_path, db):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, sign_up_ip=RateLimit(2, 3600))
    async with running_app(settings) as (_, api):
        results = [code_of((await api(SIGN_UP, sign_up_input(unique("bulk"))))["signUp"]) for _ in range(4)]
    assert results == ["AuthSuccess", "AuthSuccess", "RATE_LIMITED", "RATE_LIMITED"]


async def test_reset_requests_limited_per_email_alike_for_unknown_emails_and_no_mail_bomb(
    database_url, smtp_server, tmp_path
):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, reset_request_email=RateLimit(2, 3600))
    async with running_app(settings) as (_, api):
        known, ghost = unique("known"), unique("ghost")
        await api(SIGN_UP, sign_up_input(known))
        answers = {}
        for email in (known, ghost):
            answers[email] = [(await api(REQUEST_RESET, {"email": email}))["requestPasswordReset"] for _ in range(4)]
            for answer in answers[email]:
                answer.pop("retryAfterSeconds", None)
        assert answers[known] == answers[ghost]  # the limit does not tell known emails from unknown ones
        assert [code_of(a) for a in answers[known]] == ["RequestPasswordResetSuccess"] * 2 + ["RATE_LIMITED"] * 2
        await smtp_server.wait_for(known, 2)
    assert len(smtp_server.to(known)) == 2 and smtp_server.to(ghost) == []


async def test_reset_requests_limited_per_address(database_url, smtp_server, tmp_path):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, reset_request_ip=RateLimit(3, 3600))
    async with running_app(settings) as (_, api):
        codes = [
            code_of((await api(REQUEST_RESET, {"email": unique("any")}))["requestPasswordReset"]) for _ in range(4)
        ]
    assert codes == ["RequestPasswordResetSuccess"] * 3 + ["RATE_LIMITED"]


async def test_reset_token_guessing_is_limited_per_address(database_url, smtp_server, tmp_path):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, reset_ip=RateLimit(3, 3600))
    async with running_app(settings) as (_, api):
        codes = [
            (await api(RESET, {"token": f"guess-{n}", "password": "a new passphrase"}))["resetPassword"]["code"]
            for n in range(5)
        ]
    assert codes == ["INVALID_OR_EXPIRED_TOKEN"] * 3 + ["RATE_LIMITED"] * 2


async def test_forwarded_for_is_ignored_without_a_trusted_proxy(database_url, smtp_server, tmp_path, db):
    settings = limited_settings(database_url, tmp_path, smtp_server.url, sign_in_ip=RateLimit(3, 300))
    async with running_app(settings) as (_, api):
        email = unique("spoof")
        await api(SIGN_UP, sign_up_input(email))
        codes = []
        for n in range(4):  # a fresh spoofed address every time buys nothing
            result = await api(SIGN_IN, sign_in_input(email), headers={"x-forwarded-for": f"192.0.2.{n}"})
            codes.append(code_of(result["signIn"]))
    assert codes == ["AuthSuccess"] * 3 + ["RATE_LIMITED"]
    addresses = {
        r["ipAddress"]
        for r in await db.fetch(
            'SELECT "ipAddress" FROM session s JOIN "user" u ON u.id = s."userId" WHERE u.email = $1', email
        )
    }
    assert addresses == {"127.0.0.1"}  # the socket peer, not the header


async def test_forwarded_for_behind_one_trusted_proxy_uses_the_address_it_appended(
    database_url, smtp_server, tmp_path, db
):
    settings = limited_settings(
        database_url, tmp_path, smtp_server.url, sign_in_ip=RateLimit(2, 300), trusted_proxy_count=1
    )
    async with running_app(settings) as (_, api):
        email = unique("proxied")
        await api(SIGN_UP, sign_up_input(email))

        async def attempt(forwarded: str) -> str:
            result = await api(SIGN_IN, sign_in_input(email), headers={"x-forwarded-for": forwarded})
            return code_of(result["signIn"])

        # The client may prepend anything; the proxy's own entry (the last one) is the one that counts.
        assert [await attempt(f"10.9.9.{n}, 198.51.100.7") for n in range(3)] == ["AuthSuccess"] * 2 + ["RATE_LIMITED"]
        assert await attempt("198.51.100.8") == "AuthSuccess"  # another client behind the proxy
    addresses = {
        r["ipAddress"]
        for r in await db.fetch(
            'SELECT "ipAddress" FROM session s JOIN "user" u ON u.id = s."userId" WHERE u.email = $1', email
        )
    }
    assert addresses <= {"198.51.100.7", "198.51.100.8", "127.0.0.1"} and "198.51.100.8" in addresses


@pytest.mark.parametrize(
    "forwarded, proxies, expected",
    [
        (None, 0, "192.0.2.1"),
        ("203.0.113.5", 0, "192.0.2.1"),
        ("203.0.113.5", 1, "203.0.113.5"),
        ("6.6.6.6, 203.0.113.5", 1, "203.0.113.5"),
        ("6.6.6.6, 203.0.113.5, 10.0.0.2", 2, "203.0.113.5"),
        ("203.0.113.5", 2, "192.0.2.1"),  # fewer entries than proxies: the header is not trustworthy
    ],
)
async def test_client_ip_rules(forwarded, proxies, expected):
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    request = Request(
        {"type": "http", "method": "POST", "path": "/graphql", "headers": headers, "client": ("192.0.2.1", 5555)}
    )
    assert client_ip(request, proxies) == expected
