"""The security audit trail: the security events of every method, kept in `auth_audit` for AUDIT_RETENTION_DAYS,
and `mySecurityEvents` for the signed-in user."""

from ..base import Method
from .service import AuditService

METHOD = Method(name="audit", package=__name__, service=AuditService, attr="audit")
