#!/usr/bin/env bash
# Twenty `ssh-oauth login` at once sharing one cache through a refresh:
# tokens live 70 s and the helper refreshes those with under 60 s left,
# so after one sign-in and a 10 s wait the next login must refresh. All
# twenty succeed without a device flow, the cache is intact and shows
# the new expiry, and exactly one refresh reached the provider (it
# rotates refresh tokens and revokes the grant when one is reused).
#
#	tests/stress/login-refresh.sh [CLIENTS]
. "$(dirname "$0")/../e2e/lib.sh"
clients=${1:-20}
export IDP_TOKEN_TTL=70 IDP_DEBUG=1
rig_start

expiry() {
	"$HELPER" status --json | json_field expires_at
}

login_as alice first
check_eq "the first login signs in" 0 $?
exp0=$(expiry)
[ -n "$exp0" ] || die "no expiry after sign-in: $(cat "$R/first.err")"
# Wait until the token has under 60 s left.
while [ $((exp0 - $(date +%s))) -ge 59 ]; do
	sleep 1
done

token_requests() {
	grep -c 'POST /oauth2/default/v1/token' "$R/idp.err" || true
}
before=$(wc -l < "$R/idp.err")
pids=
for i in $(seq 1 "$clients"); do
	"$HELPER" login >"$R/l$i.out" 2>"$R/l$i.err" </dev/null &
	pids="$pids $!"
done
ok=0
for pid in $pids; do
	wait "$pid" && ok=$((ok + 1))
done
check_eq "$clients concurrent logins through a refresh all succeed" \
    "$clients" "$ok"
prompts=0
for i in $(seq 1 "$clients"); do
	prompts=$((prompts + $(prompts_in "l$i")))
done
check_eq "none of them started a device flow" 0 "$prompts"

"$HELPER" status --json > "$R/status.json"
check_eq "status --json parses and says signed in" "true true" \
    "$(node -e 'const s = JSON.parse(require("fs").readFileSync(
    process.argv[1])); console.log(s.signed_in, s.refreshable)' \
    "$R/status.json" 2>&1)"
exp1=$(json_field expires_at < "$R/status.json")
if [ -n "$exp1" ] && [ "$exp1" -gt "$exp0" ]; then
	pass "the cache holds the refreshed token (expiry $exp0 -> $exp1)"
else
	fail "the cache does not hold a new token (expiry $exp0 -> ${exp1:-none})"
fi
sleep 0.5
tail -n +"$((before + 1))" "$R/idp.err" > "$R/idp.during"
check_eq "exactly one refresh reached the provider" 1 \
    "$(grep -c 'POST /oauth2/default/v1/token -> 200' "$R/idp.during")"
check_eq "and no other token request" 1 \
    "$(grep -c 'POST /oauth2/default/v1/token' "$R/idp.during")"
check_no_grep "the provider saw no refresh token reused" \
    'grant.error|invalid_grant' "$R/idp.during"
for i in $(seq 1 "$clients"); do
	cat "$R/l$i.err"
done > "$R/all.err"
check_no_grep "no login reported an error" '.' "$R/all.err"

# The grant is still alive: the refreshed refresh token works once more.
exp1=$(expiry)
while [ $((exp1 - $(date +%s))) -ge 59 ]; do
	sleep 1
done
login_as alice again
check_eq "a later refresh with the rotated refresh token works" "0 0" \
    "$? $(prompts_in again)"
rig_finish
