#!/usr/bin/env bash
# Vendor labkit's front-end libraries from the npm registry into
# labkit/static/vendor/ so that a lab works fully offline (no CDN).
#
# Usage (from the repository root):   bash scripts/vendor-assets.sh
#         verify only, change nothing: bash scripts/vendor-assets.sh --check
#
# * Versions are pinned here, and the sha512 integrity of every tarball is
#   checked before anything is copied. package.json at the repository root
#   records the same exact versions; the script refuses to run if they differ.
# * Only the built distributable files are copied (minified JS, CSS, the images
#   the CSS needs) plus each package's licence, renamed LICENSE. No source maps
#   and no unminified duplicates; the trailing "//# sourceMappingURL=" comment
#   is removed from the JS files because the maps are not shipped.
# * Idempotent: each library folder is deleted and rebuilt, README.md and
#   SHA256SUMS are regenerated, so running it twice gives the same tree.
# * Needs: bash, npm, tar, sha256sum, openssl (or python3), base64.
#
# To upgrade a library: change its version AND integrity below (get them with
# `npm view NAME@VERSION dist.integrity`), update package.json, run the script,
# review `git diff --stat labkit/static/vendor`, and commit.
set -euo pipefail

CHECK_ONLY=0
WORK=""
if [[ "${1:-}" == "--check" ]]; then
    CHECK_ONLY=1
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--check]" >&2
    exit 2
fi

if [[ ! -f pyproject.toml || ! -d labkit/static ]]; then
    echo "vendor-assets.sh: run me from the repository root" >&2
    exit 2
fi

VENDOR=labkit/static/vendor

# ---------------------------------------------------------------------------
# Pinned libraries: folder|npm name|version|sha512 integrity|licence|homepage
# ---------------------------------------------------------------------------
LIBS=(
    "htmx|htmx.org|2.0.11|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==|0BSD|https://htmx.org/"
    "leaflet|leaflet|1.9.4|sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==|BSD-2-Clause|https://leafletjs.com/"
    "markercluster|leaflet.markercluster|1.5.3|sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==|MIT|https://github.com/Leaflet/Leaflet.markercluster"
    "chartjs|chart.js|4.6.1|sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==|MIT|https://www.chartjs.org/"
)

# Files to copy, per folder: "path/in/package/dist -> path/in/vendor/folder".
# The licence is handled separately.
files_for() {
    case "$1" in
        htmx)
            echo "dist/htmx.min.js htmx.min.js" ;;
        leaflet)
            echo "dist/leaflet.js leaflet.js"
            echo "dist/leaflet.css leaflet.css"
            for img in layers.png layers-2x.png marker-icon.png marker-icon-2x.png marker-shadow.png; do
                echo "dist/images/$img images/$img"
            done ;;
        markercluster)
            echo "dist/leaflet.markercluster.js leaflet.markercluster.js"
            echo "dist/MarkerCluster.css MarkerCluster.css"
            echo "dist/MarkerCluster.Default.css MarkerCluster.Default.css" ;;
        chartjs)
            # chart.umd.js and chart.umd.min.js are the same minified bundle in
            # 4.6.x; ship only one.
            echo "dist/chart.umd.min.js chart.umd.min.js" ;;
        *)
            echo "unknown library folder $1" >&2; return 1 ;;
    esac
}

licence_for() {
    case "$1" in
        htmx|leaflet) echo "LICENSE" ;;
        markercluster) echo "MIT-LICENCE.txt" ;;
        chartjs) echo "LICENSE.md" ;;
    esac
}

# ---------------------------------------------------------------------------
# package.json must record the same exact versions.
# ---------------------------------------------------------------------------
check_package_json() {
    local name version recorded
    for lib in "${LIBS[@]}"; do
        IFS='|' read -r _ name version _ _ _ <<<"$lib"
        recorded=$(python3 - "$name" <<'PY'
import json, sys
with open("package.json", encoding="utf-8") as fh:
    data = json.load(fh)
print(data.get("dependencies", {}).get(sys.argv[1], ""))
PY
)
        if [[ "$recorded" != "$version" ]]; then
            echo "package.json records $name@'$recorded' but this script pins $version" >&2
            return 1
        fi
    done
}

sha512_b64() {
    if command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha512 -binary "$1" | base64 -w0
    else
        python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode(), end="")' "$1"
    fi
}

write_readme() {
    local out="$1"
    {
        cat <<'EOF'
# Vendored front-end libraries

These files are copied verbatim from the npm registry packages listed below so
that a lab works offline and under a strict Content-Security-Policy
(`script-src 'self'`): no CDN is ever contacted. **Do not edit them by hand.**
They are produced by `scripts/vendor-assets.sh` (run from the repository root);
`bash scripts/vendor-assets.sh --check` verifies the tree against the pinned
tarballs without changing anything. The exact versions are also recorded in
the root `package.json`.

Only built distributable files are kept (minified JS, CSS, the images the CSS
needs) plus each package's licence as `LICENSE`. Source maps are not shipped,
so the trailing `//# sourceMappingURL=` comment is stripped from the JS files;
the files are otherwise byte-identical to the published package.
`SHA256SUMS` lists the checksum of every vendored file.

| Folder | Library (npm) | Version | Licence | Source | Files |
| --- | --- | --- | --- | --- | --- |
EOF
        local folder name version integrity licence homepage files
        for lib in "${LIBS[@]}"; do
            IFS='|' read -r folder name version integrity licence homepage <<<"$lib"
            files=$(files_for "$folder" | awk '{print $2}' | sed 's#^images/.*#images/*.png#' | sort -u | sed 's/.*/`&`/' | paste -sd ' ' | sed 's/` `/`, `/g')
            echo "| \`$folder/\` | [$name]($homepage) | $version | $licence | npm \`$name@$version\` ($integrity) | $files |"
        done
        cat <<'EOF'

Usage in templates (paths below the `/static/` mount):

- htmx: `vendor/htmx/htmx.min.js`. htmx injects an inline `<style>` for
  `.htmx-indicator` unless `htmx.config.includeIndicatorStyles` is false; with
  a strict `style-src` set it off via
  `<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>`
  (labkit.css already styles `.htmx-indicator`).
- Leaflet: `vendor/leaflet/leaflet.css` and `vendor/leaflet/leaflet.js`
  (the marker images are found relative to the CSS, in `vendor/leaflet/images/`).
- Leaflet.markercluster (load after Leaflet):
  `vendor/markercluster/MarkerCluster.css`,
  `vendor/markercluster/MarkerCluster.Default.css`,
  `vendor/markercluster/leaflet.markercluster.js`.
- Chart.js: `vendor/chartjs/chart.umd.min.js` (defines `window.Chart`).
EOF
    } >"$out"
}

build_tree() {
    # Build the full vendor tree into $1 (a scratch folder).
    local dest="$1" work="$2"
    local folder name version integrity licence homepage tgz got src dst
    mkdir -p "$dest"
    for lib in "${LIBS[@]}"; do
        IFS='|' read -r folder name version integrity licence homepage <<<"$lib"
        echo "vendor-assets: $name@$version -> $VENDOR/$folder/" >&2
        (cd "$work" && npm pack --silent --pack-destination "$work" "$name@$version" >/dev/null)
        tgz="$work/$name-$version.tgz"
        [[ -f "$tgz" ]] || { echo "npm pack did not produce $tgz" >&2; return 1; }
        got="sha512-$(sha512_b64 "$tgz")"
        if [[ "$got" != "$integrity" ]]; then
            echo "integrity mismatch for $name@$version:" >&2
            echo "  expected $integrity" >&2
            echo "  got      $got" >&2
            return 1
        fi
        mkdir -p "$work/$folder"
        tar -xzf "$tgz" -C "$work/$folder"
        mkdir -p "$dest/$folder"
        while read -r src dst; do
            mkdir -p "$(dirname "$dest/$folder/$dst")"
            if [[ "$dst" == *.js ]]; then
                # Drop the source-map pointer (maps are not shipped); keep the
                # rest byte-identical.
                sed -e '/^\/\/# sourceMappingURL=.*$/d' "$work/$folder/package/$src" >"$dest/$folder/$dst"
            else
                cp "$work/$folder/package/$src" "$dest/$folder/$dst"
            fi
            chmod 0644 "$dest/$folder/$dst"
        done < <(files_for "$folder")
        cp "$work/$folder/package/$(licence_for "$folder")" "$dest/$folder/LICENSE"
        chmod 0644 "$dest/$folder/LICENSE"
    done
    write_readme "$dest/README.md"
    (cd "$dest" && find . -type f ! -name SHA256SUMS | LC_ALL=C sort | sed 's#^\./##' | xargs sha256sum >SHA256SUMS)
}

main() {
    command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
    check_package_json

    WORK=$(mktemp -d "${TMPDIR:-/tmp}/labkit-vendor.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    local work="$WORK"
    build_tree "$work/out" "$work"

    if [[ $CHECK_ONLY -eq 1 ]]; then
        if diff -r "$work/out" "$VENDOR" >/dev/null 2>&1; then
            echo "vendor-assets: $VENDOR is up to date" >&2
            return 0
        fi
        echo "vendor-assets: $VENDOR differs from the pinned packages:" >&2
        diff -rq "$work/out" "$VENDOR" >&2 || true
        return 1
    fi

    # Replace only what this script owns, then install the fresh tree.
    mkdir -p "$VENDOR"
    local folder
    for lib in "${LIBS[@]}"; do
        IFS='|' read -r folder _ <<<"$lib"
        rm -rf "${VENDOR:?}/$folder"
        cp -R "$work/out/$folder" "$VENDOR/$folder"
    done
    cp "$work/out/README.md" "$work/out/SHA256SUMS" "$VENDOR/"
    echo "vendor-assets: done ($(du -sh "$VENDOR" | cut -f1) in $VENDOR)" >&2
}

main
