#!/usr/bin/env bash
# Benchmark: what ssh-oauth-authkeys costs a login, measured against a
# baseline in the same run (machines here are noisy, so only ratios and
# differences inside one run mean anything).
#
#  1. one warm-cache call of the command vs a trivial command printing a
#     fixed key line (target: at most 2 ms more);
#  2. a full ssh login through the command vs a login with a plain
#     authorized_keys file on the same sshd, both with the same client
#     options (target: ratio at most 1.05);
#  3. the same login through the helper's Match exec block, for the
#     client's share (ssh-oauth's warm path);
#  4. the warm path makes no network system call (strace).
#
#	tests/bench/authkeys.sh [CALLS] [LOGINS]
. "$(dirname "$0")/../e2e/lib.sh"
calls=${1:-300}
logins=${2:-40}
rig_start

ns() { date +%s%N; }

# A certificate with alice's token, and a plain key for the baseline.
ssh_as alice warm root@viaexec true || die "first login failed"
cert=$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1-cert.pub
key=$(key_b64 "$cert")
ssh-keygen -q -t ed25519 -N '' -f "$R/plain"
install -d -m 0755 "$R/akeys"
install -m 0644 "$R/plain.pub" "$R/akeys/root"
printf '#!/bin/sh\ncat %s\n' "$R/akeys/root" > "$R/libexec/trivial"
chmod 755 "$R/libexec/trivial"

# 1. Calls, interleaved so drift hits both alike.
real=0
base=0
for _ in $(seq 1 "$calls"); do
	t0=$(ns)
	"$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" root \
	    ssh-ed25519-cert-v01@openssh.com "$key" >/dev/null
	t1=$(ns)
	"$R/libexec/trivial" root ssh-ed25519 x >/dev/null
	t2=$(ns)
	real=$((real + t1 - t0))
	base=$((base + t2 - t1))
done
echo "call: ssh-oauth-authkeys $((real / calls / 1000)) us," \
    "trivial command $((base / calls / 1000)) us," \
    "extra $(((real - base) / calls / 1000)) us per call (target <= 2000)"

# 2. Logins: the same sshd, one user through the command, one through
# a plain authorized_keys file.
sed -i "s|^AuthorizedKeysFile none|AuthorizedKeysFile $R/akeys/%u|" \
    "$R/sshd_config"
kill -HUP "$SSHD_PID"
sleep 1
cp "$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1" "$R/oauth"
cp "$cert" "$R/oauth-cert.pub"
real=0
base=0
helper=0
for _ in $(seq 1 "$logins"); do
	t0=$(ns)
	ssh -F "$R/ssh_config" -i "$R/oauth" root@direct true
	t1=$(ns)
	ssh -F "$R/ssh_config" -i "$R/plain" root@direct true
	t2=$(ns)
	ssh -F "$R/ssh_config" root@viaexec true
	t3=$(ns)
	real=$((real + t1 - t0))
	base=$((base + t2 - t1))
	helper=$((helper + t3 - t2))
done
awk -v r="$real" -v b="$base" -v h="$helper" -v n="$logins" 'BEGIN {
	printf "login: through the command %.1f ms, plain authorized_keys " \
	    "%.1f ms, ratio %.3f (target <= 1.05)\n", r / n / 1e6,
	    b / n / 1e6, r / b
	printf "client: through ssh-oauth Match exec %.1f ms, plain key " \
	    "%.1f ms, %.1f ms more (ratio %.3f)\n", h / n / 1e6,
	    b / n / 1e6, (h - b) / n / 1e6, h / b }'

# 3. The warm path and the network.
if command -v strace >/dev/null; then
	strace -f -qq -e trace=socket,connect -o "$R/strace.out" \
	    "$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" root \
	    ssh-ed25519-cert-v01@openssh.com "$key" >/dev/null
	echo "network: $(grep -vc 'AF_UNIX' "$R/strace.out") non-local" \
	    "socket/connect calls on the warm path" \
	    "($(grep -c 'AF_UNIX' "$R/strace.out") to syslog's socket)"
fi
rig_finish
