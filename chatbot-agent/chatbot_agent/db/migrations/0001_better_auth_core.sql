-- Better Auth 1.7 compatible core tables (user, session, account, verification), created only where missing,
-- so a database made by Better Auth's own migrator is adopted as it is.
-- Differences from Better Auth, all additive: session.token and reset tokens in verification hold SHA-256 hashes
-- (see README "Coming from Better Auth"), and a rate-limit table of our own.

CREATE TABLE IF NOT EXISTS "user" (
    id text NOT NULL PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL CONSTRAINT user_email_key UNIQUE,
    "emailVerified" boolean NOT NULL,
    image text,
    "createdAt" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    "updatedAt" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    "firstName" text NOT NULL,
    "lastName" text NOT NULL
);

CREATE TABLE IF NOT EXISTS session (
    id text NOT NULL PRIMARY KEY,
    "expiresAt" timestamp with time zone NOT NULL,
    token text NOT NULL CONSTRAINT session_token_key UNIQUE,
    "createdAt" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    "updatedAt" timestamp with time zone NOT NULL,
    "ipAddress" text,
    "userAgent" text,
    "userId" text NOT NULL CONSTRAINT "session_userId_fkey" REFERENCES "user"(id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS account (
    id text NOT NULL PRIMARY KEY,
    "accountId" text NOT NULL,
    "providerId" text NOT NULL,
    "userId" text NOT NULL CONSTRAINT "account_userId_fkey" REFERENCES "user"(id) ON DELETE CASCADE,
    "accessToken" text,
    "refreshToken" text,
    "idToken" text,
    "accessTokenExpiresAt" timestamp with time zone,
    "refreshTokenExpiresAt" timestamp with time zone,
    scope text,
    password text,
    "createdAt" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    "updatedAt" timestamp with time zone NOT NULL
);

CREATE TABLE IF NOT EXISTS verification (
    id text NOT NULL PRIMARY KEY,
    identifier text NOT NULL,
    value text NOT NULL,
    "expiresAt" timestamp with time zone NOT NULL,
    "createdAt" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    "updatedAt" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE INDEX IF NOT EXISTS "account_userId_idx" ON account ("userId");
CREATE INDEX IF NOT EXISTS "session_userId_idx" ON session ("userId");
CREATE INDEX IF NOT EXISTS verification_identifier_idx ON verification (identifier);

-- Ours: emails are unique case-insensitively; one credential account per user; cheap expiry sweeps.
-- A database adopted from Better Auth may break either rule (Better Auth's own constraint is case-sensitive): stop
-- with a message the operator can act on rather than a bare unique violation. Nothing of this migration is kept then.
DO $$
DECLARE
    groups bigint;
    example text;
BEGIN
    SELECT count(*), min(e) INTO groups, example
      FROM (SELECT lower(email) AS e FROM "user" GROUP BY lower(email) HAVING count(*) > 1) AS d;
    IF groups > 0 THEN
        RAISE EXCEPTION '% email address(es) belong to more than one user when compared case-insensitively (e.g. %), '
                        'but this service treats emails case-insensitively', groups, example
              USING HINT = 'Merge or rename those users, then run migrate again. List them with: SELECT lower(email), '
                           'array_agg(id) FROM "user" GROUP BY 1 HAVING count(*) > 1;';
    END IF;
    SELECT count(*), min(u) INTO groups, example
      FROM (SELECT "userId" AS u FROM account WHERE "providerId" = 'credential' GROUP BY 1 HAVING count(*) > 1) AS d;
    IF groups > 0 THEN
        RAISE EXCEPTION '% user(s) have more than one credential (password) account (e.g. user id %)', groups, example
              USING HINT = 'Keep one account row with "providerId" = ''credential'' per user, then run migrate again.';
    END IF;
END
$$;
CREATE UNIQUE INDEX IF NOT EXISTS user_email_lower_key ON "user" (lower(email));
CREATE UNIQUE INDEX IF NOT EXISTS account_credential_user_key ON account ("userId") WHERE "providerId" = 'credential';
CREATE INDEX IF NOT EXISTS "session_expiresAt_idx" ON session ("expiresAt");
CREATE INDEX IF NOT EXISTS "verification_expiresAt_idx" ON verification ("expiresAt");

-- Fixed-window rate-limit counters shared by every worker and instance.
CREATE TABLE IF NOT EXISTS auth_rate_limit (
    key text NOT NULL PRIMARY KEY,
    count integer NOT NULL,
    "resetAt" timestamp with time zone NOT NULL
);
