/*
 * ssh-oauth: sign in with an identity provider and hand ssh a short-lived
 * key whose certificate carries the token.
 *
 *	ssh-oauth ensure --host H --user U	for Match exec
 *	ssh-oauth proxy U H P			for ProxyCommand
 *	ssh-oauth login | status [--json] | token [--force] | logout
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

#include <json.h>
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
	    "usage: ssh-oauth [options] ensure --host HOST --user USER\n"
	    "       ssh-oauth [options] proxy [--agent SOCKET] USER HOST PORT\n"
	    "       ssh-oauth [options] login | logout\n"
	    "       ssh-oauth [options] status [--json]\n"
	    "       ssh-oauth [options] token [--force]\n"
	    "options: -v, -F config or -P profile, --no-qr, --browser\n");
	exit(2);
}

/*
 * A key pair and a certificate for user from the tokens: the sign-in key
 * when DPoP bound the tokens to it, else a fresh key.
 */
static int
make_cert(const struct profile *p, const struct tokens *t, const char *user,
    struct keypair *kp, struct buf *cert)
{
	if (t->has_key) {
		memcpy(kp->sk, t->key, sizeof(kp->sk));
		memcpy(kp->pk, t->key + 32, sizeof(kp->pk));
	} else
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
	char *lock_path = NULL;
	int lock = -1, r;

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

	/*
	 * Key and certificate are two files: one writer at a time, and a
	 * waiter that finds them fresh leaves them alone, so no ssh reads
	 * one process's key with another's certificate.
	 */
	lock_path = util_xasprintf("%s.lock", key_path);
	if ((r = util_lock(lock_path, &lock)) != 0) {
		error("locking %s: %s", lock_path, strerror(errno));
		goto out;
	}
	if (getenv("SSH_OAUTH_TOKEN") == NULL &&
	    keys_cert_is_fresh(key_path, user))
		goto out;
	if ((r = tokens_obtain(p, &t)) != 0 ||
	    (r = make_cert(p, &t, user, &kp, &cert)) != 0)
		goto out;
	comment = util_xasprintf("ssh-oauth %s@%s", user, host);
	r = keys_write(key_path, &kp, &cert, comment);
 out:
	if (lock != -1)
		close(lock);
	free(lock_path);
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
cmd_proxy(const struct profile *p, const char *agent, const char *user,
    const char *host, const char *port)
{
	struct tokens t;
	struct keypair kp;
	struct buf cert;
	struct paths paths;
	const char *sock = getenv("SSH_AUTH_SOCK");
	char *comment = NULL, *own = NULL;
	int64_t lifetime;
	int fd = -1, r;

	memset(&t, 0, sizeof(t));
	memset(&kp, 0, sizeof(kp));
	buf_init(&cert, 128 * 1024);

	/*
	 * --agent, or no agent of the user's: one of our own on a fixed
	 * socket, which ssh_config names with IdentityAgent. ssh asks the
	 * agent only at authentication, after this has added the key.
	 */
	if (agent != NULL) {
		if ((r = agent_start(agent)) != 0)
			goto out;
		sock = agent;
	} else if (sock == NULL || *sock == '\0') {
		if ((r = paths_init(p, &paths)) != 0)
			return r;
		own = util_xasprintf("%s/agent.sock", paths.cache_dir);
		paths_free(&paths);
		if ((r = agent_start(own)) != 0)
			goto out;
		sock = own;
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
	free(own);
	return r;
}

/*
 * What a sign-in holds, as text or JSON: issuer, who (decoded from the
 * token, not verified: the server verifies), which token, until when.
 */
static void
print_status(const struct profile *p, const struct tokens *t, int json)
{
	const char *tok = tokens_selected(t, p->token_kind);
	char when[64], *sub = NULL, *email = NULL;
	json_object *o;
	time_t exp = (time_t)t->expires_at;

	if (tok == NULL || tokens_identity(tok, &sub, &email) != 0)
		sub = email = NULL;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime(&exp));
	if (!json) {
		printf("issuer   %s\n", p->issuer);
		printf("subject  %s%s%s%s\n", sub ? sub : "-",
		    email ? " (" : "", email ? email : "", email ? ")" : "");
		printf("token    %s, %s %s%s\n",
		    p->token_kind == TOKEN_ID ? "id_token" : "access_token",
		    t->expires_at > (int64_t)time(NULL) ? "valid until" :
		    "expired", when,
		    t->refresh_token != NULL ? " (refreshable)" : "");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "issuer", json_object_new_string(p->issuer));
	json_object_object_add(o, "signed_in", json_object_new_boolean(1));
	if (sub != NULL)
		json_object_object_add(o, "subject",
		    json_object_new_string(sub));
	if (email != NULL)
		json_object_object_add(o, "email",
		    json_object_new_string(email));
	json_object_object_add(o, "token", json_object_new_string(
	    p->token_kind == TOKEN_ID ? "id_token" : "access_token"));
	json_object_object_add(o, "expires_at",
	    json_object_new_int64(t->expires_at));
	json_object_object_add(o, "expired", json_object_new_boolean(
	    t->expires_at <= (int64_t)time(NULL)));
	json_object_object_add(o, "refreshable",
	    json_object_new_boolean(t->refresh_token != NULL));
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
 out:
	free(sub);
	free(email);
}

/* login: sign in now, whatever ssh is doing. */
static int
cmd_login(const struct profile *p)
{
	struct tokens t;
	int r;

	if ((r = tokens_obtain(p, &t)) != 0)
		return r;
	print_status(p, &t, 0);
	tokens_free(&t);
	return 0;
}

/* status: what the cache holds, without contacting anyone. */
static int
cmd_status(const struct profile *p, int json)
{
	struct paths paths;
	struct tokens t;
	json_object *o;
	int r;

	if ((r = paths_init(p, &paths)) != 0)
		return r;
	if ((r = cache_load(p, &paths, &t)) != 0) {
		if (json) {
			o = json_object_new_object();
			json_object_object_add(o, "issuer",
			    json_object_new_string(p->issuer));
			json_object_object_add(o, "signed_in",
			    json_object_new_boolean(0));
			printf("%s\n", json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		} else
			printf("issuer   %s\nnot signed in\n", p->issuer);
		goto out;
	}
	print_status(p, &t, json);
	if (t.expires_at <= (int64_t)time(NULL))
		r = SOA_ERR_EXPIRED;
	tokens_free(&t);
 out:
	paths_free(&paths);
	return r;
}

/*
 * token: the token for scripts, on stdout. A terminal may be a shared
 * screen or a recording: print there only when asked with --force.
 */
static int
cmd_token(const struct profile *p, int force)
{
	struct tokens t;
	int r;

	if (isatty(STDOUT_FILENO) && !force) {
		error("not printing a token to a terminal; pipe it, or add "
		    "--force");
		return SOA_ERR_DENIED;
	}
	if ((r = tokens_obtain(p, &t)) != 0)
		return r;
	if (printf("%s\n", tokens_selected(&t, p->token_kind)) < 0 ||
	    fflush(stdout) != 0)
		r = SOA_ERR_IO;
	tokens_free(&t);
	return r;
}

/*
 * logout: revoke the refresh token where the provider can, then forget
 * the tokens and every key and certificate file, revoked or not.
 */
static int
cmd_logout(const struct profile *p)
{
	struct paths paths;
	struct tokens t;
	struct dirent *de;
	DIR *dir = NULL;
	char *keys = NULL;
	int r;

	if ((r = paths_init(p, &paths)) != 0)
		return r;
	if (cache_load(p, &paths, &t) == 0) {
		r = device_revoke(p, &t);
		if (r == 0 && t.refresh_token != NULL)
			printf("refresh token revoked at the provider\n");
		else if (r != 0)
			error("the refresh token could not be revoked; it "
			    "stays valid at the provider until it expires");
		tokens_free(&t);
		r = 0;
	}
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
		{ "json", no_argument, NULL, 'J' },
		{ "browser", no_argument, NULL, 'B' },
		{ "agent", required_argument, NULL, 'A' },
		{ "force", no_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 }
	};
	struct profile p;
	char *config = NULL;
	const char *host = NULL, *user = NULL, *profile = NULL, *cmd;
	const char *agent = NULL;
	int ch, no_qr = 0, json = 0, force = 0, browser = 0;
	int r = SOA_ERR_INTERNAL;

	/* Same start as every program here: fds, logging, options. */
	util_sanitise_stdfd();
	log_init("ssh-oauth", LOG_LEVEL_INFO, LOG_TO_STDERR);
	memset(&p, 0, sizeof(p));
	while ((ch = getopt_long(argc, argv, "+F:P:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			free(config);
			config = util_xstrdup(optarg);
			break;
		case 'P':
			profile = optarg;
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
		case 'J':
			json = 1;
			break;
		case 'B':
			browser = 1;
			break;
		case 'A':
			agent = optarg;
			break;
		case 'X':
			force = 1;
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
		config = profile_default_path(profile);
	if (config == NULL && profile != NULL) {
		r = SOA_ERR_CONFIG;
		goto out;
	}
	if ((r = profile_load(config, &p)) != 0)
		goto out;
	if (no_qr)
		p.qr = 0;
	p.browser = browser;

	/* Options may follow the subcommand's name too. */
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'H')
			host = optarg;
		else if (ch == 'U')
			user = optarg;
		else if (ch == 'J')
			json = 1;
		else if (ch == 'A')
			agent = optarg;
		else if (ch == 'X')
			force = 1;
		else
			usage();
	}
	argc -= optind;
	argv += optind;

	if (strcmp(cmd, "ensure") == 0) {
		if (host == NULL || user == NULL || argc != 0)
			usage();
		r = cmd_ensure(&p, host, user);
	} else if (strcmp(cmd, "proxy") == 0 && argc == 3)
		r = cmd_proxy(&p, agent, argv[0], argv[1], argv[2]);
	else if (strcmp(cmd, "login") == 0 && argc == 0)
		r = cmd_login(&p);
	else if (strcmp(cmd, "status") == 0 && argc == 0)
		r = cmd_status(&p, json);
	else if (strcmp(cmd, "token") == 0 && argc == 0)
		r = cmd_token(&p, force);
	else if (strcmp(cmd, "logout") == 0 && argc == 0)
		r = cmd_logout(&p);
	else
		usage();
 out:
	profile_free(&p);
	free(config);
	return r == 0 ? 0 : 1;
}
