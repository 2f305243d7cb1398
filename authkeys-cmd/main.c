/*
 * ssh-oauth-authkeys: sshd's AuthorizedKeysCommand for certificates that
 * carry an OAuth token. sshd reads our stdout as authorized_keys lines
 * and discards stderr, so stdout carries the one granting line or
 * nothing, and every reason goes to syslog (LOG_AUTHPRIV).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "akc.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ssh-oauth-authkeys [-dv] [-f config] user keytype key\n"
	    "       ssh-oauth-authkeys [-dv] [-f config] refresh\n"
	    "       ssh-oauth-authkeys [-dv] [-f config] check\n"
	    "       ssh-oauth-authkeys [-dv] [-f config] explain user "
	    "[file]\n");
	exit(2);
}

/* Log the decision as one line: who, as whom, which rule or why not. */
static void
log_decision(const char *user, const struct akc_decision *d)
{
	char u[80], iss[240], sub[120], email[120], jti[120], rule[32];

	/* Values from the token cannot close their quotes. */
	log_quote(u, sizeof(u), user, 64);
	log_quote(iss, sizeof(iss), d->issuer, 200);
	log_quote(sub, sizeof(sub), d->subject, 100);
	log_quote(email, sizeof(email), d->email, 100);
	log_quote(jti, sizeof(jti), d->jti, 100);
	snprintf(rule, sizeof(rule), "rule line %d", d->rule_line);
	logit("%s user \"%s\" issuer \"%s\" sub \"%s\" email \"%s\" "
	    "%s%s%s key %s jti \"%s\"", d->line != NULL ? "accept" : "refuse",
	    u, iss, sub, email, d->line != NULL ? rule : "reason \"",
	    d->line != NULL ? "" : (d->reason ? d->reason : "unknown"),
	    d->line != NULL ? "" : "\"",
	    d->fingerprint ? d->fingerprint : "-", jti);
}

/* refresh lives in the fetch program, which alone links libcurl. */
static int
run_refresh(const char *config_path, int verbosity)
{
	char *prog, *argv[5];
	int argc = 0;

	if ((prog = akc_fetch_program()) == NULL) {
		error("cannot locate ssh-oauth-authkeys-fetch");
		return SOA_ERR_IO;
	}
	argv[argc++] = prog;
	if (verbosity > 0)
		argv[argc++] = (char *)"-v";
	argv[argc++] = (char *)"-f";
	argv[argc++] = (char *)config_path;
	argv[argc++] = (char *)"refresh";
	argv[argc] = NULL;
	execv(prog, argv);
	error("cannot run %s: %s", prog, strerror(errno));
	free(prog);
	return SOA_ERR_IO;
}

/* check: configuration, every policy, the caches and our own path. */
static int
cmd_check(const struct akc_config *cfg)
{
	struct akc_policy *pol;
	const struct akc_issuer *iss;
	const char *why;
	char self[4096];
	ssize_t n;
	size_t i;
	int r, status = 0;

	for (i = 0; i < cfg->nissuers; i++) {
		iss = &cfg->issuers[i];
		if ((r = akc_policy_load(iss->policy_path, &pol)) != 0)
			status = r;
		akc_policy_free(pol);
		if (access(iss->jwks_file != NULL ? iss->jwks_file :
		    iss->jwks_cache, R_OK) != 0)
			error("%s: no key set yet for \"%.200s\"; run "
			    "ssh-oauth-authkeys refresh", iss->jwks_file ?
			    iss->jwks_file : iss->jwks_cache, iss->issuer);
	}

	/* sshd refuses a command in a directory others could write to. */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if (util_check_root_path(self, &why) != 0) {
			error("%s: sshd will refuse to run it: %s", self, why);
			status = SOA_ERR_PERM;
		}
	}
	if (status == 0)
		printf("%s: configuration and policy are valid\n", cfg->path);
	return status;
}

/* Read fd to its end, within the buffer's cap. */
static int
read_all(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	int r;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return SOA_ERR_IO;
		if ((r = buf_put(b, chunk, (size_t)n)) != 0)
			return r;
	}
	return 0;
}

/* explain: the decision for a certificate line, a key blob or a token. */
static int
cmd_explain(const struct akc_config *cfg, const char *user, const char *path)
{
	struct akc_decision d;
	struct buf b;
	const char *text;
	char *in, *second;
	int fd;
	size_t type_len = strlen("ssh-ed25519-cert-v01@openssh.com");
	int r;

	buf_init(&b, 256 * 1024);
	memset(&d, 0, sizeof(d));
	/* Input, not configuration: a pipe or /dev/stdin will do. */
	if (path == NULL || strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		error("%s: %s", path, strerror(errno));
		r = SOA_ERR_IO;
		goto out;
	}
	r = read_all(fd, &b);
	if (fd != STDIN_FILENO)
		close(fd);
	if (r != 0 || buf_cstring(&b, &text) != 0) {
		error("%s: %s", path ? path : "stdin", r == SOA_ERR_LIMIT ?
		    "too large" : "unreadable, or holds a NUL byte");
		r = SOA_ERR_IO;
		goto out;
	}

	/* A "-cert.pub" line, a bare base64 blob, or a token. */
	in = (char *)b.data;
	in += strspn(in, " \t\r\n");
	in[strcspn(in, "\r\n")] = '\0';
	if (strncmp(in, "ssh-ed25519-cert-v01@openssh.com ", type_len + 1) ==
	    0) {
		second = in + type_len + 1;
		second[strcspn(second, " ")] = '\0';
		r = akc_decide(cfg, user, "ssh-ed25519-cert-v01@openssh.com",
		    second, stdout, &d);
	} else if (strncmp(in, "AAAA", 4) == 0)
		r = akc_decide(cfg, user, "ssh-ed25519-cert-v01@openssh.com",
		    in, stdout, &d);
	else
		r = akc_decide_token(cfg, user, in, strlen(in), stdout, &d);
	if (r == 0 && d.line != NULL)
		printf("verdict    allow; sshd receives:\n%s\n", d.line);
	else if (r == 0)
		printf("verdict    the token would allow \"%s\" (line %d)\n",
		    user, d.rule_line);
	else
		printf("verdict    refuse: %s\n", d.reason ? d.reason :
		    soa_err(r));
 out:
	akc_decision_free(&d);
	buf_free(&b);
	return r;
}

int
main(int argc, char **argv)
{
	struct akc_config cfg;
	struct akc_decision d;
	const char *config_path = AKC_CONFIG_DEFAULT;
	int ch, verbosity = 0, sinks = LOG_TO_SYSLOG, r = SOA_ERR_INTERNAL;

	/* Same start as every program here: fds, logging, options. */
	util_sanitise_stdfd();
	memset(&cfg, 0, sizeof(cfg));
	memset(&d, 0, sizeof(d));
	log_init("ssh-oauth-authkeys", LOG_LEVEL_INFO, sinks);
	while ((ch = getopt(argc, argv, "df:v")) != -1) {
		switch (ch) {
		case 'd':
			sinks |= LOG_TO_STDERR;
			log_init("ssh-oauth-authkeys", LOG_LEVEL_INFO, sinks);
			break;
		case 'f':
			config_path = optarg;
			break;
		case 'v':
			log_more_verbose();
			verbosity++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	/* Run by hand, not by sshd: the admin wants to see what happens. */
	if (argc >= 1 && (strcmp(argv[0], "check") == 0 ||
	    strcmp(argv[0], "refresh") == 0 || strcmp(argv[0], "explain") == 0))
		log_init("ssh-oauth-authkeys", LOG_LEVEL_INFO,
		    sinks | LOG_TO_STDERR);
	if (sodium_init() < 0) {
		error("libsodium failed to initialise");
		return 1;
	}

	/*
	 * Verifying needs no engines or providers from openssl.cnf, and
	 * reading it is a sizeable part of each login's cost.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);

	/* The configuration is needed by every mode. */
	if ((r = akc_config_load(config_path, &cfg)) != 0)
		goto out;
	if (argc == 1 && strcmp(argv[0], "refresh") == 0)
		r = run_refresh(config_path, verbosity);
	else if (argc == 1 && strcmp(argv[0], "check") == 0)
		r = cmd_check(&cfg);
	else if ((argc == 2 || argc == 3) && strcmp(argv[0], "explain") == 0)
		r = cmd_explain(&cfg, argv[1], argc == 3 ? argv[2] : NULL);
	else if (argc == 3) {
		/* The login itself: print the line only on an explicit yes. */
		r = akc_decide(&cfg, argv[0], argv[1], argv[2], NULL, &d);
		log_decision(argv[0], &d);
		if (r == 0 && d.line != NULL) {
			if (printf("%s\n", d.line) < 0 || fflush(stdout) != 0)
				r = SOA_ERR_IO;
		} else if (r == 0)
			r = SOA_ERR_DENIED;
	} else
		usage();
 out:
	akc_decision_free(&d);
	akc_config_free(&cfg);
	return r == 0 ? 0 : 1;
}
