#!/usr/bin/env bash
# The Debian packages the tests drive, installed when missing (`make test` runs this first).
#   chromium    the browser tests (Playwright drives /usr/bin/chromium)
#   postgresql  the TLS and Neon-pooler tests (the embedded PostgreSQL build has no TLS)
#   pgbouncer   the Neon-pooler tests (PgBouncer in transaction mode)
#   wrk         the benchmark smoke test
# Extra package names may be given as arguments (.ci/run adds `make`).
# Installs with apt-get as root or through passwordless sudo; otherwise prints what to install and carries on:
# pytest then reports the tests it had to skip (and fails under CI=true).
set -uo pipefail

present() {  # is the package's program there? (the paths the tests look for)
  case "$1" in
    chromium) [ -x /usr/bin/chromium ] ;;
    postgresql) compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null ;;
    pgbouncer) command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] ;;
    *) command -v "$1" >/dev/null ;;
  esac
}

missing=()
for package in chromium postgresql pgbouncer wrk "$@"; do
  present "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n)
else sudo=(none); fi

if command -v apt-get >/dev/null && [ "${sudo[0]:-}" != none ]; then
  echo "system-deps: installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if "${sudo[@]}" apt-get update -qq && \
     "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    still=()
    for package in "${missing[@]}"; do present "$package" || still+=("$package"); done
    [ ${#still[@]} -eq 0 ] && exit 0
    missing=("${still[@]}")
  fi
  echo "system-deps: apt-get could not install everything" >&2
fi

{
  echo "================================================================================================"
  echo "system-deps: MISSING ${missing[*]} — the tests that need them will be SKIPPED."
  echo "Install them (Debian/Ubuntu), then run make test again:"
  echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  echo "================================================================================================"
} >&2
exit 0
