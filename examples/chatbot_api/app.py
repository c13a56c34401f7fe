"""A tiny chatbot API whose `POST /chat` only answers signed-in users of the auth service, by their first name.

    AUTH_URL=http://127.0.0.1:8000 .venv/bin/uvicorn app:app --app-dir examples/chatbot_api --port 8100
    curl -X POST localhost:8100/chat -H "Authorization: Bearer $ACCESS_TOKEN" -H content-type:application/json \
         -d '{"message": "hello"}'

Settings (environment): AUTH_URL (the auth service as this API reaches it), AUTH_ISSUER (its JWT_ISSUER, by default
its PUBLIC_URL; default AUTH_URL), AUTH_AUDIENCE (its JWT_AUDIENCE), SESSION_COOKIE_NAME, AUTH_CHECK_REVOCATION=1.
Needs FastAPI (`pip install fastapi`)."""

import os
from contextlib import asynccontextmanager

from chatbot_agent.guard import AuthGuard, AuthUser
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field

guard = AuthGuard(
    os.environ.get("AUTH_URL", "http://127.0.0.1:8000"),
    issuer=os.environ.get("AUTH_ISSUER") or None,
    audience=os.environ.get("AUTH_AUDIENCE", "chatbot-agent"),
    cookie_name=os.environ.get("SESSION_COOKIE_NAME", "chatbot_session"),
    check_revocation=os.environ.get("AUTH_CHECK_REVOCATION", "") in ("1", "true"),
)


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    await guard.aclose()


app = FastAPI(title="chatbot API (example)", lifespan=lifespan)


class ChatIn(BaseModel):
    message: str = Field(min_length=1, max_length=4000)


class ChatOut(BaseModel):
    reply: str
    user_id: str
    via: str


@app.post("/chat")
async def chat(body: ChatIn, user: AuthUser = Depends(guard.current_user)) -> ChatOut:
    # An access token names the user (sub) but not their name: ask the service once for it (this also confirms
    # the session is still alive). A real app might keep the names in its own store, keyed by user.id.
    user = await guard.load_profile(user)
    return ChatOut(reply=f"Hello {user.first_name}! You said: {body.message}", user_id=user.id, via=user.via)


@app.get("/health")
async def health(user: AuthUser | None = Depends(guard.optional_user)) -> dict:
    return {"ok": True, "signed_in": user is not None}
