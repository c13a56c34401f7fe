"""Social sign-in's GraphQL fields: which providers there are, starting a sign-in or a link (the browser then goes
to the provider and comes back through GET /api/auth/callback/{provider}), and the user's linked accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from ....api.graphql.results import as_data, ctx_of, require
from ....api.graphql.types import AuthError
from .service import OAuthService, Started, state_cookie


@strawberry.type(description='A social sign-in provider the server is configured for (a "Continue with …" button).')
class SocialProvider:
    id: str
    name: str


@strawberry.type(
    description="Send the browser to `url` (the provider's sign-in page). The attempt is bound to this "
    "browser by a short-lived HttpOnly cookie set with this answer."
)
class SocialSignInRedirect:
    url: str


@strawberry.type(
    description='A way into the account: the password (`providerId` "credential") or a provider\'s '
    "account (`accountId` is the provider's subject)."
)
class LinkedAccount:
    id: strawberry.ID
    provider_id: str
    provider_name: str
    account_id: str
    created_at: datetime


@strawberry.type
class UnlinkAccountSuccess:
    message: str


SocialSignInResult = Annotated[SocialSignInRedirect | AuthError, strawberry.union("SocialSignInResult")]
UnlinkAccountResult = Annotated[UnlinkAccountSuccess | AuthError, strawberry.union("UnlinkAccountResult")]


@strawberry.input
class SocialSignInInput:
    provider: str
    redirect_to: str | None = strawberry.field(
        default=None,
        description="Where to land after signing in: a path of the web app (default /account) or a "
        "URL on a trusted origin.",
    )


def _service(info: Info) -> OAuthService:
    service: OAuthService = ctx_of(info).auth.oauth
    return service


def _redirect(info: Info, started: Started) -> SocialSignInRedirect:
    ctx = ctx_of(info)
    ctx.set_cookie(state_cookie(ctx.cookie, started.max_age).set_header(started.state))
    return SocialSignInRedirect(url=started.url)


@strawberry.type
class Query:
    @strawberry.field(description="The configured social sign-in providers, in the order of OAUTH_PROVIDERS.")
    def social_providers(self, info: Info) -> list[SocialProvider]:
        return [SocialProvider(id=i, name=n) for i, n in _service(info).provider_list()]

    @strawberry.field(
        description="The signed-in user's ways in: password and linked provider accounts. Empty when signed out."
    )
    async def my_accounts(self, info: Info) -> list[LinkedAccount]:
        principal = await ctx_of(info).principal()
        if principal is None:
            return []
        return [
            LinkedAccount(
                id=strawberry.ID(a.id),
                provider_id=a.provider_id,
                provider_name=a.provider_name,
                account_id=a.account_id,
                created_at=a.created_at,
            )
            for a in await _service(info).accounts_of(principal)
        ]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Start signing in (or up) with a provider: answers the URL to send the browser "
        "to. It comes back to GET /api/auth/callback/{provider}, which opens the session "
        "and lands on `redirectTo`, or on /sign-in?oauth_error=<code>."
    )
    @as_data
    async def social_sign_in(self, info: Info, input: SocialSignInInput) -> SocialSignInResult:
        started = await _service(info).begin(input.provider, input.redirect_to, ctx_of(info).client)
        return _redirect(info, started)

    @strawberry.mutation(
        description="Connect another provider to the signed-in account: like socialSignIn, but the "
        "callback links the provider's account and lands on `redirectTo` (default "
        "/account) with ?linked=<provider>, or /account?oauth_error=<code>."
    )
    @as_data
    async def link_social_account(self, info: Info, input: SocialSignInInput) -> SocialSignInResult:
        ctx = ctx_of(info)
        principal = await require(ctx, cookie_only=True)
        started = await _service(info).begin(input.provider, input.redirect_to, ctx.client, link_user=principal.user)
        return _redirect(info, started)

    @strawberry.mutation(
        description="Remove a way in (a linked provider account, or the password). Never the last "
        "one: LAST_SIGN_IN_METHOD."
    )
    @as_data
    async def unlink_account(self, info: Info, id: strawberry.ID) -> UnlinkAccountResult:
        principal = await require(ctx_of(info), cookie_only=True)
        await _service(info).unlink(principal, row_id=str(id))
        return UnlinkAccountSuccess(message="The account was disconnected.")
