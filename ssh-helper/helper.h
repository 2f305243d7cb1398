/*
 * ssh-oauth, the client helper: shared declarations of its modules.
 *
 * profile.c	the configuration file
 * device.c	discovery, the RFC 8628 device flow and refresh
 * cache.c	the encrypted token cache and its lock
 * prompt.c	what the user sees on stderr, QR code included
 * keys.c	key pairs, certificates and the files ssh reads
 * agent.c	handing a key and certificate to ssh-agent
 */
#ifndef HELPER_H
#define HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Tokens closer than this to expiry are refreshed before use. */
#define HELPER_EXPIRY_MARGIN	60

enum token_kind { TOKEN_ID, TOKEN_ACCESS };

/* When to bind tokens to the sign-in key with DPoP. */
enum dpop_mode {
	DPOP_AUTO,	/* when discovery lists EdDSA for DPoP */
	DPOP_YES,
	DPOP_NO
};

/* How the client authenticates to the device and token endpoints. */
enum client_auth {
	CLIENT_AUTH_UNSET,	/* while loading: not given */
	CLIENT_AUTH_NONE,	/* public client: client_id in the body */
	CLIENT_AUTH_POST,	/* client_id and client_secret in the body */
	CLIENT_AUTH_BASIC	/* HTTP Basic, RFC 6749 section 2.3.1 */
};

struct profile {
	char		*path;
	char		*issuer;
	char		*client_id;
	char		*client_secret;		/* NULL: a public client */
	char		*scopes;
	char		*ca_file;
	char		*device_endpoint;	/* NULL: from discovery */
	char		*token_endpoint;	/* NULL: from discovery */
	enum token_kind	 token_kind;
	enum client_auth client_auth;
	enum dpop_mode	 dpop;
	long		 http_timeout_ms;
	int		 qr;			/* show a QR code: 1 or 0 */
	int		 browser;		/* open the URL (--browser) */
	int		 cache_key_file;	/* keep the cache key in a file,
						   not the kernel key ring */
};

struct tokens {
	char		*access_token;
	char		*id_token;
	char		*refresh_token;
	int64_t		 expires_at;	/* of the token sent to servers */
	int		 has_key;	/* key below is set */
	unsigned char	 key[64];	/* the sign-in key, when DPoP bound
					   the tokens to it; libsodium form */
};


/* The program's directories, created 0700 on demand. */
struct paths {
	char	*cache_dir;	/* $XDG_CACHE_HOME/ssh-oauth */
	char	*key_file;	/* $XDG_DATA_HOME/ssh-oauth/cache.key */
	char	*token_file;	/* cache_dir/tokens-HASH */
	char	*lock_file;	/* cache_dir/tokens-HASH.lock */
};

/* profile.c */
int profile_load(const char *path, struct profile *p)
    __attribute__((warn_unused_result));
void profile_free(struct profile *p);

/* Default configuration path: $SSH_OAUTH_CONFIG, else XDG. */
char *profile_default_path(const char *name);

/* The token servers see, by the profile's choice; NULL if absent. */
const char *tokens_selected(const struct tokens *t, enum token_kind kind);

/*
 * Fill t->expires_at from the selected token's exp claim (decoded, not
 * verified: the server verifies). SOA_ERR_FORMAT if it is not a JWT.
 */
int tokens_set_expiry(struct tokens *t, enum token_kind kind)
    __attribute__((warn_unused_result));
void tokens_free(struct tokens *t);

/* sub and email of a token, decoded, not verified; caller frees both. */
int tokens_identity(const char *token, char **sub, char **email)
    __attribute__((warn_unused_result));

/* device.c */
int device_flow(const struct profile *p, struct tokens *t)
    __attribute__((warn_unused_result));
int device_refresh(const struct profile *p, struct tokens *t)
    __attribute__((warn_unused_result));

/*
 * Revoke the refresh token at the provider's revocation endpoint (RFC
 * 7009); SOA_ERR_NOT_FOUND if it has none. 0 with no refresh token.
 */
int device_revoke(const struct profile *p, struct tokens *t)
    __attribute__((warn_unused_result));

/* dpop.c */
/*
 * A DPoP proof for one request, signed with the sign-in key sk (libsodium
 * form, public key in its second half). nonce may be NULL.
 */
char *dpop_proof(const unsigned char sk[64], const char *method,
    const char *url, const char *nonce);

/* cache.c */
int paths_init(const struct profile *p, struct paths *paths)
    __attribute__((warn_unused_result));
void paths_free(struct paths *paths);

/* Load the cached tokens; SOA_ERR_NOT_FOUND when there are none. */
int cache_load(const struct profile *p, const struct paths *paths,
    struct tokens *t) __attribute__((warn_unused_result));
int cache_store(const struct profile *p, const struct paths *paths,
    const struct tokens *t) __attribute__((warn_unused_result));

/* Take the cross-process lock for this profile's tokens; returns an fd. */
int cache_lock(const struct paths *paths, int *fd)
    __attribute__((warn_unused_result));
void cache_unlock(int fd);

/*
 * Get a token valid for at least HELPER_EXPIRY_MARGIN seconds: from
 * $SSH_OAUTH_TOKEN, the cache, a refresh or a device flow, in that order.
 */
int tokens_obtain(const struct profile *p, struct tokens *t)
    __attribute__((warn_unused_result));

/* prompt.c */
void prompt_show(const struct profile *p, const char *uri,
    const char *uri_complete, const char *user_code, int64_t expires_in);
void prompt_done(const char *what);

/* On a terminal, rewrite the waiting line with the time left. */
void prompt_tick(int64_t seconds_left);

/* keys.c */
struct keypair {
	unsigned char	pk[32];
	unsigned char	sk[64];
};

void keypair_generate(struct keypair *kp);
void keypair_wipe(struct keypair *kp);

/* Make a certificate for kp carrying token, for principal user. */
int keys_certify(const struct keypair *kp, const char *user,
    const char *token, int64_t expires_at, struct buf *cert)
    __attribute__((warn_unused_result));

/* Paths of the key and certificate ssh reads in Match exec mode. */
char *keys_path(const struct paths *paths, const char *user,
    const char *host);

/* Whether the certificate at path is ours, for user, and still fresh. */
int keys_cert_is_fresh(const char *cert_path, const char *user);

/* Write the private key (0600) and certificate files atomically. */
int keys_write(const char *key_path, const struct keypair *kp,
    const struct buf *cert, const char *comment)
    __attribute__((warn_unused_result));

/* agent.c */
/* Start ssh-agent on sock unless one answers there already. */
int agent_start(const char *sock) __attribute__((warn_unused_result));

/* Whether the agent holds a fresh certificate of ours for user. */
int agent_has_fresh_cert(const char *sock, const char *user);
int agent_add(const char *sock, const struct keypair *kp,
    const struct buf *cert, const char *comment, uint32_t lifetime)
    __attribute__((warn_unused_result));

#endif /* HELPER_H */
