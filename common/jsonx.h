/*
 * Strict JSON on top of json-c: a whole-input object parse that refuses
 * trailing bytes, embedded NULs, deep nesting and duplicate member names
 * (json-c keeps the last of two "iss" members; a verifier must not pick
 * one silently), plus getters that check each value's type.
 */
#ifndef SOA_JSONX_H
#define SOA_JSONX_H

#include <stddef.h>
#include <stdint.h>

#include <json.h>

/* Parse n bytes of s, which must be one JSON object. Caller puts *out. */
int jsonx_parse_object(const char *s, size_t n, json_object **out)
    __attribute__((warn_unused_result));

/* The member's string value, or NULL if absent or not a string. */
const char *jsonx_string(json_object *o, const char *key);

/*
 * The member's value as a whole number: a JSON integer, or a float with
 * no fractional part (some providers send 1.7e9). SOA_ERR_NOT_FOUND if
 * absent, SOA_ERR_FORMAT if of any other type or out of int64 range.
 */
int jsonx_int64(json_object *o, const char *key, int64_t *out)
    __attribute__((warn_unused_result));

#endif /* SOA_JSONX_H */
