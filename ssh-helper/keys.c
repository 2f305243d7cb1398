/*
 * Key pairs and the files ssh reads: an unencrypted openssh-key-v1
 * private key (PROTOCOL.key) and the certificate beside it as
 * "<key>-cert.pub", where ssh looks for it. Both are 0600: the
 * certificate carries a bearer token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "helper.h"
#include "log.h"
#include "sshcert.h"
#include "util.h"

#define KEY_FILE_MAX	(128 * 1024)
#define PEM_WIDTH	70

void
keypair_generate(struct keypair *kp)
{
	crypto_sign_keypair(kp->pk, kp->sk);
}

void
keypair_wipe(struct keypair *kp)
{
	sodium_memzero(kp, sizeof(*kp));
}

int
keys_certify(const struct keypair *kp, const char *user, const char *token,
    int64_t expires_at, struct buf *cert)
{
	struct sshcert_req req;
	char *key_id;
	int r;

	/* Valid from a minute ago, for clock skew, until the token ends. */
	key_id = util_xasprintf("ssh-oauth:%s", user);
	memset(&req, 0, sizeof(req));
	req.pk = kp->pk;
	req.sk = kp->sk;
	req.key_id = key_id;
	req.principal = user;
	req.valid_after = (uint64_t)time(NULL) - 60;
	req.valid_before = (uint64_t)expires_at;
	req.token = token;
	req.token_len = strlen(token);
	r = sshcert_create(&req, cert);
	free(key_id);
	return r;
}

/* Whether s may be one component of a file name. */
static int
safe_component(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 255 && s[0] != '.' && s[0] != '-' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._:-") == n;
}

char *
keys_path(const struct paths *paths, const char *user, const char *host)
{
	char *dir;

	if (!safe_component(user) || !safe_component(host)) {
		error("user \"%.64s\" or host \"%.200s\" has characters unsafe "
		    "in a file name", user, host);
		return NULL;
	}
	dir = util_xasprintf("%s/keys", paths->cache_dir);
	if (util_mkdir_private(dir, 0700) != 0) {
		error("directory %s: not ours or writable by others", dir);
		free(dir);
		return NULL;
	}
	free(dir);
	return util_xasprintf("%s/keys/%s@%s", paths->cache_dir, user, host);
}

/* The private key, PEM-armoured openssh-key-v1 with no cipher. */
static int
private_key_pem(const struct keypair *kp, const char *comment,
    struct buf *pem)
{
	struct buf blob, pub, priv;
	uint32_t check;
	char *enc = NULL;
	size_t i, n;
	int r;

	buf_init(&blob, KEY_FILE_MAX);
	buf_init(&pub, 256);
	buf_init(&priv, KEY_FILE_MAX);
	check = randombytes_random();
	if ((r = sshkey_put_ed25519(&pub, kp->pk)) != 0 ||
	    (r = buf_put_u32(&priv, check)) != 0 ||
	    (r = buf_put_u32(&priv, check)) != 0 ||
	    (r = sshkey_put_ed25519(&priv, kp->pk)) != 0 ||
	    (r = buf_put_string(&priv, kp->sk, 64)) != 0 ||
	    (r = buf_put_cstring(&priv, comment)) != 0)
		goto out;

	/* Pad the private section to the cipher block size, 8 for "none". */
	for (i = 1; priv.len % 8 != 0; i++)
		if ((r = buf_put_u8(&priv, (uint8_t)i)) != 0)
			goto out;
	if ((r = buf_put(&blob, "openssh-key-v1", 15)) != 0 ||
	    (r = buf_put_cstring(&blob, "none")) != 0 ||
	    (r = buf_put_cstring(&blob, "none")) != 0 ||
	    (r = buf_put_string(&blob, NULL, 0)) != 0 ||
	    (r = buf_put_u32(&blob, 1)) != 0 ||
	    (r = buf_put_string(&blob, pub.data, pub.len)) != 0 ||
	    (r = buf_put_string(&blob, priv.data, priv.len)) != 0)
		goto out;
	if ((r = b64_encode(blob.data, blob.len, &enc)) != 0)
		goto out;
	if ((r = buf_put(pem, "-----BEGIN OPENSSH PRIVATE KEY-----\n",
	    36)) != 0)
		goto out;
	for (i = 0, n = strlen(enc); i < n; i += PEM_WIDTH) {
		if ((r = buf_put(pem, enc + i,
		    n - i < PEM_WIDTH ? n - i : PEM_WIDTH)) != 0 ||
		    (r = buf_put(pem, "\n", 1)) != 0)
			goto out;
	}
	r = buf_put(pem, "-----END OPENSSH PRIVATE KEY-----\n", 34);
 out:
	util_strfree(enc);
	buf_free(&blob);
	buf_free(&pub);
	buf_free(&priv);
	return r;
}

int
keys_write(const char *key_path, const struct keypair *kp,
    const struct buf *cert, const char *comment)
{
	struct buf pem, line;
	char *enc = NULL, *cert_path = NULL;
	int r;

	buf_init(&pem, KEY_FILE_MAX);
	buf_init(&line, KEY_FILE_MAX);
	cert_path = util_xasprintf("%s-cert.pub", key_path);

	/* Key first: a certificate without its key would be useless. */
	if ((r = private_key_pem(kp, comment, &pem)) != 0)
		goto out;
	if ((r = util_write_atomic(key_path, pem.data, pem.len, 0600)) != 0) {
		error("writing %s failed", key_path);
		goto out;
	}
	if ((r = b64_encode(cert->data, cert->len, &enc)) != 0 ||
	    (r = buf_put(&line, SSHCERT_TYPE_NAME " ",
	    strlen(SSHCERT_TYPE_NAME) + 1)) != 0 ||
	    (r = buf_put(&line, enc, strlen(enc))) != 0 ||
	    (r = buf_put(&line, " ", 1)) != 0 ||
	    (r = buf_put(&line, comment, strlen(comment))) != 0 ||
	    (r = buf_put(&line, "\n", 1)) != 0)
		goto out;
	if ((r = util_write_atomic(cert_path, line.data, line.len,
	    0600)) != 0)
		error("writing %s failed", cert_path);
 out:
	util_strfree(enc);
	free(cert_path);
	buf_free(&pem);
	buf_free(&line);
	return r;
}

int
keys_cert_is_fresh(const char *key_path, const char *user)
{
	struct sshcert *cert = NULL;
	struct buf b, k;
	unsigned char *blob = NULL;
	const char *why, *text;
	char *cert_path, *sp;
	size_t blob_len = 0, n;
	int fresh = 0;

	buf_init(&b, KEY_FILE_MAX);
	buf_init(&k, KEY_FILE_MAX);
	cert_path = util_xasprintf("%s-cert.pub", key_path);

	/* Both files must be there; the certificate must parse. */
	if (util_read_file(key_path, UTIL_FILE_SECRET, &k, &why) != 0 ||
	    util_read_file(cert_path, UTIL_FILE_SECRET, &b, &why) != 0 ||
	    buf_cstring(&b, &text) != 0)
		goto out;
	n = strlen(SSHCERT_TYPE_NAME);
	if (strncmp(text, SSHCERT_TYPE_NAME " ", n + 1) != 0)
		goto out;
	text += n + 1;
	if ((sp = strchr(text, ' ')) == NULL ||
	    b64_decode(text, (size_t)(sp - text), &blob, &blob_len) != 0 ||
	    sshcert_parse(blob, blob_len, &cert, &why) != 0)
		goto out;

	/* Ours, for this user, with time left. */
	fresh = cert->token != NULL && cert->nprincipals == 1 &&
	    strcmp(cert->principals[0], user) == 0 &&
	    cert->valid_before > (uint64_t)time(NULL) + HELPER_EXPIRY_MARGIN;
 out:
	sshcert_free(cert);
	free(blob);
	free(cert_path);
	buf_free(&b);
	buf_free(&k);
	return fresh;
}
