"""Where the database comes from: DATABASE_URL, the postgres server of `.mcp.json`, Neon through its MCP server, or
the embedded PostgreSQL (dsn.py, mcp.py, embedded.py), how to connect to it (pool.py), and `check-db` (check.py)."""
