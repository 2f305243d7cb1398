#!/usr/bin/env bash
# Logging in through Match exec: the device flow once, the cached token
# after, and the server verifying offline when the provider is gone.
. "$(dirname "$0")/lib.sh"
rig_start

# A member of ssh-admins logs in as root after one device flow.
ssh_as alice first root@viaexec 'id -un'
check_eq "an ssh-admins member logs in as root through Match exec" \
    "0 root" "$? $(cat "$R/first.out")"
check_eq "the first login showed one device-flow prompt" 1 \
    "$(prompts_in first)"
check_grep "sshd accepted the certificate" \
    'Accepted publickey for root .*ED25519-CERT' "$R/sshd.log"
check_no_grep "the token never reaches sshd's log" \
    "eyJ[A-Za-z0-9_-]{20,}" "$R/sshd.log"

# A second ssh reuses the certificate: no prompt, no new tokens.
before=$(stat -c %Y.%s "$XDG_CACHE_HOME"/ssh-oauth/tokens-* | head -1)
ssh_as alice second root@viaexec 'id -un'
check_eq "a second login succeeds" "0 root" "$? $(cat "$R/second.out")"
check_eq "the second login shows no prompt" 0 "$(prompts_in second)"
check_eq "the token cache was not rewritten" "$before" \
    "$(stat -c %Y.%s "$XDG_CACHE_HOME"/ssh-oauth/tokens-* | head -1)"

# Cache files are private and the token is not stored in clear.
check_eq "token cache is 0600" 600 \
    "$(stat -c %a "$XDG_CACHE_HOME"/ssh-oauth/tokens-* | head -1)"
if [ -e "$XDG_DATA_HOME/ssh-oauth/cache.key" ]; then
	fail "the cache key is kept off disk, in the kernel key ring"
else
	pass "the cache key is kept off disk, in the kernel key ring"
fi

# With cache_key file, the key is a 0600 file beside the cache.
sed 's/^scopes .*/scopes openid groups/' "$HOME/.config/ssh-oauth/config" \
    > "$HOME/.config/ssh-oauth/filekey.conf"
echo "cache_key file" >> "$HOME/.config/ssh-oauth/filekey.conf"
run_as alice filekey "$HELPER" -P filekey login
check_eq "a profile with cache_key file signs in" 0 $?
check_eq "and keeps its key in a 0600 file" 600 \
    "$(stat -c %a "$XDG_DATA_HOME/ssh-oauth/cache.key")"
"$HELPER" -P filekey status >/dev/null
check_eq "which opens its cache again" 0 $?
if grep -aq 'eyJ' "$XDG_CACHE_HOME"/ssh-oauth/tokens-*; then
	fail "the token cache is encrypted"
else
	pass "the token cache is encrypted"
fi

# Provider stopped: a fresh key from the cached token still logs in,
# because the server verifies against its JWKS cache, offline.
idp_stop
rm -f "$XDG_CACHE_HOME"/ssh-oauth/keys/*
ssh_as alice offline root@viaexec 'id -un'
check_eq "with the provider stopped, a still-valid token logs in" \
    "0 root" "$? $(cat "$R/offline.out")"
check_eq "and no device flow was needed" 0 "$(prompts_in offline)"

rig_finish
