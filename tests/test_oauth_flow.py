"""Social sign-in through HTTP, end to end: our app (real HTTP via httpx, embedded PostgreSQL), a real OpenID provider
(npm oidc-provider on loopback) and the GitHub stand-in. The browser's part is played by httpx clients with their
own cookie jars: ours for the app, the provider's for its pages.

socialSignIn → the provider's login and consent → GET /api/auth/callback/{provider} → a session, or the sign-in page
with ?oauth_error=<code>; plus every kind of tampering, account linking and unlinking (never the last way in)."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from chatbot_agent.config import RateLimit, parse_oauth_providers

from . import github_standin
from .oauth_support import OidcTestProvider
from .support import ME, SIGN_OUT, SIGN_UP, Api, free_port, make_settings, new_client, running_app, sign_up_input

PUBLIC = "http://localhost:8000"
CALLBACK = PUBLIC + "/api/auth/callback/"

SOCIAL_SIGN_IN = """mutation($provider: String!, $redirectTo: String) {
  socialSignIn(input: {provider: $provider, redirectTo: $redirectTo}) {
    __typename ... on SocialSignInRedirect { url } ... on AuthError { code message field retryAfterSeconds } } }"""
LINK = """mutation($provider: String!, $redirectTo: String) {
  linkSocialAccount(input: {provider: $provider, redirectTo: $redirectTo}) {
    __typename ... on SocialSignInRedirect { url } ... on AuthError { code message field } } }"""
MY_ACCOUNTS = "{ myAccounts { id providerId providerName accountId createdAt } }"
UNLINK = """mutation($id: ID!) { unlinkAccount(id: $id) {
  __typename ... on UnlinkAccountSuccess { message } ... on AuthError { code message field } } }"""
PROVIDERS = "{ socialProviders { id name } }"


@pytest.fixture(scope="module")
def op():
    with OidcTestProvider() as provider:
        yield provider


@pytest.fixture(scope="module")
def github():
    with github_standin.running() as standin:
        standin.callback_url = CALLBACK + "github"
        yield standin


@pytest.fixture(scope="module")
def oauth_env(op, github) -> dict[str, str]:
    client_id, secret = op.register_client([CALLBACK + "acme"])
    return {
        "OAUTH_PROVIDERS": "acme,github",
        "OAUTH_ACME_CLIENT_ID": client_id,
        "OAUTH_ACME_CLIENT_SECRET": secret,
        "OAUTH_ACME_ISSUER": op.issuer,
        "OAUTH_ACME_NAME": "Acme ID",
        "OAUTH_GITHUB_CLIENT_ID": github.client_id,
        "OAUTH_GITHUB_CLIENT_SECRET": github.client_secret,
        "OAUTH_GITHUB_URL": github.url,
        "OAUTH_GITHUB_API_URL": github.url,
    }


async def started(settings):
    """The app, with start-up discovery done."""
    context = running_app(settings)
    app, api = await context.__aenter__()
    await app.state.auth.auth.oauth.providers.wait_first_attempts(15)
    return context, app, api


@pytest.fixture
async def app_api(database_url, tmp_path, oauth_env, smtp_server):
    settings = make_settings(
        database_url, tmp_path, oauth_providers=parse_oauth_providers(oauth_env), smtp_url=smtp_server.url
    )
    context, app, api = await started(settings)
    yield app, api
    await context.__aexit__(None, None, None)


@pytest.fixture
def api(app_api) -> Api:
    return app_api[1]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


async def start(api: Api, provider: str = "acme", redirect_to: str | None = None) -> str:
    data = await api(SOCIAL_SIGN_IN, {"provider": provider, "redirectTo": redirect_to})
    result = data["socialSignIn"]
    assert result["__typename"] == "SocialSignInRedirect", result
    return result["url"]


async def back_to_us(api: Api, provider_url: str) -> httpx.Response:
    """The provider's redirect to our callback, followed in our browser (our cookie jar)."""
    assert provider_url.startswith(CALLBACK), provider_url
    parts = urlsplit(provider_url)
    return await api.http.get(parts.path + "?" + parts.query)


async def social(
    api: Api,
    op: OidcTestProvider,
    login: str,
    *,
    redirect_to: str | None = None,
    consent=True,
    url_edit=None,
    callback_edit=None,
) -> httpx.Response:
    url = await start(api, "acme", redirect_to)
    if url_edit:
        url = url_edit(url)
    callback = await op.login(url, login, consent=consent)
    if callback_edit:
        callback = callback_edit(callback)
    return await back_to_us(api, callback)


def error_of(response: httpx.Response) -> str | None:
    assert response.status_code == 302, (response.status_code, response.text[:300])
    location = response.headers["location"]
    query = query_of(location)
    if "oauth_error" in query:
        assert location.startswith(PUBLIC + "/sign-in?") or location.startswith(PUBLIC + "/account?")
        assert not any(c.startswith("chatbot_session=") and "Max-Age=0" not in c for c in set_cookies(response)), (
            "a failed callback opens no session"
        )
    return query.get("oauth_error")


def new_login() -> str:
    return "u" + secrets.token_hex(5)


# ------------------------------------------------------------------------------------------------ sign-up/in


async def test_providers_are_listed_in_configured_order(api):
    assert (await api(PROVIDERS))["socialProviders"] == [
        {"id": "acme", "name": "Acme ID"},
        {"id": "github", "name": "GitHub"},
    ]


async def test_a_new_user_signs_up_with_an_openid_provider_and_back_in(api, op, db):
    login = new_login()
    email = f"{login}@Example.com"
    op.set_account(login, given_name="Grace", family_name="Hopper", email=email, email_verified=True)

    url = await start(api, "acme", "/account?tab=profile")
    sent = query_of(url)
    assert sent["code_challenge_method"] == "S256" and len(sent["state"]) >= 43 and len(sent["nonce"]) >= 43
    cookie = next(c for c in api.http.cookies.jar if c.name == "chatbot_session_oauth_state")
    assert cookie.path == "/api/auth/callback" and sent["state"] in cookie.value
    assert cookie.has_nonstandard_attr("HttpOnly")

    response = await back_to_us(api, await op.login(url, login))
    assert error_of(response) is None
    assert response.headers["location"] == PUBLIC + "/account?tab=profile"
    assert response.headers["cache-control"] == "no-store" and response.headers["referrer-policy"] == "no-referrer"
    cookies = set_cookies(response)
    assert any(c.startswith("chatbot_session_oauth_state=;") and "Max-Age=0" in c for c in cookies), "state cleared"
    session = next(c for c in cookies if c.startswith("chatbot_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session

    me = (await api(ME))["me"]
    assert (me["firstName"], me["lastName"], me["email"], me["emailVerified"]) == (
        "Grace",
        "Hopper",
        email.lower(),
        True,
    )
    user = await db.fetchrow('SELECT name FROM "user" WHERE id = $1', me["id"])
    assert user["name"] == "Grace Hopper"
    rows = await db.fetch('SELECT * FROM account WHERE "userId" = $1', me["id"])
    assert len(rows) == 1
    row = rows[0]
    assert (row["providerId"], row["accountId"]) == ("acme", login)
    assert row["accessToken"] is None and row["refreshToken"] is None and row["idToken"] is None
    assert row["password"] is None and row["scope"] == "openid,email,profile"
    assert len(row["id"]) == 32

    await api(SIGN_OUT)
    assert (await api(ME))["me"] is None
    response = await social(api, op, login)
    assert error_of(response) is None and response.headers["location"] == PUBLIC + "/account"
    assert (await api(ME))["me"]["id"] == me["id"]
    assert await db.fetchval('SELECT count(*) FROM "user" WHERE lower(email) = lower($1)', email) == 1

    # the user's ways in
    accounts = (await api(MY_ACCOUNTS))["myAccounts"]
    assert [(a["providerId"], a["providerName"], a["accountId"]) for a in accounts] == [("acme", "Acme ID", login)]


async def test_names_are_split_from_name_and_email_verified_follows_the_provider(api, op):
    login = new_login()
    # whitespace runs are one space; control and format characters (a right-to-left override) are dropped
    op.set_account(login, name="Ludwig\u202e  van\tBeethoven", email=f"{login}@example.com", email_verified=False)
    assert error_of(await social(api, op, login)) is None
    me = (await api(ME))["me"]
    assert (me["firstName"], me["lastName"], me["emailVerified"]) == ("Ludwig", "van Beethoven", False)


async def test_an_existing_user_is_linked_when_the_provider_verified_the_email(api, op, db):
    email = f"{new_login()}@example.com"
    signed_up = (await api(SIGN_UP, sign_up_input(email)))["signUp"]
    assert signed_up["__typename"] == "AuthSuccess" and signed_up["user"]["emailVerified"] is False
    await api(SIGN_OUT)

    login = new_login()
    op.set_account(login, given_name="Someone", family_name="Else", email=email.upper(), email_verified=True)
    assert error_of(await social(api, op, login)) is None
    me = (await api(ME))["me"]
    assert me["id"] == signed_up["user"]["id"]
    assert (me["firstName"], me["lastName"], me["emailVerified"]) == ("Ada", "Lovelace", True)
    providers = await db.fetch('SELECT "providerId" FROM account WHERE "userId" = $1 ORDER BY "createdAt"', me["id"])
    assert [r["providerId"] for r in providers] == ["credential", "acme"]


async def test_an_unverified_email_never_takes_over_an_existing_account(api, op, db):
    email = f"{new_login()}@example.com"
    victim = (await api(SIGN_UP, sign_up_input(email)))["signUp"]["user"]
    await api(SIGN_OUT)

    attacker = new_login()
    op.set_account(attacker, given_name="Mallory", family_name="M", email=email, email_verified=False)
    response = await social(api, op, attacker)
    assert error_of(response) == "email_in_use_unverified"
    assert query_of(response.headers["location"])["provider"] == "acme"
    assert (await api(ME))["me"] is None
    assert await db.fetchval('SELECT count(*) FROM account WHERE "userId" = $1', victim["id"]) == 1
    assert await db.fetchval("""SELECT count(*) FROM account WHERE "accountId" = $1""", attacker) == 0


# --------------------------------------------------------------------------------------------------- tampering


async def test_consent_denied_lands_on_the_sign_in_page(api, op):
    assert error_of(await social(api, op, new_login(), consent=False)) == "access_denied"


async def test_a_changed_or_foreign_state_is_refused(api, op, app_api):
    login = new_login()

    def other_state(url: str) -> str:
        return url.replace("state=" + query_of(url)["state"], "state=" + secrets.token_urlsafe(32))

    assert error_of(await social(api, op, login, callback_edit=other_state)) == "invalid_state"

    # a callback carried to another browser (no state cookie there): a login CSRF attempt
    url = await start(api)
    callback = await op.login(url, login)
    victim = new_client(app_api[0])
    assert error_of(await back_to_us(victim, callback)) == "invalid_state"
    assert (await victim(ME))["me"] is None
    await victim.http.aclose()

    # the state of one provider at another provider's callback
    url = await start(api, "acme")
    callback = await op.login(url, login)
    assert error_of(await back_to_us(api, callback.replace("/callback/acme", "/callback/github"))) == "invalid_state"


async def test_a_replayed_callback_is_refused(api, op):
    url = await start(api)
    callback = await op.login(url, new_login())
    state_cookie = next(c for c in api.http.cookies.jar if c.name == "chatbot_session_oauth_state")
    first = await back_to_us(api, callback)
    assert error_of(first) is None
    await api(SIGN_OUT)
    # the same URL again, even with the state cookie put back: the state was used up
    api.http.cookies.set(state_cookie.name, state_cookie.value, domain=state_cookie.domain, path=state_cookie.path)
    assert error_of(await back_to_us(api, callback)) == "invalid_state"
    assert (await api(ME))["me"] is None


async def test_a_nonce_changed_in_the_request_fails_the_id_token_check(api, op):
    def edit(url: str) -> str:
        return url.replace("nonce=" + query_of(url)["nonce"], "nonce=attacker-chosen")

    assert error_of(await social(api, op, new_login(), url_edit=edit)) == "invalid_token"


async def test_a_swapped_pkce_challenge_makes_the_code_useless(api, op):
    def edit(url: str) -> str:
        return url.replace(query_of(url)["code_challenge"], "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")

    assert error_of(await social(api, op, new_login(), url_edit=edit)) == "provider_rejected"


@pytest.mark.parametrize(
    "forgery", [{"iss": "http://127.0.0.1:9/other"}, {"aud": "someone-else"}, {"foreign_key": True}]
)
async def test_an_id_token_from_another_issuer_or_audience_is_refused(api, op, forgery):
    url = await start(api)
    callback = await op.login(url, new_login())
    op.tamper_next_token(**forgery)
    assert error_of(await back_to_us(api, callback)) == "invalid_token"
    assert (await api(ME))["me"] is None


async def test_an_issuer_mismatch_in_the_callback_is_refused(api, op):
    """RFC 9207: oidc-provider names itself in the callback (`iss`); a mix-up attack shows another issuer there."""

    def edit(url: str) -> str:
        return url.replace("iss=", "iss=http%3A%2F%2Fevil.example%2F&was=")

    assert error_of(await social(api, op, new_login(), callback_edit=edit)) == "invalid_token"


async def test_provider_down_at_the_token_endpoint(api, op):
    url = await start(api)
    callback = await op.login(url, new_login())
    op.tamper_next_token(status=503)
    assert error_of(await back_to_us(api, callback)) == "provider_unavailable"


async def test_a_callback_without_anything_is_a_redirect_not_an_error_page(api):
    for path in (
        "/api/auth/callback/acme",
        "/api/auth/callback/unknown?code=x&state=y",
        "/api/auth/callback/acme?error=server_error&state=" + "x" * 5000,
    ):
        response = await api.http.get(path)
        assert error_of(response) == "invalid_state"
        assert "unknown" not in response.headers["location"]


# ----------------------------------------------------------------------------------------------- start rules


async def test_start_refuses_unknown_providers_and_open_redirects(api, app_api):
    result = (await api(SOCIAL_SIGN_IN, {"provider": "myspace"}))["socialSignIn"]
    assert (result["code"], result["field"]) == ("INVALID_INPUT", "provider")
    for target in (
        "https://evil.example/x",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%2F%2Fevil.example",
        "http://localhost:8000@evil.example/",
    ):
        result = (await api(SOCIAL_SIGN_IN, {"provider": "acme", "redirectTo": target}))["socialSignIn"]
        assert (result["__typename"], result["field"]) == ("AuthError", "redirectTo"), target
    # a trusted origin is fine, as is a path
    assert await start(api, "acme", "http://localhost:8000/account")
    assert await start(api, "acme", "/account#top")


async def test_rate_limits_apply(database_url, tmp_path, oauth_env):
    settings = make_settings(
        database_url,
        tmp_path,
        oauth_providers=parse_oauth_providers(oauth_env),
        rate_limit_enabled=True,
        rate_limit_social_ip=RateLimit(2, 300),
    )
    context, app, api = await started(settings)
    try:
        await start(api)
        await start(api)
        result = (await api(SOCIAL_SIGN_IN, {"provider": "acme"}))["socialSignIn"]
        assert result["code"] == "RATE_LIMITED" and result["retryAfterSeconds"] > 0
        response = await api.http.get("/api/auth/callback/acme?code=x&state=y")
        assert error_of(response) == "invalid_state"  # checked before counting: no cookie, nothing to count
    finally:
        await context.__aexit__(None, None, None)


async def test_a_provider_that_is_down_does_not_stop_the_others(database_url, tmp_path, oauth_env):
    env = {
        **oauth_env,
        "OAUTH_PROVIDERS": "down,acme,github",
        "OAUTH_DOWN_CLIENT_ID": "c",
        "OAUTH_DOWN_CLIENT_SECRET": "s",
        "OAUTH_DOWN_ISSUER": f"http://127.0.0.1:{free_port()}",
    }
    context, app, api = await started(make_settings(database_url, tmp_path, oauth_providers=parse_oauth_providers(env)))
    try:
        assert [p["id"] for p in (await api(PROVIDERS))["socialProviders"]] == ["down", "acme", "github"]
        result = (await api(SOCIAL_SIGN_IN, {"provider": "down"}))["socialSignIn"]
        assert (result["code"], result["field"]) == ("PROVIDER_UNAVAILABLE", "provider")
        assert result["message"] == "Down could not be reached. Please try again in a moment."
        assert await start(api, "acme")
    finally:
        await context.__aexit__(None, None, None)


# ---------------------------------------------------------------------------------------------------- GitHub


async def test_github_sign_in_through_the_stand_in(api, github):
    login = "octo" + secrets.token_hex(3)
    github.add_user(login, name="Mona Octocat", email=f"{login}@example.com")
    url = await start(api, "github", "/account")
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(url)).status_code == 200
        answer = await browser.post(
            github.url + "/login/oauth/authorize", data={**query_of(url), "login": login, "decision": "allow"}
        )
    response = await back_to_us(api, answer.headers["location"])
    assert error_of(response) is None
    me = (await api(ME))["me"]
    assert (me["firstName"], me["lastName"], me["email"], me["emailVerified"]) == (
        "Mona",
        "Octocat",
        f"{login}@example.com",
        True,
    )

    unverified = "nomail" + secrets.token_hex(3)
    github.add_user(unverified, email=f"{unverified}@example.com", verified=False)
    await api(SIGN_OUT)
    url = await start(api, "github")
    async with httpx.AsyncClient() as browser:
        answer = await browser.post(
            github.url + "/login/oauth/authorize", data={**query_of(url), "login": unverified, "decision": "allow"}
        )
    assert error_of(await back_to_us(api, answer.headers["location"])) == "email_missing"


# ----------------------------------------------------------------------------------------- link and unlink


async def link(api: Api, op: OidcTestProvider, login: str) -> httpx.Response:
    result = (await api(LINK, {"provider": "acme"}))["linkSocialAccount"]
    assert result["__typename"] == "SocialSignInRedirect", result
    return await back_to_us(api, await op.login(result["url"], login))


async def test_link_and_unlink_never_the_last_way_in(api, op, app_api, smtp_server):
    email = f"{new_login()}@example.com"
    user = (await api(SIGN_UP, sign_up_input(email)))["signUp"]["user"]

    # signed out, there is nothing to link to
    stranger = new_client(app_api[0])
    assert (await stranger(LINK, {"provider": "acme"}))["linkSocialAccount"]["code"] == "NOT_AUTHENTICATED"
    assert (await stranger(MY_ACCOUNTS))["myAccounts"] == []

    login = new_login()
    op.set_account(login, given_name="X", family_name="Y", email="another-address@example.com", email_verified=False)
    response = await link(api, op, login)
    assert error_of(response) is None
    assert response.headers["location"] == PUBLIC + "/account?linked=acme"
    assert (await api(ME))["me"]["id"] == user["id"], "linking keeps the session and the user"
    accounts = (await api(MY_ACCOUNTS))["myAccounts"]
    assert [(a["providerId"], a["providerName"]) for a in accounts] == [("credential", "Password"), ("acme", "Acme ID")]

    # that provider account now signs this user in
    await api(SIGN_OUT)
    assert error_of(await social(api, op, login)) is None
    assert (await api(ME))["me"]["id"] == user["id"]

    # it cannot be linked to anybody else
    other = new_client(app_api[0])
    await other(SIGN_UP, sign_up_input(f"{new_login()}@example.com"))
    assert error_of(await link(other, op, login)) == "account_in_use"
    assert query_of((await link(other, op, login)).headers["location"])["oauth_error"] == "account_in_use"
    await other.http.aclose()

    # unlink the password, then the provider is the last way in
    credential = next(a for a in accounts if a["providerId"] == "credential")
    acme = next(a for a in accounts if a["providerId"] == "acme")
    assert (await api(UNLINK, {"id": credential["id"]}))["unlinkAccount"]["__typename"] == "UnlinkAccountSuccess"
    last = (await api(UNLINK, {"id": acme["id"]}))["unlinkAccount"]
    assert last["code"] == "LAST_SIGN_IN_METHOD"
    assert [a["providerId"] for a in (await api(MY_ACCOUNTS))["myAccounts"]] == ["acme"]
    missing = (await api(UNLINK, {"id": "not-an-account"}))["unlinkAccount"]
    assert (missing["code"], missing["field"]) == ("INVALID_INPUT", "id")
    # someone else's account id is not found for this user
    assert (await stranger(UNLINK, {"id": acme["id"]}))["unlinkAccount"]["code"] == "NOT_AUTHENTICATED"
    await stranger.http.aclose()


async def test_a_social_only_user_adds_a_password_by_reset_then_may_unlink(api, op, smtp_server):
    from .support import REQUEST_RESET, RESET, reset_token

    login = new_login()
    email = f"{login}@example.com"
    op.set_account(login, given_name="Solo", family_name="Social", email=email, email_verified=True)
    assert error_of(await social(api, op, login)) is None
    accounts = (await api(MY_ACCOUNTS))["myAccounts"]
    assert [a["providerId"] for a in accounts] == ["acme"]
    assert (await api(UNLINK, {"id": accounts[0]["id"]}))["unlinkAccount"]["code"] == "LAST_SIGN_IN_METHOD"

    await api(REQUEST_RESET, {"email": email})
    token = reset_token(await smtp_server.wait_for(email))
    assert (await api(RESET, {"token": token, "password": "a new password 2024!"}))["resetPassword"][
        "__typename"
    ] == "ResetPasswordSuccess"
    # the reset signed every session out; sign in with the new password
    from .support import SIGN_IN

    assert (await api(SIGN_IN, {"input": {"email": email, "password": "a new password 2024!"}}))["signIn"][
        "__typename"
    ] == "AuthSuccess"
    accounts = (await api(MY_ACCOUNTS))["myAccounts"]
    assert sorted(a["providerId"] for a in accounts) == ["acme", "credential"]
    acme = next(a for a in accounts if a["providerId"] == "acme")
    assert (await api(UNLINK, {"id": acme["id"]}))["unlinkAccount"]["__typename"] == "UnlinkAccountSuccess"


# ------------------------------------------------------------------------------------------ Better Auth's REST

ORIGIN = {"origin": PUBLIC}


async def test_better_auth_rest_routes(api, op, app_api):
    http = api.http
    # an unknown provider, and a callback URL outside the trusted origins
    answer = await http.post("/api/auth/sign-in/social", json={"provider": "myspace"}, headers=ORIGIN)
    assert (answer.status_code, answer.json()["code"]) == (404, "PROVIDER_NOT_FOUND")
    answer = await http.post(
        "/api/auth/sign-in/social", json={"provider": "acme", "callbackURL": "https://evil.example/"}, headers=ORIGIN
    )
    assert (answer.status_code, answer.json()["code"]) == (403, "INVALID_CALLBACK_URL")

    # sign-in/social → the provider → the callback; a new user lands on newUserCallbackURL
    login = new_login()
    op.set_account(login, given_name="Rest", family_name="Client", email=f"{login}@example.com", email_verified=True)
    body = {"provider": "acme", "callbackURL": "/account", "newUserCallbackURL": "/welcome"}
    answer = await http.post("/api/auth/sign-in/social", json=body, headers=ORIGIN)
    assert answer.status_code == 200
    started = answer.json()
    assert started["redirect"] is True and started["url"].startswith(op.issuer + "/auth?")
    assert answer.headers["location"] == started["url"]
    response = await back_to_us(api, await op.login(started["url"], login))
    assert error_of(response) is None and response.headers["location"] == PUBLIC + "/welcome"
    assert "set-auth-token" not in response.headers, "no token in a redirect's headers: the cookie is enough"
    session = (await http.get("/api/auth/get-session")).json()
    assert session["user"]["firstName"] == "Rest" and session["user"]["emailVerified"] is True

    # list-accounts: never the password or provider tokens
    listed = (await http.get("/api/auth/list-accounts")).json()
    assert [(a["providerId"], a["accountId"], a["scopes"]) for a in listed] == [
        ("acme", login, ["openid", "email", "profile"])
    ]
    assert set(listed[0]) == {"id", "providerId", "accountId", "userId", "createdAt", "updatedAt", "scopes"}

    # unlink-account (Better Auth 1.7: the row id): never the last one
    answer = await http.post("/api/auth/unlink-account", json={"accountId": listed[0]["id"]}, headers=ORIGIN)
    assert (answer.status_code, answer.json()["code"]) == (400, "FAILED_TO_UNLINK_LAST_ACCOUNT")
    answer = await http.post("/api/auth/unlink-account", json={"accountId": "nope"}, headers=ORIGIN)
    assert (answer.status_code, answer.json()["code"]) == (400, "ACCOUNT_NOT_FOUND")

    # the second sign-in of the same user goes to callbackURL; errors go to errorCallbackURL as ?error=
    await api(SIGN_OUT)
    body = {"provider": "acme", "callbackURL": "/chat", "errorCallbackURL": "/oops", "disableRedirect": True}
    answer = await http.post("/api/auth/sign-in/social", json=body, headers=ORIGIN)
    assert answer.json()["redirect"] is False and "location" not in answer.headers
    response = await back_to_us(api, await op.login(answer.json()["url"], login))
    assert response.headers["location"] == PUBLIC + "/chat"
    await api(SIGN_OUT)
    answer = await http.post("/api/auth/sign-in/social", json=body, headers=ORIGIN)
    response = await back_to_us(api, await op.login(answer.json()["url"], login, consent=False))
    assert response.status_code == 302 and response.headers["location"] == PUBLIC + "/oops?error=access_denied"

    # link-social needs the session cookie
    stranger = new_client(app_api[0])
    answer = await stranger.http.post("/api/auth/link-social", json={"provider": "github"}, headers=ORIGIN)
    assert answer.status_code == 401
    await stranger.http.aclose()
