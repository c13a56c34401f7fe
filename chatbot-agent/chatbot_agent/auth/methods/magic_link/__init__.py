"""Magic links: sign in with a one-time link mailed to the account's address."""

from ..base import Method
from .service import MagicLinkService

METHOD = Method(name="magic-link", package=__name__, service=MagicLinkService, attr="magic_link")
