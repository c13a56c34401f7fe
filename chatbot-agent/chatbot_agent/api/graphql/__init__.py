"""The GraphQL API: the schema assembled from the core's fields and each enabled method's graphql.py."""
