/*
 * Running ssh-oauth-authkeys-fetch, the program beside this one that
 * talks HTTP. Keeping libcurl and TLS out of the login path makes each
 * login start a few milliseconds faster; the fetch program starts only
 * for "refresh" and for a token whose kid the cache lacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "akc.h"
#include "err.h"
#include "log.h"
#include "util.h"

#define FETCH_PROGRAM	"ssh-oauth-authkeys-fetch"
#define GRACE_MS	500

char *
akc_fetch_program(void)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return util_xasprintf("%s/%s", self, FETCH_PROGRAM);
}

int
akc_spawn_fetch(const struct akc_config *cfg, const struct akc_issuer *iss)
{
	posix_spawn_file_actions_t fa;
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	char *prog, *argv[7], *envp[] = { NULL };
	int argc = 0;
	long waited = 0;
	pid_t pid, done;
	int status = 0, r = SOA_ERR_IO;

	if ((prog = akc_fetch_program()) == NULL)
		return SOA_ERR_IO;

	/* Its stdout must never reach sshd, which reads ours as keys. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	argv[argc++] = prog;
	if (log_sinks_in_use() & LOG_TO_STDERR)
		argv[argc++] = (char *)"-d";
	argv[argc++] = (char *)"-f";
	argv[argc++] = cfg->path;
	argv[argc++] = (char *)"miss";
	argv[argc++] = iss->issuer;
	argv[argc] = NULL;
	if ((errno = posix_spawn(&pid, prog, &fa, NULL, argv, envp)) != 0) {
		error("cannot run %s: %s", prog, strerror(errno));
		goto out;
	}

	/* Wait no longer than the fetch may take, then stop it. */
	while ((done = waitpid(pid, &status, WNOHANG)) == 0) {
		if (waited > cfg->fetch_timeout_ms + GRACE_MS) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			error("%s overran fetch_timeout; killed", prog);
			r = SOA_ERR_TIMEOUT;
			goto out;
		}
		nanosleep(&pause, NULL);
		waited += 10;
	}
	if (done == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		r = 0;
	else
		r = SOA_ERR_PROVIDER;
 out:
	posix_spawn_file_actions_destroy(&fa);
	free(prog);
	return r;
}
