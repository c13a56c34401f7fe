"""The web frontend, end to end, in a real browser (Debian's chromium driven by Playwright) against the real app:
embedded PostgreSQL, a real SMTP receiver for the reset mail, and uvicorn serving frontend/dist and /graphql on
one origin, as in production.

sign up → sign out → wrong password (error shown) → sign in (keyboard only) → account shows the name → forgot
password → the mailed link → reset → the old password fails, the new one works. One screenshot per page lands in
artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from ..support import ROOT, free_port, reset_link

CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "frontend" / "dist"
SHOTS = ROOT / "artifacts" / "screenshots"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"  # a devDependency of the frontend
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; make test installs it)", allow_module_level=True)
if not (DIST / "index.html").is_file():
    pytest.skip("frontend/dist/index.html is missing (make frontend)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

FIRST, LAST = "Ada", "Lovelace"
OLD_PASSWORD = "Analytical Engine 1843"
NEW_PASSWORD = "Difference Engine 1822!"
WRONG_PASSWORD = "Babbage was here 1791"


@pytest.fixture
def server(live_server_factory):
    """The app on 127.0.0.1 serving the built frontend; reset links point back at it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with live_server_factory(port=port, public_url=url, frontend_url=url, frontend_dist=DIST) as srv:
        assert srv.url == url
        yield srv


@pytest.fixture
def browser():
    """Debian's chromium. `new_page()` opens a page in a fresh profile (its own cookies) at desktop size; console
    errors and page crashes are collected in `problems`, and each test asserts there were none."""
    problems: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

        def new_page() -> Page:
            # bypass_csp: only so the axe-core audit script can be injected should the app get a strict CSP
            context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB", bypass_csp=True)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            return page

        yield new_page, problems
        chromium.close()


@pytest.fixture
def browser_page(browser):
    new_page, problems = browser
    return new_page(), problems


def audit(page: Page, name: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now (labels, contrast, ARIA, landmarks...)."""
    if not AXE.is_file():  # node_modules absent: dist was built elsewhere; the rest of the test still runs
        return
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
             return { passes: r.passes.length, violations: r.violations.map(v =>
               `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`) };
           }""",
        WCAG_TAGS,
    )
    assert result["passes"] > 0, "axe ran no rule"
    assert result["violations"] == [], f"accessibility problems on {name}: {result['violations']}"


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """A screenshot in artifacts/screenshots/, after an accessibility audit of the same page."""
    audit(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def heading(page: Page, name: str):
    return page.get_by_role("heading", name=name, exact=True)


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def tab_to(page: Page, selector: str, limit: int = 15) -> None:
    """Press Tab until `selector` has focus: proves it is reachable by keyboard."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reachable with Tab")


def sign_up(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/sign-up")
    page.get_by_label("First name").fill(FIRST)
    page.get_by_label("Last name").fill(LAST)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(heading(page, f"{FIRST} {LAST}")).to_be_visible()


def sign_in_with(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_up_sign_in_and_reset_the_password(server, browser_page, smtp_server):
    page, problems = browser_page
    base = server.url
    email = f"ada.{secrets.token_hex(4)}@example.com"

    # "/" while signed out: the sign-in page
    page.goto(base + "/")
    expect(heading(page, "Sign in")).to_be_visible()
    assert path_of(page) == "/sign-in"
    shot(page, "01-sign-in")

    # a guarded page while signed out: sign-in with a way back
    page.goto(base + "/account")
    expect(heading(page, "Sign in")).to_be_visible()
    assert path_of(page) == "/sign-in?next=%2Faccount"

    # sign up; the password rules come from the server before submit
    page.get_by_role("link", name="Create an account").click()
    expect(heading(page, "Create your account")).to_be_visible()
    expect(page.get_by_role("list", name="Password rules")).to_contain_text("8 to 128 characters")
    page.get_by_role("button", name="Create account").click()  # empty: client-side errors, no request
    expect(page.get_by_text("Enter your first name.")).to_be_visible()
    expect(page.get_by_label("First name")).to_be_focused()
    shot(page, "02-sign-up-errors")
    page.get_by_label("First name").fill(FIRST)
    page.get_by_label("Last name").fill(LAST)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(OLD_PASSWORD)
    page.get_by_label("Confirm password").fill(OLD_PASSWORD)
    shot(page, "03-sign-up-filled")
    page.get_by_role("button", name="Create account").click()

    # signed in: back where we were going, the account page
    expect(heading(page, f"{FIRST} {LAST}")).to_be_visible()
    assert path_of(page) == "/account"
    expect(page.get_by_text("This device")).to_be_visible()
    shot(page, "04-account")

    # the session is an HttpOnly cookie; nothing lands in web storage
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["chatbot_session"]["httpOnly"] is True
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0

    # signed in: /sign-in and /sign-up skip to the account page
    page.goto(base + "/sign-up")
    expect(heading(page, f"{FIRST} {LAST}")).to_be_visible()
    assert path_of(page) == "/account"

    # sign out
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert path_of(page) == "/sign-in"

    # a wrong password: a form-level error, announced
    sign_in_with(page, email, WRONG_PASSWORD)
    alert = page.get_by_role("alert").filter(has_text="Email or password is incorrect.")
    expect(alert).to_be_visible()
    assert path_of(page) == "/sign-in"
    shot(page, "05-sign-in-wrong-password")

    # sign in with the keyboard only
    page.goto(base + "/sign-in")
    expect(heading(page, "Sign in")).to_be_visible()
    tab_to(page, "input[name=email]")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(OLD_PASSWORD)
    page.keyboard.press("Enter")
    expect(heading(page, f"{FIRST} {LAST}")).to_be_visible()
    profile = page.get_by_role("region", name="Profile")
    expect(profile).to_contain_text(FIRST)
    expect(profile).to_contain_text(LAST)
    expect(profile).to_contain_text(email)

    # at phone width (360 px) the account page still fits: no horizontal scrolling
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "06-account-360px")
    page.set_viewport_size({"width": 1280, "height": 860})

    # forgot password (signed out first, from the sign-in page's link)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_role("link", name="Forgot your password?").click()
    expect(heading(page, "Reset your password")).to_be_visible()
    shot(page, "07-forgot-password")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(heading(page, "Check your email")).to_be_visible()
    shot(page, "08-check-your-email")

    # the mailed link, read from the real SMTP receiver
    link = reset_link(smtp_server.wait_for_sync(email, timeout=20))
    assert link.startswith(base + "/reset-password?token=")
    page.goto(link)
    expect(heading(page, "Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("The passwords do not match.")).to_be_visible()
    shot(page, "09-reset-password")
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(heading(page, "Password changed")).to_be_visible()
    shot(page, "10-password-changed")

    # the link works once
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(heading(page, "This link can’t be used")).to_be_visible()
    shot(page, "11-reset-link-used")

    # the old password fails, the new one works
    page.goto(base + "/sign-in")
    sign_in_with(page, email, OLD_PASSWORD)
    expect(page.get_by_role("alert").filter(has_text="Email or password is incorrect.")).to_be_visible()
    sign_in_with(page, email, NEW_PASSWORD)
    expect(heading(page, f"{FIRST} {LAST}")).to_be_visible()
    assert path_of(page) == "/account"

    # an unknown path is the app's own not-found page (SPA fallback serves index.html)
    page.goto(base + "/no-such-page")
    expect(heading(page, "Page not found")).to_be_visible()

    assert problems == [], problems


def test_signed_out_pages_at_360px_wide(server, browser_page):
    """Every signed-out page fits a 360 px phone without horizontal scrolling."""
    page, problems = browser_page
    page.set_viewport_size({"width": 360, "height": 780})
    for path, title, name in [
        ("/sign-in", "Sign in", "12-sign-in-360px"),
        ("/sign-up", "Create your account", "13-sign-up-360px"),
        ("/forgot-password", "Reset your password", "14-forgot-password-360px"),
        ("/reset-password?token=x", "Choose a new password", "15-reset-password-360px"),
    ]:
        page.goto(server.url + path)
        expect(heading(page, title)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        shot(page, name)
    assert problems == [], problems


def test_account_sessions_and_change_password(server, browser):
    """Two browsers signed in; the first signs the other out, then changes its password."""
    new_page, problems = browser
    base = server.url
    email = f"ada.{secrets.token_hex(4)}@example.com"
    laptop, phone = new_page(), new_page()
    sign_up(laptop, base, email, OLD_PASSWORD)
    phone.goto(base + "/sign-in")
    sign_in_with(phone, email, OLD_PASSWORD)
    expect(heading(phone, f"{FIRST} {LAST}")).to_be_visible()

    laptop.reload()
    sessions = laptop.get_by_role("region", name="Where you’re signed in")
    expect(sessions.get_by_role("listitem")).to_have_count(2)
    shot(laptop, "16-account-two-sessions")
    sessions.get_by_role("button", name="Sign out other sessions").click()
    expect(sessions.get_by_text("Signed out of 1 session.")).to_be_visible()
    expect(sessions.get_by_role("listitem")).to_have_count(1)

    phone.reload()  # its session was revoked: the guard sends it to sign-in
    expect(heading(phone, "Sign in")).to_be_visible()

    change = laptop.get_by_role("region", name="Change password")
    change.get_by_label("Current password").fill(WRONG_PASSWORD)
    change.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    change.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    change.get_by_role("button", name="Change password").click()
    current = change.get_by_label("Current password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_be_focused()
    shot(laptop, "17-change-password-error")
    current.fill(OLD_PASSWORD)
    change.get_by_role("button", name="Change password").click()
    expect(change.get_by_text("Your password has been changed.")).to_be_visible()
    expect(current).to_have_value("")
    shot(laptop, "18-change-password-done")

    phone.goto(base + "/sign-in")
    sign_in_with(phone, email, OLD_PASSWORD)  # the old password: a failed sign-in
    expect(phone.get_by_role("alert").filter(has_text="Email or password is incorrect.")).to_be_visible()
    sign_in_with(phone, email, NEW_PASSWORD)
    expect(heading(phone, f"{FIRST} {LAST}")).to_be_visible()

    # the account page lists what happened, newest first
    laptop.reload()
    activity = laptop.get_by_role("region", name="Recent security activity")
    expect(activity.get_by_role("listitem").first).to_contain_text("Signed in")
    expect(activity.get_by_role("listitem")).to_have_text(
        [
            re.compile(r"^Signed in"),
            re.compile(r"^Sign-in failed: wrong password"),
            re.compile(r"^Password changed"),
            re.compile(r"^Signed out of 1 session"),
            re.compile(r"^Signed in"),  # the phone
            re.compile(r"^Signed in"),  # the session sign-up opened
            re.compile(r"^Account created"),
        ]
    )
    expect(activity.get_by_role("listitem").first).to_contain_text("127.0.0.1")
    shot(laptop, "19-account-security-activity")
    assert problems == [], problems
