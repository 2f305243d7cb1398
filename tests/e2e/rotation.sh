#!/usr/bin/env bash
# Key rotation at the provider with logins going on, and a key endpoint
# that hangs: a token with an unknown kid makes the command fetch the key
# set once, within its deadline, and never hangs a login.
. "$(dirname "$0")/lib.sh"
R_KEYS=$(mktemp)
make_keys "$R_KEYS.a" key-a
export IDP_KEYS_FILE=$R_KEYS.a
rig_start
rm -f "$R_KEYS"
# The command's account may write the cache, as the packaged one does.
chown ssh-oauth "$R/cache"
cat >> "$R/etc/authkeys.conf" <<CONF
fetch_timeout 1500
fetch_interval 0
CONF

ssh_as alice before root@viaexec 'id -un'
check_eq "a login with the first key works" "0 root" \
    "$? $(cat "$R/before.out")"

# The provider publishes a new key and signs with it; the old one stays
# published for tokens already issued.
make_keys "$R_KEYS.b" key-b
node -e 'const f = require("fs"); const [b, a] = process.argv.slice(1)
    .map(p => JSON.parse(f.readFileSync(p)));
    f.writeFileSync(process.argv[1], JSON.stringify({ keys:
    [...b.keys, ...a.keys] }));' "$R_KEYS.b" "$R_KEYS.a"
idp_stop
IDP_KEYS_FILE=$R_KEYS.b idp_start
grep -q key-b "$R/cache/jwks.json" && die "cache already has key-b"
token=$(idp_token bob) || die "no token"
case $token in *) kid=$(printf '%s' "${token%%.*}" | base64 -d 2>/dev/null) ;; esac
check_grep "new tokens are signed with the new key" key-b <(echo "$kid")

ssh_as alice old root@viaexec 'id -un'
check_eq "the cached token (old key) still logs in" "0 root" \
    "$? $(cat "$R/old.out")"
logout_out=$("$HELPER" logout 2>&1)
ssh_as alice new root@viaexec 'id -un'
check_eq "a new token (new kid) logs in without a refresh run" "0 root" \
    "$? $(cat "$R/new.out")"
check_grep "the command fetched the new key set itself" key-b \
    "$R/cache/jwks.json"

# Old key retired: the key endpoint now hangs. An unknown kid must not
# hold the login past the fetch deadline; the cached set stays.
hang_port=$(free_port)
node -e 'require("net").createServer(() => {}).listen(process.argv[1],
    "127.0.0.1")' "$hang_port" &
hang_pid=$!
printf "http://127.0.0.1:%s/keys" "$hang_port" > "$R/cache/jwks.json.uri"
make_keys "$R_KEYS.c" key-c
idp_stop
IDP_KEYS_FILE=$R_KEYS.c idp_start
"$HELPER" logout >/dev/null 2>&1
start=$(date +%s)
ssh_as alice hang root@viaexec 'id -un'
status=$?
took=$(( $(date +%s) - start ))
check_eq "a token whose key cannot be fetched is refused" "255 " \
    "$status $(cat "$R/hang.out")"
if [ "$took" -lt 30 ]; then
	pass "the hanging key endpoint did not hold the login (${took}s)"
else
	fail "the hanging key endpoint held the login for ${took}s"
fi
check_grep "the cached key set was kept" key-b "$R/cache/jwks.json"
kill "$hang_pid" 2>/dev/null
wait "$hang_pid" 2>/dev/null
rm -f "$R_KEYS".*

rig_finish
