-- Passkeys (WebAuthn credentials): the `passkey` table of Better Auth's passkey plugin (@better-auth/passkey 1.7),
-- column for column, so passkeys registered under Better Auth keep working here and the reverse. A Better Auth
-- database that already has the table keeps it as it is.
CREATE TABLE IF NOT EXISTS passkey (
    id text NOT NULL,
    name text,
    "publicKey" text NOT NULL,
    "userId" text NOT NULL,
    "credentialID" text NOT NULL,
    counter integer NOT NULL,
    "deviceType" text NOT NULL,
    "backedUp" boolean NOT NULL,
    transports text,
    "createdAt" timestamp with time zone,
    aaguid text,
    CONSTRAINT passkey_pkey PRIMARY KEY (id),
    CONSTRAINT "passkey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "passkey_userId_idx" ON passkey ("userId");
CREATE INDEX IF NOT EXISTS "passkey_credentialID_idx" ON passkey ("credentialID");

-- Ours: one row per credential. A sign-in looks the credential up by its id, so two rows with one id would make
-- the user it signs in depend on the plan. Better Auth does not prevent them; refuse to adopt such a database.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM passkey GROUP BY "credentialID" HAVING count(*) > 1) THEN
        RAISE EXCEPTION 'passkey: several rows share one "credentialID"'
            USING HINT = 'delete the duplicates (keep the row of the right user), then migrate again: '
                         'SELECT "credentialID", array_agg(id) FROM passkey GROUP BY 1 HAVING count(*) > 1';
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS "passkey_credentialID_key" ON passkey ("credentialID");
