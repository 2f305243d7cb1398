/*
 * Token verification, the core of the security story: tokens are built
 * and signed here with freshly generated RSA, EC and Ed25519 keys, then
 * bent in every way a forger might try. Also the registered-claim checks
 * and claims_has_value().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "b64.h"
#include "claims.h"
#include "err.h"
#include "jsonx.h"
#include "jwk.h"
#include "jws.h"
#include "unit.h"
#include "util.h"

/* The keys every case signs with, and the key sets built from them. */
static EVP_PKEY		*rsa_key;	/* kid rsa1, 2048 bits */
static EVP_PKEY		*rsa2_key;	/* kid rsa2, and the "enc" rsa1 */
static EVP_PKEY		*weak_key;	/* 1024 bits */
static EVP_PKEY		*ec_key;	/* P-256, kid ec1 */
static unsigned char	 ed_pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char	 ed_sk[crypto_sign_SECRETKEYBYTES];

enum set {
	SET_FULL,	/* rsa1 (sig, enc), rsa2, ec1, ed1, encryption keys */
	SET_ONE,	/* rsa1 alone, without kid */
	SET_WEAK,	/* the 1024-bit key as kid weak */
	SET_BAD_EC,	/* ec1 with a point off the curve */
	SET_X5C,	/* keys given only as x5c certificates */
	SET_COUNT
};
static struct jwks	*sets[SET_COUNT];

enum signer {
	SIGN_RS256,		/* rsa_key */
	SIGN_RS256_RSA2,	/* rsa2_key */
	SIGN_RS256_WEAK,	/* weak_key */
	SIGN_PS256,		/* rsa2_key */
	SIGN_PS256_RSA1,	/* rsa_key */
	SIGN_ES256,		/* ec_key, raw R || S */
	SIGN_ES256_DER,		/* ec_key, DER as OpenSSL makes it */
	SIGN_EDDSA,		/* ed_sk */
	SIGN_HS256_PEM,		/* HMAC keyed with rsa_key's public PEM */
	SIGN_EMPTY,		/* no signature bytes at all */
	SIGN_JUNK,		/* 32 bytes of nothing in particular */
	SIGN_ZERO64		/* 64 zero bytes */
};

enum mutation {
	MUT_NONE,
	MUT_SIG_TRUNCATE,	/* drop the signature's last byte */
	MUT_SIG_PADDED,		/* add the "==" standard base64 would have */
	MUT_SIG_TRAILING_BITS,	/* set a leftover bit in the last character */
	MUT_HEADER_TRAILING_BITS,
	MUT_PLUS,		/* '-' in the payload segment becomes '+' */
	MUT_SLASH,		/* '_' in the payload segment becomes '/' */
	MUT_FOUR_SEGMENTS,
	MUT_FIVE_SEGMENTS,
	MUT_TWO_SEGMENTS,
	MUT_TRAILING_NEWLINE,
	MUT_TRAILING_DOT
};

/*
 * The default payload. The note's value makes the payload segment hold
 * both '-' and '_' whatever its alignment.
 */
#define PAYLOAD "{\"iss\":\"https://idp.example/realms/r\"," \
	"\"aud\":\"ssh-oauth\",\"sub\":\"alice\",\"exp\":1700000600," \
	"\"note\":\"?\?\?\?\?>>>>>\"}"
#define PAYLOAD_TAMPERED "{\"iss\":\"https://idp.example/realms/r\"," \
	"\"aud\":\"ssh-oauth\",\"sub\":\"alicf\",\"exp\":1700000600," \
	"\"note\":\"?\?\?\?\?>>>>>\"}"

#define H_RS256		"{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"typ\":\"JWT\"}"
#define H_RS256_RSA2	"{\"alg\":\"RS256\",\"kid\":\"rsa2\"}"
#define H_PS256		"{\"alg\":\"PS256\",\"kid\":\"rsa2\"}"
#define H_ES256		"{\"alg\":\"ES256\",\"kid\":\"ec1\"}"
#define H_EDDSA		"{\"alg\":\"EdDSA\",\"kid\":\"ed1\"}"

static const char *const only_es256[] = { "ES256", NULL };
static const char *const with_hs256[] = { "HS256", "RS256", NULL };
static const char *const with_none[] = { "none", "RS256", NULL };

struct jws_case {
	const char		*name;
	const char		*header;
	const char		*payload;	/* NULL: PAYLOAD */
	const char		*sent;		/* NULL: the signed payload */
	enum signer		 signer;
	enum mutation		 mutation;
	size_t			 filler;	/* bytes of padding claim */
	enum set		 set;
	const char *const	*algs;		/* NULL: the defaults */
	int			 want_parse;
	int			 want_verify;	/* if parsing succeeded */
};

static const struct jws_case jws_cases[] = {
	/* Good tokens. */
	{ "a valid RS256 token verifies", H_RS256, NULL, NULL, SIGN_RS256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, 0 },
	{ "a valid RS256 token from the second RSA key verifies",
	    H_RS256_RSA2, NULL, NULL, SIGN_RS256_RSA2, MUT_NONE, 0, SET_FULL,
	    NULL, 0, 0 },
	{ "a valid PS256 token verifies", H_PS256, NULL, NULL, SIGN_PS256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, 0 },
	{ "a valid ES256 token verifies", H_ES256, NULL, NULL, SIGN_ES256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, 0 },
	{ "a valid EdDSA token verifies", H_EDDSA, NULL, NULL, SIGN_EDDSA,
	    MUT_NONE, 0, SET_FULL, NULL, 0, 0 },
	{ "an ES256 token verifies with an allow-list of ES256 only",
	    H_ES256, NULL, NULL, SIGN_ES256, MUT_NONE, 0, SET_FULL,
	    only_es256, 0, 0 },
	{ "a signed token just under JWS_TOKEN_MAX verifies", H_RS256, NULL,
	    NULL, SIGN_RS256, MUT_NONE, 23000, SET_FULL, NULL, 0, 0 },

	/* Keys given only as an x5c certificate. */
	{ "an RS256 token verifies against a key given only as x5c",
	    "{\"alg\":\"RS256\",\"kid\":\"x5c-rsa\"}", NULL, NULL,
	    SIGN_RS256, MUT_NONE, 0, SET_X5C, NULL, 0, 0 },
	{ "an ES256 token verifies against an EC key given only as x5c",
	    "{\"alg\":\"ES256\",\"kid\":\"x5c-ec\"}", NULL, NULL,
	    SIGN_ES256, MUT_NONE, 0, SET_X5C, NULL, 0, 0 },
	{ "a key whose x5c is not a certificate is skipped",
	    "{\"alg\":\"RS256\",\"kid\":\"x5c-bad\"}", NULL, NULL,
	    SIGN_RS256, MUT_NONE, 0, SET_X5C, NULL, 0, SOA_ERR_KEY },
	{ "an x5c certificate whose key is not of the JWK's kty is skipped",
	    "{\"alg\":\"ES256\",\"kid\":\"x5c-mismatch\"}", NULL, NULL,
	    SIGN_ES256, MUT_NONE, 0, SET_X5C, NULL, 0, SOA_ERR_KEY },
	{ "an x5c key signed by another key does not verify",
	    "{\"alg\":\"RS256\",\"kid\":\"x5c-rsa\"}", NULL, NULL,
	    SIGN_RS256_RSA2, MUT_NONE, 0, SET_X5C, NULL, 0,
	    SOA_ERR_SIGNATURE },

	/* Unsigned and HMAC tokens. */
	{ "alg none with an empty signature is refused",
	    "{\"alg\":\"none\"}", NULL, NULL, SIGN_EMPTY, MUT_NONE, 0,
	    SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "alg none with a signature is refused",
	    "{\"alg\":\"none\"}", NULL, NULL, SIGN_JUNK, MUT_NONE, 0,
	    SET_FULL, NULL, 0, SOA_ERR_ALGORITHM },
	{ "alg None with an empty signature is refused",
	    "{\"alg\":\"None\"}", NULL, NULL, SIGN_EMPTY, MUT_NONE, 0,
	    SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "alg None with a signature is refused",
	    "{\"alg\":\"None\",\"kid\":\"rsa1\"}", NULL, NULL, SIGN_JUNK,
	    MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_ALGORITHM },
	{ "alg NONE with an empty signature is refused",
	    "{\"alg\":\"NONE\"}", NULL, NULL, SIGN_EMPTY, MUT_NONE, 0,
	    SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "alg NONE with a signature is refused",
	    "{\"alg\":\"NONE\"}", NULL, NULL, SIGN_JUNK, MUT_NONE, 0,
	    SET_FULL, NULL, 0, SOA_ERR_ALGORITHM },
	{ "alg none is refused even when the allow-list names it",
	    "{\"alg\":\"none\"}", NULL, NULL, SIGN_JUNK, MUT_NONE, 0,
	    SET_FULL, with_none, 0, SOA_ERR_ALGORITHM },
	{ "HS256 keyed with the RSA public key's PEM is refused",
	    "{\"alg\":\"HS256\",\"kid\":\"rsa1\"}", NULL, NULL,
	    SIGN_HS256_PEM, MUT_NONE, 0, SET_FULL, NULL, 0,
	    SOA_ERR_ALGORITHM },
	{ "HS256 is refused even when the allow-list names it",
	    "{\"alg\":\"HS256\",\"kid\":\"rsa1\"}", NULL, NULL,
	    SIGN_HS256_PEM, MUT_NONE, 0, SET_FULL, with_hs256, 0,
	    SOA_ERR_ALGORITHM },

	/* Tampering with the signed bytes or the signature. */
	{ "an RS256 token with a payload byte changed is refused", H_RS256,
	    NULL, PAYLOAD_TAMPERED, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL,
	    0, SOA_ERR_SIGNATURE },
	{ "a PS256 token with a payload byte changed is refused", H_PS256,
	    NULL, PAYLOAD_TAMPERED, SIGN_PS256, MUT_NONE, 0, SET_FULL, NULL,
	    0, SOA_ERR_SIGNATURE },
	{ "an ES256 token with a payload byte changed is refused", H_ES256,
	    NULL, PAYLOAD_TAMPERED, SIGN_ES256, MUT_NONE, 0, SET_FULL, NULL,
	    0, SOA_ERR_SIGNATURE },
	{ "an EdDSA token with a payload byte changed is refused", H_EDDSA,
	    NULL, PAYLOAD_TAMPERED, SIGN_EDDSA, MUT_NONE, 0, SET_FULL, NULL,
	    0, SOA_ERR_SIGNATURE },
	{ "an RS256 token with a truncated signature is refused", H_RS256,
	    NULL, NULL, SIGN_RS256, MUT_SIG_TRUNCATE, 0, SET_FULL, NULL, 0,
	    SOA_ERR_SIGNATURE },
	{ "a PS256 token with a truncated signature is refused", H_PS256,
	    NULL, NULL, SIGN_PS256, MUT_SIG_TRUNCATE, 0, SET_FULL, NULL, 0,
	    SOA_ERR_SIGNATURE },
	{ "an ES256 token with a truncated signature is refused", H_ES256,
	    NULL, NULL, SIGN_ES256, MUT_SIG_TRUNCATE, 0, SET_FULL, NULL, 0,
	    SOA_ERR_SIGNATURE },
	{ "an EdDSA token with a truncated signature is refused", H_EDDSA,
	    NULL, NULL, SIGN_EDDSA, MUT_SIG_TRUNCATE, 0, SET_FULL, NULL, 0,
	    SOA_ERR_SIGNATURE },
	{ "an ES256 signature in DER form is refused", H_ES256, NULL, NULL,
	    SIGN_ES256_DER, MUT_NONE, 0, SET_FULL, NULL, 0,
	    SOA_ERR_SIGNATURE },
	{ "an ES256 signature of zeros is refused", H_ES256, NULL, NULL,
	    SIGN_ZERO64, MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_SIGNATURE },
	{ "an EdDSA signature of zeros is refused", H_EDDSA, NULL, NULL,
	    SIGN_ZERO64, MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_SIGNATURE },
	{ "an RS256 token signed by another key in the set is refused",
	    H_RS256_RSA2, NULL, NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL,
	    0, SOA_ERR_SIGNATURE },

	/* Choosing the key. */
	{ "a kid that is not in the set is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"nope\"}", NULL, NULL, SIGN_RS256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "no kid with several keys fitting the algorithm is refused",
	    "{\"alg\":\"RS256\"}", NULL, NULL, SIGN_RS256, MUT_NONE, 0,
	    SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "no kid with exactly one key fitting is accepted",
	    "{\"alg\":\"RS256\"}", NULL, NULL, SIGN_RS256, MUT_NONE, 0,
	    SET_ONE, NULL, 0, 0 },
	{ "no kid with exactly one Ed25519 key in a mixed set is accepted",
	    "{\"alg\":\"EdDSA\"}", NULL, NULL, SIGN_EDDSA, MUT_NONE, 0,
	    SET_FULL, NULL, 0, 0 },
	{ "alg RS256 with the kid of the EC key is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"ec1\"}", NULL, NULL, SIGN_RS256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "alg ES256 with the kid of an RSA key is refused",
	    "{\"alg\":\"ES256\",\"kid\":\"rsa2\"}", NULL, NULL, SIGN_ES256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "alg EdDSA with the kid of an RSA key is refused",
	    "{\"alg\":\"EdDSA\",\"kid\":\"rsa2\"}", NULL, NULL, SIGN_EDDSA,
	    MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "alg PS256 is refused by a key whose alg is RS256",
	    "{\"alg\":\"PS256\",\"kid\":\"rsa1\"}", NULL, NULL,
	    SIGN_PS256_RSA1, MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "a kid naming only a use=enc key is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"enc-only\"}", NULL, NULL,
	    SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "a kid naming only a key whose key_ops lack verify is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"ops\"}", NULL, NULL, SIGN_RS256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_KEY },
	{ "an RSA key with a 1024-bit modulus is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"weak\"}", NULL, NULL,
	    SIGN_RS256_WEAK, MUT_NONE, 0, SET_WEAK, NULL, 0, SOA_ERR_KEY },
	{ "an EC key whose point is off the curve is refused", H_ES256,
	    NULL, NULL, SIGN_ES256, MUT_NONE, 0, SET_BAD_EC, NULL, 0,
	    SOA_ERR_KEY },

	/* Headers that pick their own key or rules. */
	{ "a header with jku is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"jku\":\"https://attacker.invalid/jwks\"}", NULL, NULL,
	    SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_ALGORITHM, 0 },
	{ "a header with x5u is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"x5u\":\"https://attacker.invalid/cert\"}", NULL, NULL,
	    SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_ALGORITHM, 0 },
	{ "a header with jwk is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\","
	    "\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}}", NULL, NULL,
	    SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_ALGORITHM, 0 },
	{ "a header with x5c is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"x5c\":[\"AAAA\"]}", NULL,
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL,
	    SOA_ERR_ALGORITHM, 0 },
	{ "a header with crit is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"crit\":[\"exp\"]}", NULL,
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL,
	    SOA_ERR_ALGORITHM, 0 },

	/* Header shape. */
	{ "a header without alg is refused", "{\"kid\":\"rsa1\"}", NULL,
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "a header whose alg is not a string is refused",
	    "{\"alg\":256,\"kid\":\"rsa1\"}", NULL, NULL, SIGN_RS256,
	    MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "a header whose kid is not a string is refused",
	    "{\"alg\":\"RS256\",\"kid\":1}", NULL, NULL, SIGN_RS256,
	    MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "a header that is an array is refused", "[\"RS256\"]", NULL,
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "a payload that is a string is refused", H_RS256, "\"alice\"",
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "an alg spelled in lower case is refused",
	    "{\"alg\":\"rs256\",\"kid\":\"rsa1\"}", NULL, NULL, SIGN_RS256,
	    MUT_NONE, 0, SET_FULL, NULL, 0, SOA_ERR_ALGORITHM },
	{ "a duplicate alg in the header is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\",\"alg\":\"RS256\"}", NULL,
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "a duplicate kid in the header is refused",
	    "{\"alg\":\"RS256\",\"kid\":\"rsa2\",\"kid\":\"rsa1\"}", NULL,
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "a duplicate iss in the payload is refused", H_RS256,
	    "{\"iss\":\"https://attacker.invalid\",\"aud\":\"ssh-oauth\","
	    "\"iss\":\"https://idp.example/realms/r\",\"exp\":1700000600}",
	    NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "an algorithm off the caller's allow-list is refused", H_RS256,
	    NULL, NULL, SIGN_RS256, MUT_NONE, 0, SET_FULL, only_es256, 0,
	    SOA_ERR_ALGORITHM },

	/* Encoding and layout. */
	{ "a signature segment with '=' padding is refused", H_RS256, NULL,
	    NULL, SIGN_RS256, MUT_SIG_PADDED, 0, SET_FULL, NULL,
	    SOA_ERR_FORMAT, 0 },
	{ "a payload segment with '+' is refused", H_RS256, NULL, NULL,
	    SIGN_RS256, MUT_PLUS, 0, SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "a payload segment with '/' is refused", H_RS256, NULL, NULL,
	    SIGN_RS256, MUT_SLASH, 0, SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "a signature segment with non-zero trailing bits is refused",
	    H_EDDSA, NULL, NULL, SIGN_EDDSA, MUT_SIG_TRAILING_BITS, 0,
	    SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "a header segment with non-zero trailing bits is refused",
	    H_RS256, NULL, NULL, SIGN_RS256, MUT_HEADER_TRAILING_BITS, 0,
	    SET_FULL, NULL, SOA_ERR_FORMAT, 0 },
	{ "a token of four segments is refused", H_RS256, NULL, NULL,
	    SIGN_RS256, MUT_FOUR_SEGMENTS, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "a token of five segments, like a JWE, is refused", H_RS256, NULL,
	    NULL, SIGN_RS256, MUT_FIVE_SEGMENTS, 0, SET_FULL, NULL,
	    SOA_ERR_FORMAT, 0 },
	{ "a token of two segments is refused", H_RS256, NULL, NULL,
	    SIGN_RS256, MUT_TWO_SEGMENTS, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "a token with a trailing newline is refused", H_RS256, NULL, NULL,
	    SIGN_RS256, MUT_TRAILING_NEWLINE, 0, SET_FULL, NULL,
	    SOA_ERR_FORMAT, 0 },
	{ "a token with a trailing dot is refused", H_RS256, NULL, NULL,
	    SIGN_RS256, MUT_TRAILING_DOT, 0, SET_FULL, NULL, SOA_ERR_FORMAT,
	    0 },
	{ "a signed token over JWS_TOKEN_MAX is refused", H_RS256, NULL,
	    NULL, SIGN_RS256, MUT_NONE, 25000, SET_FULL, NULL, SOA_ERR_LIMIT,
	    0 },
};

/* Append len bytes to a growing NUL-terminated string. */
static void
append(char **s, size_t *n, const char *p, size_t len)
{
	char *t;

	if ((t = realloc(*s, *n + len + 1)) == NULL)
		abort();
	memcpy(t + *n, p, len);
	*n += len;
	t[*n] = '\0';
	*s = t;
}

static char *
b64url(const void *p, size_t n)
{
	char *s;

	if (b64url_encode(p, n, &s) != 0)
		abort();
	return s;
}

/* An unsigned big-endian number as base64url, at least pad bytes long. */
static char *
bn_b64url(EVP_PKEY *pkey, const char *param, int pad)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	char *s;
	int n;

	if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
		abort();
	n = BN_num_bytes(bn) > pad ? BN_num_bytes(bn) : pad;
	if (n > (int)sizeof(buf) || BN_bn2binpad(bn, buf, n) != n)
		abort();
	s = b64url(buf, (size_t)n);
	BN_free(bn);
	return s;
}

static char *
rsa_jwk(EVP_PKEY *pkey, const char *kid, const char *extra)
{
	char *n = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
	char *e = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
	char *s;

	s = util_xasprintf("{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\","
	    "\"kid\":\"%s\"%s}", n, e, kid, extra);
	free(n);
	free(e);
	return s;
}

static char *
ec_jwk(EVP_PKEY *pkey, int swap)
{
	char *x = bn_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32);
	char *y = bn_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
	char *s;

	s = util_xasprintf("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
	    "\"y\":\"%s\",\"kid\":\"ec1\"}", swap ? y : x, swap ? x : y);
	free(x);
	free(y);
	return s;
}

static struct jwks *
make_set(const char *json)
{
	struct jwks *set;

	if (jwks_parse(json, strlen(json), &set) != 0) {
		fprintf(stderr, "cannot parse test JWKS %s\n", json);
		abort();
	}
	return set;
}

/* Generate the keys and the key sets; abort if the tools fail. */
/* A self-signed certificate for pkey, as the base64 DER x5c holds. */
static char *
x5c_cert(EVP_PKEY *pkey)
{
	X509 *x;
	X509_NAME *name;
	unsigned char *der = NULL;
	char *b64 = NULL;
	int len;

	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 3600) == NULL ||
	    X509_set_pubkey(x, pkey) != 1 ||
	    (name = X509_get_subject_name(x)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"test", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    X509_sign(x, pkey, EVP_sha256()) == 0 ||
	    (len = i2d_X509(x, &der)) <= 0 ||
	    b64_encode(der, (size_t)len, &b64) != 0)
		abort();
	OPENSSL_free(der);
	X509_free(x);
	return b64;
}

static void
setup_keys(void)
{
	char *rsa1, *rsa1_enc, *rsa2, *ec, *bad_ec, *ed, *x, *enc, *ops;
	char *weak, *json, *x5c_rsa, *x5c_ec;

	if ((rsa_key = EVP_RSA_gen(2048)) == NULL ||
	    (rsa2_key = EVP_RSA_gen(2048)) == NULL ||
	    (weak_key = EVP_RSA_gen(1024)) == NULL ||
	    (ec_key = EVP_EC_gen("P-256")) == NULL ||
	    crypto_sign_keypair(ed_pk, ed_sk) != 0)
		abort();

	/* Keycloak lists its encryption key under the signing key's kid. */
	rsa1 = rsa_jwk(rsa_key, "rsa1", ",\"alg\":\"RS256\",\"use\":\"sig\"");
	rsa1_enc = rsa_jwk(rsa2_key, "rsa1",
	    ",\"alg\":\"RSA-OAEP\",\"use\":\"enc\"");
	rsa2 = rsa_jwk(rsa2_key, "rsa2", ",\"use\":\"sig\"");
	enc = rsa_jwk(rsa_key, "enc-only", ",\"use\":\"enc\"");
	ops = rsa_jwk(rsa_key, "ops", ",\"key_ops\":[\"encrypt\"]");
	weak = rsa_jwk(weak_key, "weak", ",\"alg\":\"RS256\"");
	ec = ec_jwk(ec_key, 0);
	bad_ec = ec_jwk(ec_key, 1);
	x = b64url(ed_pk, sizeof(ed_pk));
	ed = util_xasprintf("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"%s\",\"kid\":\"ed1\"}", x);

	json = util_xasprintf("{\"keys\":[%s,%s,%s,%s,%s,%s,%s]}", rsa1,
	    rsa1_enc, rsa2, ec, ed, enc, ops);
	sets[SET_FULL] = make_set(json);
	free(json);
	json = util_xasprintf("{\"keys\":[%s]}", rsa1);
	sets[SET_ONE] = make_set(json);
	free(json);
	json = util_xasprintf("{\"keys\":[%s]}", weak);
	sets[SET_WEAK] = make_set(json);
	free(json);
	json = util_xasprintf("{\"keys\":[%s]}", bad_ec);
	sets[SET_BAD_EC] = make_set(json);
	free(json);

	/* x5c only: the numbers come from the certificates. */
	x5c_rsa = x5c_cert(rsa_key);
	x5c_ec = x5c_cert(ec_key);
	json = util_xasprintf("{\"keys\":["
	    "{\"kty\":\"RSA\",\"kid\":\"x5c-rsa\",\"x5c\":[\"%s\"]},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"x5c-ec\","
	    "\"x5c\":[\"%s\"]},"
	    "{\"kty\":\"RSA\",\"kid\":\"x5c-bad\",\"x5c\":[\"AAAA\"]},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"x5c-mismatch\","
	    "\"x5c\":[\"%s\"]}]}", x5c_rsa, x5c_ec, x5c_rsa);
	sets[SET_X5C] = make_set(json);
	free(json);
	free(x5c_rsa);
	free(x5c_ec);

	free(rsa1);
	free(rsa1_enc);
	free(rsa2);
	free(enc);
	free(ops);
	free(weak);
	free(ec);
	free(bad_ec);
	free(x);
	free(ed);
}

static void
free_keys(void)
{
	size_t i;

	for (i = 0; i < SET_COUNT; i++)
		jwks_free(sets[i]);
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(rsa2_key);
	EVP_PKEY_free(weak_key);
	EVP_PKEY_free(ec_key);
}

/* RSASSA-PKCS1-v1_5 or PSS with SHA-256, or ECDSA (DER) with SHA-256. */
static void
sign_evp(EVP_PKEY *pkey, int pss, const char *in, size_t inlen,
    unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;

	*siglen = (size_t)EVP_PKEY_get_size(pkey);
	if ((*sig = malloc(*siglen)) == NULL || (md = EVP_MD_CTX_new()) ==
	    NULL || EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL,
	    pkey) != 1)
		abort();
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1))
		abort();
	if (EVP_DigestSign(md, *sig, siglen, (const unsigned char *)in,
	    inlen) != 1)
		abort();
	EVP_MD_CTX_free(md);
}

/* Turn a DER ECDSA signature into the JWS form, R || S of 32 bytes. */
static void
der_to_raw(unsigned char **sig, size_t *siglen)
{
	const unsigned char *p = *sig;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	unsigned char *raw;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)*siglen)) == NULL ||
	    (raw = malloc(64)) == NULL)
		abort();
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) !=
	    32)
		abort();
	ECDSA_SIG_free(es);
	free(*sig);
	*sig = raw;
	*siglen = 64;
}

/* HMAC-SHA256 keyed with the PEM text of rsa_key's public half. */
static void
sign_hs256_pem(const char *in, size_t inlen, unsigned char **sig,
    size_t *siglen)
{
	crypto_auth_hmacsha256_state st;
	BIO *bio;
	char *pem;
	long len;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(bio, rsa_key) != 1 ||
	    (len = BIO_get_mem_data(bio, &pem)) <= 0 ||
	    (*sig = malloc(crypto_auth_hmacsha256_BYTES)) == NULL)
		abort();
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)pem,
	    (size_t)len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)in, inlen);
	crypto_auth_hmacsha256_final(&st, *sig);
	*siglen = crypto_auth_hmacsha256_BYTES;
	BIO_free(bio);
}

static void
sign(enum signer signer, const char *in, size_t inlen, unsigned char **sig,
    size_t *siglen)
{
	switch (signer) {
	case SIGN_RS256:
		sign_evp(rsa_key, 0, in, inlen, sig, siglen);
		break;
	case SIGN_RS256_RSA2:
		sign_evp(rsa2_key, 0, in, inlen, sig, siglen);
		break;
	case SIGN_RS256_WEAK:
		sign_evp(weak_key, 0, in, inlen, sig, siglen);
		break;
	case SIGN_PS256:
		sign_evp(rsa2_key, 1, in, inlen, sig, siglen);
		break;
	case SIGN_PS256_RSA1:
		sign_evp(rsa_key, 1, in, inlen, sig, siglen);
		break;
	case SIGN_ES256:
		sign_evp(ec_key, 0, in, inlen, sig, siglen);
		der_to_raw(sig, siglen);
		break;
	case SIGN_ES256_DER:
		sign_evp(ec_key, 0, in, inlen, sig, siglen);
		break;
	case SIGN_EDDSA:
		if ((*sig = malloc(crypto_sign_BYTES)) == NULL)
			abort();
		crypto_sign_detached(*sig, NULL, (const unsigned char *)in,
		    inlen, ed_sk);
		*siglen = crypto_sign_BYTES;
		break;
	case SIGN_HS256_PEM:
		sign_hs256_pem(in, inlen, sig, siglen);
		break;
	case SIGN_EMPTY:
	case SIGN_JUNK:
	case SIGN_ZERO64:
		*siglen = signer == SIGN_EMPTY ? 0 :
		    signer == SIGN_JUNK ? 32 : 64;
		if ((*sig = calloc(1, *siglen + 1)) == NULL)
			abort();
		if (signer == SIGN_JUNK)
			memset(*sig, 0x5a, *siglen);
		break;
	}
}

/* The base64url alphabet, to nudge a character's value by one. */
static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
set_trailing_bit(char *c)
{
	const char *p = strchr(b64url_chars, *c);

	if (p == NULL || p[1] == '\0')
		abort();
	*c = p[1];
}

/*
 * Build "b64(header).b64(sent).b64(sig)" where sig signs
 * "b64(header).b64(payload)", then bend it as the mutation says.
 */
static char *
make_token(const char *header, const char *payload, const char *sent,
    enum signer signer, enum mutation mut)
{
	unsigned char *sig = NULL;
	char *h, *p, *s, *input = NULL, *tok = NULL, *c;
	size_t siglen, n = 0, toklen = 0, hlen;

	/* Sign the real header and payload. */
	h = b64url(header, strlen(header));
	p = b64url(payload, strlen(payload));
	hlen = strlen(h);
	append(&input, &n, h, hlen);
	append(&input, &n, ".", 1);
	append(&input, &n, p, strlen(p));
	sign(signer, input, n, &sig, &siglen);
	if (mut == MUT_SIG_TRUNCATE)
		siglen--;
	s = b64url(sig, siglen);

	/* Assemble what is sent. */
	free(p);
	p = b64url(sent, strlen(sent));
	append(&tok, &toklen, h, hlen);
	append(&tok, &toklen, ".", 1);
	append(&tok, &toklen, p, strlen(p));
	append(&tok, &toklen, ".", 1);
	append(&tok, &toklen, s, strlen(s));

	/* Bend it. */
	switch (mut) {
	case MUT_NONE:
	case MUT_SIG_TRUNCATE:
		break;
	case MUT_SIG_PADDED:
		if (strlen(s) % 4 != 2)
			abort();
		append(&tok, &toklen, "==", 2);
		break;
	case MUT_SIG_TRAILING_BITS:
		if (strlen(s) % 4 == 0)
			abort();
		set_trailing_bit(&tok[toklen - 1]);
		break;
	case MUT_HEADER_TRAILING_BITS:
		if (hlen % 4 == 0)
			abort();
		set_trailing_bit(&tok[hlen - 1]);
		break;
	case MUT_PLUS:
	case MUT_SLASH:
		c = memchr(tok + hlen + 1, mut == MUT_PLUS ? '-' : '_',
		    strlen(p));
		if (c == NULL)
			abort();
		*c = mut == MUT_PLUS ? '+' : '/';
		break;
	case MUT_FOUR_SEGMENTS:
		append(&tok, &toklen, ".", 1);
		append(&tok, &toklen, s, strlen(s));
		break;
	case MUT_FIVE_SEGMENTS:
		append(&tok, &toklen, ".", 1);
		append(&tok, &toklen, p, strlen(p));
		append(&tok, &toklen, ".", 1);
		append(&tok, &toklen, s, strlen(s));
		break;
	case MUT_TWO_SEGMENTS:
		tok[hlen + 1 + strlen(p)] = '\0';
		break;
	case MUT_TRAILING_NEWLINE:
		append(&tok, &toklen, "\n", 1);
		break;
	case MUT_TRAILING_DOT:
		append(&tok, &toklen, ".", 1);
		break;
	}
	free(h);
	free(p);
	free(s);
	free(sig);
	free(input);
	return tok;
}

/* The payload with a "pad" claim of n bytes in front, or a copy. */
static char *
padded_payload(const char *payload, size_t n)
{
	char *fill, *s;

	if (n == 0 || payload[0] != '{')
		return util_xstrdup(payload);
	if ((fill = malloc(n + 1)) == NULL)
		abort();
	memset(fill, 'x', n);
	fill[n] = '\0';
	s = util_xasprintf("{\"pad\":\"%s\",%s", fill, payload + 1);
	free(fill);
	return s;
}

static void
test_jws(const struct jws_case *t)
{
	struct jws *jws = NULL;
	const char *why = NULL;
	char *payload, *sent, *tok;
	int r;

	TEST_START(t->name);
	payload = padded_payload(t->payload != NULL ? t->payload : PAYLOAD,
	    t->filler);
	sent = padded_payload(t->sent != NULL ? t->sent : payload, 0);
	tok = make_token(t->header, payload, sent, t->signer, t->mutation);

	r = jws_parse(tok, strlen(tok), &jws, &why);
	ASSERT_INT_EQ(r, t->want_parse);
	if (r != 0) {
		ASSERT_PTR_NULL(jws);
		ASSERT_PTR_NOTNULL(why);
		if (getenv("UNIT_VERBOSE") != NULL && why != NULL)
			fprintf(stderr, "\t%s: %s\n", t->name, why);
		goto out;
	}
	if (!ASSERT_PTR_NOTNULL(jws))
		goto out;
	why = NULL;
	r = jws_verify(jws, sets[t->set], t->algs, &why);
	ASSERT_INT_EQ(r, t->want_verify);
	if (r != 0 && !ASSERT_PTR_NOTNULL(why))
		fprintf(stderr, "\tno reason given\n");
	if ((r != t->want_verify || getenv("UNIT_VERBOSE") != NULL) &&
	    why != NULL)
		fprintf(stderr, "\t%s: %s\n", t->name, why);
 out:
	jws_free(jws);
	free(payload);
	free(sent);
	free(tok);
	TEST_DONE();
}

/* A token that decodes gives back its header and claims. */
static void
test_accessors(void)
{
	struct jws *jws = NULL;
	const char *why;
	char *tok;
	int64_t exp;

	TEST_START("a parsed token exposes its alg, kid and claims");
	tok = make_token(H_ES256, PAYLOAD, PAYLOAD, SIGN_ES256, MUT_NONE);
	if (ASSERT_INT_EQ(jws_parse(tok, strlen(tok), &jws, &why), 0)) {
		ASSERT_STR_EQ(jws_alg(jws), "ES256");
		ASSERT_STR_EQ(jws_kid(jws), "ec1");
		ASSERT_STR_EQ(jsonx_string(jws_claims(jws), "sub"), "alice");
		ASSERT_STR_EQ(jsonx_string(jws_header(jws), "alg"), "ES256");
		ASSERT_INT_EQ(jsonx_int64(jws_claims(jws), "exp", &exp), 0);
		ASSERT_INT_EQ(exp, 1700000600);
	}
	jws_free(jws);
	free(tok);
	TEST_DONE();
}

/* A NUL inside the length given is refused, not taken as the end. */
static void
test_nul(void)
{
	struct jws *jws = NULL;
	const char *why;
	char *tok;
	size_t n;

	TEST_START("a token holding a NUL byte is refused");
	tok = make_token(H_RS256, PAYLOAD, PAYLOAD, SIGN_RS256, MUT_NONE);
	n = strlen(tok);
	tok[n - 1] = '\0';
	ASSERT_INT_EQ(jws_parse(tok, n, &jws, &why), SOA_ERR_FORMAT);
	ASSERT_PTR_NULL(jws);
	free(tok);
	TEST_DONE();
}

/* The key set counts the keys that can verify something. */
static void
test_usable_count(void)
{
	TEST_START("jwks_usable_count skips encryption keys");
	/* rsa1, rsa2, ec1, ed1; not the enc rsa1, enc-only or ops. */
	ASSERT_INT_EQ(jwks_usable_count(sets[SET_FULL]), 4);
	ASSERT_INT_EQ(jwks_usable_count(sets[SET_ONE]), 1);
	TEST_DONE();
}

#define ISS	"https://idp.example/realms/r"
#define NOW	1700000000

struct claims_case {
	const char	*name;
	const char	*claims;
	const char	*azp;		/* want.azp */
	int64_t		 leeway;
	int		 want;
	int64_t		 want_exp;	/* when want is 0 */
};

static const struct claims_case claims_cases[] = {
	{ "an exp beyond the year 9999 is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\","
	    "\"exp\":253402300800}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "matching claims pass and give exp",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1700000300}",
	    NULL, 60, 0, 1700000300 },
	{ "an issuer differing by a trailing slash is refused",
	    "{\"iss\":\"" ISS "/\",\"aud\":\"ssh-oauth\",\"exp\":1700000300}",
	    NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an issuer differing in case is refused",
	    "{\"iss\":\"https://IDP.example/realms/r\",\"aud\":\"ssh-oauth\","
	    "\"exp\":1700000300}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "a missing issuer is refused",
	    "{\"aud\":\"ssh-oauth\",\"exp\":1700000300}", NULL, 60,
	    SOA_ERR_CLAIM, 0 },
	{ "an issuer that is not a string is refused",
	    "{\"iss\":[\"" ISS "\"],\"aud\":\"ssh-oauth\",\"exp\":1700000300}",
	    NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an aud string naming another client is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"other\",\"exp\":1700000300}", NULL,
	    60, SOA_ERR_CLAIM, 0 },
	{ "a missing aud is refused",
	    "{\"iss\":\"" ISS "\",\"exp\":1700000300}", NULL, 60,
	    SOA_ERR_CLAIM, 0 },
	{ "an aud array holding the audience with a matching azp passes",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"account\",\"ssh-oauth\"],"
	    "\"azp\":\"ssh-oauth\",\"exp\":1700000300}", NULL, 60, 0,
	    1700000300 },
	{ "an aud array with azp matching the configured azp passes",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"account\",\"ssh-oauth\"],"
	    "\"azp\":\"cli\",\"exp\":1700000300}", "cli", 60, 0, 1700000300 },
	{ "an aud array of one holding the audience passes without azp",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"ssh-oauth\"],\"exp\":1700000300}",
	    NULL, 60, 0, 1700000300 },
	{ "an aud array of several without azp is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"account\",\"ssh-oauth\"],"
	    "\"exp\":1700000300}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an aud array without the audience is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"account\",\"other\"],"
	    "\"azp\":\"ssh-oauth\",\"exp\":1700000300}", NULL, 60,
	    SOA_ERR_CLAIM, 0 },
	{ "an aud array holding a non-string is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"ssh-oauth\",5],"
	    "\"azp\":\"ssh-oauth\",\"exp\":1700000300}", NULL, 60,
	    SOA_ERR_CLAIM, 0 },
	{ "a wrong azp is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"azp\":\"other\","
	    "\"exp\":1700000300}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "a wrong azp with an aud array is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"account\",\"ssh-oauth\"],"
	    "\"azp\":\"account\",\"exp\":1700000300}", NULL, 60,
	    SOA_ERR_CLAIM, 0 },
	{ "an azp that is not a string is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"azp\":1,"
	    "\"exp\":1700000300}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "a missing exp is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\"}", NULL, 60,
	    SOA_ERR_CLAIM, 0 },
	{ "an exp that is a string is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\","
	    "\"exp\":\"1700000300\"}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an exp with a fraction is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\","
	    "\"exp\":1700000300.5}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an exp written as an integral double passes",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\","
	    "\"exp\":1.7000003e9}", NULL, 60, 0, 1700000300 },
	{ "an exp expired beyond the leeway is refused as expired",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1699999939}",
	    NULL, 60, SOA_ERR_EXPIRED, 0 },
	{ "an exp expired within the leeway passes",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1699999941}",
	    NULL, 60, 0, 1699999941 },
	{ "an exp exactly the leeway ago passes",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1699999940}",
	    NULL, 60, 0, 1699999940 },
	{ "an exp near the int64 limit is refused, without overflow",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\","
	    "\"exp\":9223372036854775800}", NULL, 300, SOA_ERR_CLAIM, 0 },
	{ "an nbf in the future beyond the leeway is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1700000300,"
	    "\"nbf\":1700000061}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an nbf in the future within the leeway passes",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1700000300,"
	    "\"nbf\":1700000059}", NULL, 60, 0, 1700000300 },
	{ "an nbf that is a string is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1700000300,"
	    "\"nbf\":\"0\"}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an iat in the future beyond the leeway is refused",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1700000300,"
	    "\"iat\":1700000061}", NULL, 60, SOA_ERR_CLAIM, 0 },
	{ "an iat in the past passes",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1700000300,"
	    "\"iat\":1699999000}", NULL, 60, 0, 1700000300 },
	{ "a leeway above CLAIMS_LEEWAY_MAX is capped (expired)",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1699999699}",
	    NULL, 100000, SOA_ERR_EXPIRED, 0 },
	{ "a leeway above CLAIMS_LEEWAY_MAX is capped (still valid)",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1699999701}",
	    NULL, 100000, 0, 1699999701 },
	{ "a capped leeway also bounds nbf",
	    "{\"iss\":\"" ISS "\",\"aud\":\"ssh-oauth\",\"exp\":1700000300,"
	    "\"nbf\":1700000301}", NULL, 100000, SOA_ERR_CLAIM, 0 },
};

static void
test_claims(const struct claims_case *t)
{
	struct claims_expect want;
	json_object *o = NULL;
	const char *why = NULL;
	int64_t exp = -1;
	int r;

	TEST_START(t->name);
	if (!ASSERT_INT_EQ(jsonx_parse_object(t->claims, strlen(t->claims),
	    &o), 0))
		goto out;
	memset(&want, 0, sizeof(want));
	want.issuer = ISS;
	want.audience = "ssh-oauth";
	want.azp = t->azp;
	want.leeway = t->leeway;
	want.now = NOW;
	r = claims_check(o, &want, &exp, &why);
	ASSERT_INT_EQ(r, t->want);
	if (r == 0) {
		ASSERT_INT_EQ(exp, t->want_exp);
		ASSERT_PTR_NULL(why);
	} else
		ASSERT_PTR_NOTNULL(why);
 out:
	json_object_put(o);
	TEST_DONE();
}

struct value_case {
	const char	*name;
	const char	*claims;
	const char	*value;
	int		 want;
};

static const struct value_case value_cases[] = {
	{ "a string claim equal to the value matches",
	    "{\"g\":\"admins\"}", "admins", 1 },
	{ "a string claim is compared exactly",
	    "{\"g\":\"admins\"}", "Admins", 0 },
	{ "a string claim is not matched by a prefix",
	    "{\"g\":\"admins\"}", "admin", 0 },
	{ "an array holding the value matches",
	    "{\"g\":[\"users\",\"admins\"]}", "admins", 1 },
	{ "an array without the value does not match",
	    "{\"g\":[\"users\",\"ops\"]}", "admins", 0 },
	{ "an array skips non-strings and still matches",
	    "{\"g\":[1,null,{\"a\":\"admins\"},\"admins\"]}", "admins", 1 },
	{ "an empty array matches nothing", "{\"g\":[]}", "admins", 0 },
	{ "a number matches nothing, even its own digits",
	    "{\"g\":5}", "5", 0 },
	{ "a boolean matches nothing", "{\"g\":true}", "true", 0 },
	{ "an object matches nothing",
	    "{\"g\":{\"admins\":\"admins\"}}", "admins", 0 },
	{ "a missing claim matches nothing", "{\"h\":\"admins\"}",
	    "admins", 0 },
	{ "a nested array does not count",
	    "{\"g\":[[\"admins\"]]}", "admins", 0 },
	{ "\"*\" matches a non-empty string", "{\"g\":\"x\"}", "*", 1 },
	{ "\"*\" does not match an empty string", "{\"g\":\"\"}", "*", 0 },
	{ "\"*\" matches an array holding a non-empty string",
	    "{\"g\":[\"\",\"x\"]}", "*", 1 },
	{ "\"*\" does not match an array of empty strings",
	    "{\"g\":[\"\",\"\"]}", "*", 0 },
	{ "\"*\" does not match an empty array", "{\"g\":[]}", "*", 0 },
	{ "\"*\" does not match a number", "{\"g\":1}", "*", 0 },
	{ "\"*\" does not match a missing claim", "{}", "*", 0 },
	{ "a literal \"*\" in the claim matches the value \"*\"",
	    "{\"g\":\"*\"}", "*", 1 },
	{ "a literal \"*\" in the claim does not match other values",
	    "{\"g\":\"*\"}", "admins", 0 },
};

static void
test_value(const struct value_case *t)
{
	json_object *o = NULL;

	TEST_START(t->name);
	if (ASSERT_INT_EQ(jsonx_parse_object(t->claims, strlen(t->claims),
	    &o), 0))
		ASSERT_INT_EQ(claims_has_value(o, "g", t->value), t->want);
	json_object_put(o);
	TEST_DONE();
}

/* RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key. */
static void
test_thumbprint(void)
{
	static const char x[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
	static const char want[] =
	    "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
	unsigned char *pk = NULL;
	size_t len;
	char *thumb = NULL;

	TEST_START("an Ed25519 key's thumbprint matches RFC 8037's example");
	if (!ASSERT_INT_EQ(b64url_decode(x, strlen(x), &pk, &len), 0) ||
	    !ASSERT_INT_EQ(len, 32))
		goto done;
	ASSERT_INT_EQ(jwk_thumbprint_ed25519(pk, &thumb), 0);
	if (thumb != NULL)
		ASSERT_STR_EQ(thumb, want);
 done:
	free(pk);
	free(thumb);
	TEST_DONE();
}

int
main(void)
{
	size_t i;

	setup_keys();
	test_thumbprint();
	for (i = 0; i < sizeof(jws_cases) / sizeof(jws_cases[0]); i++)
		test_jws(&jws_cases[i]);
	test_accessors();
	test_nul();
	test_usable_count();
	for (i = 0; i < sizeof(claims_cases) / sizeof(claims_cases[0]); i++)
		test_claims(&claims_cases[i]);
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++)
		test_value(&value_cases[i]);
	free_keys();
	return TEST_EXIT();
}
