"""WebAuthn ceremonies on py_webauthn (`webauthn`), with no database, HTTP or GraphQL: the options a browser needs,
the checks on what it sends back, and the encodings of Better Auth's `passkey` table (@better-auth/passkey 1.7):

- `credentialID`: the credential id in base64url without padding (what the browser calls `credential.id`);
- `publicKey`: the COSE public key in standard base64 (Better Auth's `base64.encode`);
- `counter`: the authenticator's signature counter; `deviceType`: `singleDevice` | `multiDevice`; `backedUp`;
- `transports`: the browser's `getTransports()` joined with commas; `aaguid`: the authenticator model's UUID.

A challenge is opaque bytes chosen by the caller (the service uses a verification token, so the pending challenge is
found, expired and spent through the core's verification store); `challenge_of(response)` reads it back out of the
signed client data, before anything is trusted, to find the pending ceremony."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json_dict
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

UserVerification = Literal["preferred", "required"]
Attachment = Literal["platform", "cross-platform"]

#: Ed25519, P-256 and RSA (Windows Hello): what authenticators in the wild sign with.
ALGORITHMS = [
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
TIMEOUT_MS = 5 * 60 * 1000  # the browser's hint; the server's challenge lives as long
MAX_CREDENTIAL_ID_LENGTH = 1023  # bytes, WebAuthn level 3
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_TRANSPORTS = {t.value for t in AuthenticatorTransport}
#: py_webauthn says single_device/multi_device; SimpleWebAuthn, and so Better Auth's table, singleDevice/multiDevice
_DEVICE_TYPES = {CredentialDeviceType.SINGLE_DEVICE: "singleDevice", CredentialDeviceType.MULTI_DEVICE: "multiDevice"}


class CeremonyError(Exception):
    """The browser's answer does not verify. `reason` is for the server log only: it can name the origin or the
    challenge the client sent, so it never reaches a client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RelyingParty:
    """Who the credentials are for. `id` is a registrable domain (never an IP address: Chromium refuses them);
    `origins` are the exact origins (`scheme://host[:port]`) pages may run the ceremonies from."""

    id: str
    name: str
    origins: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.id or "/" in self.id or ":" in self.id:
            raise ValueError(f"relying party id {self.id!r} is not a host name")
        if not self.origins:
            raise ValueError("no origin to run passkey ceremonies from")
        for origin in self.origins:
            if not _on(self.id, origin):
                raise ValueError(f"origin {origin!r} is not on the relying party id {self.id!r} or a subdomain of it")

    @classmethod
    def from_urls(cls, *urls: str, name: str, rp_id: str | None = None, origins: Iterable[str] = ()) -> RelyingParty:
        """The RP ID is the first URL's host unless given. The origins are those given (each must be on the RP ID),
        else those of the URLs that are on the RP ID (a web app on another site could not use these passkeys)."""
        rp = rp_id or (urlsplit(urls[0]).hostname or "")
        chosen = tuple(dict.fromkeys(origins))
        if not chosen:
            chosen = tuple(o for o in dict.fromkeys(origin_of(u) for u in urls) if _on(rp, o))
        return cls(id=rp, name=name, origins=chosen)


def _on(rp_id: str, origin: str) -> bool:
    host = urlsplit(origin).hostname or ""
    return host == rp_id or host.endswith("." + rp_id)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


@dataclass(frozen=True)
class StoredCredential:
    """A row of the `passkey` table, in its encodings (see the module's docstring)."""

    credential_id: str
    public_key: str
    counter: int
    device_type: str
    backed_up: bool
    transports: str | None
    aaguid: str | None


@dataclass(frozen=True)
class Assertion:
    """A verified sign-in: the counter to store and whether the authenticator verified the user (PIN, biometric)."""

    credential_id: str
    new_counter: int
    user_verified: bool
    device_type: str
    backed_up: bool


# --- encodings -------------------------------------------------------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    return bytes_to_base64url(data)


def str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def b64url_decode(text: str | None) -> bytes:
    """Strict base64url (padding optional); `CeremonyError` for anything else (None included)."""
    if not isinstance(text, str) or len(text) > 16384 or not _B64URL.fullmatch(text):
        raise CeremonyError("not base64url")
    try:
        return base64url_to_bytes(text)
    except (binascii.Error, ValueError) as exc:
        raise CeremonyError("not base64url") from exc


def encode_public_key(cose_key: bytes) -> str:
    return base64.b64encode(cose_key).decode("ascii")


def decode_public_key(stored: str) -> bytes:
    return base64.b64decode(stored, validate=True)


def join_transports(transports: Iterable[Any] | None) -> str | None:
    """The browser's transports as Better Auth stores them; unknown or repeated values are dropped."""
    if not isinstance(transports, (list, tuple)):
        return None
    kept = [t for t in dict.fromkeys(transports) if isinstance(t, str) and t in _TRANSPORTS]
    return ",".join(kept) or None


def split_transports(stored: str | None) -> list[AuthenticatorTransport]:
    return [AuthenticatorTransport(t) for t in (stored or "").split(",") if t in _TRANSPORTS]


def _descriptors(credentials: Iterable[StoredCredential]) -> list[PublicKeyCredentialDescriptor]:
    out = []
    for c in credentials:
        try:
            credential_id = b64url_decode(c.credential_id)
        except CeremonyError:
            continue  # a row another tool wrote oddly: leave it out rather than fail the ceremony
        out.append(PublicKeyCredentialDescriptor(id=credential_id, transports=split_transports(c.transports)))
    return out


# --- options ---------------------------------------------------------------------------------------------------------


def registration_options(
    rp: RelyingParty,
    *,
    challenge: bytes,
    user_handle: bytes,
    user_name: str,
    user_display_name: str,
    exclude: Sequence[StoredCredential] = (),
    user_verification: UserVerification = "preferred",
    attachment: Attachment | None = None,
) -> dict[str, Any]:
    """`PublicKeyCredentialCreationOptionsJSON` for a discoverable credential (resident key required, so the
    passkey can later sign in without a user name); `exclude` keeps an authenticator from registering twice;
    `attachment` asks for this device's own authenticator (platform) or a roaming one (a security key, a phone)."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=user_display_name,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement(user_verification),
            authenticator_attachment=AuthenticatorAttachment(attachment) if attachment else None,
        ),
        exclude_credentials=_descriptors(exclude),
        supported_pub_key_algs=ALGORITHMS,
    )
    return options_to_json_dict(options)


def authentication_options(
    rp: RelyingParty,
    *,
    challenge: bytes,
    allow: Sequence[StoredCredential] = (),
    user_verification: UserVerification = "preferred",
) -> dict[str, Any]:
    """`PublicKeyCredentialRequestOptionsJSON`; with no `allow` the browser offers every discoverable credential
    it has for the RP (sign-in without a user name)."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(allow) or None,
        user_verification=UserVerificationRequirement(user_verification),
    )
    return options_to_json_dict(options)


# --- responses -------------------------------------------------------------------------------------------------------


def _as_mapping(response: Any) -> Mapping[str, Any]:
    if isinstance(response, str):
        try:
            response = json.loads(response)
        except ValueError as exc:
            raise CeremonyError("response is not JSON") from exc
    if not isinstance(response, Mapping) or not isinstance(response.get("response"), Mapping):
        raise CeremonyError("response is not a PublicKeyCredential JSON object")
    return response


def challenge_of(response: Any) -> bytes:
    """The challenge the browser signed over (from `clientDataJSON`), unverified: only to find the pending
    ceremony. `CeremonyError` when there is none."""
    data = _as_mapping(response)
    client_data_json = data["response"].get("clientDataJSON")
    try:
        client_data = json.loads(b64url_decode(str_or_none(client_data_json)))
    except (ValueError, TypeError) as exc:
        raise CeremonyError("clientDataJSON is not JSON") from exc
    challenge = client_data.get("challenge") if isinstance(client_data, dict) else None
    return b64url_decode(str_or_none(challenge))


def credential_id_of(response: Any) -> str:
    """The credential id the browser claims, normalised to unpadded base64url (the table's encoding)."""
    data = _as_mapping(response)
    raw = b64url_decode(str_or_none(data.get("id")))
    if len(raw) > MAX_CREDENTIAL_ID_LENGTH:
        raise CeremonyError("credential id too long")
    return b64url_encode(raw)


def verify_registration(
    rp: RelyingParty,
    response: Any,
    *,
    expected_challenge: bytes,
    require_user_verification: bool = False,
) -> StoredCredential:
    """Checks type, challenge, origin, RP ID hash, user presence (and verification when required), the algorithm and
    the attestation (`none` is what is asked for). Returns the row to store."""
    data = _as_mapping(response)
    try:
        verified = verify_registration_response(
            credential=dict(data),
            expected_challenge=expected_challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            require_user_verification=require_user_verification,
            supported_pub_key_algs=ALGORITHMS,
        )
    except WebAuthnException as exc:
        raise CeremonyError(f"registration: {exc}") from exc
    except Exception as exc:  # malformed input can fail deep in CBOR or key parsing
        raise CeremonyError(f"registration: malformed response ({type(exc).__name__})") from exc
    if len(verified.credential_id) > MAX_CREDENTIAL_ID_LENGTH:
        raise CeremonyError("credential id too long")
    return StoredCredential(
        credential_id=b64url_encode(verified.credential_id),
        public_key=encode_public_key(verified.credential_public_key),
        counter=verified.sign_count,
        device_type=_DEVICE_TYPES[verified.credential_device_type],
        backed_up=verified.credential_backed_up,
        transports=join_transports(data["response"].get("transports")),
        aaguid=verified.aaguid or None,
    )


def verify_authentication(
    rp: RelyingParty,
    response: Any,
    *,
    expected_challenge: bytes,
    credential: StoredCredential,
    require_user_verification: bool = False,
) -> Assertion:
    """Checks the signature with the stored public key, challenge, origin, RP ID hash, user presence (and
    verification when required) and the signature counter: when either side counts, the new count must be greater
    than the stored one (a lower or equal count means a cloned authenticator or a replay)."""
    data = _as_mapping(response)
    if credential_id_of(data) != credential.credential_id:
        raise CeremonyError("credential id does not match the stored credential")
    try:
        public_key = decode_public_key(credential.public_key)
    except (binascii.Error, ValueError) as exc:
        raise CeremonyError("stored public key is not base64") from exc
    try:
        verified = verify_authentication_response(
            credential=dict(data),
            expected_challenge=expected_challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=public_key,
            credential_current_sign_count=credential.counter,
            require_user_verification=require_user_verification,
        )
    except WebAuthnException as exc:
        raise CeremonyError(f"authentication: {exc}") from exc
    except Exception as exc:
        raise CeremonyError(f"authentication: malformed response ({type(exc).__name__})") from exc
    return Assertion(
        credential_id=credential.credential_id,
        new_counter=verified.new_sign_count,
        user_verified=verified.user_verified,
        device_type=_DEVICE_TYPES[verified.credential_device_type],
        backed_up=verified.credential_backed_up,
    )
