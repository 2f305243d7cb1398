/*
 * Talking to the provider: OIDC discovery, the device authorization
 * grant (RFC 8628) and the refresh token grant (RFC 6749 section 6).
 *
 * Only "authorization_pending" and "slow_down" mean "keep polling";
 * every other error ends the flow with the provider's words, escaped.
 * A local deadline from expires_in bounds the flow even when the
 * provider keeps saying "pending" forever.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "err.h"
#include "helper.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "util.h"

#define RESPONSE_MAX		(256 * 1024)
#define DEFAULT_INTERVAL	5
#define MAX_INTERVAL		300
#define MAX_EXPIRES_IN		(24 * 3600)
#define TRANSPORT_RETRIES	3

struct endpoints {
	char	*device;
	char	*token;
};

static void
endpoints_free(struct endpoints *ep)
{
	free(ep->device);
	free(ep->token);
}

/* POST a form and parse a JSON answer of any status. */
static int
post_form(const struct profile *p, const char *url, const char *form,
    long *status, long *retry_after, json_object **answer)
{
	struct http_req req;
	struct http_resp resp;
	const char *why;
	int r;

	*answer = NULL;
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.form = form;
	req.ca_file = p->ca_file;
	req.timeout_ms = p->http_timeout_ms;
	req.max_body = RESPONSE_MAX;
	if ((r = http_request(&req, &resp, &why)) != 0) {
		error("%.200s: %s", url, why);
		goto out;
	}
	*status = resp.status;
	*retry_after = resp.retry_after;
	if ((r = jsonx_parse_object((const char *)resp.body.data,
	    resp.body.len, answer)) != 0) {
		error("%.200s: HTTP %ld with a body that is not a JSON object",
		    url, resp.status);
		r = SOA_ERR_PROVIDER;
	}
 out:
	http_resp_free(&resp);
	return r;
}

/* Endpoints from the profile, else from the issuer's discovery document. */
static int
discover(const struct profile *p, struct endpoints *ep)
{
	struct http_req req;
	struct http_resp resp;
	json_object *doc = NULL;
	const char *why, *iss, *dev, *tok;
	char *url = NULL;
	int r;

	memset(ep, 0, sizeof(*ep));
	if (p->device_endpoint != NULL && p->token_endpoint != NULL) {
		ep->device = util_xstrdup(p->device_endpoint);
		ep->token = util_xstrdup(p->token_endpoint);
		return 0;
	}
	memset(&req, 0, sizeof(req));
	url = util_xasprintf("%s/.well-known/openid-configuration", p->issuer);
	req.url = url;
	req.ca_file = p->ca_file;
	req.timeout_ms = p->http_timeout_ms;
	req.max_body = RESPONSE_MAX;
	if ((r = http_request(&req, &resp, &why)) != 0) {
		error("discovery at %.200s: %s", url, why);
		goto out;
	}
	r = SOA_ERR_PROVIDER;
	if (resp.status != 200 || jsonx_parse_object(
	    (const char *)resp.body.data, resp.body.len, &doc) != 0) {
		error("discovery at %.200s: HTTP %ld, no JSON document; check "
		    "issuer in %s", url, resp.status, p->path);
		goto out;
	}
	if ((iss = jsonx_string(doc, "issuer")) == NULL ||
	    strcmp(iss, p->issuer) != 0) {
		error("discovery at %.200s names issuer \"%.200s\"; set issuer "
		    "in %s to exactly that", url, iss ? iss : "", p->path);
		goto out;
	}
	dev = p->device_endpoint != NULL ? p->device_endpoint :
	    jsonx_string(doc, "device_authorization_endpoint");
	tok = p->token_endpoint != NULL ? p->token_endpoint :
	    jsonx_string(doc, "token_endpoint");
	if (dev == NULL || tok == NULL || http_url_allowed(dev, &why) != 0 ||
	    http_url_allowed(tok, &why) != 0) {
		error("the provider advertises no usable device authorization "
		    "or token endpoint; is the device flow enabled?");
		goto out;
	}
	ep->device = util_xstrdup(dev);
	ep->token = util_xstrdup(tok);
	r = 0;
 out:
	json_object_put(doc);
	http_resp_free(&resp);
	free(url);
	return r;
}

/*
 * A count of seconds sent as a number or, by some providers, as a
 * string of digits; anything else, or out of range, is refused.
 */
static int
seconds_member(json_object *o, const char *key, int64_t max, int64_t dflt,
    int64_t *out)
{
	const char *s;
	uint64_t v;
	int r;

	*out = dflt;
	if ((s = jsonx_string(o, key)) != NULL) {
		if (util_parse_u64(s, 0, (uint64_t)max, &v) != 0)
			return SOA_ERR_FORMAT;
		*out = (int64_t)v;
		return 0;
	}
	if ((r = jsonx_int64(o, key, out)) == SOA_ERR_NOT_FOUND) {
		*out = dflt;
		return 0;
	}
	if (r != 0 || *out < 0 || *out > max)
		return SOA_ERR_FORMAT;
	return 0;
}

/* Copy a string member, replacing what *field held. */
static void
take_string(json_object *o, const char *key, char **field)
{
	const char *s = jsonx_string(o, key);

	if (s == NULL || *s == '\0')
		return;
	util_strfree(*field);
	*field = util_xstrdup(s);
}

/* Fill t from a successful token response. */
static int
take_tokens(const struct profile *p, json_object *answer, struct tokens *t)
{
	int r;

	if (jsonx_string(answer, "access_token") == NULL) {
		error("token response has no access_token");
		return SOA_ERR_PROVIDER;
	}
	take_string(answer, "access_token", &t->access_token);
	take_string(answer, "id_token", &t->id_token);
	take_string(answer, "refresh_token", &t->refresh_token);
	if (tokens_selected(t, p->token_kind) == NULL) {
		error("the provider sent no %s; add scope openid or set token "
		    "in %s", p->token_kind == TOKEN_ID ? "id_token" :
		    "access_token", p->path);
		return SOA_ERR_PROVIDER;
	}
	if ((r = tokens_set_expiry(t, p->token_kind)) != 0) {
		error("the %s is not a JWT with an exp claim, so servers "
		    "cannot verify it; set token in %s",
		    p->token_kind == TOKEN_ID ? "id_token" : "access_token",
		    p->path);
		return r;
	}
	return 0;
}

/* Report a provider error with its description, both escaped. */
static void
report_error(const char *what, json_object *answer, long status)
{
	const char *err = jsonx_string(answer, "error");
	const char *desc = jsonx_string(answer, "error_description");

	error("%s: the provider answered HTTP %ld \"%.80s\"%s%.300s", what,
	    status, err ? err : "(no error code)", desc ? ": " : "",
	    desc ? desc : "");
}

/* Sleep until the next poll, never past the deadline. */
static void
wait_until(int64_t when)
{
	int64_t now;

	while ((now = (int64_t)time(NULL)) < when)
		sleep((unsigned int)(when - now));
}

/* Poll the token endpoint until approval, denial or the deadline. */
static int
poll_token(const struct profile *p, const struct endpoints *ep,
    const char *form, int64_t interval, int64_t deadline, struct tokens *t)
{
	json_object *answer = NULL;
	const char *err;
	long status, retry_after;
	int64_t next = (int64_t)time(NULL) + interval, last = 0;
	int failures = 0, r;

	for (;;) {
		/* One last poll at the deadline, then give up. */
		if (next >= deadline) {
			if (last) {
				prompt_done("the code expired before it was "
				    "approved");
				return SOA_ERR_EXPIRED;
			}
			next = deadline;
			last = 1;
		}
		wait_until(next);
		json_object_put(answer);
		answer = NULL;
		if ((r = post_form(p, ep->token, form, &status, &retry_after,
		    &answer)) != 0) {
			if (++failures >= TRANSPORT_RETRIES)
				goto out;
			next = (int64_t)time(NULL) + interval;
			continue;
		}
		failures = 0;

		/* Success is a 200 with tokens and no error. */
		err = jsonx_string(answer, "error");
		if (status == 200 && err == NULL) {
			r = take_tokens(p, answer, t);
			prompt_done(r == 0 ? "approved" : NULL);
			goto out;
		}
		if (err != NULL && strcmp(err, "authorization_pending") == 0) {
			next = (int64_t)time(NULL) + interval;
			continue;
		}
		if ((err != NULL && strcmp(err, "slow_down") == 0) ||
		    status == 429 || status == 503) {
			if (interval + 5 <= MAX_INTERVAL)
				interval += 5;
			next = (int64_t)time(NULL) + (retry_after > interval ?
			    retry_after : interval);
			continue;
		}
		if (err != NULL && strcmp(err, "access_denied") == 0) {
			prompt_done("denied");
			r = SOA_ERR_DENIED;
		} else if (err != NULL && (strcmp(err, "expired_token") == 0 ||
		    strcmp(err, "code_expired") == 0)) {
			prompt_done("the code expired before it was approved");
			r = SOA_ERR_EXPIRED;
		} else {
			prompt_done(NULL);
			report_error("device flow", answer, status);
			r = SOA_ERR_PROVIDER;
		}
		goto out;
	}
 out:
	json_object_put(answer);
	return r;
}

int
device_flow(const struct profile *p, struct tokens *t)
{
	struct endpoints ep;
	json_object *answer = NULL;
	const char *dcode, *ucode, *uri, *uri_complete;
	char *form = NULL, *e1 = NULL, *e2 = NULL;
	long status, retry_after;
	int64_t expires_in, interval;
	int r;

	if ((r = discover(p, &ep)) != 0)
		return r;

	/* Ask for a device code. */
	e1 = http_escape(p->client_id);
	e2 = http_escape(p->scopes);
	form = util_xasprintf("client_id=%s&scope=%s", e1, e2);
	if ((r = post_form(p, ep.device, form, &status, &retry_after,
	    &answer)) != 0)
		goto out;
	r = SOA_ERR_PROVIDER;
	if (status != 200 || jsonx_string(answer, "error") != NULL) {
		report_error("device authorization", answer, status);
		goto out;
	}
	dcode = jsonx_string(answer, "device_code");
	ucode = jsonx_string(answer, "user_code");
	uri = jsonx_string(answer, "verification_uri");
	if (uri == NULL)
		uri = jsonx_string(answer, "verification_url");
	uri_complete = jsonx_string(answer, "verification_uri_complete");
	if (dcode == NULL || ucode == NULL || uri == NULL ||
	    seconds_member(answer, "expires_in", MAX_EXPIRES_IN, 600,
	    &expires_in) != 0 || seconds_member(answer, "interval",
	    MAX_INTERVAL, DEFAULT_INTERVAL, &interval) != 0) {
		error("device authorization response is missing device_code, "
		    "user_code or verification_uri, or has bad numbers");
		goto out;
	}
	if (interval == 0)
		interval = DEFAULT_INTERVAL;

	/* Show the code, then poll until approval or the deadline. */
	prompt_show(p, uri, uri_complete, ucode, expires_in);
	free(form);
	free(e2);
	e2 = http_escape(dcode);
	form = util_xasprintf("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3A"
	    "grant-type%%3Adevice_code&device_code=%s&client_id=%s", e2, e1);
	r = poll_token(p, &ep, form, interval,
	    (int64_t)time(NULL) + expires_in, t);
 out:
	json_object_put(answer);
	util_strfree(form);
	util_strfree(e2);
	free(e1);
	endpoints_free(&ep);
	return r;
}

int
device_refresh(const struct profile *p, struct tokens *t)
{
	struct endpoints ep;
	json_object *answer = NULL;
	char *form = NULL, *e1 = NULL, *e2 = NULL;
	long status, retry_after;
	int r;

	if (t->refresh_token == NULL)
		return SOA_ERR_NOT_FOUND;
	if ((r = discover(p, &ep)) != 0)
		return r;
	e1 = http_escape(p->client_id);
	e2 = http_escape(t->refresh_token);
	form = util_xasprintf("grant_type=refresh_token&refresh_token=%s&"
	    "client_id=%s", e2, e1);

	/*
	 * A refresh token the provider answered about is spent: forget it,
	 * so it is never sent twice (with rotation, a reused one may revoke
	 * the whole family). Keep it only if no answer came at all.
	 */
	if ((r = post_form(p, ep.token, form, &status, &retry_after,
	    &answer)) != 0 && answer == NULL && r != SOA_ERR_PROVIDER)
		goto out;
	util_strfree(t->refresh_token);
	t->refresh_token = NULL;
	if (r != 0)
		goto out;
	if (status != 200 || jsonx_string(answer, "error") != NULL) {
		report_error("refresh", answer, status);
		r = SOA_ERR_PROVIDER;
		goto out;
	}
	r = take_tokens(p, answer, t);
 out:
	json_object_put(answer);
	util_strfree(form);
	util_strfree(e2);
	free(e1);
	endpoints_free(&ep);
	return r;
}
