#!/usr/bin/env bash
# Quality gates beyond the plain build, each in a copy of the tree so the
# variants do not disturb each other or the main build:
#
#	clang	 build with clang and -Werror, run the unit tests
#	asan	 build with gcc, AddressSanitizer and UndefinedBehaviorSanitizer
#		 (no recovery), run the unit and end-to-end tests
#	valgrind run the unit tests under valgrind: no errors, no definite leaks
#
#	tests/gates.sh [clang|asan|valgrind]...	(default: all three)
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
gates=${*:-clang asan valgrind}
work=$(mktemp -d /run/ssh-oauth-gates.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
status=0
passed=0
failed=0

# copy NAME: a clean copy of the tracked tree, sharing node_modules.
copy() {
	mkdir -p "$work/$1"
	git ls-files -z | xargs -0 cp --parents -t "$work/$1"
	ln -s "$top/tests/idp/node_modules" "$work/$1/tests/idp/node_modules"
	echo "$work/$1"
}

# note NAME STATUS: print the verdict; the run fails if any gate does.
note() {
	if [ "$2" = 0 ]; then
		echo "ok - gate $1"
		passed=$((passed + 1))
	else
		echo "not ok - gate $1"
		failed=$((failed + 1))
		status=1
	fi
}

for gate in $gates; do
	echo "== gate $gate"
	case $gate in
	clang)
		d=$(copy clang)
		make -s -C "$d" -j2 CC=clang WERROR=1 all &&
		    "$d/tests/run-tests.sh" unit
		note clang $?
		;;
	asan)
		d=$(copy asan)
		san="-fsanitize=address,undefined -fno-sanitize-recover=all"
		make -s -C "$d" -j2 WERROR=1 HARDEN=-fPIE \
		    CFLAGS="-O1 -g -fno-omit-frame-pointer $san" \
		    LDFLAGS="$san" all &&
		    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		    "$d/tests/run-tests.sh" tests
		note asan $?
		;;
	valgrind)
		make -s -j2 all &&
		    UNIT_WRAPPER="valgrind -q --error-exitcode=99
		    --leak-check=full --errors-for-leak-kinds=definite" \
		    tests/run-tests.sh unit
		note valgrind $?
		;;
	*)
		note "$gate (unknown)" 1
		;;
	esac
done
echo "$passed passed, $failed failed"
exit $status
