/*
 * The line format both programs' configuration files share, in the
 * spirit of ssh_config: "keyword value", one per line, '#' starts a
 * comment line, blank lines are ignored, keywords are case-sensitive.
 */
#ifndef SOA_CONFIG_H
#define SOA_CONFIG_H

#define CONFIG_FILE_MAX	(256 * 1024)

/*
 * Called for each "keyword value" line; value has surrounding blanks
 * removed and may be empty. Returning non-zero stops the load with that
 * code; the handler reports the problem itself, naming path and line.
 */
struct config_handler {
	int	(*line)(void *ctx, const char *path, int lineno,
		    const char *keyword, char *value);
	void	*ctx;
};

/*
 * Read path with util_read_file(file_flags) and feed each line to h.
 * Reports unreadable or unsafe files itself, naming the file.
 */
int config_load(const char *path, int file_flags,
    const struct config_handler *h) __attribute__((warn_unused_result));

/* The same for text already in memory (modified in place). */
int config_parse(const char *path, char *text, const struct config_handler *h)
    __attribute__((warn_unused_result));

/*
 * Split value at blanks, except inside double quotes: the next word,
 * quotes kept, advancing *value; NULL at the end.
 */
char *config_next_word(char **value);

#endif /* SOA_CONFIG_H */
