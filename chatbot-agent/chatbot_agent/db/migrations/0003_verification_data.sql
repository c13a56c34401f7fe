-- One generic store for one-time tokens of every kind (email verification, email change, account deletion and the
-- kinds sign-in methods add): `identifier` = '<kind>:<sha256 of the token>', `value` = the subject (a user id), and
-- what a kind needs besides (the new address of an email change) in `data`. Additive: Better Auth ignores it.
ALTER TABLE verification ADD COLUMN IF NOT EXISTS data jsonb;
CREATE INDEX IF NOT EXISTS verification_value_idx ON verification (value);
