#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "b64.h"
#include "err.h"

/* Inputs past this are refused before any allocation. */
#define B64_INPUT_MAX	(1U << 20)

static int
decode(const char *s, size_t n, int variant, unsigned char **out,
    size_t *outlen)
{
	unsigned char *p = NULL;
	const char *end = NULL;
	size_t cap, len = 0;
	int r = SOA_ERR_INTERNAL;

	*out = NULL;
	*outlen = 0;
	if (n > B64_INPUT_MAX)
		return SOA_ERR_LIMIT;
	cap = n / 4 * 3 + 3;
	if ((p = malloc(cap + 1)) == NULL)
		return SOA_ERR_ALLOC;

	/*
	 * libsodium's decoder refuses bad characters and non-zero leftover
	 * bits; asking for the end pointer and requiring it to be the end
	 * of the input refuses trailing garbage too.
	 */
	if (sodium_base642bin(p, cap, s, n, NULL, &len, &end, variant) != 0 ||
	    end != s + n) {
		r = SOA_ERR_FORMAT;
		goto out;
	}
	p[len] = '\0';
	*out = p;
	*outlen = len;
	p = NULL;
	r = 0;
 out:
	free(p);
	return r;
}

static int
encode(const void *p, size_t n, int variant, char **out)
{
	size_t len;

	*out = NULL;
	if (n > B64_INPUT_MAX)
		return SOA_ERR_LIMIT;
	len = sodium_base64_encoded_len(n, variant);
	if ((*out = malloc(len)) == NULL)
		return SOA_ERR_ALLOC;
	sodium_bin2base64(*out, len, p, n, variant);
	return 0;
}

int
b64url_decode(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	return decode(s, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	    out, outlen);
}

int
b64_decode(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	/* Padded input must be a whole number of quads. */
	if (n % 4 != 0) {
		*out = NULL;
		*outlen = 0;
		return SOA_ERR_FORMAT;
	}
	return decode(s, n, sodium_base64_VARIANT_ORIGINAL, out, outlen);
}

int
b64url_encode(const void *p, size_t n, char **out)
{
	return encode(p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING, out);
}

int
b64_encode(const void *p, size_t n, char **out)
{
	return encode(p, n, sodium_base64_VARIANT_ORIGINAL, out);
}
