/*
 * Fetching keys. "ssh-oauth-authkeys refresh", from a timer, reads each
 * issuer's discovery document and key set and replaces the JWKS cache
 * atomically, so concurrent logins read the old set or the new one,
 * never a part; it also remembers the jwks_uri beside the cache.
 *
 * At login a token whose kid is not cached may trigger one fetch of the
 * remembered jwks_uri: under a lock shared by concurrent logins, at most
 * once per fetch_interval, within fetch_timeout. A failed or useless
 * fetch leaves the cached set as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "akc.h"
#include "buf.h"
#include "err.h"
#include "http.h"
#include "jsonx.h"
#include "jwk.h"
#include "log.h"
#include "util.h"

#define DISCOVERY_MAX	(64 * 1024)
#define JWKS_MAX	(256 * 1024)
#define URI_MAX		2048

/* GET url and insist on a 200 answer. */
static int
fetch(const struct akc_config *cfg, const char *url, size_t max,
    long timeout_ms, struct http_resp *resp)
{
	struct http_req req;
	const char *why;
	int r;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.ca_file = cfg->ca_file;
	req.timeout_ms = timeout_ms;
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

/* Fetch a key set and, if it holds a usable key, replace the cache. */
static int
fetch_jwks(const struct akc_config *cfg, const struct akc_issuer *iss,
    const char *jwks_uri, long timeout_ms)
{
	struct http_resp resp;
	struct jwks *set = NULL;
	int r;

	memset(&resp, 0, sizeof(resp));
	if ((r = fetch(cfg, jwks_uri, JWKS_MAX, timeout_ms, &resp)) != 0)
		goto out;
	if ((r = jwks_parse((const char *)resp.body.data, resp.body.len,
	    &set)) != 0 || jwks_usable_count(set) == 0) {
		error("key set at \"%.200s\" is malformed or holds no usable "
		    "signing key; keeping the cached one", jwks_uri);
		r = SOA_ERR_PROVIDER;
		goto out;
	}
	if ((r = util_write_atomic(iss->jwks_cache, resp.body.data,
	    resp.body.len, 0644)) != 0) {
		error("writing \"%.200s\" failed: %s", iss->jwks_cache,
		    strerror(errno));
		goto out;
	}
	logit("refreshed %s from %.200s: %zu usable keys", iss->jwks_cache,
	    jwks_uri, jwks_usable_count(set));
 out:
	jwks_free(set);
	http_resp_free(&resp);
	return r;
}

/* Discovery: the issuer must name itself exactly as configured. */
static int
discover_jwks_uri(const struct akc_config *cfg, const struct akc_issuer *iss,
    char **jwks_uri)
{
	struct http_resp resp;
	json_object *doc = NULL;
	const char *iss_claim, *uri, *why;
	char *url;
	int r;

	*jwks_uri = NULL;
	memset(&resp, 0, sizeof(resp));
	url = url_discovery(iss->issuer);
	if ((r = fetch(cfg, url, DISCOVERY_MAX, cfg->http_timeout_ms,
	    &resp)) != 0)
		goto out;
	r = SOA_ERR_PROVIDER;
	if (jsonx_parse_object((const char *)resp.body.data, resp.body.len,
	    &doc) != 0) {
		error("discovery document at \"%.200s\" is not a JSON object",
		    url);
		goto out;
	}
	if ((iss_claim = jsonx_string(doc, "issuer")) == NULL ||
	    strcmp(iss_claim, iss->issuer) != 0) {
		error("discovery document names issuer \"%.200s\", not the "
		    "configured \"%.200s\"", iss_claim ? iss_claim : "",
		    iss->issuer);
		goto out;
	}
	if ((uri = jsonx_string(doc, "jwks_uri")) == NULL ||
	    strlen(uri) > URI_MAX || http_url_allowed(uri, &why) != 0) {
		error("discovery document has no usable jwks_uri");
		goto out;
	}
	*jwks_uri = util_xstrdup(uri);
	r = 0;
 out:
	json_object_put(doc);
	http_resp_free(&resp);
	free(url);
	return r;
}

int
akc_refresh(const struct akc_config *cfg, const struct akc_issuer *only)
{
	const struct akc_issuer *iss;
	char *uri = NULL, *uri_file;
	size_t i;
	int r, status = 0;

	for (i = 0; i < cfg->nissuers; i++) {
		iss = &cfg->issuers[i];
		if ((only != NULL && iss != only) || iss->jwks_file != NULL)
			continue;

		/* Remember the jwks_uri for fetches at login. */
		if ((r = discover_jwks_uri(cfg, iss, &uri)) == 0) {
			uri_file = util_xasprintf("%s.uri", iss->jwks_cache);
			if (util_write_atomic(uri_file, uri, strlen(uri),
			    0644) != 0)
				error("writing \"%.200s\" failed: %s", uri_file,
				    strerror(errno));
			free(uri_file);
			r = fetch_jwks(cfg, iss, uri, cfg->http_timeout_ms);
		}
		free(uri);
		uri = NULL;
		if (r != 0)
			status = r;
	}
	return status;
}

/* Wait for the lock until the deadline; 0 once held. */
static int
lock_until(int fd, int64_t deadline)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return SOA_ERR_IO;
		if (util_now_ms() >= deadline)
			return SOA_ERR_TIMEOUT;
		nanosleep(&pause, NULL);
	}
	return 0;
}

int
akc_fetch_on_miss(const struct akc_config *cfg, const struct akc_issuer *iss)
{
	struct stat before, after, stamp;
	struct buf uri;
	const char *why, *text;
	char *lock_path, *stamp_path, *uri_path;
	int64_t deadline = util_now_ms() + cfg->fetch_timeout_ms;
	int fd = -1, sfd = -1, r;

	buf_init(&uri, URI_MAX);
	lock_path = util_xasprintf("%s.lock", iss->jwks_cache);
	stamp_path = util_xasprintf("%s.fetched", iss->jwks_cache);
	uri_path = util_xasprintf("%s.uri", iss->jwks_cache);
	if (stat(iss->jwks_cache, &before) == -1)
		memset(&before, 0, sizeof(before));

	/* One process fetches; the others wait for it, within the deadline. */
	if ((fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644)) == -1) {
		error("unknown kid: cannot open %s: %s", lock_path,
		    strerror(errno));
		r = SOA_ERR_IO;
		goto out;
	}
	if ((r = lock_until(fd, deadline)) != 0) {
		error("unknown kid: no turn at the key fetch before the "
		    "deadline");
		goto out;
	}
	if (stat(iss->jwks_cache, &after) == 0 &&
	    (after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)) {
		r = 0;
		goto out;
	}

	/* Rate limit: the stamp's age is the time since the last fetch. */
	if (stat(stamp_path, &stamp) == 0 && (int64_t)time(NULL) -
	    (int64_t)stamp.st_mtime < cfg->fetch_interval) {
		logit("unknown kid: a key fetch ran less than %lld s ago; "
		    "not fetching again", (long long)cfg->fetch_interval);
		r = SOA_ERR_LIMIT;
		goto out;
	}
	if ((sfd = open(stamp_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1 || futimens(sfd, NULL) == -1) {
		error("unknown kid: cannot write %s: %s", stamp_path,
		    strerror(errno));
		r = SOA_ERR_IO;
		goto out;
	}

	/* The jwks_uri that refresh remembered, within what time is left. */
	if ((r = util_read_file(uri_path, UTIL_FILE_TRUSTED, &uri,
	    &why)) != 0 || (r = buf_cstring(&uri, &text)) != 0) {
		error("unknown kid: %s: %s; run ssh-oauth-authkeys refresh",
		    uri_path, why != NULL ? why : "unreadable");
		goto out;
	}

	/* An admin who edits the file by hand leaves a newline. */
	uri.data[strcspn(text, "\r\n")] = '\0';
	if (deadline - util_now_ms() < 100) {
		r = SOA_ERR_TIMEOUT;
		goto out;
	}
	r = fetch_jwks(cfg, iss, text, (long)(deadline - util_now_ms()));
 out:
	if (sfd != -1)
		close(sfd);
	if (fd != -1)
		close(fd);
	buf_free(&uri);
	free(lock_path);
	free(stamp_path);
	free(uri_path);
	return r;
}
