/*
 * The token cache: one file per profile under $XDG_CACHE_HOME/ssh-oauth,
 * sealed with libsodium's secretbox (XSalsa20-Poly1305) under a key kept
 * apart: in the kernel key ring, or in $XDG_DATA_HOME/ssh-oauth/cache.key
 * where there is no key ring. A file that fails to open counts as empty:
 * the user signs in again and nothing worse happens.
 *
 * File layout: "SOAC" 0x01, a 24-byte nonce, then the sealed JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/keyctl.h>

#include <json.h>
#include <sodium.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "helper.h"
#include "jsonx.h"
#include "log.h"
#include "util.h"

#define CACHE_MAGIC	"SOAC\x01"
#define CACHE_MAGIC_LEN	5
#define CACHE_FILE_MAX	(256 * 1024)

/* $VAR/sub if $VAR is absolute, else $HOME/fallback/sub. */
static char *
xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v != NULL && v[0] == '/')
		return util_xasprintf("%s/ssh-oauth", v);
	if (home == NULL || home[0] != '/')
		return NULL;
	return util_xasprintf("%s/%s/ssh-oauth", home, fallback);
}

/* mkdir -p, the last component private to us. */
static int
make_dirs(const char *path)
{
	char *copy = util_xstrdup(path), *p;
	int r;

	for (p = copy + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(copy, 0700) == -1 && errno != EEXIST) {
			free(copy);
			return SOA_ERR_IO;
		}
		*p = '/';
	}
	free(copy);
	if ((r = util_mkdir_private(path, 0700)) != 0)
		error("directory %s: %s", path, r == SOA_ERR_PERM ?
		    "not ours or writable by others" : strerror(errno));
	return r;
}

int
paths_init(const struct profile *p, struct paths *paths)
{
	unsigned char hash[16];
	char hex[sizeof(hash) * 2 + 1], *data_dir = NULL;
	crypto_generichash_state st;
	int r = SOA_ERR_CONFIG;

	memset(paths, 0, sizeof(*paths));
	if ((paths->cache_dir = xdg_dir("XDG_CACHE_HOME", ".cache")) == NULL ||
	    (data_dir = xdg_dir("XDG_DATA_HOME", ".local/share")) == NULL) {
		error("HOME is not set: cannot place the token cache");
		goto out;
	}
	if ((r = make_dirs(paths->cache_dir)) != 0 ||
	    (r = make_dirs(data_dir)) != 0)
		goto out;

	/* One cache per issuer, client and scopes. */
	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	crypto_generichash_update(&st, (const unsigned char *)p->issuer,
	    strlen(p->issuer) + 1);
	crypto_generichash_update(&st, (const unsigned char *)p->client_id,
	    strlen(p->client_id) + 1);
	crypto_generichash_update(&st, (const unsigned char *)p->scopes,
	    strlen(p->scopes) + 1);
	crypto_generichash_final(&st, hash, sizeof(hash));
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	paths->key_file = util_xasprintf("%s/cache.key", data_dir);
	paths->token_file = util_xasprintf("%s/tokens-%s", paths->cache_dir,
	    hex);
	paths->lock_file = util_xasprintf("%s/tokens-%s.lock",
	    paths->cache_dir, hex);
	r = 0;
 out:
	free(data_dir);
	return r;
}

void
paths_free(struct paths *paths)
{
	free(paths->cache_dir);
	free(paths->key_file);
	free(paths->token_file);
	free(paths->lock_file);
	memset(paths, 0, sizeof(*paths));
}

/*
 * The kernel key ring (keyrings(7)): the user's keyring holds the cache
 * key under a name derived from the key file's path, so the key is never
 * on disk. It lasts until the user's last session ends or the machine
 * restarts; then the cache cannot be opened and the user signs in again.
 */
static int
keyring_get(const char *desc, unsigned char key[32])
{
	long id, n;

	id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user",
	    desc, 0);
	if (id < 0)
		return SOA_ERR_NOT_FOUND;
	if ((n = syscall(SYS_keyctl, KEYCTL_READ, id, key, 32)) != 32)
		return SOA_ERR_FORMAT;
	return 0;
}

static int
keyring_put(const char *desc, const unsigned char key[32])
{
	return syscall(SYS_add_key, "user", desc, key, (size_t)32,
	    KEY_SPEC_USER_KEYRING) < 0 ? SOA_ERR_IO : 0;
}

/* Read the 0600 key file; SOA_ERR_NOT_FOUND if there is none. */
static int
key_file_get(const char *path, unsigned char key[32])
{
	struct buf b;
	const char *why;
	int r;

	buf_init(&b, 64);
	if ((r = util_read_file(path, UTIL_FILE_SECRET, &b, &why)) != 0) {
		if (r != SOA_ERR_NOT_FOUND)
			error("cache key %s: %s", path, why);
	} else if (b.len != 32) {
		error("cache key %s: not 32 bytes; remove it to start over",
		    path);
		r = SOA_ERR_FORMAT;
	} else
		memcpy(key, b.data, 32);
	buf_free(&b);
	return r;
}

/* Write a new key file: a full temporary file linked into place. */
static int
key_file_put(const char *path, const unsigned char key[32])
{
	char *tmp = util_xasprintf("%s.XXXXXX", path);
	int fd, r = SOA_ERR_IO;

	if ((fd = mkstemp(tmp)) == -1)
		goto out;
	if (fchmod(fd, 0600) == 0 && write(fd, key, 32) == 32 &&
	    fsync(fd) == 0 && link(tmp, path) == 0)
		r = 0;
	close(fd);
	(void)unlink(tmp);
 out:
	free(tmp);
	return r;
}

/*
 * The cache key: from the kernel key ring, else from the key file;
 * created on first use where the profile says (the key ring unless
 * cache_key file, or when the kernel refuses), under a lock so two
 * processes never make two keys.
 */
static int
cache_key(const struct profile *p, const struct paths *paths,
    unsigned char key[32], int create)
{
	char *desc, *lock_path = NULL;
	int lock = -1, r;

	desc = util_xasprintf("ssh-oauth:%s", paths->key_file);
	if (p->cache_key_file == 0 && keyring_get(desc, key) == 0) {
		r = 0;
		goto out;
	}
	if ((r = key_file_get(paths->key_file, key)) != SOA_ERR_NOT_FOUND ||
	    !create)
		goto out;

	/* None yet: make one, once. */
	lock_path = util_xasprintf("%s.lock", paths->key_file);
	if ((r = util_lock(lock_path, &lock)) != 0)
		goto out;
	if ((p->cache_key_file == 0 && keyring_get(desc, key) == 0) ||
	    key_file_get(paths->key_file, key) == 0) {
		r = 0;
		goto out;
	}
	randombytes_buf(key, 32);
	if (p->cache_key_file == 0 && keyring_put(desc, key) == 0)
		r = 0;
	else if ((r = key_file_put(paths->key_file, key)) != 0)
		error("cache key %s: %s", paths->key_file, strerror(errno));
 out:
	if (lock != -1)
		close(lock);
	free(lock_path);
	free(desc);
	return r;
}

int
cache_load(const struct profile *p, const struct paths *paths,
    struct tokens *t)
{
	static int reported;
	unsigned char key[32], *plain = NULL;
	const unsigned char *nonce, *sealed;
	json_object *doc = NULL;
	struct buf b;
	const char *why, *s;
	size_t sealed_len, plain_len = 0;
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	int r;

	memset(t, 0, sizeof(*t));
	buf_init(&b, CACHE_FILE_MAX);
	if ((r = util_read_file(paths->token_file, UTIL_FILE_SECRET, &b,
	    &why)) != 0) {
		if (r != SOA_ERR_NOT_FOUND)
			error("token cache %s: %s", paths->token_file, why);
		goto out;
	}
	if ((r = cache_key(p, paths, key, 0)) != 0)
		goto out;

	/* Open the box; anything wrong means "no cached tokens". */
	r = SOA_ERR_FORMAT;
	if (b.len < CACHE_MAGIC_LEN + crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES ||
	    memcmp(b.data, CACHE_MAGIC, CACHE_MAGIC_LEN) != 0)
		goto out;
	nonce = b.data + CACHE_MAGIC_LEN;
	sealed = nonce + crypto_secretbox_NONCEBYTES;
	sealed_len = b.len - CACHE_MAGIC_LEN - crypto_secretbox_NONCEBYTES;
	plain_len = sealed_len - crypto_secretbox_MACBYTES;
	if ((plain = malloc(plain_len + 1)) == NULL) {
		r = SOA_ERR_ALLOC;
		goto out;
	}
	if (crypto_secretbox_open_easy(plain, sealed, sealed_len, nonce,
	    key) != 0 || jsonx_parse_object((const char *)plain, plain_len,
	    &doc) != 0)
		goto out;
	if ((s = jsonx_string(doc, "access_token")) != NULL)
		t->access_token = util_xstrdup(s);
	if ((s = jsonx_string(doc, "id_token")) != NULL)
		t->id_token = util_xstrdup(s);
	if ((s = jsonx_string(doc, "refresh_token")) != NULL)
		t->refresh_token = util_xstrdup(s);
	if (jsonx_int64(doc, "expires_at", &t->expires_at) != 0)
		t->expires_at = 0;

	/* The sign-in key the tokens are bound to, if any. */
	if ((s = jsonx_string(doc, "key")) != NULL) {
		if (b64url_decode(s, strlen(s), &raw, &raw_len) != 0 ||
		    raw_len != sizeof(t->key))
			goto out;
		memcpy(t->key, raw, sizeof(t->key));
		t->has_key = 1;
	}
	r = 0;
 out:
	if (r == SOA_ERR_FORMAT && !reported) {
		error("token cache %s is damaged or was sealed with another "
		    "key; ignoring it", paths->token_file);
		reported = 1;
	}
	if (r != 0)
		tokens_free(t);
	if (doc != NULL) {
		/* json-c holds copies of the tokens: wipe them first. */
		json_object_object_foreach(doc, k, v) {
			(void)k;
			if (!json_object_is_type(v, json_type_string))
				continue;
			sodium_memzero((char *)json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		}
		json_object_put(doc);
	}
	util_freezero(plain, plain_len);
	util_freezero(raw, raw_len);
	sodium_memzero(key, sizeof(key));
	buf_free(&b);
	return r;
}

int
cache_store(const struct profile *p, const struct paths *paths,
    const struct tokens *t)
{
	unsigned char key[32], nonce[crypto_secretbox_NONCEBYTES];
	json_object *doc = NULL;
	struct buf out;
	const char *plain;
	unsigned char *sealed = NULL;
	size_t plain_len, sealed_len = 0;
	char *key64 = NULL;
	int r;

	buf_init(&out, CACHE_FILE_MAX);
	if ((r = cache_key(p, paths, key, 1)) != 0)
		goto out;

	/* Serialise, seal, write atomically. */
	if ((doc = json_object_new_object()) == NULL) {
		r = SOA_ERR_ALLOC;
		goto out;
	}
	if (t->access_token != NULL)
		json_object_object_add(doc, "access_token",
		    json_object_new_string(t->access_token));
	if (t->id_token != NULL)
		json_object_object_add(doc, "id_token",
		    json_object_new_string(t->id_token));
	if (t->refresh_token != NULL)
		json_object_object_add(doc, "refresh_token",
		    json_object_new_string(t->refresh_token));
	json_object_object_add(doc, "expires_at",
	    json_object_new_int64(t->expires_at));
	if (t->has_key) {
		if ((r = b64url_encode(t->key, sizeof(t->key), &key64)) != 0)
			goto out;
		json_object_object_add(doc, "key",
		    json_object_new_string(key64));
	}
	plain = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	plain_len = strlen(plain);
	sealed_len = plain_len + crypto_secretbox_MACBYTES;
	if ((sealed = malloc(sealed_len)) == NULL) {
		r = SOA_ERR_ALLOC;
		goto out;
	}
	randombytes_buf(nonce, sizeof(nonce));
	if ((r = buf_put(&out, CACHE_MAGIC, CACHE_MAGIC_LEN)) != 0 ||
	    (r = buf_put(&out, nonce, sizeof(nonce))) != 0)
		goto out;
	crypto_secretbox_easy(sealed, (const unsigned char *)plain, plain_len,
	    nonce, key);
	sodium_memzero((char *)plain, plain_len);
	if ((r = buf_put(&out, sealed, sealed_len)) != 0)
		goto out;
	if ((r = util_write_atomic(paths->token_file, out.data, out.len,
	    0600)) != 0)
		error("writing token cache %s: %s", paths->token_file,
		    strerror(errno));
 out:
	json_object_put(doc);
	util_freezero(sealed, sealed_len);
	util_strfree(key64);
	sodium_memzero(key, sizeof(key));
	buf_free(&out);
	return r;
}

int
cache_lock(const struct paths *paths, int *fd)
{
	int r;

	if ((r = util_lock(paths->lock_file, fd)) != 0)
		error("locking %s: %s", paths->lock_file, strerror(errno));
	return r;
}

void
cache_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}
