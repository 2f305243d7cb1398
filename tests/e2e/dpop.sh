#!/usr/bin/env bash
# DPoP (RFC 9449): the helper binds the access token to its sign-in key,
# which also signs the certificate; the server accepts the token only in
# a certificate for that key. A token lifted out of a certificate and put
# into one for another key is refused.
# Tokens that need a refresh within seconds (the helper refreshes a
# token with less than a minute left).
export IDP_TOKEN_TTL=66
. "$(dirname "$0")/lib.sh"
rig_start

# Access tokens (aud api://default), bound ones only.
cat > "$R/etc/authkeys.conf" <<CONF
issuer $ISSUER
audience api://default
token access_token
require_binding yes
jwks_cache $R/cache/jwks.json
policy $R/etc/policy
CONF
sed -i 's/^token id_token/token access_token/' \
    "$HOME/.config/ssh-oauth/config"

ssh_as alice bound root@viaexec 'id -un'
check_eq "a DPoP-bound access token logs in" "0 root" \
    "$? $(cat "$R/bound.out")"
tok=$("$HELPER" token | cat)
cnf=$(printf '%s' "$tok" | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null)
check_grep "the access token carries cnf.jkt" '"cnf":\{"jkt":"' <(echo "$cnf")
cert=$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1-cert.pub
"$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" explain root \
    "$cert" >"$R/explain.out" 2>&1
check_grep "explain shows the binding" \
    "binding +bound to the certificate's key" "$R/explain.out"

# The same token in a certificate for another key.
keygen_cert "$R/thief" root "$tok"
ssh_as alice stolen -i "$R/thief" root@direct 'id -un'
check_eq "the token in another key's certificate is refused" "255 " \
    "$? $(cat "$R/stolen.out")"
akc root ssh-ed25519-cert-v01@openssh.com "$(key_b64 "$R/thief-cert.pub")" \
    >/dev/null 2>"$R/stolen.err"
check_grep "because it is bound to another key" \
    'bound \(DPoP\) to a key other than' "$R/stolen.err"

# An unbound token where binding is required.
plain=$(idp_token alice access_token) || die "no token"
keygen_cert "$R/plain" root "$plain"
akc root ssh-ed25519-cert-v01@openssh.com "$(key_b64 "$R/plain-cert.pub")" \
    >"$R/plain.out" 2>"$R/plain.err"
check_eq "an unbound token gets no key line under require_binding" "1 " \
    "$? $(cat "$R/plain.out")"
check_grep "and the log says so" 'not bound to a key' "$R/plain.err"

# The refresh token is bound too: refreshing needs a proof made with the
# cached sign-in key, and the new token is bound to the same key.
sleep 7
"$HELPER" login >"$R/refresh.out" 2>"$R/refresh.err"
check_eq "a bound refresh token refreshes with the cached key" 0 $?
check_no_grep "without a new sign-in" '^  Code:' "$R/refresh.err"
tok2=$("$HELPER" token | cat)
jkt() {
	printf '%s' "$1" | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null |
	    sed 's/.*"jkt":"\([^"]*\)".*/\1/'
}
j1=$(jkt "$tok")
check_eq "the thumbprint is 43 base64url characters" 43 "${#j1}"
check_eq "the new token is bound to the same key" "$j1" "$(jkt "$tok2")"
[ "$tok" != "$tok2" ] && pass "and it is a new token" ||
    fail "and it is a new token"

rig_finish
