#!/bin/sh
# The browser tests need Debian's chromium, the catalogue check needs GNU gettext (xgettext).
# Installs them where missing and we are root; otherwise says what to install and fails.
missing=""
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing="$missing chromium"
command -v xgettext >/dev/null 2>&1 || missing="$missing gettext"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || exit 1
    exit 0
fi
echo "The test suite needs these Debian packages:$missing" >&2
echo "Install them with: sudo apt-get install$missing" >&2
exit 1
