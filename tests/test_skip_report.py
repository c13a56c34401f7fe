"""Nothing is skipped silently: the tests/skip_report plugin lists skipped tests loudly at the end of the run, and
under CI=true a skip fails the run. Checked by running pytest on a small suite of its own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .support import ROOT

SUITE = """
import pytest

def test_runs():
    assert 1 + 1 == 2

@pytest.mark.skipif(True, reason="wrk is not installed (apt-get install wrk)")
def test_needs_wrk():
    assert False

@pytest.mark.xfail(reason="expected to fail: not a skip")
def test_known_bug():
    assert False
"""
MODULE_SKIP = """
import pytest
pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)", allow_module_level=True)
"""


def run_pytest(folder, ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTHONPATH": str(ROOT)}
    if ci is not None:
        env["CI"] = ci
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.skip_report",
        "-c",
        os.devnull,
        "--rootdir",
        str(folder),
        "-p",
        "no:cacheprovider",
        "-q",
        str(folder),
    ]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def suite(tmp_path):
    (tmp_path / "test_tools.py").write_text(SUITE)
    (tmp_path / "test_browser.py").write_text(MODULE_SKIP)
    return tmp_path


def test_skipped_tests_are_listed_loudly_with_their_reason(suite):
    done = run_pytest(suite, ci=None)
    assert done.returncode == 0, done.stdout + done.stderr  # on a developer's machine a skip is not a failure
    out = done.stdout
    assert "2 SKIPPED: NOT TESTED ON THIS MACHINE" in out, out
    assert "test_tools.py::test_needs_wrk: wrk is not installed (apt-get install wrk)" in out
    assert "test_browser.py: /usr/bin/chromium is missing (apt-get install chromium)" in out
    assert "test_known_bug" not in out.split("SKIPPED: NOT TESTED")[1]  # an xfail is not a skip
    assert "CI=true" not in out


def test_under_ci_a_skipped_test_fails_the_run(suite):
    done = run_pytest(suite, ci="true")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 SKIPPED" in done.stdout and "CI=true: skipped tests FAIL the run." in done.stdout


def test_under_ci_a_run_without_skips_passes(tmp_path):
    (tmp_path / "test_fine.py").write_text("def test_fine():\n    assert True\n")
    done = run_pytest(tmp_path, ci="true")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SKIPPED" not in done.stdout


def test_system_deps_says_exactly_what_to_install_when_it_cannot(tmp_path):
    """tests/system-deps.sh (run by `make test`) without apt-get on the PATH: nothing to install with, so it names
    the packages and the command, and lets the run go on (pytest then lists what it skipped)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").symlink_to("/usr/bin/id")
    done = subprocess.run(
        ["/bin/bash", str(ROOT / "tests" / "system-deps.sh"), "no-such-tool-xyz"],
        timeout=60,
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    missing = next(line for line in done.stderr.splitlines() if "MISSING" in line)
    assert missing.split("MISSING ")[1].split(" — ")[0].split()[-1] == "no-such-tool-xyz"
    assert "sudo apt-get update && sudo apt-get install -y --no-install-recommends" in done.stderr
    assert "no-such-tool-xyz" in done.stderr.split("install -y --no-install-recommends")[1]
