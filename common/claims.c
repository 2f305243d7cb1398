#include <string.h>

#include "claims.h"
#include "err.h"
#include "jsonx.h"

/* Whether aud (string or array of strings) holds audience; its size too. */
static int
audience_matches(json_object *aud, const char *audience, size_t *count)
{
	json_object *v;
	size_t i;
	int found = 0;

	*count = 0;
	if (json_object_is_type(aud, json_type_string)) {
		*count = 1;
		return strcmp(json_object_get_string(aud), audience) == 0;
	}
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	*count = json_object_array_length(aud);
	for (i = 0; i < *count; i++) {
		v = json_object_array_get_idx(aud, i);
		if (!json_object_is_type(v, json_type_string))
			return 0;
		if (strcmp(json_object_get_string(v), audience) == 0)
			found = 1;
	}
	return found;
}

/* Read an optional time claim; absent leaves *present 0. */
static int
time_claim(json_object *claims, const char *name, int64_t *t, int *present)
{
	int r;

	*present = 0;
	if ((r = jsonx_int64(claims, name, t)) == SOA_ERR_NOT_FOUND)
		return 0;
	if (r != 0)
		return r;
	*present = 1;
	return 0;
}

int
claims_check(json_object *claims, const struct claims_expect *want,
    int64_t *exp, const char **why)
{
	json_object *aud;
	const char *iss, *azp;
	int64_t t, expires, leeway = want->leeway;
	size_t naud;
	int present;

	*exp = 0;
	*why = NULL;
	if (leeway < 0 || leeway > CLAIMS_LEEWAY_MAX)
		leeway = CLAIMS_LEEWAY_MAX;

	/* Issuer: exact, so "https://a/" and "https://a" differ. */
	if ((iss = jsonx_string(claims, "iss")) == NULL) {
		*why = "iss missing or not a string";
		return SOA_ERR_CLAIM;
	}
	if (strcmp(iss, want->issuer) != 0) {
		*why = "iss is not the configured issuer";
		return SOA_ERR_CLAIM;
	}

	/* Audience, and the authorised party when there are several. */
	if (!json_object_object_get_ex(claims, "aud", &aud) ||
	    !audience_matches(aud, want->audience, &naud)) {
		*why = "aud does not hold the configured audience";
		return SOA_ERR_CLAIM;
	}
	if (json_object_object_get_ex(claims, "azp", NULL) || naud > 1) {
		azp = jsonx_string(claims, "azp");
		if (azp == NULL || strcmp(azp, want->azp != NULL ?
		    want->azp : want->audience) != 0) {
			*why = "azp missing or not the expected client";
			return SOA_ERR_CLAIM;
		}
	}

	/* Expiry is required and must be a number. */
	if (time_claim(claims, "exp", &t, &present) != 0 || !present) {
		*why = "exp missing or not a number";
		return SOA_ERR_CLAIM;
	}
	if (t < want->now - leeway) {
		*why = "token expired";
		return SOA_ERR_EXPIRED;
	}
	if (t > CLAIMS_TIME_MAX) {
		*why = "exp beyond the year 9999";
		return SOA_ERR_CLAIM;
	}
	expires = t;
	if (time_claim(claims, "nbf", &t, &present) != 0) {
		*why = "nbf is not a number";
		return SOA_ERR_CLAIM;
	}
	if (present && t > want->now + leeway) {
		*why = "token not yet valid (nbf)";
		return SOA_ERR_CLAIM;
	}
	if (time_claim(claims, "iat", &t, &present) != 0) {
		*why = "iat is not a number";
		return SOA_ERR_CLAIM;
	}
	if (present && t > want->now + leeway) {
		*why = "token issued in the future (iat)";
		return SOA_ERR_CLAIM;
	}
	*exp = expires;
	return 0;
}

int
claims_has_value(json_object *claims, const char *claim, const char *value)
{
	json_object *v, *e;
	const char *s;
	size_t i;
	int any = strcmp(value, "*") == 0;

	if (!json_object_object_get_ex(claims, claim, &v))
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		return any ? s[0] != '\0' : strcmp(s, value) == 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(v); i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			continue;
		s = json_object_get_string(e);
		if (any ? s[0] != '\0' : strcmp(s, value) == 0)
			return 1;
	}
	return 0;
}
