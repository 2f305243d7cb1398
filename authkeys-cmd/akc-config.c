#include <stdlib.h>
#include <string.h>

#include "akc.h"
#include "claims.h"
#include "config.h"
#include "err.h"
#include "http.h"
#include "jws.h"
#include "log.h"
#include "util.h"

/* Keep a copy of value in *field, refusing a repeated keyword. */
static int
set_string(char **field, const char *path, int lineno, const char *keyword,
    const char *value)
{
	if (*field != NULL) {
		error("%s line %d: %s given twice", path, lineno, keyword);
		return SOA_ERR_CONFIG;
	}
	if (*value == '\0') {
		error("%s line %d: %s needs a value", path, lineno, keyword);
		return SOA_ERR_CONFIG;
	}
	*field = util_xstrdup(value);
	return 0;
}

/* algorithms RS256,ES256,...: each must be one the verifier knows. */
static int
set_algorithms(struct akc_config *cfg, const char *path, int lineno,
    const char *value)
{
	char *list, *name, *save = NULL;
	size_t n = 0, i;

	if (cfg->algs_storage != NULL) {
		error("%s line %d: algorithms given twice", path, lineno);
		return SOA_ERR_CONFIG;
	}
	list = cfg->algs_storage = util_xstrdup(value);
	for (name = strtok_r(list, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		for (i = 0; jws_default_algs[i] != NULL; i++)
			if (strcmp(jws_default_algs[i], name) == 0)
				break;
		if (jws_default_algs[i] == NULL || n >= AKC_ALGS_MAX) {
			error("%s line %d: algorithm \"%.40s\" not supported "
			    "(choose from RS256 RS384 RS512 PS256 ES256 ES384 "
			    "EdDSA)", path, lineno, name);
			return SOA_ERR_CONFIG;
		}
		cfg->algs[n++] = jws_default_algs[i];
	}
	cfg->algs[n] = NULL;
	if (n == 0) {
		error("%s line %d: algorithms is empty", path, lineno);
		return SOA_ERR_CONFIG;
	}
	return 0;
}

/* The issuer block being read; NULL before the first issuer line. */
static struct akc_issuer *
current_issuer(struct akc_config *cfg)
{
	return cfg->nissuers > 0 ? &cfg->issuers[cfg->nissuers - 1] : NULL;
}

/* Keywords inside an issuer block. */
static int
issuer_line(struct akc_config *cfg, const char *path, int lineno,
    const char *keyword, char *value)
{
	static const char *const block_keywords[] = {
		"audience", "azp", "policy", "jwks_cache", "jwks_file",
		"require_binding", "token", NULL
	};
	struct akc_issuer *iss = current_issuer(cfg);
	char *word;
	size_t i;

	for (i = 0; block_keywords[i] != NULL; i++)
		if (strcmp(keyword, block_keywords[i]) == 0)
			break;
	if (block_keywords[i] == NULL)
		return 1;
	if (iss == NULL) {
		error("%s line %d: %s must follow an issuer line", path, lineno,
		    keyword);
		return SOA_ERR_CONFIG;
	}
	if (strcmp(keyword, "audience") == 0) {
		while ((word = config_next_word(&value)) != NULL) {
			if (iss->naudiences >= AKC_AUDIENCES_MAX) {
				error("%s line %d: more than %d audiences",
				    path, lineno, AKC_AUDIENCES_MAX);
				return SOA_ERR_CONFIG;
			}
			iss->audiences[iss->naudiences++] = util_xstrdup(word);
		}
		return 0;
	}
	if (strcmp(keyword, "azp") == 0)
		return set_string(&iss->azp, path, lineno, keyword, value);
	if (strcmp(keyword, "policy") == 0)
		return set_string(&iss->policy_path, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "jwks_cache") == 0)
		return set_string(&iss->jwks_cache, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "jwks_file") == 0)
		return set_string(&iss->jwks_file, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "require_binding") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			error("%s line %d: require_binding must be yes or no",
			    path, lineno);
			return SOA_ERR_CONFIG;
		}
		iss->require_binding = strcmp(value, "yes") == 0;
		return 0;
	}
	if (strcmp(keyword, "token") == 0) {
		if (strcmp(value, "id_token") != 0 &&
		    strcmp(value, "access_token") != 0) {
			error("%s line %d: token must be id_token or "
			    "access_token", path, lineno);
			return SOA_ERR_CONFIG;
		}
		iss->id_token = strcmp(value, "id_token") == 0;
		return 0;
	}
	return 1;
}

/* A number of the given range, for keyword. */
static int
set_number(int64_t *field, const char *path, int lineno, const char *keyword,
    const char *value, uint64_t min, uint64_t max)
{
	uint64_t n;

	if (util_parse_u64(value, min, max, &n) != 0) {
		error("%s line %d: %s must be a number from %llu to %llu", path,
		    lineno, keyword, (unsigned long long)min,
		    (unsigned long long)max);
		return SOA_ERR_CONFIG;
	}
	*field = (int64_t)n;
	return 0;
}

static int
config_line(void *ctx, const char *path, int lineno, const char *keyword,
    char *value)
{
	struct akc_config *cfg = ctx;
	struct akc_issuer *iss;
	int64_t n = 0;
	int r;

	/* An issuer line opens a block for the keywords after it. */
	if (strcmp(keyword, "issuer") == 0) {
		if (cfg->nissuers >= AKC_ISSUERS_MAX) {
			error("%s line %d: more than %d issuers", path, lineno,
			    AKC_ISSUERS_MAX);
			return SOA_ERR_CONFIG;
		}
		iss = &cfg->issuers[cfg->nissuers++];
		iss->lineno = lineno;
		iss->id_token = 1;
		return set_string(&iss->issuer, path, lineno, keyword, value);
	}
	if ((r = issuer_line(cfg, path, lineno, keyword, value)) <= 0)
		return r;

	/* Global keywords. */
	if (strcmp(keyword, "ca_file") == 0)
		return set_string(&cfg->ca_file, path, lineno, keyword, value);
	if (strcmp(keyword, "algorithms") == 0)
		return set_algorithms(cfg, path, lineno, value);
	if (strcmp(keyword, "leeway") == 0)
		return set_number(&cfg->leeway, path, lineno, keyword, value, 0,
		    CLAIMS_LEEWAY_MAX);
	if (strcmp(keyword, "http_timeout") == 0) {
		r = set_number(&n, path, lineno, keyword, value, 100, 60000);
		cfg->http_timeout_ms = (long)n;
		return r;
	}
	if (strcmp(keyword, "fetch_timeout") == 0) {
		r = set_number(&n, path, lineno, keyword, value, 100, 10000);
		cfg->fetch_timeout_ms = (long)n;
		return r;
	}
	if (strcmp(keyword, "fetch_interval") == 0)
		return set_number(&cfg->fetch_interval, path, lineno, keyword,
		    value, 0, 86400);
	if (strcmp(keyword, "jwks_max_age") == 0)
		return set_number(&cfg->jwks_max_age, path, lineno, keyword,
		    value, 60, 365 * 86400);
	if (strcmp(keyword, "stale_cache") == 0 ||
	    strcmp(keyword, "offline") == 0) {
		if (strcmp(keyword, "stale_cache") == 0 &&
		    (strcmp(value, "warn") == 0 ||
		    strcmp(value, "refuse") == 0)) {
			cfg->stale_refuse = strcmp(value, "refuse") == 0;
			return 0;
		}
		if (strcmp(keyword, "offline") == 0 &&
		    (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0)) {
			cfg->offline = strcmp(value, "yes") == 0;
			return 0;
		}
		error("%s line %d: bad value for %s", path, lineno, keyword);
		return SOA_ERR_CONFIG;
	}
	error("%s line %d: unknown keyword \"%.40s\"", path, lineno, keyword);
	return SOA_ERR_CONFIG;
}

/* Fill in one issuer's defaults and check what it needs. */
static int
issuer_finish(struct akc_config *cfg, struct akc_issuer *iss,
    const char *path)
{
	const char *why;
	size_t i;

	if (iss->naudiences == 0) {
		error("%s line %d: issuer \"%.200s\" has no audience", path,
		    iss->lineno, iss->issuer);
		return SOA_ERR_CONFIG;
	}
	if (http_url_allowed(iss->issuer, &why) != 0) {
		error("%s line %d: issuer \"%.200s\": %s", path, iss->lineno,
		    iss->issuer, why);
		return SOA_ERR_CONFIG;
	}
	for (i = 0; &cfg->issuers[i] != iss; i++) {
		if (strcmp(cfg->issuers[i].issuer, iss->issuer) == 0) {
			error("%s line %d: issuer \"%.200s\" given twice",
			    path, iss->lineno, iss->issuer);
			return SOA_ERR_CONFIG;
		}
		if (iss->jwks_cache != NULL &&
		    cfg->issuers[i].jwks_cache != NULL &&
		    strcmp(cfg->issuers[i].jwks_cache, iss->jwks_cache) == 0) {
			error("%s line %d: jwks_cache \"%.200s\" is already "
			    "another issuer's", path, iss->lineno,
			    iss->jwks_cache);
			return SOA_ERR_CONFIG;
		}
	}

	/* One issuer may use the defaults; several must name their files. */
	if (iss->jwks_cache == NULL && iss->jwks_file == NULL) {
		if (cfg->nissuers > 1) {
			error("%s line %d: with several issuers each needs "
			    "jwks_cache or jwks_file", path, iss->lineno);
			return SOA_ERR_CONFIG;
		}
		iss->jwks_cache = util_xstrdup(AKC_JWKS_DEFAULT);
	}
	if (iss->policy_path == NULL)
		iss->policy_path = util_xstrdup(AKC_POLICY_DEFAULT);
	return 0;
}

int
akc_config_load(const char *path, struct akc_config *cfg)
{
	struct config_handler h = { config_line, cfg };
	size_t i;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = util_xstrdup(path);
	cfg->leeway = 60;
	cfg->http_timeout_ms = 5000;
	cfg->fetch_timeout_ms = 2000;
	cfg->fetch_interval = 60;
	cfg->jwks_max_age = 7 * 86400;
	if ((r = config_load(path, UTIL_FILE_ROOT, &h)) != 0)
		return r;

	/* Every issuer complete, then defaults for the rest. */
	if (cfg->nissuers == 0) {
		error("%s: no issuer configured", path);
		return SOA_ERR_CONFIG;
	}
	for (i = 0; i < cfg->nissuers; i++)
		if ((r = issuer_finish(cfg, &cfg->issuers[i], path)) != 0)
			return r;
	if (cfg->algs[0] == NULL) {
		for (i = 0; jws_default_algs[i] != NULL && i < AKC_ALGS_MAX;
		    i++)
			cfg->algs[i] = jws_default_algs[i];
		cfg->algs[i] = NULL;
	}
	return 0;
}

const struct akc_issuer *
akc_config_issuer(const struct akc_config *cfg, const char *iss)
{
	size_t i;

	for (i = 0; i < cfg->nissuers; i++)
		if (strcmp(cfg->issuers[i].issuer, iss) == 0)
			return &cfg->issuers[i];
	return NULL;
}

void
akc_config_free(struct akc_config *cfg)
{
	struct akc_issuer *iss;
	size_t i, j;

	for (i = 0; i < cfg->nissuers; i++) {
		iss = &cfg->issuers[i];
		free(iss->issuer);
		for (j = 0; j < iss->naudiences; j++)
			free(iss->audiences[j]);
		free(iss->azp);
		free(iss->policy_path);
		free(iss->jwks_cache);
		free(iss->jwks_file);
	}
	free(cfg->path);
	free(cfg->ca_file);
	free(cfg->algs_storage);
	memset(cfg, 0, sizeof(*cfg));
}
