"""The browser test rig for passkeys, proven on its own before the app uses it: Debian's Chromium with the virtual
WebAuthn authenticator (tests/e2e/webauthn.py), a tiny page on http://localhost that runs the ceremonies through
`@simplewebauthn/browser` (the frontend's own copy), and a tiny Starlette server that checks them with the passkey
method's `ceremony` module (py_webauthn). No database: the point is the browser, the authenticator and the glue.

Also pins what the glue refuses, with real browser-made responses: a wrong challenge, a foreign origin or RP ID, a
replayed or cloned signature counter, user verification required but not done, tampered data."""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from chatbot_agent.auth.methods.passkey import ceremony
from chatbot_agent.auth.methods.passkey.ceremony import CeremonyError, RelyingParty, StoredCredential
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.routing import Route

from ..support import ROOT, free_port
from .webauthn import VirtualAuthenticator

CHROMIUM = Path("/usr/bin/chromium")
BUNDLE = ROOT / "frontend" / "node_modules" / "@simplewebauthn" / "browser" / "dist" / "bundle" / "index.umd.min.js"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>passkey rig</title>
<script src="/simplewebauthn.js"></script></head><body><script>
const { startRegistration, startAuthentication } = SimpleWebAuthnBrowser;
async function post(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}
window.register = async (uv) => {
  const optionsJSON = await post('/register/options', { uv });
  const response = await startRegistration({ optionsJSON });
  return { response, result: await post('/register/verify', { response }) };
};
window.signIn = async (uv, askBrowser) => {
  const optionsJSON = await post('/login/options', { uv });
  if (askBrowser) optionsJSON.userVerification = askBrowser;  // a client that ignores what the server asked
  const response = await startAuthentication({ optionsJSON });
  return { response, result: await post('/login/verify', { response, uv }) };
};
</script></body></html>"""


class Rig:
    """The tiny relying party: one user, passkeys and pending challenges in memory (single use)."""

    def __init__(self, port: int) -> None:
        self.rp = RelyingParty.from_urls(f"http://localhost:{port}", name="Rig")
        self.user_handle = secrets.token_bytes(32)
        self.pending: set[bytes] = set()
        self.passkeys: dict[str, StoredCredential] = {}

    def challenge(self) -> bytes:
        token = secrets.token_bytes(32)
        self.pending.add(token)
        return token

    def spend(self, response) -> bytes:
        challenge = ceremony.challenge_of(response)
        if challenge not in self.pending:
            raise CeremonyError("unknown or spent challenge")
        self.pending.discard(challenge)
        return challenge

    def app(self) -> Starlette:
        async def page(_: Request):
            return HTMLResponse(PAGE)

        async def bundle(_: Request):
            return FileResponse(BUNDLE, media_type="text/javascript")

        async def register_options(request: Request):
            body = await request.json()
            return JSONResponse(
                ceremony.registration_options(
                    self.rp,
                    challenge=self.challenge(),
                    user_handle=self.user_handle,
                    user_name="ada@example.com",
                    user_display_name="Ada Lovelace",
                    exclude=list(self.passkeys.values()),
                    user_verification=body["uv"],
                )
            )

        async def register_verify(request: Request):
            body = await request.json()
            try:
                stored = ceremony.verify_registration(
                    self.rp, body["response"], expected_challenge=self.spend(body["response"])
                )
            except CeremonyError as exc:
                return JSONResponse({"error": exc.reason}, status_code=400)
            self.passkeys[stored.credential_id] = stored
            return JSONResponse(dataclasses.asdict(stored))

        async def login_options(request: Request):
            body = await request.json()
            return JSONResponse(
                ceremony.authentication_options(self.rp, challenge=self.challenge(), user_verification=body["uv"])
            )

        async def login_verify(request: Request):
            body = await request.json()
            try:
                stored = self.passkeys.get(ceremony.credential_id_of(body["response"]))
                if stored is None:
                    raise CeremonyError("unknown credential")
                assertion = ceremony.verify_authentication(
                    self.rp,
                    body["response"],
                    expected_challenge=self.spend(body["response"]),
                    credential=stored,
                    require_user_verification=body["uv"] == "required",
                )
            except CeremonyError as exc:
                return JSONResponse({"error": exc.reason}, status_code=400)
            self.passkeys[stored.credential_id] = dataclasses.replace(stored, counter=assertion.new_counter)
            return JSONResponse(dataclasses.asdict(assertion))

        return Starlette(
            routes=[
                Route("/", page),
                Route("/simplewebauthn.js", bundle),
                Route("/register/options", register_options, methods=["POST"]),
                Route("/register/verify", register_verify, methods=["POST"]),
                Route("/login/options", login_options, methods=["POST"]),
                Route("/login/verify", login_verify, methods=["POST"]),
            ]
        )


@pytest.fixture(scope="module")
def rig():
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)"
    assert BUNDLE.is_file(), f"{BUNDLE} is missing (cd frontend && npm ci)"
    port = free_port()
    rig = Rig(port)
    server = uvicorn.Server(uvicorn.Config(rig.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "rig server did not start"
        time.sleep(0.02)
    rig.port = port
    yield rig
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, rig):
    context = chromium.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def open_rig(page: Page, rig: Rig, host: str = "localhost") -> VirtualAuthenticator:
    authenticator = VirtualAuthenticator.attach(page)
    page.goto(f"http://{host}:{rig.port}/")
    return authenticator


def test_register_then_sign_in_with_a_discoverable_credential(page, rig):
    authenticator = open_rig(page, rig)
    reg = page.evaluate("register('required')")
    stored = reg["result"]
    assert "error" not in stored, stored
    # the browser's credential id is the table's credentialID; the COSE key is standard base64 (Better Auth's encodings)
    assert stored["credential_id"] == reg["response"]["id"] == reg["response"]["rawId"]
    assert "=" not in stored["credential_id"] and "+" not in stored["credential_id"]
    assert base64.b64decode(stored["public_key"], validate=True)[:1] in (b"\xa4", b"\xa5")  # a CBOR map: a COSE key
    assert stored["transports"] == "internal"
    assert stored["device_type"] == "singleDevice" and stored["backed_up"] is False
    [held] = authenticator.credentials()
    assert held.resident and held.rp_id == "localhost" and held.credential_id == stored["credential_id"]
    assert held.user_handle == rig.user_handle

    # a discoverable sign-in: no allowCredentials, the authenticator picks the credential and says who it is
    login = page.evaluate("signIn('required')")
    assert login["result"].get("error") is None, login["result"]
    assert login["result"]["credential_id"] == stored["credential_id"]
    assert login["result"]["user_verified"] is True
    assert login["result"]["new_counter"] > stored["counter"]
    assert base64.urlsafe_b64decode(login["response"]["response"]["userHandle"] + "==") == rig.user_handle
    assert rig.passkeys[stored["credential_id"]].counter == login["result"]["new_counter"]

    # the same authenticator cannot register twice for the same account (excludeCredentials)
    with pytest.raises(PlaywrightError, match=r"InvalidStateError|previously registered"):
        page.evaluate("register('preferred')")
    assert len(authenticator.credentials()) == 1


def test_chromium_refuses_an_ip_address_as_rp_id(page, rig):
    """Why the browser tests serve the app as localhost: on 127.0.0.1 the page is a secure context, but an IP
    address is not a valid RP ID."""
    open_rig(page, rig, host="127.0.0.1")
    assert page.evaluate("window.isSecureContext") is True
    with pytest.raises(PlaywrightError, match="invalid domain"):
        page.evaluate("register('preferred')")


def test_user_verification_required_but_not_performed_is_refused(page, rig):
    authenticator = open_rig(page, rig)
    assert "error" not in page.evaluate("register('preferred')")["result"]
    authenticator.set_user_verified(False)
    # asked to verify, an authenticator that cannot fails in the browser ...
    with pytest.raises(PlaywrightError, match=r"NotAllowedError|not allowed"):
        page.evaluate("signIn('required')")
    # ... and a client that asks it not to verify gets a signature without; a server that requires it refuses
    login = page.evaluate("signIn('required', 'discouraged')")
    assert login["result"] == {"error": login["result"]["error"]}
    assert "user verification" in login["result"]["error"].lower()
    authenticator.set_user_verified(True)
    assert page.evaluate("signIn('required')")["result"]["user_verified"] is True


@pytest.fixture
def made(page, rig):
    """A fresh credential, and one real assertion for it that the server has not seen (with its challenge)."""
    open_rig(page, rig)
    stored = StoredCredential(**page.evaluate("register('required')")["result"])
    challenge = secrets.token_bytes(32)
    options = ceremony.authentication_options(rig.rp, challenge=challenge, user_verification="required")
    response = page.evaluate("(o) => SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: o })", options)
    return stored, challenge, response


def test_glue_accepts_the_real_assertion(made, rig):
    stored, challenge, response = made
    assert ceremony.challenge_of(response) == challenge
    assertion = ceremony.verify_authentication(rig.rp, response, expected_challenge=challenge, credential=stored)
    assert assertion.new_counter > stored.counter and assertion.user_verified


@pytest.mark.parametrize("case", ["challenge", "origin", "rp_id", "replayed_counter", "tampered", "other_key", "junk"])
def test_glue_refuses(made, rig, case):
    stored, challenge, response = made
    rp, expected, credential = rig.rp, challenge, stored
    if case == "challenge":
        expected = secrets.token_bytes(32)
    elif case == "origin":  # a look-alike site proxying the ceremony: the browser signs its own origin
        rp = RelyingParty(id="localhost", name="Rig", origins=("http://localhost:1",))
    elif case == "rp_id":
        rp = RelyingParty(id="example.com", name="Rig", origins=("http://example.com",))
    elif case == "replayed_counter":  # the server already saw this count: a replay or a cloned authenticator
        new = ceremony.verify_authentication(
            rig.rp, response, expected_challenge=challenge, credential=stored
        ).new_counter
        credential = dataclasses.replace(stored, counter=new)
    elif case == "tampered":
        data = bytearray(ceremony.b64url_decode(response["response"]["authenticatorData"]))
        data[-1] ^= 1
        response = {
            **response,
            "response": {**response["response"], "authenticatorData": ceremony.b64url_encode(bytes(data))},
        }
    elif case == "other_key":  # another credential's key under this id
        other = StoredCredential(
            **dataclasses.asdict(stored)
            | {
                "public_key": base64.b64encode(
                    bytes.fromhex("a5010203262001215820")
                    + secrets.token_bytes(32)
                    + bytes.fromhex("225820")
                    + secrets.token_bytes(32)
                ).decode()
            }
        )
        credential = other
    elif case == "junk":
        response = {"id": response["id"], "response": {"clientDataJSON": "%%%", "authenticatorData": 5}}
    with pytest.raises(CeremonyError):
        ceremony.verify_authentication(rp, response, expected_challenge=expected, credential=credential)


def test_glue_encodings():
    assert ceremony.join_transports(["internal", "hybrid", "internal", "smoke-signal", 7]) == "internal,hybrid"
    assert ceremony.join_transports("usb") is None and ceremony.join_transports([]) is None
    assert [t.value for t in ceremony.split_transports("usb,nfc,bogus")] == ["usb", "nfc"]
    assert ceremony.split_transports(None) == []
    for bad in ("", "a+b", "a/b", "a b", None, 5, "!!"):
        with pytest.raises(CeremonyError):
            ceremony.b64url_decode(bad)  # type: ignore[arg-type]
    with pytest.raises(CeremonyError):
        ceremony.challenge_of({"response": {"clientDataJSON": ceremony.b64url_encode(b"[1]")}})
    with pytest.raises(CeremonyError):
        ceremony.challenge_of("not json")
    rp = RelyingParty.from_urls(
        "https://auth.example.com/api", "https://app.example.com:8443/", name="X", rp_id="example.com"
    )
    assert rp.origins == ("https://auth.example.com", "https://app.example.com:8443")
    with pytest.raises(ValueError, match="not on the relying party"):
        RelyingParty.from_urls("https://auth.example.com", name="X", rp_id="example.com", origins=["https://evil.test"])
    # by default an origin on another site is left out (it could not use these passkeys anyway)
    assert RelyingParty.from_urls("https://auth.example.com", "https://app.other.test", name="X").origins == (
        "https://auth.example.com",
    )
    options = ceremony.registration_options(
        rp,
        challenge=b"c" * 32,
        user_handle=b"u" * 32,
        user_name="a@example.com",
        user_display_name="A",
        exclude=[StoredCredential("AAEC", "", 0, "singleDevice", False, "usb,nfc", None)],
    )
    assert options["rp"] == {"name": "X", "id": "example.com"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["excludeCredentials"] == [{"id": "AAEC", "type": "public-key", "transports": ["usb", "nfc"]}]
    assert options["attestation"] == "none" and options["challenge"] == ceremony.b64url_encode(b"c" * 32)
    assert json.dumps(options)  # plain JSON for the browser
