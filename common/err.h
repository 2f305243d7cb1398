/*
 * Error codes shared by every module: 0 is success, every failure is a
 * negative SOA_ERR_* value, and soa_err() turns one into a short phrase
 * for logs and messages.
 */
#ifndef SOA_ERR_H
#define SOA_ERR_H

#define SOA_ERR_INTERNAL	-1	/* a broken invariant */
#define SOA_ERR_ALLOC		-2	/* out of memory */
#define SOA_ERR_FORMAT		-3	/* malformed input */
#define SOA_ERR_LIMIT		-4	/* input over a size or count cap */
#define SOA_ERR_SIGNATURE	-5	/* a signature does not verify */
#define SOA_ERR_EXPIRED		-6	/* a token or certificate has expired */
#define SOA_ERR_CLAIM		-7	/* a token claim is wrong or missing */
#define SOA_ERR_IO		-8	/* a system call failed; see errno */
#define SOA_ERR_HTTP		-9	/* transport or HTTP status failure */
#define SOA_ERR_JSON		-10	/* not the JSON that was expected */
#define SOA_ERR_PERM		-11	/* unsafe file ownership or mode */
#define SOA_ERR_NOT_FOUND	-12	/* no such file, key or entry */
#define SOA_ERR_CONFIG		-13	/* bad configuration */
#define SOA_ERR_DENIED		-14	/* refused by policy or by the user */
#define SOA_ERR_KEY		-15	/* no usable key */
#define SOA_ERR_PROVIDER	-16	/* the identity provider said no */
#define SOA_ERR_TIMEOUT		-17	/* a deadline passed */
#define SOA_ERR_ALGORITHM	-18	/* an algorithm that is not allowed */

/* A short lowercase phrase for r; never NULL. */
const char *soa_err(int r);

#endif /* SOA_ERR_H */
