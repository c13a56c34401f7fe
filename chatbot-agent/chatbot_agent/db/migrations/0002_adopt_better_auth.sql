-- Adopt a database made by Better Auth 1.x (see README "Coming from Better Auth"). On a database this service
-- created itself every statement below finds nothing to do. Only additive changes: no Better Auth table, column or
-- row is dropped, and `user.name`, ids, emails and timestamps stay as they are.

-- 1. firstName/lastName, for a Better Auth set up without these additional fields. Missing values are split from
--    `name`: any run of whitespace (Unicode spaces included) counts as one space, the first word is the first name
--    and the rest the last name, so particles and compound surnames stay together ("Ludwig van Beethoven" →
--    "Ludwig" / "van Beethoven"); a single word is a first name with an empty last name. `name` stays filled (and
--    untouched) for other readers of the table.
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "firstName" text;
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "lastName" text;

UPDATE "user" AS u
   SET "firstName" = coalesce(u."firstName", split_part(n.clean, ' ', 1)),
       "lastName" = coalesce(u."lastName", substr(n.clean, length(split_part(n.clean, ' ', 1)) + 2))
  FROM (SELECT id, btrim(regexp_replace(name, '[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+', ' ', 'g'))
               AS clean
          FROM "user" WHERE "firstName" IS NULL OR "lastName" IS NULL) AS n
 WHERE u.id = n.id;

ALTER TABLE "user" ALTER COLUMN "firstName" SET NOT NULL;
ALTER TABLE "user" ALTER COLUMN "lastName" SET NOT NULL;

-- 2. Sessions: Better Auth keeps the cookie's token in plaintext; this service keeps sha256 hex of it and looks a
--    cookie up by that hash. Hash every token that is not already a hash (ours are 64 lower-case hex characters,
--    Better Auth's 32 alphanumeric ones), so no plaintext token survives and the browsers' cookies keep working.
UPDATE session
   SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex')
 WHERE token !~ '^[0-9a-f]{64}$';

-- 3. Password-reset tokens: likewise `reset-password:<token>` becomes `reset-password:<sha256 hex of token>`.
--    Other verification rows (other Better Auth plugins) are left alone.
UPDATE verification
   SET identifier = 'reset-password:' || encode(sha256(convert_to(substr(identifier, 16), 'UTF8')), 'hex')
 WHERE identifier LIKE 'reset-password:%'
   AND substr(identifier, 16) !~ '^[0-9a-f]{64}$';
