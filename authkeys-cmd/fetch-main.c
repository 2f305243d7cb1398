/*
 * ssh-oauth-authkeys-fetch: the part of ssh-oauth-authkeys that talks
 * HTTP, as its own program so the login path never loads libcurl.
 *
 *	ssh-oauth-authkeys-fetch [-dv] [-f config] refresh
 *	ssh-oauth-authkeys-fetch [-dv] [-f config] miss ISSUER
 *
 * "refresh" (what "ssh-oauth-authkeys refresh" runs) fetches every
 * issuer's keys; "miss" is run by the login path for a kid it does not
 * know, and prints nothing on stdout.
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
	    "usage: ssh-oauth-authkeys-fetch [-dv] [-f config] refresh\n"
	    "       ssh-oauth-authkeys-fetch [-dv] [-f config] miss issuer\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct akc_config cfg;
	const struct akc_issuer *iss;
	const char *config_path = AKC_CONFIG_DEFAULT;
	int ch, sinks = LOG_TO_SYSLOG, r = SOA_ERR_INTERNAL;

	/* Same start as every program here: fds, logging, options. */
	util_sanitise_stdfd();
	memset(&cfg, 0, sizeof(cfg));
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

	/* A person runs refresh: show them what happens. */
	if (argc == 1 && strcmp(argv[0], "refresh") == 0)
		log_init("ssh-oauth-authkeys", LOG_LEVEL_INFO,
		    sinks | LOG_TO_STDERR);
	if (sodium_init() < 0) {
		error("libsodium failed to initialise");
		return 1;
	}
	if ((r = akc_config_load(config_path, &cfg)) != 0)
		goto out;
	if (argc == 1 && strcmp(argv[0], "refresh") == 0)
		r = akc_refresh(&cfg, NULL);
	else if (argc == 2 && strcmp(argv[0], "miss") == 0) {
		if ((iss = akc_config_issuer(&cfg, argv[1])) == NULL) {
			error("issuer \"%.200s\" is not configured", argv[1]);
			r = SOA_ERR_CONFIG;
		} else
			r = akc_fetch_on_miss(&cfg, iss);
	} else
		usage();
 out:
	akc_config_free(&cfg);
	return r == 0 ? 0 : 1;
}
