/*
 * Strict JSON: jsonx_parse_object() takes one object spanning the input
 * and nothing json-c would quietly repair or collapse; jsonx_int64()
 * takes whole numbers only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonx.h"
#include "unit.h"

struct parse_case {
	const char	*name;
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	int		 want;
};

static const struct parse_case parse_cases[] = {
	{ "an object parses", "{\"a\":1}", 0, 0 },
	{ "a string with an escaped NUL is refused",
	    "{\"g\":\"ssh-admins\\u0000x\"}", 0, SOA_ERR_JSON },
	{ "a member name with an escaped NUL is refused",
	    "{\"groups\\u0000x\":1}", 0, SOA_ERR_JSON },
	{ "an escaped backslash before u0000 is not a NUL",
	    "{\"g\":\"a\\\\u0000\"}", 0, 0 },
	{ "an empty object parses", "{}", 0, 0 },
	{ "an object with trailing whitespace parses",
	    "{\"a\":1} \t\r\n ", 0, 0 },
	{ "an object with leading whitespace parses", " \n{\"a\":1}", 0, 0 },
	{ "a colon inside strings does not confuse the member count",
	    "{\"a\":\"x:y\",\"b\":\"::\"}", 0, 0 },
	{ "a colon inside a member name does not confuse the member count",
	    "{\"a:b\":1,\"c\":{\"d:\":\":\"}}", 0, 0 },
	{ "escaped quotes and backslashes before a colon are handled",
	    "{\"a\":\"\\\":\",\"b\\\\\":\"\\\\\",\"c\":\"\\\\\\\":\"}", 0, 0 },
	{ "equal names in different objects are not duplicates",
	    "{\"a\":{\"b\":1},\"c\":{\"b\":2},\"d\":[{\"b\":3},{\"b\":4}]}",
	    0, 0 },
	{ "objects nested 16 deep parse",
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}}}}}}}}",
	    0, 0 },
	{ "only the n bytes given are parsed, whatever follows them",
	    "{\"a\":1}  x", 7, 0 },
	{ "an array at the top is refused", "[1,2]", 0, SOA_ERR_JSON },
	{ "a string at the top is refused", "\"a\"", 0, SOA_ERR_JSON },
	{ "a number at the top is refused", "1", 0, SOA_ERR_JSON },
	{ "null at the top is refused", "null", 0, SOA_ERR_JSON },
	{ "empty input is refused", "", 0, SOA_ERR_JSON },
	{ "whitespace alone is refused", "  ", 0, SOA_ERR_JSON },
	{ "trailing garbage is refused", "{\"a\":1}x", 0, SOA_ERR_JSON },
	{ "a second object after the first is refused", "{\"a\":1} {}", 0,
	    SOA_ERR_JSON },
	{ "an unterminated object is refused", "{\"a\":1", 0, SOA_ERR_JSON },
	{ "duplicate member names at the top are refused",
	    "{\"a\":1,\"a\":2}", 0, SOA_ERR_JSON },
	{ "duplicate member names with equal values are refused",
	    "{\"iss\":\"x\",\"iss\":\"x\"}", 0, SOA_ERR_JSON },
	{ "duplicate member names in a nested object are refused",
	    "{\"a\":{\"b\":1,\"b\":2}}", 0, SOA_ERR_JSON },
	{ "duplicate member names in an object inside an array are refused",
	    "{\"a\":[{\"b\":1,\"b\":2}]}", 0, SOA_ERR_JSON },
	{ "duplicates spelled with a \\u escape are refused",
	    "{\"iss\":\"a\",\"\\u0069ss\":\"b\"}", 0, SOA_ERR_JSON },
	{ "a duplicate hidden after a colon in a string is refused",
	    "{\"a\":\"x:y\",\"a\":2}", 0, SOA_ERR_JSON },
	{ "an embedded NUL after the object is refused", "{\"a\":1}\0", 8,
	    SOA_ERR_JSON },
	{ "an embedded NUL inside a string is refused", "{\"a\":\"x\0y\"}",
	    11, SOA_ERR_JSON },
	{ "objects nested 17 deep are refused",
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}"
	    "}}}}}}}}}}}}}}}}",
	    0, SOA_ERR_JSON },
	{ "arrays nested 20 deep are refused",
	    "{\"a\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}", 0,
	    SOA_ERR_JSON },
	{ "single-quoted strings are refused", "{\"a\":'x'}", 0,
	    SOA_ERR_JSON },
	{ "unquoted member names are refused", "{a:1}", 0, SOA_ERR_JSON },
	{ "a trailing comma is refused", "{\"a\":1,}", 0, SOA_ERR_JSON },
	{ "comments are refused", "{\"a\":1 /* : */}", 0, SOA_ERR_JSON },
	{ "a leading zero is refused", "{\"a\":01}", 0, SOA_ERR_JSON },
	{ "NaN is refused, not being JSON", "{\"a\":NaN}", 0, SOA_ERR_JSON },
	{ "Infinity is refused, not being JSON", "{\"a\":-Infinity}", 0,
	    SOA_ERR_JSON },
};

struct int_case {
	const char	*name;
	const char	*text;
	int		 want;
	int64_t		 value;
};

static const struct int_case int_cases[] = {
	{ "jsonx_int64 reads an integer", "{\"n\":1700000000}", 0,
	    1700000000 },
	{ "jsonx_int64 reads a negative integer", "{\"n\":-5}", 0, -5 },
	{ "jsonx_int64 reads a large integer inside the range",
	    "{\"n\":9223372036854775806}", 0, INT64_C(9223372036854775806) },
	{ "jsonx_int64 reads an integral double", "{\"n\":1.7e9}", 0,
	    1700000000 },
	{ "jsonx_int64 reads an integral double written with a point",
	    "{\"n\":42.0}", 0, 42 },
	{ "jsonx_int64 refuses a fractional double", "{\"n\":1.5}",
	    SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 refuses a double past the int64 range",
	    "{\"n\":1e19}", SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 refuses an integer just past INT64_MAX",
	    "{\"n\":9223372036854775808}", SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 refuses an integer far past INT64_MAX",
	    "{\"n\":18446744073709551616}", SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 refuses an integer just below INT64_MIN",
	    "{\"n\":-9223372036854775809}", SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 refuses a string", "{\"n\":\"5\"}", SOA_ERR_FORMAT,
	    0 },
	{ "jsonx_int64 refuses a boolean", "{\"n\":true}", SOA_ERR_FORMAT,
	    0 },
	{ "jsonx_int64 refuses an array", "{\"n\":[5]}", SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 refuses an object", "{\"n\":{}}", SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 refuses null, which is present but not a number",
	    "{\"n\":null}", SOA_ERR_FORMAT, 0 },
	{ "jsonx_int64 reports a missing member as not found",
	    "{\"m\":5}", SOA_ERR_NOT_FOUND, 0 },
};

static void
test_parse(const struct parse_case *t)
{
	json_object *o = (json_object *)1;
	size_t n = t->len != 0 ? t->len : strlen(t->text);
	char *copy;
	int r;

	TEST_START(t->name);

	/*
	 * A copy, so reading past n shows up under valgrind; but a case
	 * whose text goes on past n passes that text itself.
	 */
	if ((copy = malloc(n + 1)) == NULL)
		abort();
	memcpy(copy, t->text, n);
	copy[n] = '\0';
	if (t->len != 0 && strlen(t->text) > t->len)
		r = jsonx_parse_object(t->text, n, &o);
	else
		r = jsonx_parse_object(copy, n, &o);
	ASSERT_INT_EQ(r, t->want);
	if (r == 0) {
		if (ASSERT_PTR_NOTNULL(o))
			ASSERT_INT_EQ(json_object_get_type(o),
			    json_type_object);
		json_object_put(o);
	} else
		ASSERT_PTR_NULL(o);
	free(copy);
	TEST_DONE();
}

/* The input need not be terminated: only n bytes may be looked at. */
static void
test_unterminated(void)
{
	static const char text[] = "{\"a\":[1,2,{\"b\":\"c\"}]}  ";
	json_object *o = NULL;
	size_t n = sizeof(text) - 1;
	char *copy;

	TEST_START("an unterminated buffer is parsed without reading past it");
	if ((copy = malloc(n)) == NULL)
		abort();
	memcpy(copy, text, n);
	ASSERT_INT_EQ(jsonx_parse_object(copy, n, &o), 0);
	json_object_put(o);
	free(copy);
	TEST_DONE();
}

static void
test_int(const struct int_case *t)
{
	json_object *o = NULL;
	int64_t v = 12345;

	TEST_START(t->name);
	if (!ASSERT_INT_EQ(jsonx_parse_object(t->text, strlen(t->text), &o),
	    0))
		goto out;
	ASSERT_INT_EQ(jsonx_int64(o, "n", &v), t->want);
	ASSERT_INT_EQ(v, t->value);
 out:
	json_object_put(o);
	TEST_DONE();
}

static void
test_string(void)
{
	static const char text[] = "{\"s\":\"x\",\"n\":1,\"z\":null}";
	json_object *o = NULL;

	TEST_START("jsonx_string gives strings only");
	if (ASSERT_INT_EQ(jsonx_parse_object(text, strlen(text), &o), 0)) {
		ASSERT_STR_EQ(jsonx_string(o, "s"), "x");
		ASSERT_PTR_NULL(jsonx_string(o, "n"));
		ASSERT_PTR_NULL(jsonx_string(o, "z"));
		ASSERT_PTR_NULL(jsonx_string(o, "missing"));
	}
	json_object_put(o);
	TEST_DONE();
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		test_parse(&parse_cases[i]);
	test_unterminated();
	for (i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++)
		test_int(&int_cases[i]);
	test_string();
	return TEST_EXIT();
}
