"""The account method: profile, email change, account deletion. No GraphQL or HTTP here.

It builds on two other methods' services (`core.services`): the password method checks the password these actions
ask for, and the email-verification method mails and later honours the link that confirms a new address."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ....db import ratelimits, users
from ....db import verifications as verification_rows
from ....db.common import Executor
from ...core import events
from ...core.core import Core
from ...core.errors import AuthFailure, Code
from ...core.events import Event
from ...core.ratelimit import Rule, key
from ...core.records import Client, Principal, User
from ...core.templates import MailTemplate
from ...core.validation import clean_email, clean_name, split_name
from ..email_verification.service import EmailVerificationService, LinkFor, duration
from ..password.service import PasswordService

log = logging.getLogger(__name__)

DELETE = "delete-account"  # the verification kind of a mailed deletion link
IMAGE_MAX = 2048


class Unset:
    """A field the caller left out (as opposed to None: remove it)."""


UNSET = Unset()

DELETE_CONFIRM_MAIL = MailTemplate(
    subject="Confirm deleting your account",
    paragraphs=(
        "Someone signed in to your account asked to delete it.",
        "Open this link within {valid_for} to delete the account and everything stored with it. This cannot be undone.",
    ),
    action="Delete my account",
    after=("If you did not ask for this, ignore this mail: your account stays as it is.",),
)
DELETED_MAIL = MailTemplate(
    subject="Your account has been deleted",
    paragraphs=(
        "Your account ({email}) and everything stored with it have been deleted, and every session signed out.",
        "If you did not ask for this, someone else was signed in to your account. It cannot be restored, but this "
        "address is free to sign up again.",
    ),
)


@dataclass(frozen=True)
class Deletion:
    deleted: bool  # False: a link to confirm it was mailed instead
    message: str


class AccountService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.rules = {"account_mail": Rule("accountMail", "email", core.settings.rate_limit_account_mail)}
        core.events.on(events.ACCOUNT_DELETED, self._say_goodbye)

    @property
    def passwords(self) -> PasswordService:
        service: PasswordService = self.core.services["password"]
        return service

    @property
    def email_verification(self) -> EmailVerificationService:
        service: EmailVerificationService = self.core.services["email-verification"]
        return service

    # ------------------------------------------------------------------------------------------------ profile

    async def update_profile(
        self,
        principal: Principal,
        first_name: str | None,
        last_name: str | None,
        client: Client,
        *,
        name: str | None = None,
        image: str | Unset | None = UNSET,
    ) -> User:
        """The same rules as at sign-up; `user.name` stays first + ' ' + last (Better Auth reads it). A name left
        out (None) stays as it is; Better Auth's clients send one `name`, split as at sign-up, and may set `image`."""
        user = principal.user
        if name is not None:
            first_name, last_name = split_name(name)
        first = clean_name(user.first_name if first_name is None else first_name, "firstName")
        last = clean_name(user.last_name if last_name is None else last_name, "lastName", required=name is None)
        if isinstance(image, str) and (len(image) > IMAGE_MAX or not image.isprintable()):
            raise AuthFailure(Code.INVALID_INPUT, "The image must be a URL of at most 2048 characters.", "image")
        row = await users.set_names(
            self.core.pool,
            user.id,
            first,
            last,
            image=None if isinstance(image, Unset) else image,
            set_image=not isinstance(image, Unset),
        )
        if row is None:  # deleted meanwhile
            raise AuthFailure(Code.NOT_AUTHENTICATED, "You are not signed in.")
        updated = User.of(row)
        await self.core.events.emit(events.PROFILE_UPDATED, user=updated, client=client)
        return updated

    # ------------------------------------------------------------------------------------------- email change

    async def change_email(
        self, principal: Principal, new_email: str, password: str | None, *, link_for: LinkFor | None = None
    ) -> str:
        """Mail a confirmation link to the new address (and a notice to the current one). Nothing changes until the
        link is opened; the address must still be free then. Without the password (Better Auth's clients do not
        send it) the current address confirms the change first: its link sends the one to the new address."""
        user = principal.user
        address = clean_email(new_email, "newEmail")
        if address == user.email.lower():
            raise AuthFailure(Code.INVALID_INPUT, "This is already your email address.", "newEmail")
        if password is not None:
            await self.passwords.check_password(user, password)  # first: only the owner learns whether it is taken
        if await users.by_email(self.core.pool, address) is not None:
            raise AuthFailure(Code.EMAIL_TAKEN, "An account with this email already exists.", "newEmail")
        await self.core.limiter.hit([(self.rules["account_mail"], user.email)])
        log.info("email change requested", extra={"user_id": user.id, "with_password": password is not None})
        if password is None:
            await self.email_verification.send_change_request(user, address, link_for)
            return f"We sent a link to {user.email}: open it to confirm the change to {address}."
        await self.email_verification.send_change_link(user, address, link_for)
        return f"We sent a confirmation link to {address}. Your email address changes when you open it."

    # ------------------------------------------------------------------------------------------- deletion

    async def delete_account(
        self, principal: Principal, client: Client, *, password: str | None = None, token: str | None = None
    ) -> Deletion:
        """Delete the account, or, for an account without a password, mail a link that confirms the deletion.
        With the password or the mailed link's token, everything of the user goes at once: the user, its sessions
        and accounts (cascade), its one-time tokens and the rate-limit counters of its address."""
        core, user = self.core, principal.user
        if token is not None:
            async with core.pool.acquire() as conn, conn.transaction():
                used = await core.verifications.consume(DELETE, token, db=conn)
                if used is None or used.subject != user.id:
                    raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, "This link is invalid or has expired.", "token")
                await self._erase(conn, user)
        elif await self.passwords.has_password(user.id):
            if not password:
                raise AuthFailure(Code.INVALID_INPUT, "Enter your password.", "password")
            await self.passwords.check_password(user, password)
            async with core.pool.acquire() as conn, conn.transaction():
                await self._erase(conn, user)
        else:
            await core.limiter.hit([(self.rules["account_mail"], user.email)])
            ttl = core.settings.delete_account_ttl_seconds
            link = core.link("/delete-account", token=await core.verifications.create(DELETE, user.id, ttl))
            core.mailer.send(
                DELETE_CONFIRM_MAIL.render(user.email, first_name=user.first_name, link=link, valid_for=duration(ttl))
            )
            return Deletion(False, f"We sent a link to {user.email}: open it to delete your account.")
        log.info("account deleted", extra={"user_id": user.id})
        await core.events.emit(events.ACCOUNT_DELETED, user=user, client=client)
        return Deletion(True, "Your account has been deleted.")

    async def _erase(self, conn: Executor, user: User) -> None:
        await users.delete(conn, user.id)  # sessions and accounts go with it (ON DELETE CASCADE)
        await verification_rows.delete_subject(conn, user.id)
        await ratelimits.delete_keys(conn, self._rate_limit_keys(user))

    def _rate_limit_keys(self, user: User) -> list[str]:
        """The counters kept for the user's address by any enabled method (keys hold only a hash of the address, so
        those of addresses the account had before cannot be found; they expire with their window)."""
        rules = [
            rule
            for service in self.core.services.values()
            for rule in getattr(service, "rules", {}).values()
            if rule.scope == "email"
        ]
        return sorted({key(rule, user.email) for rule in rules})

    async def _say_goodbye(self, event: Event) -> None:
        if event.user is not None:
            user = event.user
            self.core.mailer.send(DELETED_MAIL.render(user.email, first_name=user.first_name, email=user.email))
