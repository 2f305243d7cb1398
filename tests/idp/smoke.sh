#!/usr/bin/env bash
# Smoke test for the test IdP (tests/idp/server.js).
#
# Starts the server on a free loopback port, runs a device flow end to end
# through the test approval route, checks the ID token, a refresh and a
# denied flow. Exits non-zero on any failure.
#
# Needs: node, curl, base64. Run `npm ci` in tests/idp first.
# Honours IDP_TOKEN_TTL (then checks exp - iat == IDP_TOKEN_TTL).
set -eu
set -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
client_id=ssh-oauth-test
device_grant='urn:ietf:params:oauth:grant-type:device_code'
expected_ttl="${IDP_TOKEN_TTL:-3600}"

workdir="$(mktemp -d)"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

fail() {
  echo "smoke: FAIL: $*" >&2
  if [ -s "$workdir/server.err" ]; then
    echo "--- server stderr ---" >&2
    cat "$workdir/server.err" >&2
  fi
  exit 1
}
ok() { echo "smoke: ok: $*"; }

# json FIELD < json  -> prints the field (strings raw, others as JSON), empty if absent
json() {
  node -e '
    let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => {
      let v = JSON.parse(s);
      for (const k of process.argv[1].split(".")) v = (v == null) ? undefined : v[k];
      if (v === undefined) process.exit(0);
      process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));
    });' "$1"
}

# jwt_payload JWT -> decoded payload JSON (base64url -> base64, padded)
jwt_payload() {
  local p
  p="$(printf '%s' "$1" | cut -d. -f2 | tr '_-' '/+')"
  case $(( ${#p} % 4 )) in
    2) p="$p==" ;;
    3) p="$p=" ;;
  esac
  printf '%s' "$p" | base64 -d
}

# ---------------------------------------------------------------------------
# start the server

node "$here/server.js" --port 0 --host 127.0.0.1 >"$workdir/server.out" 2>"$workdir/server.err" &
server_pid=$!

ready_line=
for _ in $(seq 1 200); do
  if [ -s "$workdir/server.out" ] && grep -q '}$' "$workdir/server.out"; then
    ready_line="$(head -n 1 "$workdir/server.out")"
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || fail "server exited before becoming ready"
  sleep 0.1
done
[ -n "$ready_line" ] || fail "server did not print a ready line within 20 s"
issuer="$(printf '%s' "$ready_line" | json issuer)"
port="$(printf '%s' "$ready_line" | json port)"
[ -n "$issuer" ] && [ -n "$port" ] || fail "bad ready line: $ready_line"
[ "$issuer" = "http://127.0.0.1:$port/oauth2/default" ] || fail "unexpected issuer $issuer"
base="http://127.0.0.1:$port"
ok "server ready: $ready_line"

curl -fsS "$base/test/health" >/dev/null || fail "/test/health"
ok "/test/health"

# ---------------------------------------------------------------------------
# discovery

disco="$(curl -fsS "$issuer/.well-known/openid-configuration")" || fail "discovery fetch"
check_disco() {
  local got
  got="$(printf '%s' "$disco" | json "$1")"
  [ "$got" = "$2" ] || fail "discovery $1 = '$got', want '$2'"
}
check_disco issuer "$issuer"
check_disco device_authorization_endpoint "$issuer/v1/device/authorize"
check_disco token_endpoint "$issuer/v1/token"
check_disco jwks_uri "$issuer/v1/keys"
check_disco userinfo_endpoint "$issuer/v1/userinfo"
ok "discovery"

token_endpoint="$issuer/v1/token"
curl -fsS "$issuer/v1/keys" | json keys.0.kty | grep -qx RSA || fail "jwks has no RSA key"
ok "jwks"

# ---------------------------------------------------------------------------
# device flow, approved as alice

start_flow() {
  curl -fsS "$issuer/v1/device/authorize" \
    -d "client_id=$client_id" \
    --data-urlencode 'scope=openid profile email groups offline_access'
}

# poll DEVICE_CODE -> token endpoint response body (any HTTP status)
poll() {
  curl -sS "$token_endpoint" \
    -d "client_id=$client_id" \
    --data-urlencode "grant_type=$device_grant" \
    --data-urlencode "device_code=$1"
}

da="$(start_flow)" || fail "device authorization request"
device_code="$(printf '%s' "$da" | json device_code)"
user_code="$(printf '%s' "$da" | json user_code)"
vuri="$(printf '%s' "$da" | json verification_uri)"
[ -n "$device_code" ] && [ -n "$user_code" ] || fail "bad device authorization response: $da"
printf '%s' "$user_code" | grep -Eq '^[A-Z]{4}-[A-Z]{4}$' || fail "unexpected user_code format $user_code"
[ -n "$vuri" ] || fail "no verification_uri"
[ "$(printf '%s' "$da" | json expires_in)" = 600 ] || fail "device code expires_in is not 600: $da"
ok "device authorization: $da"

resp="$(poll "$device_code")"
[ "$(printf '%s' "$resp" | json error)" = authorization_pending ] || fail "first poll: $resp"
ok "first poll is authorization_pending"

# approve with the user code lower-cased and without its dash
approve_code="$(printf '%s' "$user_code" | tr -d '-' | tr 'A-Z' 'a-z')"
resp="$(curl -fsS "$base/test/approve" -H 'content-type: application/json' \
  -d "{\"user_code\":\"$approve_code\",\"account\":\"alice\"}")" || fail "/test/approve"
[ "$(printf '%s' "$resp" | json ok)" = true ] || fail "/test/approve said $resp"
ok "approved $user_code as alice"

resp="$(poll "$device_code")"
id_token="$(printf '%s' "$resp" | json id_token)"
access_token="$(printf '%s' "$resp" | json access_token)"
refresh_token="$(printf '%s' "$resp" | json refresh_token)"
[ -n "$id_token" ] || fail "no id_token after approval: $resp"
[ -n "$access_token" ] || fail "no access_token after approval: $resp"
[ -n "$refresh_token" ] || fail "no refresh_token after approval: $resp"
[ "$(printf '%s' "$resp" | json token_type)" = Bearer ] || fail "token_type: $resp"
ok "token response has id_token, access_token, refresh_token"

check_id_token() { # JWT ACCOUNT GROUP
  local claims iat exp
  claims="$(jwt_payload "$1")" || fail "cannot decode id_token"
  [ "$(printf '%s' "$claims" | json iss)" = "$issuer" ] || fail "id_token iss: $claims"
  [ "$(printf '%s' "$claims" | json aud)" = "$client_id" ] || fail "id_token aud: $claims"
  [ "$(printf '%s' "$claims" | json sub)" = "$2" ] || fail "id_token sub: $claims"
  [ "$(printf '%s' "$claims" | json preferred_username)" = "$2" ] || fail "id_token preferred_username: $claims"
  [ "$(printf '%s' "$claims" | json email)" = "$2@example.com" ] || fail "id_token email: $claims"
  printf '%s' "$claims" | json groups | grep -q "\"$3\"" || fail "id_token groups lack $3: $claims"
  iat="$(printf '%s' "$claims" | json iat)"
  exp="$(printf '%s' "$claims" | json exp)"
  [ $((exp - iat)) -eq "$expected_ttl" ] || fail "id_token exp-iat = $((exp - iat)), want $expected_ttl"
}
check_id_token "$id_token" alice ssh-admins
ok "id_token claims (iss, aud, sub, groups, exp-iat=$expected_ttl)"

at_claims="$(jwt_payload "$access_token")" || fail "access token is not a JWT"
[ "$(printf '%s' "$at_claims" | json aud)" = "api://default" ] || fail "access token aud: $at_claims"
[ "$(printf '%s' "$at_claims" | json iss)" = "$issuer" ] || fail "access token iss: $at_claims"
printf '%s' "$at_claims" | json groups | grep -q '"ssh-admins"' || fail "access token groups: $at_claims"
at_iat="$(printf '%s' "$at_claims" | json iat)"
at_exp="$(printf '%s' "$at_claims" | json exp)"
[ $((at_exp - at_iat)) -eq "$expected_ttl" ] || fail "access token exp-iat = $((at_exp - at_iat))"
ok "access token is a JWT for api://default with groups"

ui="$(curl -fsS "$issuer/v1/userinfo" -H "authorization: Bearer $access_token")" || fail "userinfo"
[ "$(printf '%s' "$ui" | json sub)" = alice ] || fail "userinfo: $ui"
printf '%s' "$ui" | json groups | grep -q '"ssh-admins"' || fail "userinfo groups: $ui"
ok "userinfo"

# ---------------------------------------------------------------------------
# refresh

resp="$(curl -sS "$token_endpoint" -d "client_id=$client_id" \
  -d grant_type=refresh_token --data-urlencode "refresh_token=$refresh_token")"
id_token2="$(printf '%s' "$resp" | json id_token)"
[ -n "$id_token2" ] || fail "refresh gave no id_token: $resp"
[ -n "$(printf '%s' "$resp" | json access_token)" ] || fail "refresh gave no access_token: $resp"
[ "$id_token2" != "$id_token" ] || fail "refresh returned the same id_token"
check_id_token "$id_token2" alice ssh-admins
ok "refresh_token grant gives a fresh id_token with groups"

# ---------------------------------------------------------------------------
# second flow, denied; and unknown user codes

da="$(start_flow)" || fail "second device authorization"
device_code="$(printf '%s' "$da" | json device_code)"
user_code="$(printf '%s' "$da" | json user_code)"
resp="$(curl -fsS "$base/test/deny" -H 'content-type: application/json' \
  -d "{\"user_code\":\"$user_code\"}")" || fail "/test/deny"
[ "$(printf '%s' "$resp" | json ok)" = true ] || fail "/test/deny said $resp"
resp="$(poll "$device_code")"
[ "$(printf '%s' "$resp" | json error)" = access_denied ] || fail "poll after deny: $resp"
ok "denied flow gives access_denied"

status="$(curl -sS -o /dev/null -w '%{http_code}' "$base/test/approve" -H 'content-type: application/json' \
  -d '{"user_code":"BBBB-BBBB","account":"alice"}')"
[ "$status" = 404 ] || fail "approve of unknown user code gave HTTP $status, want 404"
ok "unknown user code gives 404"

# third flow as bob: groups differ
da="$(start_flow)" || fail "third device authorization"
device_code="$(printf '%s' "$da" | json device_code)"
user_code="$(printf '%s' "$da" | json user_code)"
curl -fsS "$base/test/approve" -d "{\"user_code\":\"$user_code\",\"account\":\"bob\"}" >/dev/null || fail "approve bob"
resp="$(poll "$device_code")"
id_token="$(printf '%s' "$resp" | json id_token)"
[ -n "$id_token" ] || fail "no id_token for bob: $resp"
check_id_token "$id_token" bob developers
jwt_payload "$id_token" | json groups | grep -q ssh-admins && fail "bob must not be in ssh-admins"
ok "bob gets developers, not ssh-admins"

# polling again after success is a replay: oidc-provider answers invalid_grant
# and revokes the whole grant (so bob's refresh token dies too)
resp="$(poll "$device_code")"
[ "$(printf '%s' "$resp" | json error)" = invalid_grant ] || fail "reusing a consumed device code: $resp"
ok "consumed device code is rejected"

# ---------------------------------------------------------------------------
# clean shutdown on SIGTERM

kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
[ "$rc" -eq 0 ] || fail "server exited with status $rc on SIGTERM"
ok "server exits 0 on SIGTERM"

[ "$(wc -l <"$workdir/server.out")" -eq 1 ] || fail "server printed more than the ready line on stdout"
ok "stdout held only the ready line"

echo "smoke: PASS"
