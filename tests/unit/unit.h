/*
 * A tiny harness for the table-driven unit tests.
 *
 *	TEST_START("a token signed with alg none is refused");
 *	ASSERT_INT_EQ(r, SOA_ERR_ALGORITHM);
 *	TEST_DONE();
 *	...
 *	return TEST_EXIT();
 *
 * Every ASSERT_* is checked whether or not NDEBUG is defined. A failed
 * assert prints file:line, the expression, and the expected and actual
 * values, marks the current case failed and carries on, so one run
 * reports every failing case. Each ASSERT_* is an expression worth 1 on
 * success and 0 on failure, for a case that cannot go on without it:
 *
 *	if (!ASSERT_PTR_NOTNULL(p))
 *		goto done;
 *
 * TEST_EXIT() prints the one closing line "N passed, N failed" (counting
 * cases) and yields the exit status: 0 only if no case failed.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define UNIT_UNUSED	__attribute__((unused))

static const char	*unit_case;		/* open case, or NULL */
static int		 unit_case_failed;	/* its asserts failed so far */
static int		 unit_passed;
static int		 unit_failed;

static void UNIT_UNUSED
unit_start(const char *name)
{
	unit_case = name;
	unit_case_failed = 0;
}

static void UNIT_UNUSED
unit_done(void)
{
	if (unit_case_failed)
		unit_failed++;
	else
		unit_passed++;
	unit_case = NULL;
	unit_case_failed = 0;
}

/* Report one failed assert; outside a case it counts as a failed case. */
static int UNIT_UNUSED
unit_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "%s:%d: FAIL \"%s\": %s\n", file, line,
	    unit_case != NULL ? unit_case : "(outside any case)", expr);
	if (unit_case != NULL)
		unit_case_failed++;
	else
		unit_failed++;
	return 0;
}

static int UNIT_UNUSED
unit_int(const char *file, int line, const char *expr, long long a,
    long long b, int want_equal)
{
	if ((a == b) == want_equal)
		return 1;
	unit_fail(file, line, expr);
	fprintf(stderr, "\texpected %s%lld, actual %lld\n",
	    want_equal ? "" : "not ", b, a);
	return 0;
}

static int UNIT_UNUSED
unit_str(const char *file, int line, const char *expr, const char *a,
    const char *b)
{
	if (a != NULL && b != NULL && strcmp(a, b) == 0)
		return 1;
	unit_fail(file, line, expr);
	fprintf(stderr, "\texpected \"%.200s\", actual \"%.200s\"\n",
	    b != NULL ? b : "(null)", a != NULL ? a : "(null)");
	return 0;
}

static int UNIT_UNUSED
unit_ptr(const char *file, int line, const char *expr, const void *a,
    int want_null)
{
	if ((a == NULL) == want_null)
		return 1;
	unit_fail(file, line, expr);
	fprintf(stderr, "\texpected %s, actual %p\n",
	    want_null ? "NULL" : "non-NULL", a);
	return 0;
}

static int UNIT_UNUSED
unit_mem(const char *file, int line, const char *expr, const void *a,
    const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;
	size_t i;

	if (a != NULL && b != NULL && memcmp(a, b, n) == 0)
		return 1;
	unit_fail(file, line, expr);
	if (a == NULL || b == NULL) {
		fprintf(stderr, "\texpected %p, actual %p\n", b, a);
		return 0;
	}
	for (i = 0; pa[i] == pb[i]; i++)
		;
	fprintf(stderr, "\tfirst difference at offset %zu of %zu: "
	    "expected 0x%02x, actual 0x%02x\n", i, n, pb[i], pa[i]);
	return 0;
}

static int UNIT_UNUSED
unit_exit(void)
{
	if (unit_case != NULL)
		unit_done();
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	fflush(stdout);
	return unit_failed == 0 ? 0 : 1;
}

#define TEST_START(name)	unit_start(name)
#define TEST_DONE()		unit_done()
#define TEST_EXIT()		unit_exit()

/* Each compares actual a with expected b. */
#define ASSERT_INT_EQ(a, b) \
	unit_int(__FILE__, __LINE__, "ASSERT_INT_EQ(" #a ", " #b ")", \
	    (long long)(a), (long long)(b), 1)
#define ASSERT_INT_NE(a, b) \
	unit_int(__FILE__, __LINE__, "ASSERT_INT_NE(" #a ", " #b ")", \
	    (long long)(a), (long long)(b), 0)
#define ASSERT_STR_EQ(a, b) \
	unit_str(__FILE__, __LINE__, "ASSERT_STR_EQ(" #a ", " #b ")", (a), (b))
#define ASSERT_PTR_NULL(a) \
	unit_ptr(__FILE__, __LINE__, "ASSERT_PTR_NULL(" #a ")", (a), 1)
#define ASSERT_PTR_NOTNULL(a) \
	unit_ptr(__FILE__, __LINE__, "ASSERT_PTR_NOTNULL(" #a ")", (a), 0)
#define ASSERT_MEM_EQ(a, b, n) \
	unit_mem(__FILE__, __LINE__, "ASSERT_MEM_EQ(" #a ", " #b ", " #n ")", \
	    (a), (b), (n))

#endif /* UNIT_H */
