"""Social sign-in: Google, GitHub and any OpenID Connect provider (OAUTH_PROVIDERS), with account linking."""

from ..base import Method
from .service import OAuthService

METHOD = Method(name="oauth", package=__name__, service=OAuthService, attr="oauth")
