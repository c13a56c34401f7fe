"""HTTP plumbing below the transports: ASGI middleware; GraphiQL's page and assets (graphiql.py)."""
