/*
 * ssh-oauth-authkeys refresh: fetch the issuer's discovery document and
 * key set and replace the JWKS cache atomically, so concurrent logins
 * read the old set or the new one, never a part. Run from a timer, not
 * at login.
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "akc.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "jwk.h"
#include "log.h"
#include "util.h"

#define DISCOVERY_MAX	(64 * 1024)
#define JWKS_MAX	(256 * 1024)

/* GET url and insist on a 200 answer. */
static int
fetch(const struct akc_config *cfg, const char *url, size_t max,
    struct http_resp *resp)
{
	struct http_req req;
	const char *why;
	int r;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.ca_file = cfg->ca_file;
	req.timeout_ms = cfg->http_timeout_ms;
	req.max_body = max;
	if ((r = http_request(&req, resp, &why)) != 0) {
		error("fetching \"%.200s\": %s", url, why);
		return r;
	}
	if (resp->status != 200) {
		error("fetching \"%.200s\": HTTP status %ld", url,
		    resp->status);
		return SOA_ERR_HTTP;
	}
	return 0;
}

int
akc_refresh(const struct akc_config *cfg)
{
	struct http_resp disc, keys;
	json_object *doc = NULL;
	struct jwks *set = NULL;
	const char *iss, *jwks_uri, *why;
	char *url = NULL;
	int r;

	memset(&disc, 0, sizeof(disc));
	memset(&keys, 0, sizeof(keys));

	/* Discovery: the issuer must name itself exactly as configured. */
	url = util_xasprintf("%s/.well-known/openid-configuration",
	    cfg->issuer);
	if ((r = fetch(cfg, url, DISCOVERY_MAX, &disc)) != 0)
		goto out;
	if ((r = jsonx_parse_object((const char *)disc.body.data,
	    disc.body.len, &doc)) != 0) {
		error("discovery document at \"%.200s\" is not a JSON object",
		    url);
		goto out;
	}
	r = SOA_ERR_PROVIDER;
	if ((iss = jsonx_string(doc, "issuer")) == NULL ||
	    strcmp(iss, cfg->issuer) != 0) {
		error("discovery document names issuer \"%.200s\", not the "
		    "configured \"%.200s\"", iss != NULL ? iss : "",
		    cfg->issuer);
		goto out;
	}
	if ((jwks_uri = jsonx_string(doc, "jwks_uri")) == NULL ||
	    http_url_allowed(jwks_uri, &why) != 0) {
		error("discovery document has no usable jwks_uri");
		goto out;
	}

	/* The key set: parse it before it can replace a good one. */
	if ((r = fetch(cfg, jwks_uri, JWKS_MAX, &keys)) != 0)
		goto out;
	if ((r = jwks_parse((const char *)keys.body.data, keys.body.len,
	    &set)) != 0 || jwks_usable_count(set) == 0) {
		error("key set at \"%.200s\" is malformed or holds no usable "
		    "signing key; keeping the cached one", jwks_uri);
		r = SOA_ERR_PROVIDER;
		goto out;
	}
	if ((r = util_write_atomic(cfg->jwks_cache, keys.body.data,
	    keys.body.len, 0644)) != 0) {
		error("writing \"%.200s\" failed: %m", cfg->jwks_cache);
		goto out;
	}
	logit("refreshed \"%s\": %zu usable keys", cfg->jwks_cache,
	    jwks_usable_count(set));
	r = 0;
 out:
	jwks_free(set);
	json_object_put(doc);
	http_resp_free(&disc);
	http_resp_free(&keys);
	free(url);
	return r;
}
