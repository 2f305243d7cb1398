#include <string.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "util.h"

#define BLANKS	" \t\r"

char *
config_next_word(char **value)
{
	char *word, *p;
	int quoted = 0;

	*value += strspn(*value, BLANKS);
	if (**value == '\0')
		return NULL;

	/* Blanks inside double quotes do not end the word. */
	word = p = *value;
	for (; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && strchr(BLANKS, *p) != NULL)
			break;
	}
	*value = p;
	if (**value != '\0')
		*(*value)++ = '\0';
	return word;
}

/* Remove trailing blanks in place. */
static void
trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && strchr(BLANKS, s[n - 1]) != NULL)
		s[--n] = '\0';
}

/* A '#' after a blank, outside double quotes, starts a comment. */
static int
has_trailing_comment(const char *line)
{
	int quoted = 0;

	for (; *line != '\0'; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (!quoted && strchr(BLANKS, *line) != NULL &&
		    line[1] == '#')
			return 1;
	}
	return 0;
}

int
config_parse(const char *path, char *text, const struct config_handler *h)
{
	char *line, *next, *keyword;
	int lineno = 0, r;

	/* One keyword per line; the handler judges the value. */
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		trim_end(line);
		line += strspn(line, BLANKS);
		if (*line == '\0' || *line == '#')
			continue;
		if (has_trailing_comment(line)) {
			error("%s line %d: comments must be on a line of "
			    "their own", path, lineno);
			return SOA_ERR_CONFIG;
		}
		keyword = config_next_word(&line);
		line += strspn(line, BLANKS);
		if ((r = h->line(h->ctx, path, lineno, keyword, line)) != 0)
			return r;
	}
	return 0;
}

int
config_load(const char *path, int file_flags, const struct config_handler *h)
{
	struct buf b;
	const char *why, *text;
	int r;

	buf_init(&b, CONFIG_FILE_MAX);
	if ((r = util_read_file(path, file_flags, &b, &why)) != 0) {
		error("%s: %s", path, why);
		goto out;
	}
	if ((r = buf_cstring(&b, &text)) != 0) {
		error("%s: holds a NUL byte", path);
		goto out;
	}
	r = config_parse(path, (char *)b.data, h);
 out:
	buf_free(&b);
	return r;
}
