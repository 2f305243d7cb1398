/*
 * ssh-oauth-authkeys: sshd's AuthorizedKeysCommand for certificates that
 * carry an OAuth token. sshd reads our stdout as authorized_keys lines
 * and discards stderr, so stdout carries the one granting line or
 * nothing, and every reason goes to syslog (LOG_AUTHPRIV).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "akc.h"
#include "err.h"
#include "log.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ssh-oauth-authkeys [-dv] [-f config] user keytype key\n"
	    "       ssh-oauth-authkeys [-dv] [-f config] refresh\n"
	    "       ssh-oauth-authkeys [-dv] [-f config] check\n");
	exit(2);
}

/* Log the decision as one line: who, as whom, which rule or why not. */
static void
log_decision(const struct akc_config *cfg, const char *user,
    const struct akc_decision *d)
{
	if (d->line != NULL)
		logit("accept user \"%.64s\" issuer \"%.200s\" sub \"%.100s\" "
		    "email \"%.100s\" rule line %d key %s jti \"%.100s\"",
		    user, cfg->issuer, d->subject ? d->subject : "",
		    d->email ? d->email : "", d->rule_line,
		    d->fingerprint ? d->fingerprint : "-",
		    d->jti ? d->jti : "");
	else
		logit("refuse user \"%.64s\" issuer \"%.200s\" sub \"%.100s\" "
		    "email \"%.100s\" reason \"%s\" key %s jti \"%.100s\"",
		    user, cfg->issuer, d->subject ? d->subject : "",
		    d->email ? d->email : "", d->reason ? d->reason : "unknown",
		    d->fingerprint ? d->fingerprint : "-",
		    d->jti ? d->jti : "");
}

int
main(int argc, char **argv)
{
	struct akc_config cfg;
	struct akc_policy *pol = NULL;
	struct akc_decision d;
	const char *config_path = AKC_CONFIG_DEFAULT;
	int ch, sinks = LOG_TO_SYSLOG, r = SOA_ERR_INTERNAL;

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
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	/* Run by hand, not by sshd: the admin wants to see what happens. */
	if (argc == 1 && (strcmp(argv[0], "check") == 0 ||
	    strcmp(argv[0], "refresh") == 0))
		log_init("ssh-oauth-authkeys", LOG_LEVEL_INFO,
		    sinks | LOG_TO_STDERR);
	if (sodium_init() < 0) {
		error("libsodium failed to initialise");
		return 1;
	}

	/* The configuration is needed by every mode. */
	if ((r = akc_config_load(config_path, &cfg)) != 0)
		goto out;
	if (argc == 1 && strcmp(argv[0], "refresh") == 0) {
		r = akc_refresh(&cfg);
		goto out;
	}
	if ((r = akc_policy_load(cfg.policy_path, &pol)) != 0)
		goto out;
	if (argc == 1 && strcmp(argv[0], "check") == 0) {
		printf("%s: configuration and policy are valid\n", config_path);
		r = 0;
		goto out;
	}
	if (argc != 3)
		usage();

	/* The login itself: print the line only on an explicit yes. */
	r = akc_decide(&cfg, pol, argv[0], argv[1], argv[2], &d);
	log_decision(&cfg, argv[0], &d);
	if (r == 0 && d.line != NULL) {
		if (printf("%s\n", d.line) < 0 || fflush(stdout) != 0)
			r = SOA_ERR_IO;
	} else if (r == 0)
		r = SOA_ERR_DENIED;
 out:
	akc_decision_free(&d);
	akc_policy_free(pol);
	akc_config_free(&cfg);
	return r == 0 ? 0 : 1;
}
