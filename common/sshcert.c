#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "err.h"
#include "sshcert.h"
#include "util.h"

/* The extensions ssh-keygen grants by default, so sessions get a pty. */
static const char *const default_extensions[] = {
	"permit-X11-forwarding",
	"permit-agent-forwarding",
	"permit-port-forwarding",
	"permit-pty",
	"permit-user-rc",
	NULL
};

int
sshkey_put_ed25519(struct buf *b, const unsigned char pk[32])
{
	int r;

	if ((r = buf_put_cstring(b, SSHKEY_TYPE_NAME)) != 0)
		return r;
	return buf_put_string(b, pk, 32);
}

/* Extensions, sorted by name as PROTOCOL.certkeys asks: ours sorts first. */
static int
put_extensions(struct buf *b, const char *token, size_t token_len)
{
	struct buf ext, data;
	size_t i;
	int r;

	buf_init(&ext, SSHCERT_BLOB_MAX);
	buf_init(&data, SSHCERT_BLOB_MAX);
	if ((r = buf_put_string(&data, token, token_len)) != 0 ||
	    (r = buf_put_cstring(&ext, SSHCERT_TOKEN_EXT)) != 0 ||
	    (r = buf_put_string(&ext, data.data, data.len)) != 0)
		goto out;
	for (i = 0; default_extensions[i] != NULL; i++) {
		if ((r = buf_put_cstring(&ext, default_extensions[i])) != 0 ||
		    (r = buf_put_string(&ext, NULL, 0)) != 0)
			goto out;
	}
	r = buf_put_string(b, ext.data, ext.len);
 out:
	buf_free(&ext);
	buf_free(&data);
	return r;
}

int
sshcert_create(const struct sshcert_req *req, struct buf *out)
{
	unsigned char nonce[32], sig[crypto_sign_BYTES];
	struct buf principals, key, sigblob;
	int r;

	buf_init(&principals, SSHCERT_BLOB_MAX);
	buf_init(&key, 256);
	buf_init(&sigblob, 256);
	randombytes_buf(nonce, sizeof(nonce));

	/* The to-be-signed part, field by field. */
	if ((r = buf_put_cstring(out, SSHCERT_TYPE_NAME)) != 0 ||
	    (r = buf_put_string(out, nonce, sizeof(nonce))) != 0 ||
	    (r = buf_put_string(out, req->pk, 32)) != 0 ||
	    (r = buf_put_u64(out, 0)) != 0 ||
	    (r = buf_put_u32(out, SSHCERT_USER)) != 0 ||
	    (r = buf_put_cstring(out, req->key_id)) != 0)
		goto out;
	if ((r = buf_put_cstring(&principals, req->principal)) != 0 ||
	    (r = buf_put_string(out, principals.data, principals.len)) != 0)
		goto out;
	if ((r = buf_put_u64(out, req->valid_after)) != 0 ||
	    (r = buf_put_u64(out, req->valid_before)) != 0 ||
	    (r = buf_put_string(out, NULL, 0)) != 0 ||
	    (r = put_extensions(out, req->token, req->token_len)) != 0 ||
	    (r = buf_put_string(out, NULL, 0)) != 0)
		goto out;
	if ((r = sshkey_put_ed25519(&key, req->pk)) != 0 ||
	    (r = buf_put_string(out, key.data, key.len)) != 0)
		goto out;

	/* Sign everything so far with the certified key itself. */
	crypto_sign_detached(sig, NULL, out->data, out->len, req->sk);
	if ((r = buf_put_cstring(&sigblob, SSHKEY_TYPE_NAME)) != 0 ||
	    (r = buf_put_string(&sigblob, sig, sizeof(sig))) != 0 ||
	    (r = buf_put_string(out, sigblob.data, sigblob.len)) != 0)
		goto out;
	r = 0;
 out:
	buf_free(&principals);
	buf_free(&key);
	buf_free(&sigblob);
	return r;
}

void
sshcert_free(struct sshcert *cert)
{
	size_t i;

	if (cert == NULL)
		return;
	free(cert->key_id);
	for (i = 0; i < cert->nprincipals; i++)
		free(cert->principals[i]);
	free(cert->principals);
	util_freezero(cert->token, cert->token_len);
	free(cert);
}

/* Read the packed principal names. */
static int
parse_principals(struct sshcert *cert, const unsigned char *p, size_t n)
{
	struct wire w;
	char **list;
	int r;

	wire_init(&w, p, n);
	while (wire_left(&w) > 0) {
		if (cert->nprincipals >= SSHCERT_PRINCIPALS_MAX)
			return SOA_ERR_LIMIT;
		list = reallocarray(cert->principals, cert->nprincipals + 1,
		    sizeof(*list));
		if (list == NULL)
			return SOA_ERR_ALLOC;
		cert->principals = list;
		if ((r = wire_get_cstring(&w,
		    &cert->principals[cert->nprincipals])) != 0)
			return r;
		cert->nprincipals++;
	}
	return 0;
}

/*
 * Walk the extensions: names strictly increasing (so none repeats), and
 * the token extension's data one string holding the token.
 */
static int
parse_extensions(struct sshcert *cert, const unsigned char *p, size_t n,
    const char **why)
{
	const unsigned char *name, *data, *tok, *prev = NULL;
	size_t name_len, data_len, tok_len, prev_len = 0, cmp_len;
	struct wire w, dw;
	int c;

	wire_init(&w, p, n);
	while (wire_left(&w) > 0) {
		if (wire_get_string(&w, &name, &name_len) != 0 ||
		    wire_get_string(&w, &data, &data_len) != 0) {
			*why = "truncated extension";
			return SOA_ERR_FORMAT;
		}
		if (prev != NULL) {
			cmp_len = name_len < prev_len ? name_len : prev_len;
			c = memcmp(prev, name, cmp_len);
			if (c > 0 || (c == 0 && prev_len >= name_len)) {
				*why = "extensions repeated or out of order";
				return SOA_ERR_FORMAT;
			}
		}
		prev = name;
		prev_len = name_len;
		if (name_len != strlen(SSHCERT_TOKEN_EXT) ||
		    memcmp(name, SSHCERT_TOKEN_EXT, name_len) != 0)
			continue;

		/* The token: exactly one string filling the data. */
		wire_init(&dw, data, data_len);
		if (wire_get_string(&dw, &tok, &tok_len) != 0 ||
		    wire_left(&dw) != 0 || tok_len == 0 ||
		    memchr(tok, '\0', tok_len) != NULL) {
			*why = "malformed token extension";
			return SOA_ERR_FORMAT;
		}
		if ((cert->token = malloc(tok_len + 1)) == NULL)
			return SOA_ERR_ALLOC;
		memcpy(cert->token, tok, tok_len);
		cert->token[tok_len] = '\0';
		cert->token_len = tok_len;
	}
	return 0;
}

/* Check that blob is "ssh-ed25519" + pk; copy pk out. */
static int
parse_ed25519_key(const unsigned char *blob, size_t n, unsigned char pk[32])
{
	const unsigned char *type, *key;
	size_t type_len, key_len;
	struct wire w;

	wire_init(&w, blob, n);
	if (wire_get_string(&w, &type, &type_len) != 0 ||
	    type_len != strlen(SSHKEY_TYPE_NAME) ||
	    memcmp(type, SSHKEY_TYPE_NAME, type_len) != 0 ||
	    wire_get_string(&w, &key, &key_len) != 0 || key_len != 32 ||
	    wire_left(&w) != 0)
		return SOA_ERR_FORMAT;
	memcpy(pk, key, 32);
	return 0;
}

int
sshcert_parse(const unsigned char *blob, size_t len, struct sshcert **out,
    const char **why)
{
	const unsigned char *type, *nonce, *pk, *princ, *crit, *ext, *resv;
	const unsigned char *sigkey, *sigblob, *sig;
	size_t type_len, nonce_len, pk_len, princ_len, crit_len, ext_len;
	size_t resv_len, sigkey_len, sigblob_len, sig_len, signed_len;
	unsigned char signer[32];
	struct sshcert *cert = NULL;
	struct wire w, sw;
	int r = SOA_ERR_FORMAT;

	*out = NULL;
	*why = "truncated certificate";
	if (len > SSHCERT_BLOB_MAX) {
		*why = "certificate too large";
		return SOA_ERR_LIMIT;
	}
	if ((cert = calloc(1, sizeof(*cert))) == NULL)
		return SOA_ERR_ALLOC;

	/* Fixed fields, in PROTOCOL.certkeys order. */
	wire_init(&w, blob, len);
	if (wire_get_string(&w, &type, &type_len) != 0)
		goto out;
	if (type_len != strlen(SSHCERT_TYPE_NAME) ||
	    memcmp(type, SSHCERT_TYPE_NAME, type_len) != 0) {
		*why = "not an Ed25519 certificate";
		goto out;
	}
	if (wire_get_string(&w, &nonce, &nonce_len) != 0 ||
	    wire_get_string(&w, &pk, &pk_len) != 0 ||
	    wire_get_u64(&w, &cert->serial) != 0 ||
	    wire_get_u32(&w, &cert->type) != 0 ||
	    wire_get_cstring(&w, &cert->key_id) != 0 ||
	    wire_get_string(&w, &princ, &princ_len) != 0 ||
	    wire_get_u64(&w, &cert->valid_after) != 0 ||
	    wire_get_u64(&w, &cert->valid_before) != 0 ||
	    wire_get_string(&w, &crit, &crit_len) != 0 ||
	    wire_get_string(&w, &ext, &ext_len) != 0 ||
	    wire_get_string(&w, &resv, &resv_len) != 0 ||
	    wire_get_string(&w, &sigkey, &sigkey_len) != 0)
		goto out;
	signed_len = w.off;
	if (wire_get_string(&w, &sigblob, &sigblob_len) != 0)
		goto out;
	if (wire_left(&w) != 0) {
		*why = "trailing bytes after the signature";
		goto out;
	}

	/* Field contents. */
	if (pk_len != 32) {
		*why = "bad public key length";
		goto out;
	}
	memcpy(cert->key, pk, 32);
	if (cert->type != SSHCERT_USER) {
		*why = "not a user certificate";
		goto out;
	}
	if (crit_len != 0) {
		*why = "certificate has critical options";
		goto out;
	}
	if (resv_len != 0) {
		*why = "reserved field not empty";
		goto out;
	}
	if ((r = parse_principals(cert, princ, princ_len)) != 0) {
		*why = "malformed principals";
		goto out;
	}
	if ((r = parse_extensions(cert, ext, ext_len, why)) != 0)
		goto out;
	r = SOA_ERR_FORMAT;

	/* Self-signed: the signer must be the certified key. */
	if (parse_ed25519_key(sigkey, sigkey_len, signer) != 0) {
		*why = "signature key is not Ed25519";
		goto out;
	}
	if (sodium_memcmp(signer, cert->key, 32) != 0) {
		*why = "signed by a key other than the certified one";
		goto out;
	}
	wire_init(&sw, sigblob, sigblob_len);
	if (wire_get_string(&sw, &type, &type_len) != 0 ||
	    type_len != strlen(SSHKEY_TYPE_NAME) ||
	    memcmp(type, SSHKEY_TYPE_NAME, type_len) != 0 ||
	    wire_get_string(&sw, &sig, &sig_len) != 0 ||
	    sig_len != crypto_sign_BYTES || wire_left(&sw) != 0) {
		*why = "malformed signature";
		goto out;
	}
	if (crypto_sign_verify_detached(sig, blob, signed_len, signer) != 0) {
		*why = "certificate signature does not verify";
		r = SOA_ERR_SIGNATURE;
		goto out;
	}
	*why = NULL;
	*out = cert;
	cert = NULL;
	r = 0;
 out:
	sshcert_free(cert);
	return r;
}

int
sshkey_ed25519_line(const unsigned char pk[32], char **line)
{
	struct buf b;
	char *enc = NULL;
	int r;

	*line = NULL;
	buf_init(&b, 256);
	if ((r = sshkey_put_ed25519(&b, pk)) != 0 ||
	    (r = b64_encode(b.data, b.len, &enc)) != 0)
		goto out;
	*line = util_xasprintf("%s %s", SSHKEY_TYPE_NAME, enc);
 out:
	free(enc);
	buf_free(&b);
	return r;
}

int
sshkey_ed25519_fingerprint(const unsigned char pk[32], char **fp)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	struct buf b;
	char *enc = NULL;
	int r;

	*fp = NULL;
	buf_init(&b, 256);
	if ((r = sshkey_put_ed25519(&b, pk)) != 0)
		goto out;
	crypto_hash_sha256(hash, b.data, b.len);

	/* As ssh-keygen -l prints it: unpadded standard base64. */
	if ((r = b64_encode(hash, sizeof(hash), &enc)) != 0)
		goto out;
	enc[strcspn(enc, "=")] = '\0';
	*fp = util_xasprintf("SHA256:%s", enc);
 out:
	free(enc);
	buf_free(&b);
	return r;
}
