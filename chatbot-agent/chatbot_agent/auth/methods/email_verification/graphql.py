"""The email-verification method's GraphQL fields: verifyEmail, sendVerificationEmail, emailVerificationMode."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from ....api.graphql.results import as_data, ctx_of, require, user_of
from ....api.graphql.types import AuthError, User
from .service import EmailVerificationService


@strawberry.enum(description="EMAIL_VERIFICATION: whether addresses are verified, and whether sign-in needs it.")
class EmailVerificationMode(enum.Enum):
    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


@strawberry.enum(description="What opening a mailed link did.")
class VerifyEmailOutcome(enum.Enum):
    VERIFIED = "verified"  # the account's address is verified
    EMAIL_CHANGED = "changed"  # the account moved to the address the link was mailed to (verified)
    CHANGE_CONFIRMED = "confirmed"  # the current address approved a change: the link to the new one is on its way


@strawberry.input
class VerifyEmailInput:
    token: str


@strawberry.type
class VerifyEmailSuccess:
    user: User
    message: str
    outcome: VerifyEmailOutcome


@strawberry.type
class SendVerificationEmailSuccess:
    message: str


VerifyEmailResult = Annotated[VerifyEmailSuccess | AuthError, strawberry.union("VerifyEmailResult")]
SendVerificationEmailResult = Annotated[
    SendVerificationEmailSuccess | AuthError, strawberry.union("SendVerificationEmailResult")
]


def _service(info: Info) -> EmailVerificationService:
    service: EmailVerificationService = ctx_of(info).auth.email_verification
    return service


@strawberry.type
class Query:
    @strawberry.field(description="Whether this service verifies email addresses (OFF, OPTIONAL or REQUIRED).")
    def email_verification_mode(self, info: Info) -> EmailVerificationMode:
        return EmailVerificationMode(_service(info).mode)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Use a mailed link's token, signed in or not: verifies the address, or completes an email "
        "change (the new address is then the account's, verified)."
    )
    @as_data
    async def verify_email(self, info: Info, input: VerifyEmailInput) -> VerifyEmailResult:
        verified = await _service(info).verify_email(input.token, ctx_of(info).client)
        return VerifyEmailSuccess(
            user=user_of(verified.user), message=verified.message, outcome=VerifyEmailOutcome(verified.kind)
        )

    @strawberry.mutation(description="Mail the signed-in user a new verification link (rate-limited).")
    @as_data
    async def send_verification_email(self, info: Info) -> SendVerificationEmailResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        return SendVerificationEmailSuccess(message=await _service(info).send_verification_email(principal, ctx.client))
