#!/usr/bin/env bash
# Run the unit tests, then the end-to-end tests, and print one closing
# line "N passed, N failed" summing every test case.
#
#	tests/run-tests.sh		everything
#	tests/run-tests.sh unit		unit tests only
#	tests/run-tests.sh e2e		end-to-end tests only
#	tests/run-tests.sh tests		unit and end-to-end tests only
#	tests/run-tests.sh NAME		tests whose file name contains NAME
#
# With no argument it also runs the gates (tests/gates.sh) and a short
# fuzzing run (tests/fuzz/run.sh, FUZZ_CHECK_TIME seconds per target).
set -u
cd "$(dirname "$0")/.." || exit 1
filter=${1:-}
passed=0
failed=0
broken=()

# tally NAME LOG STATUS: add a test program's closing line to the sums.
tally() {
	local line p f
	line=$(grep -E '^#? ?[0-9]+ passed, [0-9]+ failed' "$2" | tail -1)
	if [ -z "$line" ]; then
		echo "$1: no result line (status $3)"
		failed=$((failed + 1))
		broken+=("$1")
		return
	fi
	p=$(echo "$line" | sed -E 's/^#? ?([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		failed=$((failed + 1))
		broken+=("$1")
	elif [ "$f" != 0 ]; then
		broken+=("$1")
	fi
}

run() {
	local name=$1 log
	shift
	case $filter in
	""|unit|e2e|tests) ;;
	*) case $name in *"$filter"*) ;; *) return ;; esac ;;
	esac
	log=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	tally "$name" "$log" "${PIPESTATUS[0]}"
	rm -f "$log"
}

if [ "$filter" != e2e ]; then
	for t in tests/unit/test-*; do
		[ -x "$t" ] && [ "${t%.c}" = "$t" ] || continue
		run "unit/$(basename "$t")" ${UNIT_WRAPPER:-} "$t"
	done
fi
if [ "$filter" != unit ]; then
	for t in tests/e2e/*.sh; do
		[ "$(basename "$t")" = lib.sh ] && continue
		run "e2e/$(basename "$t" .sh)" bash "$t"
	done
fi

if [ -z "$filter" ]; then
	run gates tests/gates.sh
	run fuzz tests/fuzz/run.sh "${FUZZ_CHECK_TIME:-15}"
fi

if [ ${#broken[@]} -gt 0 ]; then
	echo "failing: ${broken[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
