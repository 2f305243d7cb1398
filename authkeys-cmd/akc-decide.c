/*
 * One login decision, from sshd's %u %t %k to an authorized_keys line or
 * a reason. Reads the JWKS cache and nothing else: no network here.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "akc.h"
#include "b64.h"
#include "buf.h"
#include "claims.h"
#include "err.h"
#include "jsonx.h"
#include "jwk.h"
#include "jws.h"
#include "sshcert.h"
#include "util.h"

#define JWKS_FILE_MAX	(256 * 1024)

/* Load the key set the refresh command left in the cache. */
static int
load_jwks(const char *path, struct jwks **set, const char **why)
{
	struct buf b;
	int r;

	*set = NULL;
	buf_init(&b, JWKS_FILE_MAX);
	if ((r = util_read_file(path, UTIL_FILE_TRUSTED, &b, why)) != 0)
		goto out;
	if ((r = jwks_parse((const char *)b.data, b.len, set)) != 0)
		*why = "JWKS cache is not a valid key set";
 out:
	buf_free(&b);
	return r;
}

/* Copy a string claim for the log, if present. */
static char *
claim_copy(json_object *claims, const char *name)
{
	const char *s = jsonx_string(claims, name);

	return s != NULL ? util_xstrdup(s) : NULL;
}

/* expiry-time="YYYYMMDDHHMMSSZ", which sshd reads as UTC. */
static int
format_expiry(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y%m%d%H%M%SZ", &tm) == 0)
		return SOA_ERR_INTERNAL;
	return 0;
}

int
akc_decide(const struct akc_config *cfg, const struct akc_policy *pol,
    const char *user, const char *keytype, const char *keyb64,
    struct akc_decision *d)
{
	struct sshcert *cert = NULL;
	struct jwks *set = NULL;
	struct jws *jws = NULL;
	struct claims_expect want;
	unsigned char *blob = NULL;
	const char *options, *why = NULL;
	char expiry[32], *key = NULL;
	size_t blob_len;
	int64_t exp;
	int r;

	memset(d, 0, sizeof(*d));

	/* Only our certificates; plain keys are for other key sources. */
	if (!akc_valid_user_name(user)) {
		d->reason = "target user name is not a safe user name";
		return SOA_ERR_DENIED;
	}
	if (strcmp(keytype, SSHCERT_TYPE_NAME) != 0) {
		d->reason = "key is not an Ed25519 certificate";
		return SOA_ERR_DENIED;
	}
	if ((r = b64_decode(keyb64, strlen(keyb64), &blob, &blob_len)) != 0) {
		d->reason = "key is not canonical base64";
		goto out;
	}
	if ((r = sshcert_parse(blob, blob_len, &cert, &why)) != 0) {
		d->reason = why != NULL ? why : "malformed certificate";
		goto out;
	}
	if (sshkey_ed25519_fingerprint(cert->key, &d->fingerprint) != 0)
		d->fingerprint = NULL;
	if (cert->token == NULL) {
		d->reason = "certificate carries no token";
		r = SOA_ERR_NOT_FOUND;
		goto out;
	}

	/* The token: decode, then signature against the cached keys. */
	if ((r = jws_parse(cert->token, cert->token_len, &jws, &why)) != 0) {
		d->reason = why;
		goto out;
	}
	d->subject = claim_copy(jws_claims(jws), "sub");
	d->email = claim_copy(jws_claims(jws), "email");
	d->jti = claim_copy(jws_claims(jws), "jti");
	if ((r = load_jwks(cfg->jwks_cache, &set, &why)) != 0) {
		d->reason = why;
		goto out;
	}
	if ((r = jws_verify(jws, set, cfg->algs, &why)) != 0) {
		d->reason = why;
		goto out;
	}

	/* Claims, now that they are known to come from the issuer. */
	want.issuer = cfg->issuer;
	want.audience = cfg->audience;
	want.azp = cfg->azp;
	want.leeway = cfg->leeway;
	want.now = (int64_t)time(NULL);
	if ((r = claims_check(jws_claims(jws), &want, &exp, &why)) != 0) {
		d->reason = why;
		goto out;
	}

	/* Policy: some rule must grant exactly this user. */
	d->rule_line = akc_policy_match(pol, jws_claims(jws), user, &options);
	if (d->rule_line == 0) {
		d->reason = "no policy rule grants this user to this identity";
		r = SOA_ERR_DENIED;
		goto out;
	}
	if ((r = format_expiry(exp, expiry, sizeof(expiry))) != 0 ||
	    (r = sshkey_ed25519_line(cert->key, &key)) != 0) {
		d->reason = "internal error";
		goto out;
	}
	d->line = util_xasprintf("cert-authority,principals=\"%s\","
	    "expiry-time=\"%s\"%s%s %s", user, expiry,
	    options[0] != '\0' ? "," : "", options, key);
	r = 0;
 out:
	free(key);
	free(blob);
	jwks_free(set);
	jws_free(jws);
	sshcert_free(cert);
	return r;
}

void
akc_decision_free(struct akc_decision *d)
{
	free(d->line);
	free(d->fingerprint);
	free(d->subject);
	free(d->email);
	free(d->jti);
	memset(d, 0, sizeof(*d));
}
