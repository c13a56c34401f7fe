"""Passkeys end to end in a real browser: Debian's Chromium with its virtual WebAuthn authenticator (a CTAP2
platform authenticator with resident keys and user verification, tests/e2e/webauthn.py) against the real app on
http://localhost (WebAuthn refuses IP addresses as RP IDs).

sign up → account page: add a passkey (named), rename it → sign out → "Sign in with a passkey" lands on the account
page with no email or password → delete the passkey → it no longer signs in. Screenshots and an axe audit of each
page state land in artifacts/screenshots/."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from ..support import free_port
from .test_frontend_flow import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DIST,
    FIRST,
    LAST,
    OLD_PASSWORD,
    heading,
    path_of,
    shot,
    sign_up,
)
from .webauthn import VirtualAuthenticator


@pytest.fixture
def server(live_server_factory):
    """The app serving the built frontend; PUBLIC_URL on localhost, so the RP ID is `localhost`."""
    port = free_port()
    url = f"http://localhost:{port}"
    with live_server_factory(port=port, public_url=url, frontend_url=url, frontend_dist=DIST):
        yield url


@pytest.fixture
def browser():
    """Debian's chromium; `new_page()` opens a page in a fresh profile. Console errors and page crashes are
    collected in `problems`, and each test asserts there were none."""
    problems: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

        def new_page() -> Page:
            context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB", bypass_csp=True)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            return page

        yield new_page, problems
        chromium.close()


def test_register_a_passkey_and_sign_in_with_it_alone(server, browser):
    new_page, problems = browser
    page = new_page()
    authenticator = VirtualAuthenticator.attach(page)
    email = f"ada.{secrets.token_hex(4)}@example.com"
    sign_up(page, server, email, OLD_PASSWORD)

    passkeys = page.get_by_role("region", name="Passkeys")
    expect(passkeys.get_by_text("You have no passkeys yet.")).to_be_visible()
    expect(passkeys.get_by_label("Name for a new passkey")).to_have_value("Chrome on Linux")
    passkeys.get_by_label("Name for a new passkey").fill("Test laptop")
    passkeys.get_by_role("button", name="Add a passkey").click()
    expect(passkeys.get_by_text("Passkey “Test laptop” added. You can now sign in with it.")).to_be_visible()
    listed = passkeys.get_by_role("list", name="Your passkeys")
    expect(listed.get_by_role("listitem")).to_have_count(1)
    expect(listed).to_contain_text("Test laptop")
    [credential] = authenticator.credentials()
    assert credential.resident and credential.rp_id == "localhost"
    shot(page, "passkey-01-added")

    # the same device cannot add a second passkey for this account
    passkeys.get_by_role("button", name="Add a passkey").click()
    expect(passkeys.get_by_text("This device already has a passkey for your account.")).to_be_visible()
    assert len(authenticator.credentials()) == 1

    # rename
    passkeys.get_by_role("button", name="Rename Test laptop").click()
    passkeys.get_by_label("New name for Test laptop").fill("Work laptop")
    shot(page, "passkey-02-rename")
    passkeys.get_by_role("button", name="Save").click()
    expect(passkeys.get_by_text("Passkey renamed to “Work laptop”.")).to_be_visible()
    expect(listed).to_contain_text("Work laptop")

    # sign out, then in with the passkey alone
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page, "Sign in")).to_be_visible()
    shot(page, "passkey-03-sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(heading(page, f"{FIRST} {LAST}")).to_be_visible()
    assert path_of(page) == "/account"
    assert authenticator.credentials()[0].sign_count > credential.sign_count
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["chatbot_session"]["httpOnly"] is True

    # a guarded page: the passkey sign-in goes back where the user was going
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto(server + "/account")
    expect(heading(page, "Sign in")).to_be_visible()
    assert path_of(page) == "/sign-in?next=%2Faccount"
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(heading(page, f"{FIRST} {LAST}")).to_be_visible()
    assert path_of(page) == "/account"

    # delete it: the authenticator still holds the credential, but it no longer signs in
    passkeys.get_by_role("button", name="Delete Work laptop").click()
    expect(passkeys.get_by_text("Delete “Work laptop”?")).to_be_visible()
    shot(page, "passkey-04-delete-confirm")
    passkeys.get_by_role("button", name="Delete passkey").click()
    expect(passkeys.get_by_text("Passkey “Work laptop” deleted.")).to_be_visible()
    expect(passkeys.get_by_text("You have no passkeys yet.")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert").filter(has_text="We couldn’t sign you in with this passkey.")).to_be_visible()
    assert path_of(page) == "/sign-in"
    shot(page, "passkey-05-deleted-passkey-refused")
    assert problems == []


def test_no_passkey_on_this_device_says_so(server, browser):
    """An authenticator without a passkey for this site: the browser gives up (NotAllowedError, as when the user
    closes the prompt), the page says so and stays on sign-in."""
    new_page, problems = browser
    page = new_page()
    VirtualAuthenticator.attach(page)
    page.goto(server + "/sign-in")
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert").filter(has_text="cancelled or timed out")).to_be_visible()
    assert path_of(page) == "/sign-in"
    assert problems == []
