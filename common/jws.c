/*
 * RS* uses OpenSSL's RSA and SHA functions, which 3.0 deprecates in
 * favour of EVP; see verify_rsa() for why. Ask for the 1.1.1 API.
 */
#define OPENSSL_API_COMPAT	0x10100000L

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "b64.h"
#include "err.h"
#include "jsonx.h"
#include "jws.h"
#include "util.h"

struct jws {
	char		*token;		/* NUL-terminated copy */
	size_t		 signed_len;	/* bytes of "header.payload" */
	json_object	*header;
	json_object	*claims;
	unsigned char	*sig;
	size_t		 sig_len;
};

const char *const jws_default_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA", NULL
};

/* Header members that would let the token choose its own key or rules. */
static const char *const refused_headers[] = {
	"jku", "x5u", "jwk", "x5c", "crit", NULL
};

/* Decode one base64url segment that must hold a JSON object. */
static int
decode_object(const char *s, size_t n, json_object **out)
{
	unsigned char *raw = NULL;
	size_t len;
	int r;

	*out = NULL;
	if ((r = b64url_decode(s, n, &raw, &len)) != 0)
		return r;
	r = jsonx_parse_object((const char *)raw, len, out);
	util_freezero(raw, len);
	return r;
}

int
jws_parse(const char *token, size_t len, struct jws **out, const char **why)
{
	struct jws *jws = NULL;
	const char *dot1, *dot2, *alg;
	size_t i;
	int r = SOA_ERR_FORMAT;

	*out = NULL;
	*why = NULL;
	if (len > JWS_TOKEN_MAX) {
		*why = "token too large";
		return SOA_ERR_LIMIT;
	}
	if (memchr(token, '\0', len) != NULL) {
		*why = "token holds a NUL byte";
		return SOA_ERR_FORMAT;
	}

	/* Exactly three segments; JWE (five) and anything else are refused. */
	if ((dot1 = memchr(token, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) ==
	    NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) !=
	    NULL) {
		*why = "not a three-part compact JWS";
		return SOA_ERR_FORMAT;
	}
	if ((jws = calloc(1, sizeof(*jws))) == NULL)
		return SOA_ERR_ALLOC;
	if ((jws->token = malloc(len + 1)) == NULL) {
		r = SOA_ERR_ALLOC;
		goto out;
	}
	memcpy(jws->token, token, len);
	jws->token[len] = '\0';
	jws->signed_len = (size_t)(dot2 - token);

	/* Each segment must be canonical base64url. */
	if (decode_object(token, (size_t)(dot1 - token), &jws->header) != 0) {
		*why = "header is not canonical base64url JSON";
		goto out;
	}
	if (decode_object(dot1 + 1, (size_t)(dot2 - dot1 - 1),
	    &jws->claims) != 0) {
		*why = "payload is not canonical base64url JSON";
		goto out;
	}
	if (b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token),
	    &jws->sig, &jws->sig_len) != 0 || jws->sig_len == 0) {
		*why = "signature is not canonical base64url";
		goto out;
	}

	/* Header sanity that does not depend on any key. */
	if ((alg = jsonx_string(jws->header, "alg")) == NULL) {
		*why = "header has no alg";
		goto out;
	}
	for (i = 0; refused_headers[i] != NULL; i++) {
		if (json_object_object_get_ex(jws->header, refused_headers[i],
		    NULL)) {
			*why = "header names its own key or crit extensions";
			r = SOA_ERR_ALGORITHM;
			goto out;
		}
	}
	if (json_object_object_get_ex(jws->header, "kid", NULL) &&
	    jsonx_string(jws->header, "kid") == NULL) {
		*why = "kid is not a string";
		goto out;
	}
	*out = jws;
	jws = NULL;
	r = 0;
 out:
	jws_free(jws);
	return r;
}

void
jws_free(struct jws *jws)
{
	if (jws == NULL)
		return;
	util_strfree(jws->token);
	json_object_put(jws->header);
	json_object_put(jws->claims);
	free(jws->sig);
	free(jws);
}

json_object *
jws_header(const struct jws *jws)
{
	return jws->header;
}

json_object *
jws_claims(const struct jws *jws)
{
	return jws->claims;
}

const char *
jws_alg(const struct jws *jws)
{
	return jsonx_string(jws->header, "alg");
}

const char *
jws_kid(const struct jws *jws)
{
	return jsonx_string(jws->header, "kid");
}

/*
 * RS256/384/512, what nearly every provider signs with, through the RSA
 * and SHA functions rather than EVP: EVP's first use looks up providers
 * and key managers, which costs each login about as much as everything
 * else it does. Same checks, same result, a millisecond less.
 */
static int
verify_rsa(const struct jws *jws, json_object *jwk, const char *alg,
    const char **why)
{
	const unsigned char *in = (const unsigned char *)jws->token;
	unsigned char hash[SHA512_DIGEST_LENGTH];
	SHA256_CTX c256;
	SHA512_CTX c512;
	BIGNUM *n = NULL, *e = NULL;
	RSA *rsa = NULL;
	unsigned int hash_len;
	int nid, r;

	/* The one-shot SHA256() goes through EVP too: use the steps. */
	if (strcmp(alg, "RS256") == 0) {
		SHA256_Init(&c256);
		SHA256_Update(&c256, in, jws->signed_len);
		SHA256_Final(hash, &c256);
		hash_len = SHA256_DIGEST_LENGTH;
		nid = NID_sha256;
	} else {
		SHA512_Init(&c512);
		if (strcmp(alg, "RS384") == 0) {
			SHA384_Init(&c512);
			hash_len = SHA384_DIGEST_LENGTH;
			nid = NID_sha384;
		} else {
			hash_len = SHA512_DIGEST_LENGTH;
			nid = NID_sha512;
		}
		SHA512_Update(&c512, in, jws->signed_len);
		SHA512_Final(hash, &c512);
	}
	if ((r = jwk_rsa_numbers(jwk, &n, &e, why)) != 0)
		goto out;
	r = SOA_ERR_ALLOC;
	if ((rsa = RSA_new()) == NULL || RSA_set0_key(rsa, n, e, NULL) != 1)
		goto out;
	n = e = NULL;

	/* The signature must be exactly as long as the modulus. */
	r = SOA_ERR_SIGNATURE;
	*why = "signature does not verify";
	if (jws->sig_len != (size_t)RSA_size(rsa) ||
	    RSA_verify(nid, hash, hash_len, jws->sig,
	    (unsigned int)jws->sig_len, rsa) != 1)
		goto out;
	*why = NULL;
	r = 0;
 out:
	RSA_free(rsa);
	BN_free(n);
	BN_free(e);
	return r;
}

/*
 * A JWS ECDSA signature is raw R || S, each half the signature; OpenSSL
 * wants DER. Returns a new DER buffer in *der.
 */
static int
ecdsa_raw_to_der(const unsigned char *sig, size_t len, unsigned char **der,
    size_t *der_len)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p = NULL;
	int n, ret = SOA_ERR_ALLOC;

	*der = NULL;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, (int)(len / 2), NULL)) == NULL ||
	    (s = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL)) == NULL)
		goto out;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	if ((n = i2d_ECDSA_SIG(es, &p)) <= 0)
		goto out;
	*der = p;
	*der_len = (size_t)n;
	ret = 0;
 out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ret;
}

/*
 * PS256 and ES* with OpenSSL's EVP: the key goes from JWK to EVP_PKEY
 * without a PEM round trip, which would cost more than the check itself.
 */
static int
verify_evp(const struct jws *jws, json_object *jwk, const char *alg,
    const char **why)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;
	const EVP_MD *digest;
	const unsigned char *sig = jws->sig;
	unsigned char *der = NULL;
	size_t sig_len = jws->sig_len;
	int r, ec = alg[0] == 'E', pss = alg[0] == 'P';

	digest = strcmp(alg + 2, "256") == 0 ? EVP_sha256() :
	    strcmp(alg + 2, "384") == 0 ? EVP_sha384() : EVP_sha512();

	/* JWS ECDSA signatures are raw R || S of twice the field size. */
	if (ec) {
		if (sig_len != (strcmp(alg, "ES256") == 0 ? 64U : 96U)) {
			*why = "ECDSA signature of the wrong length";
			return SOA_ERR_SIGNATURE;
		}
		if ((r = ecdsa_raw_to_der(sig, sig_len, &der, &sig_len)) != 0)
			return r;
		sig = der;
	}
	if ((r = jwk_to_pkey(jwk, &pkey, why)) != 0)
		goto out;
	r = SOA_ERR_ALLOC;
	if ((md = EVP_MD_CTX_new()) == NULL)
		goto out;
	r = SOA_ERR_SIGNATURE;
	*why = "signature does not verify";
	if (EVP_DigestVerifyInit(md, &pctx, digest, NULL, pkey) != 1)
		goto out;
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1))
		goto out;
	if (EVP_DigestVerify(md, sig, sig_len,
	    (const unsigned char *)jws->token, jws->signed_len) != 1)
		goto out;
	*why = NULL;
	r = 0;
 out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	OPENSSL_free(der);
	return r;
}

/* EdDSA over Ed25519: libsodium. */
static int
verify_ed25519(const struct jws *jws, json_object *jwk, const char **why)
{
	unsigned char *x = NULL;
	size_t xlen;
	int r = SOA_ERR_SIGNATURE;

	if (jwk_member_bytes(jwk, "x", &x, &xlen) != 0 ||
	    xlen != crypto_sign_PUBLICKEYBYTES) {
		*why = "malformed Ed25519 key";
		r = SOA_ERR_KEY;
		goto out;
	}
	if (jws->sig_len != crypto_sign_BYTES ||
	    crypto_sign_verify_detached(jws->sig,
	    (const unsigned char *)jws->token, jws->signed_len, x) != 0) {
		*why = "signature does not verify";
		goto out;
	}
	r = 0;
 out:
	free(x);
	return r;
}

int
jws_verify(const struct jws *jws, const struct jwks *set,
    const char *const *allowed_algs, const char **why)
{
	json_object *jwk = NULL;
	const char *alg = jws_alg(jws);
	size_t i;
	int r;

	*why = NULL;
	if (allowed_algs == NULL)
		allowed_algs = jws_default_algs;

	/* The name must be allowed verbatim: no case games with "none". */
	if (strcasecmp(alg, "none") == 0 || strncasecmp(alg, "HS", 2) == 0) {
		*why = "unsigned or HMAC token";
		return SOA_ERR_ALGORITHM;
	}
	for (i = 0; allowed_algs[i] != NULL; i++)
		if (strcmp(allowed_algs[i], alg) == 0)
			break;
	if (allowed_algs[i] == NULL) {
		*why = "algorithm not on the allow-list";
		return SOA_ERR_ALGORITHM;
	}

	/* The key decides which verifier runs, and must fit the name. */
	if ((r = jwks_select(set, jws_kid(jws), alg, &jwk, why)) != 0)
		return r;
	if (strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0)
		return verify_ed25519(jws, jwk, why);
	if (alg[0] == 'R')
		return verify_rsa(jws, jwk, alg, why);
	return verify_evp(jws, jwk, alg, why);
}
