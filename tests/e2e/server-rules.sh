#!/usr/bin/env bash
# Policy features through real sshd: a bastion rule by group with a from=
# restriction, the verified identity handed to the session, deny rules,
# and what "explain" and "check" tell an admin.
. "$(dirname "$0")/lib.sh"
rig_start

cat > "$R/etc/policy" <<'POLICY'
deny email=mallory@example.com
allow groups=ssh-admins root from="127.0.0.2",identity-env
POLICY

# Connecting from 127.0.0.1: the from= pattern does not match.
ssh_as alice far root@viaexec 'id -un'
check_eq "a from= rule refuses a connection from elsewhere" "255 " \
    "$? $(cat "$R/far.out")"
check_eq "after one sign-in" 1 "$(prompts_in far)"

# From 127.0.0.2 the same certificate is accepted.
ssh_as alice near -o BindAddress=127.0.0.2 root@viaexec \
    'echo "$SSH_OAUTH_SUB $SSH_OAUTH_EMAIL"'
check_eq "the bastion rule accepts a connection from 127.0.0.2" \
    "0 alice alice@example.com" "$? $(cat "$R/near.out")"

# explain: the same reasoning, for a person.
cert=$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1-cert.pub
"$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" explain root \
    "$cert" >"$R/explain.out" 2>&1
check_eq "explain exits 0 for an allowed login" 0 $?
check_grep "explain names the issuer" "issuer +trusted: $ISSUER" \
    "$R/explain.out"
check_grep "explain names the rule and the options" \
    'from="127.0.0.2",environment="SSH_OAUTH_ISSUER=' "$R/explain.out"
"$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" explain admin \
    < "$cert" >"$R/explain2.out" 2>&1
check_eq "explain exits 1 for a refused login" 1 $?
check_grep "and says why" 'verdict +refuse: no policy rule grants' \
    "$R/explain2.out"

# A deny rule wins over any allow.
cat > "$R/etc/policy" <<'POLICY'
deny sub=alice
allow groups=ssh-admins root
POLICY
ssh_as alice denied root@viaexec 'id -un'
check_eq "a deny rule refuses an otherwise allowed identity" "255 " \
    "$? $(cat "$R/denied.out")"

# check: a broken policy is reported with its line number.
printf 'allow groups=ssh-admins root\nallow groups=x -root\n' \
    > "$R/etc/policy"
"$R/libexec/ssh-oauth-authkeys" -f "$R/etc/authkeys.conf" check \
    >"$R/check.out" 2>&1
check_eq "check fails on a bad policy" 1 $?
check_grep "and names the line" 'policy line 2: principals' "$R/check.out"

rig_finish
