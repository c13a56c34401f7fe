"""The database: connection pool, migrations, and every SQL statement of the service, grouped by table family
(users, accounts, sessions, verifications, rate limits, upkeep). Nothing above this package writes SQL.

Functions take an asyncpg connection or pool (`Executor`) and return rows (asyncpg.Record) or plain values; the
auth core turns rows into its records. Tokens arrive here already hashed; no function sees a plaintext secret."""
