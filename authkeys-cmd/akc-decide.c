/*
 * One login decision, from sshd's %u %t %k to an authorized_keys line or
 * a reason. The steps, each of which may refuse:
 *
 *	certificate	layout, self-signature, the token extension
 *	issuer		the token's iss must be one configured exactly
 *	keys		the issuer's cached JWKS (fetched once on an unknown
 *			kid, within fetch_timeout, unless offline)
 *	signature	by the key the kid and algorithm select
 *	claims		typ, aud (any configured audience), azp, exp, nbf, iat
 *	policy		deny rules first, then the first allow rule naming
 *			the target user
 *
 * explain runs the same steps with a trace of each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
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
#include "log.h"
#include "sshcert.h"
#include "util.h"

#define JWKS_FILE_MAX	(256 * 1024)

/* One step of the trace; value is escaped, it may come from the token. */
static void
step(FILE *trace, const char *name, const char *text, const char *value)
{
	char shown[512];

	if (trace == NULL)
		return;
	log_escape(shown, sizeof(shown), value != NULL ? value : "-", 400);
	fprintf(trace, "%-10s %s%s\n", name, text, shown);
}

/* Load an issuer's key set; a missing cache is an empty set. */
static int
load_jwks(const struct akc_config *cfg, const struct akc_issuer *iss,
    struct jwks **set, const char **why)
{
	const char *path = iss->jwks_file != NULL ? iss->jwks_file :
	    iss->jwks_cache;
	struct stat st;
	struct buf b;
	int r;

	*set = NULL;
	buf_init(&b, JWKS_FILE_MAX);
	r = util_read_file(path, iss->jwks_file != NULL ? UTIL_FILE_ROOT :
	    UTIL_FILE_TRUSTED, &b, why);
	if (r == SOA_ERR_NOT_FOUND && iss->jwks_file == NULL) {
		r = jwks_parse("{\"keys\":[]}", 11, set);
		goto out;
	}
	if (r != 0)
		goto out;
	if ((r = jwks_parse((const char *)b.data, b.len, set)) != 0) {
		*why = "JWKS cache is not a valid key set";
		goto out;
	}

	/* A cache nobody refreshes is worth a warning, or a refusal. */
	if (iss->jwks_file == NULL && stat(path, &st) == 0 &&
	    (int64_t)time(NULL) - (int64_t)st.st_mtime > cfg->jwks_max_age) {
		logit("JWKS cache %s is older than jwks_max_age; is the "
		    "refresh timer running?", path);
		if (cfg->stale_refuse) {
			*why = "JWKS cache is older than jwks_max_age";
			r = SOA_ERR_EXPIRED;
		}
	}
 out:
	buf_free(&b);
	if (r != 0) {
		jwks_free(*set);
		*set = NULL;
	}
	return r;
}

/* Copy a string claim for the log, if present. */
static char *
claim_copy(json_object *claims, const char *name)
{
	const char *s = jsonx_string(claims, name);

	return s != NULL ? util_xstrdup(s) : NULL;
}

/* Signature against the cache, fetching once if the kid is new. */
static int
check_signature(const struct akc_config *cfg, const struct akc_issuer *iss,
    const struct jws *jws, FILE *trace, const char **why)
{
	struct jwks *set = NULL;
	const char *kid = jws_kid(jws);
	int r;

	if ((r = load_jwks(cfg, iss, &set, why)) != 0)
		goto out;
	if (kid != NULL && !jwks_has_kid(set, kid) && !cfg->offline &&
	    iss->jwks_file == NULL) {
		step(trace, "keys", "not cached, fetching the key set for kid ",
		    kid);
		if (akc_spawn_fetch(cfg, iss) == 0) {
			jwks_free(set);
			if ((r = load_jwks(cfg, iss, &set, why)) != 0)
				goto out;
		}
	}
	r = jws_verify(jws, set, cfg->algs, why);
 out:
	jwks_free(set);
	return r;
}

/* Claims against each configured audience until one passes. */
static int
check_claims(const struct akc_config *cfg, const struct akc_issuer *iss,
    const struct jws *jws, int64_t *exp, const char **why)
{
	struct claims_expect want;
	const char *typ = jsonx_string(jws_header(jws), "typ");
	size_t i;

	/* An access token must not pass where ID tokens are expected. */
	if (iss->id_token && typ != NULL && (strcasecmp(typ, "at+jwt") == 0 ||
	    strcasecmp(typ, "application/at+jwt") == 0)) {
		*why = "an access token where the issuer expects ID tokens";
		return SOA_ERR_CLAIM;
	}
	want.issuer = iss->issuer;
	want.azp = iss->azp;
	want.leeway = cfg->leeway;
	want.now = (int64_t)time(NULL);

	/* The audience the token names, so a refusal gives its own reason. */
	want.audience = iss->audiences[0];
	for (i = 0; i < iss->naudiences; i++) {
		if (claims_has_value(jws_claims(jws), "aud",
		    iss->audiences[i])) {
			want.audience = iss->audiences[i];
			break;
		}
	}
	return claims_check(jws_claims(jws), &want, exp, why);
}

/*
 * DPoP binding (RFC 9449): a token whose cnf.jkt names a key is good only
 * in a certificate for that key. key is NULL when explain has no
 * certificate to compare with.
 */
static int
check_binding(const struct akc_issuer *iss, json_object *claims,
    const unsigned char *key, FILE *trace, const char **why)
{
	json_object *cnf;
	const char *jkt = NULL;
	char *thumb = NULL;
	int r;

	if (json_object_object_get_ex(claims, "cnf", &cnf) &&
	    (!json_object_is_type(cnf, json_type_object) ||
	    (jkt = jsonx_string(cnf, "jkt")) == NULL)) {
		*why = "cnf claim without a key thumbprint (jkt)";
		return SOA_ERR_CLAIM;
	}
	if (jkt == NULL) {
		if (!iss->require_binding)
			return 0;
		*why = "token is not bound to a key (require_binding yes)";
		return SOA_ERR_CLAIM;
	}
	if (key == NULL) {
		step(trace, "binding", "bound to key thumbprint ", jkt);
		return 0;
	}
	if ((r = jwk_thumbprint_ed25519(key, &thumb)) != 0)
		return r;
	r = 0;
	if (strcmp(thumb, jkt) != 0) {
		*why = "token is bound (DPoP) to a key other than the "
		    "certificate's";
		r = SOA_ERR_CLAIM;
	} else
		step(trace, "binding", "bound to the certificate's key ",
		    thumb);
	free(thumb);
	return r;
}

/*
 * Everything about the token; on success *rule is the granting policy
 * line and *options the rendered options. key is the certificate's key,
 * or NULL for a bare token.
 */
static int
check_token(const struct akc_config *cfg, const char *user,
    const char *token, size_t token_len, const unsigned char *key,
    FILE *trace, struct akc_decision *d, int64_t *exp, char **options)
{
	const struct akc_issuer *iss;
	struct akc_policy *pol = NULL;
	struct jws *jws = NULL;
	json_object *claims;
	const char *why = NULL, *raw, *iss_claim;
	char when[32];
	struct tm tm;
	time_t t;
	int r;

	*options = NULL;
	if (!akc_valid_user_name(user)) {
		d->reason = "target user name is not a safe user name";
		return SOA_ERR_DENIED;
	}
	if ((r = jws_parse(token, token_len, &jws, &why)) != 0) {
		d->reason = why;
		goto out;
	}
	claims = jws_claims(jws);
	d->subject = claim_copy(claims, "sub");
	d->email = claim_copy(claims, "email");
	d->jti = claim_copy(claims, "jti");
	step(trace, "token", "alg ", jws_alg(jws));
	step(trace, "", "kid ", jws_kid(jws));
	step(trace, "", "sub ", d->subject);

	/* The issuer picks the keys, audiences and policy. */
	iss_claim = jsonx_string(claims, "iss");
	if (iss_claim == NULL ||
	    (iss = akc_config_issuer(cfg, iss_claim)) == NULL) {
		step(trace, "issuer", "not configured: ", iss_claim);
		d->reason = "issuer not trusted";
		r = SOA_ERR_CLAIM;
		goto out;
	}
	d->issuer = iss->issuer;
	step(trace, "issuer", "trusted: ", iss->issuer);

	if ((r = check_signature(cfg, iss, jws, trace, &why)) != 0) {
		step(trace, "signature", "refused: ", why);
		d->reason = why;
		goto out;
	}
	step(trace, "signature", "good", "");
	if ((r = check_claims(cfg, iss, jws, exp, &why)) != 0) {
		step(trace, "claims", "refused: ", why);
		d->reason = why;
		goto out;
	}
	t = (time_t)*exp;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
		d->reason = "exp out of range";
		r = SOA_ERR_CLAIM;
		goto out;
	}
	step(trace, "claims", "good, token valid until ", when);
	if ((r = check_binding(iss, claims, key, trace, &why)) != 0) {
		step(trace, "binding", "refused: ", why);
		d->reason = why;
		goto out;
	}

	/* Policy: deny rules, then the first allow naming this user. */
	if ((r = akc_policy_load(iss->policy_path, &pol)) != 0) {
		d->reason = "policy file unusable";
		goto out;
	}
	if ((d->rule_line = akc_policy_denied(pol, claims)) != 0) {
		d->reason = "denied by a policy deny rule";
		step(trace, "policy", "refused: ", d->reason);
		d->rule_line = 0;
		r = SOA_ERR_DENIED;
		goto out;
	}
	d->rule_line = akc_policy_match(pol, claims, user, &raw);
	if (d->rule_line == 0) {
		d->reason = json_object_object_get_ex(claims, "_claim_names",
		    NULL) ? "no policy rule grants this user; the groups "
		    "claim was left out (overage), so groups are unknown" :
		    "no policy rule grants this user to this identity";
		step(trace, "policy", "refused: ", d->reason);
		r = SOA_ERR_DENIED;
		goto out;
	}
	if (trace != NULL)
		fprintf(trace, "%-10s rule on line %d of %s grants \"%s\"\n",
		    "policy", d->rule_line, iss->policy_path, user);
	if ((r = akc_policy_render_options(raw, claims, iss->issuer,
	    options)) != 0)
		d->reason = "options too long";
 out:
	akc_policy_free(pol);
	jws_free(jws);
	return r;
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
akc_decide(const struct akc_config *cfg, const char *user,
    const char *keytype, const char *keyb64, FILE *trace,
    struct akc_decision *d)
{
	struct sshcert *cert = NULL;
	unsigned char *blob = NULL;
	const char *why = NULL;
	char expiry[32], *key = NULL, *options = NULL;
	size_t blob_len;
	int64_t exp;
	int r;

	memset(d, 0, sizeof(*d));

	/* Only our certificates; plain keys are for other key sources. */
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
		step(trace, "cert", "refused: ", d->reason);
		goto out;
	}
	if (sshkey_ed25519_fingerprint(cert->key, &d->fingerprint) != 0)
		d->fingerprint = NULL;
	step(trace, "cert", "self-signed Ed25519 ", d->fingerprint);
	if (cert->token == NULL) {
		d->reason = "certificate carries no token";
		step(trace, "cert", "refused: ", d->reason);
		r = SOA_ERR_NOT_FOUND;
		goto out;
	}

	/* The token, then the line naming the certificate's own key. */
	if ((r = check_token(cfg, user, cert->token, cert->token_len,
	    cert->key, trace, d, &exp, &options)) != 0)
		goto out;
	/* The leeway that let the token in also bounds the session start. */
	if ((r = format_expiry(exp + cfg->leeway, expiry,
	    sizeof(expiry))) != 0 ||
	    (r = sshkey_ed25519_line(cert->key, &key)) != 0) {
		d->reason = "internal error";
		goto out;
	}
	d->line = util_xasprintf("cert-authority,principals=\"%s\","
	    "expiry-time=\"%s\"%s %s", user, expiry, options, key);
	r = 0;
 out:
	free(options);
	free(key);
	free(blob);
	sshcert_free(cert);
	return r;
}

int
akc_decide_token(const struct akc_config *cfg, const char *user,
    const char *token, size_t token_len, FILE *trace,
    struct akc_decision *d)
{
	char *options = NULL;
	int64_t exp;
	int r;

	memset(d, 0, sizeof(*d));
	r = check_token(cfg, user, token, token_len, NULL, trace, d, &exp,
	    &options);
	free(options);
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
