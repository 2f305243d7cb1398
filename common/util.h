/*
 * Small helpers: wiping secrets, reading files only after checking who
 * may have written them, atomic writes, strict number parsing.
 */
#ifndef SOA_UTIL_H
#define SOA_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* Wipe n bytes at p, then free p. p may be NULL. */
void util_freezero(void *p, size_t n);

/* Wipe and free a NUL-terminated string. s may be NULL. */
void util_strfree(char *s);

/* strdup() that never returns NULL: aborts when memory is exhausted. */
char *util_xstrdup(const char *s);

/*
 * What util_read_file() demands of a file beyond being a regular file
 * that is not a symbolic link.
 */
#define UTIL_FILE_TRUSTED	0x01	/* owned by root or by us, and not
					   group- or world-writable; not
					   ours if we are "nobody", which
					   other daemons share */
#define UTIL_FILE_SECRET	0x02	/* owned by us, and no access at all
					   for group or others */
#define UTIL_FILE_ROOT		0x04	/* owned by root, and not group- or
					   world-writable */

/*
 * Read the whole file at path into b (cap b->max), applying the
 * UTIL_FILE_* checks in flags. SOA_ERR_PERM names a failed check in
 * *why (a static string); SOA_ERR_NOT_FOUND when the file is absent.
 */
int util_read_file(const char *path, int flags, struct buf *b,
    const char **why) __attribute__((warn_unused_result));

/*
 * Check that path and every directory above it is owned by root and not
 * group- or world-writable, as sshd demands of AuthorizedKeysCommand.
 */
int util_check_root_path(const char *path, const char **why)
    __attribute__((warn_unused_result));

/*
 * Replace path with data atomically: write a temporary file in the same
 * directory with the given mode, fsync it, rename it over path and fsync
 * the directory. Readers see the old file or the new one, never a part.
 */
int util_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode) __attribute__((warn_unused_result));

/* Create directory path with mode if absent; refuse it if not ours. */
int util_mkdir_private(const char *path, mode_t mode)
    __attribute__((warn_unused_result));

/*
 * Parse a decimal number in [min, max] that spans all of s.
 * SOA_ERR_FORMAT otherwise.
 */
int util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
    __attribute__((warn_unused_result));

/*
 * Take an exclusive lock on the file at path (created 0600 if absent),
 * waiting as long as it takes; *fd holds it until closed.
 */
int util_lock(const char *path, int *fd) __attribute__((warn_unused_result));

/* Milliseconds on the monotonic clock, which does not jump. */
int64_t util_now_ms(void);

/* Open /dev/null on any of fds 0, 1, 2 that is closed. */
void util_sanitise_stdfd(void);

/* snprintf into a new allocation; aborts when memory is exhausted. */
char *util_xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif /* SOA_UTIL_H */
