"""The per-worker session cache (auth/core/session_cache.py): it answers from memory, and a change made anywhere (by
this service, another instance, or plain SQL) reaches it through PostgreSQL's LISTEN/NOTIFY before the next request.

The cross-worker, cross-instance proof is in test_scale_out.py; here: the cache's own rules, the triggers, and one
in-process app against changes made behind its back."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import asyncpg
import pytest
import pytest_asyncio
from chatbot_agent.auth.core.session_cache import SessionCache
from chatbot_agent.db import notify

from .support import ME, SIGN_OUT, SIGN_UP, running_app, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")


# ---- the cache's rules, without a listener (it is "heard" by hand)


def heard(cache: SessionCache) -> SessionCache:
    cache._live_until = time.monotonic() + 60  # as if the heartbeat had just come back
    cache._task = asyncio.get_running_loop().create_future()  # type: ignore[assignment]  # no listener task
    return cache


def new_cache(**kw) -> SessionCache:
    async def never() -> asyncpg.Connection:
        raise AssertionError("no listener in these tests")

    return SessionCache(seconds=kw.pop("seconds", 30), connect=never, db=None, **kw)  # type: ignore[arg-type]


async def test_an_entry_is_served_until_its_user_changes():
    cache = heard(new_cache())
    cache.put("k1", "u1", "row1", cache.version)
    cache.put("k2", "u1", "row2", cache.version)
    cache.put("k3", "u2", "row3", cache.version)
    assert (cache.get("k1"), cache.get("k2"), cache.get("k3")) == ("row1", "row2", "row3")
    cache.drop("u1")  # what a notification with u1's id does
    assert (cache.get("k1"), cache.get("k2"), cache.get("k3")) == (None, None, "row3")


async def test_a_lookup_that_overlapped_a_change_is_not_stored():
    cache = heard(new_cache())
    version = cache.version  # taken before the query...
    cache.drop("someone else")  # ...a notification arrives while it runs...
    cache.put("k", "u", "row read before the change", version)  # ...so what it read may be stale
    assert cache.get("k") is None and len(cache) == 0
    cache.put("k", "u", "row", cache.version)
    assert cache.get("k") == "row"


async def test_nothing_is_served_or_stored_while_the_listener_is_not_heard():
    cache = heard(new_cache())
    cache.put("k", "u", "row", cache.version)
    cache._deaf()  # the connection dropped, or the heartbeat stopped coming back
    assert cache.get("k") is None
    cache.put("k", "u", "row", cache.version)
    assert len(cache) == 0
    heard(cache)
    assert cache.get("k") is None  # it comes back empty


async def test_entries_age_out_and_the_oldest_goes_first_when_full():
    cache = heard(new_cache(seconds=0.05, max_entries=2))
    for n in range(3):
        cache.put(f"k{n}", f"u{n}", f"row{n}", cache.version)
    assert (cache.get("k0"), cache.get("k1"), cache.get("k2")) == (None, "row1", "row2")
    await asyncio.sleep(0.06)
    assert cache.get("k1") is None and cache.get("k2") is None


async def test_switched_off_it_holds_nothing():
    cache = SessionCache(seconds=0, connect=None, db=None)  # type: ignore[arg-type]
    cache.put("k", "u", "row", cache.version)
    assert cache.get("k") is None and len(cache) == 0 and not cache.enabled


# ---- the triggers (migration 0004)


@pytest_asyncio.fixture(loop_scope="session")
async def heard_changes(database_url):
    conn = await asyncpg.connect(database_url)
    got: asyncio.Queue[str] = asyncio.Queue()
    await conn.add_listener(notify.CHANGES, lambda _c, _p, _ch, payload: got.put_nowait(payload))
    yield got
    await conn.close()


async def next_change(got: asyncio.Queue[str]) -> str | None:
    try:
        return await asyncio.wait_for(got.get(), 2)
    except TimeoutError:
        return None


async def test_the_database_announces_each_change_that_matters_and_only_those(db, api, heard_changes):
    user = (await api.post(SIGN_UP, sign_up_input("trigger@example.com"))).json()["data"]["signUp"]["user"]["id"]
    assert await next_change(heard_changes) is None  # signing up opens a session: nothing to forget
    await db.execute('UPDATE "user" SET "firstName" = \'Augusta\' WHERE id = $1', user)
    assert await next_change(heard_changes) == user
    await db.execute('UPDATE session SET "expiresAt" = now() - interval \'1 second\' WHERE "userId" = $1', user)
    assert await next_change(heard_changes) == user
    await db.execute('DELETE FROM session WHERE "userId" = $1', user)  # already expired: nobody serves it anyway
    assert await next_change(heard_changes) is None
    await api.post(SIGN_UP, sign_up_input("trigger2@example.com"))
    await db.execute("DELETE FROM session")  # a live session: announced
    assert await next_change(heard_changes) is not None
    await db.execute('UPDATE "user" SET "lastName" = \'X\' WHERE id = $1', user)
    await db.execute('UPDATE "user" SET "lastName" = \'Z\' WHERE id = $1', user)
    assert [await next_change(heard_changes), await next_change(heard_changes)] == [user, user]
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute('UPDATE "user" SET "lastName" = \'Y\' WHERE id = $1', user)
            raise RuntimeError("roll back")
    assert await next_change(heard_changes) is None  # a rolled-back change announces nothing


# ---- an app, and changes made behind its back


async def cached_me(api, cache: SessionCache) -> dict | None:
    """`me`, after waiting (without asserting any time) until the cache's listener is heard."""
    for _ in range(200):
        if cache.listening:
            break
        await api.post(ME)  # a lookup starts the listener
        await asyncio.sleep(0.02)
    assert cache.listening
    return (await api.post(ME)).json()["data"]["me"]


async def test_me_is_served_from_memory_and_sql_behind_its_back_is_seen_at_once(settings, db):
    async with running_app(settings) as (app, api):
        cache = app.state.auth.auth.core.sessions.cache
        user = (await api.post(SIGN_UP, sign_up_input("behind@example.com"))).json()["data"]["signUp"]["user"]
        assert (await cached_me(api, cache))["firstName"] == "Ada"
        hits = cache.hits
        for _ in range(5):
            assert (await api.post(ME)).json()["data"]["me"]["id"] == user["id"]
        assert cache.hits >= hits + 5  # no database round trip for these

        # An administrator renames the user in psql: no request of ours waits for a barrier, but the notification
        # empties the cache as it arrives (within a millisecond on a quiet machine), and `me` then shows the name.
        await db.execute('UPDATE "user" SET "firstName" = \'Augusta\' WHERE id = $1', user["id"])
        await emptied(cache)
        assert (await api.post(ME)).json()["data"]["me"]["firstName"] == "Augusta"
        assert len(cache) == 1
        # ...and deletes every session: signed out.
        await db.execute("DELETE FROM session")
        await emptied(cache)
        assert (await api.post(ME)).json()["data"]["me"] is None


async def emptied(cache: SessionCache) -> None:
    for _ in range(500):
        if len(cache) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the notification never emptied the cache")


async def test_a_lost_listener_turns_the_cache_off_and_it_comes_back_empty(settings, db):
    async with running_app(settings) as (app, api):
        cache = app.state.auth.auth.core.sessions.cache
        await api.post(SIGN_UP, sign_up_input("lost@example.com"))
        assert await cached_me(api, cache) is not None
        assert len(cache) == 1
        killed = await db.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        )
        assert killed == 1
        for _ in range(200):  # the termination reaches the worker: deaf, and empty
            if not cache.listening:
                break
            await asyncio.sleep(0.01)
        assert not cache.listening and len(cache) == 0
        assert (await api.post(ME)).json()["data"]["me"] is not None  # from the database meanwhile
        assert await cached_me(api, cache) is not None  # the listener reconnects and is heard again


async def test_switched_off_every_request_asks_the_database(settings):
    async with running_app(dataclasses.replace(settings, session_cache_seconds=0)) as (app, api):
        cache = app.state.auth.auth.core.sessions.cache
        await api.post(SIGN_UP, sign_up_input("nocache@example.com"))
        assert (await api.post(ME)).json()["data"]["me"] is not None
        assert not cache.enabled and len(cache) == 0 and cache.hits == 0


async def test_a_worker_whose_listener_was_idle_still_waits_for_the_others(settings):
    """Two workers (two apps on one database, in this process). B holds the session in its cache; A has served no
    lookup yet, so it does not know B listens. A signs the session out: before answering, A learns who listens (a
    roll call) and waits for B's acknowledgement, so B refuses the session on the very next request."""
    async with running_app(settings) as (_, a), running_app(settings) as (app_b, b):
        cache_b = app_b.state.auth.auth.core.sessions.cache
        # B is a busy worker: it applies each notification 50 ms after it arrives (in order), as a loop behind on
        # its work would; without the barrier, A's answer would overtake B's drop.
        apply = cache_b._heard
        cache_b._heard = lambda channel, payload: asyncio.get_running_loop().call_later(0.05, apply, channel, payload)
        await a.post(SIGN_UP, sign_up_input("idle@example.com"))
        b.http.cookies = a.http.cookies  # the same browser, reaching the other worker
        assert (await cached_me(b, cache_b))["email"] == "idle@example.com"
        assert len(cache_b) == 1
        assert (await a.post(SIGN_OUT)).json()["data"]["signOut"] is True
        assert len(cache_b) == 0  # dropped before A answered
        assert (await b.post(ME)).json()["data"]["me"] is None
