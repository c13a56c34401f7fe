"""A differential runner: the same sequence of requests to the real Better Auth and to our server, compared.

Each `Step` is one request, made by one of the scenario's clients (a "browser" with its own cookie jar and bearer
token, kept separately for each server). Both answers are reduced to an `observe`d form that keeps what a client
depends on and drops what differs by nature (ids, tokens, times):

- the status code and the media type;
- the JSON *shape*: every key and the type of its value (`string`, `datetime` for JavaScript's `toISOString()`
  form, `number`, `null`, …), list lengths, and the exact value of booleans and of the error `code`;
- every cookie set: name, whether the value is empty or signed like Better Auth's (`<token>.<base64 HMAC>`), and
  each attribute (Max-Age, Path, HttpOnly, SameSite, Secure, Domain, Expires);
- `set-auth-token` (present and signed), `Location` (with the server's base URL and token values masked), and the
  `cache-control` (where Better Auth sends one: we send `no-store` on every answer) and
  `access-control-expose-headers` headers.

`run` returns, per step, the differences as `"<what>: <better-auth> ≠ <ours>"` strings; the test compares them with
its explicit list of deliberate differences, so an undeclared difference fails and so does a declared one that is gone.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import httpx

from .better_auth_reference import APP_ORIGIN

EVIL_ORIGIN = "http://evil.example"
ISO_JS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SIGNED = re.compile(r"^[^.\s]+\.[A-Za-z0-9+/]{43}=$")  # <token>.<base64 HMAC-SHA256>
TOKEN_PARAMS = {"token"}


# ------------------------------------------------------------------------------------------------------ targets


@dataclass
class Jar:
    cookies: dict[str, str] = field(default_factory=dict)
    bearer: str | None = None
    token: str | None = None  # the raw session token of the last `token` field answered to this client


@dataclass
class Target:
    """One server: an HTTP client to its root and a way to read the links it mailed."""

    name: str
    http: httpx.AsyncClient
    mail_link: Callable[[str, str, int], Awaitable[str]]  # (kind, address, n-th mail) -> link
    jars: dict[str, Jar] = field(default_factory=dict)
    saved: dict[str, Any] = field(default_factory=dict)
    mails: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return str(self.http.base_url).rstrip("/")

    def jar(self, client: str) -> Jar:
        return self.jars.setdefault(client, Jar())


@dataclass
class Ctx:
    """What a step's callables see: this target's saved values and the scenario's addresses."""

    target: Target
    emails: dict[str, str]

    def email(self, who: str) -> str:
        return self.emails[who]

    def __getitem__(self, key: str) -> Any:
        return self.target.saved[key]

    def jar(self, client: str) -> Jar:
        return self.target.jar(client)


Value = Any | Callable[[Ctx], Any]


@dataclass
class Step:
    name: str
    method: str
    path: Value
    json: Value = None
    client: str | None = "alice"  # whose jar: cookies/bearer go along and Set-Cookie/set-auth-token are kept
    auth: str = "cookie"  # "cookie", "bearer" (the set-auth-token), "token" (the raw session token), "none"
    origin: str | None = APP_ORIGIN
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None  # a raw body instead of `json`
    status: int | None = None  # what both must answer: a check of the scenario itself
    save: Callable[[Ctx, httpx.Response], None] | None = None


@dataclass
class Mail:
    """Read the next mail of `kind` to `who` and keep its link as `saved[key]`."""

    name: str
    kind: str
    who: str
    key: str


def _value(value: Value, ctx: Ctx) -> Any:
    return value(ctx) if callable(value) else value


async def send(step: Step, target: Target, emails: dict[str, str]) -> httpx.Response:
    ctx = Ctx(target, emails)
    headers = dict(step.headers)
    if step.origin:
        headers["origin"] = step.origin
    jar = target.jar(step.client) if step.client else None
    if jar and step.auth == "cookie" and jar.cookies:
        headers["cookie"] = "; ".join(f"{k}={v}" for k, v in jar.cookies.items())
    elif jar and step.auth == "bearer" and jar.bearer:
        headers["authorization"] = f"Bearer {jar.bearer}"
    elif jar and step.auth == "token" and jar.token:
        headers["authorization"] = f"Bearer {jar.token}"
    path = _value(step.path, ctx)
    if path.startswith("http"):  # a mailed link: the same path on this target
        parts = urlsplit(path)
        path = urlunsplit(("", "", parts.path, parts.query, ""))
    kwargs: dict[str, Any] = {"headers": headers}
    if step.content is not None:
        kwargs["content"] = step.content
    elif step.json is not None:
        kwargs["json"] = _value(step.json, ctx)
    response = await target.http.request(step.method, path, **kwargs)
    if jar:
        keep(jar, response)
    if step.save:
        step.save(ctx, response)
    return response


def keep(jar: Jar, response: httpx.Response) -> None:
    for name, attrs in set_cookies(response).items():
        if attrs["raw"] == "" or attrs.get("max-age") == "0":
            jar.cookies.pop(name, None)
        else:
            jar.cookies[name] = attrs["raw"]
    if response.headers.get("set-auth-token"):
        jar.bearer = response.headers["set-auth-token"]
    if "json" in response.headers.get("content-type", "") and response.content:
        with_token = response.json()
        if isinstance(with_token, dict) and isinstance(with_token.get("token"), str):
            jar.token = with_token["token"]


# ------------------------------------------------------------------------------------------------------ observing


def set_cookies(response: httpx.Response) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for header in response.headers.get_list("set-cookie"):
        pair, *attrs = header.split(";")
        name, _, value = pair.strip().partition("=")
        entry: dict[str, Any] = {"raw": value}
        for attr in attrs:
            key, eq, val = attr.strip().partition("=")
            entry[key.lower()] = val if eq else True
        found[name] = entry
    return found


def shape(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        out[path] = "object"
        for key, item in value.items():
            shape(item, f"{path}.{key}", out)
    elif isinstance(value, list):
        out[f"{path}[#]"] = len(value)
        for item in value:
            shape(item, f"{path}[]", out)
    elif isinstance(value, bool):
        out[path] = value
    elif isinstance(value, (int, float)):
        out[path] = "number"
    elif value is None:
        out[path] = "null"
    elif path.endswith(".code"):
        out[path] = value
    else:
        out[path] = "datetime" if ISO_JS.match(value) else "string"


def mask_url(url: str, base: str) -> str:
    if url.startswith(base):
        url = "<base>" + url[len(base) :]
    parts = urlsplit(url)
    query = "&".join(f"{k}=<token>" if k in TOKEN_PARAMS else urlencode({k: v}) for k, v in parse_qsl(parts.query))
    return urlunsplit(parts._replace(query=query))


def observe(response: httpx.Response, base: str) -> dict[str, Any]:
    obs: dict[str, Any] = {"status": response.status_code}
    media = response.headers.get("content-type", "").split(";")[0].strip() or None
    obs["content-type"] = media
    if media == "application/json" and response.content:
        shape(response.json(), "body", obs)
    for name, attrs in set_cookies(response).items():
        raw = unquote(attrs.pop("raw"))
        obs[f"cookie {name}"] = "empty" if raw == "" else "signed" if SIGNED.match(raw) else "other"
        for key, val in attrs.items():
            obs[f"cookie {name} {key}"] = True if key == "expires" else val
    token = response.headers.get("set-auth-token")
    if token is not None:
        obs["set-auth-token"] = "signed" if SIGNED.match(token) else "other"
    location = response.headers.get("location")
    if location is not None:
        obs["location"] = mask_url(location, base)
    for header in ("cache-control", "access-control-expose-headers"):
        if header in response.headers:
            obs[header] = response.headers[header].lower()
    return obs


def compare(theirs: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """The differences, one per observed item. Whole parts that differ are one line each: the answer when the statuses
    differ, the body when its top-level type does (an object against null), a cookie that only one side sets."""
    if theirs["status"] != ours["status"]:
        return [
            f"answer: {theirs['status']} {theirs.get('body.code', '')} ≠ {ours['status']} {ours.get('body.code', '')}"
        ]
    diffs: list[str] = []
    skip: list[str] = []  # prefixes of keys already reported as part of a whole
    if theirs.get("body") != ours.get("body"):
        diffs.append(f"body: {theirs.get('body', '<absent>')} ≠ {ours.get('body', '<absent>')}")
        skip += ["body.", "body["]
    for key in sorted(set(theirs) | set(ours)):
        if key.startswith("cookie ") and key.count(" ") == 1 and (key in theirs) != (key in ours):
            diffs.append(f"{key}: {theirs.get(key, '<absent>')} ≠ {ours.get(key, '<absent>')}")
            skip.append(key + " ")
    for key in sorted(set(theirs) | set(ours)):
        a, b = theirs.get(key, "<absent>"), ours.get(key, "<absent>")
        if a == b or key == "body" or key.startswith(tuple(skip)) or any(d.startswith(key + ":") for d in diffs):
            continue
        if key == "cache-control" and a == "<absent>":
            continue  # we answer every auth request with `no-store`; Better Auth does so on get-session only
        diffs.append(f"{key}: {a} ≠ {b}")
    return diffs


# ------------------------------------------------------------------------------------------------------ running


@dataclass
class Outcome:
    step: str
    theirs: dict[str, Any]
    ours: dict[str, Any]
    diffs: list[str]


async def run(steps: list[Step | Mail], theirs: Target, ours: Target, emails: dict[str, str]) -> list[Outcome]:
    outcomes = []
    for step in steps:
        if isinstance(step, Mail):
            for target in (theirs, ours):
                key = (step.kind, step.who)
                target.mails[key] = target.mails.get(key, 0) + 1
                target.saved[step.key] = await target.mail_link(step.kind, emails[step.who], target.mails[key])
            continue
        answers = [await send(step, target, emails) for target in (theirs, ours)]
        a, b = (observe(r, t.base) for r, t in zip(answers, (theirs, ours), strict=True))
        if step.status is not None:
            assert a["status"] == step.status, (
                f"{step.name}: Better Auth answered {a['status']}, not {step.status}: {answers[0].text[:300]}"
            )
        outcomes.append(Outcome(step.name, a, b, compare(a, b)))
    return outcomes
