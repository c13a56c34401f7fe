"""pytest plugin: nothing is skipped silently. Tests skip only when a tool is missing, and `make test` installs the
tools (tests/system-deps.sh); whatever still skipped is listed loudly at the end, and under CI=true it fails the run,
so CI cannot go green without having run everything."""

from __future__ import annotations

import os

import pytest

_skipped: list[pytest.TestReport | pytest.CollectReport] = []


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:  # a whole module skipped (pytest.skip(allow_module_level=True))
        _skipped.append(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true a skipped test fails the run: CI cannot go green without having run everything."""
    if _ci() and _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """A loud list of what did not run and why (tests skip only for a missing tool: `make test` installs them)."""
    if not _skipped:
        return
    tr = terminalreporter
    tr.section(f"{len(_skipped)} SKIPPED: NOT TESTED ON THIS MACHINE", sep="!", red=True, bold=True)
    for report in _skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        tr.write_line(f"  {report.nodeid}: {reason.removeprefix('Skipped: ')}", red=True)
    tr.write_line(
        "Install what they name (`make test` does so itself as root or with passwordless sudo: tests/system-deps.sh).",
        red=True,
        bold=True,
    )
    if _ci():
        tr.write_line("CI=true: skipped tests FAIL the run.", red=True, bold=True)
