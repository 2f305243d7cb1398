/*
 * DPoP proofs (RFC 9449) made with the sign-in key, the Ed25519 key that
 * also signs the SSH certificates. A provider that supports DPoP then
 * binds the access token to that key (cnf.jkt), and ssh-oauth-authkeys
 * accepts the token only in a certificate for the same key: a token
 * copied out of a certificate is useless without the private key.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>
#include <sodium.h>

#include "b64.h"
#include "helper.h"
#include "util.h"

/* htu is the URL without its query and fragment (RFC 9449 section 4.2). */
static char *
target_uri(const char *url)
{
	char *u = util_xstrdup(url);

	u[strcspn(u, "?#")] = '\0';
	return u;
}

/* base64url of a JSON object's compact text. */
static char *
encode_object(json_object *o)
{
	const char *text;
	char *enc = NULL;

	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (b64url_encode(text, strlen(text), &enc) != 0)
		abort();
	return enc;
}

char *
dpop_proof(const unsigned char sk[64], const char *method, const char *url,
    const char *nonce)
{
	unsigned char jti[16], sig[crypto_sign_BYTES];
	json_object *header, *jwk, *claims;
	char *x = NULL, *id = NULL, *htu, *h64, *c64, *s64 = NULL, *input;
	char *proof;

	/* The header carries the public key itself, as RFC 9449 asks. */
	if (b64url_encode(sk + 32, 32, &x) != 0)
		abort();
	jwk = json_object_new_object();
	json_object_object_add(jwk, "kty", json_object_new_string("OKP"));
	json_object_object_add(jwk, "crv", json_object_new_string("Ed25519"));
	json_object_object_add(jwk, "x", json_object_new_string(x));
	header = json_object_new_object();
	json_object_object_add(header, "typ",
	    json_object_new_string("dpop+jwt"));
	json_object_object_add(header, "alg", json_object_new_string("EdDSA"));
	json_object_object_add(header, "jwk", jwk);

	/* One use only: a fresh jti, the method and URL, now. */
	randombytes_buf(jti, sizeof(jti));
	if (b64url_encode(jti, sizeof(jti), &id) != 0)
		abort();
	htu = target_uri(url);
	claims = json_object_new_object();
	json_object_object_add(claims, "jti", json_object_new_string(id));
	json_object_object_add(claims, "htm", json_object_new_string(method));
	json_object_object_add(claims, "htu", json_object_new_string(htu));
	json_object_object_add(claims, "iat",
	    json_object_new_int64((int64_t)time(NULL)));
	if (nonce != NULL)
		json_object_object_add(claims, "nonce",
		    json_object_new_string(nonce));

	/* Sign header.claims with the sign-in key. */
	h64 = encode_object(header);
	c64 = encode_object(claims);
	input = util_xasprintf("%s.%s", h64, c64);
	crypto_sign_detached(sig, NULL, (const unsigned char *)input,
	    strlen(input), sk);
	if (b64url_encode(sig, sizeof(sig), &s64) != 0)
		abort();
	proof = util_xasprintf("%s.%s", input, s64);

	json_object_put(header);
	json_object_put(claims);
	free(x);
	free(id);
	free(htu);
	free(h64);
	free(c64);
	free(input);
	free(s64);
	return proof;
}
