/*
 * Logging for both programs. ssh-oauth-authkeys logs to syslog
 * (LOG_AUTHPRIV) because sshd throws its stderr away; ssh-oauth logs to
 * stderr. Every message is escaped before it leaves: claims, provider
 * error bodies and user names are attacker-controlled and must not be
 * able to forge a log line or drive a terminal.
 */
#ifndef SOA_LOG_H
#define SOA_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LEVEL_QUIET = 0,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_INFO,
	LOG_LEVEL_VERBOSE,
	LOG_LEVEL_DEBUG
};

#define LOG_TO_STDERR	0x01
#define LOG_TO_SYSLOG	0x02

/* Set the program name, the highest level printed and the LOG_TO_* sinks. */
void log_init(const char *progname, enum log_level level, int sinks);

/* The LOG_TO_* sinks in use. */
int log_sinks_in_use(void);

/* Raise the level by one (each -v). */
void log_more_verbose(void);

void log_msg(enum log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Copy at most maxlen bytes of the untrusted string s into dst (size
 * dstlen, always terminated), escaping control bytes, DEL, backslash and
 * non-ASCII as \xNN and marking truncation with "...".
 */
void log_escape(char *dst, size_t dstlen, const char *s, size_t maxlen);

/*
 * Prepare an untrusted value for a "quoted" field of a log line: '"' and
 * '%' become %22 and %25, so a value cannot close its quotes and forge
 * the fields after it. At most maxlen bytes of s; s may be NULL.
 */
void log_quote(char *dst, size_t dstlen, const char *s, size_t maxlen);

#define error(...)	log_msg(LOG_LEVEL_ERROR, NULL, __VA_ARGS__)
#define error_f(...)	log_msg(LOG_LEVEL_ERROR, __func__, __VA_ARGS__)
#define logit(...)	log_msg(LOG_LEVEL_INFO, NULL, __VA_ARGS__)
#define verbose(...)	log_msg(LOG_LEVEL_VERBOSE, NULL, __VA_ARGS__)
#define debug_f(...)	log_msg(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__)

#endif /* SOA_LOG_H */
