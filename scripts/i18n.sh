#!/usr/bin/env bash
# Extract the translatable messages of labkit (or of a plugin package) and update its catalogs.
# A thin wrapper of `labkit i18n update` (see docs/translations.md), kept for a checkout:
#   scripts/i18n.sh                       the core (labkit/)
#   scripts/i18n.sh plugins/labkit_mapping a built-in plugin
#   scripts/i18n.sh path/to/labkit_hello   any plugin package
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=python3
[ -x "$root/.venv/bin/python" ] && python="$root/.venv/bin/python"
exec "$python" -m labkit i18n update "${1:-$root/labkit}"
