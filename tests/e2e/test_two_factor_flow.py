"""Two-factor and magic links in the real browser (Debian's chromium, Playwright) against the real app, as a user:

turn two-factor on by scanning the QR code (the screenshot of the QR is decoded with zxing-cpp and the code computed
with pyotp, as a phone would), save the backup codes, sign out, sign in with password + code, then with password +
a backup code, then by magic link (the link read from the SMTP receiver) + a backup code. Each page is audited with
axe-core and screenshotted like the other browser tests."""

from __future__ import annotations

import io
import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
from playwright.sync_api import Page, expect

from ..test_magic_link import link_in
from . import test_frontend_flow as flow  # skips this module too when chromium or frontend/dist is missing
from .test_frontend_flow import heading, path_of, shot, sign_in_with, sign_up

# The browser test's fixtures: the app serving the built frontend on loopback, and Debian's chromium.
server, browser, browser_page = flow.server, flow.browser, flow.browser_page

PASSWORD = "Analytical Engine 1843"


def scan_qr(page: Page) -> str:
    """What a phone reads from the QR code on screen."""
    import zxingcpp
    from PIL import Image

    png = page.get_by_test_id("totp-qr").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one QR code on screen, read {len(found)}"
    return found[0].text


def wait_for_fresh_step() -> None:
    """The browser test types a code a few seconds after computing it: start early in a 30-second step."""
    if 30 - time.time() % 30 < 6:
        time.sleep(30 - time.time() % 30 + 0.1)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page, "Sign in")).to_be_visible()


def test_turn_on_two_factor_by_scanning_then_sign_in_with_a_code_a_backup_code_and_a_magic_link(
    server,
    browser_page,
    smtp_server,
):
    page, problems = browser_page
    base = server.url
    email = f"grace.{secrets.token_hex(4)}@example.com"
    sign_up(page, base, email, PASSWORD)

    # ---- turn on: password, scan, first code, backup codes
    section = page.get_by_role("region", name="Two-factor authentication")
    expect(section.get_by_text("Off.", exact=False)).to_be_visible()
    section.get_by_role("button", name="Turn on two-factor").click()
    section.get_by_label("Your password").fill("not my password")
    section.get_by_role("button", name="Continue").click()
    expect(section.get_by_text("Password is incorrect.")).to_be_visible()
    section.get_by_label("Your password").fill(PASSWORD)
    section.get_by_role("button", name="Continue").click()
    expect(section.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    shot(page, "2fa-01-setup")

    uri = scan_qr(page)
    parts = urlsplit(uri)
    secret = parse_qs(parts.query)["secret"][0]
    assert parts.scheme == "otpauth" and parts.netloc == "totp" and email in parts.path.replace("%40", "@")
    typed_key = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert typed_key == secret  # the key for typing in by hand is the one in the QR code
    phone = pyotp.TOTP(secret)

    wait_for_fresh_step()
    section.get_by_label("Code from the app").fill(phone.now())
    section.get_by_role("button", name="Turn on", exact=True).click()
    codes_list = section.get_by_test_id("backup-codes")
    expect(codes_list).to_be_visible()
    backup = [c.strip() for c in codes_list.locator("li").all_inner_texts()]
    assert len(backup) == 10 and all(re.fullmatch(r"[0-9a-z]{5}-[0-9a-z]{5}", c) for c in backup), backup
    with page.expect_download() as download:
        section.get_by_role("link", name="Download").click()
    saved = open(download.value.path(), encoding="utf-8").read()
    assert all(c in saved for c in backup)
    shot(page, "2fa-02-backup-codes")
    section.get_by_role("button", name="I have saved them").click()
    expect(section.get_by_text("On.", exact=True)).to_be_visible()
    expect(section.get_by_role("button", name="Turn off two-factor")).to_be_visible()

    # ---- password + code from the app (the next step's code: the setup used the current one)
    sign_out(page)
    sign_in_with(page, email, PASSWORD)
    expect(heading(page, "Two-factor authentication")).to_be_visible()
    assert path_of(page).startswith("/two-factor")
    shot(page, "2fa-03-challenge")
    page.get_by_label("Authentication code").fill("000000" if phone.at(time.time() + 30) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code didn’t work", exact=False)).to_be_visible()
    page.get_by_label("Authentication code").fill(phone.at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    expect(heading(page, "Ada Lovelace")).to_be_visible()
    assert path_of(page) == "/account"

    # ---- password + a backup code
    sign_out(page)
    sign_in_with(page, email, PASSWORD)
    expect(heading(page, "Two-factor authentication")).to_be_visible()
    page.get_by_role("button", name="Use a backup code instead").click()
    page.get_by_label("Backup code").fill(backup[0])
    shot(page, "2fa-04-backup-code")
    page.get_by_role("button", name="Verify").click()
    expect(heading(page, "Ada Lovelace")).to_be_visible()

    # ---- a magic link (read from the SMTP receiver), then the second factor
    sign_out(page)
    page.get_by_role("link", name="Email me a sign-in link").click()
    expect(heading(page, "Sign in with a link")).to_be_visible()
    shot(page, "magic-01-request")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a link").click()
    expect(heading(page, "Check your email")).to_be_visible()
    mails = [m for m in smtp_server.to(email) if m["Subject"] == "Your sign-in link"]
    deadline = time.monotonic() + 10
    while not mails and time.monotonic() < deadline:
        time.sleep(0.05)
        mails = [m for m in smtp_server.to(email) if m["Subject"] == "Your sign-in link"]
    assert mails, "the sign-in link was mailed"
    link = link_in(mails[-1])
    assert link.startswith(base + "/magic-link?token=")
    page.goto(link)
    expect(heading(page, "Two-factor authentication")).to_be_visible()
    page.get_by_role("button", name="Use a backup code instead").click()
    page.get_by_label("Backup code").fill(backup[1])
    page.get_by_label("Trust this device for 30 days").check()
    page.get_by_role("button", name="Verify").click()
    expect(heading(page, "Ada Lovelace")).to_be_visible()

    # the link worked once
    page.goto(link)
    expect(heading(page, "This link doesn’t work")).to_be_visible()
    shot(page, "magic-02-used-link")
    assert problems == [], problems
