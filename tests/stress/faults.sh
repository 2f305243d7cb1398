#!/usr/bin/env bash
# Provider faults during a storm of logins (60, 10 at once): the provider
# stopped, answering slowly (accepts, never answers), answering garbage.
# With a warm key set cache and valid tokens every login succeeds, and
# none takes longer than fetch_timeout plus a margin. During the slow
# phase, tokens naming a kid the cache lacks are refused within the
# same deadline.
#
#	tests/stress/faults.sh [LOGINS] [AT_ONCE]
. "$(dirname "$0")/../e2e/lib.sh"
logins=${1:-60}
at_once=${2:-10}
bound_ms=15000
FAKE_PID=
rig_start
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; rig_cleanup' EXIT
chown ssh-oauth "$R/cache"
cat >> "$R/etc/authkeys.conf" <<CONF
fetch_timeout 2000
fetch_interval 0
CONF
cat >> "$R/sshd_config" <<CONF
MaxStartups 100:30:200
CONF
kill -HUP "$SSHD_PID"
sleep 1

# storm NAME: $logins logins with the helper's certificate, $at_once at a
# time, "STATUS MS" per login in $R/NAME.times.
storm() {
	: > "$R/$1.times"
	# shellcheck disable=SC2016
	seq 1 "$logins" | xargs -P "$at_once" -I{} bash -c '
	    t0=$(date +%s%N)
	    ssh -F "$1" -i "$2" root@direct true </dev/null >/dev/null \
		2>>"$3.err"
	    s=$?
	    echo "$s $((($(date +%s%N) - t0) / 1000000))" >> "$3.times"' \
	    _ "$R/ssh_config" "$R/oauth" "$R/$1"
}

slowest() {
	awk '{ print $2 }' "$R/$1.times" | sort -n | tail -1
}

check_storm() {
	local bad max
	bad=$(awk '$1 != 0' "$R/$1.times" | wc -l)
	max=$(slowest "$1")
	check_eq "$2: $logins logins, none failed" "0 $logins" \
	    "$bad $(wc -l < "$R/$1.times")"
	if [ "${max:-999999}" -lt "$bound_ms" ]; then
		pass "$2: the slowest login took $max ms (< $bound_ms)"
	else
		fail "$2: the slowest login took $max ms (>= $bound_ms)"
	fi
	[ "$bad" = 0 ] || tail -5 "$R/$1.err" | sed 's/^/#   /'
}

# fake_start MODE: in place of the provider, on its port, a server that
# accepts and never answers (hang) or answers 200 with garbage (garbage).
fake_start() {
	node -e 'const [port, mode] = process.argv.slice(1);
	    const junk = Buffer.from("\x00{\"keys\":[{\"kty\":\"RSA\"," +
	        "\u00ff<html>garbage</html>]]]\n".repeat(50));
	    const srv = require("net").createServer(c => {
	        c.on("error", () => {});
	        if (mode === "hang") return;
	        c.once("data", () => c.end("HTTP/1.1 200 OK\r\n" +
	            "Content-Type: application/json\r\nContent-Length: " +
	            junk.length + "\r\nConnection: close\r\n\r\n" + junk));
	    }).listen(Number(port), "127.0.0.1", () => console.log("up"));' \
	    "$IDP_PORT" "$1" > "$R/fake.out" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 1 50); do
		grep -q up "$R/fake.out" && return 0
		sleep 0.1
	done
	die "the $1 server did not start: $(cat "$R/fake.out")"
}

fake_stop() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}

# A valid token from the helper, and a token signed by a key nobody
# publishes (its kid is unknown to the cache), same claims otherwise.
ssh_as alice warm root@viaexec true ||
    die "the first login failed: $(cat "$R/warm.err")"
cp "$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1" "$R/oauth"
cp "$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1-cert.pub" "$R/oauth-cert.pub"
unknown=$(node -e 'const c = require("crypto"); const now =
    Math.floor(Date.now() / 1000); const b = o =>
    Buffer.from(JSON.stringify(o)).toString("base64url");
    const h = b({ alg: "RS256", typ: "JWT", kid: "nobody-publishes-this" });
    const p = b({ iss: process.argv[1], aud: "ssh-oauth-test",
    sub: "mallory", groups: ["ssh-admins"], iat: now, exp: now + 3600 });
    const k = c.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const s = c.sign("sha256", Buffer.from(h + "." + p), k.privateKey);
    console.log(h + "." + p + "." + s.toString("base64url"));' "$ISSUER")
keygen_cert "$R/unknown" root "$unknown"
check_eq "while the provider is up, an unknown kid is refused" "" \
    "$(akc root ssh-ed25519-cert-v01@openssh.com \
    "$(key_b64 "$R/unknown-cert.pub")" 2>/dev/null)"

# 1. Provider stopped.
idp_stop
storm stopped
check_storm stopped "provider stopped"

# 2. Provider hanging, with unknown-kid logins during the storm.
fake_start hang
storm slow &
storm_pid=$!
: > "$R/unknown.times"
for _ in 1 2 3 4 5; do
	t0=$(date +%s%N)
	ssh -F "$R/ssh_config" -i "$R/unknown" root@direct true </dev/null \
	    >/dev/null 2>>"$R/unknown.err"
	echo "$? $((($(date +%s%N) - t0) / 1000000))" >> "$R/unknown.times"
done
wait "$storm_pid"
check_storm slow "provider hanging"
check_eq "provider hanging: 5 logins with an unknown kid all refused" 5 \
    "$(awk '$1 == 255' "$R/unknown.times" | wc -l)"
max=$(slowest unknown)
if [ "${max:-999999}" -lt "$bound_ms" ]; then
	pass "provider hanging: the slowest unknown-kid refusal took $max ms"
else
	fail "provider hanging: an unknown-kid refusal took $max ms"
fi
check_eq "no fetch program is left running" 0 \
    "$(pgrep -cf "$R/libexec/ssh-oauth-authkeys-fetch")"
fake_stop

# 3. Provider answering garbage.
fake_start garbage
storm garbage
check_storm garbage "provider answering garbage"
t0=$(date +%s%N)
out=$(akc root ssh-ed25519-cert-v01@openssh.com \
    "$(key_b64 "$R/unknown-cert.pub")" 2>/dev/null)
took=$((($(date +%s%N) - t0) / 1000000))
check_eq "provider answering garbage: an unknown kid is refused (${took} ms)" \
    "" "$out"
fake_stop
check_grep "the cached key set survived the faults" '"keys"' \
    "$R/cache/jwks.json"
check_eq "and still verifies the helper's token" "cert-authority" \
    "$(akc root ssh-ed25519-cert-v01@openssh.com \
    "$(key_b64 "$R/oauth-cert.pub")" 2>/dev/null | cut -d, -f1)"

rig_finish
