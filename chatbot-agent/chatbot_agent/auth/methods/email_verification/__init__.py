"""Email verification: the link mailed at sign-up, `verifyEmail` (which also confirms a new address), re-sending the
link, and with EMAIL_VERIFICATION=required a sign-in gate for unverified accounts."""

from ..base import Method
from .service import EmailVerificationService

METHOD = Method(
    name="email-verification", package=__name__, service=EmailVerificationService, attr="email_verification"
)
