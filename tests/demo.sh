#!/usr/bin/env bash
# make demo: the whole product on this machine. Starts the test provider
# and an sshd on loopback, runs ssh through ssh-oauth, shows the sign-in
# prompt, approves it (or waits for you with DEMO_INTERACTIVE=1), logs in
# and shows who the server let in. Stops everything it started.
. "$(dirname "$0")/e2e/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "starting the test identity provider, sshd and ssh-oauth-authkeys"
rig_start
echo "provider: $ISSUER"
echo "sshd:     127.0.0.1 port $SSHD_PORT, AuthorizedKeysCommand" \
    "$R/libexec/ssh-oauth-authkeys"
echo "policy:   $(grep -v '^#' "$R/etc/policy" | head -1)"

say "ssh root@127.0.0.1 through ssh-oauth (Match exec)"
# script(1) gives ssh a terminal, so the QR code shows, and a copy of
# what it printed, from which the code is read to approve it.
: > "$R/demo.log"
script -qfec "ssh -F $R/ssh_config root@viaexec 'echo; echo remote id: \$(id)'" \
    "$R/demo.log" </dev/null &
pid=$!
if [ -n "${DEMO_INTERACTIVE:-}" ]; then
	echo "(open the URL above, sign in as alice or bob, any password)"
	wait "$pid"
	status=$?
else
	code=
	for _ in $(seq 1 200); do
		code=$(sed 's/\x1b\[[0-9;]*m//g' "$R/demo.log" |
		    sed -n 's/^  Code:  \([A-Z-]*\).*/\1/p' | tail -1)
		[ -n "$code" ] && break
		sleep 0.1
	done
	[ -n "$code" ] || die "no device code appeared"
	sleep 1
	say "approving code $code as alice (member of ssh-admins)"
	approve "$code" alice
	wait "$pid"
	status=$?
fi
[ "$status" = 0 ] || die "ssh failed with status $status"

say "what the server verified"
akc root ssh-ed25519-cert-v01@openssh.com \
    "$(key_b64 "$XDG_CACHE_HOME"/ssh-oauth/keys/root@127.0.0.1-cert.pub)" \
    2>&1 >/dev/null | sed 's/ jti .*//'

say "a second ssh: the cached token, no prompt"
ssh -F "$R/ssh_config" root@viaexec 'echo remote user: $(id -un)'

say "done; stopping the provider and sshd"
