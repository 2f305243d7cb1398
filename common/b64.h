/*
 * Strict base64: base64url without padding for JWTs (RFC 7515 section 2)
 * and padded standard base64 for SSH keys. Decoding refuses anything but
 * the canonical encoding: wrong alphabet, padding where none belongs,
 * non-zero leftover bits, trailing bytes.
 */
#ifndef SOA_B64_H
#define SOA_B64_H

#include <stddef.h>

/*
 * Decode n characters of s into a new allocation *out of *outlen bytes,
 * NUL-terminated for convenience (the NUL is not counted). The caller
 * frees *out. On failure *out is NULL.
 */
int b64url_decode(const char *s, size_t n, unsigned char **out,
    size_t *outlen) __attribute__((warn_unused_result));
int b64_decode(const char *s, size_t n, unsigned char **out,
    size_t *outlen) __attribute__((warn_unused_result));

/* Encode into a new NUL-terminated string the caller frees. */
int b64url_encode(const void *p, size_t n, char **out)
    __attribute__((warn_unused_result));
int b64_encode(const void *p, size_t n, char **out)
    __attribute__((warn_unused_result));

#endif /* SOA_B64_H */
