#!/usr/bin/env bash
# Make the distribution's Chromium available for the browser tests (never a downloaded
# browser): install the system package when missing and export BSC_CHROMIUM with its path.
# Source it: `. .ci/chromium.sh`.
set -euo pipefail

if [ -z "${BSC_CHROMIUM:-}" ]; then
    chromium=$(command -v chromium || command -v chromium-browser || true)
    if [ -z "$chromium" ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        chromium=$(command -v chromium || command -v chromium-browser)
    fi
    export BSC_CHROMIUM="$chromium"
fi
