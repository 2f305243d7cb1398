#!/usr/bin/env bash
# The Debian packages, end to end: build them from a copy of the tree,
# install them, check what they put where, log in through the INSTALLED
# programs (sshd runs /usr/libexec/ssh-oauth/ssh-oauth-authkeys with the
# packaged sshd snippet, ssh runs /usr/bin/ssh-oauth), then purge them and
# whatever else this script installed. Needs root and the test provider's
# node modules (tests/idp). Not part of "make check": run "make
# package-check".
#
# KEEP_BUILD=1 keeps the build directory; KEEP_BUILD_DEPS=1 keeps build
# dependencies this script installed.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
set +e

PKGS="ssh-oauth ssh-oauth-server"
LIBEXEC=/usr/libexec/ssh-oauth
AUTHKEYS=$LIBEXEC/ssh-oauth-authkeys
SNIPPET=/usr/share/doc/ssh-oauth-server/examples/sshd_config.d/ssh-oauth.conf
BUILD=
INSTALLED=
HAD_ACCOUNT=
HAD_GROUP=
BEFORE_PKGS=

# check_cmd DESCRIPTION COMMAND...: the command must succeed.
check_cmd() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		pass "$what"
	else
		fail "$what (failed: $*)"
	fi
}

# The packages this run added beside ours, so they can go again.
new_packages() {
	comm -13 <(printf '%s\n' "$BEFORE_PKGS") \
	    <(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' |
	    awk '$1 == "ii" { print $2 }' | sort)
}

cleanup() {
	local extra

	rig_cleanup
	if [ -n "$INSTALLED" ]; then
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $PKGS \
		    >"$BUILD/purge.log" 2>&1 ||
		    echo "# purge failed: $(tail -5 "$BUILD/purge.log")" >&2
	fi

	# Debian keeps system accounts on purge; this machine had none.
	[ -z "$HAD_ACCOUNT" ] && getent passwd ssh-oauth >/dev/null &&
	    userdel ssh-oauth
	[ -z "$HAD_GROUP" ] && getent group ssh-oauth >/dev/null &&
	    groupdel ssh-oauth

	# Build dependencies installed above, unless asked to keep them.
	if [ -z "${KEEP_BUILD_DEPS:-}" ] && [ -n "$BEFORE_PKGS" ]; then
		extra=$(new_packages | tr '\n' ' ')
		# shellcheck disable=SC2086
		[ -n "$extra" ] && DEBIAN_FRONTEND=noninteractive \
		    apt-get purge -y -q $extra >/dev/null 2>&1
	fi
	if [ -n "$BUILD" ] && [ -z "${KEEP_BUILD:-}" ]; then
		rm -rf "$BUILD"
	elif [ -n "$BUILD" ]; then
		echo "# build kept in $BUILD" >&2
	fi
	return 0
}

# Every directory from path up to "/" root-owned, not group/world-writable.
root_path_ok() {
	local p=$1 owner mode
	while :; do
		owner=$(stat -c %u "$p") && mode=$(stat -c %a "$p") || return 1
		[ "$owner" = 0 ] || return 1
		[ $((8#$mode & 8#022)) = 0 ] || return 1
		[ "$p" = / ] && return 0
		p=$(dirname "$p")
	done
}

[ "$(id -u)" = 0 ] || die "needs root: it installs packages and runs sshd"
[ -d "$TOP/tests/idp/node_modules" ] ||
    die "run: (cd tests/idp && npm ci)"
for p in $PKGS; do
	dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^i' &&
	    die "$p is installed already; this test would remove it"
done
getent passwd ssh-oauth >/dev/null && HAD_ACCOUNT=1
getent group ssh-oauth >/dev/null && HAD_GROUP=1
BUILD=$(mktemp -d /tmp/ssh-oauth-package.XXXXXX)
trap cleanup EXIT

# Build dependencies, from the Debian archive, if missing.
BEFORE_PKGS=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' |
    awk '$1 == "ii" { print $2 }' | sort)
if ! command -v dh >/dev/null || ! command -v debuild >/dev/null; then
	echo "# installing debhelper and devscripts"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends debhelper devscripts \
	    >"$BUILD/deps.log" 2>&1 || die "apt-get: $(tail -5 "$BUILD/deps.log")"
fi
check_cmd "build dependencies are satisfied" \
    dpkg-checkbuilddeps "$TOP/debian/control"

# Build from a copy of the tree as it is now, without build products.
mkdir "$BUILD/src"
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$BUILD/src"
(cd "$BUILD/src" && dpkg-buildpackage -us -uc -b) >"$BUILD/build.log" 2>&1
status=$?
check_eq "dpkg-buildpackage -us -uc -b succeeds" 0 "$status"
[ "$status" = 0 ] || { tail -30 "$BUILD/build.log" | sed 's/^/#   /'; }
check_grep "the package build ran the unit tests" \
    '^[0-9]+ passed, 0 failed' "$BUILD/build.log"
check_no_grep "the package build ran no end-to-end test" \
    '^== e2e/' "$BUILD/build.log"
debs=()
for p in $PKGS; do
	debs+=("$(find "$BUILD" -maxdepth 1 -name "${p}_*.deb" | head -1)")
done
check_eq "both binary packages were built" 2 \
    "$(printf '%s\n' "${debs[@]}" | grep -c '\.deb$')"

# Install them as an admin would.
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${debs[@]}" \
    >"$BUILD/install.log" 2>&1
status=$?
INSTALLED=1
check_eq "apt-get installs both packages" 0 "$status"
[ "$status" = 0 ] || { tail -20 "$BUILD/install.log" | sed 's/^/#   /'; }

# What the packages put where.
check_eq "ssh-oauth holds the client" "ssh-oauth" \
    "$(dpkg-query -S /usr/bin/ssh-oauth 2>/dev/null | cut -d: -f1)"
check_eq "ssh-oauth-server holds the command" "ssh-oauth-server" \
    "$(dpkg-query -S "$AUTHKEYS" 2>/dev/null | cut -d: -f1)"
check_cmd "the fetch program is installed beside the command" \
    test -x "$LIBEXEC/ssh-oauth-authkeys-fetch"
for f in "$AUTHKEYS" "$LIBEXEC/ssh-oauth-authkeys-fetch" /usr/bin/ssh-oauth
do
	check_eq "$f is root-owned and 0755" "0 755" "$(stat -c '%u %a' "$f")"
done
if root_path_ok "$AUTHKEYS"; then
	pass "sshd's rule: $AUTHKEYS and every directory above it are root-owned and not group- or world-writable"
else
	fail "sshd's rule: $AUTHKEYS and every directory above it are root-owned and not group- or world-writable"
fi
for m in ssh-oauth.1 ssh-oauth.conf.5 ssh-oauth-authkeys.8 \
    ssh-oauth-authkeys-fetch.8 ssh-oauth-authkeys.conf.5 ssh-oauth-policy.5
do
	check_cmd "man page ${m%.*}(${m##*.}) is installed" \
	    man -w "${m##*.}" "${m%.*}"
done
check_eq "the example configuration is a conffile" \
    "/etc/ssh-oauth/authkeys.conf /etc/ssh-oauth/policy" \
    "$(dpkg-query -W -f '${Conffiles}\n' ssh-oauth-server |
    awk 'NF { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')"
check_cmd "the account ssh-oauth exists" getent passwd ssh-oauth
check_eq "the cache directory belongs to ssh-oauth, 0755" \
    "ssh-oauth ssh-oauth 755" "$(stat -c '%U %G %a' /var/cache/ssh-oauth)"
for u in ssh-oauth-refresh.service ssh-oauth-refresh.timer; do
	check_cmd "$u is installed" test -f "/usr/lib/systemd/system/$u"
done
check_grep "the refresh service runs as ssh-oauth" '^User=ssh-oauth$' \
    /usr/lib/systemd/system/ssh-oauth-refresh.service
check_grep "the refresh service runs the installed command" \
    "^ExecStart=$AUTHKEYS refresh\$" \
    /usr/lib/systemd/system/ssh-oauth-refresh.service
check_grep "the sshd snippet names the installed command" \
    "^AuthorizedKeysCommand $AUTHKEYS %u %t %k\$" "$SNIPPET"
check_grep "the sshd snippet runs it as ssh-oauth" \
    '^AuthorizedKeysCommandUser ssh-oauth$' "$SNIPPET"
if grep -rqs ssh-oauth /etc/ssh/sshd_config /etc/ssh/sshd_config.d; then
	fail "sshd's configuration is left alone"
else
	pass "sshd's configuration is left alone"
fi
"$AUTHKEYS" check >"$BUILD/check.out" 2>&1
check_eq "check accepts the packaged example configuration" 0 "$?"
check_no_grep "check finds the installed path acceptable to sshd" \
    'sshd will refuse' "$BUILD/check.out"

# Log in through the installed files: the rig's provider and client,
# sshd with the packaged snippet, the configuration in /etc/ssh-oauth.
HELPER=/usr/bin/ssh-oauth
R=$(mktemp -d /run/ssh-oauth-test.XXXXXX)
chmod 755 "$R"
mkdir -p "$R/home"
idp_start
cat > /etc/ssh-oauth/authkeys.conf <<CONF
issuer $ISSUER
audience ssh-oauth-test
CONF
cat > /etc/ssh-oauth/policy <<POLICY
allow groups=ssh-admins root,admin
POLICY
runuser -u ssh-oauth -- "$AUTHKEYS" refresh >"$R/refresh.out" 2>&1
check_eq "refresh as ssh-oauth fills the default cache" "0 ssh-oauth" \
    "$? $(stat -c %U /var/cache/ssh-oauth/jwks.json 2>/dev/null)"

SSHD_PORT=$(free_port)
mkdir -p /run/sshd
chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$R/ssh_host_ed25519_key"
cat > "$R/sshd_config" <<CONF
Include $SNIPPET
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $R/ssh_host_ed25519_key
PidFile $R/sshd.pid
AuthorizedKeysFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
LogLevel VERBOSE
CONF
"$SSHD" -D -e -f "$R/sshd_config" 2>"$R/sshd.log" &
SSHD_PID=$!
for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$SSHD_PORT") 2>/dev/null && break
	kill -0 "$SSHD_PID" 2>/dev/null || break
	sleep 0.1
done
client_setup
ssh_as alice login root@viaexec 'id -un'
check_eq "an ssh-admins member logs in as root through the installed programs" \
    "0 root" "$? $(cat "$R/login.out")"
check_grep "sshd accepted the certificate through the installed command" \
    'Accepted publickey for root .*ED25519-CERT' "$R/sshd.log"
cert=$(find "$XDG_CACHE_HOME/ssh-oauth/keys" -name 'root@*-cert.pub' |
    head -1)
runuser -u ssh-oauth -- "$AUTHKEYS" explain admin - <"$cert" \
    >"$R/explain.out" 2>&1
check_grep "explain as ssh-oauth shows the same certificate allowed as admin" \
    '^verdict +allow' "$R/explain.out"
"$HELPER" logout >/dev/null 2>&1
ssh_as bob refused root@viaexec 'id -un'
check_eq "a user the policy does not name is refused" "255 " \
    "$? $(cat "$R/refused.out")"

# Purge, and check nothing is left behind.
rig_cleanup
SSHD_PID=
IDP_PID=
R=
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $PKGS \
    >"$BUILD/purge.log" 2>&1
check_eq "apt-get purge removes both packages" 0 "$?"
INSTALLED=
for f in /usr/bin/ssh-oauth "$LIBEXEC" /etc/ssh-oauth /var/cache/ssh-oauth
do
	check_cmd "purge leaves no $f" test ! -e "$f"
done

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
