/*
 * ssh-oauth-authkeys: sshd's AuthorizedKeysCommand. Shared declarations
 * of its configuration, policy, key cache, decision and refresh modules.
 */
#ifndef AKC_H
#define AKC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json.h>

#define AKC_CONFIG_DEFAULT	"/etc/ssh-oauth/authkeys.conf"
#define AKC_JWKS_DEFAULT	"/var/cache/ssh-oauth/jwks.json"
#define AKC_POLICY_DEFAULT	"/etc/ssh-oauth/policy"
#define AKC_ALGS_MAX		8
#define AKC_AUDIENCES_MAX	8
#define AKC_ISSUERS_MAX		16
#define AKC_NAME_MAX		32	/* POSIX user names, as useradd */

struct akc_policy;

/* One trusted issuer and everything that belongs to it. */
struct akc_issuer {
	int		 lineno;
	char		*issuer;
	char		*audiences[AKC_AUDIENCES_MAX];
	size_t		 naudiences;
	char		*azp;
	char		*policy_path;
	char		*jwks_cache;	/* fetched by refresh, or on a miss */
	char		*jwks_file;	/* pinned: never fetched */
	int		 id_token;	/* refuse access tokens (typ at+jwt) */
	int		 require_binding; /* refuse tokens without cnf.jkt */
};

struct akc_config {
	char		*path;
	struct akc_issuer issuers[AKC_ISSUERS_MAX];
	size_t		 nissuers;
	char		*ca_file;
	int64_t		 leeway;
	long		 http_timeout_ms;	/* refresh */
	long		 fetch_timeout_ms;	/* unknown kid, at login */
	int64_t		 fetch_interval;	/* at most one fetch per */
	int64_t		 jwks_max_age;		/* warn past this age */
	int		 stale_refuse;		/* refuse past it */
	int		 offline;		/* never fetch at login */
	const char	*algs[AKC_ALGS_MAX + 1];	/* NULL-ended */
	char		*algs_storage;
};

/* What akc_decide() concluded, for the log line and for explain. */
struct akc_decision {
	char		*line;		/* the authorized_keys line, or NULL */
	const char	*reason;	/* why not, or NULL */
	const char	*issuer;	/* the token's issuer, if trusted */
	char		*fingerprint;
	char		*subject;
	char		*email;
	char		*jti;
	int		 rule_line;	/* policy line that granted, or 0 */
};

/*
 * Load and check the configuration; every problem is logged with its
 * line number.
 */
int akc_config_load(const char *path, struct akc_config *cfg)
    __attribute__((warn_unused_result));
void akc_config_free(struct akc_config *cfg);

/* The issuer block whose issuer is exactly iss, or NULL. */
const struct akc_issuer *akc_config_issuer(const struct akc_config *cfg,
    const char *iss);

/* Load the policy file; every problem is logged with its line number. */
int akc_policy_load(const char *path, struct akc_policy **out)
    __attribute__((warn_unused_result));

/* The same from text in memory (modified in place); name is for errors. */
int akc_policy_parse(const char *name, char *text, struct akc_policy **out)
    __attribute__((warn_unused_result));
void akc_policy_free(struct akc_policy *pol);

/* The line of the first deny rule that holds for claims, or 0. */
int akc_policy_denied(const struct akc_policy *pol, json_object *claims);

/*
 * The first allow rule whose claim test holds and whose principals
 * include user, unless a deny rule holds: its line number, and its
 * options as written (owned by pol, "" for none). 0 when none grants.
 */
int akc_policy_match(const struct akc_policy *pol, json_object *claims,
    const char *user, const char **options);

/*
 * Turn a rule's options into the text that follows the line's other
 * options: each starts with a comma; identity-env becomes environment=
 * entries for the issuer, sub and email (values outside a safe set are
 * left out). Caller frees *out.
 */
int akc_policy_render_options(const char *options, json_object *claims,
    const char *issuer, char **out) __attribute__((warn_unused_result));

/*
 * A claim's string value, or for email_local and email_domain the part
 * of a verified email; buf holds the local part. NULL if there is none.
 */
const char *akc_claim_string(json_object *claims, const char *name,
    char *buf, size_t buflen);

/*
 * Whether the provider vouches for the email (email_verified true). An
 * absent claim counts as no: Entra ID sends none, and lets users edit it.
 */
int akc_email_verified(json_object *claims);

/* Whether name is a safe POSIX user name, as principals must be. */
int akc_valid_user_name(const char *name);

/*
 * Decide on one login: user, key type and base64 key as sshd passes them
 * as %u %t %k. Fills d; d->line is set only when the login is allowed.
 * Touches the network only for a token whose kid the cache lacks, within
 * fetch_timeout. With trace set, narrates each step there.
 */
int akc_decide(const struct akc_config *cfg, const char *user,
    const char *keytype, const char *keyb64, FILE *trace,
    struct akc_decision *d);

/* The same for a bare token, as explain takes one. */
int akc_decide_token(const struct akc_config *cfg, const char *user,
    const char *token, size_t token_len, FILE *trace,
    struct akc_decision *d);
void akc_decision_free(struct akc_decision *d);

/*
 * Fetch discovery and the JWKS for one issuer (every issuer if NULL)
 * and replace the caches atomically.
 */
int akc_refresh(const struct akc_config *cfg, const struct akc_issuer *only)
    __attribute__((warn_unused_result));

/*
 * At login, for a kid the cache lacks: one fetch shared by concurrent
 * processes through a lock, at most one per fetch_interval, bounded by
 * fetch_timeout. On failure the cached set stays. 0 if the cache changed.
 * Runs in ssh-oauth-authkeys-fetch, which links libcurl.
 */
int akc_fetch_on_miss(const struct akc_config *cfg,
    const struct akc_issuer *iss) __attribute__((warn_unused_result));

/* Path of ssh-oauth-authkeys-fetch, beside this program; caller frees. */
char *akc_fetch_program(void);

/*
 * Run "ssh-oauth-authkeys-fetch miss ISSUER" and wait for it, at most
 * fetch_timeout and a little grace, then kill it. 0 if it succeeded.
 */
int akc_spawn_fetch(const struct akc_config *cfg,
    const struct akc_issuer *iss) __attribute__((warn_unused_result));

#endif /* AKC_H */
