"""The exported SDL stays in sync, the schema runs with a real context (no HTTP), and the HTTP edge is hardened."""

from __future__ import annotations

import pytest
from chatbot_agent.api.graphql.context import Context
from chatbot_agent.api.graphql.schema import build_schema
from chatbot_agent.auth.core.records import Client
from starlette.requests import Request
from starlette.responses import Response

from .support import ME, ROOT, SIGN_UP, sign_up_input

schema = build_schema()

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_exported_sdl_matches_the_code():
    exported = (ROOT / "schema" / "schema.graphql").read_text()
    assert exported == schema.as_str() + "\n", "schema/schema.graphql is stale: run `make schema`"


async def test_contract_names_are_present():
    sdl = schema.as_str()
    for fragment in (
        "signUp(input: SignUpInput!): AuthResult!",
        "signIn(input: SignInInput!): AuthResult!",
        "signOut: Boolean!",
        "requestPasswordReset(input: RequestPasswordResetInput!): RequestPasswordResetResult!",
        "resetPassword(input: ResetPasswordInput!): ResetPasswordResult!",
        "refreshAccessToken: AuthResult!",
        "union AuthResult = AuthSuccess | TwoFactorRequired | AuthError",
        "me: User",
    ):
        assert fragment in sdl


async def test_schema_execute_with_a_real_context(app_api):
    """Resolvers exercised directly through schema.execute, with the app's real service and cookie handling."""
    app, _ = app_api
    state = app.state.auth
    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [], "client": ("10.0.0.1", 1234)}
    response = Response()
    ctx = Context(
        request=Request(scope),
        response=response,
        auth=state.auth,
        cookie=state.cookie,
        client=Client(ip="10.0.0.1", user_agent="pytest"),
    )
    result = await state.schema.execute(SIGN_UP, variable_values=sign_up_input("direct@example.com"), context_value=ctx)
    assert result.errors is None
    assert result.data["signUp"]["user"]["email"] == "direct@example.com"
    assert response.headers["set-cookie"].startswith("chatbot_session=")
    anonymous = await state.schema.execute(
        ME,
        context_value=Context(
            request=Request(scope), response=Response(), auth=state.auth, cookie=state.cookie, client=Client()
        ),
    )
    assert anonymous.data == {"me": None}


async def test_security_headers_and_no_store(api):
    response = await api.post(ME)
    h = response.headers
    assert h["cache-control"] == "no-store"
    assert h["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-request-id"]


async def test_graphql_rejects_get_operations_and_non_json_posts(api):
    get = await api.http.get("/graphql", params={"query": "mutation { signOut }"})
    assert get.status_code != 200 or "data" not in get.text
    form = await api.http.post(
        "/graphql", content="query={me{id}}", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 400


async def test_cross_origin_cookie_request_is_refused(api):
    await api(SIGN_UP, sign_up_input("csrf@example.com"))
    evil = await api.post(ME, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403
    same = await api.post(ME, headers={"origin": "http://localhost:8000"})
    assert same.status_code == 200 and same.json()["data"]["me"]["email"] == "csrf@example.com"
    # login CSRF: a hostile page cannot sign the victim in to another account either (no cookie involved)
    login = await api.http.post(
        "/graphql", json={"query": "mutation { signOut }"}, headers={"origin": "https://evil.example", "cookie": ""}
    )
    assert login.status_code == 403


async def test_oversized_and_deep_queries_are_refused(api):
    big = await api.http.post(
        "/graphql", content=b'{"query":"' + b"a" * 2_000_000 + b'"}', headers={"content-type": "application/json"}
    )
    assert big.status_code == 413
    deep = "{ me " + "{ id " * 1000 + "}" * 1000 + " }"
    response = await api.post(deep)
    assert response.status_code in (200, 400) and "errors" in response.json()
    assert "Traceback" not in response.text


async def test_health_and_jwks(api):
    assert (await api.http.get("/health")).json() == {"status": "ok", "database": "ok"}
    keys = (await api.http.get("/.well-known/jwks.json")).json()["keys"]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and keys[0]["alg"] == "EdDSA"
