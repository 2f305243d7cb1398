/*
 * Bounded byte buffers and a reader for the SSH wire format (RFC 4251
 * section 5: uint32 and uint64 big-endian, string = uint32 length + bytes).
 *
 * A struct buf grows on demand but never past the maximum given to
 * buf_init(); it wipes its memory when freed because it often holds
 * tokens or keys. A struct wire reads from memory it does not own and
 * never reads past the end.
 */
#ifndef SOA_BUF_H
#define SOA_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	unsigned char	*data;
	size_t		 len;
	size_t		 alloc;
	size_t		 max;
};

struct wire {
	const unsigned char	*data;
	size_t			 len;
	size_t			 off;
};

/* Start an empty buffer that may hold up to max bytes. */
void buf_init(struct buf *b, size_t max);

/* Wipe and release the contents; b may be reused after buf_init(). */
void buf_free(struct buf *b);

/* Append; SOA_ERR_LIMIT past the cap, SOA_ERR_ALLOC on failure. */
int buf_put(struct buf *b, const void *p, size_t n)
    __attribute__((warn_unused_result));
int buf_put_u8(struct buf *b, uint8_t v) __attribute__((warn_unused_result));
int buf_put_u32(struct buf *b, uint32_t v) __attribute__((warn_unused_result));
int buf_put_u64(struct buf *b, uint64_t v) __attribute__((warn_unused_result));
int buf_put_string(struct buf *b, const void *p, size_t n)
    __attribute__((warn_unused_result));
int buf_put_cstring(struct buf *b, const char *s)
    __attribute__((warn_unused_result));

/*
 * Return the contents as a NUL-terminated string (the NUL is not counted
 * in len). SOA_ERR_FORMAT if the contents hold a NUL byte.
 */
int buf_cstring(struct buf *b, const char **out)
    __attribute__((warn_unused_result));

void wire_init(struct wire *w, const void *data, size_t len);

/* Read a value; SOA_ERR_FORMAT if the input ends first. */
int wire_get_u8(struct wire *w, uint8_t *v) __attribute__((warn_unused_result));
int wire_get_u32(struct wire *w, uint32_t *v)
    __attribute__((warn_unused_result));
int wire_get_u64(struct wire *w, uint64_t *v)
    __attribute__((warn_unused_result));

/* Point *p at the next string's bytes (not copied, not terminated). */
int wire_get_string(struct wire *w, const unsigned char **p, size_t *n)
    __attribute__((warn_unused_result));

/*
 * Copy the next string into a new NUL-terminated allocation; refuses
 * strings holding a NUL byte. The caller frees *s.
 */
int wire_get_cstring(struct wire *w, char **s)
    __attribute__((warn_unused_result));

/* Bytes not yet read. */
size_t wire_left(const struct wire *w);

#endif /* SOA_BUF_H */
