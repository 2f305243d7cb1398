/*
 * libFuzzer target: the policy parser, then a match of what it accepted
 * against a fixed set of claims.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "akc.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_object *claims;
	struct akc_policy *pol = NULL;
	const char *options;
	char *text;

	if (claims == NULL) {
		log_init("fuzz", LOG_LEVEL_QUIET, 0);
		claims = json_tokener_parse("{\"sub\":\"alice\",\"groups\":"
		    "[\"ssh-admins\",\"everyone\"],\"email\":\"a@example.com\","
		    "\"team\":\"ops\"}");
		if (claims == NULL)
			abort();
	}
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (akc_policy_parse("fuzz", text, &pol) == 0) {
		(void)akc_policy_match(pol, claims, "root", &options);
		(void)akc_policy_match(pol, claims, "alice", &options);
		akc_policy_free(pol);
	}
	free(text);
	return 0;
}
