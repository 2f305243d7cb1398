#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "err.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->alloc = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	if (b->data != NULL) {
		sodium_memzero(b->data, b->alloc);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->alloc = 0;
}

/* Make room for n more bytes plus a terminating NUL. */
static int
buf_reserve(struct buf *b, size_t n)
{
	unsigned char *p;
	size_t want;

	if (n > b->max || b->len > b->max - n)
		return SOA_ERR_LIMIT;
	if (b->len + n + 1 <= b->alloc)
		return 0;

	/*
	 * Grow by doubling, but copy by hand rather than realloc so the old
	 * block can be wiped: it may hold part of a token.
	 */
	want = b->alloc < 256 ? 256 : b->alloc;
	while (want < b->len + n + 1)
		want *= 2;
	if (want > b->max + 1)
		want = b->max + 1;
	if ((p = calloc(1, want)) == NULL)
		return SOA_ERR_ALLOC;
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		sodium_memzero(b->data, b->alloc);
		free(b->data);
	}
	b->data = p;
	b->alloc = want;
	return 0;
}

int
buf_put(struct buf *b, const void *p, size_t n)
{
	int r;

	if ((r = buf_reserve(b, n)) != 0)
		return r;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4];

	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return buf_put(b, p, sizeof(p));
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	int r;

	if ((r = buf_put_u32(b, (uint32_t)(v >> 32))) != 0)
		return r;
	return buf_put_u32(b, (uint32_t)v);
}

int
buf_put_string(struct buf *b, const void *p, size_t n)
{
	int r;

	if (n > UINT32_MAX)
		return SOA_ERR_LIMIT;
	if ((r = buf_put_u32(b, (uint32_t)n)) != 0)
		return r;
	return buf_put(b, p, n);
}

int
buf_put_cstring(struct buf *b, const char *s)
{
	return buf_put_string(b, s, strlen(s));
}

int
buf_cstring(struct buf *b, const char **out)
{
	int r;

	*out = NULL;
	if (b->data == NULL && (r = buf_reserve(b, 0)) != 0)
		return r;
	if (memchr(b->data, '\0', b->len) != NULL)
		return SOA_ERR_FORMAT;
	*out = (const char *)b->data;
	return 0;
}

void
wire_init(struct wire *w, const void *data, size_t len)
{
	w->data = data;
	w->len = len;
	w->off = 0;
}

size_t
wire_left(const struct wire *w)
{
	return w->len - w->off;
}

int
wire_get_u8(struct wire *w, uint8_t *v)
{
	if (wire_left(w) < 1)
		return SOA_ERR_FORMAT;
	*v = w->data[w->off++];
	return 0;
}

int
wire_get_u32(struct wire *w, uint32_t *v)
{
	const unsigned char *p;

	if (wire_left(w) < 4)
		return SOA_ERR_FORMAT;
	p = w->data + w->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	w->off += 4;
	return 0;
}

int
wire_get_u64(struct wire *w, uint64_t *v)
{
	uint32_t hi, lo;
	int r;

	if (wire_left(w) < 8)
		return SOA_ERR_FORMAT;
	if ((r = wire_get_u32(w, &hi)) != 0 || (r = wire_get_u32(w, &lo)) != 0)
		return r;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int
wire_get_string(struct wire *w, const unsigned char **p, size_t *n)
{
	uint32_t len;
	size_t save = w->off;
	int r;

	*p = NULL;
	*n = 0;
	if ((r = wire_get_u32(w, &len)) != 0)
		return r;
	if (len > wire_left(w)) {
		w->off = save;
		return SOA_ERR_FORMAT;
	}
	*p = w->data + w->off;
	*n = len;
	w->off += len;
	return 0;
}

int
wire_get_cstring(struct wire *w, char **s)
{
	const unsigned char *p;
	size_t n;
	int r;

	*s = NULL;
	if ((r = wire_get_string(w, &p, &n)) != 0)
		return r;
	if (memchr(p, '\0', n) != NULL)
		return SOA_ERR_FORMAT;
	if ((*s = malloc(n + 1)) == NULL)
		return SOA_ERR_ALLOC;
	memcpy(*s, p, n);
	(*s)[n] = '\0';
	return 0;
}
