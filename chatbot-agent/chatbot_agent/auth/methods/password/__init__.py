"""Email and password: sign up, sign in, password reset by mail, change password."""

from ..base import Method
from .service import PasswordService

METHOD = Method(name="password", package=__name__, service=PasswordService, attr="password")
