"""The README's benchmark table, from a `make bench` JSON: every phase with its figure in each round, and every goal.

.venv/bin/python bench/report.py [bench/results/latest.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"

OURS = [
    ("sign_in", "ours: signIn (8 conns)"),
    ("me_cookie", "ours: `me`, session cookie (32 conns)"),
    ("me_bearer", "ours: `me`, bearer token"),
    ("rest_get_session", "ours: REST `get-session` (cookie)"),
    ("plain", "plain Starlette JSON (reference)"),
    ("bare_strawberry", "bare Strawberry, constant `me` (reference)"),
]
PEERS = [("better_auth", "Better Auth {version}"), ("better_auth_py", "Python port {version}")]


def rounds(phase: dict) -> str:
    per = phase.get("per_round_rps") or [phase["rps"]]
    return " / ".join(f"{x:,.1f}" if x < 100 else f"{x:,.0f}" for x in per)


def busiest(phase: dict) -> str:
    shares = phase.get("worker_cpu_share")
    if not shares:
        return ""
    per = shares if isinstance(shares[0], list) else [shares]
    return " / ".join(f"{max(r):.0%}" for r in per)


def row(name: str, phase: dict) -> str:
    return (
        f"| {name} | {rounds(phase)} | {phase['rps']:,.1f} | {phase['p50_ms']:.1f} | {phase['p99_ms']:.1f} "
        f"| {busiest(phase)} |"
    )


def report(results: dict) -> str:
    phases = results["phases"]
    limit = results["hash_limit"]
    lines = [
        "| phase | req/s per round | req/s | p50 ms | p99 ms | busiest worker per round |",
        "|---|---|---:|---:|---:|---|",
        f"| hash-bound limit (argon2id, all cores, no server) | "
        f"{' / '.join(f'{x:.1f}' for x in limit['per_round'])} | {limit['per_s']:.1f} | | | |",
    ]
    lines += [row(name, phases[key]) for key, name in OURS if key in phases]
    mixed = phases["mixed"]
    lines.append(row("ours: `me` while signIn is saturated (paced, 8 conns)", mixed["me"]))
    lines.append(row("ours: signIn meanwhile", mixed["sign_in"]))
    for key, label in PEERS:
        peer = results.get(key) or {}
        if "sign_in" not in peer:
            continue
        name = label.format(version=peer.get("version", ""))
        lines.append(row(f"{name}: sign-in", peer["sign_in"]))
        lines.append(row(f"{name}: get-session", peer["get_session"]))
        lines.append(row(f"{name}: get-session while its sign-in is saturated", peer["mixed"]["get_session"]))
    scale = results.get("scale") or {}
    for size in ("small", "big"):
        if size in scale:
            users = scale[size].get("users")
            for key, what in (("sign_in", "signIn"), ("me_cookie", "`me` (cookie)")):
                if key in scale[size]:
                    lines.append(row(f"ours at {users:,} users: {what}", scale[size][key]))
    lines += ["", "| goal | measured | target | |", "|---|---:|---:|---|"]
    for goal in results["goals"]:
        unit = goal["unit"]
        value = {"%": f"{goal['value']:.0%}", "x": f"{goal['value']:.1f}×"}.get(unit, f"{goal['value']:.1f} {unit}")
        target = {"%": f"{goal['target']:.0%}", "x": f"{goal['target']:.1f}×"}.get(unit, f"{goal['target']:g} {unit}")
        lines.append(f"| {goal['goal']} | {value} | {goal['op']} {target} | {'met' if goal['met'] else '**missed**'} |")
    return "\n".join(lines)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    print(report(json.loads(path.read_text())))


if __name__ == "__main__":
    main()
