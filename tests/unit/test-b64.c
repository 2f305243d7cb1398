/*
 * Strict base64 and base64url: RFC 4648 section 10 vectors both ways,
 * and the non-canonical spellings each decoder must refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "err.h"
#include "unit.h"

enum variant {
	URL,		/* base64url, no padding */
	STD		/* standard alphabet, padded */
};

struct vector {
	const char	*name;
	enum variant	 variant;
	const char	*bin;
	size_t		 bin_len;
	const char	*text;
};

/* RFC 4648 section 10, plus bytes that need the 62nd and 63rd symbols. */
static const struct vector vectors[] = {
	{ "the empty string encodes as nothing in base64url", URL, "", 0, "" },
	{ "\"f\" is Zg in base64url", URL, "f", 1, "Zg" },
	{ "\"fo\" is Zm8 in base64url", URL, "fo", 2, "Zm8" },
	{ "\"foo\" is Zm9v in base64url", URL, "foo", 3, "Zm9v" },
	{ "\"foob\" is Zm9vYg in base64url", URL, "foob", 4, "Zm9vYg" },
	{ "\"fooba\" is Zm9vYmE in base64url", URL, "fooba", 5, "Zm9vYmE" },
	{ "\"foobar\" is Zm9vYmFy in base64url", URL, "foobar", 6,
	    "Zm9vYmFy" },
	{ "0xfb 0xff uses '-' and '_' in base64url", URL, "\xfb\xff", 2,
	    "-_8" },
	{ "a NUL byte in the data round-trips in base64url", URL,
	    "a\0b", 3, "YQBi" },
	{ "the empty string encodes as nothing in base64", STD, "", 0, "" },
	{ "\"f\" is Zg== in base64", STD, "f", 1, "Zg==" },
	{ "\"fo\" is Zm8= in base64", STD, "fo", 2, "Zm8=" },
	{ "\"foo\" is Zm9v in base64", STD, "foo", 3, "Zm9v" },
	{ "\"foob\" is Zm9vYg== in base64", STD, "foob", 4, "Zm9vYg==" },
	{ "\"fooba\" is Zm9vYmE= in base64", STD, "fooba", 5, "Zm9vYmE=" },
	{ "\"foobar\" is Zm9vYmFy in base64", STD, "foobar", 6, "Zm9vYmFy" },
	{ "0xfb 0xff uses '+' and '/' in base64", STD, "\xfb\xff", 2,
	    "+/8=" },
};

struct refusal {
	const char	*name;
	enum variant	 variant;
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
};

static const struct refusal refusals[] = {
	{ "base64url refuses padding", URL, "YQ==", 0 },
	{ "base64url refuses a single pad character", URL, "Zm8=", 0 },
	{ "base64url refuses '+'", URL, "+_8", 0 },
	{ "base64url refuses '/'", URL, "-/8", 0 },
	{ "base64url refuses non-zero leftover bits (YR for YQ)", URL,
	    "YR", 0 },
	{ "base64url refuses non-zero leftover bits in a 3-char tail", URL,
	    "Zm9", 0 },
	{ "base64url refuses a lone character", URL, "Z", 0 },
	{ "base64url refuses trailing garbage", URL, "Zm9v!", 0 },
	{ "base64url refuses an embedded NUL", URL, "Zm\0v", 4 },
	{ "base64url refuses a trailing NUL", URL, "Zm9v\0", 5 },
	{ "base64url refuses a space", URL, "Zm9v Zm9v", 0 },
	{ "base64url refuses a newline", URL, "Zm9v\nZm9v", 0 },
	{ "base64url refuses a trailing newline", URL, "Zm9v\n", 0 },
	{ "base64url refuses a leading space", URL, " Zm9v", 0 },
	{ "base64 refuses '-'", STD, "-/8=", 0 },
	{ "base64 refuses '_'", STD, "+_8=", 0 },
	{ "base64 refuses non-zero leftover bits (YR==)", STD, "YR==", 0 },
	{ "base64 refuses non-zero leftover bits before one pad", STD,
	    "Zm9=", 0 },
	{ "base64 refuses a missing pad character", STD, "Zm8", 0 },
	{ "base64 refuses missing padding", STD, "Zg", 0 },
	{ "base64 refuses one pad where two belong", STD, "Zg=", 0 },
	{ "base64 refuses three pad characters", STD, "Zg===", 0 },
	{ "base64 refuses two pads where one belongs", STD, "Zm8==", 0 },
	{ "base64 refuses a whole quad of padding", STD, "Zm9v====", 0 },
	{ "base64 refuses padding in the middle", STD, "Zg==Zm9v", 0 },
	{ "base64 refuses trailing garbage after padding", STD, "Zg==!!!!",
	    0 },
	{ "base64 refuses trailing garbage", STD, "Zm9v!", 0 },
	{ "base64 refuses an embedded NUL", STD, "Zm\0v", 4 },
	{ "base64 refuses a space", STD, "Zm9v Zm9v", 0 },
	{ "base64 refuses a trailing newline", STD, "Zm9vYmFy\n", 0 },
	{ "base64 refuses a length that is not a multiple of 4", STD,
	    "Zm9vY", 0 },
	{ "base64 refuses unpadded input of 6 characters", STD, "Zm9vYg",
	    0 },
};

static void
test_vector(const struct vector *v)
{
	unsigned char *bin = NULL;
	char *text = NULL;
	size_t len = 0;
	int r;

	TEST_START(v->name);

	/* Encode. */
	if (v->variant == URL)
		r = b64url_encode(v->bin, v->bin_len, &text);
	else
		r = b64_encode(v->bin, v->bin_len, &text);
	if (ASSERT_INT_EQ(r, 0))
		ASSERT_STR_EQ(text, v->text);

	/* Decode, which also terminates the output. */
	if (v->variant == URL)
		r = b64url_decode(v->text, strlen(v->text), &bin, &len);
	else
		r = b64_decode(v->text, strlen(v->text), &bin, &len);
	if (ASSERT_INT_EQ(r, 0) && ASSERT_PTR_NOTNULL(bin)) {
		ASSERT_INT_EQ(len, v->bin_len);
		if (len == v->bin_len)
			ASSERT_MEM_EQ(bin, v->bin, len);
		ASSERT_INT_EQ(bin[len], 0);
	}
	free(text);
	free(bin);
	TEST_DONE();
}

static void
test_refusal(const struct refusal *t)
{
	unsigned char *bin = (unsigned char *)"sentinel";
	size_t len = 99;
	size_t n = t->len != 0 ? t->len : strlen(t->text);
	int r;

	TEST_START(t->name);
	if (t->variant == URL)
		r = b64url_decode(t->text, n, &bin, &len);
	else
		r = b64_decode(t->text, n, &bin, &len);
	ASSERT_INT_EQ(r, SOA_ERR_FORMAT);
	ASSERT_PTR_NULL(bin);
	ASSERT_INT_EQ(len, 0);
	if (r == 0)
		free(bin);
	TEST_DONE();
}

/* Only the n bytes given are read: a valid prefix of a longer string. */
static void
test_prefix(void)
{
	unsigned char *bin = NULL;
	size_t len = 0;

	TEST_START("decoding stops at the length given, not at the NUL");
	if (ASSERT_INT_EQ(b64url_decode("Zm9vYmFy", 4, &bin, &len), 0)) {
		ASSERT_INT_EQ(len, 3);
		ASSERT_MEM_EQ(bin, "foo", 3);
	}
	free(bin);
	bin = NULL;
	if (ASSERT_INT_EQ(b64_decode("Zg==Zm9v", 4, &bin, &len), 0)) {
		ASSERT_INT_EQ(len, 1);
		ASSERT_MEM_EQ(bin, "f", 1);
	}
	free(bin);
	TEST_DONE();
}

/* Every byte value survives both encodings. */
static void
test_all_bytes(void)
{
	unsigned char data[256], *bin = NULL;
	char *text = NULL;
	size_t i, n, len;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	TEST_START("every byte value and every length up to 256 round-trips");
	for (n = 0; n <= sizeof(data); n++) {
		if (!ASSERT_INT_EQ(b64url_encode(data + 256 - n, n, &text), 0))
			break;
		if (ASSERT_INT_EQ(b64url_decode(text, strlen(text), &bin,
		    &len), 0) && ASSERT_INT_EQ(len, n))
			ASSERT_MEM_EQ(bin, data + 256 - n, n);
		free(text);
		free(bin);
		bin = NULL;
		if (!ASSERT_INT_EQ(b64_encode(data, n, &text), 0))
			break;
		ASSERT_INT_EQ(strlen(text) % 4, 0);
		if (ASSERT_INT_EQ(b64_decode(text, strlen(text), &bin, &len),
		    0) && ASSERT_INT_EQ(len, n))
			ASSERT_MEM_EQ(bin, data, n);
		free(text);
		free(bin);
		bin = NULL;
	}
	TEST_DONE();
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		test_vector(&vectors[i]);
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		test_refusal(&refusals[i]);
	test_prefix();
	test_all_bytes();
	return TEST_EXIT();
}
