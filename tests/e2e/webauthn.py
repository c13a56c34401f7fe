"""Chromium's virtual WebAuthn authenticator, over CDP, for Playwright pages.

`VirtualAuthenticator.attach(page)` enables the WebAuthn domain on the page's target and adds a CTAP2 platform
authenticator (transport `internal`) that keeps resident (discoverable) keys and verifies the user (as a fingerprint
reader would) without any prompt. It lives as long as the page's target; the credentials it holds can be listed,
and user verification or presence can be switched off to test what the server does then.

WebAuthn needs a secure context whose host is a valid domain: `http://localhost:PORT` works, while
`http://127.0.0.1:PORT` is a secure context but Chromium refuses an IP address as RP ID ("This is an invalid
domain"), so browser tests serve the app as `localhost`."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import CDPSession, Page


@dataclass
class VirtualCredential:
    credential_id: str  # base64url without padding, as the browser and the `passkey` table spell it
    rp_id: str
    resident: bool
    user_handle: bytes | None
    sign_count: int


class VirtualAuthenticator:
    def __init__(self, cdp: CDPSession, authenticator_id: str) -> None:
        self.cdp = cdp
        self.id = authenticator_id

    @classmethod
    def attach(
        cls,
        page: Page,
        *,
        protocol: str = "ctap2",
        transport: str = "internal",
        has_resident_key: bool = True,
        has_user_verification: bool = True,
        is_user_verified: bool = True,
    ) -> VirtualAuthenticator:
        cdp = page.context.new_cdp_session(page)
        cdp.send("WebAuthn.enable", {"enableUI": False})
        options = {
            "protocol": protocol,
            "transport": transport,
            "hasResidentKey": has_resident_key,
            "hasUserVerification": has_user_verification,
            "isUserVerified": is_user_verified,
            "automaticPresenceSimulation": True,
        }
        if protocol == "ctap2":
            options["ctap2Version"] = "ctap2_1"
        result = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
        return cls(cdp, result["authenticatorId"])

    def credentials(self) -> list[VirtualCredential]:
        raw: list[dict[str, Any]] = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})[
            "credentials"
        ]
        return [
            VirtualCredential(
                credential_id=base64.urlsafe_b64encode(base64.b64decode(c["credentialId"])).decode().rstrip("="),
                rp_id=c.get("rpId", ""),
                resident=c["isResidentCredential"],
                user_handle=base64.b64decode(c["userHandle"]) if c.get("userHandle") else None,
                sign_count=c["signCount"],
            )
            for c in raw
        ]

    def set_user_verified(self, verified: bool) -> None:
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})

    def set_presence(self, enabled: bool) -> None:
        """With presence simulation off, a ceremony waits for a touch that never comes (until its timeout)."""
        self.cdp.send("WebAuthn.setAutomaticPresenceSimulation", {"authenticatorId": self.id, "enabled": enabled})

    def clear(self) -> None:
        self.cdp.send("WebAuthn.clearCredentials", {"authenticatorId": self.id})

    def remove(self) -> None:
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.id})
