"""The schema: the core's fields (sessions.py) merged with the Query and Mutation parts of each enabled method's
`graphql.py` (strawberry.tools.merge_types), plus the request limits and error handling every operation gets."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import partial
from importlib import import_module

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from ...auth.methods import available
from ...auth.methods.base import Method
from . import sessions
from .results import INTERNAL_MESSAGE, log_failure

log = logging.getLogger("chatbot_agent.api.graphql")


def _unexpected(error: GraphQLError) -> bool:
    """Mask errors raised by our code (they may carry internals); keep GraphQL's own syntax/validation errors."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


_CLIENT_VALUE = re.compile(r":|\b(?:found|got)\b")


class AuthSchema(strawberry.Schema):
    """Logs every error once and never with the values a client sent: graphql-core quotes rejected variables in
    its messages (a mistyped `pasword` field would put the password in the log)."""

    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        for error in errors:
            if _unexpected(error) and error.original_error is not None:
                log_failure(".".join(map(str, error.path or ())) or "operation", error.original_error)
            else:
                log.info("GraphQL request rejected: %s", _CLIENT_VALUE.split(error.message, maxsplit=1)[0].strip())


def _parts(methods: Iterable[Method], kind: str) -> tuple[type, ...]:
    found = [getattr(sessions, kind)]
    for method in methods:
        try:
            module = import_module(f"{method.package}.graphql")
        except ModuleNotFoundError as exc:
            if exc.name != f"{method.package}.graphql":
                raise
            continue
        if hasattr(module, kind):
            found.append(getattr(module, kind))
    return tuple(found)


def build_schema(
    methods: Iterable[Method] | None = None,
    *,
    max_depth: int = 10,
    max_tokens: int = 1000,
    max_aliases: int = 15,
    introspection: bool = True,
    extra_extensions: Iterable[type] = (),
) -> strawberry.Schema:
    """The schema of `methods` (default: every method there is, as `export-schema` publishes it)."""
    methods = list(available() if methods is None else methods)
    query = merge_types("Query", _parts(methods, "Query"))
    mutation = merge_types("Mutation", _parts(methods, "Mutation"))
    # Factories, not instances: a fresh extension per request (the parse/validation caches are module-level).
    # The depth and alias limiters build a new rule class per instance, and ValidationCache is keyed by the rule
    # classes: build their rules once, so every request shares them and a known query is validated only once.
    rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    extensions: list = [
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        partial(AddValidationRules, rules),
        partial(MaxTokensLimiter, max_token_count=max_tokens),
        partial(MaskErrors, should_mask_error=_unexpected, error_message=INTERNAL_MESSAGE),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    extensions.extend(extra_extensions)  # e.g. the metrics' operation label (http/metrics.py)
    return AuthSchema(query=query, mutation=mutation, extensions=extensions)
