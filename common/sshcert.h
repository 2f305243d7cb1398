/*
 * OpenSSH Ed25519 user certificates (PROTOCOL.certkeys) that carry an
 * OAuth token in an extension, written and read by the project's own
 * wire-format code.
 *
 * The client signs the certificate with the certified key itself; the
 * server prints that key as a cert-authority, so the certificate is
 * self-signed on purpose. sshcert_parse() checks the layout, refuses
 * anything unexpected (critical options, repeated extensions, trailing
 * bytes, a signer other than the certified key) and verifies the
 * signature, so what it returns is at least internally consistent.
 */
#ifndef SOA_SSHCERT_H
#define SOA_SSHCERT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SSHCERT_TYPE_NAME	"ssh-ed25519-cert-v01@openssh.com"
#define SSHKEY_TYPE_NAME	"ssh-ed25519"
#define SSHCERT_TOKEN_EXT	"oauth-token@ssh-oauth"
#define SSHCERT_USER		1
#define SSHCERT_BLOB_MAX	(64 * 1024)
#define SSHCERT_PRINCIPALS_MAX	256

struct sshcert_req {
	const unsigned char	*pk;		/* 32-byte public key */
	const unsigned char	*sk;		/* 64-byte libsodium secret */
	const char		*key_id;
	const char		*principal;
	uint64_t		 valid_after;
	uint64_t		 valid_before;
	const char		*token;
	size_t			 token_len;
};

struct sshcert {
	unsigned char	  key[32];		/* certified = signing key */
	uint64_t	  serial;
	uint32_t	  type;
	char		 *key_id;
	char		**principals;
	size_t		  nprincipals;
	uint64_t	  valid_after;
	uint64_t	  valid_before;
	char		 *token;		/* NUL-terminated */
	size_t		  token_len;
};

/* Write a signed certificate blob into out. */
int sshcert_create(const struct sshcert_req *req, struct buf *out)
    __attribute__((warn_unused_result));

/*
 * Parse and check a certificate blob. On failure *why names the problem
 * (a static string). Caller frees *out with sshcert_free().
 */
int sshcert_parse(const unsigned char *blob, size_t len,
    struct sshcert **out, const char **why)
    __attribute__((warn_unused_result));
void sshcert_free(struct sshcert *cert);

/* Append the plain "ssh-ed25519" public key blob for pk. */
int sshkey_put_ed25519(struct buf *b, const unsigned char pk[32])
    __attribute__((warn_unused_result));

/*
 * The "ssh-ed25519 BASE64" authorized_keys form of pk, and its
 * "SHA256:..." fingerprint, as new strings the caller frees.
 */
int sshkey_ed25519_line(const unsigned char pk[32], char **line)
    __attribute__((warn_unused_result));
int sshkey_ed25519_fingerprint(const unsigned char pk[32], char **fp)
    __attribute__((warn_unused_result));

#endif /* SOA_SSHCERT_H */
