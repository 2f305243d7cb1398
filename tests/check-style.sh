#!/usr/bin/env bash
# make check-style: the house rules a machine can check, on every C file
# in the tree (or on the files given). Prints each violation as
# file:line: rule, and fails if there is any.
#
# clang-format 14 cannot express OpenSSH's layout (tab-aligned struct
# members, the " out:" label, four-space continuation inside nested
# parentheses), so .clang-format serves editors and this script enforces
# the rules themselves.
set -u
cd "$(dirname "$0")/.." || exit 1
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(git ls-files '*.c' '*.h')
fi
[ ${#files[@]} -gt 0 ] || { echo "no C files"; exit 1; }

awk '
function columns(s,    i, c, n) {
	n = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		n = c == "\t" ? n + 8 - n % 8 : n + 1
	}
	return n
}
function report(rule) {
	printf "%s:%d: %s\n", FILENAME, FNR, rule
	bad++
}
{
	line = $0
	if (columns(line) > 80)
		report("longer than 80 columns")
	if (line ~ /[ \t]+$/)
		report("trailing white space")
	if (line ~ /^ +[^ *]/ && line !~ /^ [a-z_]+:$/ && line !~ /^    [^ ]/)
		report("indented with spaces, not tabs")
	if (line ~ /^\t* +\t/)
		report("space before tab in indentation")
	if (line ~ /(^|[^a-z_])(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|gets|strncpy|tmpnam|mktemp)[ \t]*\(/)
		report("banned call (use snprintf, strtoull with range checks, bounded copies)")
	if (line ~ /(TODO|FIXME)/)
		report("TODO/FIXME: say it in docs/KNOWN_BUGS.md instead")
	if (line ~ /^[^"]*\/\//)
		report("C++ comment")
	if (line ~ /^out:$/ || line ~ /^\t+out:$/)
		report("exit label must be \" out:\" (one space)")
	# A definition: name( at column 0 after a line holding only the type.
	if (line ~ /^[a-zA-Z_][a-zA-Z0-9_]* [a-zA-Z_*]+[a-zA-Z0-9_]*\(.*[^;]$/ &&
	    line !~ /^(static|extern|typedef|struct [a-z_]+ \{|return)/ &&
	    FILENAME ~ /\.c$/ && line !~ /;/ && line !~ /^(else|do)/)
		report("return type must be on its own line")
}
END { exit bad > 0 }
' "${files[@]}"
status=$?
if [ $status = 0 ]; then
	echo "check-style: ${#files[@]} files clean"
fi
exit $status
