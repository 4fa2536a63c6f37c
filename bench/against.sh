#!/usr/bin/env bash
# bench/against.sh <revision> [rounds]
#
# `npm run bench` (phases 1 to 8: BENCH_ONLY=core) on the build of an older <revision> and on this
# checkout's build, alternately on one machine: `rounds` pairs on PostgreSQL (BENCH_DATABASE_URL,
# default postgresql://postgres@127.0.0.1:5432/bench_scratch, dropped and created before every run),
# then one pair on embedded PGlite. Both builds are measured by this checkout's bench/, so the
# figures are the same figures; the old build is made in a temporary git worktree with this
# checkout's node_modules, so it must build with today's dependencies. Each run's full table is
# kept in BENCH_AGAINST_OUT (default a temporary folder); the headline rows are printed at the end.
#
#   bench/against.sh 338bc23      # the README's before/after table (issue 10's starting point)
set -euo pipefail

revision=${1:?usage: bench/against.sh <revision> [rounds]}
rounds=${2:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
database_url=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/bench_scratch}
out=${BENCH_AGAINST_OUT:-$(mktemp -d -t bench-against-XXXXXX)}
old=$(mktemp -d -t bench-old-XXXXXX)
cleanup() { git -C "$here" worktree remove --force "$old" >/dev/null 2>&1 || rm -rf "$old"; }
trap cleanup EXIT

echo "building $revision in $old" >&2
git -C "$here" worktree add --force --detach "$old" "$revision" >/dev/null 2>&1
ln -s "$here/node_modules" "$old/node_modules"
rm -rf "$old/bench" && cp -r "$here/bench" "$old/bench"
build() { (cd "$1" && npm run build --silent >"$out/build-$2.log" 2>&1) || { echo "the build of $2 failed: $out/build-$2.log" >&2; exit 1; }; }
build "$old" "$revision"
build "$here" this-checkout

# The maintenance database of the bench's server, to drop and create the bench's database from.
admin_url=$(node -e 'const u = new URL(process.argv[1]); const name = u.pathname.slice(1); u.pathname = "/postgres"; console.log(u.href + " " + name)' "$database_url")
read -r admin name <<<"$admin_url"

run() { # label dir database(pg|pglite)
  sleep 30 # let the previous run's processes go and the CPUs cool
  echo "bench: $1" >&2
  if [ "$3" = pg ]; then
    psql -q "$admin" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\""
    (cd "$2" && BENCH_ONLY=core BENCH_DATABASE_URL="$database_url" node bench/run.js >"$out/$1.txt" 2>&1) || echo "bench: $1 failed (see $out/$1.txt)" >&2
  else
    (cd "$2" && BENCH_ONLY=core node bench/run.js >"$out/$1.txt" 2>&1) || echo "bench: $1 failed (see $out/$1.txt)" >&2
  fi
}

for round in $(seq 1 "$rounds"); do
  run "before-postgres-$round" "$old" pg
  run "after-postgres-$round" "$here" pg
done
run before-pglite "$old" pglite
run after-pglite "$here" pglite

headline='^onboarding|^WARNING|^\| (API  |raw-SQL|API / baseline|journeys  |CPU used|mutation latency, all|SQL statements per (page|journey)|database round|RSS after (start|[0-9]+ createClient)|stop)'
for file in "$out"/before-postgres-*.txt "$out"/after-postgres-*.txt "$out"/before-pglite.txt "$out"/after-pglite.txt; do
  echo
  label=$(basename "$file" .txt)
  case $label in after-*) build="this checkout" ;; *) build=$revision ;; esac
  echo "== $label ($build)"
  grep -E "$headline" "$file" | sed 's/  \+/ /g' || true
done
echo
echo "full tables: $out"
