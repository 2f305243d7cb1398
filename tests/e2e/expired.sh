#!/usr/bin/env bash
# An expired token is refused through real sshd, even inside a
# certificate that is itself still valid.
export IDP_TOKEN_TTL=4 LEEWAY=0
. "$(dirname "$0")/lib.sh"
rig_start

token=$(idp_token alice) || die "no token for alice"
keygen_cert "$R/k" root "$token"
ssh_as alice fresh -i "$R/k" root@direct 'id -un'
check_eq "the token logs in while it is valid" "0 root" \
    "$? $(cat "$R/fresh.out")"

sleep 5
ssh_as alice stale -i "$R/k" root@direct 'id -un'
check_eq "the same certificate is refused once the token expired" "255 " \
    "$? $(cat "$R/stale.out")"
akc root ssh-ed25519-cert-v01@openssh.com "$(key_b64 "$R/k-cert.pub")" \
    >"$R/stale.akc.out" 2>"$R/stale.akc.err"
check_grep "the log says the token expired" 'reason "token expired"' \
    "$R/stale.akc.err"

rig_finish
