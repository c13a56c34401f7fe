"""Social sign-in in a real browser (Debian's chromium via Playwright) against the real app (uvicorn serving
frontend/dist, embedded PostgreSQL, real SMTP receiver), a real OpenID provider (npm oidc-provider, its own login and
consent pages) and the GitHub stand-in.

The issue's "done when": a new user signs in from "Continue with …", lands on the account page with the right names,
signs out and back in, gets a password through "forgot password", and can then disconnect the provider, but never
the last way in. Also: GitHub's flow, a cancelled consent shown on the sign-in page, and linking from the account
page. Screenshots (ours audited with axe-core) land in artifacts/screenshots/."""

from __future__ import annotations

import re
import secrets

import pytest
from chatbot_agent.config import parse_oauth_providers
from playwright.sync_api import Page, expect, sync_playwright

from .. import github_standin
from ..oauth_support import OidcTestProvider
from ..support import free_port, reset_link
from .test_frontend_flow import CHROMIUM, CHROMIUM_ARGS, DIST, SHOTS, heading, path_of, shot


@pytest.fixture(scope="module")
def op():
    with OidcTestProvider() as provider:
        yield provider


@pytest.fixture(scope="module")
def github():
    with github_standin.running() as standin:
        yield standin


@pytest.fixture
def server(live_server_factory, op, github):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    client_id, secret = op.register_client([f"{url}/api/auth/callback/acme"])
    github.callback_url = f"{url}/api/auth/callback/github"
    providers = parse_oauth_providers(
        {
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
    )
    with live_server_factory(
        port=port, public_url=url, frontend_url=url, frontend_dist=DIST, oauth_providers=providers
    ) as srv:
        yield srv


@pytest.fixture
def browser_page(server):
    """A fresh Chromium profile; console errors and page crashes on OUR origin are collected (oidc-provider's own
    development pages load a web font from the internet and have no favicon: not ours to judge)."""
    problems: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB", bypass_csp=True)
        context.set_default_timeout(15_000)
        page = context.new_page()

        def on_console(message) -> None:
            if message.type == "error" and page.url.startswith(server.url):
                problems.append(f"console error at {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        yield page, problems
        chromium.close()


def provider_login(page: Page, login: str, *, consent: bool = True) -> None:
    """oidc-provider's development login form (any password), then its consent form."""
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password at all")
    page.screenshot(path=str(SHOTS / "oauth-provider-login.png"))
    page.click("button[type=submit]")
    page.wait_for_selector("text=Continue" if consent else "text=[ Cancel ]")
    if consent:
        page.click("button[type=submit]")
    else:
        page.click("text=[ Cancel ]")


def test_sign_in_with_an_openid_provider_then_add_a_password(server, op, browser_page, smtp_server):
    page, problems = browser_page
    base = server.url
    login = "kj" + secrets.token_hex(4)
    email = f"{login}@example.com"
    op.set_account(login, given_name="Katherine", family_name="Johnson", email=email, email_verified=True)

    page.goto(base + "/sign-in")
    button = page.get_by_role("button", name="Continue with Acme ID")
    expect(button).to_be_visible()
    expect(page.get_by_role("button", name="Continue with GitHub")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot(page, "oauth-01-sign-in-buttons")
    button.click()

    # the provider's own pages, then back to our account page with the names it gave
    page.wait_for_url(re.compile(re.escape(op.issuer) + "/interaction/"))
    provider_login(page, login)
    expect(heading(page, "Katherine Johnson")).to_be_visible()
    assert path_of(page) == "/account"
    methods = page.get_by_role("region", name="Sign-in methods")
    expect(methods).to_contain_text("Acme ID")
    expect(methods).to_contain_text("your only way to sign in")
    expect(methods.get_by_role("button", name="Disconnect Acme ID")).to_have_count(0)
    shot(page, "oauth-02-account")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["chatbot_session"]["httpOnly"] is True
    assert "chatbot_session_oauth_state" not in cookies, "the state cookie is cleared on the way back"

    # sign out, and back in (the provider remembers the login and the consent: straight back)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_role("button", name="Continue with Acme ID").click()
    expect(heading(page, "Katherine Johnson")).to_be_visible()

    # a password through "forgot password"
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(heading(page, "Check your email")).to_be_visible()
    page.goto(reset_link(smtp_server.wait_for_sync(email, timeout=20)))
    password = "Hidden Figures 1962!"
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_role("button", name="Set new password").click()
    expect(heading(page, "Password changed")).to_be_visible()
    page.goto(base + "/sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page, "Katherine Johnson")).to_be_visible()

    # two ways in now: the provider can go
    methods = page.get_by_role("region", name="Sign-in methods")
    expect(methods).to_contain_text("Password")
    methods.get_by_role("button", name="Disconnect Acme ID").click()
    expect(methods).to_contain_text("Acme ID was disconnected.")
    expect(methods.get_by_role("button", name="Connect Acme ID")).to_be_visible()
    shot(page, "oauth-03-account-password-only")
    assert problems == []


def test_github_sign_up_and_a_cancelled_consent(server, github, op, browser_page):
    page, problems = browser_page
    base = server.url
    login = "mona" + secrets.token_hex(3)
    github.add_user(login, name="Mona Lisa Octocat", email=f"{login}@example.com")

    page.goto(base + "/sign-up")
    page.get_by_role("button", name="Continue with GitHub").click()
    expect(page.get_by_role("heading", name="Sign in to GitHub")).to_be_visible()
    page.get_by_label("Username or email address").fill(login)
    page.get_by_role("button", name="Authorize").click()
    expect(heading(page, "Mona Lisa Octocat")).to_be_visible()
    assert path_of(page) == "/account"
    expect(page.get_by_role("region", name="Profile")).to_contain_text(f"{login}@example.com")

    # cancelled at the provider: back on the sign-in page, with a sentence (not the provider's words)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_role("button", name="Continue with Acme ID").click()
    provider_login(page, "cancels" + secrets.token_hex(3), consent=False)
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Signing in with Acme ID was cancelled.")).to_be_visible()
    assert path_of(page).startswith("/sign-in?oauth_error=access_denied")
    shot(page, "oauth-04-cancelled")
    assert problems == []


def test_link_a_provider_from_the_account_page(server, op, browser_page):
    page, problems = browser_page
    base = server.url
    email = f"linker.{secrets.token_hex(4)}@example.com"
    page.goto(base + "/sign-up")
    page.get_by_label("First name").fill("Alan")
    page.get_by_label("Last name").fill("Turing")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("Enigma Bletchley 1941")
    page.get_by_label("Confirm password").fill("Enigma Bletchley 1941")
    page.get_by_role("button", name="Create account").click()
    expect(heading(page, "Alan Turing")).to_be_visible()

    login = "at" + secrets.token_hex(4)
    op.set_account(login, given_name="A", family_name="T", email="elsewhere@example.com", email_verified=True)
    page.get_by_role("region", name="Sign-in methods").get_by_role("button", name="Connect Acme ID").click()
    provider_login(page, login)
    expect(heading(page, "Alan Turing")).to_be_visible()
    methods = page.get_by_role("region", name="Sign-in methods")
    expect(methods).to_contain_text("Acme ID is now connected.")
    expect(methods.get_by_role("button", name="Disconnect Acme ID")).to_be_visible()
    shot(page, "oauth-05-linked")
    assert problems == []
