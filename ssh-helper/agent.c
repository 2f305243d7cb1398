/*
 * The ssh-agent protocol, as much as the ProxyCommand mode needs: list
 * identities, and add a key with its certificate and a lifetime
 * constraint, so the agent forgets the key when the token expires.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "helper.h"
#include "log.h"
#include "sshcert.h"
#include "util.h"

#define AGENT_FAILURE			5
#define AGENT_SUCCESS			6
#define AGENTC_REQUEST_IDENTITIES	11
#define AGENT_IDENTITIES_ANSWER		12
#define AGENTC_ADD_ID_CONSTRAINED	25
#define AGENT_CONSTRAIN_LIFETIME	1
#define AGENT_REPLY_MAX			(1024 * 1024)
#define AGENT_TIMEOUT_MS		5000

/*
 * Connect to the agent at sock. The process at the other end must run as
 * us (or root): the key and a token go to it, and a socket path, even
 * one we chose, may lead to someone else's agent.
 */
static int
agent_connect(const char *sock)
{
	struct sockaddr_un sun;
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, sock, strlen(sock));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == -1 ||
	    (peer.uid != geteuid() && peer.uid != 0)) {
		error("the agent at %s runs as another user; not using it",
		    sock);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* Move n bytes in the given direction, with a deadline per step. */
static int
io_all(int fd, void *p, size_t n, int writing)
{
	struct pollfd pfd;
	unsigned char *c = p;
	ssize_t got;

	pfd.fd = fd;
	pfd.events = writing ? POLLOUT : POLLIN;
	while (n > 0) {
		if (poll(&pfd, 1, AGENT_TIMEOUT_MS) <= 0)
			return SOA_ERR_TIMEOUT;
		got = writing ? write(fd, c, n) : read(fd, c, n);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			return SOA_ERR_IO;
		c += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Send one framed request and read one framed reply into reply. */
static int
agent_call(const char *sock, const struct buf *req, struct buf *reply)
{
	unsigned char len[4], *body = NULL;
	uint32_t n;
	int fd, r;

	if ((fd = agent_connect(sock)) == -1) {
		error("cannot reach ssh-agent at %s: %s", sock,
		    strerror(errno));
		return SOA_ERR_IO;
	}
	len[0] = (unsigned char)(req->len >> 24);
	len[1] = (unsigned char)(req->len >> 16);
	len[2] = (unsigned char)(req->len >> 8);
	len[3] = (unsigned char)req->len;
	if ((r = io_all(fd, len, 4, 1)) != 0 ||
	    (r = io_all(fd, req->data, req->len, 1)) != 0 ||
	    (r = io_all(fd, len, 4, 0)) != 0)
		goto out;
	n = (uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 |
	    (uint32_t)len[2] << 8 | len[3];
	if (n == 0 || n > AGENT_REPLY_MAX) {
		r = SOA_ERR_FORMAT;
		goto out;
	}
	if ((body = malloc(n)) == NULL) {
		r = SOA_ERR_ALLOC;
		goto out;
	}
	if ((r = io_all(fd, body, n, 0)) != 0 ||
	    (r = buf_put(reply, body, n)) != 0)
		goto out;
	r = 0;
 out:
	free(body);
	close(fd);
	return r;
}

static int agent_start_locked(const char *sock);

/*
 * Make sure an agent listens on sock: start "ssh-agent -a sock" if none
 * answers there. A dead agent's socket file, if ours, is removed first.
 * ssh-agent puts itself in the background; its first process exits once
 * the socket is ready.
 */
int
agent_start(const char *sock)
{
	char *lock_path;
	int lock = -1, r;

	/* One starter at a time; the others find its agent. */
	lock_path = util_xasprintf("%s.lock", sock);
	if (util_lock(lock_path, &lock) != 0) {
		error("locking %s: %s", lock_path, strerror(errno));
		free(lock_path);
		return SOA_ERR_IO;
	}
	free(lock_path);
	r = agent_start_locked(sock);
	close(lock);
	return r;
}

/* agent_start() once its lock is held. */
static int
agent_start_locked(const char *sock)
{
	posix_spawn_file_actions_t fa;
	struct stat st;
	char *argv[4];
	pid_t pid;
	int fd, status;

	if ((fd = agent_connect(sock)) != -1) {
		close(fd);
		return 0;
	}
	if (errno == EPERM)
		return SOA_ERR_PERM;
	if (lstat(sock, &st) == 0) {
		if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
			error("%s is not our agent's socket; remove it", sock);
			return SOA_ERR_PERM;
		}
		(void)unlink(sock);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	argv[0] = (char *)"ssh-agent";
	argv[1] = (char *)"-a";
	argv[2] = (char *)sock;
	argv[3] = NULL;
	errno = posix_spawnp(&pid, "ssh-agent", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (errno != 0) {
		error("cannot start ssh-agent: %s", strerror(errno));
		return SOA_ERR_IO;
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || (fd = agent_connect(sock)) == -1) {
		error("ssh-agent did not start on %s", sock);
		return SOA_ERR_IO;
	}
	close(fd);
	verbose("started ssh-agent on %s", sock);
	return 0;
}

int
agent_has_fresh_cert(const char *sock, const char *user)
{
	struct sshcert *cert = NULL;
	struct buf req, reply;
	struct wire w;
	const unsigned char *blob, *comment;
	const char *why;
	size_t blob_len, comment_len;
	uint32_t i, nkeys;
	uint8_t type;
	int found = 0;

	buf_init(&req, 16);
	buf_init(&reply, AGENT_REPLY_MAX);
	if (buf_put_u8(&req, AGENTC_REQUEST_IDENTITIES) != 0 ||
	    agent_call(sock, &req, &reply) != 0)
		goto out;
	wire_init(&w, reply.data, reply.len);
	if (wire_get_u8(&w, &type) != 0 || type != AGENT_IDENTITIES_ANSWER ||
	    wire_get_u32(&w, &nkeys) != 0)
		goto out;

	/* One of ours: our certificate, this principal, time left. */
	for (i = 0; i < nkeys && !found; i++) {
		if (wire_get_string(&w, &blob, &blob_len) != 0 ||
		    wire_get_string(&w, &comment, &comment_len) != 0)
			break;
		if (sshcert_parse(blob, blob_len, &cert, &why) != 0)
			continue;
		found = cert->token != NULL && cert->nprincipals == 1 &&
		    strcmp(cert->principals[0], user) == 0 &&
		    cert->valid_before >
		    (uint64_t)time(NULL) + HELPER_EXPIRY_MARGIN;
		sshcert_free(cert);
		cert = NULL;
	}
 out:
	buf_free(&req);
	buf_free(&reply);
	return found;
}

int
agent_add(const char *sock, const struct keypair *kp, const struct buf *cert,
    const char *comment, uint32_t lifetime)
{
	struct buf req, reply;
	int r;

	buf_init(&req, AGENT_REPLY_MAX);
	buf_init(&reply, 64);
	if ((r = buf_put_u8(&req, AGENTC_ADD_ID_CONSTRAINED)) != 0 ||
	    (r = buf_put_cstring(&req, SSHCERT_TYPE_NAME)) != 0 ||
	    (r = buf_put_string(&req, cert->data, cert->len)) != 0 ||
	    (r = buf_put_string(&req, kp->pk, 32)) != 0 ||
	    (r = buf_put_string(&req, kp->sk, 64)) != 0 ||
	    (r = buf_put_cstring(&req, comment)) != 0 ||
	    (r = buf_put_u8(&req, AGENT_CONSTRAIN_LIFETIME)) != 0 ||
	    (r = buf_put_u32(&req, lifetime)) != 0)
		goto out;
	if ((r = agent_call(sock, &req, &reply)) != 0)
		goto out;
	if (reply.len != 1 || reply.data[0] != AGENT_SUCCESS) {
		error("ssh-agent at %s refused the key", sock);
		r = SOA_ERR_DENIED;
		goto out;
	}
	r = 0;
 out:
	buf_free(&req);
	buf_free(&reply);
	return r;
}
