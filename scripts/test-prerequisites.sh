#!/bin/sh
# Runs before `npm test` (the `pretest` script): the system packages the tests need. Debian's Chromium runs the
# browser crawler's tests; redis-server runs the Redis queue backend's tests (each run starts its own on a free
# port). As root on Debian, what is missing is installed, as a CI machine needs; otherwise the run stops at once with
# one line naming the command to run. No test is skipped for want of them.
set -eu

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
missing="${missing# }"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing from Debian for the tests: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  exit 0
fi

echo "Missing for the tests: $(echo "$missing" | sed 's/ /, /g') — run: sudo apt-get install $missing" >&2
exit 1
