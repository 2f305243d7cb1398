#include <errno.h>
#include <math.h>
#include <string.h>

#include "err.h"
#include "jsonx.h"

#define JSONX_DEPTH	16

/*
 * Count object members in the text: in valid JSON every member has one
 * ':' outside string literals and no other ':' stands outside them.
 * Also note a \u0000 escape: json-c would cut the string there, so
 * "ssh-admins\u0000x" would compare equal to "ssh-admins".
 */
static size_t
count_members_in_text(const char *s, size_t n, int *has_nul)
{
	size_t i, count = 0;
	int in_string = 0;

	*has_nul = 0;
	for (i = 0; i < n; i++) {
		if (in_string) {
			if (s[i] == '\\') {
				if (n - i >= 6 && s[i + 1] == 'u' &&
				    strncmp(s + i + 2, "0000", 4) == 0)
					*has_nul = 1;
				i++;
			} else if (s[i] == '"')
				in_string = 0;
		} else if (s[i] == '"')
			in_string = 1;
		else if (s[i] == ':')
			count++;
	}
	return count;
}

/* Whether every number in the tree is finite: json-c takes NaN, Infinity. */
static int
all_finite(json_object *o)
{
	size_t i;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o));
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (!all_finite(val))
				return 0;
		}
		return 1;
	}
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			if (!all_finite(json_object_array_get_idx(o, i)))
				return 0;
		return 1;
	default:
		return 1;
	}
}

/* Count members of every object in the parsed tree. */
static size_t
count_members_in_tree(json_object *o)
{
	size_t i, count = 0;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			count += 1 + count_members_in_tree(val);
		}
		break;
	}
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			count += count_members_in_tree(
			    json_object_array_get_idx(o, i));
		break;
	default:
		break;
	}
	return count;
}

int
jsonx_parse_object(const char *s, size_t n, json_object **out)
{
	json_tokener *tok = NULL;
	json_object *o = NULL;
	size_t i;
	int has_nul, r = SOA_ERR_JSON;

	*out = NULL;
	if (n > INT32_MAX)
		return SOA_ERR_LIMIT;
	if (memchr(s, '\0', n) != NULL)
		return SOA_ERR_JSON;
	if ((tok = json_tokener_new_ex(JSONX_DEPTH)) == NULL)
		return SOA_ERR_ALLOC;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);

	/* One object that spans the whole input, trailing space aside. */
	o = json_tokener_parse_ex(tok, s, (int)n);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		goto out;
	for (i = json_tokener_get_parse_end(tok); i < n; i++)
		if (memchr(" \t\r\n", s[i], 4) == NULL)
			goto out;

	/* json-c keeps one of two equal names: the counts then differ. */
	if (count_members_in_text(s, n, &has_nul) !=
	    count_members_in_tree(o) || has_nul || !all_finite(o))
		goto out;
	*out = o;
	o = NULL;
	r = 0;
 out:
	json_object_put(o);
	json_tokener_free(tok);
	return r;
}

const char *
jsonx_string(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
jsonx_int64(json_object *o, const char *key, int64_t *out)
{
	json_object *v;
	double d;

	*out = 0;
	if (!json_object_object_get_ex(o, key, &v))
		return SOA_ERR_NOT_FOUND;
	switch (json_object_get_type(v)) {
	case json_type_int:
		/* json-c clamps integers out of range to the int64 limits. */
		if (json_object_get_int64(v) == INT64_MAX ||
		    json_object_get_int64(v) == INT64_MIN)
			return SOA_ERR_FORMAT;
		*out = json_object_get_int64(v);
		return 0;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return SOA_ERR_FORMAT;
		*out = (int64_t)d;
		return 0;
	default:
		return SOA_ERR_FORMAT;
	}
}
