"""The password method: sign up, sign in, password reset by mail, change password. No GraphQL or HTTP here.

Every function returns a plain result or raises AuthFailure (a failure the user can act on). Anything else that
escapes (a database that is down) is an internal error for the transport to log and mask."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial

from ....db import accounts, users
from ...core import errors, events
from ...core.core import Core
from ...core.errors import AuthFailure, Code
from ...core.events import Event
from ...core.ids import new_id
from ...core.mail import Draft
from ...core.passwords import PasswordPolicy
from ...core.ratelimit import Rule
from ...core.records import Client, Principal, SignInOutcome, User
from ...core.templates import PASSWORD_CHANGED, MailTemplate
from ...core.validation import checked_email, clean_email, clean_name, split_name

log = logging.getLogger(__name__)

RESET = "reset-password"  # the verification kind (Better Auth's identifier prefix)

RESET_MAIL = MailTemplate(
    subject="Reset your password",
    paragraphs=(
        "Someone (hopefully you) asked to reset the password of your account.",
        "Open this link within {minutes} minutes to choose a new password.",
    ),
    action="Choose a new password",
    after=("The link works once. If you did not ask for it, ignore this mail: your password stays as it is.",),
)

LinkFor = Callable[[str], str]  # reset token -> the link to mail


class PasswordService:
    def __init__(self, core: Core) -> None:
        self.core = core
        s = core.settings
        self.rules = {
            "sign_in_ip": Rule("signIn", "ip", s.rate_limit_sign_in_ip),
            "sign_in_email": Rule("signIn", "email", s.rate_limit_sign_in_email),
            "sign_up_ip": Rule("signUp", "ip", s.rate_limit_sign_up_ip),
            "reset_request_ip": Rule("requestPasswordReset", "ip", s.rate_limit_reset_request_ip),
            "reset_request_email": Rule("requestPasswordReset", "email", s.rate_limit_reset_request_email),
            "reset_ip": Rule("resetPassword", "ip", s.rate_limit_reset_ip),
        }
        core.events.on(events.PASSWORD_CHANGED, self._notify_owner)
        core.events.on(events.PASSWORD_RESET, self._notify_owner)

    @property
    def policy(self) -> PasswordPolicy:
        return self.core.policy

    # ------------------------------------------------------------------------------------------------ sign up/in

    async def sign_up(
        self,
        first_name: str | None,
        last_name: str | None,
        email: str,
        password: str,
        client: Client,
        *,
        name: str | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> SignInOutcome:
        """First and last name, or (None, None and) one `name` as Better Auth's clients send it, split like the
        migration splits `user.name`; a one-word name then has an empty last name."""
        core = self.core
        await core.limiter.hit([(self.rules["sign_up_ip"], client.ip)])
        if name is not None:
            first_name, last_name = split_name(name)
        first = clean_name(first_name or "", "firstName")
        last = clean_name(last_name or "", "lastName", required=name is None)
        address = clean_email(email)
        core.policy.check(password, email=address)
        password_hash = await core.hashing.hash(password)
        refused: AuthFailure | None = None
        async with core.pool.acquire() as conn, conn.transaction():  # the user, its password and its session, or none
            row = await users.insert(conn, user_id=new_id(), first_name=first, last_name=last, email=address)
            if row is None:
                raise AuthFailure(Code.EMAIL_TAKEN, "An account with this email already exists.", "email")
            await accounts.insert_credential(conn, account_id=new_id(), user_id=row["id"], password_hash=password_hash)
            user = User.of(row)
            try:
                outcome = await core.sign_in(
                    user, client, method="password", sign_up=True, cookies=cookies, db=conn, emit=False
                )
            except AuthFailure as failure:  # a gate wants something first (a verified email): the account stays
                refused = failure
        log.info("user signed up", extra={"user_id": user.id})
        await core.events.emit(events.USER_SIGNED_UP, user=user, client=client, method="password")
        if refused is not None:
            raise refused
        await core.signed_in(outcome, client, "password")
        return outcome

    async def sign_in(
        self,
        email: str,
        password: str,
        client: Client,
        *,
        replaces: str | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> SignInOutcome:
        """Verify the password, then the core's sign-in path (a session, or a pending second factor)."""
        core = self.core
        address, malformed = checked_email(email)
        try:
            await core.limiter.hit([(self.rules["sign_in_ip"], client.ip), (self.rules["sign_in_email"], address)])
            if malformed:
                raise malformed
        except AuthFailure as refused:  # refused before any check of the password: counted (metrics) all the same
            await core.events.emit(events.SIGN_IN_FAILED, client=client, method="password", code=refused.code.value)
            raise
        if len(password) > core.settings.password_max_length * 4:
            raise AuthFailure(Code.INVALID_CREDENTIALS, errors.INVALID_CREDENTIALS)  # never hash unbounded input
        found = await users.find_credential(core.pool, address)
        if found is None or found["password"] is None:
            await core.hashing.spend_dummy(password)  # same cost as a wrong password: no timing oracle
            await core.events.emit(events.SIGN_IN_FAILED, client=client, method="password", code="INVALID_CREDENTIALS")
            raise AuthFailure(Code.INVALID_CREDENTIALS, errors.INVALID_CREDENTIALS)
        user, stored = User.of(found), found["password"]
        result = await core.hashing.verify(stored, password)
        if not result.ok:
            log.info("sign-in failed: wrong password", extra={"user_id": user.id})
            await core.events.emit(
                events.SIGN_IN_FAILED, user=user, client=client, method="password", code="INVALID_CREDENTIALS"
            )
            raise AuthFailure(Code.INVALID_CREDENTIALS, errors.INVALID_CREDENTIALS)
        if result.needs_rehash:
            upgraded = await core.hashing.hash(password)
            if await accounts.replace_password_if_unchanged(core.pool, user.id, stored, upgraded):
                log.info("password hash upgraded to current argon2id parameters", extra={"user_id": user.id})
        return await core.sign_in(user, client, method="password", replaces=replaces, cookies=cookies)

    async def check_password(self, user: User, password: str, field: str = "password") -> None:
        """For actions that need the current password (change password, change email, delete account, 2FA)."""
        core = self.core
        await core.limiter.hit([(self.rules["sign_in_email"], user.email)])
        stored = await accounts.password_of(core.pool, user.id)
        message = "Current password is incorrect." if field == "currentPassword" else "Password is incorrect."
        if stored is None or len(password) > core.settings.password_max_length * 4:
            raise AuthFailure(Code.INVALID_CREDENTIALS, message, field)
        if not (await core.hashing.verify(stored, password)).ok:
            raise AuthFailure(Code.INVALID_CREDENTIALS, message, field)

    async def has_password(self, user_id: str) -> bool:
        return await accounts.password_of(self.core.pool, user_id) is not None

    # ------------------------------------------------------------------------------------------- password reset

    def default_link(self, token: str) -> str:
        return self.core.link("/reset-password", token=token)

    async def request_password_reset(self, email: str, client: Client, *, link_for: LinkFor | None = None) -> str:
        core = self.core
        address, malformed = checked_email(email)
        rules = [(self.rules["reset_request_ip"], client.ip), (self.rules["reset_request_email"], address)]
        await core.limiter.hit(rules)
        if malformed:
            raise malformed
        # Looking the email up, storing the token and mailing all happen after we answer, so the answer takes
        # the same time (and reads the same) whether or not the account exists.
        core.mailer.enqueue_job(partial(self._reset_draft, address, link_for or self.default_link, client))
        return "If an account exists for that email, we have sent a link to reset the password."

    async def _reset_draft(self, address: str, link_for: LinkFor, client: Client) -> Draft | None:
        core = self.core
        found = await users.by_email(core.pool, address)
        if found is None:
            return None
        user = User.of(found)
        ttl = core.settings.reset_token_ttl_seconds
        token = await core.verifications.create(RESET, user.id, ttl)
        log.info("password reset requested", extra={"user_id": user.id})
        await core.events.emit(events.PASSWORD_RESET_REQUESTED, user=user, client=client)
        return RESET_MAIL.render(user.email, first_name=user.first_name, link=link_for(token), minutes=str(ttl // 60))

    async def reset_token_is_valid(self, token: str, client: Client) -> bool:
        """Whether a reset link still works, without using it up (Better Auth's GET /reset-password/<token>).
        Counted against the same per-IP budget as resets, so links cannot be probed faster than used."""
        await self.core.limiter.hit([(self.rules["reset_ip"], client.ip)])
        return await self.core.verifications.peek(RESET, token) is not None

    async def reset_password(self, token: str, new_password: str, client: Client) -> str:
        core = self.core
        await core.limiter.hit([(self.rules["reset_ip"], client.ip)])
        pending = await core.verifications.peek(RESET, token)
        owner = None if pending is None else await core.user(pending.subject)
        if owner is None:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, errors.INVALID_TOKEN, "token")
        core.policy.check(new_password, email=owner.email, field="newPassword")  # a weak password keeps the token
        password_hash = await core.hashing.hash(new_password)
        async with core.pool.acquire() as conn, conn.transaction():
            used = await core.verifications.consume(RESET, token, db=conn)
            if used is None:  # used by a concurrent call, or expired meanwhile
                raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, errors.INVALID_TOKEN, "token")
            await accounts.set_password(conn, used.subject, password_hash)
            await core.verifications.revoke_all(RESET, used.subject, db=conn)
            revoked = await core.sessions.revoke_all(used.subject, db=conn)
        log.info("password reset; sessions revoked", extra={"user_id": owner.id, "revoked": revoked})
        await core.events.emit(
            events.PASSWORD_RESET,
            user=owner,
            client=client,
            revoked=revoked,
            how="reset with a link sent to this address",
        )
        return "Your password has been reset. Sign in with your new password."

    # -------------------------------------------------------------------------------- signed-in account upkeep

    async def change_password(self, principal: Principal, current: str, new: str, client: Client | None = None) -> int:
        """Returns how many other sessions were revoked (all but the caller's)."""
        core, user = self.core, principal.user
        await self.check_password(user, current, "currentPassword")
        core.policy.check(new, email=user.email, field="newPassword")
        password_hash = await core.hashing.hash(new)
        async with core.pool.acquire() as conn, conn.transaction():
            await accounts.set_password(conn, user.id, password_hash)
            await core.verifications.revoke_all(RESET, user.id, db=conn)
            revoked = await core.sessions.revoke_all(user.id, keep=principal.session_id, db=conn)
        log.info("password changed; other sessions revoked", extra={"user_id": user.id, "revoked": revoked})
        await core.events.emit(
            events.PASSWORD_CHANGED, user=user, client=client, revoked=revoked, how="changed from a signed-in session"
        )
        return revoked

    async def _notify_owner(self, event: Event) -> None:
        """Tell the owner (ASVS 2.5.x / NIST 800-63B): if it was not them, they learn of it at once."""
        user = event.user
        if user is None:
            return
        draft = PASSWORD_CHANGED.render(
            user.email,
            first_name=user.first_name,
            how=event.data["how"],
            forgot_link=self.core.link("/forgot-password"),
        )
        self.core.mailer.send(draft)
