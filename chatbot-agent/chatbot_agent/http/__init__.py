"""HTTP plumbing below the transports: ASGI middleware."""
