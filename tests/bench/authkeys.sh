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
#  3. the same login through the helper's Match exec block, against the
#     same certificate given to ssh directly: the client's share, the
#     helper's warm path (target: a few milliseconds);
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
# a plain authorized_keys file; and a second sshd, alike but for its
# command, a trivial one printing the same line: the floor for any
# AuthorizedKeysCommand, since sshd runs one twice per login.
sed -i "s|^AuthorizedKeysFile none|AuthorizedKeysFile $R/akeys/%u|" \
    "$R/sshd_config"
kill -HUP "$SSHD_PID"
line=$("$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" root \
    ssh-ed25519-cert-v01@openssh.com "$key")
printf '#!/bin/sh\necho '"'"'%s'"'"'\n' "$line" > "$R/libexec/fixed-line"
chmod 755 "$R/libexec/fixed-line"
port2=$(free_port)
sed -e "s|^Port .*|Port $port2|" -e "s|^PidFile .*|PidFile $R/sshd2.pid|" \
    -e "s|^AuthorizedKeysCommand .*|AuthorizedKeysCommand $R/libexec/fixed-line|" \
    "$R/sshd_config" > "$R/sshd2_config"
"$SSHD" -D -e -f "$R/sshd2_config" 2>"$R/sshd2.log" &
sshd2=$!
printf 'Host floor\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentitiesOnly yes\n\tIdentityAgent none\n' \
    "$port2" >> "$R/ssh_config"
sleep 1
cp "$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1" "$R/oauth"
cp "$cert" "$R/oauth-cert.pub"
real=0
base=0
floor=0
helper=0

# login KIND: one login of that kind, its time added to the kind's sum.
login() {
	local t0 t1
	t0=$(ns)
	case $1 in
	real)	ssh -F "$R/ssh_config" -i "$R/oauth" root@direct true ;;
	base)	ssh -F "$R/ssh_config" -i "$R/plain" root@direct true ;;
	helper)	ssh -F "$R/ssh_config" root@viaexec true ;;
	floor)	ssh -F "$R/ssh_config" -i "$R/oauth" root@floor true ;;
	esac
	t1=$(ns)
	eval "$1=\$(($1 + t1 - t0))"
}

# Each round runs the four kinds in a rotated order, so no kind always
# follows the same one.
kinds="real base helper floor"
for i in $(seq 1 "$logins"); do
	set -- $kinds
	for _ in $(seq 1 $((i % 4))); do
		set -- "$@" "$1"
		shift
	done
	for kind in "$@"; do
		login "$kind"
	done
done
kill "$sshd2"
wait "$sshd2" 2>/dev/null
awk -v r="$real" -v b="$base" -v h="$helper" -v f="$floor" -v n="$logins" '
    BEGIN {
	printf "login: through the command %.1f ms, plain authorized_keys " \
	    "%.1f ms, ratio %.3f (target <= 1.05)\n", r / n / 1e6,
	    b / n / 1e6, r / b
	printf "login: through a command printing a fixed line %.1f ms " \
	    "(ratio %.3f to authorized_keys); ours to it: ratio %.3f\n",
	    f / n / 1e6, f / b, r / f
	printf "client: through ssh-oauth Match exec %.1f ms, the same " \
	    "certificate given to ssh directly %.1f ms: the helper adds " \
	    "%.1f ms\n", h / n / 1e6, r / n / 1e6, (h - r) / n / 1e6 }'

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
