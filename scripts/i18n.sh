#!/usr/bin/env bash
# Extract the translatable messages of labkit (or of a plugin package) and update its catalogs.
#   scripts/i18n.sh                       the core (labkit/)
#   scripts/i18n.sh plugins/labkit_mapping a built-in plugin
#   scripts/i18n.sh path/to/labkit_hello   any plugin package
# Catalogs: <package>/locale/<lang>/LC_MESSAGES/messages.po for pt_BR, es, fr and en.
# labkit compiles .po files in memory at start; `pybabel compile -d <package>/locale` is optional.
set -euo pipefail
package=${1:-labkit}
root=$(cd "$(dirname "$0")/.." && pwd)
pot="$package/locale/messages.pot"
mkdir -p "$package/locale"
pybabel extract -F "$root/babel.cfg" -k N_ -k gettext -k ngettext:1,2 --no-location --sort-output \
  --project labkit -o "$pot" "$package"
for lang in pt_BR es fr en; do
  if [ -f "$package/locale/$lang/LC_MESSAGES/messages.po" ]; then
    pybabel update --no-fuzzy-matching -i "$pot" -d "$package/locale" -l "$lang"
  else
    pybabel init -i "$pot" -d "$package/locale" -l "$lang"
  fi
done
