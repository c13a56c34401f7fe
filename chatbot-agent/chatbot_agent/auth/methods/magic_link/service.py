"""Magic links: sign in with a link mailed to the account's address. No GraphQL or HTTP here.

- `request` answers the same, in the same time, whether or not the address has an account: the look-up, the token
  and the mail all happen after the answer (the mail queue), as for password resets. Unknown addresses get nothing:
  no account is made (signing up needs a name).
- The link is `<FRONTEND_URL>/magic-link?token=…[&next=/path]`, valid 15 minutes, usable once (a `magic-link`
  verification, hashed at rest). `redirectTo` must stay inside the web app: a path, or a URL on FRONTEND_URL.
- `sign_in` spends the token, marks the address verified (the link proved the mailbox) and takes the core's
  sign-in path, so two-factor still applies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from urllib.parse import urlsplit

from ....db import users
from ...core import events
from ...core.core import Core
from ...core.errors import AuthFailure, Code
from ...core.mail import Draft
from ...core.ratelimit import Rule
from ...core.records import Client, SignInOutcome, User
from ...core.templates import MailTemplate
from ...core.validation import checked_email

log = logging.getLogger(__name__)
LinkFor = Callable[[str], str]  # token -> the link to mail

KIND = "magic-link"
TTL = 15 * 60
REDIRECT_MAX = 512
INVALID_LINK = "This sign-in link is invalid or has expired. Ask for a new one."
SENT = "If an account exists for that email, we have sent it a link to sign in."

MAGIC_LINK_MAIL = MailTemplate(
    subject="Your sign-in link",
    paragraphs=(
        "Someone (hopefully you) asked for a link to sign in to your account.",
        "Open it within {minutes} minutes; it works once.",
    ),
    action="Sign in",
    after=("If you did not ask for it, ignore this mail: nobody can sign in without it.",),
)


class MagicLinkService:
    def __init__(self, core: Core) -> None:
        self.core = core
        s = core.settings
        self.rules = {
            "request_ip": Rule("requestMagicLink", "ip", s.rate_limit_magic_link_ip),
            "request_email": Rule("requestMagicLink", "email", s.rate_limit_magic_link_email),
            "sign_in_ip": Rule("signInWithMagicLink", "ip", s.rate_limit_magic_link_sign_in_ip),
        }

    def safe_redirect(self, redirect_to: str | None) -> str | None:
        """A path inside the web app, or None for the default; anything that could leave it is refused."""
        text = (redirect_to or "").strip()
        if not text:
            return None
        fail = AuthFailure(Code.INVALID_INPUT, "Only a page of this app can be the destination.", "redirectTo")
        if len(text) > REDIRECT_MAX or any(ord(ch) < 0x20 or ch == "\\" for ch in text):
            raise fail
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            home = urlsplit(self.core.settings.frontend_url)
            if (parts.scheme, parts.netloc) != (home.scheme, home.netloc):
                raise fail
            text = parts.path or "/"
            text += f"?{parts.query}" if parts.query else ""
            text += f"#{parts.fragment}" if parts.fragment else ""
        if not text.startswith("/") or text.startswith("//"):
            raise fail
        return text

    def default_link(self, token: str, next_path: str | None) -> str:
        return self.core.link("/magic-link", token=token, **({"next": next_path} if next_path else {}))

    async def request(
        self, email: str, redirect_to: str | None, client: Client, *, link_for: LinkFor | None = None
    ) -> str:
        """`link_for(token)`: the link to mail instead of the web app's (Better Auth's REST route passes its own)."""
        core = self.core
        address, malformed = checked_email(email)
        await core.limiter.hit([(self.rules["request_ip"], client.ip), (self.rules["request_email"], address)])
        if malformed:
            raise malformed
        next_path = None if link_for else self.safe_redirect(redirect_to)
        link = link_for or (lambda token: self.default_link(token, next_path))
        core.mailer.enqueue_job(partial(self._draft, address, link, client))
        return SENT

    async def _draft(self, address: str, link_for: LinkFor, client: Client) -> Draft | None:
        core = self.core
        found = await users.by_email(core.pool, address)
        if found is None:
            return None  # no account, no mail: signing up needs a name
        user = User.of(found)
        token = await core.verifications.create(KIND, user.id, TTL, data={"email": user.email})
        log.info("magic link requested", extra={"user_id": user.id})
        await core.events.emit("magic_link.requested", user=user, client=client)
        return MAGIC_LINK_MAIL.render(
            user.email, first_name=user.first_name, link=link_for(token), minutes=str(TTL // 60)
        )

    async def sign_in(
        self, token: str, client: Client, *, replaces: str | None = None, cookies: Mapping[str, str] | None = None
    ) -> SignInOutcome:
        core = self.core
        await core.limiter.hit([(self.rules["sign_in_ip"], client.ip)])
        used = await core.verifications.consume(KIND, token)
        row = None if used is None else await users.by_id(core.pool, used.subject)
        if used is None or row is None:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, INVALID_LINK, "token")
        user = User.of(row)
        if used.data.get("email", user.email).lower() != user.email.lower():
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, INVALID_LINK, "token")  # mailed to a former address
        if not user.email_verified:
            verified = await users.mark_verified(core.pool, user.id, user.email)
            if verified is not None:
                user = User.of(verified)
                await core.events.emit(events.EMAIL_VERIFIED, user=user, client=client, method="magic-link")
        return await core.sign_in(user, client, method="magic-link", replaces=replaces, cookies=cookies)
