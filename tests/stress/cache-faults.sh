#!/usr/bin/env bash
# The client's cache on a full disk (a 64 KiB tmpfs, filled) and on a
# read-only bind mount: `ssh-oauth login` fails with an error naming the
# path, or succeeds and says the tokens were not saved; an existing cache
# file is never truncated or corrupted (same checksum). Tokens live 62 s,
# so a cached one needs a refresh (and a write) after 2 s.
. "$(dirname "$0")/../e2e/lib.sh"
export IDP_TOKEN_TTL=62
MOUNTS=()
rig_start

unmount_all() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}"
	done
	MOUNTS=()
}
trap 'unmount_all; rig_cleanup' EXIT

# sums DIR: checksums of the token cache files in DIR/ssh-oauth.
sums() {
	(cd "$1/ssh-oauth" && sha256sum tokens-* 2>/dev/null | grep -v '\.lock$')
}

# judge NAME STATUS DIR WHAT: the login either failed naming DIR, or
# succeeded saying the tokens were not saved.
judge() {
	if [ "$2" != 0 ]; then
		check_grep "$4: the login fails naming $3 (status $2)" \
		    "$(printf '%s' "$3" | sed 's/[.]/\\./g')" "$R/$1.err"
	else
		check_grep "$4: the login succeeds and says the tokens were not saved" \
		    'not saved|without|could not save' "$R/$1.err"
	fi
}

fill() {
	dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null
	check_eq "$1 is full" 0 "$(df --output=avail -k "$1" | tail -1 | tr -d ' ')"
}

wait_stale() {
	sleep 3
}

# A cached sign-in in the normal place.
login_as alice first || die "first login failed: $(cat "$R/first.err")"
sums "$XDG_CACHE_HOME" > "$R/first.sums"
[ -s "$R/first.sums" ] || die "no token cache after the first login"

# 1. Disk full, existing cache that needs a refresh.
mkdir -p "$R/full"
mount -t tmpfs -o size=64k,mode=0755 tmpfs "$R/full" ||
    die "cannot mount a tmpfs"
MOUNTS+=("$R/full")
cp -a "$XDG_CACHE_HOME/ssh-oauth" "$R/full/"
sums "$R/full" > "$R/full.before"
fill "$R/full"
wait_stale
XDG_CACHE_HOME=$R/full login_as alice fullold
judge fullold $? "$R/full" "disk full, cache needs a refresh"
sums "$R/full" > "$R/full.after"
check_eq "disk full: the existing cache file is unchanged" \
    "$(cat "$R/full.before")" "$(cat "$R/full.after")"
find "$R/full/ssh-oauth" -name 'tokens-*' ! -name '*.lock' \
    ! -regex '.*/tokens-[0-9a-f]*' > "$R/full.left"
check_eq "disk full: no temporary file is left behind" "" \
    "$(cat "$R/full.left")"

# 2. Disk full, no cache yet: a new sign-in that cannot be stored.
umount "$R/full"
mount -t tmpfs -o size=64k,mode=0755 tmpfs "$R/full" || die "cannot remount"
fill "$R/full"
XDG_CACHE_HOME=$R/full login_as alice fullnew
judge fullnew $? "$R/full" "disk full, no cache"
find "$R/full" -name 'tokens-*' ! -name '*.lock' -size 0 > "$R/full.empty"
check_eq "disk full: no empty token cache file was left" "" \
    "$(cat "$R/full.empty")"

# 3. Read-only cache directory holding a cache that needs a refresh: sign
# in again first (the refresh in step 1 rotated the refresh token).
"$HELPER" logout >/dev/null 2>&1
login_as alice second || die "second login failed: $(cat "$R/second.err")"
mkdir -p "$R/rosrc" "$R/ro"
cp -a "$XDG_CACHE_HOME/ssh-oauth" "$R/rosrc/"
mount --bind "$R/rosrc" "$R/ro" || die "cannot bind mount"
MOUNTS+=("$R/ro")
mount -o remount,ro,bind "$R/ro" || die "cannot remount read-only"
touch "$R/ro/probe" 2>/dev/null && die "the bind mount is writable"
sums "$R/ro" > "$R/ro.before"
wait_stale
XDG_CACHE_HOME=$R/ro login_as alice roold
judge roold $? "$R/ro" "read-only, cache needs a refresh"
check_eq "read-only: the existing cache file is unchanged" \
    "$(cat "$R/ro.before")" "$(sums "$R/ro")"

# 4. Read-only and empty: no ssh-oauth directory can be made.
mkdir -p "$R/rosrc2" "$R/ro2"
mount --bind "$R/rosrc2" "$R/ro2" || die "cannot bind mount"
MOUNTS+=("$R/ro2")
mount -o remount,ro,bind "$R/ro2" || die "cannot remount read-only"
XDG_CACHE_HOME=$R/ro2 login_as alice ronew
judge ronew $? "$R/ro2" "read-only, no cache"

# The cache in the normal place was never touched by any of this.
check_eq "the cache outside the mounts is intact" \
    "$(sums "$R/rosrc")" "$(sums "$XDG_CACHE_HOME")"
for n in fullold fullnew roold ronew; do
	echo "# $n: $(grep '^ssh-oauth:' "$R/$n.err" | tr '\n' ' ')"
done
unmount_all
check_eq "everything is unmounted" "" \
    "$(grep -F "$R" /proc/mounts)"
rig_finish
