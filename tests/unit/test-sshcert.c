/*
 * Ed25519 user certificates carrying a token: round trips through
 * sshcert_create() and sshcert_parse(), agreement with ssh-keygen, and
 * a blob builder of our own that varies one field at a time to check
 * that the parser refuses every layout it should.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "sshcert.h"
#include "unit.h"
#include "util.h"

#define TOKEN		"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2ln"
#define PRINCIPAL	"alice"
#define KEY_ID		"alice@idp.example"
#define VALID_AFTER	1700000000ULL
#define VALID_BEFORE	1700003600ULL

static char		 tmpdir[] = "/tmp/test-sshcert.XXXXXX";
static unsigned char	 pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char	 sk[crypto_sign_SECRETKEYBYTES];
static unsigned char	 other_pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char	 other_sk[crypto_sign_SECRETKEYBYTES];

/* Every field of a certificate, so a case can change any one of them. */
struct spec {
	const char		*type;
	size_t			 pk_len;
	uint32_t		 cert_type;
	const char		*key_id;
	uint32_t		 key_id_len;	/* 0: the real length */
	const char		*principal;
	size_t			 principal_len;
	const char		*crit[2];	/* names; token data if ours */
	const char		*ext[8];
	int			 token_unwrapped;
	const char		*token;
	size_t			 token_len;
	int			 token_extra;	/* a byte after the token */
	const char		*reserved;
	const unsigned char	*sig_pk;	/* the signature key field */
	int			 sig_pk_extra;
	const unsigned char	*sign_sk;	/* who really signs */
	const char		*sig_type;
	size_t			 sig_len;
};

static void
spec_default(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->type = SSHCERT_TYPE_NAME;
	s->pk_len = 32;
	s->cert_type = SSHCERT_USER;
	s->key_id = KEY_ID;
	s->principal = PRINCIPAL;
	s->principal_len = strlen(PRINCIPAL);
	s->ext[0] = SSHCERT_TOKEN_EXT;
	s->ext[1] = "permit-X11-forwarding";
	s->ext[2] = "permit-agent-forwarding";
	s->ext[3] = "permit-port-forwarding";
	s->ext[4] = "permit-pty";
	s->ext[5] = "permit-user-rc";
	s->token = TOKEN;
	s->token_len = strlen(TOKEN);
	s->reserved = "";
	s->sig_pk = pk;
	s->sign_sk = sk;
	s->sig_type = SSHKEY_TYPE_NAME;
	s->sig_len = crypto_sign_BYTES;
}

static void
check(int r)
{
	if (r != 0) {
		fprintf(stderr, "blob builder: %d\n", r);
		abort();
	}
}

/* Options or extensions: name, then data (the token wrapped, or empty). */
static void
put_options(struct buf *b, const struct spec *s, const char *const *names,
    size_t n)
{
	struct buf list, data;
	size_t i;

	buf_init(&list, SSHCERT_BLOB_MAX);
	for (i = 0; i < n && names[i] != NULL; i++) {
		buf_init(&data, SSHCERT_BLOB_MAX);
		check(buf_put_cstring(&list, names[i]));
		if (strcmp(names[i], SSHCERT_TOKEN_EXT) == 0) {
			if (s->token_unwrapped)
				check(buf_put(&data, s->token, s->token_len));
			else
				check(buf_put_string(&data, s->token,
				    s->token_len));
			if (s->token_extra)
				check(buf_put_u8(&data, 0));
		}
		check(buf_put_string(&list, data.data, data.len));
		buf_free(&data);
	}
	check(buf_put_string(b, list.data, list.len));
	buf_free(&list);
}

/* Write the certificate the spec describes into b, signed. */
static void
build(const struct spec *s, struct buf *b)
{
	unsigned char nonce[32], sig[crypto_sign_BYTES];
	struct buf tmp;
	size_t len;

	memset(nonce, 0xa5, sizeof(nonce));
	buf_init(b, SSHCERT_BLOB_MAX);
	check(buf_put_cstring(b, s->type));
	check(buf_put_string(b, nonce, sizeof(nonce)));
	check(buf_put_string(b, pk, s->pk_len));
	check(buf_put_u64(b, 42));
	check(buf_put_u32(b, s->cert_type));
	len = strlen(s->key_id);
	check(buf_put_u32(b, s->key_id_len != 0 ? s->key_id_len :
	    (uint32_t)len));
	check(buf_put(b, s->key_id, len));

	/* Principals: one packed string. */
	buf_init(&tmp, 1024);
	check(buf_put_string(&tmp, s->principal, s->principal_len));
	check(buf_put_string(b, tmp.data, tmp.len));
	buf_free(&tmp);

	check(buf_put_u64(b, VALID_AFTER));
	check(buf_put_u64(b, VALID_BEFORE));
	put_options(b, s, s->crit, 2);
	put_options(b, s, s->ext, 8);
	check(buf_put_cstring(b, s->reserved));

	/* The signature key, then the signature over all of the above. */
	buf_init(&tmp, 1024);
	check(buf_put_cstring(&tmp, SSHKEY_TYPE_NAME));
	check(buf_put_string(&tmp, s->sig_pk, 32));
	if (s->sig_pk_extra)
		check(buf_put_u8(&tmp, 0));
	check(buf_put_string(b, tmp.data, tmp.len));
	buf_free(&tmp);
	crypto_sign_detached(sig, NULL, b->data, b->len, s->sign_sk);
	buf_init(&tmp, 1024);
	check(buf_put_cstring(&tmp, s->sig_type));
	check(buf_put_string(&tmp, sig, s->sig_len));
	check(buf_put_string(b, tmp.data, tmp.len));
	buf_free(&tmp);
}

enum mutation {
	MUT_NONE,
	MUT_TRAILING_BYTE,
	MUT_KEY_ID_PAST_END,
	MUT_SIGNATURE_PAST_END,
	MUT_TYPE_RSA,
	MUT_TYPE_PLAIN_KEY,
	MUT_TYPE_CASE,
	MUT_FLIP_NONCE,
	MUT_FLIP_VALIDITY,
	MUT_FLIP_SIGNATURE,
	MUT_TOKEN_TWICE,
	MUT_EXT_OUT_OF_ORDER,
	MUT_EXT_REPEATED,
	MUT_TOKEN_CRITICAL,
	MUT_CRITICAL_OPTION,
	MUT_OTHER_SIGNER,
	MUT_SIGNED_BY_OTHER,
	MUT_HOST_CERT,
	MUT_RESERVED,
	MUT_TOKEN_UNWRAPPED,
	MUT_TOKEN_EMPTY,
	MUT_TOKEN_NUL,
	MUT_TOKEN_EXTRA,
	MUT_SHORT_KEY,
	MUT_SIG_TYPE,
	MUT_SIG_SHORT,
	MUT_SIG_KEY_EXTRA,
	MUT_PRINCIPAL_NUL,
	MUT_NO_TOKEN
};

struct cert_case {
	const char	*name;
	enum mutation	 mutation;
	int		 want;
};

static const struct cert_case cert_cases[] = {
	{ "the test's own builder makes a certificate that parses",
	    MUT_NONE, 0 },
	{ "a certificate without the token extension parses, token NULL",
	    MUT_NO_TOKEN, 0 },
	{ "one trailing byte is refused", MUT_TRAILING_BYTE,
	    SOA_ERR_FORMAT },
	{ "a key id length pointing past the end is refused",
	    MUT_KEY_ID_PAST_END, SOA_ERR_FORMAT },
	{ "a signature length pointing past the end is refused",
	    MUT_SIGNATURE_PAST_END, SOA_ERR_FORMAT },
	{ "an RSA certificate type is refused", MUT_TYPE_RSA,
	    SOA_ERR_FORMAT },
	{ "a plain key type instead of a certificate is refused",
	    MUT_TYPE_PLAIN_KEY, SOA_ERR_FORMAT },
	{ "a certificate type differing in case is refused", MUT_TYPE_CASE,
	    SOA_ERR_FORMAT },
	{ "a flipped bit in the nonce fails the signature", MUT_FLIP_NONCE,
	    SOA_ERR_SIGNATURE },
	{ "a flipped bit in valid_before fails the signature",
	    MUT_FLIP_VALIDITY, SOA_ERR_SIGNATURE },
	{ "a flipped bit in the signature fails it", MUT_FLIP_SIGNATURE,
	    SOA_ERR_SIGNATURE },
	{ "the token extension given twice is refused", MUT_TOKEN_TWICE,
	    SOA_ERR_FORMAT },
	{ "extensions out of order are refused", MUT_EXT_OUT_OF_ORDER,
	    SOA_ERR_FORMAT },
	{ "another extension given twice is refused", MUT_EXT_REPEATED,
	    SOA_ERR_FORMAT },
	{ "the token as a critical option instead of an extension is refused",
	    MUT_TOKEN_CRITICAL, SOA_ERR_FORMAT },
	{ "a force-command critical option is refused", MUT_CRITICAL_OPTION,
	    SOA_ERR_FORMAT },
	{ "a certificate signed by a different Ed25519 key is refused",
	    MUT_OTHER_SIGNER, SOA_ERR_FORMAT },
	{ "a signature by another key under the certified key is refused",
	    MUT_SIGNED_BY_OTHER, SOA_ERR_SIGNATURE },
	{ "a host certificate (type 2) is refused", MUT_HOST_CERT,
	    SOA_ERR_FORMAT },
	{ "a non-empty reserved field is refused", MUT_RESERVED,
	    SOA_ERR_FORMAT },
	{ "token extension data that is not one string is refused",
	    MUT_TOKEN_UNWRAPPED, SOA_ERR_FORMAT },
	{ "an empty token is refused", MUT_TOKEN_EMPTY, SOA_ERR_FORMAT },
	{ "a token holding a NUL byte is refused", MUT_TOKEN_NUL,
	    SOA_ERR_FORMAT },
	{ "a byte after the token in its extension is refused",
	    MUT_TOKEN_EXTRA, SOA_ERR_FORMAT },
	{ "a 31-byte public key is refused", MUT_SHORT_KEY, SOA_ERR_FORMAT },
	{ "a signature of another type is refused", MUT_SIG_TYPE,
	    SOA_ERR_FORMAT },
	{ "a 63-byte signature is refused", MUT_SIG_SHORT, SOA_ERR_FORMAT },
	{ "a signature key blob with a trailing byte is refused",
	    MUT_SIG_KEY_EXTRA, SOA_ERR_FORMAT },
	{ "a principal holding a NUL byte is refused", MUT_PRINCIPAL_NUL,
	    SOA_ERR_FORMAT },
};

/* Offsets in the default layout, for the edits made after signing. */
#define OFF_NONCE	(4 + sizeof(SSHCERT_TYPE_NAME) - 1 + 4)
#define OFF_KEY_ID_LEN	(OFF_NONCE + 32 + 4 + 32 + 8 + 4)

static void
flip(struct buf *b, size_t off)
{
	if (off >= b->len)
		abort();
	b->data[off] ^= 0x01;
}

/* Make the blob for a case: change the spec, build, then edit bytes. */
static void
make_case(enum mutation m, struct buf *b)
{
	static const char nul_token[] = "eyJ\0.x.y";
	static const char nul_principal[] = "ali\0ce";
	struct spec s;
	uint32_t len;

	spec_default(&s);
	switch (m) {
	case MUT_TYPE_RSA:
		s.type = "ssh-rsa-cert-v01@openssh.com";
		break;
	case MUT_TYPE_PLAIN_KEY:
		s.type = SSHKEY_TYPE_NAME;
		break;
	case MUT_TYPE_CASE:
		s.type = "SSH-ED25519-CERT-V01@OPENSSH.COM";
		break;
	case MUT_KEY_ID_PAST_END:
		s.key_id_len = 0x7fffff00;
		break;
	case MUT_TOKEN_TWICE:
		s.ext[1] = SSHCERT_TOKEN_EXT;
		break;
	case MUT_EXT_OUT_OF_ORDER:
		s.ext[0] = "permit-pty";
		s.ext[1] = SSHCERT_TOKEN_EXT;
		s.ext[2] = NULL;
		break;
	case MUT_EXT_REPEATED:
		s.ext[5] = "permit-pty";
		break;
	case MUT_TOKEN_CRITICAL:
		s.crit[0] = SSHCERT_TOKEN_EXT;
		s.ext[0] = "permit-pty";
		s.ext[1] = NULL;
		break;
	case MUT_CRITICAL_OPTION:
		s.crit[0] = "force-command";
		break;
	case MUT_OTHER_SIGNER:
		s.sig_pk = other_pk;
		s.sign_sk = other_sk;
		break;
	case MUT_SIGNED_BY_OTHER:
		s.sign_sk = other_sk;
		break;
	case MUT_HOST_CERT:
		s.cert_type = 2;
		break;
	case MUT_RESERVED:
		s.reserved = "x";
		break;
	case MUT_TOKEN_UNWRAPPED:
		s.token_unwrapped = 1;
		break;
	case MUT_TOKEN_EMPTY:
		s.token_len = 0;
		break;
	case MUT_TOKEN_NUL:
		s.token = nul_token;
		s.token_len = sizeof(nul_token) - 1;
		break;
	case MUT_TOKEN_EXTRA:
		s.token_extra = 1;
		break;
	case MUT_SHORT_KEY:
		s.pk_len = 31;
		break;
	case MUT_SIG_TYPE:
		s.sig_type = "rsa-sha2-256";
		break;
	case MUT_SIG_SHORT:
		s.sig_len = crypto_sign_BYTES - 1;
		break;
	case MUT_SIG_KEY_EXTRA:
		s.sig_pk_extra = 1;
		break;
	case MUT_PRINCIPAL_NUL:
		s.principal = nul_principal;
		s.principal_len = sizeof(nul_principal) - 1;
		break;
	case MUT_NO_TOKEN:
		s.ext[0] = "permit-pty";
		s.ext[1] = NULL;
		break;
	default:
		break;
	}
	build(&s, b);

	/* Edits after signing. */
	switch (m) {
	case MUT_TRAILING_BYTE:
		check(buf_put_u8(b, 0));
		break;
	case MUT_SIGNATURE_PAST_END:
		/* The last field is the signature: its length is 4+11+4+64. */
		len = 4 + 11 + 4 + 64 + 1;
		b->data[b->len - 83 - 4] = (unsigned char)(len >> 24);
		b->data[b->len - 83 - 3] = (unsigned char)(len >> 16);
		b->data[b->len - 83 - 2] = (unsigned char)(len >> 8);
		b->data[b->len - 83 - 1] = (unsigned char)len;
		break;
	case MUT_FLIP_NONCE:
		flip(b, OFF_NONCE + 4);
		break;
	case MUT_FLIP_VALIDITY:
		/* valid_before sits 8 bytes before the criticals' length. */
		flip(b, OFF_KEY_ID_LEN + 4 + strlen(KEY_ID) + 4 + 4 +
		    strlen(PRINCIPAL) + 8 + 7);
		break;
	case MUT_FLIP_SIGNATURE:
		flip(b, b->len - 10);
		break;
	default:
		break;
	}
}

static void
test_cert_case(const struct cert_case *t)
{
	struct sshcert *cert = (struct sshcert *)1;
	const char *why = NULL;
	unsigned char *copy;
	struct buf b;
	int r;

	TEST_START(t->name);
	make_case(t->mutation, &b);

	/* An exact-size copy so an over-read shows up under valgrind. */
	if ((copy = malloc(b.len)) == NULL)
		abort();
	memcpy(copy, b.data, b.len);
	r = sshcert_parse(copy, b.len, &cert, &why);
	ASSERT_INT_EQ(r, t->want);
	if (r == 0) {
		ASSERT_PTR_NULL(why);
		if (ASSERT_PTR_NOTNULL(cert)) {
			if (t->mutation == MUT_NO_TOKEN)
				ASSERT_PTR_NULL(cert->token);
			else
				ASSERT_STR_EQ(cert->token, TOKEN);
		}
		sshcert_free(cert);
	} else {
		ASSERT_PTR_NULL(cert);
		ASSERT_PTR_NOTNULL(why);
		if ((r != t->want || getenv("UNIT_VERBOSE") != NULL) &&
		    why != NULL)
			fprintf(stderr, "\treason: %s\n", why);
	}
	free(copy);
	buf_free(&b);
	TEST_DONE();
}

static void
make_cert(const char *token, size_t token_len, struct buf *b, int *r)
{
	struct sshcert_req req;

	memset(&req, 0, sizeof(req));
	req.pk = pk;
	req.sk = sk;
	req.key_id = KEY_ID;
	req.principal = PRINCIPAL;
	req.valid_after = VALID_AFTER;
	req.valid_before = VALID_BEFORE;
	req.token = token;
	req.token_len = token_len;
	buf_init(b, SSHCERT_BLOB_MAX);
	*r = sshcert_create(&req, b);
}

static void
test_round_trip(const char *name, size_t token_len)
{
	struct sshcert *cert = NULL;
	const char *why = NULL;
	char *token;
	struct buf b;
	size_t i;
	int r;

	if ((token = malloc(token_len + 1)) == NULL)
		abort();
	for (i = 0; i < token_len; i++)
		token[i] = "abcdefghijklmnopqrstuvwxyz.-_"[i % 29];
	token[token_len] = '\0';

	TEST_START(name);
	make_cert(token, token_len, &b, &r);
	if (!ASSERT_INT_EQ(r, 0))
		goto out;
	r = sshcert_parse(b.data, b.len, &cert, &why);
	if (!ASSERT_INT_EQ(r, 0) || !ASSERT_PTR_NOTNULL(cert)) {
		fprintf(stderr, "\treason: %s\n", why != NULL ? why : "?");
		goto out;
	}
	ASSERT_MEM_EQ(cert->key, pk, 32);
	ASSERT_INT_EQ(cert->type, SSHCERT_USER);
	ASSERT_INT_EQ(cert->serial, 0);
	ASSERT_STR_EQ(cert->key_id, KEY_ID);
	if (ASSERT_INT_EQ(cert->nprincipals, 1))
		ASSERT_STR_EQ(cert->principals[0], PRINCIPAL);
	ASSERT_INT_EQ(cert->valid_after, VALID_AFTER);
	ASSERT_INT_EQ(cert->valid_before, VALID_BEFORE);
	ASSERT_INT_EQ(cert->token_len, token_len);
	ASSERT_STR_EQ(cert->token, token);
 out:
	sshcert_free(cert);
	buf_free(&b);
	free(token);
	TEST_DONE();
}

static void
test_limits(void)
{
	struct sshcert *cert = NULL;
	unsigned char *big;
	const char *why;
	char *token;
	struct buf b;
	int r;

	TEST_START("a token too large for a certificate is refused");
	if ((token = malloc(70000)) == NULL)
		abort();
	memset(token, 'a', 70000);
	make_cert(token, 70000, &b, &r);
	ASSERT_INT_EQ(r, SOA_ERR_LIMIT);
	buf_free(&b);
	free(token);
	TEST_DONE();

	TEST_START("a blob over SSHCERT_BLOB_MAX is refused before parsing");
	if ((big = calloc(1, SSHCERT_BLOB_MAX + 1)) == NULL)
		abort();
	ASSERT_INT_EQ(sshcert_parse(big, SSHCERT_BLOB_MAX + 1, &cert, &why),
	    SOA_ERR_LIMIT);
	ASSERT_PTR_NULL(cert);
	free(big);
	TEST_DONE();
}

/* Every proper prefix of a good certificate must fail cleanly. */
static void
test_truncations(void)
{
	struct sshcert *cert;
	const char *why;
	unsigned char *copy;
	struct buf b;
	size_t n, bad = 0;
	int r;

	TEST_START("every truncation of a valid certificate is refused");
	make_cert(TOKEN, strlen(TOKEN), &b, &r);
	if (!ASSERT_INT_EQ(r, 0))
		goto out;
	for (n = 0; n < b.len; n++) {
		cert = NULL;
		if ((copy = malloc(n + 1)) == NULL)
			abort();
		memcpy(copy, b.data, n);
		r = sshcert_parse(copy, n, &cert, &why);
		if (r == 0 || cert != NULL || why == NULL) {
			if (bad++ == 0)
				fprintf(stderr, "\tfirst bad length %zu\n", n);
			sshcert_free(cert);
		}
		free(copy);
	}
	ASSERT_INT_EQ(bad, 0);
 out:
	buf_free(&b);
	TEST_DONE();
}

/* Run cmd and return its output (up to a few KB); NULL if it failed. */
static char *
run(const char *cmd)
{
	char out[8192];
	size_t n = 0, got;
	FILE *f;

	if ((f = popen(cmd, "r")) == NULL)
		return NULL;
	while (n < sizeof(out) - 1 &&
	    (got = fread(out + n, 1, sizeof(out) - 1 - n, f)) > 0)
		n += got;
	out[n] = '\0';
	if (pclose(f) != 0) {
		fprintf(stderr, "\t%s failed; output:\n%s\n", cmd, out);
		return NULL;
	}
	return util_xstrdup(out);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static void
test_ssh_keygen(void)
{
	char *b64 = NULL, *line, *path, *cmd, *out;
	struct buf b;
	int r;

	TEST_START("ssh-keygen -L reads our certificate");
	make_cert(TOKEN, strlen(TOKEN), &b, &r);
	if (!ASSERT_INT_EQ(r, 0) ||
	    !ASSERT_INT_EQ(b64_encode(b.data, b.len, &b64), 0))
		goto out;
	path = util_xasprintf("%s/id_ed25519-cert.pub", tmpdir);
	line = util_xasprintf("%s %s test\n", SSHCERT_TYPE_NAME, b64);
	write_file(path, line);
	cmd = util_xasprintf("ssh-keygen -L -f %s 2>&1", path);
	out = run(cmd);
	if (ASSERT_PTR_NOTNULL(out)) {
		ASSERT_PTR_NOTNULL(strstr(out, "user certificate"));
		ASSERT_PTR_NOTNULL(strstr(out, "\n                " PRINCIPAL
		    "\n"));
		ASSERT_PTR_NOTNULL(strstr(out, "Key ID: \"" KEY_ID "\""));
		ASSERT_PTR_NOTNULL(strstr(out, SSHCERT_TOKEN_EXT));
		ASSERT_PTR_NOTNULL(strstr(out, "permit-pty"));
		ASSERT_PTR_NOTNULL(strstr(out, "Critical Options: (none)"));
	}
	unlink(path);
	free(out);
	free(cmd);
	free(line);
	free(path);
 out:
	free(b64);
	buf_free(&b);
	TEST_DONE();
}

static void
test_fingerprint(void)
{
	char *line = NULL, *fp = NULL, *path, *text, *cmd, *out;
	char theirs[128];

	TEST_START("our fingerprint equals the one ssh-keygen -l prints");
	if (!ASSERT_INT_EQ(sshkey_ed25519_line(pk, &line), 0) ||
	    !ASSERT_INT_EQ(sshkey_ed25519_fingerprint(pk, &fp), 0))
		goto out;
	ASSERT_INT_EQ(strncmp(line, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA",
	    36), 0);
	path = util_xasprintf("%s/id_ed25519.pub", tmpdir);
	text = util_xasprintf("%s test\n", line);
	write_file(path, text);
	cmd = util_xasprintf("ssh-keygen -E sha256 -l -f %s", path);
	out = run(cmd);
	if (ASSERT_PTR_NOTNULL(out) &&
	    ASSERT_INT_EQ(sscanf(out, "256 %127s ", theirs), 1))
		ASSERT_STR_EQ(fp, theirs);
	unlink(path);
	free(out);
	free(cmd);
	free(text);
	free(path);
 out:
	free(line);
	free(fp);
	TEST_DONE();
}

int
main(void)
{
	size_t i;

	if (sodium_init() < 0 || mkdtemp(tmpdir) == NULL) {
		perror("setup");
		return 1;
	}
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(other_pk, other_sk);

	test_round_trip("a certificate round-trips through create and parse",
	    strlen(TOKEN));
	test_round_trip("a certificate with a 16 KB token round-trips",
	    16 * 1024);
	test_limits();
	test_truncations();
	for (i = 0; i < sizeof(cert_cases) / sizeof(cert_cases[0]); i++)
		test_cert_case(&cert_cases[i]);
	test_ssh_keygen();
	test_fingerprint();

	rmdir(tmpdir);
	return TEST_EXIT();
}
