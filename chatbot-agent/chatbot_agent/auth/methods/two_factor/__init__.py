"""Two-factor authentication: TOTP (authenticator apps) and backup codes, as a second step of every sign-in."""

from ..base import Method
from .service import TwoFactorService

METHOD = Method(name="two-factor", package=__name__, service=TwoFactorService, attr="two_factor")
