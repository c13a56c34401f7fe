"""Two-factor sign-in: a TOTP code from an authenticator app, or a backup code. No GraphQL or HTTP here.

- Setup: `enable` (password) makes a secret and ten backup codes, stored sealed and unconfirmed; `confirm` (the
  first code) turns two-factor on. `regenerate_backup_codes` and `disable` need the password.
- Sign-in: the gate turns any sign-in of a user with two-factor on (password, magic link …; not a passkey, which is
  multi-factor by itself) into a pending challenge, a `two-factor` verification valid 5 minutes whose token the
  transport keeps in an HttpOnly cookie. `verify` finishes it with a code: it spends the challenge and the code in
  one transaction, so a wrong or replayed code leaves the challenge as it was, and of two concurrent uses one wins.
- Limits: a challenge takes RATE_LIMIT_TWO_FACTOR_CHALLENGE attempts, a user RATE_LIMIT_TWO_FACTOR_USER (over all
  their challenges and setup confirmations).
- A trusted device skips the code for 30 days: a `trust-device` verification whose token sits in a signed cookie.
  Changing or resetting the password, or turning two-factor off, forgets every trusted device of the user. A
  password reset leaves two-factor on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from ....db import accounts
from ....db import two_factor as rows
from ....db.common import Executor
from ...core import events
from ...core.cookies import CookieSpec, SessionCookie
from ...core.core import Core, SignInAttempt
from ...core.errors import AuthFailure, Code
from ...core.events import Event
from ...core.ids import hash_token, new_id
from ...core.ratelimit import Rule
from ...core.records import Client, Principal, SecondFactorRequired, SignedIn, User
from ...core.secretbox import SecretBox, SecretBoxError
from ...core.sessions import now
from ...core.templates import MailTemplate
from . import backup_codes, totp

log = logging.getLogger(__name__)

CHALLENGE = "two-factor"  # verification kind of a sign-in waiting for its second factor
TRUSTED = "trust-device"  # verification kind of a browser that skips the second factor
METHODS = ("totp", "backup-code")
CHALLENGE_TTL = 5 * 60
TRUST_TTL = 30 * 24 * 3600
TRUST_COOKIE = "trust_device"

WRONG_CODE = "That code didn’t work. Check your authenticator app and try again."
EXPIRED = "This sign-in has expired. Sign in again."

TURNED_ON = MailTemplate(
    subject="Two-factor authentication is on",
    paragraphs=(
        "Two-factor authentication was just turned on for your account: signing in now also asks for a code "
        "from your authenticator app.",
    ),
    after=("If this was not you, reset your password now: {forgot_link}",),
)
TURNED_OFF = MailTemplate(
    subject="Two-factor authentication is off",
    paragraphs=(
        "Two-factor authentication was just turned off for your account: signing in asks only for your password again.",
    ),
    after=("If this was not you, reset your password now and turn it back on: {forgot_link}",),
)


@dataclass(frozen=True)
class Setup:
    totp_uri: str
    secret: str
    backup_codes: list[str]


@dataclass(frozen=True)
class Verified:
    signed_in: SignedIn
    trust_token: str | None  # set when the device is now trusted: the transport sets the trust cookie


class TwoFactorService:
    def __init__(self, core: Core) -> None:
        self.core = core
        s = core.settings
        self.box = SecretBox(s.secrets_encryption_key, s.secrets_encryption_old_keys)
        self.issuer = s.totp_issuer
        self.rules = {
            "challenge": Rule("verifyTwoFactor", "challenge", s.rate_limit_two_factor_challenge),
            "user": Rule("verifyTwoFactor", "user", s.rate_limit_two_factor_user),
            "password": Rule("twoFactorPassword", "user", s.rate_limit_sign_in_email),
        }
        spec = CookieSpec(s.session_cookie_name, s.secure_cookies, TRUST_TTL)
        self.trust_cookie = SessionCookie(s.session_secret, spec).sibling(TRUST_COOKIE, TRUST_TTL)
        core.gates.append(self.gate)
        for name in (events.PASSWORD_CHANGED, events.PASSWORD_RESET):
            core.events.on(name, self._forget_devices)

    # ------------------------------------------------------------------------------------------------- sign-in

    async def gate(self, attempt: SignInAttempt) -> SecondFactorRequired | None:
        """Every sign-in of a user with two-factor on waits for a code, unless it was multi-factor already (a
        passkey, or this very second step) or comes from a device the user trusts."""
        user = attempt.user
        if attempt.second_factor_done or attempt.sign_up or not user.two_factor_enabled:
            return None
        if await self.is_trusted(user.id, attempt.cookies.get(self.trust_cookie.spec.name)):
            log.info("second factor skipped: trusted device", extra={"user_id": user.id})
            return None
        token = await self.core.verifications.create(CHALLENGE, user.id, CHALLENGE_TTL, data={"method": attempt.method})
        return SecondFactorRequired(user, METHODS, token, now() + timedelta(seconds=CHALLENGE_TTL))

    async def is_trusted(self, user_id: str, cookie_value: str | None) -> bool:
        token = self.trust_cookie.decode(cookie_value)
        if token is None:
            return False
        found = await self.core.verifications.peek(TRUSTED, token)
        return found is not None and found.subject == user_id

    async def verify(
        self,
        challenge: str | None,
        code: str,
        client: Client,
        *,
        trust_device: bool = False,
        replaces: str | None = None,
        only: str | None = None,
    ) -> Verified:
        """Finish a pending sign-in with a TOTP or backup code (`challenge`: the token from the pending cookie;
        `only`: "totp" or "backup-code" to accept just that kind, as Better Auth's separate routes do)."""
        core = self.core
        pending = await core.verifications.peek(CHALLENGE, challenge) if challenge else None
        if pending is None:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, EXPIRED)
        assert challenge is not None
        await core.limiter.hit(
            [(self.rules["challenge"], hash_token(challenge)), (self.rules["user"], pending.subject)]
        )
        user = await core.user(pending.subject)
        row = None if user is None else await rows.of_user(core.pool, user.id)
        if user is None or row is None or not user.two_factor_enabled or not row["verified"]:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, EXPIRED)  # turned off since: sign in again
        used = await self._spend_code(user, row, code, challenge=challenge, only=only)
        signed_in = await core.sign_in(
            user, client, method=pending.data.get("method", "password"), replaces=replaces, second_factor_done=True
        )
        assert isinstance(signed_in, SignedIn)
        trust = await core.verifications.create(TRUSTED, user.id, TRUST_TTL) if trust_device else None
        log.info("second factor verified", extra={"user_id": user.id, "factor": used, "trusted": bool(trust)})
        return Verified(signed_in, trust)

    async def _spend_code(
        self, user: User, row: asyncpg.Record, code: str, *, challenge: str | None, only: str | None = None
    ) -> str:
        """Check the code and spend it, and the challenge with it, in one transaction: "totp" or "backup-code"."""
        core, secret = self.core, self._open_secret(row, strict=False)
        step = None
        if secret is not None and only != "backup-code":
            step = totp.match_step(secret, code, after_step=row["lastUsedStep"])
        left = None
        if step is None and only != "totp" and totp.normalize_code(code) is None:
            stored = self._open_codes(row)
            left = backup_codes.consume(stored, code)
        if step is None and left is None:
            await self._failed(user, "wrong code")
        async with core.pool.acquire() as conn, conn.transaction():
            if challenge is not None and await core.verifications.consume(CHALLENGE, challenge, db=conn) is None:
                raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, EXPIRED)  # finished by a concurrent request
            if step is not None:
                if not await rows.use_step(conn, user.id, row["id"], step):
                    await self._failed(user, "code replayed")  # rolls the transaction back: the challenge stays
                if secret is not None and self.box.needs_reseal(row["secret"]):  # sealed with a retired key
                    resealed = self.box.seal(secret, self._context("secret", user.id))
                    await rows.replace_secret(conn, row["id"], row["secret"], resealed)
                return "totp"
            sealed = self.box.seal(backup_codes.dump(left or []), self._context("backupCodes", user.id))
            if not await rows.replace_backup_codes(conn, user.id, row["id"], sealed, old=row["backupCodes"]):
                await self._failed(user, "backup code spent concurrently")
        log.info("backup code used", extra={"user_id": user.id, "left": len(left or [])})
        return "backup-code"

    async def _failed(self, user: User, why: str) -> None:
        log.info("second factor refused: %s", why, extra={"user_id": user.id})
        await self.core.events.emit(events.SIGN_IN_FAILED, user=user, method="two-factor", code="INVALID_CREDENTIALS")
        raise AuthFailure(Code.INVALID_CREDENTIALS, WRONG_CODE, "code")

    # -------------------------------------------------------------------------------------------------- setup

    async def enable(self, principal: Principal, password: str) -> Setup:
        """Start the setup: a new secret and backup codes, inactive until `confirm`."""
        user = await self._check_password(principal.user, password)
        secret, codes = totp.new_secret(), backup_codes.generate()
        async with self.core.pool.acquire() as conn, conn.transaction():
            if await rows.lock_user(conn, user.id):
                raise AuthFailure(Code.INVALID_INPUT, "Two-factor authentication is already on.")
            await rows.start_setup(
                conn,
                row_id=new_id(),
                user_id=user.id,
                secret=self.box.seal(secret, self._context("secret", user.id)),
                backup_codes=self.box.seal(
                    backup_codes.dump(backup_codes.digests(codes)), self._context("backupCodes", user.id)
                ),
            )
        log.info("two-factor setup started", extra={"user_id": user.id})
        return Setup(totp.provisioning_uri(secret, user.email, self.issuer), secret, codes)

    async def confirm(self, principal: Principal, code: str, client: Client | None = None) -> User:
        core, user = self.core, principal.user
        await core.limiter.hit([(self.rules["user"], user.id)])
        row = await rows.of_user(core.pool, user.id)
        if row is None or row["verified"]:
            message = "Two-factor authentication is already on." if row else "Start the setup again."
            raise AuthFailure(Code.INVALID_INPUT, message)
        step = totp.match_step(self._open_secret(row) or "", code)
        if step is None:
            raise AuthFailure(Code.INVALID_CREDENTIALS, WRONG_CODE, "code")
        async with core.pool.acquire() as conn, conn.transaction():
            if not await rows.confirm(conn, user.id, row["id"], step):
                raise AuthFailure(Code.INVALID_INPUT, "Start the setup again.")
        log.info("two-factor turned on", extra={"user_id": user.id})
        await core.events.emit("two_factor.enabled", user=user, client=client)
        self._mail(user, TURNED_ON)
        return _with_two_factor(user, True)

    async def disable(self, principal: Principal, password: str, client: Client | None = None) -> User:
        user = await self._check_password(principal.user, password)
        async with self.core.pool.acquire() as conn, conn.transaction():
            await rows.lock_user(conn, user.id)
            removed = await rows.disable(conn, user.id)
            await self.core.verifications.revoke_all(TRUSTED, user.id, db=conn)
            await self.core.verifications.revoke_all(CHALLENGE, user.id, db=conn)
        if removed:
            log.info("two-factor turned off", extra={"user_id": user.id})
            await self.core.events.emit("two_factor.disabled", user=user, client=client)
            if user.two_factor_enabled:
                self._mail(user, TURNED_OFF)
        return _with_two_factor(user, False)

    async def totp_uri(self, principal: Principal, password: str) -> str:
        """The otpauth:// URI of the user's setup again (Better Auth's get-totp-uri), for adding another device."""
        user = await self._check_password(principal.user, password)
        row = await rows.of_user(self.core.pool, user.id)
        if row is None:
            raise AuthFailure(Code.INVALID_INPUT, "Two-factor authentication is off.")
        return totp.provisioning_uri(self._open_secret(row) or "", user.email, self.issuer)

    async def regenerate_backup_codes(self, principal: Principal, password: str) -> list[str]:
        user = await self._check_password(principal.user, password)
        row = await rows.of_user(self.core.pool, user.id)
        if row is None or not row["verified"] or not user.two_factor_enabled:
            raise AuthFailure(Code.INVALID_INPUT, "Two-factor authentication is off.")
        codes = backup_codes.generate()
        sealed = self.box.seal(backup_codes.dump(backup_codes.digests(codes)), self._context("backupCodes", user.id))
        if not await rows.replace_backup_codes(self.core.pool, user.id, row["id"], sealed):
            raise AuthFailure(Code.INVALID_INPUT, "Two-factor authentication is off.")
        log.info("backup codes replaced", extra={"user_id": user.id})
        return codes

    # ---------------------------------------------------------------------------------------------- internals

    async def _check_password(self, user: User, password: str) -> User:
        """The user's password, rate-limited like sign-in; a user without one (magic link only) is told to set
        one first. Returns the user as stored now."""
        core = self.core
        await core.limiter.hit([(self.rules["password"], user.id)])
        stored = await accounts.password_of(core.pool, user.id)
        if stored is None:
            raise AuthFailure(Code.INVALID_INPUT, "Set a password first (use “Forgot your password?”).", "password")
        if (
            len(password) > core.settings.password_max_length * 4
            or not (await core.hashing.verify(stored, password)).ok
        ):
            raise AuthFailure(Code.INVALID_CREDENTIALS, "Password is incorrect.", "password")
        return await core.user(user.id) or user

    def _open_secret(self, row: asyncpg.Record, *, strict: bool = True) -> str | None:
        """The TOTP secret. One that does not open (a key missing from SECRETS_ENCRYPTION_OLD_KEYS, a secret sealed
        by Better Auth) is logged; with `strict=False` the user can still sign in with a backup code."""
        try:
            return self.box.open(row["secret"], self._context("secret", row["userId"]))
        except SecretBoxError as exc:
            log.error("two-factor secret cannot be opened: %s", exc, extra={"user_id": row["userId"]})
            if strict:
                raise
            return None

    def _open_codes(self, row: asyncpg.Record) -> list[str]:
        value = row["backupCodes"]
        try:
            text = (
                self.box.open(value, self._context("backupCodes", row["userId"]))
                if SecretBox.is_sealed(value)
                else value
            )  # Better Auth's plain JSON list
            return backup_codes.load(text)
        except (SecretBoxError, ValueError) as exc:
            log.error("backup codes cannot be read: %s", exc, extra={"user_id": row["userId"]})
            return []

    @staticmethod
    def _context(column: str, user_id: str) -> str:
        return f"twoFactor.{column}:{user_id}"

    def _mail(self, user: User, template: MailTemplate) -> None:
        self.core.mailer.send(
            template.render(user.email, first_name=user.first_name, forgot_link=self.core.link("/forgot-password"))
        )

    async def _forget_devices(self, event: Event) -> None:
        if event.user_id:
            forgotten = await self.core.verifications.revoke_all(TRUSTED, event.user_id)
            if forgotten:
                log.info("trusted devices forgotten after a password change", extra={"user_id": event.user_id})


async def reseal_all(db: Executor, box: SecretBox, batch: int = 200) -> tuple[int, int]:
    """Re-seal every two-factor secret and backup-code list under the current key, so a retired key can leave
    SECRETS_ENCRYPTION_OLD_KEYS (`chatbot-agent reseal-secrets`). Each row changes only while it still holds what
    was read. Returns (rows re-sealed, rows that could not be opened: their key is missing, or Better Auth's)."""
    resealed = unreadable = 0
    after = None
    while rows_ := await rows.sealed_rows(db, after, batch):
        for row in rows_:
            after, user_id = row["id"], row["userId"]
            changed = False
            try:
                for column, value in (("secret", row["secret"]), ("backupCodes", row["backupCodes"])):
                    if not SecretBox.is_sealed(value) or not box.needs_reseal(value):
                        continue
                    context = f"twoFactor.{column}:{user_id}"
                    fresh = box.seal(box.open(value, context), context)
                    if column == "secret":
                        changed |= await rows.replace_secret(db, row["id"], value, fresh)
                    else:
                        changed |= await rows.replace_backup_codes(db, user_id, row["id"], fresh, old=value)
            except SecretBoxError as exc:
                unreadable += 1
                log.error("two-factor row cannot be re-sealed: %s", exc, extra={"user_id": user_id})
                continue
            resealed += changed
    return resealed, unreadable


def _with_two_factor(user: User, on: bool) -> User:
    from dataclasses import replace

    return replace(user, two_factor_enabled=on)
