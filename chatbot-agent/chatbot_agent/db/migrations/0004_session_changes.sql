-- Every change that can make a cached session lookup wrong is announced on the channel `auth_session_changes`,
-- with the user's id as the payload: a live session deleted (sign-out, revocation, a password change or reset, a
-- deleted account) or altered, and any change to its user (name, email, verification, two-factor). Each worker's
-- session cache (auth/core/session_cache.py) LISTENs and drops that user's entries.
--
-- Triggers, not application code, so that nothing can skip the announcement: not an instance of an older version,
-- not `chatbot-agent cleanup`, not an administrator's `DELETE FROM session` in psql, not a Better Auth server on the
-- same tables. PostgreSQL sends a transaction's notifications when it commits (never when it rolls back), each
-- distinct payload once per transaction, so revoking all of a user's sessions sends one.
CREATE OR REPLACE FUNCTION auth_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'user' THEN
        PERFORM pg_notify('auth_session_changes', OLD.id);
    ELSE
        PERFORM pg_notify('auth_session_changes', OLD."userId");
    END IF;
    RETURN NULL;
END
$$;

-- A session that had already expired is refused by every cache on its own (it checks expiresAt), so the expiry
-- sweep's deletions announce nothing.
DROP TRIGGER IF EXISTS auth_session_deleted ON session;
CREATE TRIGGER auth_session_deleted AFTER DELETE ON session
    FOR EACH ROW WHEN (OLD."expiresAt" > now()) EXECUTE FUNCTION auth_session_changed();

DROP TRIGGER IF EXISTS auth_session_updated ON session;
CREATE TRIGGER auth_session_updated AFTER UPDATE ON session
    FOR EACH ROW EXECUTE FUNCTION auth_session_changed();

DROP TRIGGER IF EXISTS auth_session_user_changed ON "user";
CREATE TRIGGER auth_session_user_changed AFTER UPDATE OR DELETE ON "user"
    FOR EACH ROW EXECUTE FUNCTION auth_session_changed();
