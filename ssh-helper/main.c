/*
 * ssh-oauth: sign in with an identity provider and hand ssh a short-lived
 * key whose certificate carries the token.
 *
 *	ssh-oauth ensure --host H --user U	for Match exec
 *	ssh-oauth proxy U H P			for ProxyCommand
 *	ssh-oauth login | status | logout
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "helper.h"
#include "log.h"
#include "util.h"

#define RELAY_BUF	(32 * 1024)

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ssh-oauth [-v] [-F config] [--no-qr] ensure --host HOST "
	    "--user USER\n"
	    "       ssh-oauth [-v] [-F config] [--no-qr] proxy USER HOST PORT\n"
	    "       ssh-oauth [-v] [-F config] login | status | logout\n");
	exit(2);
}

/* Make a key pair and a certificate for user from the tokens. */
static int
make_cert(const struct profile *p, const struct tokens *t, const char *user,
    struct keypair *kp, struct buf *cert)
{
	keypair_generate(kp);
	return keys_certify(kp, user, tokens_selected(t, p->token_kind),
	    t->expires_at, cert);
}

/* Match exec: leave a fresh key and certificate where ssh_config says. */
static int
cmd_ensure(const struct profile *p, const char *host, const char *user)
{
	struct paths paths;
	struct tokens t;
	struct keypair kp;
	struct buf cert;
	char *key_path = NULL, *comment = NULL;
	int r;

	memset(&t, 0, sizeof(t));
	buf_init(&cert, 128 * 1024);
	if ((r = paths_init(p, &paths)) != 0)
		return r;
	if ((key_path = keys_path(&paths, user, host)) == NULL) {
		r = SOA_ERR_CONFIG;
		goto out;
	}

	/* Warm path: the certificate on disk still has time left. */
	if (getenv("SSH_OAUTH_TOKEN") == NULL &&
	    keys_cert_is_fresh(key_path, user)) {
		r = 0;
		goto out;
	}
	if ((r = tokens_obtain(p, &t)) != 0 ||
	    (r = make_cert(p, &t, user, &kp, &cert)) != 0)
		goto out;
	comment = util_xasprintf("ssh-oauth %s@%s", user, host);
	r = keys_write(key_path, &kp, &cert, comment);
 out:
	keypair_wipe(&kp);
	tokens_free(&t);
	buf_free(&cert);
	paths_free(&paths);
	free(key_path);
	free(comment);
	return r;
}

/* Connect to host:port, trying each address in turn. */
static int
dial(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		error("%s port %s: %s", host, port, gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		error("connecting to %s port %s: %s", host, port,
		    strerror(errno));
	return fd;
}

/* Copy what is readable on from to to; 0 at EOF, -1 on error. */
static ssize_t
pump(int from, int to, unsigned char *buf)
{
	ssize_t n, off = 0, w;

	if ((n = read(from, buf, RELAY_BUF)) <= 0)
		return n == 0 || errno != EINTR ? n : 1;
	while (off < n) {
		if ((w = write(to, buf + off, (size_t)(n - off))) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += w;
	}
	return n;
}

/* Relay stdin/stdout to the socket until both directions end. */
static int
relay(int sock)
{
	unsigned char buf[RELAY_BUF];
	struct pollfd pfd[2];
	int in_open = 1;

	for (;;) {
		pfd[0].fd = in_open ? STDIN_FILENO : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = sock;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return SOA_ERR_IO;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (pump(STDIN_FILENO, sock, buf) <= 0) {
				in_open = 0;
				shutdown(sock, SHUT_WR);
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (pump(sock, STDOUT_FILENO, buf) <= 0)
				return 0;
		}
	}
}

/* ProxyCommand: key and certificate into the agent, then relay. */
static int
cmd_proxy(const struct profile *p, const char *user, const char *host,
    const char *port)
{
	struct tokens t;
	struct keypair kp;
	struct buf cert;
	const char *sock = getenv("SSH_AUTH_SOCK");
	char *comment = NULL;
	int64_t lifetime;
	int fd = -1, r;

	memset(&t, 0, sizeof(t));
	memset(&kp, 0, sizeof(kp));
	buf_init(&cert, 128 * 1024);
	if (sock == NULL || *sock == '\0') {
		error("proxy mode hands the key to ssh-agent, but "
		    "SSH_AUTH_SOCK is not set: start ssh-agent, or use the "
		    "Match exec mode");
		return SOA_ERR_CONFIG;
	}

	/* The agent may already hold a certificate with time left. */
	if (getenv("SSH_OAUTH_TOKEN") != NULL ||
	    !agent_has_fresh_cert(sock, user)) {
		if ((r = tokens_obtain(p, &t)) != 0 ||
		    (r = make_cert(p, &t, user, &kp, &cert)) != 0)
			goto out;
		lifetime = t.expires_at - (int64_t)time(NULL);
		comment = util_xasprintf("ssh-oauth %s@%s", user, host);
		if (lifetime <= 0 || (r = agent_add(sock, &kp, &cert, comment,
		    (uint32_t)lifetime)) != 0)
			goto out;
	}
	keypair_wipe(&kp);
	tokens_free(&t);

	/* Then be the transport. */
	if ((fd = dial(host, port)) == -1) {
		r = SOA_ERR_IO;
		goto out;
	}
	r = relay(fd);
 out:
	if (fd != -1)
		close(fd);
	keypair_wipe(&kp);
	tokens_free(&t);
	buf_free(&cert);
	free(comment);
	return r;
}

/* Print when the token ends, for login and status. */
static void
print_expiry(const struct profile *p, const struct tokens *t)
{
	time_t exp = (time_t)t->expires_at;
	char when[64];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime(&exp));
	printf("issuer %s\ntoken %s, valid until %s%s\n", p->issuer,
	    p->token_kind == TOKEN_ID ? "id_token" : "access_token", when,
	    t->refresh_token != NULL ? " (refreshable)" : "");
}

/* login: sign in now, whatever ssh is doing. */
static int
cmd_login(const struct profile *p)
{
	struct tokens t;
	int r;

	if ((r = tokens_obtain(p, &t)) != 0)
		return r;
	print_expiry(p, &t);
	tokens_free(&t);
	return 0;
}

/* status: what the cache holds, without contacting anyone. */
static int
cmd_status(const struct profile *p)
{
	struct paths paths;
	struct tokens t;
	int r;

	if ((r = paths_init(p, &paths)) != 0)
		return r;
	if ((r = cache_load(&paths, &t)) != 0) {
		printf("issuer %s\nnot signed in\n", p->issuer);
		goto out;
	}
	print_expiry(p, &t);
	if (t.expires_at <= (int64_t)time(NULL))
		r = SOA_ERR_EXPIRED;
	tokens_free(&t);
 out:
	paths_free(&paths);
	return r;
}

/* logout: forget the tokens and every key and certificate file. */
static int
cmd_logout(const struct profile *p)
{
	struct paths paths;
	struct dirent *de;
	DIR *dir = NULL;
	char *keys = NULL;
	int r;

	if ((r = paths_init(p, &paths)) != 0)
		return r;
	if (unlink(paths.token_file) == -1 && errno != ENOENT) {
		error("removing %s: %s", paths.token_file, strerror(errno));
		r = SOA_ERR_IO;
	}
	keys = util_xasprintf("%s/keys", paths.cache_dir);
	if ((dir = opendir(keys)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (unlinkat(dirfd(dir), de->d_name, 0) == -1) {
				error("removing %s/%s: %s", keys, de->d_name,
				    strerror(errno));
				r = SOA_ERR_IO;
			}
		}
		closedir(dir);
	}
	if (r == 0)
		printf("signed out of %s\n", p->issuer);
	free(keys);
	paths_free(&paths);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "user", required_argument, NULL, 'U' },
		{ "no-qr", no_argument, NULL, 'Q' },
		{ NULL, 0, NULL, 0 }
	};
	struct profile p;
	char *config = NULL;
	const char *host = NULL, *user = NULL, *cmd;
	int ch, no_qr = 0, r = SOA_ERR_INTERNAL;

	/* Same start as every program here: fds, logging, options. */
	util_sanitise_stdfd();
	log_init("ssh-oauth", LOG_LEVEL_INFO, LOG_TO_STDERR);
	memset(&p, 0, sizeof(p));
	while ((ch = getopt_long(argc, argv, "+F:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			free(config);
			config = util_xstrdup(optarg);
			break;
		case 'v':
			log_more_verbose();
			break;
		case 'H':
			host = optarg;
			break;
		case 'U':
			user = optarg;
			break;
		case 'Q':
			no_qr = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (sodium_init() < 0) {
		error("libsodium failed to initialise");
		return 1;
	}
	if (config == NULL)
		config = profile_default_path();
	if ((r = profile_load(config, &p)) != 0)
		goto out;
	if (no_qr)
		p.qr = 0;

	/* Subcommands; options after the name are parsed again. */
	if (strcmp(cmd, "ensure") == 0) {
		optind = 1;
		while ((ch = getopt_long(argc, argv, "", longopts,
		    NULL)) != -1) {
			if (ch == 'H')
				host = optarg;
			else if (ch == 'U')
				user = optarg;
			else
				usage();
		}
		if (host == NULL || user == NULL || optind != argc)
			usage();
		r = cmd_ensure(&p, host, user);
	} else if (strcmp(cmd, "proxy") == 0 && argc == 4)
		r = cmd_proxy(&p, argv[1], argv[2], argv[3]);
	else if (strcmp(cmd, "login") == 0 && argc == 1)
		r = cmd_login(&p);
	else if (strcmp(cmd, "status") == 0 && argc == 1)
		r = cmd_status(&p);
	else if (strcmp(cmd, "logout") == 0 && argc == 1)
		r = cmd_logout(&p);
	else
		usage();
 out:
	profile_free(&p);
	free(config);
	return r == 0 ? 0 : 1;
}
