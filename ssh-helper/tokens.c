/*
 * Which token to use and where it comes from: $SSH_OAUTH_TOKEN, the
 * cache, a refresh or a new device flow, under the profile's lock so
 * that several ssh commands started together run one flow between them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>
#include <sodium.h>

#include "err.h"
#include "helper.h"
#include "jsonx.h"
#include "jws.h"
#include "log.h"
#include "util.h"

const char *
tokens_selected(const struct tokens *t, enum token_kind kind)
{
	return kind == TOKEN_ID ? t->id_token : t->access_token;
}

void
tokens_free(struct tokens *t)
{
	util_strfree(t->access_token);
	util_strfree(t->id_token);
	util_strfree(t->refresh_token);
	sodium_memzero(t, sizeof(*t));
}

/* The token's exp and iss, decoded without verification. */
static int
token_peek(const char *token, int64_t *exp, char **iss)
{
	struct jws *jws = NULL;
	const char *why, *s;
	int r;

	*exp = 0;
	if (iss != NULL)
		*iss = NULL;
	if ((r = jws_parse(token, strlen(token), &jws, &why)) != 0)
		return r;
	if ((r = jsonx_int64(jws_claims(jws), "exp", exp)) != 0)
		goto out;
	if (iss != NULL && (s = jsonx_string(jws_claims(jws), "iss")) != NULL)
		*iss = util_xstrdup(s);
 out:
	jws_free(jws);
	return r;
}

int
tokens_identity(const char *token, char **sub, char **email)
{
	struct jws *jws = NULL;
	const char *why, *s;
	int r;

	*sub = *email = NULL;
	if ((r = jws_parse(token, strlen(token), &jws, &why)) != 0)
		return r;
	if ((s = jsonx_string(jws_claims(jws), "sub")) != NULL)
		*sub = util_xstrdup(s);
	if ((s = jsonx_string(jws_claims(jws), "email")) != NULL)
		*email = util_xstrdup(s);
	jws_free(jws);
	return 0;
}

int
tokens_set_expiry(struct tokens *t, enum token_kind kind)
{
	const char *tok = tokens_selected(t, kind);

	if (tok == NULL)
		return SOA_ERR_NOT_FOUND;
	return token_peek(tok, &t->expires_at, NULL);
}

static int
is_fresh(const struct tokens *t, enum token_kind kind)
{
	return tokens_selected(t, kind) != NULL &&
	    t->expires_at > (int64_t)time(NULL) + HELPER_EXPIRY_MARGIN;
}

/* $SSH_OAUTH_TOKEN: used as is, after checking expiry and issuer. */
static int
tokens_from_env(const struct profile *p, const char *env, struct tokens *t)
{
	char *iss = NULL;
	int64_t exp;
	int r;

	if ((r = token_peek(env, &exp, &iss)) != 0) {
		error("SSH_OAUTH_TOKEN is not a JWT with an exp claim");
		return r;
	}
	r = SOA_ERR_CLAIM;
	if (iss == NULL || strcmp(iss, p->issuer) != 0) {
		error("SSH_OAUTH_TOKEN was issued by \"%.200s\", not by the "
		    "configured issuer \"%.200s\"", iss ? iss : "", p->issuer);
		goto out;
	}
	if (exp <= (int64_t)time(NULL) + HELPER_EXPIRY_MARGIN) {
		error("SSH_OAUTH_TOKEN has expired or expires within %d s",
		    HELPER_EXPIRY_MARGIN);
		r = SOA_ERR_EXPIRED;
		goto out;
	}
	if (p->token_kind == TOKEN_ID)
		t->id_token = util_xstrdup(env);
	else
		t->access_token = util_xstrdup(env);
	t->expires_at = exp;
	r = 0;
 out:
	free(iss);
	return r;
}

int
tokens_obtain(const struct profile *p, struct tokens *t)
{
	struct paths paths;
	const char *env;
	int lock = -1, r;

	memset(t, 0, sizeof(*t));
	if ((env = getenv("SSH_OAUTH_TOKEN")) != NULL && *env != '\0')
		return tokens_from_env(p, env, t);
	if ((r = paths_init(p, &paths)) != 0)
		return r;

	/*
	 * Under the lock, a waiting process finds what the first one got.
	 * A cache that cannot be locked (a read-only file system) can still
	 * be read: a fresh token there is used; otherwise carry on without.
	 */
	if (cache_lock(&paths, &lock) != 0)
		verbose("going on without the lock; the tokens may not be "
		    "saved");
	if ((r = cache_load(p, &paths, t)) == 0 && is_fresh(t, p->token_kind))
		goto out;

	/* Refresh; store at once, so a rotated refresh token is not lost. */
	if (t->refresh_token != NULL) {
		r = device_refresh(p, t);
		if ((r == 0 || t->refresh_token == NULL) &&
		    cache_store(p, &paths, t) != 0)
			error("the refreshed tokens were not saved");
		if (r == 0 && is_fresh(t, p->token_kind))
			goto out;
		verbose("refresh failed (%s); starting a new sign-in",
		    soa_err(r));
	}

	/* A new device flow. */
	tokens_free(t);
	if ((r = device_flow(p, t)) != 0)
		goto out;
	if ((r = cache_store(p, &paths, t)) != 0)
		error("could not save the tokens in %s; continuing without",
		    paths.token_file);
	r = 0;
 out:
	cache_unlock(lock);
	paths_free(&paths);
	if (r != 0)
		tokens_free(t);
	return r;
}
