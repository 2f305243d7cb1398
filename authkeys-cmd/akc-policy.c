/*
 * The policy file: which verified identities may log in as which local
 * users. One rule per line:
 *
 *	deny CLAIM=VALUE
 *	allow CLAIM=VALUE PRINCIPAL[,PRINCIPAL...] [OPTION[,OPTION...]]
 *
 * A test holds when the token's CLAIM is the string VALUE or an array
 * holding it (VALUE "*": any non-empty string). Two derived claims exist:
 * email_local and email_domain, the parts of a verified email. Any deny
 * that holds refuses the login; otherwise the first allow that holds and
 * names the target user grants it, with that rule's options. A principal
 * written {CLAIM} stands for that claim's string value, if it is a valid
 * user name. Nothing matches by default.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>

#include "akc.h"
#include "buf.h"
#include "claims.h"
#include "config.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "util.h"

#define POLICY_RULES_MAX	1024

struct akc_rule {
	int	 lineno;
	int	 deny;
	char	*claim;
	char	*value;
	char	*principals;	/* comma-separated, validated */
	char	*options;	/* validated, "" for none */
};

struct akc_policy {
	struct akc_rule	*rules;
	size_t		 nrules;
};

/*
 * Options a rule may add to the key line, as sshd spells them, plus our
 * own identity-env, which becomes environment="SSH_OAUTH_...=..." entries.
 */
static const char *const flag_options[] = {
	"restrict", "no-agent-forwarding", "no-port-forwarding", "no-pty",
	"no-user-rc", "no-X11-forwarding", "agent-forwarding",
	"port-forwarding", "pty", "user-rc", "X11-forwarding",
	"identity-env", NULL
};

/* Characters a value may have inside quotes on an authorized_keys line. */
#define QUOTED_SAFE	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789.:*?!,/-_@+= "

#define IDENTITY_ENV	"identity-env"

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

/*
 * A claim name, as it may appear in a test or a {template}; namespaced
 * claims such as Auth0's "https://example.com/roles" included.
 */
static int
valid_claim_name(const char *s, size_t n)
{
	return n > 0 && n <= 128 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:./-") >= n;
}

/* Each principal must be a valid user name or a {claim} template. */
static int
valid_principals(char *list)
{
	char *p, *save = NULL, *copy = util_xstrdup(list);
	size_t n;
	int ok = 1;

	if (list[0] == '\0' || list[0] == ',' ||
	    list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,") != NULL)
		ok = 0;
	for (p = strtok_r(copy, ",", &save); ok && p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		n = strlen(p);
		if (p[0] == '{')
			ok = n > 2 && p[n - 1] == '}' &&
			    valid_claim_name(p + 1, n - 2);
		else
			ok = akc_valid_user_name(p);
	}
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
	size_t skip;

	while (*s != '\0') {
		skip = strncmp(s, "from=\"", 6) == 0 ? 6 :
		    strncmp(s, "command=\"", 9) == 0 ? 9 : 0;
		if (skip != 0) {
			end = strchr(s + skip, '"');
			if (end == NULL || end == s + skip) {
				*why = "from= and command= need a quoted value";
				return 0;
			}
			if (strspn(s + skip, QUOTED_SAFE) !=
			    (size_t)(end - s - skip) ||
			    (skip == 6 && memchr(s, ' ', (size_t)(end - s)))) {
				*why = "quoted value holds a bad character";
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
	char *test, *principals = NULL, *options = NULL, *eq;
	const char *why = NULL;
	size_t len;
	int deny;

	if (strcmp(keyword, "allow") != 0 && strcmp(keyword, "deny") != 0) {
		error("%s line %d: unknown keyword \"%.40s\" (want allow or "
		    "deny)", path, lineno, keyword);
		return SOA_ERR_CONFIG;
	}
	deny = strcmp(keyword, "deny") == 0;

	/* deny CLAIM=VALUE; allow CLAIM=VALUE PRINCIPALS [OPTIONS] */
	test = config_next_word(&value);
	if (!deny) {
		principals = config_next_word(&value);
		options = config_next_word(&value);
	}
	if (test == NULL || (!deny && principals == NULL) ||
	    config_next_word(&value) != NULL) {
		error("%s line %d: want \"%s\"", path, lineno, deny ?
		    "deny CLAIM=VALUE" : "allow CLAIM=VALUE PRINCIPALS "
		    "[OPTIONS]");
		return SOA_ERR_CONFIG;
	}
	if ((eq = strchr(test, '=')) == NULL || eq[1] == '\0' ||
	    !valid_claim_name(test, (size_t)(eq - test))) {
		error("%s line %d: \"%.80s\" is not CLAIM=VALUE", path, lineno,
		    test);
		return SOA_ERR_CONFIG;
	}

	/* CLAIM="a value with blanks": the quotes are not part of it. */
	if (eq[1] == '"') {
		len = strlen(eq + 1);
		if (len < 3 || eq[len] != '"' ||
		    memchr(eq + 2, '"', len - 2) != NULL) {
			error("%s line %d: \"%.80s\": unbalanced quotes",
			    path, lineno, test);
			return SOA_ERR_CONFIG;
		}
		eq[len] = '\0';
		memmove(eq + 1, eq + 2, len - 1);
	} else if (strchr(eq + 1, '"') != NULL) {
		error("%s line %d: \"%.80s\": quote the whole value", path,
		    lineno, test);
		return SOA_ERR_CONFIG;
	}
	if (principals != NULL && !valid_principals(principals)) {
		error("%s line %d: principals \"%.80s\" are not all valid "
		    "user names or {claim} templates", path, lineno,
		    principals);
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
	rule->deny = deny;
	rule->claim = util_xstrdup(test);
	rule->value = util_xstrdup(eq + 1);
	rule->principals = util_xstrdup(principals != NULL ? principals : "");
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
	    config_load(path, UTIL_FILE_ROOT, &h);
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

int
akc_email_verified(json_object *claims)
{
	json_object *verified;

	return json_object_object_get_ex(claims, "email_verified", &verified) &&
	    json_object_is_type(verified, json_type_boolean) &&
	    json_object_get_boolean(verified);
}

const char *
akc_claim_string(json_object *claims, const char *name, char *buf,
    size_t buflen)
{
	const char *email, *at;
	size_t n;

	if (strcmp(name, "email_local") != 0 &&
	    strcmp(name, "email_domain") != 0)
		return jsonx_string(claims, name);

	/* Derived from email, unless the provider says it is unverified. */
	if ((email = jsonx_string(claims, "email")) == NULL ||
	    (at = strchr(email, '@')) == NULL || at == email ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return NULL;
	if (!akc_email_verified(claims))
		return NULL;
	if (strcmp(name, "email_domain") == 0)
		return at + 1;
	n = (size_t)(at - email);
	if (n >= buflen)
		return NULL;
	memcpy(buf, email, n);
	buf[n] = '\0';
	return buf;
}

/* Whether the rule's CLAIM=VALUE test holds for the claims. */
static int
test_holds(const struct akc_rule *rule, json_object *claims)
{
	char local[AKC_NAME_MAX + 1];
	const char *v;

	if (strcmp(rule->claim, "email_local") != 0 &&
	    strcmp(rule->claim, "email_domain") != 0)
		return claims_has_value(claims, rule->claim, rule->value);
	v = akc_claim_string(claims, rule->claim, local, sizeof(local));
	if (v == NULL || *v == '\0')
		return 0;
	return strcmp(rule->value, "*") == 0 || strcasecmp(v, rule->value) == 0;
}

/*
 * Whether user is one of the comma-separated principals; a {claim}
 * principal stands for the claim's value when that is a valid user name.
 */
static int
principals_grant(const char *list, json_object *claims, const char *user)
{
	char name[129], local[AKC_NAME_MAX + 1];
	const char *v;
	size_t n = strlen(user), len;

	for (;;) {
		len = strcspn(list, ",");
		if (list[0] == '{' && len > 2 && len - 2 < sizeof(name)) {
			memcpy(name, list + 1, len - 2);
			name[len - 2] = '\0';
			v = akc_claim_string(claims, name, local,
			    sizeof(local));
			if (v != NULL && akc_valid_user_name(v) &&
			    strcmp(v, user) == 0)
				return 1;
		} else if (len == n && strncmp(list, user, n) == 0)
			return 1;
		if (list[len] == '\0')
			return 0;
		list += len + 1;
	}
}

/*
 * Whether the provider left the claim out and said where to fetch it
 * instead (Entra ID's groups "overage"): its value is unknown offline.
 */
static int
claim_withheld(json_object *claims, const char *claim)
{
	json_object *names;

	return json_object_object_get_ex(claims, "_claim_names", &names) &&
	    json_object_is_type(names, json_type_object) &&
	    json_object_object_get_ex(names, claim, NULL);
}

int
akc_policy_denied(const struct akc_policy *pol, json_object *claims)
{
	const struct akc_rule *rule;
	size_t i;

	/* A deny rule on a claim whose value is unknown fails closed. */
	for (i = 0; i < pol->nrules; i++) {
		rule = &pol->rules[i];
		if (rule->deny && (test_holds(rule, claims) ||
		    claim_withheld(claims, rule->claim)))
			return rule->lineno;
	}
	return 0;
}

int
akc_policy_match(const struct akc_policy *pol, json_object *claims,
    const char *user, const char **options)
{
	const struct akc_rule *rule;
	size_t i;

	*options = "";
	if (akc_policy_denied(pol, claims) != 0)
		return 0;
	for (i = 0; i < pol->nrules; i++) {
		rule = &pol->rules[i];
		if (!rule->deny && principals_grant(rule->principals, claims,
		    user) && test_holds(rule, claims)) {
			*options = rule->options;
			return rule->lineno;
		}
	}
	return 0;
}

/* Append ,environment="NAME=value" when value is safe to quote. */
static int
put_env(struct buf *b, const char *name, const char *value)
{
	int r;

	if (value == NULL || *value == '\0' || strlen(value) > 256 ||
	    strspn(value, QUOTED_SAFE) != strlen(value))
		return 0;
	if ((r = buf_put(b, ",environment=\"", 14)) != 0 ||
	    (r = buf_put(b, name, strlen(name))) != 0 ||
	    (r = buf_put(b, "=", 1)) != 0 ||
	    (r = buf_put(b, value, strlen(value))) != 0)
		return r;
	return buf_put(b, "\"", 1);
}

int
akc_policy_render_options(const char *options, json_object *claims,
    const char *issuer, char **out)
{
	struct buf b;
	const char *p = options, *text;
	size_t len;
	int r = 0;

	*out = NULL;
	buf_init(&b, 8192);

	/* Copy options through, expanding identity-env in place. */
	while (r == 0 && *p != '\0') {
		len = strcspn(p, ",");
		if (strncmp(p, "from=\"", 6) == 0 ||
		    strncmp(p, "command=\"", 9) == 0)
			len = (size_t)(strchr(strchr(p, '"') + 1, '"') + 1 - p);
		if (len == strlen(IDENTITY_ENV) &&
		    strncmp(p, IDENTITY_ENV, len) == 0) {
			r = put_env(&b, "SSH_OAUTH_ISSUER", issuer);
			if (r == 0)
				r = put_env(&b, "SSH_OAUTH_SUB",
				    jsonx_string(claims, "sub"));
			if (r == 0 && akc_email_verified(claims))
				r = put_env(&b, "SSH_OAUTH_EMAIL",
				    jsonx_string(claims, "email"));
		} else if ((r = buf_put(&b, ",", 1)) == 0)
			r = buf_put(&b, p, len);
		p += len;
		if (*p == ',')
			p++;
	}
	if (r == 0 && (r = buf_cstring(&b, &text)) == 0)
		*out = util_xstrdup(text);
	buf_free(&b);
	return r;
}
