-- Two-factor (TOTP + backup codes): Better Auth's twoFactor plugin tables, created when missing. A Better Auth
-- database that had the plugin keeps its table and rows as they are; only what this service adds is added.

ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "twoFactorEnabled" boolean;

CREATE TABLE IF NOT EXISTS "twoFactor" (
    id text PRIMARY KEY,
    secret text NOT NULL,
    "backupCodes" text NOT NULL,
    "userId" text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE
);

-- Columns of newer Better Auth releases (1.7 has them; older ones did not).
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS verified boolean;
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "failedVerificationCount" integer;
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "lockedUntil" timestamp with time zone;

-- Ours: the TOTP time step of the last accepted code, so a code works once (RFC 6238 §5.2).
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "lastUsedStep" bigint;

CREATE INDEX IF NOT EXISTS "twoFactor_userId_idx" ON "twoFactor" ("userId");
