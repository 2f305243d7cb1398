# shellcheck shell=bash
# The end-to-end rig: the real OpenID provider (tests/idp), the real sshd
# with ssh-oauth-authkeys as its AuthorizedKeysCommand, and the real ssh
# client going through ssh-oauth. Everything listens on 127.0.0.1 only and
# lives in one root-owned directory under /run that the rig removes.
#
# A test script sources this file, calls rig_start, runs checks with
# check_* helpers and ends with rig_finish, which prints its verdict.

set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HELPER=$TOP/ssh-helper/ssh-oauth
AKC=$TOP/authkeys-cmd/ssh-oauth-authkeys
SSHD=${SSHD:-/usr/sbin/sshd}
PASSES=0
FAILS=0
R=
IDP_PID=
SSHD_PID=
AGENT_PID=

pass() { echo "ok - $*"; PASSES=$((PASSES + 1)); }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
die() { echo "rig: $*" >&2; exit 1; }

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (expected \"$2\", got \"$3\")"
	fi
}

# check_grep DESCRIPTION PATTERN FILE: FILE must match PATTERN.
check_grep() {
	if grep -Eq -- "$2" "$3"; then
		pass "$1"
	else
		fail "$1 (no \"$2\" in $3:)"
		sed 's/^/#   /' "$3" | tail -20
	fi
}

# check_no_grep DESCRIPTION PATTERN FILE: FILE must not match PATTERN.
check_no_grep() {
	if grep -Eq -- "$2" "$3"; then
		fail "$1 (found \"$2\" in $3:)"
		sed 's/^/#   /' "$3" | tail -20
	else
		pass "$1"
	fi
}

free_port() {
	node -e 'const s = require("net").createServer();
	    s.listen(0, "127.0.0.1", () => {
	    console.log(s.address().port); s.close(); });'
}

json_field() {
	node -e 'let s = ""; process.stdin.on("data", d => s += d)
	    .on("end", () => { const v = JSON.parse(s)[process.argv[1]];
	    if (v !== undefined) process.stdout.write(String(v)); });' "$1"
}

rig_cleanup() {
	local pid
	for pid in "$SSHD_PID" "$IDP_PID" "$AGENT_PID"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	for pid in "$SSHD_PID" "$IDP_PID" "$AGENT_PID"; do
		[ -n "$pid" ] && wait "$pid" 2>/dev/null
	done
	if [ -n "$R" ] && [ -z "${KEEP_RIG:-}" ]; then
		# The helper's cache keys live in root's key ring, by path.
		keyctl show @u 2>/dev/null | grep -o "ssh-oauth:$R/[^ ]*" |
		    while read -r desc; do
			keyctl purge user "$desc" >/dev/null 2>&1
		done
		rm -rf "$R"
	fi
	return 0
}

# Start (or restart, keeping the port) the test provider.
# Extra environment (IDP_TOKEN_TTL=...) may be given before the call.
idp_start() {
	local i
	: > "$R/idp.out"
	IDP_POLL_INTERVAL=1 node "$TOP/tests/idp/server.js" \
	    --port "${IDP_PORT:-0}" >"$R/idp.out" 2>>"$R/idp.err" &
	IDP_PID=$!
	for i in $(seq 1 100); do
		grep -q '}$' "$R/idp.out" 2>/dev/null && break
		kill -0 "$IDP_PID" 2>/dev/null || die "provider did not start: $(cat "$R/idp.err")"
		sleep 0.1
	done
	ISSUER=$(head -1 "$R/idp.out" | json_field issuer)
	IDP_PORT=$(head -1 "$R/idp.out" | json_field port)
	[ -n "$ISSUER" ] || die "provider printed no ready line"
}

idp_stop() {
	[ -n "$IDP_PID" ] || return 0
	kill "$IDP_PID" 2>/dev/null
	wait "$IDP_PID" 2>/dev/null
	IDP_PID=
}

# approve USER_CODE ACCOUNT: what a person does in the browser.
approve() {
	curl -fsS -X POST -d "{\"user_code\":\"$1\",\"account\":\"$2\"}" \
	    "http://127.0.0.1:$IDP_PORT/test/approve" >/dev/null
}

# idp_token ACCOUNT [TOKEN_FIELD]: a device flow by hand, with curl only,
# independent of the product; prints the id_token (or the named field).
idp_token() {
	local base=$ISSUER/v1 answer dcode ucode i tok
	answer=$(curl -fsS -d client_id=ssh-oauth-test \
	    --data-urlencode "scope=openid profile email groups offline_access" \
	    "$base/device/authorize") || return 1
	dcode=$(printf '%s' "$answer" | json_field device_code)
	ucode=$(printf '%s' "$answer" | json_field user_code)
	approve "$ucode" "$1" || return 1
	for i in 1 2 3 4 5; do
		tok=$(curl -sS -d client_id=ssh-oauth-test \
		    -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
		    -d "device_code=$dcode" "$base/token" |
		    json_field "${2:-id_token}")
		[ -n "$tok" ] && { printf '%s' "$tok"; return 0; }
		sleep 1
	done
	return 1
}

# make_keys FILE KID...: a JWKS with a fresh private RSA key per kid,
# for IDP_KEYS_FILE; the provider signs with the first.
make_keys() {
	node -e 'const c = require("crypto"); const [file, ...kids] =
	    process.argv.slice(1); const keys = kids.map(kid => {
	    const k = c.generateKeyPairSync("rsa", { modulusLength: 2048 })
	    .privateKey.export({ format: "jwk" });
	    return Object.assign(k, { kid, alg: "RS256", use: "sig" }); });
	    require("fs").writeFileSync(file, JSON.stringify({ keys }));' "$@"
}

# Server side: configuration, policy and a warm JWKS cache.
akc_setup() {
	cat > "$R/etc/authkeys.conf" <<CONF
issuer $ISSUER
audience ssh-oauth-test
jwks_cache $R/cache/jwks.json
policy $R/etc/policy
leeway ${LEEWAY:-60}
CONF
	cat > "$R/etc/policy" <<POLICY
# members of ssh-admins may be root or admin; developers only dev
allow groups=ssh-admins root,admin
allow groups=developers dev restrict
POLICY
	chmod 644 "$R/etc/authkeys.conf" "$R/etc/policy"
	"$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" refresh \
	    2>>"$R/akc.err" || die "refresh failed: $(cat "$R/akc.err")"
}

# akc USER KEYTYPE KEY: run the installed command as sshd would.
akc() {
	"$R/libexec/ssh-oauth-authkeys" -d -f "$R/etc/authkeys.conf" "$@"
}

sshd_start() {
	local i
	SSHD_PORT=$(free_port)
	mkdir -p /run/sshd
	chmod 755 /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$R/ssh_host_ed25519_key"
	cat > "$R/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $R/ssh_host_ed25519_key
PidFile $R/sshd.pid
AuthorizedKeysFile none
AuthorizedKeysCommand $R/libexec/ssh-oauth-authkeys -f $R/etc/authkeys.conf %u %t %k
AuthorizedKeysCommandUser ssh-oauth
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PermitUserEnvironment SSH_OAUTH_*
UsePAM no
LogLevel VERBOSE
CONF
	"$SSHD" -D -e -f "$R/sshd_config" 2>"$R/sshd.log" &
	SSHD_PID=$!
	for i in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$SSHD_PORT") 2>/dev/null && return 0
		kill -0 "$SSHD_PID" 2>/dev/null || die "sshd did not start: $(cat "$R/sshd.log")"
		sleep 0.1
	done
	die "sshd is not listening on $SSHD_PORT"
}

# Client side: a HOME of its own, the helper's config, an ssh_config with
# one host per integration mode.
client_setup() {
	export HOME=$R/home
	export XDG_CACHE_HOME=$R/home/.cache XDG_CONFIG_HOME=$R/home/.config
	export XDG_DATA_HOME=$R/home/.local/share
	unset SSH_AUTH_SOCK SSH_OAUTH_TOKEN SSH_OAUTH_CONFIG
	mkdir -p "$HOME/.config/ssh-oauth"
	cat > "$HOME/.config/ssh-oauth/config" <<CONF
issuer $ISSUER
client_id ssh-oauth-test
scopes openid profile email groups offline_access
token id_token
CONF
	chmod 644 "$HOME/.config/ssh-oauth/config"
	cat > "$R/ssh_config" <<CONF
Host viaexec viaproxy
	HostName 127.0.0.1
	Port $SSHD_PORT
Host direct
	HostName 127.0.0.1
	Port $SSHD_PORT
	IdentitiesOnly yes
	IdentityAgent none
Host viaproxy
	ProxyCommand $HELPER proxy %r %h %p
Match originalhost viaexec exec "$HELPER ensure --host %h --user %r"
	IdentityFile $XDG_CACHE_HOME/ssh-oauth/keys/%r@%h
	CertificateFile $XDG_CACHE_HOME/ssh-oauth/keys/%r@%h-cert.pub
	IdentitiesOnly yes
	IdentityAgent none
Host *
	UserKnownHostsFile $R/known_hosts
	StrictHostKeyChecking accept-new
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	BatchMode yes
	ConnectTimeout 10
CONF
}

# agent_start: an ssh-agent of the rig's own for the ProxyCommand mode.
agent_start() {
	export SSH_AUTH_SOCK=$R/agent.sock
	ssh-agent -D -a "$SSH_AUTH_SOCK" >/dev/null 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$SSH_AUTH_SOCK" ] && return 0
		sleep 0.1
	done
	die "ssh-agent did not start"
}

# ssh_as ACCOUNT NAME ARGS...: run ssh with stdout in $R/NAME.out and
# stderr in $R/NAME.err, approving any device code shown as ACCOUNT,
# the way a person would from the prompt. Returns ssh's status.
ssh_as() {
	local account=$1 name=$2
	shift 2
	run_as "$account" "$name" ssh -F "$R/ssh_config" "$@"
}

# run_as ACCOUNT NAME COMMAND...: the same for any command.
run_as() {
	local account=$1 name=$2 pid code approved=
	shift 2
	"$@" >"$R/$name.out" 2>"$R/$name.err" </dev/null &
	pid=$!
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		if [ -z "$approved" ]; then
			code=$(sed -n 's/^  Code:  //p' "$R/$name.err" | tail -1)
			if [ -n "$code" ]; then
				approve "$code" "$account" || true
				approved=1
			fi
		fi
		sleep 0.1
	done
	wait "$pid"
}

# keygen_cert KEYFILE PRINCIPAL TOKEN: a certificate for KEYFILE made by
# ssh-keygen, the independent second writer, carrying TOKEN.
keygen_cert() {
	[ -f "$1" ] || ssh-keygen -q -t ed25519 -N '' -f "$1"
	ssh-keygen -y -f "$1" > "$1.pub"
	ssh-keygen -q -s "$1" -I test -n "$2" -V -1m:+1h -O clear \
	    -O permit-pty -O "extension:oauth-token@ssh-oauth=$3" "$1.pub"
}

# key_b64 CERTFILE: the base64 blob sshd would pass as %k.
key_b64() {
	awk '{ print $2 }' "$1"
}

# b64url_edit TOKEN SEGMENT FROM TO: replace text inside one decoded
# segment (0 header, 1 payload) and re-encode, keeping the signature.
b64url_edit() {
	node -e 'const [t, seg, from, to] = process.argv.slice(1);
	    const p = t.split(".");
	    const d = Buffer.from(p[seg], "base64url").toString();
	    p[seg] = Buffer.from(d.split(from).join(to)).toString("base64url");
	    process.stdout.write(p.join("."));' "$@"
}

# login_as ACCOUNT NAME: `ssh-oauth login` the same way.
login_as() {
	run_as "$1" "$2" "$HELPER" login
}

# How many device flows a run's stderr shows.
prompts_in() {
	grep -c '^  Code:  ' "$R/$1.err" || true
}

rig_start() {
	[ "$(id -u)" = 0 ] || die "the end-to-end rig needs root: sshd must run as root to switch users and to accept a root-owned AuthorizedKeysCommand"
	[ -x "$HELPER" ] && [ -x "$AKC" ] || die "build first: make all"
	[ -d "$TOP/tests/idp/node_modules" ] || die "run: (cd tests/idp && npm ci)"
	# The command's own account, as the package creates it.
	id -u ssh-oauth >/dev/null 2>&1 || useradd --system --no-create-home \
	    --home-dir /nonexistent --shell /usr/sbin/nologin ssh-oauth ||
	    die "cannot create the ssh-oauth account"
	R=$(mktemp -d /run/ssh-oauth-test.XXXXXX)
	chmod 755 "$R"
	trap rig_cleanup EXIT
	mkdir -p "$R/libexec" "$R/etc" "$R/cache" "$R/home"
	install -m 0755 "$AKC" "$R/libexec/ssh-oauth-authkeys"
	install -m 0755 "$AKC-fetch" "$R/libexec/ssh-oauth-authkeys-fetch"
	idp_start
	akc_setup
	sshd_start
	client_setup
}

rig_finish() {
	echo "# $PASSES passed, $FAILS failed"
	[ "$FAILS" = 0 ]
}
