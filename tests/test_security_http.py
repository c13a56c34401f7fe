"""The HTTP edge: CSRF for cookie auth, GraphQL limits refused cheaply, production mode, security headers."""

from __future__ import annotations

import json

import pytest

from .security_support import sign_in_input, unique
from .support import ME, SIGN_IN, SIGN_UP, make_settings, new_client, running_app, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")

TRUSTED = "http://localhost:8000"  # the origin of PUBLIC_URL in make_settings
SIGN_OUT_JSON = json.dumps({"query": "mutation { signOut }"})


async def signed_in(app):
    client = new_client(app)
    await client(SIGN_UP, sign_up_input(unique("csrf")))
    return client


async def still_signed_in(client) -> bool:
    return (await client(ME, headers={"origin": TRUSTED}))["me"] is not None


# ------------------------------------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},  # sandboxed iframes, data: URLs
        {"origin": "http://localhost:8000.evil.example"},
        {"referer": "https://evil.example/page"},  # no Origin header: the Referer decides
    ],
)
async def test_cookie_request_from_a_foreign_origin_is_refused_and_runs_nothing(app_api, headers):
    app, _ = app_api
    victim = await signed_in(app)
    response = await victim.http.post(
        "/graphql", content=SIGN_OUT_JSON, headers={"content-type": "application/json", **headers}
    )
    assert response.status_code == 403 and "data" not in response.json()
    assert await still_signed_in(victim)
    await victim.http.aclose()


async def test_cookie_request_from_the_trusted_origin_or_without_origin_passes(app_api):
    app, _ = app_api
    user = await signed_in(app)
    assert (await user.post(ME, headers={"origin": TRUSTED})).status_code == 200
    assert (await user.post(ME, headers={"referer": f"{TRUSTED}/account"})).status_code == 200
    assert (await user.post(ME)).status_code == 200  # non-browser clients send no Origin
    await user.http.aclose()


async def test_foreign_origin_is_refused_without_a_cookie_too(app_api):
    """Login CSRF: a hostile page must not sign the victim in to the attacker's account either."""
    app, _ = app_api
    attacker = await signed_in(app)
    email = (await attacker(ME))["me"]["email"]
    victim = new_client(app)
    response = await victim.post(SIGN_IN, sign_in_input(email), headers={"origin": "https://evil.example"})
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert (await victim(ME))["me"] is None
    await attacker.http.aclose()
    await victim.http.aclose()


@pytest.mark.parametrize("origin", [None, TRUSTED, "https://evil.example"])
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/plain", SIGN_OUT_JSON),  # what a cross-site <form enctype=text/plain> or fetch no-cors sends
        ("application/x-www-form-urlencoded", "query=mutation%20%7B%20signOut%20%7D"),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nmutation { signOut }\r\n--x--\r\n',
        ),
    ],
)
async def test_simple_requests_never_run_operations(app_api, origin, content_type, body):
    """A browser sends these cross-site without a CORS preflight, cookie included: refused, nothing runs."""
    app, _ = app_api
    victim = await signed_in(app)
    headers = {"content-type": content_type, **({"origin": origin} if origin else {})}
    response = await victim.http.post("/graphql", content=body, headers=headers)
    assert response.status_code == (403 if origin and origin != TRUSTED else 400)
    assert await still_signed_in(victim)
    await victim.http.aclose()


async def test_get_never_runs_an_operation(app_api):
    app, _ = app_api
    victim = await signed_in(app)
    for query in ("mutation { signOut }", "{ me { id email } }"):
        response = await victim.http.get("/graphql", params={"query": query})
        assert response.status_code == 400 and "data" not in response.text
    assert await still_signed_in(victim)
    await victim.http.aclose()


async def test_no_cors_grant_for_foreign_origins(api):
    preflight = await api.http.options(
        "/graphql",
        headers={
            "origin": "https://evil.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    post = await api.post(ME, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in post.headers


async def test_trusted_origins_setting_replaces_the_default(database_url, tmp_path):
    settings = make_settings(database_url, tmp_path, trusted_origins=("https://app.example.com",))
    async with running_app(settings) as (app, _):
        user = await signed_in(app)
        assert (await user.post(ME, headers={"origin": "https://app.example.com"})).status_code == 200
        assert (await user.post(ME, headers={"origin": TRUSTED})).status_code == 403
        await user.http.aclose()


# -------------------------------------------------------------------------------------------- GraphQL limits


def messages(response) -> list[str]:
    return [e["message"] for e in response.json()["errors"]]


async def test_depth_limit(api):
    deep = "{ me " + "{ id " * 11 + "}" * 11 + " }"
    response = await api.post(deep)
    assert "'anonymous' exceeds maximum operation depth of 10" in messages(response)
    assert response.json()["data"] is None


async def test_token_limit_aborts_parsing(api):
    flat = "{ me { " + "id " * 1500 + "} }"  # 6 KB: well under the body limit
    response = await api.post(flat)
    assert messages(response) == ["Syntax Error: Document contains more than 1000 tokens. Parsing aborted."]


async def test_alias_limit_and_alias_batching_of_sign_ins(api):
    fields = " ".join(
        f'a{n}: signIn(input: {{email: "x{n}@example.com", password: "guess number {n}"}}) {{ __typename }}'
        for n in range(16)
    )
    response = await api.post(f"mutation {{ {fields} }}")
    assert messages(response) == ["16 aliases found. Allowed: 15"] and response.json()["data"] is None


@pytest.mark.parametrize("levels", [1_000, 20_000])
async def test_deeply_nested_documents_are_refused_while_parsing(api, levels):
    nested = "{me" + "{a" * levels + "}" * levels + "}"  # 20,000 levels: 60 KB, just under the body limit
    response = await api.post(nested)
    assert response.status_code == 200 and response.json()["data"] is None
    assert all(m.startswith("Syntax Error:") and m.endswith("Parsing aborted.") for m in messages(response))
    assert "Traceback" not in response.text and "Recursion" not in response.text


async def test_a_megabyte_is_refused_before_it_is_read(api):
    pulled = 0

    async def body():
        nonlocal pulled
        for _ in range(64):
            pulled += 1
            yield b"x" * 16384  # 64 × 16 KiB = 1 MiB

    response = await api.http.post(
        "/graphql", content=body(), headers={"content-type": "application/json", "content-length": str(1 << 20)}
    )
    assert response.status_code == 413
    assert pulled <= 1  # refused on Content-Length, not after reading a megabyte


async def test_a_megabyte_without_content_length_is_cut_off_at_the_limit(api):
    pulled = 0

    async def body():
        nonlocal pulled
        for _ in range(64):
            pulled += 1
            yield b"x" * 16384

    response = await api.http.post("/graphql", content=body(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert pulled <= 65536 // 16384 + 1  # stopped reading just past MAX_BODY_BYTES


async def test_batching_is_off(api):
    batch = json.dumps([{"query": "{ me { id } }"}] * 2)
    response = await api.http.post("/graphql", content=batch, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "Batching is not enabled" in response.text


async def test_production_turns_off_introspection_and_graphiql(database_url, tmp_path, api):
    development = await api.http.get("/graphql", headers={"accept": "text/html"})
    # GraphiQL's page; this app has no FRONTEND_DIST, so it is the page saying how to build it (tests/e2e has the rest)
    assert development.status_code == 503 and "GraphiQL is not built" in development.text
    assert (await api("{ __schema { queryType { name } } }"))["__schema"]["queryType"]["name"] == "Query"

    settings = make_settings(database_url, tmp_path, app_env="production", argon2_time_cost=2)
    async with running_app(settings) as (_, prod):
        page = await prod.http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 404 and "GraphiQL" not in page.text
        for probe in ("{ __schema { queryType { name } } }", '{ __type(name: "User") { fields { name } } }'):
            response = await prod.post(probe)
            assert response.json()["data"] is None
            assert all("introspection has been disabled" in m for m in messages(response))
        assert (await prod("{ me { __typename } }"))["me"] is None  # __typename still works (unions need it)


# ---------------------------------------------------------------------------------------------------- headers


def assert_hardened(headers, *, api: bool = True) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-request-id"]
    if api:
        assert headers["cache-control"] == "no-store"


async def test_security_headers_on_every_kind_of_answer(app_api):
    app, api = app_api
    victim = await signed_in(app)
    answers = {
        "graphql": await api.post(ME),
        "sign up": await api.post(SIGN_UP, sign_up_input(unique("headers"))),
        "health": await api.http.get("/health"),
        "csrf refusal": await victim.post(ME, headers={"origin": "https://evil.example"}),
        "too large": await api.http.post(
            "/graphql", content=b"x" * 70_000, headers={"content-type": "application/json"}
        ),
        "bad content type": await api.http.post("/graphql", content="{}", headers={"content-type": "text/plain"}),
    }
    assert [a.status_code for a in answers.values()] == [200, 200, 200, 403, 413, 400]
    for name, answer in answers.items():
        assert_hardened(answer.headers)
        assert "strict-transport-security" not in answer.headers, name  # plain http: no HSTS
    await victim.http.aclose()


async def test_https_public_url_adds_hsts_and_secure_cookies(database_url, tmp_path):
    settings = make_settings(database_url, tmp_path, public_url="https://auth.example.com")
    async with running_app(settings) as (_, api):
        response = await api.post(SIGN_UP, sign_up_input(unique("https")))
        health = await api.http.get("/health")
    for answer in (response, health):
        hsts = answer.headers["strict-transport-security"]
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31_536_000
    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_static_frontend_is_framed_nowhere(database_url, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>app</title>")
    settings = make_settings(database_url, tmp_path, frontend_dist=dist)
    async with running_app(settings) as (_, api):
        page = await api.http.get("/account")  # a client-side route
    assert page.status_code == 200 and "<title>app</title>" in page.text
    assert_hardened(page.headers, api=False)


async def test_request_ids_are_echoed_only_when_sane(api):
    mine = await api.post(ME, headers={"x-request-id": "trace-1234"})
    assert mine.headers["x-request-id"] == "trace-1234"
    for bad in ("x" * 65, "bad\tid"):
        response = await api.post(ME, headers={"x-request-id": bad})
        assert response.headers["x-request-id"] != bad and len(response.headers["x-request-id"]) == 16
