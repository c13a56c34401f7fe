"""Email verification and account management end to end, in a real browser against the real app, database and
SMTP receiver (issue 10 §2):

sign up → the "verify your email" notice → the mailed link verifies the address → rename → change the email (the old
address is told; the new address's link makes the change) → delete the account behind a confirm dialog → signing in
no longer works. Every page state is audited with axe-core and photographed into artifacts/screenshots/."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from ..support import body_of, free_port, mailed_link
from .test_frontend_flow import (  # noqa: F401
    DIST,
    OLD_PASSWORD,
    WRONG_PASSWORD,
    browser,
    heading,
    path_of,
    shot,
    sign_in_with,
    sign_up,
)


@pytest.fixture
def server(live_server_factory):
    """The app serving the built frontend, verifying addresses (EMAIL_VERIFICATION=optional, the default)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with live_server_factory(
        port=port, public_url=url, frontend_url=url, frontend_dist=DIST, email_verification="optional"
    ) as srv:
        yield srv


def verify_link(message) -> str:
    return mailed_link(message, "verify-email")


def test_verify_rename_change_email_and_delete(server, browser, smtp_server):  # noqa: F811 (the imported fixture)
    new_page, problems = browser
    page = new_page()
    base = server.url
    email = f"ada.{secrets.token_hex(4)}@example.com"
    new_email = f"countess.{secrets.token_hex(4)}@example.org"

    # sign up: the account page asks to verify the address
    sign_up(page, base, email, OLD_PASSWORD)
    notice = page.get_by_role("region", name="Verify your email address")
    expect(notice).to_contain_text(email)
    profile = page.get_by_role("region", name="Profile")
    expect(profile.get_by_text("Not verified")).to_be_visible()
    shot(page, "20-account-unverified")

    # "send a new link" mails a second link; the first stays valid too
    notice.get_by_role("button", name="Send a new link").click()
    expect(notice).to_contain_text("We sent a new link")
    link = verify_link(smtp_server.wait_for_sync(email, timeout=20))
    assert link.startswith(base + "/verify-email?token=")
    smtp_server.wait_for_sync(email, count=2, timeout=20)

    # the mailed link verifies the address
    page.goto(link)
    expect(heading(page, "Email verified")).to_be_visible()
    shot(page, "21-email-verified")
    page.get_by_role("link", name="Go to your account").click()
    expect(profile.get_by_text("Verified", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Verify your email address")).to_have_count(0)

    # opened again, the link is spent
    page.goto(link)
    expect(heading(page, "This link can’t be used")).to_be_visible()
    shot(page, "22-verify-link-used")
    page.goto(base + "/account")

    # rename
    profile.get_by_role("button", name="Edit name").click()
    expect(profile.get_by_label("First name")).to_be_focused()
    profile.get_by_label("First name").fill("Augusta Ada")
    profile.get_by_label("Last name").fill("King")
    shot(page, "23-edit-name")
    profile.get_by_role("button", name="Save name").click()
    expect(heading(page, "Augusta Ada King")).to_be_visible()
    expect(profile.get_by_text("Your name has been saved.")).to_be_visible()

    # change the email: a wrong password first, then the real one
    change = page.get_by_role("region", name="Change email address")
    change.get_by_label("New email").fill(new_email)
    change.get_by_label("Password", exact=True).fill(WRONG_PASSWORD)
    change.get_by_role("button", name="Send confirmation link").click()
    expect(change.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    change.get_by_label("Password", exact=True).fill(OLD_PASSWORD)
    change.get_by_role("button", name="Send confirmation link").click()
    expect(change.get_by_text(new_email)).to_be_visible()
    shot(page, "24-change-email-sent")
    expect(page.get_by_role("main")).to_contain_text(email)  # nothing changes until the link is opened

    old_notice = smtp_server.wait_for_sync(email, count=3, timeout=20)
    assert new_email in body_of(old_notice)
    confirm = verify_link(smtp_server.wait_for_sync(new_email, timeout=20))
    page.goto(confirm)
    expect(heading(page, "Email address changed")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(new_email)
    page.get_by_role("link", name="Go to your account").click()
    expect(profile).to_contain_text(new_email)
    expect(profile.get_by_text("Verified", exact=True)).to_be_visible()

    # delete the account behind a confirm dialog
    opener = page.get_by_role("button", name="Delete account…")
    opener.click()
    dialog = page.get_by_role("dialog", name="Delete your account?")
    expect(dialog.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.press("Escape")  # Escape closes it, focus goes back
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    opener.click()
    dialog.get_by_label("Password", exact=True).fill(OLD_PASSWORD)
    shot(page, "25-delete-account-dialog", full_page=False)
    dialog.get_by_role("button", name="Delete my account").click()
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()
    assert path_of(page) == "/sign-in"
    assert "chatbot_session" not in {c["name"] for c in page.context.cookies()}
    goodbye = smtp_server.wait_for_sync(new_email, count=2, timeout=20)
    assert "deleted" in body_of(goodbye).lower()

    # the account is gone: neither address signs in
    for address in (new_email, email):
        sign_in_with(page, address, OLD_PASSWORD)
        expect(page.get_by_role("alert").filter(has_text="Email or password is incorrect.")).to_be_visible()
    assert problems == [], problems
