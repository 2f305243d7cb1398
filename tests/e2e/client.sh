#!/usr/bin/env bash
# The client around the login: ten ssh commands at once share one device
# flow; status, token and logout do what they say; SSH_OAUTH_TOKEN is
# used as given and checked first.
. "$(dirname "$0")/lib.sh"
rig_start

# Ten at once with an empty cache: one sign-in, ten logins.
pids=
for i in 0 1 2 3 4 5 6 7 8 9; do
	ssh_as alice "c$i" root@viaexec 'id -un' &
	pids="$pids $!"
done
ok=0
for pid in $pids; do
	wait "$pid" && ok=$((ok + 1))
done
check_eq "ten concurrent ssh commands all log in" 10 "$ok"
prompts=0
for i in 0 1 2 3 4 5 6 7 8 9; do
	prompts=$((prompts + $(prompts_in "c$i")))
done
check_eq "and share one device flow" 1 "$prompts"

# status, as text and JSON, without contacting the provider.
"$HELPER" status > "$R/status.out"
check_eq "status exits 0 while signed in" 0 $?
check_grep "status names the subject" '^subject  alice \(alice@example.com\)' \
    "$R/status.out"
"$HELPER" status --json > "$R/status.json"
check_eq "status --json says signed in" "true alice" \
    "$(node -e 'const s = JSON.parse(require("fs").readFileSync(
    process.argv[1])); console.log(s.signed_in, s.subject)' "$R/status.json")"

# token: to a pipe yes, to a terminal only with --force.
tok=$("$HELPER" token | cat)
check_eq "token prints a JWT to a pipe" 3 "$(echo "$tok" | tr '.' '\n' | wc -l)"
script -qec "$HELPER token" /dev/null > "$R/tty.out" 2>&1
check_grep "token refuses a terminal" 'not printing a token to a terminal' \
    "$R/tty.out"

# Named profiles: a file each, a cache each.
sed 's/^scopes .*/scopes openid email/' "$HOME/.config/ssh-oauth/config" \
    > "$HOME/.config/ssh-oauth/work.conf"
"$HELPER" -P work status > "$R/work.out"
check_eq "a second profile has its own cache (not signed in)" "1" "$?"
check_grep "and says so" '^not signed in' "$R/work.out"
"$HELPER" -P ../config status > /dev/null 2>"$R/badprof.err"
check_eq "a profile name with a slash is refused" 1 $?
check_grep "with the reason" 'is not a plain name' "$R/badprof.err"

# SSH_OAUTH_TOKEN: used as given, no cache, no prompt.
"$HELPER" logout > "$R/logout.out"
check_eq "logout exits 0" 0 $?
check_grep "logout revokes the refresh token at the provider" \
    'refresh token revoked' "$R/logout.out"
"$HELPER" status > /dev/null
check_eq "after logout, status says signed out (exit 1)" 1 $?
ls "$XDG_CACHE_HOME/ssh-oauth/keys" > "$R/keys.left"
check_no_grep "logout removed the key files" 'root' "$R/keys.left"
SSH_OAUTH_TOKEN=$tok ssh_as alice env root@viaexec 'id -un'
check_eq "a token from SSH_OAUTH_TOKEN logs in" "0 root" \
    "$? $(cat "$R/env.out")"
check_eq "without a device flow" 0 "$(prompts_in env)"
bad=$(b64url_edit "$tok" 1 "$ISSUER" "https://evil.example")
SSH_OAUTH_TOKEN=$bad "$HELPER" ensure --host h --user root 2>"$R/bad.err"
check_eq "a token from another issuer is refused before use" 1 $?
check_grep "with the reason" 'SSH_OAUTH_TOKEN was issued by' "$R/bad.err"

rig_finish
