/*
 * The client configuration: which provider and client to use and which
 * token to hand to servers. Keywords, one per line:
 *
 *	issuer URL			required; exact, as the provider says
 *	client_id ID			required
 *	scopes "openid ..."		default: openid profile email groups
 *					offline_access
 *	token id_token|access_token	default: id_token
 *	ca_file PATH			CA bundle for https
 *	device_authorization_endpoint URL, token_endpoint URL
 *					skip discovery
 *	http_timeout MS			per request, default 10000
 *	qr yes|no			default: yes
 *	client_secret SECRET		for confidential clients only
 *	client_auth none|client_secret_post|client_secret_basic
 *					default: none without a secret,
 *					client_secret_post with one
 *
 * Client authentication is the same on the device authorization, token
 * and refresh requests. "none" (a public client, as Okta's and Entra's
 * native apps are) sends only client_id. client_secret_post adds
 * client_secret to the form; client_secret_basic sends both in an HTTP
 * Basic header instead (RFC 6749 section 2.3.1). Google wants a secret
 * even for its "TV and limited input" clients; Entra and Auth0 refuse
 * one sent by a public client. The secret lives in this file only: it
 * is never put in argv, in the environment or in a log message, so keep
 * the file mode 0600 when it holds one.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "err.h"
#include "helper.h"
#include "http.h"
#include "log.h"
#include "util.h"

#define DEFAULT_SCOPES	"openid profile email groups offline_access"

char *
profile_default_path(const char *name)
{
	const char *env, *file = name != NULL ? name : "config";
	const char *suffix = name != NULL ? ".conf" : "";

	/* A profile name is a file name in the directory, nothing more. */
	if (name != NULL && (name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-' || strlen(name) > 64 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name))) {
		error("profile \"%.64s\" is not a plain name: letters, "
		    "digits, '.', '_' and '-', not first '.' or '-'", name);
		return NULL;
	}
	if (name == NULL && (env = getenv("SSH_OAUTH_CONFIG")) != NULL &&
	    *env != '\0')
		return util_xstrdup(env);
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		return util_xasprintf("%s/ssh-oauth/%s%s", env, file, suffix);
	if ((env = getenv("HOME")) != NULL && *env == '/')
		return util_xasprintf("%s/.config/ssh-oauth/%s%s", env, file,
		    suffix);
	return NULL;
}

/* Copy value into *field, refusing a repeat or an empty value. */
static int
set_string(char **field, const char *path, int lineno, const char *keyword,
    const char *value)
{
	if (*field != NULL || *value == '\0') {
		error("%s line %d: %s %s", path, lineno, keyword,
		    *field != NULL ? "given twice" : "needs a value");
		return SOA_ERR_CONFIG;
	}
	*field = util_xstrdup(value);
	return 0;
}

/* A URL keyword: https, or http on loopback. */
static int
set_url(char **field, const char *path, int lineno, const char *keyword,
    const char *value)
{
	const char *why;

	if (http_url_allowed(value, &why) != 0) {
		error("%s line %d: %s \"%.200s\": %s", path, lineno, keyword,
		    value, why);
		return SOA_ERR_CONFIG;
	}
	return set_string(field, path, lineno, keyword, value);
}

/* client_auth: remembered as given; checked against the secret later. */
static int
set_client_auth(struct profile *p, const char *path, int lineno,
    const char *value)
{
	if (p->client_auth != CLIENT_AUTH_UNSET) {
		error("%s line %d: client_auth given twice", path, lineno);
		return SOA_ERR_CONFIG;
	}
	if (strcmp(value, "none") == 0)
		p->client_auth = CLIENT_AUTH_NONE;
	else if (strcmp(value, "client_secret_post") == 0)
		p->client_auth = CLIENT_AUTH_POST;
	else if (strcmp(value, "client_secret_basic") == 0)
		p->client_auth = CLIENT_AUTH_BASIC;
	else {
		error("%s line %d: client_auth must be none, "
		    "client_secret_post or client_secret_basic", path, lineno);
		return SOA_ERR_CONFIG;
	}
	return 0;
}

/* The default client_auth, and a secret only where one is sent. */
static int
check_client_auth(struct profile *p)
{
	if (p->client_auth == CLIENT_AUTH_UNSET)
		p->client_auth = p->client_secret != NULL ? CLIENT_AUTH_POST :
		    CLIENT_AUTH_NONE;
	if (p->client_auth == CLIENT_AUTH_NONE && p->client_secret != NULL) {
		error("%s: client_auth none sends no secret; remove "
		    "client_secret or choose client_secret_post or "
		    "client_secret_basic", p->path);
		return SOA_ERR_CONFIG;
	}
	if (p->client_auth != CLIENT_AUTH_NONE && p->client_secret == NULL) {
		error("%s: client_auth %s needs client_secret", p->path,
		    p->client_auth == CLIENT_AUTH_POST ? "client_secret_post" :
		    "client_secret_basic");
		return SOA_ERR_CONFIG;
	}
	return 0;
}

static int
profile_line(void *ctx, const char *path, int lineno, const char *keyword,
    char *value)
{
	struct profile *p = ctx;
	uint64_t n;

	if (strcmp(keyword, "issuer") == 0)
		return set_url(&p->issuer, path, lineno, keyword, value);
	if (strcmp(keyword, "client_id") == 0)
		return set_string(&p->client_id, path, lineno, keyword, value);
	if (strcmp(keyword, "scopes") == 0)
		return set_string(&p->scopes, path, lineno, keyword, value);
	if (strcmp(keyword, "ca_file") == 0)
		return set_string(&p->ca_file, path, lineno, keyword, value);
	if (strcmp(keyword, "device_authorization_endpoint") == 0)
		return set_url(&p->device_endpoint, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "token_endpoint") == 0)
		return set_url(&p->token_endpoint, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "token") == 0) {
		if (strcmp(value, "id_token") == 0)
			p->token_kind = TOKEN_ID;
		else if (strcmp(value, "access_token") == 0)
			p->token_kind = TOKEN_ACCESS;
		else {
			error("%s line %d: token must be id_token or "
			    "access_token", path, lineno);
			return SOA_ERR_CONFIG;
		}
		return 0;
	}
	if (strcmp(keyword, "http_timeout") == 0) {
		if (util_parse_u64(value, 100, 120000, &n) != 0) {
			error("%s line %d: http_timeout must be 100 to 120000 "
			    "milliseconds", path, lineno);
			return SOA_ERR_CONFIG;
		}
		p->http_timeout_ms = (long)n;
		return 0;
	}
	if (strcmp(keyword, "client_secret") == 0)
		return set_string(&p->client_secret, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "client_auth") == 0)
		return set_client_auth(p, path, lineno, value);
	if (strcmp(keyword, "cache_key") == 0) {
		if (strcmp(value, "keyring") != 0 &&
		    strcmp(value, "file") != 0) {
			error("%s line %d: cache_key must be keyring or file",
			    path, lineno);
			return SOA_ERR_CONFIG;
		}
		p->cache_key_file = strcmp(value, "file") == 0;
		return 0;
	}
	if (strcmp(keyword, "dpop") == 0) {
		if (strcmp(value, "auto") == 0)
			p->dpop = DPOP_AUTO;
		else if (strcmp(value, "yes") == 0)
			p->dpop = DPOP_YES;
		else if (strcmp(value, "no") == 0)
			p->dpop = DPOP_NO;
		else {
			error("%s line %d: dpop must be auto, yes or no", path,
			    lineno);
			return SOA_ERR_CONFIG;
		}
		return 0;
	}
	if (strcmp(keyword, "qr") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			error("%s line %d: qr must be yes or no", path, lineno);
			return SOA_ERR_CONFIG;
		}
		p->qr = strcmp(value, "yes") == 0;
		return 0;
	}
	error("%s line %d: unknown keyword \"%.40s\"", path, lineno, keyword);
	return SOA_ERR_CONFIG;
}

int
profile_load(const char *path, struct profile *p)
{
	struct config_handler h = { profile_line, p };
	struct stat st;
	int r;

	memset(p, 0, sizeof(*p));
	p->token_kind = TOKEN_ID;
	p->http_timeout_ms = 10000;
	p->qr = 1;
	if (path == NULL) {
		error("no configuration: set SSH_OAUTH_CONFIG or HOME");
		return SOA_ERR_CONFIG;
	}
	p->path = util_xstrdup(path);
	if ((r = config_load(path, UTIL_FILE_TRUSTED, &h)) != 0)
		return r;
	if (p->issuer == NULL || p->client_id == NULL) {
		error("%s: issuer and client_id are required", path);
		return SOA_ERR_CONFIG;
	}
	if ((r = check_client_auth(p)) != 0)
		return r;

	/* A file holding a secret must be for our eyes only. */
	if (p->client_secret != NULL && (stat(path, &st) == -1 ||
	    (st.st_mode & 077) != 0)) {
		error("%s holds client_secret but others can read it: "
		    "chmod 600 %s", path, path);
		return SOA_ERR_PERM;
	}
	if (p->scopes == NULL)
		p->scopes = util_xstrdup(DEFAULT_SCOPES);
	return 0;
}

void
profile_free(struct profile *p)
{
	free(p->path);
	free(p->issuer);
	free(p->client_id);
	util_strfree(p->client_secret);
	free(p->scopes);
	free(p->ca_file);
	free(p->device_endpoint);
	free(p->token_endpoint);
	memset(p, 0, sizeof(*p));
}
