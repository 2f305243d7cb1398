/*
 * The sign-in prompt, on stderr and never on stdout (which may be ssh's
 * transport). Every provider-supplied string is escaped before it
 * reaches the terminal: a hostile provider must not be able to send
 * escape sequences.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <qrencode.h>

#include "helper.h"
#include "http.h"
#include "log.h"

#define SHOWN_MAX	512
#define PROMPT_LINES	4	/* Open, Code, Waiting, a spare */

/*
 * Draw the QR code two modules per character cell with half blocks, in
 * black on white whatever the terminal's colours, with a two-module
 * quiet zone. It goes above the text, so that on a small screen the code
 * and URL stay visible at the bottom; a terminal that reports no size
 * counts as 80x24.
 */
static void
show_qr(const char *text)
{
	struct winsize ws;
	QRcode *qr;
	int x, y, size, rows, top, bottom, margin = 2;

	if (!isatty(STDERR_FILENO) ||
	    ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == -1)
		return;
	if (ws.ws_col == 0 || ws.ws_row == 0) {
		ws.ws_col = 80;
		ws.ws_row = 24;
	}
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1)) ==
	    NULL)
		return;
	size = qr->width + 2 * margin;
	rows = (size + 1) / 2;
	if (ws.ws_col < size + 2 || ws.ws_row < rows + PROMPT_LINES)
		goto out;
	for (y = -margin; y < qr->width + margin; y += 2) {
		fprintf(stderr, "  \033[30;47m");
		for (x = -margin; x < qr->width + margin; x++) {
			top = y >= 0 && y < qr->width && x >= 0 &&
			    x < qr->width && (qr->data[y * qr->width + x] & 1);
			bottom = y + 1 < qr->width && x >= 0 &&
			    x < qr->width && y + 1 >= 0 &&
			    (qr->data[(y + 1) * qr->width + x] & 1);
			fputs(top && bottom ? "\u2588" : top ? "\u2580" :
			    bottom ? "\u2584" : " ", stderr);
		}
		fprintf(stderr, "\033[0m\n");
	}
 out:
	QRcode_free(qr);
}

/* Whether a countdown line is on the screen, to end before more text. */
static int ticking;

/*
 * Open url in the user's browser, when asked to (--browser): never by
 * default, since the helper often runs where no browser can show.
 */
static void
open_browser(const char *url)
{
	posix_spawn_file_actions_t fa;
	char *argv[3];
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
	    O_WRONLY, 0);
	argv[0] = (char *)"xdg-open";
	argv[1] = (char *)url;
	argv[2] = NULL;
	if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) != 0)
		fprintf(stderr, "  (could not start xdg-open to open a "
		    "browser)\n");
	posix_spawn_file_actions_destroy(&fa);
}

void
prompt_show(const struct profile *p, const char *uri,
    const char *uri_complete, const char *user_code, int64_t expires_in)
{
	char shown_uri[SHOWN_MAX], shown_code[64];
	const char *url = uri_complete != NULL ? uri_complete : uri;
	const char *why;
	int tty = isatty(STDERR_FILENO);

	/* Only the provider's own complete URL goes in the QR code. */
	fprintf(stderr, "\nssh-oauth: sign in to continue\n");
	if (p->qr)
		show_qr(url);
	log_escape(shown_uri, sizeof(shown_uri), uri, 300);
	log_escape(shown_code, sizeof(shown_code), user_code, 40);
	fprintf(stderr, "  Open:  %s\n", shown_uri);
	fprintf(stderr, "  Code:  %s%s%s\n", tty ? "\033[1m" : "", shown_code,
	    tty ? "\033[0m" : "");
	if (p->browser && http_url_allowed(url, &why) == 0)
		open_browser(url);
	if (!tty)
		fprintf(stderr, "  Waiting for approval (the code expires in "
		    "%lld min)...\n", (long long)(expires_in + 59) / 60);
	else
		prompt_tick(expires_in);
	fflush(stderr);
}

void
prompt_tick(int64_t seconds_left)
{
	if (!isatty(STDERR_FILENO) || seconds_left < 0)
		return;
	fprintf(stderr, "\r  Waiting for approval: the code expires in "
	    "%lld:%02lld ", (long long)seconds_left / 60,
	    (long long)seconds_left % 60);
	fflush(stderr);
	ticking = 1;
}

void
prompt_done(const char *what)
{
	if (ticking)
		fputc('\n', stderr);
	ticking = 0;
	if (what != NULL)
		fprintf(stderr, "ssh-oauth: sign-in %s\n", what);
	fflush(stderr);
}
