/*
 * JSON Web Keys (RFC 7517): a parsed key set, selection of the one key a
 * token may be checked with, and conversion of RSA and EC keys to the PEM
 * form libjwt wants. The key, not the token, decides the algorithm: a
 * key is only ever used with an algorithm its kty (and crv) allows.
 */
#ifndef SOA_JWK_H
#define SOA_JWK_H

#include <stddef.h>

#include <json.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

struct jwks;

/* Parse a JWKS document ({"keys": [...]}). Caller frees with jwks_free. */
int jwks_parse(const char *s, size_t n, struct jwks **out)
    __attribute__((warn_unused_result));
void jwks_free(struct jwks *set);

/* The number of keys that could verify some allowed algorithm. */
size_t jwks_usable_count(const struct jwks *set);

/*
 * Find the one key that may verify a token signed with alg and, if kid
 * is not NULL, carrying that kid. Without a kid exactly one key must fit.
 * Keys marked for encryption (use "enc", key_ops without "verify") and
 * keys whose kty, crv or alg disagree with alg are passed over.
 * *jwk points into set. SOA_ERR_KEY with *why on failure.
 */
int jwks_select(const struct jwks *set, const char *kid, const char *alg,
    json_object **jwk, const char **why) __attribute__((warn_unused_result));

/* Whether any key in the set carries this kid; 1 or 0. */
int jwks_has_kid(const struct jwks *set, const char *kid);

/*
 * The RSA modulus and exponent of a JWK, checked: canonical base64url,
 * no leading zeros, at least 2048 bits, an odd exponent above 1. The
 * caller frees both.
 */
int jwk_rsa_numbers(json_object *jwk, BIGNUM **n, BIGNUM **e,
    const char **why) __attribute__((warn_unused_result));

/*
 * The RFC 7638 thumbprint of an Ed25519 public key as base64url: what
 * DPoP (RFC 9449) puts in a bound token's cnf.jkt. Caller frees *out.
 */
int jwk_thumbprint_ed25519(const unsigned char pk[32], char **out)
    __attribute__((warn_unused_result));

/* Whether the JWK's kty/crv allow alg; 1 or 0. */
int jwk_fits_alg(json_object *jwk, const char *alg);

/*
 * An RSA or EC public JWK as an OpenSSL key the caller frees, or as a PEM
 * SubjectPublicKeyInfo in a new string. RSA moduli under 2048 bits and EC
 * points off their curve are refused. Keys given only as x5c are not
 * supported.
 */
int jwk_to_pkey(json_object *jwk, EVP_PKEY **out, const char **why)
    __attribute__((warn_unused_result));
int jwk_to_pem(json_object *jwk, char **pem, const char **why)
    __attribute__((warn_unused_result));

/*
 * Decode a base64url member of the JWK exactly (no padding, no stray
 * bits). Caller frees *out.
 */
int jwk_member_bytes(json_object *jwk, const char *name,
    unsigned char **out, size_t *len) __attribute__((warn_unused_result));

#endif /* SOA_JWK_H */
