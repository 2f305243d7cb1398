#!/usr/bin/env bash
# Login storm: 300 real ssh logins, 30 at once, through
# ssh-oauth-authkeys with one certificate the helper made once; then the
# same storm with a plain authorized_keys file on the same sshd. Zero
# failures required; median and p99 login times and their ratio are
# printed, not asserted.
#
#	tests/stress/storm.sh [LOGINS] [AT_ONCE]
. "$(dirname "$0")/../e2e/lib.sh"
logins=${1:-300}
at_once=${2:-30}
rig_start

# sshd_reload: HUP sshd and wait until it listens again.
sshd_reload() {
	kill -HUP "$SSHD_PID"
	sleep 0.5
	for _ in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$SSHD_PORT") 2>/dev/null && return 0
		sleep 0.1
	done
	die "sshd did not come back after HUP"
}

# storm KEY NAME: $logins logins as root@direct with KEY, $at_once at
# a time; one line "STATUS MS" per login in $R/NAME.times.
storm() {
	: > "$R/$2.times"
	# shellcheck disable=SC2016
	seq 1 "$logins" | xargs -P "$at_once" -I{} bash -c '
	    t0=$(date +%s%N)
	    ssh -F "$1" -i "$2" root@direct true </dev/null >/dev/null \
		2>>"$3.err"
	    s=$?
	    echo "$s $((($(date +%s%N) - t0) / 1000000))" >> "$3.times"' \
	    _ "$R/ssh_config" "$1" "$R/$2"
}

# pct NAME P: the P-th percentile (nearest rank) of NAME's login times.
pct() {
	awk '{ print $2 }' "$R/$1.times" | sort -n |
	    awk -v p="$2" '{ v[NR] = $1 } END {
	    i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'
}

failures() {
	awk '$1 != 0' "$R/$1.times" | wc -l
}

# 30 at once need more than sshd's default 10:30:100 unauthenticated
# connections.
cat >> "$R/sshd_config" <<CONF
MaxStartups 100:30:200
MaxSessions 100
CONF
sshd_reload

ssh_as alice warm root@viaexec true ||
    die "the first login failed: $(cat "$R/warm.err")"
cp "$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1" "$R/oauth"
cp "$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1-cert.pub" "$R/oauth-cert.pub"
ssh-keygen -q -t ed25519 -N '' -f "$R/plain"
install -d -m 0755 "$R/akeys"
install -m 0644 "$R/plain.pub" "$R/akeys/root"

start=$(date +%s)
storm "$R/oauth" oauth
check_eq "$logins logins ($at_once at once) through the command: none failed" \
    0 "$(failures oauth)"
check_eq "every login of the storm was timed" "$logins" \
    "$(wc -l < "$R/oauth.times")"
echo "# oauth storm took $(( $(date +%s) - start )) s"

sed -i "s|^AuthorizedKeysFile none|AuthorizedKeysFile $R/akeys/%u|" \
    "$R/sshd_config"
sshd_reload
start=$(date +%s)
storm "$R/plain" plain
check_eq "$logins logins ($at_once at once), authorized_keys: none failed" \
    0 "$(failures plain)"
echo "# plain storm took $(( $(date +%s) - start )) s"

om=$(pct oauth 50); op=$(pct oauth 99)
pm=$(pct plain 50); pp=$(pct plain 99)
awk -v om="$om" -v op="$op" -v pm="$pm" -v pp="$pp" 'BEGIN {
	printf "# storm: ssh-oauth-authkeys median %d ms p99 %d ms; " \
	    "authorized_keys median %d ms p99 %d ms; ratio median %.2f " \
	    "p99 %.2f\n", om, op, pm, pp, om / pm, op / pp }'
for f in oauth plain; do
	if [ "$(failures $f)" != 0 ]; then
		echo "# $f failures, last errors:"
		tail -5 "$R/$f.err" | sed 's/^/#   /'
	fi
done
rig_finish
