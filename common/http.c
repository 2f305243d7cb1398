#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "err.h"
#include "http.h"
#include "util.h"

#define HTTP_USER_AGENT	"ssh-oauth/0.1"

static size_t
write_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct http_resp *resp = ctx;

	/* A short count makes libcurl fail the transfer: the cap holds. */
	if (buf_put(&resp->body, p, size * nmemb) != 0)
		return 0;
	return size * nmemb;
}

static size_t
read_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct http_resp *resp = ctx;
	size_t n = size * nmemb;
	char value[64], *start;
	uint64_t secs;
	time_t when, now;

	/* A nonce the server wants in the next DPoP proof. */
	if (n > 11 && strncasecmp(p, "DPoP-Nonce:", 11) == 0 &&
	    n - 11 < sizeof(resp->dpop_nonce)) {
		memcpy(resp->dpop_nonce, p + 11, n - 11);
		resp->dpop_nonce[n - 11] = '\0';
		resp->dpop_nonce[strcspn(resp->dpop_nonce, "\r\n")] = '\0';
		memmove(resp->dpop_nonce, resp->dpop_nonce +
		    strspn(resp->dpop_nonce, " \t"),
		    strlen(resp->dpop_nonce) + 1);
	}

	/* Retry-After in delta-seconds or as an HTTP date, capped at 1 h. */
	if (n > 12 && strncasecmp(p, "Retry-After:", 12) == 0 &&
	    n - 12 < sizeof(value)) {
		memcpy(value, p + 12, n - 12);
		value[n - 12] = '\0';
		value[strcspn(value, "\r\n")] = '\0';
		start = value + strspn(value, " \t");
		now = time(NULL);
		if (util_parse_u64(start, 0, 3600, &secs) == 0)
			resp->retry_after = (long)secs;
		else if ((when = curl_getdate(start, NULL)) != -1)
			resp->retry_after = when <= now ? 0 :
			    when - now > 3600 ? 3600 : (long)(when - now);
		else
			resp->retry_after = 60;
	}
	return n;
}

int
http_request(const struct http_req *req, struct http_resp *resp,
    const char **why)
{
	static int initialised;
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE];
	CURL *curl = NULL;
	CURLcode cc;
	char *dpop = NULL;
	int r;

	*why = NULL;
	resp->status = 0;
	resp->retry_after = -1;
	resp->dpop_nonce[0] = '\0';
	buf_init(&resp->body, req->max_body);
	if ((r = http_url_allowed(req->url, why)) != 0)
		return r;
	if (!initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return SOA_ERR_HTTP;
		initialised = 1;
	}
	if ((curl = curl_easy_init()) == NULL)
		return SOA_ERR_ALLOC;

	/* No redirects, no other protocols, a deadline for everything. */
	headers = curl_slist_append(NULL, "Accept: application/json");
	if (req->dpop != NULL) {
		dpop = util_xasprintf("DPoP: %s", req->dpop);
		headers = curl_slist_append(headers, dpop);
	}
	errbuf[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, resp);
	if (req->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, req->ca_file);
	if (req->form != NULL)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->form);
	if (req->user != NULL && req->password != NULL) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, req->password);
	}

	cc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
	switch (cc) {
	case CURLE_OK:
		r = 0;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		*why = "no answer before the deadline";
		r = SOA_ERR_TIMEOUT;
		break;
	case CURLE_WRITE_ERROR:
		*why = "response body over the size limit";
		r = SOA_ERR_LIMIT;
		break;
	default:
		*why = curl_easy_strerror(cc);
		r = SOA_ERR_HTTP;
		break;
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(dpop);
	return r;
}

void
http_resp_free(struct http_resp *resp)
{
	buf_free(&resp->body);
}

char *
http_escape(const char *s)
{
	char *e, *copy;

	if ((e = curl_easy_escape(NULL, s, 0)) == NULL)
		abort();
	copy = util_xstrdup(e);
	curl_free(e);
	return copy;
}
