"""Account management: edit the name, change the email address (confirmed at the new address through the
email-verification method's `verifyEmail`), delete the account."""

from ..base import Method
from .service import AccountService

METHOD = Method(
    name="account",
    package=__name__,
    service=AccountService,
    attr="account",
    requires=("password", "email-verification"),
)
