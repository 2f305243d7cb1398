/*
 * ssh-oauth-authkeys: the AuthorizedKeysCommand. Shared declarations of
 * its configuration, policy, decision and refresh modules.
 */
#ifndef AKC_H
#define AKC_H

#include <stddef.h>
#include <stdint.h>

#define AKC_CONFIG_DEFAULT	"/etc/ssh-oauth/authkeys.conf"
#define AKC_JWKS_DEFAULT	"/var/cache/ssh-oauth/jwks.json"
#define AKC_POLICY_DEFAULT	"/etc/ssh-oauth/policy"
#define AKC_ALGS_MAX		8
#define AKC_NAME_MAX		32	/* POSIX user names, as useradd */

struct akc_policy;

struct akc_config {
	char		*issuer;
	char		*audience;
	char		*azp;
	char		*jwks_cache;
	char		*policy_path;
	char		*ca_file;
	int64_t		 leeway;
	long		 http_timeout_ms;
	const char	*algs[AKC_ALGS_MAX + 1];	/* NULL-ended */
	char		*algs_storage;
};

/* What akc_decide() concluded, for the log line and for explain. */
struct akc_decision {
	char		*line;		/* the authorized_keys line, or NULL */
	const char	*reason;	/* why not, or NULL */
	char		*fingerprint;
	char		*subject;
	char		*email;
	char		*jti;
	int		 rule_line;	/* policy line that granted, or 0 */
};

/* Load and check the configuration; errors are logged with line numbers. */
int akc_config_load(const char *path, struct akc_config *cfg)
    __attribute__((warn_unused_result));
void akc_config_free(struct akc_config *cfg);

/* Load the policy file; every problem is logged with its line number. */
int akc_policy_load(const char *path, struct akc_policy **out)
    __attribute__((warn_unused_result));
/* The same from text in memory (modified in place); name is for errors. */
int akc_policy_parse(const char *name, char *text, struct akc_policy **out)
    __attribute__((warn_unused_result));
void akc_policy_free(struct akc_policy *pol);

/*
 * The first rule whose claim test matches claims and whose principals
 * include user: its line number, and its options (a static string owned
 * by pol, "" for none). 0 when no rule grants user.
 */
struct json_object;
int akc_policy_match(const struct akc_policy *pol, struct json_object *claims,
    const char *user, const char **options);

/* Whether name is a safe POSIX user name, as principals must be. */
int akc_valid_user_name(const char *name);

/*
 * Decide on one login: user, key type and base64 key as sshd passes them
 * as %u %t %k. Fills d; d->line is set only when the login is allowed.
 * Never touches the network.
 */
int akc_decide(const struct akc_config *cfg, const struct akc_policy *pol,
    const char *user, const char *keytype, const char *keyb64,
    struct akc_decision *d);
void akc_decision_free(struct akc_decision *d);

/* Fetch discovery and the JWKS, and replace the cache atomically. */
int akc_refresh(const struct akc_config *cfg)
    __attribute__((warn_unused_result));

#endif /* AKC_H */
