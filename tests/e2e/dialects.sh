#!/usr/bin/env bash
# The device flow against providers' dialects and faults. The scripted
# provider in tests/fakeidp answers like Okta, Google, Entra, Dex,
# GitHub or Auth0 would, or misbehaves on purpose, one scenario per
# process; `ssh-oauth login` must sign in, or end with a clear, escaped
# error, and poll on the schedule the provider asked for. No sshd needed.
#
# SSH_OAUTH_TEST_SECOND_MS=100 makes each second the flow waits last
# 100 ms; the provider measures the gaps between polls in those seconds.
# Patterns allow for quotes, which the log may escape as \x22.
. "$(dirname "$0")/lib.sh"

SECOND_MS=100
SECRET='Sec ret:+/%&=1'		# what tests/fakeidp/server.js expects
FAKE_PID=
D=$(mktemp -d /tmp/ssh-oauth-dialects.XXXXXX)

cleanup() {
	fake_stop
	[ -n "${KEEP_RIG:-}" ] && return
	# The helper's cache keys live in the key ring, by path.
	keyctl show @u 2>/dev/null | grep -o "ssh-oauth:$D/[^ ]*" |
	    while read -r desc; do
		keyctl purge user "$desc" >/dev/null 2>&1
	done
	rm -rf "$D"
}
trap cleanup EXIT

[ -x "$HELPER" ] || die "build first: make all"
export HOME=$D/home
export XDG_CACHE_HOME=$HOME/.cache XDG_CONFIG_HOME=$HOME/.config
export XDG_DATA_HOME=$HOME/.local/share
export SSH_OAUTH_TEST_SECOND_MS=$SECOND_MS
unset SSH_AUTH_SOCK SSH_OAUTH_TOKEN SSH_OAUTH_CONFIG
mkdir -p "$XDG_CONFIG_HOME/ssh-oauth"

fake_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}

# fake_start SCENARIO [SERVER OPTIONS]: a fresh provider and no cache.
fake_start() {
	local i
	fake_stop
	rm -rf "$XDG_CACHE_HOME" "$XDG_DATA_HOME"
	# Gone before the start: the shell opens the new one in the child.
	rm -f "$D/fake.out"
	node "$TOP/tests/fakeidp/server.js" --scenario "$1" \
	    --second-ms "$SECOND_MS" "${@:2}" >"$D/fake.out" 2>"$D/fake.err" &
	FAKE_PID=$!
	for i in $(seq 1 100); do
		grep -q '}$' "$D/fake.out" 2>/dev/null && break
		kill -0 "$FAKE_PID" 2>/dev/null ||
		    die "fake provider did not start: $(cat "$D/fake.err")"
		sleep 0.1
	done
	ISSUER=$(head -1 "$D/fake.out" | json_field issuer)
	[ -n "$ISSUER" ] || die "fake provider printed no ready line"
}

# stat FIELD: what the provider saw (arrays come comma-separated).
stat() {
	curl -fsS "$ISSUER/test/stats" | json_field "$1"
}

# config [LINE...]: the helper's configuration, plus extra lines.
config() {
	{
		echo "issuer $ISSUER"
		echo "client_id dialect-client"
		echo "http_timeout 2000"
		printf '%s\n' "$@"
	} > "$XDG_CONFIG_HOME/ssh-oauth/config"
	chmod 600 "$XDG_CONFIG_HOME/ssh-oauth/config"
}

# login NAME [OPTIONS]: ssh-oauth login, output in $D/NAME.out and .err,
# its time in ms in $ELAPSED; returns its status.
login() {
	local name=$1 start rc
	shift
	start=$(date +%s%N)
	timeout 60 "$HELPER" --no-qr "$@" login >"$D/$name.out" \
	    2>"$D/$name.err" </dev/null
	rc=$?
	ELAPSED=$((($(date +%s%N) - start) / 1000000))
	return $rc
}

# refused NAME PATTERN DESCRIPTION: login failed and said PATTERN.
refused() {
	login "$1"
	check_eq "$3: login fails" 1 "$?"
	check_grep "$3: says why" "$2" "$D/$1.err"
}

# --- Dialects that must sign in ------------------------------------------

# Okta: RFC 8628 to the letter.
fake_start okta
config
login okta
check_eq "okta: an RFC 8628 provider signs in" 0 "$?"
check_grep "okta: the token's expiry is printed" 'valid until' "$D/okta.out"
check_grep "okta: the prompt shows verification_uri" \
    "^  Open:  $ISSUER/activate\$" "$D/okta.err"
check_grep "okta: the prompt shows the user code" '^  Code:  WDJB-MJHT$' \
    "$D/okta.err"
check_eq "okta: public client, no secret sent" "none,none,none" \
    "$(stat auth_seen)"

# Google: verification_url, no verification_uri_complete, 428 pending,
# a secret sent in the form, and refresh tokens that do not rotate. The
# first token is too close to expiry to use; refreshed ones are good for
# 62 s, which is fresh for 2 s (HELPER_EXPIRY_MARGIN is 60).
fake_start google --token-ttl 30 --refresh-ttl 62
config "scopes openid email profile" "client_secret $SECRET" \
    "client_auth client_secret_post"
login google -v
check_eq "google: verification_url and a client secret sign in" 0 "$?"
check_grep "google: verification_url is shown" \
    '^  Open:  https://www.google.com/device$' "$D/google.err"
check_no_grep "google: no URL is made up when none is complete" \
    'user_code=' "$D/google.err"
check_eq "google: polled through a 428 pending" 2 "$(stat polls)"
login google-refresh1 -v
check_eq "google: an expiring token is refreshed" "0 1" \
    "$? $(stat refreshes)"
sleep 3
login google-refresh2 -v
check_eq "google: the unrotated refresh token is kept and works again" \
    "0 2" "$? $(stat refreshes)"
check_grep "google: still refreshable" 'refreshable' "$D/google-refresh2.out"
check_eq "google: client_secret_post on device, token and refresh, and no second sign-in" \
    "post,post,post,post,post" "$(stat auth_seen)"
check_eq "google: the provider saw no wrong client authentication" "" \
    "$(stat violations)"

fake_start google
config "client_secret $SECRET"
refused google-scope 'invalid_scope' "google: an unlisted scope"
check_grep "google: the hint names the scopes Google allows" \
    'hint: .*openid email profile' "$D/google-scope.err"

# client_secret_basic, on every request including the refresh.
fake_start basic --token-ttl 30 --refresh-ttl 3600
config "client_secret $SECRET" "client_auth client_secret_basic"
login basic -v
check_eq "basic: client_secret_basic signs in" 0 "$?"
login basic-refresh -v
check_eq "basic: and refreshes" "0 1" "$? $(stat refreshes)"
check_eq "basic: HTTP Basic on device, token and refresh requests" \
    "basic,basic,basic,basic" "$(stat auth_seen)"
check_eq "basic: the provider saw no wrong client authentication" "" \
    "$(stat violations)"

# A configuration holding a secret must be private.
config "client_secret $SECRET" "client_auth client_secret_basic"
chmod 644 "$XDG_CONFIG_HOME/ssh-oauth/config"
refused readable-secret 'holds client_secret but others can read it' \
    "readable-secret: a world-readable file with a secret"

# Old Entra: verification_url, numbers as strings, a message in prose
# with an escape sequence in it.
fake_start entra-v1
config
login entra-v1 -v
check_eq "entra-v1: digit strings, verification_url and message sign in" \
    0 "$?"
check_grep "entra-v1: verification_url is shown" \
    '^  Open:  https://microsoft.com/devicelogin$' "$D/entra-v1.err"
check_no_grep "entra-v1: the message's escape byte never reaches the terminal" \
    $'\x1b' "$D/entra-v1.err"

# Dex: pending as HTTP 401, JSON sent as text/plain.
fake_start dex
config
login dex
check_eq "dex: 401 pending and a text/plain JSON body sign in" "0 3" \
    "$? $(stat polls)"

# GitHub style: form-encoded answers, pending as HTTP 200.
fake_start github
config
login github
check_eq "github: form-encoded answers and 200 pending sign in" "0 3" \
    "$? $(stat polls)"
check_grep "github: the form's verification_uri is decoded" \
    "^  Open:  $ISSUER/activate\$" "$D/github.err"

# --- The polling schedule ------------------------------------------------

fake_start interval-missing
config
login interval-missing
check_eq "interval-missing: polls every 5 s" "0 5,5" "$? $(stat gaps)"

fake_start interval-zero
config
login interval-zero
check_eq "interval-zero: polls every 5 s" "0 5,5" "$? $(stat gaps)"

fake_start slow-down
config
login slow-down
check_eq "slow-down: each slow_down adds 5 s and it never goes back down" \
    "0 1,1,6,11,11" "$? $(stat gaps)"

fake_start retry-429
config
login retry-429
check_eq "retry-429: Retry-After seconds are waited, once" "0 1,3,1" \
    "$? $(stat gaps)"

fake_start auth0-429
config
login auth0-429
check_eq "auth0-429: slow_down sent with 429 slows down" "0 1,6" \
    "$? $(stat gaps)"

fake_start retry-503-date
config
login retry-503-date
rc=$?
gap=$(stat gaps | cut -d, -f2)
check_eq "retry-503-date: 503 with an HTTP-date Retry-After is retried" \
    "0 1" "$rc $([ "${gap:-0}" -ge 2 ] && echo 1)"

fake_start pending-forever
config
login pending-forever
check_eq "pending-forever: the local deadline ends the flow" 1 "$?"
check_eq "pending-forever: one last poll at the deadline, none after" \
    "4 4" "$(stat polls) $(stat last_poll_at)"
check_grep "pending-forever: says the code expired" 'code expired' \
    "$D/pending-forever.err"

# --- Refusals ------------------------------------------------------------

for s in interval-5s interval-minus interval-1e3 interval-huge \
    expires-abc expires-zero; do
	fake_start "$s"
	config
	refused "$s" '(interval|expires_in) is .*not a whole number of seconds' \
	    "$s: a bad number"
	check_eq "$s: no poll was made" 0 "$(stat polls)"
done

fake_start plain-text
config
refused plain-text 'neither JSON nor form-encoded: .{0,4}Bad Request' \
    "plain-text: a plain text error body"

fake_start expired-token
config
refused expired-token 'code expired before it was approved' \
    "expired-token: expired_token"

fake_start code-expired
config
refused code-expired 'code expired before it was approved' \
    "code-expired: Entra's code_expired"

fake_start access-denied
config
refused access-denied 'sign-in denied' "access-denied: access_denied"

fake_start odd-error
config
refused odd-error 'HTTP 400 .{0,4}authorization_declined\\x1b' \
    "odd-error: an unknown error ends the flow"
check_no_grep "odd-error: no escape byte reaches the terminal" $'\x1b' \
    "$D/odd-error.err"
check_eq "odd-error: the description is capped" 0 \
    "$(awk 'length > 1100' "$D/odd-error.err" | wc -l)"

fake_start entra-public
config
refused entra-public 'AADSTS7000218' "entra-public: AADSTS7000218"
check_grep "entra-public: the hint says to allow public client flows" \
    'hint: .*Allow public client flows' "$D/entra-public.err"

fake_start entra-secret
config "client_secret $SECRET"
refused entra-secret 'AADSTS700025' "entra-secret: AADSTS700025"
check_grep "entra-secret: the hint says to remove client_secret" \
    'hint: .*remove client_secret' "$D/entra-secret.err"

fake_start auth0-secret
config "client_secret $SECRET"
refused auth0-secret 'HTTP 403 .{0,4}unauthorized_client' \
    "auth0-secret: 403 unauthorized_client"
check_grep "auth0-secret: the hint names the grant type and the secret" \
    'hint: .*Device Code grant.*remove client_secret' "$D/auth0-secret.err"

fake_start invalid-client
config
refused invalid-client 'invalid_client' "invalid-client: invalid_client"
check_grep "invalid-client: the hint says to check client_id" \
    'hint: check client_id' "$D/invalid-client.err"

# --- Hung providers ------------------------------------------------------

fake_start hang-token
config "http_timeout 300"
refused hang-token 'token endpoint .*: no answer before the deadline' \
    "hang-token: a token endpoint that never answers"
check_eq "hang-token: gives up within 10 s" 1 \
    "$([ "$ELAPSED" -lt 10000 ] && echo 1)"

fake_start hang-device
config "http_timeout 300"
refused hang-device 'device authorization at .*: no answer before the deadline' \
    "hang-device: a device endpoint that never answers"

# --- Configuration and the secret ----------------------------------------

fake_start okta
config "client_auth client_secret_basic"
refused config-nosecret 'needs client_secret' \
    "config: client_secret_basic without a secret"
config "client_secret $SECRET" "client_auth none"
refused config-none 'remove client_secret' \
    "config: a secret with client_auth none"

cat "$D"/*.err > "$D/all-stderr"
check_no_grep "the client secret never appears on stderr, even with -v" \
    'Sec ret|Sec%20ret|Sec%2520ret' "$D/all-stderr"

rig_finish
