/*
 * HTTP for the client and for the server's refresh path only; the
 * server's login path never calls it with a warm cache. Every request
 * has a hard deadline and a cap on the response body, follows no
 * redirects, and goes only to https URLs, or to http on loopback
 * (127.0.0.0/8, ::1, localhost), which the demo and tests use.
 */
#ifndef SOA_HTTP_H
#define SOA_HTTP_H

#include <stddef.h>

#include "buf.h"

struct http_req {
	const char	*url;
	const char	*form;		/* POST body, form-encoded; NULL: GET */
	const char	*ca_file;	/* CA bundle; NULL: the system's */
	long		 timeout_ms;	/* whole request, connect included */
	size_t		 max_body;	/* larger answers fail the request */
	const char	*user;		/* HTTP Basic credentials, sent as */
	const char	*password;	/* given; NULL: none */
	const char	*dpop;		/* a DPoP proof header, or NULL */
};

struct http_resp {
	long		 status;	/* HTTP status; 0 if none came */
	long		 retry_after;	/* Retry-After in seconds, or -1 */
	struct buf	 body;		/* NUL-terminated for convenience */
	char		 dpop_nonce[256]; /* DPoP-Nonce sent, or "" */
};

/* Whether url may be used; SOA_ERR_CONFIG with *why if not. */
int http_url_allowed(const char *url, const char **why)
    __attribute__((warn_unused_result));

/*
 * Perform req. Returns 0 when an HTTP answer of any status arrived (the
 * caller judges the status), SOA_ERR_TIMEOUT, SOA_ERR_LIMIT or
 * SOA_ERR_HTTP otherwise, with *why. resp must be freed with
 * http_resp_free() either way.
 */
int http_request(const struct http_req *req, struct http_resp *resp,
    const char **why) __attribute__((warn_unused_result));
void http_resp_free(struct http_resp *resp);

/* The discovery document's URL for an issuer; caller frees. */
char *url_discovery(const char *issuer);

/* Form-encode s for a POST body; caller frees the result. */
char *http_escape(const char *s);

#endif /* SOA_HTTP_H */
