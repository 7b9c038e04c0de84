#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright; install it when missing (never a download by Playwright).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing Debian's chromium for the browser tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is missing; install it (sudo apt-get install chromium) to run the browser tests" >&2
  exit 1
fi
