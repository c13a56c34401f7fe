"""The account method's GraphQL fields: updateProfile, changeEmail, deleteAccount."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from ....api.graphql.results import as_data, ctx_of, require, user_of
from ....api.graphql.types import AuthError, User
from .service import AccountService


@strawberry.input
class UpdateProfileInput:
    first_name: str
    last_name: str


@strawberry.input
class ChangeEmailInput:
    new_email: str
    password: str


@strawberry.input(description="`password`, or for an account without one the `token` of the mailed link.")
class DeleteAccountInput:
    password: str | None = None
    token: str | None = None


@strawberry.type
class UpdateProfileSuccess:
    user: User


@strawberry.type
class ChangeEmailSuccess:
    message: str


@strawberry.type
class DeleteAccountSuccess:
    deleted: bool = strawberry.field(
        description="False when a link to confirm the deletion was mailed instead (an account without a password)."
    )
    message: str


UpdateProfileResult = Annotated[UpdateProfileSuccess | AuthError, strawberry.union("UpdateProfileResult")]
ChangeEmailResult = Annotated[ChangeEmailSuccess | AuthError, strawberry.union("ChangeEmailResult")]
DeleteAccountResult = Annotated[DeleteAccountSuccess | AuthError, strawberry.union("DeleteAccountResult")]


def _service(info: Info) -> AccountService:
    service: AccountService = ctx_of(info).auth.account
    return service


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Change the signed-in user's first and last name (the rules of sign-up).")
    @as_data
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UpdateProfileResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        user = await _service(info).update_profile(principal, input.first_name, input.last_name, ctx.client)
        return UpdateProfileSuccess(user=user_of(user))

    @strawberry.mutation(
        description="Ask to move to a new email address (needs the password): a link goes to the new address and a "
        "notice to the current one. The address changes when the link is opened (`verifyEmail`)."
    )
    @as_data
    async def change_email(self, info: Info, input: ChangeEmailInput) -> ChangeEmailResult:
        principal = await require(ctx_of(info))
        return ChangeEmailSuccess(message=await _service(info).change_email(principal, input.new_email, input.password))

    @strawberry.mutation(
        description="Delete the signed-in user's account and everything of it, and sign out (needs the password; "
        "an account without one gets a confirmation link by mail and confirms with its token)."
    )
    @as_data
    async def delete_account(self, info: Info, input: DeleteAccountInput) -> DeleteAccountResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        done = await _service(info).delete_account(principal, ctx.client, password=input.password, token=input.token)
        if done.deleted:
            ctx.end_session()
        return DeleteAccountSuccess(deleted=done.deleted, message=done.message)
