-- Social sign-in: a provider's subject (account."accountId" under one "providerId") belongs to one user, so a sign-in
-- finds exactly one account and two concurrent first sign-ins cannot both create it. Better Auth does not enforce
-- this; a Better Auth database that has such duplicates is refused with a hint instead of being changed.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM account WHERE "providerId" <> 'credential'
              GROUP BY "providerId", "accountId" HAVING count(*) > 1) THEN
    RAISE EXCEPTION 'two account rows share a providerId and accountId'
      USING HINT = 'list them with: SELECT "providerId", "accountId", array_agg("userId") FROM account '
                   'WHERE "providerId" <> ''credential'' GROUP BY 1, 2 HAVING count(*) > 1; keep one row of each';
  END IF;
END $$;

CREATE UNIQUE INDEX IF NOT EXISTS account_provider_subject_key
    ON account ("providerId", "accountId") WHERE "providerId" <> 'credential';
