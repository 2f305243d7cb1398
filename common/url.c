/*
 * The URL rule, kept apart from libcurl so that programs which never make
 * a request (the login path of ssh-oauth-authkeys) need not load it:
 * https anywhere, plain http only to a loopback host.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "http.h"
#include "util.h"

#define URL_MAX	2048

static int
host_is_loopback(const char *host, size_t n)
{
	struct in_addr addr;
	char copy[INET_ADDRSTRLEN];

	if ((n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (n == 5 && strncmp(host, "[::1]", 5) == 0))
		return 1;

	/* 127.0.0.0/8, as a strict dotted quad: nothing a resolver sees. */
	if (n >= sizeof(copy))
		return 0;
	memcpy(copy, host, n);
	copy[n] = '\0';
	return inet_pton(AF_INET, copy, &addr) == 1 &&
	    (ntohl(addr.s_addr) >> 24) == 127;
}

int
http_url_allowed(const char *url, const char **why)
{
	const char *host, *end;
	size_t n = strlen(url);
	int https;

	*why = NULL;
	if (n > URL_MAX || strspn(url, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%") !=
	    n) {
		*why = "not a valid URL";
		return SOA_ERR_CONFIG;
	}
	if (strncmp(url, "https://", 8) == 0)
		https = 1;
	else if (strncmp(url, "http://", 7) == 0)
		https = 0;
	else {
		*why = "not an https URL";
		return SOA_ERR_CONFIG;
	}

	/* The authority: no user info, a host, an optional port. */
	host = url + (https ? 8 : 7);
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)) != NULL || end == host) {
		*why = "not a valid URL";
		return SOA_ERR_CONFIG;
	}
	if (host[0] == '[') {
		if ((end = memchr(host, ']', (size_t)(end - host))) == NULL) {
			*why = "not a valid URL";
			return SOA_ERR_CONFIG;
		}
		end++;
	} else
		end = host + strcspn(host, ":/?#");
	if (end == host) {
		*why = "not a valid URL";
		return SOA_ERR_CONFIG;
	}
	if (!https && !host_is_loopback(host, (size_t)(end - host))) {
		*why = "not https (plain http is allowed on loopback only)";
		return SOA_ERR_CONFIG;
	}
	return 0;
}

char *
url_discovery(const char *issuer)
{
	size_t n = strlen(issuer);

	/* OIDC Discovery: the issuer, less a trailing "/", then the path. */
	return util_xasprintf("%.*s/.well-known/openid-configuration",
	    (int)(n > 0 && issuer[n - 1] == '/' ? n - 1 : n), issuer);
}
