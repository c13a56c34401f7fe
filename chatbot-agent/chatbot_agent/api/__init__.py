"""Transports over the same services: GraphQL (primary) and Better Auth's REST routes."""
