#!/usr/bin/env bash
# Debian packages the browser and PDF tests need: headless Chromium (+ its driver), poppler (pdftoppm,
# pdftotext, and poppler-data to read the PDF's standard CJK font), and a CJK font so pages show Chinese.
# Idempotent: does nothing (not even `apt-get update`) when everything is installed. Arguments name more packages
# (the service benchmarks pass wrk).
set -euo pipefail

PACKAGES=(chromium chromium-driver poppler-utils poppler-data fonts-wqy-zenhei "$@")

missing=()
for package in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != "installed" ]; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    # not root (a developer's own machine): the browser tests skip, and say why; under CI they fail
    echo "system-packages: missing ${missing[*]}; run this script as root to install them" >&2
    exit 0
fi
echo "system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
