#!/usr/bin/env bash
# What the server must refuse through real sshd: the wrong group, a
# forged token, an altered signature. A certificate written by ssh-keygen
# with a good token is accepted, which shows the refusals are about the
# token and not the writer.
. "$(dirname "$0")/lib.sh"
rig_start

# Control: ssh-keygen's certificate with alice's token logs in.
alice=$(idp_token alice) || die "no token for alice"
keygen_cert "$R/k-good" root "$alice"
ssh_as alice good -i "$R/k-good" root@direct 'id -un'
check_eq "a certificate written by ssh-keygen with a valid token logs in" \
    "0 root" "$? $(cat "$R/good.out")"

# A developer asking for root: refused, and the log says why.
ssh_as bob bob root@viaexec 'id -un'
check_eq "a user whose groups do not allow root is refused" \
    "255 " "$? $(cat "$R/bob.out")"
akc root ssh-ed25519-cert-v01@openssh.com \
    "$(key_b64 "$XDG_CACHE_HOME/ssh-oauth/keys/root@127.0.0.1-cert.pub")" \
    >"$R/bob.akc.out" 2>"$R/bob.akc.err"
check_eq "the command prints no key line for the refused user" "1 " \
    "$? $(cat "$R/bob.akc.out")"
check_grep "the refusal names the reason" \
    'refuse user "root" .*sub "bob".*no policy rule grants' "$R/bob.akc.err"

# Bob's token with his group rewritten to ssh-admins: the payload no
# longer matches the signature.
bob=$(idp_token bob) || die "no token for bob"
forged=$(b64url_edit "$bob" 1 developers ssh-admins)
keygen_cert "$R/k-forged" root "$forged"
ssh_as bob forged -i "$R/k-forged" root@direct 'id -un'
check_eq "a token whose claims were altered is refused" "255 " \
    "$? $(cat "$R/forged.out")"
akc root ssh-ed25519-cert-v01@openssh.com \
    "$(key_b64 "$R/k-forged-cert.pub")" >/dev/null 2>"$R/forged.akc.err"
check_grep "because its signature does not verify" \
    'signature does not verify' "$R/forged.akc.err"

# Alice's token with one signature character changed, re-signed into a
# certificate with the same key.
sig=${alice##*.}
mid=$(( ${#sig} / 2 ))
c=${sig:$mid:1}
[ "$c" = A ] && n=B || n=A
altered=${alice%.*}.${sig:0:$mid}$n${sig:$((mid + 1))}
keygen_cert "$R/k-good" root "$altered"
ssh_as alice altered -i "$R/k-good" root@direct 'id -un'
check_eq "a token whose signature bytes were changed is refused" "255 " \
    "$? $(cat "$R/altered.out")"

# alg "none" with the signature stripped.
none=$(b64url_edit "$alice" 0 RS256 none)
keygen_cert "$R/k-none" root "${none%.*}.AA"
akc root ssh-ed25519-cert-v01@openssh.com "$(key_b64 "$R/k-none-cert.pub")" \
    >"$R/none.out" 2>"$R/none.err"
check_eq "an unsigned (alg none) token gets no key line" "1 " \
    "$? $(cat "$R/none.out")"

# Files owned by "nobody", which other daemons share, are never trusted:
# anything running as nobody could have written them.
install -d -o nobody -m 0755 "$R/nobody"
install -o nobody -m 0644 "$R/cache/jwks.json" "$R/nobody/jwks.json"
sed "s|^jwks_cache .*|jwks_cache $R/nobody/jwks.json|" \
    "$R/etc/authkeys.conf" > "$R/etc/nobody.conf"
chmod 644 "$R/etc/nobody.conf"
runuser -u nobody -- "$R/libexec/ssh-oauth-authkeys" -d \
    -f "$R/etc/nobody.conf" root ssh-ed25519-cert-v01@openssh.com \
    "$(key_b64 "$R/k-good-cert.pub")" >"$R/nobody.out" 2>"$R/nobody.err"
check_eq "a key set owned by nobody gets no key line" "1 " \
    "$? $(cat "$R/nobody.out")"
check_grep "and the log says why" 'an account other daemons share' \
    "$R/nobody.err"

rig_finish
