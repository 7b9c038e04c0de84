#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright's driver (a bundled node program). Make sure both
# start: install Debian's chromium and every shared library either lacks (e.g. libatomic1, which the driver
# needs and chromium does not pull in). Never a browser download by Playwright.
# Usage: ensure_chromium.sh [python-of-the-venv]
set -euo pipefail
PY=${1:-.venv/bin/python}
export DEBIAN_FRONTEND=noninteractive

driver_node() {
  "$PY" -c 'import os, playwright; print(os.path.join(os.path.dirname(playwright.__file__), "driver", "node"))'
}

# Shared libraries the programs cannot find, one soname a line.
missing_libs() {
  local program
  for program in "$@"; do
    [ -e "$program" ] && ldd "$program" 2>/dev/null | awk '/=> not found/ {print $1}'
  done | sort -u
}

# Debian names a library's package after its soname: libatomic.so.1 -> libatomic1, libfoo-2.so -> libfoo-2.
package_for() {
  local base=${1%%.so*} version=${1#*.so}
  version=${version#.}; version=${version%%.*}
  base=${base//_/-}
  if [[ $base =~ [0-9]$ && -n $version ]]; then echo "$base-$version"; else echo "$base$version"; fi
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "browser tests need Debian packages: run sudo apt-get install $*, then make test again" >&2
    exit 1
  fi
  echo "installing Debian packages for the browser tests with apt-get (needs the Debian package mirror): $*"
  apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
}

command -v chromium >/dev/null 2>&1 || apt_install chromium

NODE=$(driver_node)
programs=("$NODE" "$(readlink -f "$(command -v chromium)")" /usr/lib/chromium/chromium)
missing=$(missing_libs "${programs[@]}")
if [ -n "$missing" ]; then
  packages=$(for lib in $missing; do package_for "$lib"; done | sort -u)
  # shellcheck disable=SC2086 # one word per package
  apt_install $packages
  still=$(missing_libs "${programs[@]}")
  if [ -n "$still" ]; then
    echo "browser tests: still missing shared libraries after installing $packages: $still" >&2
    exit 1
  fi
fi

# The real check: both programs start.
"$NODE" --version >/dev/null || { echo "browser tests: Playwright's driver ($NODE) does not start" >&2; exit 1; }
chromium --headless --no-sandbox --version >/dev/null 2>&1 || {
  echo "browser tests: chromium is installed but does not start (chromium --version fails)" >&2; exit 1; }
