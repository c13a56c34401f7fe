"""The email-verification method. No GraphQL or HTTP here.

Three kinds of one-time links share `verifyEmail`: `email-verification` (the address the account has is the user's),
`change-email` (the user asked to move to a new address; opening the link at that address makes the move) and
`change-email-confirmation` (an email change asked for without the password, Better Auth's client's way: the current
address confirms it first, and only then does the link go to the new one). Each carries the addresses it is about in
its data, so a link only ever acts for the address it was mailed to."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from ....db import users
from ....db.common import Executor
from ...core import events
from ...core.core import Core, SignInAttempt
from ...core.errors import AuthFailure, Code
from ...core.events import Event
from ...core.mail import Draft
from ...core.ratelimit import Rule
from ...core.records import Client, Principal, User
from ...core.templates import MailTemplate
from ...core.validation import checked_email

log = logging.getLogger(__name__)

VERIFY = "email-verification"  # verification kinds
CHANGE = "change-email"
CONFIRM = "change-email-confirmation"
RESET = "reset-password"  # the password method's: reset links mailed to an address the account no longer has die

INVALID_LINK = "This link is invalid or has expired."

LinkFor = Callable[[str], str]  # token -> the link to mail (the web app's page, or Better Auth's REST link)

VERIFY_MAIL = MailTemplate(
    subject="Verify your email address",
    paragraphs=(
        "Please confirm that {email} is your email address.",
        "The link works for {valid_for}.",
    ),
    action="Verify my email address",
    after=("If you did not create an account with us, ignore this mail.",),
)
CHANGE_CONFIRM_MAIL = MailTemplate(
    subject="Confirm your new email address",
    paragraphs=(
        "You asked to use {email} for your account from now on.",
        "Open this link within {valid_for} to confirm. Until then your account keeps its current address.",
    ),
    action="Confirm my new email address",
    after=("If you did not ask for this, ignore this mail: nothing changes.",),
)
CHANGE_NOTICE_MAIL = MailTemplate(
    subject="Your email address is about to change",
    paragraphs=(
        "Someone signed in to your account asked to change its email address to {new_email}. The change happens "
        "when the link we sent to that address is opened.",
    ),
    after=("If this was not you, reset your password now; that also cancels the change: {forgot_link}",),
)

CHANGE_REQUEST_MAIL = MailTemplate(
    subject="Confirm changing your email address",
    paragraphs=(
        "Someone signed in to your account asked to change its email address to {new_email}.",
        "If it was you, open this link within {valid_for}: we then send a link to {new_email} that completes the "
        "change.",
    ),
    action="Yes, change my email address",
    after=("If this was not you, ignore this mail and reset your password: {forgot_link}",),
)


def duration(seconds: int) -> str:
    """How long a mailed link works, for its text: 24 hours, 1 hour, 30 minutes."""
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Verified:
    user: User
    message: str
    kind: str  # "verified" (the address), "changed" (the account moved to it), "confirmed" (the link went to it)


class EmailVerificationService:
    def __init__(self, core: Core) -> None:
        self.core = core
        s = core.settings
        self.mode: str = s.email_verification  # off | optional | required
        self.ttl = s.email_verification_ttl_seconds
        self.rules = {
            "verify_ip": Rule("verifyEmail", "ip", s.rate_limit_verification_ip),
            "send_ip": Rule("sendVerificationEmail", "ip", s.rate_limit_verification_ip),
            "send_email": Rule("sendVerificationEmail", "email", s.rate_limit_send_verification_email),
        }
        core.events.on(events.USER_SIGNED_UP, self._on_sign_up)
        core.events.on(events.PASSWORD_RESET, self._cancel_change)  # the owner took the account back
        core.events.on(events.PASSWORD_CHANGED, self._cancel_change)
        if self.mode == "required":
            core.gates.append(self._verified_only)

    # ------------------------------------------------------------------------------------------ the mailed link

    async def _on_sign_up(self, event: Event) -> None:
        if self.mode != "off" and event.user is not None and not event.user.email_verified:
            await self.send_link(event.user)

    def default_link(self, token: str) -> str:
        return self.core.link("/verify-email", token=token)

    async def _link_mail(self, user: User, link_for: LinkFor | None = None) -> Draft:
        token = await self.core.verifications.create(VERIFY, user.id, self.ttl, data={"email": user.email})
        return VERIFY_MAIL.render(
            user.email,
            first_name=user.first_name,
            email=user.email,
            link=(link_for or self.default_link)(token),
            valid_for=duration(self.ttl),
        )

    async def send_link(self, user: User, link_for: LinkFor | None = None) -> None:
        self.core.mailer.send(await self._link_mail(user, link_for))

    async def send_verification_email(
        self, principal: Principal, client: Client, *, link_for: LinkFor | None = None
    ) -> str:
        """Mail the signed-in user a new link (earlier ones keep working until they expire)."""
        user = principal.user
        if self.mode == "off":
            raise AuthFailure(Code.INVALID_INPUT, "Email addresses are not verified on this service.")
        if user.email_verified:
            raise AuthFailure(Code.INVALID_INPUT, "Your email address is already verified.")
        await self.core.limiter.hit([(self.rules["send_email"], user.email)])
        await self.send_link(user, link_for)
        log.info("verification link re-sent", extra={"user_id": user.id})
        return f"We sent a new link to {user.email}."

    async def send_verification_email_to(self, email: str, client: Client, *, link_for: LinkFor | None = None) -> None:
        """Signed out (Better Auth's REST route): a link to `email` if it is an account's unverified address. The
        answer is the same either way and the lookup happens after it, like a password reset request."""
        address, malformed = checked_email(email)
        await self.core.limiter.hit([(self.rules["send_ip"], client.ip), (self.rules["send_email"], address)])
        if malformed:
            raise malformed
        if self.mode != "off":
            self.core.mailer.enqueue_job(partial(self._link_mail_to, address, link_for))

    async def _link_mail_to(self, address: str, link_for: LinkFor | None) -> Draft | None:
        row = await users.by_email(self.core.pool, address)
        if row is None or row["emailVerified"]:
            return None
        return await self._link_mail(User.of(row), link_for)

    async def _verified_only(self, attempt: SignInAttempt) -> None:
        """EMAIL_VERIFICATION=required: the sign-in gate. It runs after the password was accepted, so only the
        account's owner learns that the address is unverified; they get a fresh link, at most once per
        EMAIL_VERIFICATION_RESEND_SECONDS (sign-up mails its own)."""
        user = attempt.user
        if user.email_verified:
            return
        if attempt.sign_up:
            message = f"We sent a link to {user.email}. Open it to verify your address, then sign in."
        else:
            last = await self.core.verifications.last_created(VERIFY, user.id)
            spacing = timedelta(seconds=self.core.settings.email_verification_resend_seconds)
            if last is None or datetime.now(UTC) - last >= spacing:
                await self.send_link(user)
            message = f"Verify your email address first: we sent a link to {user.email}. Open it, then sign in."
        log.info("sign-in refused: email not verified", extra={"user_id": user.id})
        raise AuthFailure(Code.EMAIL_NOT_VERIFIED, message)

    # ------------------------------------------------------------------------------------------ opening a link

    async def verify_email(self, token: str, client: Client, *, link_for: LinkFor | None = None) -> Verified:
        """Use a mailed link, signed in or not: verify the address, complete an email change, or (a change asked for
        without the password, confirmed at the current address) mail the link to the new address (`link_for`
        makes that link). Each link works once; a link of another kind (a password reset) does nothing here."""
        core = self.core
        await core.limiter.hit([(self.rules["verify_ip"], client.ip)])
        async with core.pool.acquire() as conn, conn.transaction():
            used = await core.verifications.consume(VERIFY, token, db=conn)
            if used is not None:
                row = await users.mark_verified(conn, used.subject, used.data.get("email"))
                if row is None:  # the account is gone, or has another address since
                    raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, INVALID_LINK, "token")
                user, kind = User.of(row), "verified"
            elif (used := await core.verifications.consume(CHANGE, token, db=conn)) is not None:
                before = await users.by_id(conn, used.subject)
                if before is None:
                    raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, INVALID_LINK, "token")
                row = await users.change_email(conn, used.subject, used.data["email"])
                if row is None:  # someone took the address since it was asked for (the unique index decides)
                    raise AuthFailure(Code.EMAIL_TAKEN, "An account with this email already exists.", "token")
                user, kind, old_email = User.of(row), "changed", before["email"]
                for other in (CHANGE, CONFIRM, VERIFY, RESET):  # links mailed for the old address, or to it, die
                    await core.verifications.revoke_all(other, user.id, db=conn)
            else:
                used = await core.verifications.consume(CONFIRM, token, db=conn)
                row = None if used is None else await users.by_id(conn, used.subject)
                if used is None or row is None or row["email"].lower() != used.data.get("from"):
                    raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, INVALID_LINK, "token")
                user, kind = User.of(row), "confirmed"
        if kind == "verified":
            log.info("email verified", extra={"user_id": user.id})
            await core.events.emit(events.EMAIL_VERIFIED, user=user, client=client)
            return Verified(user, f"Your email address {user.email} is verified.", kind)
        if kind == "confirmed":
            new_email = used.data["email"]
            await self.send_change_link(user, new_email, link_for, notify=False)
            message = f"We sent a link to {new_email}. Your email address changes when you open it."
            return Verified(user, message, kind)
        log.info("email changed", extra={"user_id": user.id})
        await core.events.emit(events.EMAIL_CHANGED, user=user, client=client, old_email=old_email)
        await core.events.emit(events.EMAIL_VERIFIED, user=user, client=client)
        return Verified(user, f"Your email address is now {user.email}.", kind)

    # ------------------------------------------------------------------------------------- changing the address

    async def _cancel_change(self, event: Event) -> None:
        """A new password ends a pending email change: whoever asked for it with the old password loses it."""
        if event.user_id is not None:
            await self._drop_pending_changes(event.user_id)

    async def _drop_pending_changes(self, user_id: str, db: Executor | None = None) -> None:
        for kind in (CHANGE, CONFIRM):
            await self.core.verifications.revoke_all(kind, user_id, db=db)

    async def send_change_link(
        self, user: User, new_email: str, link_for: LinkFor | None = None, *, notify: bool = True
    ) -> None:
        """Mail a link that moves `user` to `new_email` when opened there (a newer request replaces older ones), and
        (`notify`) tell the current address."""
        core = self.core
        async with core.pool.acquire() as conn, conn.transaction():
            await self._drop_pending_changes(user.id, conn)
            token = await core.verifications.create(CHANGE, user.id, self.ttl, data={"email": new_email}, db=conn)
        core.mailer.send(
            CHANGE_CONFIRM_MAIL.render(
                new_email,
                first_name=user.first_name,
                email=new_email,
                link=(link_for or self.default_link)(token),
                valid_for=duration(self.ttl),
            )
        )
        if notify:
            core.mailer.send(
                CHANGE_NOTICE_MAIL.render(
                    user.email,
                    first_name=user.first_name,
                    new_email=new_email,
                    forgot_link=core.link("/forgot-password"),
                )
            )

    async def send_change_request(self, user: User, new_email: str, link_for: LinkFor | None = None) -> None:
        """An email change asked for without the password: the current address confirms it first (its link, once
        opened through `verify_email`, sends the link to the new address)."""
        core = self.core
        async with core.pool.acquire() as conn, conn.transaction():
            await self._drop_pending_changes(user.id, conn)
            data = {"email": new_email, "from": user.email.lower()}
            token = await core.verifications.create(CONFIRM, user.id, self.ttl, data=data, db=conn)
        core.mailer.send(
            CHANGE_REQUEST_MAIL.render(
                user.email,
                first_name=user.first_name,
                new_email=new_email,
                link=(link_for or self.default_link)(token),
                valid_for=duration(self.ttl),
                forgot_link=core.link("/forgot-password"),
            )
        )
