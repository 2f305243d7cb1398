/*
 * Talking to the provider: OIDC discovery, the device authorization
 * grant (RFC 8628) and the refresh token grant (RFC 6749 section 6).
 *
 * Providers bend RFC 8628 in known ways, all accepted here:
 * verification_url for verification_uri (Google, old Entra), no
 * verification_uri_complete (the URL and code are shown; no URL is ever
 * made up), expires_in and interval as digit strings, a missing or zero
 * interval (5 s), "pending" answered with HTTP 400, 401 (Dex), 428 or
 * 200 (GitHub style), and bodies form-encoded instead of JSON.
 *
 * Only "authorization_pending" and "slow_down" mean "keep polling";
 * every other error ends the flow with the provider's words, escaped
 * and capped, and a hint when the error names a known mistake in the
 * set-up. slow_down adds 5 s to the interval for the rest of the flow;
 * 429 and 503 wait for Retry-After, or slow down when it is absent. A
 * local deadline from expires_in bounds the flow even when the provider
 * keeps saying "pending", and every request has a hard timeout
 * (http_timeout), so a hung provider cannot hang ssh.
 *
 * SSH_OAUTH_TEST_SECOND_MS is for tests only: it shortens each second
 * the flow waits (intervals, Retry-After, the deadline) to that many
 * milliseconds, 10 to 1000, so that tests/e2e/dialects.sh checks the
 * polling schedule in seconds rather than minutes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>
#include <sodium.h>

#include "claims.h"
#include "err.h"
#include "helper.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "util.h"

#define RESPONSE_MAX		(256 * 1024)
#define FORM_MEMBERS_MAX	64
#define EXCERPT_MAX		200
#define DEFAULT_INTERVAL	5
#define SLOW_DOWN_STEP		5
#define MAX_INTERVAL		300
#define DEFAULT_EXPIRES_IN	600
#define MAX_EXPIRES_IN		(24 * 3600)
#define TRANSPORT_RETRIES	3
#define DEVICE_GRANT \
    "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"

/* Bytes a form-encoded body may hold: no blanks, quotes or braces. */
#define FORM_CHARS \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" \
    "-._~%+=&*:/?,;@!$'()"

struct endpoints {
	char	*device;
	char	*token;
	char	*revoke;	/* RFC 7009 revocation endpoint, or NULL */
	int	 dpop;		/* bind tokens to the sign-in key */
};

/* The provider's latest DPoP nonce, for the next proof. */
static char dpop_nonce[256];

/* One answer from the provider, of any status. */
struct answer {
	long		 status;
	long		 retry_after;	/* seconds, or -1 */
	json_object	*obj;		/* NULL: neither JSON nor a form */
	char		*excerpt;	/* the start of such a body */
};

/* What the device authorization endpoint handed out. */
struct device_code {
	char	*device_code;
	char	*user_code;
	char	*uri;
	char	*uri_complete;		/* NULL if the provider sent none */
	int64_t	 expires_in;
	int64_t	 interval;
};

/* The polling schedule, in milliseconds of the monotonic clock. */
struct poll {
	int64_t	 unit;		/* how long one second of waiting lasts */
	int64_t	 interval;	/* seconds between polls */
	int64_t	 next;		/* when to poll next */
	int64_t	 deadline;	/* the code's local expiry */
	int	 last;		/* the poll at the deadline is under way */
	int	 failures;	/* failed requests in a row */
};

static void
endpoints_free(struct endpoints *ep)
{
	free(ep->device);
	free(ep->token);
	free(ep->revoke);
}

static void
answer_free(struct answer *a)
{
	json_object_put(a->obj);
	free(a->excerpt);
	memset(a, 0, sizeof(*a));
}

static void
device_code_free(struct device_code *dc)
{
	util_strfree(dc->device_code);
	free(dc->user_code);
	free(dc->uri);
	free(dc->uri_complete);
	memset(dc, 0, sizeof(*dc));
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode n bytes of a form-encoded name or value; NULL if malformed. */
static char *
form_decode(const char *s, size_t n)
{
	char *out;
	size_t i, o = 0;
	int hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i] == '+' ? ' ' : s[i];
			continue;
		}
		/* %XX, and never a NUL byte. */
		if (n - i < 3 || (hi = hex_value(s[i + 1])) < 0 ||
		    (lo = hex_value(s[i + 2])) < 0 || (hi | lo) == 0) {
			util_freezero(out, n + 1);
			return NULL;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

/*
 * A form-encoded body (name=value&...), which GitHub-style servers send
 * unless told otherwise, as an object of string members. Refuses bytes
 * outside the encoding, empty or repeated names, too many members.
 */
static int
parse_form(const char *s, json_object **out)
{
	json_object *o = NULL;
	const char *pair, *eq, *end;
	char *name = NULL, *value = NULL;
	int count = 0, r = SOA_ERR_FORMAT;

	*out = NULL;
	if (*s == '\0' || strspn(s, FORM_CHARS) != strlen(s) ||
	    strchr(s, '=') == NULL)
		return SOA_ERR_FORMAT;
	o = json_object_new_object();
	for (pair = s; *pair != '\0'; pair = *end == '&' ? end + 1 : end) {
		/* One name=value pair up to the next '&'. */
		end = pair + strcspn(pair, "&");
		if ((eq = memchr(pair, '=', (size_t)(end - pair))) == NULL ||
		    eq == pair || ++count > FORM_MEMBERS_MAX)
			goto out;
		if ((name = form_decode(pair, (size_t)(eq - pair))) == NULL ||
		    (value = form_decode(eq + 1, (size_t)(end - eq - 1))) ==
		    NULL || json_object_object_get_ex(o, name, NULL))
			goto out;
		json_object_object_add(o, name, json_object_new_string(value));
		free(name);
		util_strfree(value);
		name = value = NULL;
	}
	*out = o;
	o = NULL;
	r = 0;
 out:
	free(name);
	util_strfree(value);
	json_object_put(o);
	return r;
}

/* The body as JSON, else as a form, else an excerpt for messages. */
static void
parse_body(struct http_resp *resp, struct answer *a)
{
	const char *text;
	char *trimmed;
	size_t n;

	if (buf_cstring(&resp->body, &text) != 0) {
		a->excerpt = util_xstrdup("(a body holding NUL bytes)");
		return;
	}
	if (jsonx_parse_object(text, resp->body.len, &a->obj) == 0)
		return;

	/* A form may end with a line break. */
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	if ((trimmed = strndup(text, n)) == NULL)
		abort();
	if (parse_form(trimmed, &a->obj) != 0) {
		a->excerpt = strndup(trimmed, EXCERPT_MAX);
		if (a->excerpt == NULL)
			abort();
	}
	util_strfree(trimmed);
}

/*
 * The form of one request, params plus the profile's client
 * authentication; for client_secret_basic, the Basic credentials
 * instead, each form-encoded first as RFC 6749 section 2.3.1 asks.
 */
static void
client_request(const struct profile *p, const char *params, char **form,
    char **user, char **password)
{
	char *id, *secret = NULL;

	*form = *user = *password = NULL;
	id = http_escape(p->client_id);
	if (p->client_auth != CLIENT_AUTH_NONE)
		secret = http_escape(p->client_secret);
	switch (p->client_auth) {
	case CLIENT_AUTH_POST:
		*form = util_xasprintf("%s&client_id=%s&client_secret=%s",
		    params, id, secret);
		break;
	case CLIENT_AUTH_BASIC:
		*form = util_xstrdup(params);
		*user = id;
		*password = secret;
		id = secret = NULL;
		break;
	default:
		*form = util_xasprintf("%s&client_id=%s", params, id);
		break;
	}
	free(id);
	util_strfree(secret);
}

/*
 * POST params, with the client's authentication, to url and read the
 * answer, whatever its status. 0 when an answer came; otherwise the
 * transport error, with *why.
 */
static int
post_form(const struct profile *p, const char *url, const char *params,
    const unsigned char *key, struct answer *a, const char **why)
{
	struct http_req req;
	struct http_resp resp;
	char *form = NULL, *user = NULL, *password = NULL, *proof = NULL;
	const char *err;
	int attempt, r;

	client_request(p, params, &form, &user, &password);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.form = form;
	req.ca_file = p->ca_file;
	req.timeout_ms = p->http_timeout_ms;
	req.max_body = RESPONSE_MAX;
	req.user = user;
	req.password = password;

	/*
	 * With a key, each request carries a fresh DPoP proof; a provider
	 * that wants a nonce in it says so once (use_dpop_nonce).
	 */
	for (attempt = 0; attempt < 2; attempt++) {
		memset(a, 0, sizeof(*a));
		a->retry_after = -1;
		if (key != NULL) {
			free(proof);
			proof = dpop_proof(key, "POST", url,
			    dpop_nonce[0] != '\0' ? dpop_nonce : NULL);
			req.dpop = proof;
		}
		if ((r = http_request(&req, &resp, why)) != 0) {
			http_resp_free(&resp);
			goto out;
		}
		if (resp.dpop_nonce[0] != '\0')
			memcpy(dpop_nonce, resp.dpop_nonce,
			    sizeof(dpop_nonce));
		a->status = resp.status;
		a->retry_after = resp.retry_after;
		parse_body(&resp, a);
		http_resp_free(&resp);
		err = a->obj != NULL ? jsonx_string(a->obj, "error") : NULL;
		if (key == NULL || err == NULL ||
		    strcmp(err, "use_dpop_nonce") != 0 || attempt > 0)
			break;
		answer_free(a);
	}
 out:
	util_strfree(form);
	free(user);
	util_strfree(password);
	free(proof);
	return r;
}

/* Endpoints from the profile, else from the issuer's discovery document. */
static int
discover(const struct profile *p, struct endpoints *ep)
{
	struct http_req req;
	struct http_resp resp;
	json_object *doc = NULL;
	const char *why, *iss, *dev, *tok, *rev;
	char *url = NULL;
	int r;

	memset(ep, 0, sizeof(*ep));
	ep->dpop = p->dpop == DPOP_YES;
	if (p->device_endpoint != NULL && p->token_endpoint != NULL) {
		ep->device = util_xstrdup(p->device_endpoint);
		ep->token = util_xstrdup(p->token_endpoint);
		return 0;
	}

	/* Fetch the document. */
	memset(&req, 0, sizeof(req));
	url = url_discovery(p->issuer);
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

	/* It must be the configured issuer's, with both endpoints. */
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
	if ((rev = jsonx_string(doc, "revocation_endpoint")) != NULL &&
	    http_url_allowed(rev, &why) == 0)
		ep->revoke = util_xstrdup(rev);
	if (p->dpop == DPOP_AUTO)
		ep->dpop = claims_has_value(doc,
		    "dpop_signing_alg_values_supported", "EdDSA");
	r = 0;
 out:
	json_object_put(doc);
	http_resp_free(&resp);
	free(url);
	return r;
}

/*
 * A count of seconds in [min, max], absent meaning dflt: a JSON number
 * or, as some providers send it, a string of digits. Anything else
 * ("5s", "-1", "1e3", 2.5, null) is refused, naming the member.
 */
static int
seconds_member(json_object *o, const char *key, int64_t min, int64_t max,
    int64_t dflt, int64_t *out)
{
	json_object *v;
	uint64_t u;
	int64_t n;

	*out = dflt;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		if (util_parse_u64(json_object_get_string(v), (uint64_t)min,
		    (uint64_t)max, &u) == 0) {
			*out = (int64_t)u;
			return 0;
		}
	} else if (jsonx_int64(o, key, &n) == 0 && n >= min && n <= max) {
		*out = n;
		return 0;
	}
	error("device authorization response: %s is %.40s, not a whole "
	    "number of seconds from %lld to %lld", key,
	    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
	    (long long)min, (long long)max);
	return SOA_ERR_FORMAT;
}

/* A string member, copied; NULL if absent, empty or not a string. */
static char *
dup_member(json_object *o, const char *key)
{
	const char *s = jsonx_string(o, key);

	return s != NULL && *s != '\0' ? util_xstrdup(s) : NULL;
}

/* Read the device authorization response into dc. */
static int
take_code(json_object *o, struct device_code *dc)
{
	const char *msg;
	int r;

	/* Google and old Entra say verification_url. */
	dc->device_code = dup_member(o, "device_code");
	dc->user_code = dup_member(o, "user_code");
	if ((dc->uri = dup_member(o, "verification_uri")) == NULL)
		dc->uri = dup_member(o, "verification_url");
	dc->uri_complete = dup_member(o, "verification_uri_complete");
	if (dc->device_code == NULL || dc->user_code == NULL ||
	    dc->uri == NULL) {
		error("device authorization response lacks device_code, "
		    "user_code or verification_uri");
		return SOA_ERR_PROVIDER;
	}

	/* Numbers, perhaps as strings; interval 0 or absent means 5 s. */
	if ((r = seconds_member(o, "expires_in", 1, MAX_EXPIRES_IN,
	    DEFAULT_EXPIRES_IN, &dc->expires_in)) != 0 ||
	    (r = seconds_member(o, "interval", 0, MAX_INTERVAL,
	    DEFAULT_INTERVAL, &dc->interval)) != 0)
		return SOA_ERR_PROVIDER;
	if (dc->interval == 0)
		dc->interval = DEFAULT_INTERVAL;

	/* Entra's message says the URL and code again, in prose. */
	if ((msg = jsonx_string(o, "message")) != NULL)
		verbose("the provider's message: %.300s", msg);
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

/* What to change for a provider error known to mean a set-up mistake. */
static const char *
provider_hint(const char *err, const char *desc, long status)
{
	if (desc != NULL && strstr(desc, "AADSTS7000218") != NULL)
		return "the Entra app is not a public client: enable \"Allow "
		    "public client flows\" in its app registration, or set "
		    "client_secret";
	if (desc != NULL && strstr(desc, "AADSTS700025") != NULL)
		return "this is a public client: remove client_secret and "
		    "client_auth";
	if (err == NULL)
		return NULL;
	if (strcmp(err, "unauthorized_client") == 0 && status == 403)
		return "check that the application allows the Device Code "
		    "grant type; a native app must be sent no secret, so "
		    "remove client_secret if it is set";
	if (strcmp(err, "unauthorized_client") == 0)
		return "check that the application allows the Device Code "
		    "grant type";
	if (strcmp(err, "invalid_scope") == 0)
		return "check scopes; Google's device flow allows only "
		    "\"openid email profile\"";
	if (strcmp(err, "invalid_client") == 0)
		return "check client_id, and client_secret and client_auth "
		    "if the client has a secret";
	return NULL;
}

/* Report a provider error in its words, escaped, with any hint. */
static void
report_error(const struct profile *p, const char *what,
    const struct answer *a)
{
	const char *err, *desc, *hint;

	if (a->obj == NULL) {
		error("%s: the provider answered HTTP %ld with a body that is "
		    "neither JSON nor form-encoded: \"%.200s\"", what,
		    a->status, a->excerpt != NULL ? a->excerpt : "");
		return;
	}
	err = jsonx_string(a->obj, "error");
	desc = jsonx_string(a->obj, "error_description");
	error("%s: the provider answered HTTP %ld \"%.80s\"%s%.300s", what,
	    a->status, err ? err : "(no error code)", desc ? ": " : "",
	    desc ? desc : "");
	if ((hint = provider_hint(err, desc, a->status)) != NULL)
		error("hint: %s (in %s)", hint, p->path);
}

/* Sleep until when, on the monotonic clock. */
static void
wait_until(int64_t when)
{
	struct timespec ts;
	int64_t left;

	while ((left = when - util_now_ms()) > 0) {
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		nanosleep(&ts, NULL);
	}
}

/* Start the schedule: first poll one interval from now. */
static void
poll_init(struct poll *pl, int64_t interval, int64_t expires_in)
{
	const char *env = getenv("SSH_OAUTH_TEST_SECOND_MS");
	uint64_t unit;

	memset(pl, 0, sizeof(*pl));
	pl->unit = 1000;
	if (env != NULL && util_parse_u64(env, 10, 1000, &unit) == 0)
		pl->unit = (int64_t)unit;
	pl->interval = interval;
	pl->next = util_now_ms() + interval * pl->unit;
	pl->deadline = util_now_ms() + expires_in * pl->unit;
}

/* Poll again after secs seconds, or the interval if that is longer. */
static void
poll_after(struct poll *pl, long secs)
{
	int64_t s = secs > MAX_INTERVAL ? MAX_INTERVAL : secs;

	if (s < pl->interval)
		s = pl->interval;
	pl->next = util_now_ms() + s * pl->unit;
}

/* slow_down: 5 s more between polls, for the rest of the flow. */
static void
slow_down(struct poll *pl)
{
	if (pl->interval + SLOW_DOWN_STEP <= MAX_INTERVAL)
		pl->interval += SLOW_DOWN_STEP;
}

static int
is_error(const char *err, const char *code)
{
	return err != NULL && strcmp(err, code) == 0;
}

/*
 * Act on one answer from the token endpoint: 0 with t filled when the
 * sign-in was approved, 1 to poll again at pl->next, else an error.
 */
static int
judge_poll(const struct profile *p, struct poll *pl, const struct answer *a,
    struct tokens *t)
{
	const char *err = a->obj != NULL ? jsonx_string(a->obj, "error") :
	    NULL;
	int r;

	/* Approved: a 200 with a body and no error in it. */
	if (a->status == 200 && a->obj != NULL && err == NULL) {
		r = take_tokens(p, a->obj, t);
		prompt_done(r == 0 ? "approved" : NULL);
		return r;
	}

	/* Pending, whatever the status (400, 401, 428, 200...). */
	if (a->status < 500)
		pl->failures = 0;	/* the provider is up */
	if (is_error(err, "authorization_pending")) {
		poll_after(pl, 0);
		return 1;
	}
	if (is_error(err, "slow_down")) {
		slow_down(pl);
		poll_after(pl, a->retry_after);
		return 1;
	}

	/* Rate limited or unavailable: Retry-After, else slow down. */
	if (a->status == 429 || a->status == 503) {
		if (a->retry_after < 0)
			slow_down(pl);
		verbose("token endpoint: HTTP %ld, waiting", a->status);
		poll_after(pl, a->retry_after);
		return 1;
	}
	if (a->status >= 500 && ++pl->failures < TRANSPORT_RETRIES) {
		verbose("token endpoint: HTTP %ld, trying again", a->status);
		poll_after(pl, 0);
		return 1;
	}

	/* Anything else ends the flow. */
	prompt_done(is_error(err, "access_denied") ? "denied" :
	    is_error(err, "expired_token") || is_error(err, "code_expired") ?
	    "failed: the code expired before it was approved" : NULL);
	if (is_error(err, "access_denied"))
		return SOA_ERR_DENIED;
	if (is_error(err, "expired_token") || is_error(err, "code_expired"))
		return SOA_ERR_EXPIRED;
	report_error(p, "device flow", a);
	return SOA_ERR_PROVIDER;
}

/* Poll the token endpoint until approval, denial or the deadline. */
static int
poll_token(const struct profile *p, const struct endpoints *ep,
    const char *params, struct poll *pl, struct tokens *t)
{
	struct answer a;
	const char *why;
	int r;

	memset(&a, 0, sizeof(a));
	for (;;) {
		/* One last poll at the deadline, then give up. */
		if (pl->next >= pl->deadline) {
			if (pl->last) {
				prompt_done("failed: the code expired before "
				    "it was approved");
				r = SOA_ERR_EXPIRED;
				goto out;
			}
			pl->next = pl->deadline;
			pl->last = 1;
		}
		prompt_tick((pl->deadline - util_now_ms()) / pl->unit);
		wait_until(pl->next);
		answer_free(&a);

		/* A request that fails is tried again, a few times. */
		if ((r = post_form(p, ep->token, params,
		    t->has_key ? t->key : NULL, &a, &why)) != 0) {
			if (++pl->failures >= TRANSPORT_RETRIES) {
				prompt_done(NULL);
				error("token endpoint %.200s: %s", ep->token,
				    why);
				goto out;
			}
			verbose("token endpoint %.200s: %s; trying again",
			    ep->token, why);
			poll_after(pl, 0);
			continue;
		}

		/* Judge the answer. */
		if ((r = judge_poll(p, pl, &a, t)) != 1)
			goto out;
	}
 out:
	answer_free(&a);
	return r;
}

/* Ask the device authorization endpoint for a code. */
static int
request_code(const struct profile *p, const struct endpoints *ep,
    struct device_code *dc)
{
	struct answer a;
	const char *why;
	char *scope = NULL, *params = NULL;
	int r;

	memset(dc, 0, sizeof(*dc));
	scope = http_escape(p->scopes);
	params = util_xasprintf("scope=%s", scope);
	if ((r = post_form(p, ep->device, params, NULL, &a, &why)) != 0) {
		error("device authorization at %.200s: %s", ep->device, why);
		goto out;
	}
	r = SOA_ERR_PROVIDER;
	if (a.status != 200 || a.obj == NULL ||
	    jsonx_string(a.obj, "error") != NULL) {
		report_error(p, "device authorization", &a);
		goto out;
	}
	r = take_code(a.obj, dc);
 out:
	if (r != 0)
		device_code_free(dc);
	answer_free(&a);
	free(scope);
	free(params);
	return r;
}

int
device_flow(const struct profile *p, struct tokens *t)
{
	struct endpoints ep;
	struct device_code dc;
	struct poll pl;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char *code = NULL, *params = NULL;
	int r;

	memset(&dc, 0, sizeof(dc));
	if ((r = discover(p, &ep)) != 0)
		return r;

	/* A device code, shown to the user. */
	if ((r = request_code(p, &ep, &dc)) != 0)
		goto out;
	prompt_show(p, dc.uri, dc.uri_complete, dc.user_code, dc.expires_in);

	/* With DPoP, the tokens will be bound to a new sign-in key. */
	if (ep.dpop) {
		crypto_sign_keypair(pk, t->key);
		t->has_key = 1;
	}

	/* Poll until approval, denial or the local deadline. */
	poll_init(&pl, dc.interval, dc.expires_in);
	code = http_escape(dc.device_code);
	params = util_xasprintf("grant_type=%s&device_code=%s", DEVICE_GRANT,
	    code);
	r = poll_token(p, &ep, params, &pl, t);
 out:
	util_strfree(params);
	util_strfree(code);
	device_code_free(&dc);
	endpoints_free(&ep);
	return r;
}

int
device_refresh(const struct profile *p, struct tokens *t)
{
	struct endpoints ep;
	struct answer a;
	const char *why;
	char *old = NULL, *params = NULL, *e = NULL;
	int r;

	memset(&a, 0, sizeof(a));
	if (t->refresh_token == NULL)
		return SOA_ERR_NOT_FOUND;
	if ((r = discover(p, &ep)) != 0)
		return r;
	e = http_escape(t->refresh_token);
	params = util_xasprintf("grant_type=refresh_token&refresh_token=%s",
	    e);

	/* No answer at all: the refresh token is kept for next time. */
	if ((r = post_form(p, ep.token, params, ep.dpop && t->has_key ?
	    t->key : NULL, &a, &why)) != 0) {
		error("refresh at %.200s: %s", ep.token, why);
		goto out;
	}

	/*
	 * A refresh token the provider refused is spent: forget it, so it
	 * is never sent twice (with rotation, a reused one may revoke the
	 * whole family). One that worked stays unless a new one came, as
	 * with providers that do not rotate (Google).
	 */
	old = t->refresh_token;
	t->refresh_token = NULL;
	if (a.status != 200 || a.obj == NULL ||
	    jsonx_string(a.obj, "error") != NULL) {
		report_error(p, "refresh", &a);
		r = SOA_ERR_PROVIDER;
		goto out;
	}
	if ((r = take_tokens(p, a.obj, t)) == 0 && t->refresh_token == NULL) {
		t->refresh_token = old;
		old = NULL;
	}
 out:
	answer_free(&a);
	util_strfree(old);
	util_strfree(params);
	util_strfree(e);
	endpoints_free(&ep);
	return r;
}

int
device_revoke(const struct profile *p, struct tokens *t)
{
	struct endpoints ep;
	struct answer a;
	const char *why;
	char *e = NULL, *params = NULL;
	int r;

	memset(&a, 0, sizeof(a));
	if (t->refresh_token == NULL)
		return 0;
	if ((r = discover(p, &ep)) != 0)
		return r;
	if (ep.revoke == NULL) {
		verbose("the provider has no revocation endpoint");
		r = SOA_ERR_NOT_FOUND;
		goto out;
	}

	/* RFC 7009: 200 whether or not the token was still good. */
	e = http_escape(t->refresh_token);
	params = util_xasprintf("token=%s&token_type_hint=refresh_token", e);
	if ((r = post_form(p, ep.revoke, params, NULL, &a, &why)) != 0) {
		error("revocation at %.200s: %s", ep.revoke, why);
		goto out;
	}
	if (a.status != 200) {
		report_error(p, "revocation", &a);
		r = SOA_ERR_PROVIDER;
	}
 out:
	answer_free(&a);
	util_strfree(params);
	util_strfree(e);
	endpoints_free(&ep);
	return r;
}
