#!/usr/bin/env bash
# Logging in through ProxyCommand: the helper puts key and certificate in
# ssh-agent with the token's lifetime, then relays the connection.
. "$(dirname "$0")/lib.sh"
rig_start
agent_start

ssh_as alice first root@viaproxy 'id -un'
check_eq "an ssh-admins member logs in as root through ProxyCommand" \
    "0 root" "$? $(cat "$R/first.out")"
check_eq "the first login showed one device-flow prompt" 1 \
    "$(prompts_in first)"
ssh-add -l > "$R/agent.list" 2>&1
check_grep "the agent holds the certificate" 'ED25519-CERT' "$R/agent.list"

# The agent's certificate is reused: no prompt, no second key.
ssh_as alice second root@viaproxy 'id -un'
check_eq "a second login succeeds" "0 root" "$? $(cat "$R/second.out")"
check_eq "the second login shows no prompt" 0 "$(prompts_in second)"
check_eq "the agent still holds one key" 1 \
    "$(ssh-add -l 2>/dev/null | wc -l)"

# Provider stopped, agent emptied: the cached token still makes a key
# the server accepts offline.
idp_stop
ssh-add -D >/dev/null 2>&1
ssh_as alice offline root@viaproxy 'id -un'
check_eq "with the provider stopped, a still-valid token logs in" \
    "0 root" "$? $(cat "$R/offline.out")"
check_eq "and no device flow was needed" 0 "$(prompts_in offline)"

# Without an agent of the user's, the helper starts its own on a fixed
# socket, which ssh_config names with IdentityAgent; --agent names it
# for the helper whatever SSH_AUTH_SOCK says.
own=$XDG_CACHE_HOME/ssh-oauth/agent.sock
cat >> "$R/ssh_config" <<CONF
Host ownagent
	HostName 127.0.0.1
	Port $SSHD_PORT
	ProxyCommand $HELPER proxy %r %h %p
	IdentityAgent $own
Host namedagent
	HostName 127.0.0.1
	Port $SSHD_PORT
	ProxyCommand $HELPER proxy --agent $R/named.sock %r %h %p
	IdentityAgent $R/named.sock
CONF
ssh_as alice named root@namedagent 'id -un'
check_eq "--agent starts and uses the named agent though SSH_AUTH_SOCK is set" \
    "0 root" "$? $(cat "$R/named.out")"
pkill -f "ssh-agent -a $R/named.sock" 2>/dev/null
unset SSH_AUTH_SOCK
ssh_as alice ownagent root@ownagent 'id -un'
check_eq "with no SSH_AUTH_SOCK, the helper's own agent serves the login" \
    "0 root" "$? $(cat "$R/ownagent.out")"
SSH_AUTH_SOCK=$own ssh-add -l > "$R/own.list" 2>&1
check_grep "that agent holds the certificate" 'ED25519-CERT' "$R/own.list"
pkill -f "ssh-agent -a $own" 2>/dev/null

# Six at once with no agent running: one starts it, all use it.
rm -f "$own"
ok=0
pids=
for i in 1 2 3 4 5 6; do
	"$HELPER" proxy root 127.0.0.1 "$SSHD_PORT" </dev/null >/dev/null \
	    2>"$R/race$i.err" &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid" && ok=$((ok + 1))
done
check_eq "six proxies starting the helper's agent at once all succeed" 6 "$ok"
pkill -f "ssh-agent -a $own" 2>/dev/null

# An agent that runs as someone else never gets the key.
install -d -m 1777 "$R/shared"
runuser -u nobody -- ssh-agent -a "$R/shared/agent.sock" >/dev/null
"$HELPER" proxy --agent "$R/shared/agent.sock" root 127.0.0.1 \
    "$SSHD_PORT" </dev/null >/dev/null 2>"$R/foreign.err"
check_eq "proxy refuses another user's agent" 1 $?
check_grep "and says why" 'runs as another user' "$R/foreign.err"
SSH_AUTH_SOCK=$R/shared/agent.sock runuser -u nobody -- ssh-add -l \
    >"$R/foreign.list" 2>&1
check_no_grep "that agent holds no key of ours" 'ED25519-CERT' \
    "$R/foreign.list"
pkill -f "ssh-agent -a $R/shared/agent.sock" 2>/dev/null

rig_finish
