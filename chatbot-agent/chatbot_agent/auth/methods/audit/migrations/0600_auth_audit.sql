-- The security audit trail: one row per security event (sign-in and its failures, sign-out, password and email
-- changes, revocations, account deletion, second factors, passkeys, social accounts).
--
-- "userId" has no foreign key: rows are written in the background, after the action, and a failed sign-in for an
-- unknown email has no user at all. Deleting an account erases its rows (the audit service deletes them, and a row
-- still queued for a user who no longer exists is not written); the deletion itself stays, without the user.
-- Rows older than AUDIT_RETENTION_DAYS are deleted by the expiry sweep. No secret or token is ever stored:
-- `details` holds a few whitelisted fields (the sign-in method, a number of sessions, a passkey's name ...).
CREATE TABLE IF NOT EXISTS auth_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "userId" text,
    "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
    event text NOT NULL,
    code text,
    "ipAddress" text,
    "userAgent" text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS auth_audit_user_idx ON auth_audit ("userId", "createdAt" DESC);
CREATE INDEX IF NOT EXISTS auth_audit_created_idx ON auth_audit ("createdAt");
