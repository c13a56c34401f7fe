"""Property tests (hypothesis) over every mutation's inputs, through HTTP: arbitrary unicode (NUL, control and
private-use characters, lone surrogates as JSON escapes or raw bytes), huge strings, nulls, missing and unknown
fields, wrong types. Every answer is typed data (success or an AuthError other than INTERNAL), a GraphQL validation
error, or a refusal of the body (400/413) — never a 500, an INTERNAL, a masked internal error or a stack trace."""

from __future__ import annotations

import json

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .security_support import PASSWORD, REVOKE_SESSION, limited_settings, unique
from .support import REQUEST_RESET, SIGN_UP, new_client, running_app, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")

FUZZ = settings(max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck))

OPERATIONS = {
    "signUp": (
        "mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on AuthError { code } } }",
        ["firstName", "lastName", "email", "password"],
    ),
    "signIn": (
        "mutation($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthError { code } } }",
        ["email", "password"],
    ),
    "requestPasswordReset": (
        REQUEST_RESET.replace("$email: String!", "$input: RequestPasswordResetInput!").replace(
            "input: {email: $email}", "input: $input"
        ),
        ["email"],
    ),
    "resetPassword": (
        "mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { __typename "
        "... on AuthError { code } } }",
        ["token", "newPassword"],
    ),
    "changePassword": (
        "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { __typename "
        "... on AuthError { code } } }",
        ["currentPassword", "newPassword"],
    ),
}
SUCCESS = {
    "AuthSuccess",
    "RequestPasswordResetSuccess",
    "ResetPasswordSuccess",
    "ChangePasswordSuccess",
    "RevokeSessionsSuccess",
}

any_char = st.characters(codec=None)  # every code point but surrogates
nasty_char = st.sampled_from(["\x00", "\x7f", "\n", "\u202e", "\ufeff", "\U0010ffff", "ﷺ", "'", "\\"])
surrogate = st.characters(categories=["Cs"])
texts = st.one_of(
    st.text(any_char, max_size=40),
    st.text(st.one_of(any_char, nasty_char), max_size=40),  # NUL, DEL, bidi override, BOM, NFKC-expanding
    st.text(st.one_of(any_char, surrogate), min_size=1, max_size=10),  # lone surrogates
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(any_char, min_size=1, max_size=20),
        st.sampled_from(["example.com", "exämple.com", "xn--e1afmkfd.xn--p1ai", "[127.0.0.1]", "a"]),
    ),
    st.builds(lambda ch, n: ch * n, st.one_of(any_char, nasty_char), st.integers(129, 70_000)),  # huge
    st.sampled_from([PASSWORD, "a@b.co", "", " ", "correct horse battery staple " * 4]),
)
wrong_types = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), texts, max_size=2),
)
values = st.one_of(texts, texts, texts, wrong_types)  # mostly strings, to get past validation into the service


def inputs(fields: list[str]):
    """{"input": {...}} with every field fuzzed; sometimes a field missing, an unknown one added, or no object."""
    record = st.fixed_dictionaries({f: values for f in fields}, optional={"unexpected": values})
    dropped = record.flatmap(
        lambda r: st.sets(st.sampled_from(list(r)), max_size=1).map(
            lambda gone: {k: v for k, v in r.items() if k not in gone}
        )
    )
    return st.one_of(record, record, dropped, wrong_types).map(lambda i: {"input": i})


@st.composite
def bodies(draw, query: str, variables):
    payload = {"query": query, "variables": draw(variables)}
    text = json.dumps(payload, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")  # a raw lone surrogate is invalid UTF-8: it must be refused too


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def target(database_url, smtp_server, tmp_path_factory):
    """One app (rate limits on, generous) and a signed-in client, for every example of the module."""
    settings_ = limited_settings(database_url, tmp_path_factory.mktemp("fuzz"), smtp_server.url)
    async with running_app(settings_) as (app, api):
        client = new_client(app)
        await client(SIGN_UP, sign_up_input(unique("fuzzed")))
        yield client
        await client.http.aclose()


async def check(client, body: bytes, operation: str) -> None:
    response = await client.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    text = response.text
    assert "Traceback" not in text and 'File "' not in text, text[:500]
    assert response.status_code in (200, 400, 413), (response.status_code, text[:500])
    if response.status_code != 200:
        return  # the body itself was refused: invalid JSON (a lone surrogate) or too large
    answer = response.json()
    if answer.get("errors"):
        assert answer.get("data") is None, answer  # a validation error: nothing ran
        assert not any("Something went wrong" in e["message"] for e in answer["errors"]), answer
        return
    result = answer["data"][operation]
    assert result["__typename"] in SUCCESS | {"AuthError"}, result
    assert result.get("code") != "INTERNAL", (body[:300], result)


VALID = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "password": "a fine passphrase",
    "token": "t" * 43,
    "newPassword": "another fine passphrase",
    "currentPassword": PASSWORD,
}
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b@example.com",
    "\ud800",
    "\u202e" * 3,
    "ﷺ" * 20,
    "x" * 60_000,
    "x" * 70_000,
    None,
    123,
    1.5,
    True,
    [],
    {},
]


@pytest.mark.parametrize("nasty", NASTY, ids=repr)
@pytest.mark.parametrize("operation, field", [(op, f) for op, (_, fields) in OPERATIONS.items() for f in fields])
async def test_each_field_with_each_nasty_value(target, operation, field, nasty):
    """Systematic: one field nasty, the others valid, so the nasty value reaches as deep as it can."""
    query, fields = OPERATIONS[operation]
    variables = {"input": {f: VALID.get(f) or unique("valid") for f in fields} | {field: nasty}}
    await check(target, json.dumps({"query": query, "variables": variables}).encode(), operation)


@pytest.mark.parametrize("nasty", NASTY, ids=repr)
async def test_revoke_session_with_each_nasty_id(target, nasty):
    await check(target, json.dumps({"query": REVOKE_SESSION, "variables": {"id": nasty}}).encode(), "revokeSession")


@pytest.mark.parametrize("operation", list(OPERATIONS))
@FUZZ
@given(data=st.data())
async def test_mutation_inputs(target, operation, data):
    query, fields = OPERATIONS[operation]
    await check(target, data.draw(bodies(query, inputs(fields)), label="body"), operation)


@FUZZ
@given(body=bodies(REVOKE_SESSION, st.fixed_dictionaries({"id": values})))
async def test_revoke_session_ids(target, body):
    await check(target, body, "revokeSession")
