#!/usr/bin/env bash
# A key set refresh racing verifications: `ssh-oauth-authkeys refresh`
# runs in a loop as the ssh-oauth account against the live provider
# while 4 loops call the command as sshd would, 400 calls in all; every
# call must print the key line, so no reader ever sees a partial cache.
#
#	tests/stress/refresh-race.sh [CALLS_PER_LOOP]
. "$(dirname "$0")/../e2e/lib.sh"
calls=${1:-100}
loops=4
rig_start
chown ssh-oauth "$R/cache"

token=$(idp_token alice) || die "no token"
keygen_cert "$R/user" root "$token"
key=$(key_b64 "$R/user-cert.pub")
check_eq "a call before the race prints the key line" "cert-authority" \
    "$(akc root ssh-ed25519-cert-v01@openssh.com "$key" 2>/dev/null |
    cut -d, -f1)"

mtime0=$(stat -c %y "$R/cache/jwks.json")
# The refresher: as the command's own account, until told to stop.
touch "$R/refreshing"
(
	n=0
	while [ -e "$R/refreshing" ]; do
		if runuser -u ssh-oauth -- "$R/libexec/ssh-oauth-authkeys" \
		    -f "$R/etc/authkeys.conf" refresh 2>>"$R/refresh.err"; then
			n=$((n + 1))
		else
			echo "refresh failed" >> "$R/refresh.err"
		fi
	done
	echo "$n" > "$R/refreshes"
) &
refresher=$!

pids=
for l in $(seq 1 "$loops"); do
	(
		for _ in $(seq 1 "$calls"); do
			out=$(akc root ssh-ed25519-cert-v01@openssh.com "$key" \
			    2>>"$R/calls$l.err")
			case $out in
			cert-authority,*) echo ok ;;
			*) echo "bad: status $? output [$out]" ;;
			esac
		done > "$R/calls$l.out"
	) &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done
rm -f "$R/refreshing"
wait "$refresher"

total=$((loops * calls))
check_eq "$total calls during refreshes all printed the key line" "$total" \
    "$(cat "$R"/calls*.out | grep -c '^ok$')"
grep -h '^bad' "$R"/calls*.out | head -5 | sed 's/^/#   /'
n=$(cat "$R/refreshes")
if [ "$n" -ge 2 ]; then
	pass "the refresher ran $n times during the calls"
else
	fail "the refresher ran only $n times during the calls"
fi
check_eq "no refresh failed" 0 "$(grep -c 'refresh failed' "$R/refresh.err")"
check_eq "the cache belongs to ssh-oauth after the race" ssh-oauth \
    "$(stat -c %U "$R/cache/jwks.json")"
find "$R/cache" -mindepth 1 ! -regex '.*/jwks\.json\(\.uri\|\.lock\)?' \
    > "$R/cache.left"
check_eq "no temporary file is left in the cache directory" "" \
    "$(cat "$R/cache.left")"
check_eq "the refreshes rewrote the file during the race" yes \
    "$(if [ "$(stat -c %y "$R/cache/jwks.json")" != "$mtime0" ]; then
    echo yes; else echo no; fi)"
rig_finish
