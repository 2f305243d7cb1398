/*
 * libFuzzer target: the certificate parser, on the bytes sshd would
 * hand over base64-decoded as %k.
 */
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "log.h"
#include "sshcert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshcert *cert = NULL;
	const char *why;
	char *fp;

	log_init("fuzz", LOG_LEVEL_QUIET, 0);
	if (sodium_init() < 0)
		abort();
	if (sshcert_parse(data, size, &cert, &why) != 0)
		return 0;
	if (sshkey_ed25519_fingerprint(cert->key, &fp) == 0)
		free(fp);
	sshcert_free(cert);
	return 0;
}
