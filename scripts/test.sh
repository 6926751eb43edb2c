#!/usr/bin/env bash
# The whole test suite: static checks, then every test on SQLite with the race
# detector and again on a throwaway PostgreSQL, including the browser tests.
# A missing PostgreSQL or Chromium fails the run; it is never skipped.
#
# The PostgreSQL run is without the race detector: data races are in Go code
# and the SQLite run finds them; the second run is there for the SQL and the
# database's own locking, and halving its time keeps the suite well inside a
# 2-core CI machine's budget.
# For a quick SQLite-only run while developing: go test ./...
set -euo pipefail
cd "$(dirname "$0")/.."

export TSUNAGU_TEST_REQUIRE_BROWSER=1
GO_TEST_FLAGS=${GO_TEST_FLAGS:--count=1 -timeout 20m}
RACE_FLAGS=${RACE_FLAGS:--race}
logs=$(mktemp -d /tmp/tsunagu-test.XXXXXX)
trap 'rm -rf "$logs"' EXIT
start=$(date +%s)

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && [ -z "${TSUNAGU_CHROMIUM:-}" ]; then
	echo "Chromium is needed for the browser tests: apt-get install chromium (or set TSUNAGU_CHROMIUM)" >&2
	exit 1
fi

echo "== go vet"
go vet ./...
echo "== staticcheck"
go tool staticcheck ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi

total_pass=0
total_fail=0
run_suite() { # name, extra go test flags, command...
	local name=$1 extra=$2
	shift 2
	echo "== tests on $name"
	local t0 status=0
	t0=$(date +%s)
	"$@" go test $GO_TEST_FLAGS $extra -v ./... >"$logs/$name.log" 2>&1 || status=$?
	local pass fail skip
	pass=$(grep -cE '^\s*--- PASS' "$logs/$name.log" || true)
	fail=$(grep -cE '^\s*--- FAIL' "$logs/$name.log" || true)
	skip=$(grep -cE '^\s*--- SKIP' "$logs/$name.log" || true)
	grep -E '^(ok|FAIL|---|\?)\s' "$logs/$name.log" | grep -vE '^--- (PASS|SKIP)' || true
	if [ "$status" -ne 0 ]; then
		echo "---- failures on $name:"
		grep -E -B2 -A25 '^\s*--- FAIL|^panic:|^FAIL\s' "$logs/$name.log" | head -400
	fi
	echo "$name: $pass passed, $fail failed, $skip skipped ($(($(date +%s) - t0))s)"
	if [ "$skip" -gt 0 ]; then
		grep -E -A2 '^\s*--- SKIP' "$logs/$name.log" | head -40
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	[ "$status" -eq 0 ] || total_fail=$((total_fail > 0 ? total_fail : 1))
}

run_suite sqlite "$RACE_FLAGS" env
run_suite postgres "" scripts/with-postgres.sh

echo "suite took $(($(date +%s) - start))s"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
