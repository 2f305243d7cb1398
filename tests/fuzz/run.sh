#!/usr/bin/env bash
# Build the libFuzzer targets with clang, ASan and UBSan in a copy of the
# tree, and run each for SECONDS (default 20) from the corpus in
# tests/fuzz/corpus/TARGET. With FUZZ_KEEP=1 (make fuzz) new inputs are
# added to that corpus; otherwise it is left untouched. A crash stops
# the run and leaves the input in tests/fuzz/crash-*: turn it into a
# unit test before fixing it.
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
seconds=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
passed=0
failed=0

git ls-files -z | xargs -0 cp --parents -t "$work"
make -s -C "$work" -j2 CC=clang HARDEN=-fPIE \
    CFLAGS="-O1 -g -fno-omit-frame-pointer $san" \
    LDFLAGS="-fsanitize=address,undefined" fuzz-targets || exit 1

for target in jws sshcert policy; do
	new=$work/new-$target
	mkdir -p "$new" "$top/tests/fuzz/corpus/$target"
	[ -n "${FUZZ_KEEP:-}" ] && new=$top/tests/fuzz/corpus/$target
	echo "== fuzz $target for ${seconds}s"
	if "$work/tests/fuzz/fuzz-$target" -max_total_time="$seconds" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$top/tests/fuzz/crash-$target-" \
	    "$new" "$top/tests/fuzz/corpus/$target" >"$work/$target.log" 2>&1
	then
		grep -E 'stat::number_of_executed_units|cov:' \
		    "$work/$target.log" | tail -2
		echo "ok - fuzz-$target ran ${seconds}s without a crash"
		passed=$((passed + 1))
	else
		tail -40 "$work/$target.log"
		echo "not ok - fuzz-$target found a crash"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
