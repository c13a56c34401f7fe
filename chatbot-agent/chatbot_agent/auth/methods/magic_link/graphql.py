"""The magic-link method's GraphQL fields: ask for a sign-in link, sign in with its token."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from ....api.graphql.results import as_data, ctx_of, finish_sign_in
from ....api.graphql.types import AuthError, AuthResult
from .service import MagicLinkService


@strawberry.type
class RequestMagicLinkSuccess:
    message: str


RequestMagicLinkResult = Annotated[RequestMagicLinkSuccess | AuthError, strawberry.union("RequestMagicLinkResult")]


@strawberry.input
class RequestMagicLinkInput:
    email: str
    redirect_to: str | None = strawberry.field(
        default=None, description="A page of the web app to land on after signing in (a path such as /account)."
    )


@strawberry.input
class SignInWithMagicLinkInput:
    token: str


def _service(info: Info) -> MagicLinkService:
    service: MagicLinkService = ctx_of(info).auth.magic_link
    return service


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Mail a sign-in link (15 minutes, once). The same answer, in the same time, "
        "whether or not the email has an account; unknown emails get no account."
    )
    @as_data
    async def request_magic_link(self, info: Info, input: RequestMagicLinkInput) -> RequestMagicLinkResult:
        message = await _service(info).request(input.email, input.redirect_to, ctx_of(info).client)
        return RequestMagicLinkSuccess(message=message)

    @strawberry.mutation(
        description="Sign in with the token of a mailed link (verifies the email), or answer "
        "`TwoFactorRequired` when the account has a second factor."
    )
    @as_data
    async def sign_in_with_magic_link(self, info: Info, input: SignInWithMagicLinkInput) -> AuthResult:
        ctx = ctx_of(info)
        outcome = await _service(info).sign_in(
            input.token, ctx.client, replaces=ctx.session_token, cookies=ctx.request.cookies
        )
        return finish_sign_in(ctx, outcome)
