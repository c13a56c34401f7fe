"""No user enumeration: sign-in for an unknown email costs what a wrong password costs (compared as distributions of
interleaved samples, with production argon2 parameters), and requestPasswordReset answers alike for known and
unknown emails without waiting for the mail server."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest

from .security_support import sign_in_input, unique
from .support import REQUEST_RESET, SIGN_IN, SIGN_UP, SmtpReceiver, make_settings, running_app, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")


def quartiles(samples: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return q1, q2, q3


async def test_unknown_email_costs_what_a_wrong_password_costs(database_url, tmp_path):
    # OWASP argon2id parameters, as in production (the other tests use cheap ones).
    settings = make_settings(database_url, tmp_path, argon2_memory_kib=19456, argon2_time_cost=2)
    async with running_app(settings) as (_, api):
        email = unique("timing")
        await api(SIGN_UP, sign_up_input(email))

        async def timed(variables: dict, expected: str) -> float:
            started = time.perf_counter()
            result = (await api(SIGN_IN, variables))["signIn"]
            elapsed = time.perf_counter() - started
            assert result["code"] == expected
            return elapsed

        wrong_password, unknown_email, no_hash = [], [], []
        for n in range(16):  # interleaved (ABBA), so drift in machine load hits both alike
            pair = [
                (wrong_password, sign_in_input(email, f"wrong guess {n}")),
                (unknown_email, sign_in_input(unique("nobody"), f"wrong guess {n}")),
            ]
            for samples, variables in pair if n % 2 == 0 else reversed(pair):
                samples.append(await timed(variables, "INVALID_CREDENTIALS"))
            no_hash.append(await timed(sign_in_input("not an email", "whatever"), "INVALID_INPUT"))

    wq1, wmed, wq3 = quartiles(wrong_password)
    uq1, umed, uq3 = quartiles(unknown_email)
    summary = f"wrong password {wq1:.4f}/{wmed:.4f}/{wq3:.4f}s, unknown email {uq1:.4f}/{umed:.4f}/{uq3:.4f}s"
    print(summary)
    # Generous bounds (a shared, noisy machine): the middle halves, each widened by a quarter, overlap, and the
    # medians are within a factor of two. Without the dummy hash an unknown email answers ~10 times faster.
    assert uq1 * 0.75 <= wq3 * 1.25 and wq1 * 0.75 <= uq3 * 1.25, f"the middle halves do not overlap: {summary}"
    assert 0.5 < umed / wmed < 2.0, summary
    # The test has teeth: a sign-in that never reaches the hasher is far cheaper than either.
    assert statistics.median(no_hash) * 2 < min(wmed, umed), f"{summary}, no hash {statistics.median(no_hash):.4f}s"


@dataclass
class StalledSmtp(SmtpReceiver):
    """A mail server that takes the message and then sits on it until the test releases it."""

    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        self.entered.set()
        while not self.release.is_set():
            await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


async def test_reset_request_answers_alike_and_never_waits_for_the_mail_server(database_url, tmp_path):
    smtp = StalledSmtp().start()
    try:
        settings = make_settings(database_url, tmp_path, smtp_url=smtp.url)
        async with running_app(settings) as (_, api):
            known = unique("known")
            await api(SIGN_UP, sign_up_input(known))

            async def ask(email: str):
                response = await asyncio.wait_for(api.post(REQUEST_RESET, {"email": email}), 30)  # hang detector
                return (
                    response.status_code,
                    response.content,
                    sorted((k, v) for k, v in response.headers.items() if k != "x-request-id"),
                )

            first = await ask(known)
            assert smtp.to(known) == []  # answered; the mail is not delivered
            deadline = time.monotonic() + 10
            while not smtp.entered.is_set():  # the mailer is now inside the SMTP transaction, stuck
                assert time.monotonic() < deadline, "the mail never reached the SMTP server"
                await asyncio.sleep(0.01)
            second = await ask(known.upper())
            unknown = await ask(unique("ghost"))
            assert smtp.to(known) == []  # every answer above came while the mail server held the first mail
            assert first == second == unknown  # byte for byte, headers included
            assert b"RequestPasswordResetSuccess" in first[1]
            smtp.release.set()
            await smtp.wait_for(known, 2)
    finally:
        smtp.release.set()
        smtp.stop()
