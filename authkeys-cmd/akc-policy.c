/*
 * The policy file: which verified identities may log in as which local
 * users. One rule per line:
 *
 *	allow CLAIM=VALUE PRINCIPAL[,PRINCIPAL...] [OPTION[,OPTION...]]
 *
 * A rule applies when the token's CLAIM is the string VALUE or an array
 * holding it (VALUE "*": any non-empty string). The first applicable rule
 * naming the target user grants the login with that rule's options.
 * Nothing matches by default.
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "akc.h"
#include "buf.h"
#include "claims.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "util.h"

#define POLICY_RULES_MAX	1024

struct akc_rule {
	int	 lineno;
	char	*claim;
	char	*value;
	char	*principals;	/* comma-separated, validated */
	char	*options;	/* validated, "" for none */
};

struct akc_policy {
	struct akc_rule	*rules;
	size_t		 nrules;
};

/* Options a rule may add to the key line, as sshd spells them. */
static const char *const flag_options[] = {
	"restrict", "no-agent-forwarding", "no-port-forwarding", "no-pty",
	"no-user-rc", "no-X11-forwarding", "agent-forwarding",
	"port-forwarding", "pty", "user-rc", "X11-forwarding", NULL
};

int
akc_valid_user_name(const char *name)
{
	size_t n = strlen(name);

	/* Portable user names: no leading '-', no '@', no quotes. */
	if (n == 0 || n > AKC_NAME_MAX || name[0] == '-')
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Each comma-separated principal must be a valid user name. */
static int
valid_principals(char *list)
{
	char *p, *save = NULL, *copy = util_xstrdup(list);
	int ok = 1;

	if (list[0] == '\0' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,") != NULL)
		ok = 0;
	for (p = strtok_r(copy, ",", &save); ok && p != NULL;
	    p = strtok_r(NULL, ",", &save))
		ok = akc_valid_user_name(p);
	free(copy);
	return ok;
}

/*
 * Options: flags from the list above, or from="..." with a quoted
 * pattern list that holds no quote, backslash or control character.
 */
static int
valid_options(const char *s, const char **why)
{
	const char *end;
	size_t i, len;

	while (*s != '\0') {
		if (strncmp(s, "from=\"", 6) == 0) {
			end = strchr(s + 6, '"');
			if (end == NULL || end == s + 6) {
				*why = "from= needs a quoted pattern list";
				return 0;
			}
			if (strspn(s + 6, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:*?!,/-") !=
			    (size_t)(end - s - 6)) {
				*why = "from= holds a forbidden character";
				return 0;
			}
			s = end + 1;
		} else {
			len = strcspn(s, ",");
			for (i = 0; flag_options[i] != NULL; i++)
				if (strlen(flag_options[i]) == len &&
				    strncmp(flag_options[i], s, len) == 0)
					break;
			if (flag_options[i] == NULL) {
				*why = "unknown option";
				return 0;
			}
			s += len;
		}
		if (*s == ',' && s[1] != '\0')
			s++;
		else if (*s != '\0') {
			*why = "options must be separated by single commas";
			return 0;
		}
	}
	return 1;
}

static int
policy_line(void *ctx, const char *path, int lineno, const char *keyword,
    char *value)
{
	struct akc_policy *pol = ctx;
	struct akc_rule *rule, *rules;
	char *test, *principals, *options, *eq;
	const char *why = NULL;

	if (strcmp(keyword, "allow") != 0) {
		error("%s line %d: unknown keyword \"%.40s\" (want \"allow\")",
		    path, lineno, keyword);
		return SOA_ERR_CONFIG;
	}
	test = config_next_word(&value);
	principals = config_next_word(&value);
	options = config_next_word(&value);
	if (test == NULL || principals == NULL ||
	    config_next_word(&value) != NULL) {
		error("%s line %d: want \"allow CLAIM=VALUE PRINCIPALS "
		    "[OPTIONS]\"", path, lineno);
		return SOA_ERR_CONFIG;
	}
	if ((eq = strchr(test, '=')) == NULL || eq == test || eq[1] == '\0') {
		error("%s line %d: \"%.80s\" is not CLAIM=VALUE", path, lineno,
		    test);
		return SOA_ERR_CONFIG;
	}
	if (!valid_principals(principals)) {
		error("%s line %d: principals \"%.80s\" are not all valid "
		    "user names", path, lineno, principals);
		return SOA_ERR_CONFIG;
	}
	if (options != NULL && !valid_options(options, &why)) {
		error("%s line %d: options \"%.80s\": %s", path, lineno,
		    options, why);
		return SOA_ERR_CONFIG;
	}
	if (pol->nrules >= POLICY_RULES_MAX) {
		error("%s line %d: more than %d rules", path, lineno,
		    POLICY_RULES_MAX);
		return SOA_ERR_LIMIT;
	}
	rules = reallocarray(pol->rules, pol->nrules + 1, sizeof(*rules));
	if (rules == NULL)
		return SOA_ERR_ALLOC;
	pol->rules = rules;
	rule = &pol->rules[pol->nrules++];
	*eq = '\0';
	rule->lineno = lineno;
	rule->claim = util_xstrdup(test);
	rule->value = util_xstrdup(eq + 1);
	rule->principals = util_xstrdup(principals);
	rule->options = util_xstrdup(options != NULL ? options : "");
	return 0;
}

/* A policy from the file at path, or from text when it is not NULL. */
static int
policy_build(const char *path, char *text, struct akc_policy **out)
{
	struct akc_policy *pol;
	struct config_handler h;
	int r;

	*out = NULL;
	if ((pol = calloc(1, sizeof(*pol))) == NULL)
		return SOA_ERR_ALLOC;
	h.line = policy_line;
	h.ctx = pol;
	r = text != NULL ? config_parse(path, text, &h) :
	    config_load(path, UTIL_FILE_TRUSTED, &h);
	if (r != 0) {
		akc_policy_free(pol);
		return r;
	}
	*out = pol;
	return 0;
}

int
akc_policy_load(const char *path, struct akc_policy **out)
{
	return policy_build(path, NULL, out);
}

int
akc_policy_parse(const char *name, char *text, struct akc_policy **out)
{
	return policy_build(name, text, out);
}

void
akc_policy_free(struct akc_policy *pol)
{
	size_t i;

	if (pol == NULL)
		return;
	for (i = 0; i < pol->nrules; i++) {
		free(pol->rules[i].claim);
		free(pol->rules[i].value);
		free(pol->rules[i].principals);
		free(pol->rules[i].options);
	}
	free(pol->rules);
	free(pol);
}

/* Whether user is one of the comma-separated names in list. */
static int
list_has(const char *list, const char *user)
{
	size_t n = strlen(user), len;

	for (;;) {
		len = strcspn(list, ",");
		if (len == n && strncmp(list, user, n) == 0)
			return 1;
		if (list[len] == '\0')
			return 0;
		list += len + 1;
	}
}

int
akc_policy_match(const struct akc_policy *pol, json_object *claims,
    const char *user, const char **options)
{
	const struct akc_rule *rule;
	size_t i;

	*options = "";
	for (i = 0; i < pol->nrules; i++) {
		rule = &pol->rules[i];
		if (list_has(rule->principals, user) &&
		    claims_has_value(claims, rule->claim, rule->value)) {
			*options = rule->options;
			return rule->lineno;
		}
	}
	return 0;
}
