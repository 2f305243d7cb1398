/*
 * Registered-claim checks (RFC 7519 section 4.1, OpenID Connect Core
 * section 3.1.3.7): issuer, audience, authorised party and the times.
 */
#ifndef SOA_CLAIMS_H
#define SOA_CLAIMS_H

#include <stdint.h>

#include <json.h>

/* The largest clock leeway a configuration may ask for, in seconds. */
#define CLAIMS_LEEWAY_MAX	300

/* The last second of the year 9999: later times are refused. */
#define CLAIMS_TIME_MAX		INT64_C(253402300799)

struct claims_expect {
	const char	*issuer;	/* exact match, byte for byte */
	const char	*audience;	/* must be in aud */
	const char	*azp;		/* required azp when aud has several
					   entries; NULL means audience */
	int64_t		 leeway;	/* seconds, at most CLAIMS_LEEWAY_MAX */
	int64_t		 now;		/* seconds since the epoch */
};

/*
 * Check iss, aud, azp, exp (required), nbf and iat. On success *exp is
 * the token's expiry. On failure: SOA_ERR_EXPIRED or SOA_ERR_CLAIM, with
 * *why naming the claim.
 */
int claims_check(json_object *claims, const struct claims_expect *want,
    int64_t *exp, const char **why) __attribute__((warn_unused_result));

/*
 * Whether the claim is a string equal to value or an array holding such a
 * string. A bare string counts as a one-element array; any other type
 * matches nothing. value "*" matches any non-empty string.
 */
int claims_has_value(json_object *claims, const char *claim,
    const char *value);

#endif /* SOA_CLAIMS_H */
