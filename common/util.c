#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "util.h"

void
util_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	sodium_memzero(p, n);
	free(p);
}

void
util_strfree(char *s)
{
	if (s != NULL)
		util_freezero(s, strlen(s));
}

char *
util_xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		abort();
	return p;
}

char *
util_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return p;
}

/* Whether uid is "nobody", which many daemons run as. */
static int
is_shared_account(uid_t uid)
{
	struct passwd *pw;

	if (uid == 65534)
		return 1;
	return (pw = getpwnam("nobody")) != NULL && pw->pw_uid == uid;
}

/* Apply the UTIL_FILE_* checks to an open file. */
static int
check_stat(const struct stat *st, int flags, const char **why)
{
	uid_t me = geteuid();

	if (!S_ISREG(st->st_mode)) {
		*why = "not a regular file";
		return SOA_ERR_PERM;
	}
	if ((flags & UTIL_FILE_SECRET) != 0) {
		if (st->st_uid != me) {
			*why = "not owned by the current user";
			return SOA_ERR_PERM;
		}
		if ((st->st_mode & 077) != 0) {
			*why = "accessible by group or others (want 0600)";
			return SOA_ERR_PERM;
		}
	}
	if ((flags & UTIL_FILE_ROOT) != 0 && st->st_uid != 0) {
		*why = "not owned by root";
		return SOA_ERR_PERM;
	}
	if ((flags & (UTIL_FILE_TRUSTED | UTIL_FILE_ROOT)) != 0 &&
	    (st->st_mode & 022) != 0) {
		*why = "writable by group or others";
		return SOA_ERR_PERM;
	}
	if ((flags & UTIL_FILE_TRUSTED) != 0) {
		/* Root, running check or explain, reads the account's files. */
		if (st->st_uid != 0 && st->st_uid != me && me != 0) {
			*why = "owned by neither root nor the current user";
			return SOA_ERR_PERM;
		}
		if (st->st_uid != 0 && is_shared_account(st->st_uid)) {
			*why = "owned by \"nobody\", an account other daemons "
			    "share; run as a dedicated account";
			return SOA_ERR_PERM;
		}
	}
	return 0;
}

int
util_read_file(const char *path, int flags, struct buf *b, const char **why)
{
	unsigned char chunk[4096];
	struct stat st;
	ssize_t n;
	int fd = -1, r = SOA_ERR_INTERNAL;

	*why = NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			*why = "does not exist";
			return SOA_ERR_NOT_FOUND;
		}
		*why = errno == ELOOP ? "is a symbolic link" : strerror(errno);
		return errno == ELOOP ? SOA_ERR_PERM : SOA_ERR_IO;
	}
	if (fstat(fd, &st) == -1) {
		*why = strerror(errno);
		r = SOA_ERR_IO;
		goto out;
	}
	if ((r = check_stat(&st, flags, why)) != 0)
		goto out;

	/* Read to EOF; the buffer's cap bounds a file that keeps growing. */
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			r = SOA_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		if ((r = buf_put(b, chunk, (size_t)n)) != 0) {
			*why = "too large";
			goto out;
		}
	}
	r = 0;
 out:
	sodium_memzero(chunk, sizeof(chunk));
	if (fd != -1)
		close(fd);
	return r;
}

int
util_check_root_path(const char *path, const char **why)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	*why = NULL;
	if (path[0] != '/' || strlen(path) >= sizeof(dir)) {
		*why = "not an absolute path";
		return SOA_ERR_PERM;
	}
	memcpy(dir, path, strlen(path) + 1);

	/* Walk up from the file itself to "/". */
	for (;;) {
		if (lstat(dir, &st) == -1) {
			*why = strerror(errno);
			return SOA_ERR_IO;
		}
		if (st.st_uid != 0 || (st.st_mode & 022) != 0) {
			*why = dir[0] == '/' && dir[1] == '\0' ?
			    "\"/\" is not root-owned and 755" :
			    "a path component is not root-owned or is group- "
			    "or world-writable";
			return SOA_ERR_PERM;
		}
		if (dir[0] == '/' && dir[1] == '\0')
			break;
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return 0;
}

int
util_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode)
{
	char *tmp = NULL, *dir = NULL, *slash;
	const unsigned char *p = data;
	size_t off = 0;
	ssize_t n;
	int fd = -1, dfd = -1, r = SOA_ERR_IO;

	tmp = util_xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1)
		goto out;
	if (fchmod(fd, mode) == -1)
		goto out;

	/* Write everything, then make it durable before it becomes visible. */
	while (off < len) {
		if ((n = write(fd, p + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto out;
	free(tmp);
	tmp = NULL;

	/* Persist the rename itself. */
	dir = util_xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	} else {
		free(dir);
		dir = util_xstrdup(".");
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		(void)fsync(dfd);
	r = 0;
 out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	free(dir);
	return r;
}

int
util_mkdir_private(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return SOA_ERR_IO;
	if (lstat(path, &st) == -1)
		return SOA_ERR_IO;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		errno = EPERM;
		return SOA_ERR_PERM;
	}
	return 0;
}

int
util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	*out = 0;
	if (s[0] < '0' || s[0] > '9')
		return SOA_ERR_FORMAT;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return SOA_ERR_FORMAT;
	*out = v;
	return 0;
}

int
util_lock(const char *path, int *fd)
{
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd == -1)
		return SOA_ERR_IO;
	while (flock(*fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			close(*fd);
			*fd = -1;
			return SOA_ERR_IO;
		}
	}
	return 0;
}

int64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
util_sanitise_stdfd(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}
