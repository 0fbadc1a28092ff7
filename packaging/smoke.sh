#!/usr/bin/env bash
# Smoke check of the BUILT app, headless: it creates a project, generates one tiny take through the
# engine worker (a spawned child of the frozen executable), puts the shot on the cut, exports the
# cut to MP4, opens the window offscreen until its first paint, and exits 0. No Python needed here:
# only the app.
#
#   bash packaging/smoke.sh                    # tests dist/director/director
#   bash packaging/smoke.sh path/to/director   # another build (e.g. an installed one)
#   KEEP=1 bash packaging/smoke.sh             # keep the work folder to look at
set -euo pipefail
cd "$(dirname "$0")/.."
APP=${1:-dist/director/director}
[ -x "$APP" ] || { echo "smoke: no app at $APP (run packaging/build.sh)" >&2; exit 1; }
APP=$(cd "$(dirname "$APP")" && pwd)/$(basename "$APP")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/director-smoke.XXXXXX")
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "smoke: kept $WORK"; fi; }
trap cleanup EXIT
cd "$WORK"
# No user config or cache from this machine leaks in; no display needed.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache"
export QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1
mkdir -p "$HOME"

step() { echo "== $*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

step "version"
t0=$(now); "$APP" --version; t1=$(now)
echo "   --version took $(secs "$t0" "$t1") s"

step "project"
"$APP" new film.director --fps 24 --size 256x160 >/dev/null
"$APP" shot add film.director 1A --title "Smoke" --seconds 1 >/dev/null
"$APP" prompt set film.director 1A --subject "a lighthouse" --action "at dusk" >/dev/null
[ -f film.director ] || fail "director new wrote no film.director"

step "generate one tiny take through the engine worker"
t0=$(now)
rc=0; "$APP" generate film.director --shot 1A --preset "${SMOKE_PRESET:-tiny-t2v}" --variants 1 --json > generate.json || rc=$?
[ "$rc" = 0 ] || { cat generate.json >&2; fail "director generate exited $rc"; }
t1=$(now)
echo "   generate took $(secs "$t0" "$t1") s"
grep -q '"state": "done"' generate.json || { cat generate.json >&2; fail "the job did not finish"; }
grep -q '"media": "' generate.json || { cat generate.json >&2; fail "the job wrote no take"; }
media=$(sed -n 's/.*"media": "\([^"]*\)".*/\1/p' generate.json | head -1)
[ -s "film.director-media/$media" ] || fail "the take's media file film.director-media/$media is missing"

step "cut and export"
"$APP" cut add film.director 1A >/dev/null
t0=$(now)
rc=0; "$APP" export cut film.director -o out.mp4 --no-progress --json > export.json || rc=$?
[ "$rc" = 0 ] || { cat export.json >&2; fail "director export cut exited $rc"; }
t1=$(now)
echo "   export took $(secs "$t0" "$t1") s"
[ -s out.mp4 ] || fail "out.mp4 is missing or empty"
# An MP4 starts with a box whose type is 'ftyp' (bytes 4-8).
[ "$(head -c 8 out.mp4 | tail -c 4)" = "ftyp" ] || fail "out.mp4 is not an MP4 file"
grep -q '"frames": 24' export.json || { cat export.json >&2; fail "the cut has not 24 frames"; }
echo "   out.mp4: $(wc -c < out.mp4) bytes, $(tr -d '\n ' < export.json)"

step "window (offscreen, quits after its first paint)"
t0=$(now)
rc=0; DIRECTOR_QUIT_AFTER_FIRST_PAINT=1 timeout 120 "$APP" film.director 2> window.log || rc=$?
[ "$rc" = 0 ] || { cat window.log >&2; fail "the window exited $rc"; }
t1=$(now)
grep -q "first paint after" window.log || { cat window.log >&2; fail "the window never painted"; }
echo "   $(grep -o 'first paint after [0-9.]* s' window.log); process $(secs "$t0" "$t1") s in all"

echo "smoke: OK"
