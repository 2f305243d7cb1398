/*
 * Signed JWTs in compact form (RFC 7515, RFC 7519): strict splitting and
 * decoding, and signature verification against a JWKS.
 *
 * jws_parse() only decodes: nothing in a parsed token is trusted until
 * jws_verify() succeeds. The algorithm a token names must be on the
 * caller's allow-list and must fit the key chosen for it; "none", HS*
 * and headers that point at other keys (jku, x5u, jwk, x5c) or demand
 * unknown processing (crit) are refused outright.
 */
#ifndef SOA_JWS_H
#define SOA_JWS_H

#include <stddef.h>

#include <json.h>

#include "jwk.h"

/* Tokens longer than this are refused before decoding. */
#define JWS_TOKEN_MAX	(32 * 1024)

struct jws;

/* Algorithms verified when the configuration names none. */
extern const char *const jws_default_algs[];

/* Decode token (len bytes). On failure *why says what is wrong. */
int jws_parse(const char *token, size_t len, struct jws **out,
    const char **why) __attribute__((warn_unused_result));
void jws_free(struct jws *jws);

/* The decoded header and claims; owned by jws. */
json_object *jws_header(const struct jws *jws);
json_object *jws_claims(const struct jws *jws);

/* Header values, or NULL. */
const char *jws_alg(const struct jws *jws);
const char *jws_kid(const struct jws *jws);

/*
 * Verify the signature with the key set. allowed_algs is a NULL-ended
 * list (jws_default_algs if NULL). 0 on a good signature; otherwise
 * SOA_ERR_ALGORITHM, SOA_ERR_KEY or SOA_ERR_SIGNATURE with *why.
 */
int jws_verify(const struct jws *jws, const struct jwks *set,
    const char *const *allowed_algs, const char **why)
    __attribute__((warn_unused_result));

#endif /* SOA_JWS_H */
