/*
 * The login policy: loading (every bad line refuses the whole file),
 * matching a token's claims and the target user against the rules, and
 * the user-name check principals must pass.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "akc.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "unit.h"
#include "util.h"

static char	 tmpdir[] = "/tmp/test-policy.XXXXXX";
static int	 nfiles;

/* Write len bytes of text to a new file in tmpdir; return its path. */
static char *
write_policy(const char *text, size_t len, mode_t mode)
{
	char *path;
	int fd;

	path = util_xasprintf("%s/policy.%d", tmpdir, nfiles++);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0 ||
	    close(fd) != 0) {
		perror(path);
		abort();
	}
	return path;
}

static const char good_policy[] =
    "# who may log in as whom\n"				/* 1 */
    "\n"							/* 2 */
    "allow groups=admins alice,bob\n"				/* 3 */
    "  allow groups=ops carol from=\"10.0.0.0/8,*.example.com\",no-pty\n"
    "allow groups=staff dave restrict,pty\n"			/* 5 */
    "allow groups=admins dave no-agent-forwarding\n"		/* 6 */
    "\tallow email=eve@example.com eve\t\n"			/* 7 */
    "allow groups=* anyone\n"					/* 8 */
    "allow groups=admins " "abcdefghijklmnopqrstuvwxyz012345\n"; /* 9 */

struct match_case {
	const char	*name;
	const char	*claims;
	const char	*user;
	int		 want_line;
	const char	*want_options;
};

static const struct match_case match_cases[] = {
	{ "a member of the group gets a listed principal",
	    "{\"groups\":[\"users\",\"admins\"]}", "alice", 3, "" },
	{ "the second principal of a rule is granted too",
	    "{\"groups\":[\"admins\"]}", "bob", 3, "" },
	{ "a member of the group does not get an unlisted principal",
	    "{\"groups\":[\"admins\"]}", "root", 0, "" },
	{ "a principal is matched whole, not by prefix",
	    "{\"groups\":[\"admins\"]}", "ali", 0, "" },
	{ "a principal is matched whole, not as a superstring",
	    "{\"groups\":[\"admins\"]}", "alice2", 0, "" },
	{ "a principal is matched whole, not across the comma",
	    "{\"groups\":[\"admins\"]}", "alice,bob", 0, "" },
	{ "a non-member does not get the principal",
	    "{\"groups\":[\"users\"]}", "alice", 0, "" },
	{ "a missing groups claim grants nothing",
	    "{\"sub\":\"alice\"}", "alice", 0, "" },
	{ "a groups claim that is a number grants nothing",
	    "{\"groups\":5}", "alice", 0, "" },
	{ "a groups claim that is an empty array grants nothing",
	    "{\"groups\":[]}", "alice", 0, "" },
	{ "a groups claim that is an object grants nothing",
	    "{\"groups\":{\"admins\":true}}", "alice", 0, "" },
	{ "a bare-string groups claim works like a one-element array",
	    "{\"groups\":\"admins\"}", "alice", 3, "" },
	{ "the rule's options come back with its line",
	    "{\"groups\":[\"ops\"]}", "carol", 4,
	    "from=\"10.0.0.0/8,*.example.com\",no-pty" },
	{ "the first matching rule's options are returned",
	    "{\"groups\":[\"admins\",\"staff\"]}", "dave", 5, "restrict,pty" },
	{ "a later rule applies when the earlier one does not",
	    "{\"groups\":[\"admins\"]}", "dave", 6, "no-agent-forwarding" },
	{ "another claim than groups can be tested",
	    "{\"email\":\"eve@example.com\"}", "eve", 7, "" },
	{ "another claim is compared exactly",
	    "{\"email\":\"EVE@example.com\"}", "eve", 0, "" },
	{ "the value * matches any non-empty string",
	    "{\"groups\":\"x\"}", "anyone", 8, "" },
	{ "the value * does not match an empty string",
	    "{\"groups\":\"\"}", "anyone", 0, "" },
	{ "a principal of 32 characters is granted",
	    "{\"groups\":[\"admins\"]}", "abcdefghijklmnopqrstuvwxyz012345", 9,
	    "" },
	{ "a claim named like a rule's group but elsewhere grants nothing",
	    "{\"roles\":[\"admins\"]}", "alice", 0, "" },
};

/* Rules on what a provider may leave out or not vouch for. */
static const char strict_policy[] =
    "deny groups=contractors\n"				/* 1 */
    "allow email_domain=example.com {email_local}\n"		/* 2 */
    "allow groups=\"SSH Admins\" admin\n";			/* 3 */

static const struct match_case strict_cases[] = {
	{ "a verified email's local part is a principal",
	    "{\"email\":\"root@example.com\",\"email_verified\":true}",
	    "root", 2, "" },
	{ "an email without email_verified derives nothing",
	    "{\"email\":\"root@example.com\"}", "root", 0, "" },
	{ "an email with email_verified false derives nothing",
	    "{\"email\":\"root@example.com\",\"email_verified\":false}",
	    "root", 0, "" },
	{ "a deny rule on groups the provider withheld (overage) refuses",
	    "{\"email\":\"root@example.com\",\"email_verified\":true,"
	    "\"_claim_names\":{\"groups\":\"src1\"}}", "root", 0, "" },
	{ "a deny rule that holds refuses",
	    "{\"email\":\"root@example.com\",\"email_verified\":true,"
	    "\"groups\":[\"contractors\"]}", "root", 0, "" },
	{ "a quoted group name with a blank matches",
	    "{\"groups\":[\"SSH Admins\"]}", "admin", 3, "" },
	{ "a group name differing by the blank does not",
	    "{\"groups\":[\"SSHAdmins\"]}", "admin", 0, "" },
};

/* A token with 300 groups, the one that counts last. */
static void
test_many_groups(const struct akc_policy *pol)
{
	json_object *claims, *groups;
	const char *options;
	char name[32];
	int i;

	TEST_START("a member of 300 groups is found in the last of them");
	claims = json_object_new_object();
	groups = json_object_new_array();
	for (i = 0; i < 299; i++) {
		snprintf(name, sizeof(name), "team-%03d", i);
		json_object_array_add(groups, json_object_new_string(name));
	}
	json_object_array_add(groups, json_object_new_string("SSH Admins"));
	json_object_object_add(claims, "groups", groups);
	ASSERT_INT_EQ(akc_policy_match(pol, claims, "admin", &options), 3);
	ASSERT_INT_EQ(akc_policy_match(pol, claims, "root", &options), 0);
	json_object_put(claims);
	TEST_DONE();
}

static void
test_match(const struct akc_policy *pol, const struct match_case *t)
{
	json_object *o = NULL;
	const char *options = NULL;

	TEST_START(t->name);
	if (ASSERT_INT_EQ(jsonx_parse_object(t->claims, strlen(t->claims),
	    &o), 0)) {
		ASSERT_INT_EQ(akc_policy_match(pol, o, t->user, &options),
		    t->want_line);
		ASSERT_STR_EQ(options, t->want_options);
	}
	json_object_put(o);
	TEST_DONE();
}

struct load_case {
	const char	*name;
	const char	*text;
	mode_t		 mode;
	int		 want;
};

static const struct load_case load_cases[] = {
	{ "an empty policy file loads", "", 0644, 0 },
	{ "a policy of comments and blank lines loads", "# x\n\n  \n#y", 0644,
	    0 },
	{ "a policy file without a final newline loads",
	    "allow groups=a alice", 0644, 0 },
	{ "a read-only policy file loads", "allow groups=a alice\n", 0444,
	    0 },
	{ "an unknown keyword is refused", "permit groups=a alice\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a comment after a rule is refused",
	    "allow groups=a alice # note\n", 0644, SOA_ERR_CONFIG },
	{ "a quoted value with a blank loads",
	    "allow groups=\"A B\" alice\n", 0644, 0 },
	{ "an unbalanced quote is refused",
	    "allow groups=\"A B alice\n", 0644, SOA_ERR_CONFIG },
	{ "a quote inside an unquoted value is refused",
	    "allow groups=A\"B alice\n", 0644, SOA_ERR_CONFIG },
	{ "command= with a blank inside its quotes loads",
	    "allow groups=a alice command=\"/bin/echo hi\"\n", 0644, 0 },
	{ "a keyword in the wrong case is refused", "Allow groups=a alice\n",
	    0644, SOA_ERR_CONFIG },
	{ "a rule without principals is refused", "allow groups=a\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a rule with nothing after allow is refused", "allow\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a claim test without '=' is refused", "allow groups alice\n",
	    0644, SOA_ERR_CONFIG },
	{ "a claim test with an empty name is refused", "allow =a alice\n",
	    0644, SOA_ERR_CONFIG },
	{ "a claim test with an empty value is refused",
	    "allow groups= alice\n", 0644, SOA_ERR_CONFIG },
	{ "a principal starting with '-' is refused",
	    "allow groups=a -root\n", 0644, SOA_ERR_CONFIG },
	{ "a principal holding '@' is refused", "allow groups=a a@b\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a principal of 33 characters is refused",
	    "allow groups=a abcdefghijklmnopqrstuvwxyz0123456\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a principal holding a quote is refused",
	    "allow groups=a al\"ice\n", 0644, SOA_ERR_CONFIG },
	{ "a trailing comma after the principals is refused",
	    "allow groups=a alice,\n", 0644, SOA_ERR_CONFIG },
	{ "a leading comma before the principals is refused",
	    "allow groups=a ,alice\n", 0644, SOA_ERR_CONFIG },
	{ "an empty principal between commas is refused",
	    "allow groups=a alice,,bob\n", 0644, SOA_ERR_CONFIG },
	{ "an unknown option is refused",
	    "allow groups=a alice no-such-option\n", 0644, SOA_ERR_CONFIG },
	{ "an unknown quoted option is refused",
	    "allow groups=a alice environment=\"A=b\"\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a misspelt option is refused",
	    "allow groups=a alice no-ptyx\n", 0644, SOA_ERR_CONFIG },
	{ "a from= pattern holding a quote is refused",
	    "allow groups=a alice from=\"10.0.0.1\"x\"\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a from= pattern holding a backslash is refused",
	    "allow groups=a alice from=\"10.0.0.1\\\"\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a from= pattern holding a space is refused",
	    "allow groups=a alice from=\"10.0.0.1 10.0.0.2\"\n", 0644,
	    SOA_ERR_CONFIG },
	{ "an empty from= pattern is refused",
	    "allow groups=a alice from=\"\"\n", 0644, SOA_ERR_CONFIG },
	{ "an unterminated from= pattern is refused",
	    "allow groups=a alice from=\"10.0.0.1\n", 0644, SOA_ERR_CONFIG },
	{ "a trailing comma after the options is refused",
	    "allow groups=a alice restrict,\n", 0644, SOA_ERR_CONFIG },
	{ "two commas between options are refused",
	    "allow groups=a alice restrict,,pty\n", 0644, SOA_ERR_CONFIG },
	{ "a word after the options is refused",
	    "allow groups=a alice pty extra\n", 0644, SOA_ERR_CONFIG },
	{ "one bad line refuses the whole file",
	    "allow groups=a alice\nallow groups=b -bob\n", 0644,
	    SOA_ERR_CONFIG },
	{ "a world-writable policy file is refused",
	    "allow groups=a alice\n", 0666, SOA_ERR_PERM },
	{ "a group-writable policy file is refused",
	    "allow groups=a alice\n", 0664, SOA_ERR_PERM },
};

static void
test_load(const struct load_case *t)
{
	struct akc_policy *pol = (struct akc_policy *)1;
	char *path;
	int r;

	TEST_START(t->name);
	path = write_policy(t->text, strlen(t->text), t->mode);
	r = akc_policy_load(path, &pol);
	ASSERT_INT_EQ(r, t->want);
	if (r == 0) {
		ASSERT_PTR_NOTNULL(pol);
		akc_policy_free(pol);
	} else
		ASSERT_PTR_NULL(pol);
	unlink(path);
	free(path);
	TEST_DONE();
}

static void
test_odd_files(void)
{
	static const char nul[] = "allow groups=a al\0ice\n";
	struct akc_policy *pol = NULL;
	char *path, *link;

	TEST_START("a policy file holding a NUL byte is refused");
	path = write_policy(nul, sizeof(nul) - 1, 0644);
	ASSERT_INT_EQ(akc_policy_load(path, &pol), SOA_ERR_FORMAT);
	ASSERT_PTR_NULL(pol);
	unlink(path);
	free(path);
	TEST_DONE();

	TEST_START("a missing policy file is reported as not found");
	path = util_xasprintf("%s/absent", tmpdir);
	ASSERT_INT_EQ(akc_policy_load(path, &pol), SOA_ERR_NOT_FOUND);
	ASSERT_PTR_NULL(pol);
	free(path);
	TEST_DONE();

	TEST_START("a policy file reached through a symbolic link is refused");
	path = write_policy("allow groups=a alice\n", 21, 0644);
	link = util_xasprintf("%s/link", tmpdir);
	if (symlink(path, link) != 0)
		abort();
	ASSERT_INT_EQ(akc_policy_load(link, &pol), SOA_ERR_PERM);
	ASSERT_PTR_NULL(pol);
	unlink(link);
	unlink(path);
	free(link);
	free(path);
	TEST_DONE();

	TEST_START("a directory is refused as a policy file");
	path = util_xasprintf("%s/dir", tmpdir);
	if (mkdir(path, 0755) != 0)
		abort();
	ASSERT_INT_NE(akc_policy_load(path, &pol), 0);
	ASSERT_PTR_NULL(pol);
	rmdir(path);
	free(path);
	TEST_DONE();
}

struct name_case {
	const char	*name;
	int		 want;
};

static const struct name_case name_cases[] = {
	{ "alice", 1 },
	{ "a", 1 },
	{ "root", 1 },
	{ "Alice.Smith_2-x", 1 },
	{ "abcdefghijklmnopqrstuvwxyz012345", 1 },		/* 32 */
	{ "abcdefghijklmnopqrstuvwxyz0123456", 0 },		/* 33 */
	{ "", 0 },
	{ "-root", 0 },
	{ "a@b", 0 },
	{ "a b", 0 },
	{ "a\tb", 0 },
	{ "a\nb", 0 },
	{ "a\"b", 0 },
	{ "a'b", 0 },
	{ "a,b", 0 },
	{ "a/b", 0 },
	{ "a:b", 0 },
	{ "a\\b", 0 },
	{ "a$", 0 },
	{ "a*", 0 },
	{ "\xc3\xa9t\xc3\xa9", 0 },
};

static void
test_names(void)
{
	char label[128];
	size_t i;

	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		snprintf(label, sizeof(label), "user name #%zu is %s", i,
		    name_cases[i].want ? "accepted" : "refused");
		TEST_START(label);
		if (!ASSERT_INT_EQ(akc_valid_user_name(name_cases[i].name),
		    name_cases[i].want))
			fprintf(stderr, "\tname \"%s\"\n", name_cases[i].name);
		TEST_DONE();
	}
}

int
main(void)
{
	struct akc_policy *pol = NULL;
	char *path;
	size_t i;
	int r;

	log_init("test-policy", getenv("UNIT_VERBOSE") != NULL ?
	    LOG_LEVEL_DEBUG : LOG_LEVEL_QUIET, LOG_TO_STDERR);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	TEST_START("a valid policy file loads");
	path = write_policy(good_policy, sizeof(good_policy) - 1, 0644);
	r = akc_policy_load(path, &pol);
	ASSERT_INT_EQ(r, 0);
	ASSERT_PTR_NOTNULL(pol);
	unlink(path);
	free(path);
	TEST_DONE();

	if (pol != NULL)
		for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]);
		    i++)
			test_match(pol, &match_cases[i]);
	akc_policy_free(pol);

	TEST_START("a policy with deny rules and templates loads");
	pol = NULL;
	path = write_policy(strict_policy, sizeof(strict_policy) - 1, 0644);
	ASSERT_INT_EQ(akc_policy_load(path, &pol), 0);
	unlink(path);
	free(path);
	TEST_DONE();
	if (pol != NULL) {
		for (i = 0; i < sizeof(strict_cases) / sizeof(strict_cases[0]);
		    i++)
			test_match(pol, &strict_cases[i]);
		test_many_groups(pol);
	}
	akc_policy_free(pol);

	for (i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++)
		test_load(&load_cases[i]);
	test_odd_files();
	test_names();

	rmdir(tmpdir);
	return TEST_EXIT();
}
