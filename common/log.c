#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

#define LOG_LINE_MAX	1024

static const char *log_progname = "ssh-oauth";
static enum log_level log_level = LOG_LEVEL_ERROR;
static int log_sinks = LOG_TO_STDERR;

void
log_init(const char *progname, enum log_level level, int sinks)
{
	log_progname = progname;
	log_level = level;
	log_sinks = sinks;
	if (sinks & LOG_TO_SYSLOG)
		openlog(progname, LOG_PID, LOG_AUTHPRIV);
}

int
log_sinks_in_use(void)
{
	return log_sinks;
}

void
log_more_verbose(void)
{
	if (log_level < LOG_LEVEL_DEBUG)
		log_level++;
}

void
log_escape(char *dst, size_t dstlen, const char *s, size_t maxlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	if (dstlen == 0)
		return;
	for (i = 0; s[i] != '\0' && i < maxlen; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
			continue;
		}
		if (o + 4 >= dstlen)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 0x0f];
	}
	/* Mark anything left out, space permitting. */
	if (s[i] != '\0' && o + 3 < dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

void
log_quote(char *dst, size_t dstlen, const char *s, size_t maxlen)
{
	size_t i, o = 0;

	if (dstlen == 0)
		return;
	for (i = 0; s != NULL && s[i] != '\0' && i < maxlen; i++) {
		if (s[i] == '"' || s[i] == '%') {
			if (o + 3 >= dstlen)
				break;
			o += (size_t)snprintf(dst + o, 4, "%%%02x",
			    (unsigned char)s[i]);
		} else {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = s[i];
		}
	}
	dst[o] = '\0';
}

void
log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
	char raw[LOG_LINE_MAX], msg[LOG_LINE_MAX];
	va_list ap;
	int pri;

	if (level > log_level || level == LOG_LEVEL_QUIET)
		return;

	/* Format, then escape the whole line: its values are untrusted. */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_escape(msg, sizeof(msg), raw, sizeof(raw));

	if (log_sinks & LOG_TO_STDERR) {
		if (func != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_progname, func,
			    msg);
		else
			fprintf(stderr, "%s: %s\n", log_progname, msg);
	}
	if (log_sinks & LOG_TO_SYSLOG) {
		pri = level == LOG_LEVEL_ERROR ? LOG_ERR :
		    level == LOG_LEVEL_INFO ? LOG_INFO : LOG_DEBUG;
		if (func != NULL)
			syslog(pri, "%s: %s", func, msg);
		else
			syslog(pri, "%s", msg);
	}
}
