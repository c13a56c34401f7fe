"""Passkeys (WebAuthn, py_webauthn): register from a signed-in session, list, rename, delete; sign in with a
discoverable credential. No GraphQL, HTTP or SQL here (SQL: db/passkeys.py; WebAuthn checks: ceremony.py).

Challenges live in the core's verification store: the challenge the browser signs *is* a verification token
(`passkey-register:` bound to the user, `passkey-sign-in:` to no one), so it is kept only as a hash, works once,
only for its ceremony, and for 5 minutes. The server finds the pending ceremony by reading the challenge back out of
the client data the authenticator signed, then checks everything else (origin, RP ID, signature, counter).

A passkey is multi-factor by itself when the authenticator verified the user (PIN, biometric): such a sign-in tells
the core `second_factor_done`, so the TOTP gate lets it through. Without user verification (a bare security key,
allowed while PASSKEY_USER_VERIFICATION=preferred) it is one factor, and a user with TOTP is asked for a code."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from ....config import ConfigError, Settings
from ....db import passkeys as rows
from ...core import events
from ...core.core import Core
from ...core.errors import AuthFailure, Code
from ...core.events import Event
from ...core.ids import new_id
from ...core.ratelimit import Rule
from ...core.records import Client, Principal, SignInOutcome
from ...core.templates import MailTemplate
from . import ceremony
from .ceremony import CeremonyError, RelyingParty, StoredCredential

log = logging.getLogger(__name__)

REGISTER = "passkey-register"  # verification kinds
SIGN_IN = "passkey-sign-in"
CHALLENGE_TTL_SECONDS = 5 * 60
NAME_MAX = 64

PASSKEY_ADDED = "passkey.added"
PASSKEY_RENAMED = "passkey.renamed"
PASSKEY_REMOVED = "passkey.removed"

EXPIRED = "This passkey request has expired or was already used. Please try again."
NOT_VERIFIED = "We couldn’t verify this passkey. Please try again."
SIGN_IN_FAILED = "We couldn’t sign you in with this passkey."
UNKNOWN_PASSKEY = "No passkey with this id on your account."


ADDED_MAIL = MailTemplate(
    subject="A passkey was added to your account",
    paragraphs=("A passkey named “{name}” was just added to your account. It can sign in without your password.",),
    action="Review your passkeys",
    after=("If this was not you, delete it on your account page and change your password.",),
)
REMOVED_MAIL = MailTemplate(
    subject="A passkey was removed from your account",
    paragraphs=("The passkey named “{name}” was just removed from your account; it no longer signs in.",),
    action="Review your passkeys",
    after=("If this was not you, change your password and review where you are signed in.",),
)


@dataclass(frozen=True)
class Passkey:
    """A registered passkey: what the account page shows, and Better Auth's passkey object over REST (its public
    key is public; the private key never leaves the authenticator)."""

    id: str
    user_id: str
    name: str | None
    credential_id: str
    public_key: str
    counter: int
    device_type: str  # singleDevice | multiDevice (synced, e.g. by a password manager)
    backed_up: bool
    transports: tuple[str, ...]
    aaguid: str | None
    created_at: datetime | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> Passkey:
        return cls(
            row["id"],
            row["userId"],
            row["name"],
            row["credentialID"],
            row["publicKey"],
            row["counter"],
            row["deviceType"],
            row["backedUp"],
            tuple(t for t in (row["transports"] or "").split(",") if t),
            row["aaguid"],
            row["createdAt"],
        )


def relying_party(settings: Settings) -> RelyingParty:
    """RP ID and origins from PUBLIC_URL (and FRONTEND_URL, where the pages run), unless set explicitly."""
    try:
        return RelyingParty.from_urls(
            settings.public_url,
            settings.frontend_url,
            name=settings.passkey_rp_name,
            rp_id=settings.passkey_rp_id,
            origins=[ceremony.origin_of(o) for o in settings.passkey_origins],
        )
    except ValueError as exc:
        raise ConfigError(f"PASSKEY_RP_ID / PASSKEY_ORIGINS: {exc}") from None


def clean_passkey_name(value: str | None) -> str | None:
    if value is None:
        return None
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        return None
    if len(name) > NAME_MAX:
        raise AuthFailure(Code.INVALID_INPUT, f"Use at most {NAME_MAX} characters.", "name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise AuthFailure(Code.INVALID_INPUT, "The name contains characters that are not allowed.", "name")
    return name


class PasskeyService:
    def __init__(self, core: Core) -> None:
        self.core = core
        s = core.settings
        self.rp = relying_party(s)
        self.user_verification: ceremony.UserVerification = (
            "required" if s.passkey_user_verification == "required" else "preferred"
        )
        self.rules = {
            "options": Rule("passkeyOptions", "ip", s.rate_limit_passkey_ip),
            "sign_in": Rule("passkeySignIn", "ip", s.rate_limit_passkey_ip),
        }
        core.events.on(PASSKEY_ADDED, self._notify_owner)
        core.events.on(PASSKEY_REMOVED, self._notify_owner)
        if self.rp.id.replace(".", "").isdigit() or ":" in self.rp.id:
            log.warning(
                "passkeys: the RP ID %r is an IP address, which browsers refuse; serve the app on a host "
                "name (http://localhost:PORT in development) or set PASSKEY_RP_ID",
                self.rp.id,
            )

    @property
    def require_user_verification(self) -> bool:
        return self.user_verification == "required"

    # ----------------------------------------------------------------------------------------------- register

    async def registration_options(
        self,
        principal: Principal,
        client: Client,
        *,
        attachment: ceremony.Attachment | None = None,
        user_name: str | None = None,
    ) -> dict[str, Any]:
        """Options for `navigator.credentials.create()`; the challenge works once, for this user, 5 minutes."""
        core, user = self.core, principal.user
        await core.limiter.hit([(self.rules["options"], client.ip)])
        existing = await rows.of_user(core.pool, user.id)
        token = await core.verifications.create(REGISTER, user.id, CHALLENGE_TTL_SECONDS)
        return ceremony.registration_options(
            self.rp,
            challenge=token.encode(),
            user_handle=user.id.encode(),
            user_name=(user_name or "").strip()[:NAME_MAX] or user.email,
            user_display_name=user.name or user.email,
            exclude=[_stored(r) for r in existing],
            user_verification=self.user_verification,
            attachment=attachment,
        )

    async def register(self, principal: Principal, response: Any, name: str | None, client: Client) -> Passkey:
        core, user = self.core, principal.user
        name = clean_passkey_name(name)
        challenge = await self._spend_challenge(REGISTER, response)
        if challenge is None or challenge[1] != user.id:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, EXPIRED, "response")
        try:
            stored = ceremony.verify_registration(
                self.rp,
                response,
                expected_challenge=challenge[0],
                require_user_verification=self.require_user_verification,
            )
        except CeremonyError as exc:
            log.info("passkey registration refused: %s", exc.reason, extra={"user_id": user.id})
            raise AuthFailure(Code.INVALID_INPUT, NOT_VERIFIED, "response") from None
        row = await rows.insert(
            core.pool,
            passkey_id=new_id(),
            user_id=user.id,
            name=name,
            public_key=stored.public_key,
            credential_id=stored.credential_id,
            counter=stored.counter,
            device_type=stored.device_type,
            backed_up=stored.backed_up,
            transports=stored.transports,
            aaguid=stored.aaguid,
        )
        if row is None:
            raise AuthFailure(Code.INVALID_INPUT, "This passkey is already registered.", "response")
        passkey = Passkey.of(row)
        log.info("passkey added", extra={"user_id": user.id})
        await core.events.emit(
            PASSKEY_ADDED, user=user, client=client, passkey_id=passkey.id, passkey_name=passkey.name
        )
        return passkey

    # ------------------------------------------------------------------------------------------------ manage

    async def list(self, principal: Principal) -> list[Passkey]:
        return [Passkey.of(r) for r in await rows.of_user(self.core.pool, principal.user.id)]

    async def rename(self, principal: Principal, passkey_id: str, name: str, client: Client) -> Passkey:
        cleaned = clean_passkey_name(name)
        if cleaned is None:
            raise AuthFailure(Code.INVALID_INPUT, "Enter a name for the passkey.", "name")
        row = await rows.rename(self.core.pool, principal.user.id, _plausible_id(passkey_id), cleaned)
        if row is None:
            raise AuthFailure(Code.INVALID_INPUT, UNKNOWN_PASSKEY, "id")
        await self.core.events.emit(PASSKEY_RENAMED, user=principal.user, client=client, passkey_id=row["id"])
        return Passkey.of(row)

    async def delete(self, principal: Principal, passkey_id: str, client: Client) -> None:
        row = await rows.delete(self.core.pool, principal.user.id, _plausible_id(passkey_id))
        if row is None:
            raise AuthFailure(Code.INVALID_INPUT, UNKNOWN_PASSKEY, "id")
        log.info("passkey removed", extra={"user_id": principal.user.id})
        await self.core.events.emit(
            PASSKEY_REMOVED, user=principal.user, client=client, passkey_id=passkey_id, passkey_name=row["name"]
        )

    # ---------------------------------------------------------------------------------------------- sign in

    async def sign_in_options(self, client: Client, principal: Principal | None = None) -> dict[str, Any]:
        """Options for `navigator.credentials.get()` with no allowed list: the browser offers the passkeys it holds
        for this site, and the one the user picks says who they are. A signed-in caller (re-authenticating, as
        Better Auth's client may) gets their own passkeys as the allowed list."""
        await self.core.limiter.hit([(self.rules["options"], client.ip)])
        allow = [] if principal is None else [_stored(r) for r in await rows.of_user(self.core.pool, principal.user.id)]
        token = await self.core.verifications.create(SIGN_IN, "", CHALLENGE_TTL_SECONDS)
        return ceremony.authentication_options(
            self.rp, challenge=token.encode(), allow=allow, user_verification=self.user_verification
        )

    async def sign_in(
        self, response: Any, client: Client, *, replaces: str | None = None, cookies: Mapping[str, str] | None = None
    ) -> SignInOutcome:
        core = self.core
        await core.limiter.hit([(self.rules["sign_in"], client.ip)])
        challenge = await self._spend_challenge(SIGN_IN, response)
        if challenge is None:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, EXPIRED, "response")
        row = None
        try:
            row = await rows.by_credential_id(core.pool, ceremony.credential_id_of(response))
            if row is None:
                raise CeremonyError("no passkey has this credential id")
            assertion = ceremony.verify_authentication(
                self.rp,
                response,
                expected_challenge=challenge[0],
                credential=_stored(row),
                require_user_verification=self.require_user_verification,
            )
            if not await rows.advance_counter(
                core.pool, row["id"], row["counter"], assertion.new_counter, backed_up=assertion.backed_up
            ):
                raise CeremonyError("the signature counter moved meanwhile (a concurrent use of one signature)")
        except CeremonyError as exc:
            user_id = row["userId"] if row is not None else None
            log.info("passkey sign-in refused: %s", exc.reason, extra={"user_id": user_id})
            await core.events.emit(
                events.SIGN_IN_FAILED, user_id=user_id, client=client, method="passkey", code="INVALID_CREDENTIALS"
            )
            raise AuthFailure(Code.INVALID_CREDENTIALS, SIGN_IN_FAILED) from None
        user = await core.user(row["userId"])
        if user is None:  # deleted in the meantime (the row cascades away with the user)
            raise AuthFailure(Code.INVALID_CREDENTIALS, SIGN_IN_FAILED)
        return await core.sign_in(
            user,
            client,
            method="passkey",
            replaces=replaces,
            second_factor_done=assertion.user_verified,
            cookies=cookies,
        )

    # --------------------------------------------------------------------------------------------- internals

    async def _notify_owner(self, event: Event) -> None:
        """A new way into the account, or one fewer: the owner hears of it at once (ASVS 2.5.x)."""
        if event.user is None:
            return
        template = ADDED_MAIL if event.name == PASSKEY_ADDED else REMOVED_MAIL
        self.core.mailer.send(
            template.render(
                event.user.email,
                first_name=event.user.first_name,
                name=event.data.get("passkey_name") or "Passkey",
                link=self.core.link("/account"),
            )
        )

    async def _spend_challenge(self, kind: str, response: Any) -> tuple[bytes, str] | None:
        """(challenge, subject) of the pending ceremony the response answers, spent; None when there is none."""
        try:
            challenge = ceremony.challenge_of(response)
            token = challenge.decode("ascii")
        except (CeremonyError, UnicodeDecodeError):
            raise AuthFailure(Code.INVALID_INPUT, NOT_VERIFIED, "response") from None
        found = await self.core.verifications.consume(kind, token)
        return None if found is None else (challenge, found.subject)


def _stored(row: asyncpg.Record) -> StoredCredential:
    return StoredCredential(
        row["credentialID"],
        row["publicKey"],
        row["counter"],
        row["deviceType"],
        row["backedUp"],
        row["transports"],
        row["aaguid"],
    )


def _plausible_id(value: str) -> str:
    return value if 0 < len(value) <= 256 and "\x00" not in value else ""
