#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "b64.h"
#include "err.h"
#include "jsonx.h"
#include "jwk.h"
#include "log.h"
#include "util.h"

#define JWKS_MAX_KEYS	64
#define RSA_MIN_BITS	2048

struct jwks {
	json_object	*root;
	json_object	*keys;
};

/* Add member name to jwk as the base64url of the big number bn. */
static int
put_bn(json_object *jwk, const char *name, const BIGNUM *bn, int len)
{
	unsigned char buf[1024];
	char *enc = NULL;
	int n = len > 0 ? len : BN_num_bytes(bn);

	if (n <= 0 || n > (int)sizeof(buf) ||
	    BN_bn2binpad(bn, buf, n) != n || b64url_encode(buf, (size_t)n,
	    &enc) != 0)
		return SOA_ERR_KEY;
	json_object_object_add(jwk, name, json_object_new_string(enc));
	free(enc);
	return 0;
}

/*
 * A key given only as an x5c certificate chain: copy the leaf
 * certificate's public numbers into the JWK (n and e, or x and y), so
 * the rest of the code sees an ordinary key. The chain is not checked:
 * the key set itself is what is trusted. The certificate's key must be
 * of the JWK's kty (and curve).
 */
static int
jwk_from_x5c(json_object *jwk)
{
	json_object *chain, *leaf;
	const unsigned char *p;
	unsigned char *der = NULL;
	const char *kty = jsonx_string(jwk, "kty");
	const char *crv = jsonx_string(jwk, "crv");
	EVP_PKEY *pkey;
	BIGNUM *a = NULL, *b = NULL;
	X509 *cert = NULL;
	size_t len;
	int r = SOA_ERR_KEY, field;

	if (!json_object_object_get_ex(jwk, "x5c", &chain) ||
	    !json_object_is_type(chain, json_type_array) ||
	    (leaf = json_object_array_get_idx(chain, 0)) == NULL ||
	    !json_object_is_type(leaf, json_type_string) || kty == NULL)
		return SOA_ERR_KEY;
	if (b64_decode(json_object_get_string(leaf),
	    (size_t)json_object_get_string_len(leaf), &der, &len) != 0)
		return SOA_ERR_KEY;
	p = der;
	if ((cert = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    p != der + len || (pkey = X509_get0_pubkey(cert)) == NULL)
		goto out;
	if (strcmp(kty, "RSA") == 0 && EVP_PKEY_is_a(pkey, "RSA")) {
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &a) &&
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &b) &&
		    put_bn(jwk, "n", a, 0) == 0 && put_bn(jwk, "e", b, 0) == 0)
			r = 0;
	} else if (strcmp(kty, "EC") == 0 && crv != NULL &&
	    EVP_PKEY_is_a(pkey, "EC")) {
		field = strcmp(crv, "P-256") == 0 ? 32 :
		    strcmp(crv, "P-384") == 0 ? 48 : 0;
		if (field != 0 && EVP_PKEY_get_bits(pkey) == field * 8 &&
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &a) &&
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &b) &&
		    put_bn(jwk, "x", a, field) == 0 &&
		    put_bn(jwk, "y", b, field) == 0)
			r = 0;
	}
 out:
	BN_free(a);
	BN_free(b);
	X509_free(cert);
	free(der);
	return r;
}

/* Give x5c-only keys their numbers; a bad one is logged and left out. */
static void
jwks_complete(json_object *keys)
{
	json_object *jwk;
	const char *kty, *kid;
	size_t i;

	for (i = 0; i < json_object_array_length(keys); i++) {
		jwk = json_object_array_get_idx(keys, i);
		if (!json_object_is_type(jwk, json_type_object) ||
		    !json_object_object_get_ex(jwk, "x5c", NULL) ||
		    (kty = jsonx_string(jwk, "kty")) == NULL ||
		    json_object_object_get_ex(jwk,
		    strcmp(kty, "RSA") == 0 ? "n" : "x", NULL))
			continue;
		if (jwk_from_x5c(jwk) != 0) {
			kid = jsonx_string(jwk, "kid");
			verbose("key %zu (kid \"%.80s\"): unusable x5c; "
			    "skipped", i, kid != NULL ? kid : "");
			json_object_object_add(jwk, "use",
			    json_object_new_string("unusable"));
		}
	}
}

int
jwks_parse(const char *s, size_t n, struct jwks **out)
{
	struct jwks *set = NULL;
	json_object *root = NULL, *keys;
	int r;

	*out = NULL;
	if ((r = jsonx_parse_object(s, n, &root)) != 0)
		return r;
	if (!json_object_object_get_ex(root, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		r = SOA_ERR_JSON;
		goto out;
	}
	if (json_object_array_length(keys) > JWKS_MAX_KEYS) {
		r = SOA_ERR_LIMIT;
		goto out;
	}
	if ((set = calloc(1, sizeof(*set))) == NULL) {
		r = SOA_ERR_ALLOC;
		goto out;
	}
	jwks_complete(keys);
	set->root = root;
	set->keys = keys;
	root = NULL;
	*out = set;
	r = 0;
 out:
	json_object_put(root);
	return r;
}

void
jwks_free(struct jwks *set)
{
	if (set == NULL)
		return;
	json_object_put(set->root);
	free(set);
}

int
jwk_fits_alg(json_object *jwk, const char *alg)
{
	const char *kty = jsonx_string(jwk, "kty");
	const char *crv = jsonx_string(jwk, "crv");

	if (kty == NULL)
		return 0;
	if (strcmp(alg, "RS256") == 0 || strcmp(alg, "RS384") == 0 ||
	    strcmp(alg, "RS512") == 0 || strcmp(alg, "PS256") == 0)
		return strcmp(kty, "RSA") == 0;
	if (strcmp(alg, "ES256") == 0)
		return strcmp(kty, "EC") == 0 && crv != NULL &&
		    strcmp(crv, "P-256") == 0;
	if (strcmp(alg, "ES384") == 0)
		return strcmp(kty, "EC") == 0 && crv != NULL &&
		    strcmp(crv, "P-384") == 0;
	if (strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0)
		return strcmp(kty, "OKP") == 0 && crv != NULL &&
		    strcmp(crv, "Ed25519") == 0;
	return 0;
}

/* RFC 9864 renames EdDSA over Ed25519 to Ed25519; both name one thing. */
static int
is_eddsa(const char *alg)
{
	return strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0;
}

/* Whether the key may be used to verify signatures at all. */
static int
jwk_is_for_verifying(json_object *jwk)
{
	json_object *ops, *op;
	const char *use = NULL;
	size_t i;

	if (json_object_object_get_ex(jwk, "use", NULL)) {
		use = jsonx_string(jwk, "use");
		if (use == NULL || strcmp(use, "sig") != 0)
			return 0;
	}
	if (!json_object_object_get_ex(jwk, "key_ops", &ops))
		return 1;
	if (!json_object_is_type(ops, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(ops); i++) {
		op = json_object_array_get_idx(ops, i);
		if (json_object_is_type(op, json_type_string) &&
		    strcmp(json_object_get_string(op), "verify") == 0)
			return 1;
	}
	return 0;
}

/* Whether jwk may verify alg, from its kty, crv, alg, use and key_ops. */
static int
jwk_usable_for(json_object *jwk, const char *alg)
{
	const char *kalg;

	if (!json_object_is_type(jwk, json_type_object) ||
	    !jwk_is_for_verifying(jwk) || !jwk_fits_alg(jwk, alg))
		return 0;
	if (json_object_object_get_ex(jwk, "alg", NULL)) {
		if ((kalg = jsonx_string(jwk, "alg")) == NULL)
			return 0;
		if (strcmp(kalg, alg) != 0 &&
		    !(is_eddsa(alg) && is_eddsa(kalg)))
			return 0;
	}
	return 1;
}

size_t
jwks_usable_count(const struct jwks *set)
{
	static const char *algs[] = {
		"RS256", "ES256", "ES384", "EdDSA"
	};
	json_object *jwk;
	size_t i, j, count = 0;

	for (i = 0; i < json_object_array_length(set->keys); i++) {
		jwk = json_object_array_get_idx(set->keys, i);
		for (j = 0; j < sizeof(algs) / sizeof(algs[0]); j++) {
			if (jwk_usable_for(jwk, algs[j])) {
				count++;
				break;
			}
		}
	}
	return count;
}

int
jwk_thumbprint_ed25519(const unsigned char pk[32], char **out)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char *x = NULL, *members = NULL;
	int r;

	*out = NULL;
	if ((r = b64url_encode(pk, 32, &x)) != 0)
		return r;

	/* The required members, in lexical order, with no white space. */
	members = util_xasprintf("{\"crv\":\"Ed25519\",\"kty\":\"OKP\","
	    "\"x\":\"%s\"}", x);
	crypto_hash_sha256(hash, (const unsigned char *)members,
	    strlen(members));
	r = b64url_encode(hash, sizeof(hash), out);
	free(members);
	free(x);
	return r;
}

int
jwks_has_kid(const struct jwks *set, const char *kid)
{
	const char *ckid;
	size_t i;

	for (i = 0; i < json_object_array_length(set->keys); i++) {
		ckid = jsonx_string(json_object_array_get_idx(set->keys, i),
		    "kid");
		if (ckid != NULL && strcmp(ckid, kid) == 0)
			return 1;
	}
	return 0;
}

int
jwks_select(const struct jwks *set, const char *kid, const char *alg,
    json_object **jwk, const char **why)
{
	json_object *cand, *found = NULL;
	const char *ckid;
	size_t i, matches = 0, kid_seen = 0;

	*jwk = NULL;
	*why = NULL;
	for (i = 0; i < json_object_array_length(set->keys); i++) {
		cand = json_object_array_get_idx(set->keys, i);
		if (!json_object_is_type(cand, json_type_object))
			continue;
		ckid = jsonx_string(cand, "kid");
		if (kid != NULL) {
			if (ckid == NULL || strcmp(ckid, kid) != 0)
				continue;
			kid_seen++;
		}
		if (!jwk_usable_for(cand, alg))
			continue;
		if (found == NULL)
			found = cand;
		matches++;
	}
	if (matches == 1) {
		*jwk = found;
		return 0;
	}
	if (matches > 1)
		*why = kid != NULL ? "several keys share the token's kid" :
		    "token has no kid and several keys fit its algorithm";
	else if (kid != NULL && kid_seen == 0)
		*why = "no key with the token's kid";
	else if (kid != NULL)
		*why = "the key with the token's kid does not fit its alg";
	else
		*why = "no key fits the token's algorithm";
	return SOA_ERR_KEY;
}

int
jwk_member_bytes(json_object *jwk, const char *name, unsigned char **out,
    size_t *len)
{
	const char *s;

	*out = NULL;
	*len = 0;
	if ((s = jsonx_string(jwk, name)) == NULL)
		return SOA_ERR_FORMAT;
	return b64url_decode(s, strlen(s), out, len);
}

int
jwk_rsa_numbers(json_object *jwk, BIGNUM **bn_n, BIGNUM **bn_e,
    const char **why)
{
	unsigned char *n = NULL, *e = NULL;
	size_t nlen, elen;
	int r = SOA_ERR_KEY;

	*bn_n = *bn_e = NULL;
	*why = "malformed RSA key";
	if (jwk_member_bytes(jwk, "n", &n, &nlen) != 0 ||
	    jwk_member_bytes(jwk, "e", &e, &elen) != 0 ||
	    nlen == 0 || elen == 0 || n[0] == 0 || e[0] == 0 || elen > 8)
		goto out;
	r = SOA_ERR_ALLOC;
	if ((*bn_n = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (*bn_e = BN_bin2bn(e, (int)elen, NULL)) == NULL)
		goto out;
	r = SOA_ERR_KEY;
	if (BN_num_bits(*bn_n) < RSA_MIN_BITS) {
		*why = "RSA key shorter than 2048 bits";
		goto out;
	}
	if (!BN_is_odd(*bn_e) || BN_is_one(*bn_e)) {
		*why = "RSA exponent is not an odd number above 1";
		goto out;
	}
	*why = NULL;
	r = 0;
 out:
	if (r != 0) {
		BN_free(*bn_n);
		BN_free(*bn_e);
		*bn_n = *bn_e = NULL;
	}
	free(n);
	free(e);
	return r;
}

/* Build the OSSL_PARAM list describing an RSA or EC public key. */
static int
jwk_params(json_object *jwk, OSSL_PARAM_BLD *bld, const char **type,
    BIGNUM **bn_n, BIGNUM **bn_e, unsigned char **point, const char **why)
{
	unsigned char *x = NULL, *y = NULL;
	size_t xlen, ylen, flen;
	const char *kty = jsonx_string(jwk, "kty");
	const char *crv = jsonx_string(jwk, "crv");
	const char *group;
	int r = SOA_ERR_KEY;

	*why = "malformed key";
	if (kty != NULL && strcmp(kty, "RSA") == 0) {
		*type = "RSA";
		if ((r = jwk_rsa_numbers(jwk, bn_n, bn_e, why)) != 0)
			goto out;
		r = SOA_ERR_ALLOC;
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N,
		    *bn_n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E,
		    *bn_e))
			goto out;
	} else if (kty != NULL && strcmp(kty, "EC") == 0 && crv != NULL) {
		*type = "EC";
		if (strcmp(crv, "P-256") == 0) {
			group = "prime256v1";
			flen = 32;
		} else if (strcmp(crv, "P-384") == 0) {
			group = "secp384r1";
			flen = 48;
		} else {
			*why = "unsupported EC curve";
			goto out;
		}
		if (jwk_member_bytes(jwk, "x", &x, &xlen) != 0 ||
		    jwk_member_bytes(jwk, "y", &y, &ylen) != 0 ||
		    xlen != flen || ylen != flen)
			goto out;

		/* Uncompressed point: 0x04 || x || y. */
		if ((*point = malloc(1 + 2 * flen)) == NULL) {
			r = SOA_ERR_ALLOC;
			goto out;
		}
		(*point)[0] = 0x04;
		memcpy(*point + 1, x, flen);
		memcpy(*point + 1 + flen, y, flen);
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, *point, 1 + 2 * flen)) {
			r = SOA_ERR_ALLOC;
			goto out;
		}
	} else {
		*why = "unsupported key type";
		goto out;
	}
	*why = NULL;
	r = 0;
 out:
	free(x);
	free(y);
	return r;
}

int
jwk_to_pkey(json_object *jwk, EVP_PKEY **out, const char **why)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	unsigned char *point = NULL;
	const char *type = NULL;
	int r = SOA_ERR_ALLOC;

	*out = NULL;
	*why = NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if ((r = jwk_params(jwk, bld, &type, &bn_n, &bn_e, &point, why)) != 0)
		goto out;
	r = SOA_ERR_ALLOC;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;

	/* Let OpenSSL check the numbers (an EC point must be on the curve). */
	r = SOA_ERR_KEY;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		*why = "key rejected by OpenSSL";
		goto out;
	}
	r = 0;
 out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(point);
	return r;
}

int
jwk_to_pem(json_object *jwk, char **pem, const char **why)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	char *data;
	long len;
	int r;

	*pem = NULL;
	if ((r = jwk_to_pkey(jwk, &pkey, why)) != 0)
		return r;
	r = SOA_ERR_ALLOC;
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(bio, pkey) != 1)
		goto out;
	if ((len = BIO_get_mem_data(bio, &data)) <= 0)
		goto out;
	if ((*pem = malloc((size_t)len + 1)) == NULL)
		goto out;
	memcpy(*pem, data, (size_t)len);
	(*pem)[len] = '\0';
	r = 0;
 out:
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return r;
}
