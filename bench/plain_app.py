"""The references for `me`, served exactly as `chatbot-agent serve` serves ours (uvicorn, same workers, same
loop/HTTP implementation and options):

- POST /plain: a plain Starlette JSON endpoint. It reads the JSON body and answers the user document `me` returns,
  with no database and no GraphQL: the floor of what a Python web request costs here (the issue's reference).
- POST /graphql: a bare Strawberry endpoint (our view's settings: parser and validation caches, orjson) whose `me`
  returns a constant user: what GraphQL itself costs per request, before any auth or database work.

    python bench/plain_app.py --port 8100 --workers 2
"""

from __future__ import annotations

import argparse

import orjson
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

USER = {
    "id": "5Ow3dBSZ2Be7HWpAU8y1XFAQl9G8UYt5",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "emailVerified": False,
    "createdAt": "2026-01-01T00:00:00+00:00",
}


async def me(request: Request) -> JSONResponse:
    await request.json()
    return JSONResponse({"data": {"me": USER}})


@strawberry.type
class User:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    email_verified: bool
    created_at: str


@strawberry.type
class Query:
    @strawberry.field
    async def me(self) -> User | None:
        return User(
            id=strawberry.ID(USER["id"]),
            first_name=USER["firstName"],
            last_name=USER["lastName"],
            email=USER["email"],
            email_verified=False,
            created_at=USER["createdAt"],
        )


class BareGraphQL(GraphQL):
    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)


schema = strawberry.Schema(
    query=Query, extensions=[lambda: ParserCache(maxsize=1024), lambda: ValidationCache(maxsize=1024)]
)


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/plain", me, methods=["POST"]),
        Route("/graphql", BareGraphQL(schema, graphql_ide=None), methods=["POST"]),
        Route("/health", health),
    ]
)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # The options `chatbot-agent serve` passes (cli.py), so the only difference is the application.
    common = dict(
        host="127.0.0.1",
        port=args.port,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        access_log=False,
    )
    if args.workers == 1:
        uvicorn.run(app, **common)
    else:
        uvicorn.run("plain_app:app", workers=args.workers, **common)


if __name__ == "__main__":
    main()
