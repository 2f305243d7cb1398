/*
 * libFuzzer target: the token parser and verifier. The first input byte
 * picks the mode: odd bytes feed the rest to jws_parse() and, when it
 * parses, to jws_verify() and claims_check() against a fixed key set;
 * even bytes feed it to jwks_parse() and convert every key to PEM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <sodium.h>

#include "claims.h"
#include "jwk.h"
#include "jws.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_jwks[] =
	"{\"keys\":[{\"kty\":\"RSA\",\"n\":\"zu_mQ_9bTot12PCWYBvzgzqt"
	"LKs_7ebVzajFW86KsgcWZA67Aa9XtY3Wjx3cO_LVaK9o98FPCmbGGoCgn91Z"
	"3161-zV_TjC_xp10ZoXpNUXdhdbOc4Y1UDuFhhxhD3yyDZ1AUf5wuBJnsFCP"
	"JPVMGkOs6SaM-Omt7yrflNaPKkEXd-evzJi3iDCkfSykQzd2Pn_RGMcHQpM3"
	"gU6gwdNF5_HC-O3NHxBWsIZqVOnBuClw2F-EYZiyZ_Si7zXOzoYdyDZYLsks"
	"mrTMuon8s4Am8KPN4I4CaJVJxbgRMS2-xdCJywkQvOBrMzcsXU2rRSo8MtvV"
	"naEX3Y8WM577dPfm8w\",\"e\":\"AQAB\",\"kid\":\"rsa1\",\"use\""
	":\"sig\"},{\"kty\":\"EC\",\"x\":\"DDx4NQUwRozx1NlFThqHVWRkbE"
	"l4goVwJcpOJ4j-u7I\",\"y\":\"Fmx96dCNpu25_OAh4vj5Y8qs7Epcz11h"
	"dFXskdnsK_o\",\"crv\":\"P-256\",\"kid\":\"ec1\"},{\"crv\":\""
	"Ed25519\",\"x\":\"lxb4MCX4xFe0KRHzrOEwt9MCYRZwrEgUcq4I8U6Lws"
	"Q\",\"kty\":\"OKP\",\"kid\":\"ed1\"}]}";

static void
fuzz_token(const char *s, size_t n, const struct jwks *set)
{
	struct claims_expect want = { "https://issuer.example", "aud", NULL,
	    60, 1700000000 };
	struct jws *jws = NULL;
	const char *why;
	int64_t exp;

	if (jws_parse(s, n, &jws, &why) != 0)
		return;
	(void)jws_verify(jws, set, NULL, &why);
	(void)claims_check(jws_claims(jws), &want, &exp, &why);
	(void)claims_has_value(jws_claims(jws), "groups", "admins");
	jws_free(jws);
}

static void
fuzz_jwks(const char *s, size_t n)
{
	static const char *algs[] = { "RS256", "PS256", "ES256", "ES384",
	    "EdDSA", NULL };
	struct jwks *set = NULL;
	json_object *jwk;
	const char *why;
	char *pem;
	size_t i;

	if (jwks_parse(s, n, &set) != 0)
		return;
	(void)jwks_usable_count(set);
	for (i = 0; algs[i] != NULL; i++) {
		if (jwks_select(set, NULL, algs[i], &jwk, &why) != 0)
			continue;
		if (jwk_to_pem(jwk, &pem, &why) == 0)
			free(pem);
	}
	jwks_free(set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jwks *set;

	if (set == NULL) {
		log_init("fuzz", LOG_LEVEL_QUIET, 0);
		if (sodium_init() < 0 ||
		    jwks_parse(fixed_jwks, strlen(fixed_jwks), &set) != 0)
			abort();
	}
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_token((const char *)data + 1, size - 1, set);
	else
		fuzz_jwks((const char *)data + 1, size - 1);
	return 0;
}
