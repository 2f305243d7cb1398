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

static int
config_line(void *ctx, const char *path, int lineno, const char *keyword,
    char *value)
{
	struct akc_config *cfg = ctx;
	uint64_t n;

	if (strcmp(keyword, "issuer") == 0)
		return set_string(&cfg->issuer, path, lineno, keyword, value);
	if (strcmp(keyword, "audience") == 0)
		return set_string(&cfg->audience, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "azp") == 0)
		return set_string(&cfg->azp, path, lineno, keyword, value);
	if (strcmp(keyword, "jwks_cache") == 0)
		return set_string(&cfg->jwks_cache, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "policy") == 0)
		return set_string(&cfg->policy_path, path, lineno, keyword,
		    value);
	if (strcmp(keyword, "ca_file") == 0)
		return set_string(&cfg->ca_file, path, lineno, keyword, value);
	if (strcmp(keyword, "algorithms") == 0)
		return set_algorithms(cfg, path, lineno, value);
	if (strcmp(keyword, "leeway") == 0) {
		if (util_parse_u64(value, 0, CLAIMS_LEEWAY_MAX, &n) != 0) {
			error("%s line %d: leeway must be 0 to %d seconds",
			    path, lineno, CLAIMS_LEEWAY_MAX);
			return SOA_ERR_CONFIG;
		}
		cfg->leeway = (int64_t)n;
		return 0;
	}
	if (strcmp(keyword, "http_timeout") == 0) {
		if (util_parse_u64(value, 100, 60000, &n) != 0) {
			error("%s line %d: http_timeout must be 100 to 60000 "
			    "milliseconds", path, lineno);
			return SOA_ERR_CONFIG;
		}
		cfg->http_timeout_ms = (long)n;
		return 0;
	}
	error("%s line %d: unknown keyword \"%.40s\"", path, lineno, keyword);
	return SOA_ERR_CONFIG;
}

int
akc_config_load(const char *path, struct akc_config *cfg)
{
	struct config_handler h = { config_line, cfg };
	const char *why;
	size_t i;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->leeway = 60;
	cfg->http_timeout_ms = 5000;
	if ((r = config_load(path, UTIL_FILE_TRUSTED, &h)) != 0)
		return r;

	/* Required keywords, then defaults for the rest. */
	if (cfg->issuer == NULL || cfg->audience == NULL) {
		error("%s: issuer and audience are required", path);
		return SOA_ERR_CONFIG;
	}
	if (http_url_allowed(cfg->issuer, &why) != 0) {
		error("%s: issuer \"%.200s\": %s", path, cfg->issuer, why);
		return SOA_ERR_CONFIG;
	}
	if (cfg->jwks_cache == NULL)
		cfg->jwks_cache = util_xstrdup(AKC_JWKS_DEFAULT);
	if (cfg->policy_path == NULL)
		cfg->policy_path = util_xstrdup(AKC_POLICY_DEFAULT);
	if (cfg->algs[0] == NULL) {
		for (i = 0; jws_default_algs[i] != NULL && i < AKC_ALGS_MAX;
		    i++)
			cfg->algs[i] = jws_default_algs[i];
		cfg->algs[i] = NULL;
	}
	return 0;
}

void
akc_config_free(struct akc_config *cfg)
{
	free(cfg->issuer);
	free(cfg->audience);
	free(cfg->azp);
	free(cfg->jwks_cache);
	free(cfg->policy_path);
	free(cfg->ca_file);
	free(cfg->algs_storage);
	memset(cfg, 0, sizeof(*cfg));
}
