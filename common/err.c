#include "err.h"

const char *
soa_err(int r)
{
	switch (r) {
	case 0:
		return "success";
	case SOA_ERR_INTERNAL:
		return "internal error";
	case SOA_ERR_ALLOC:
		return "out of memory";
	case SOA_ERR_FORMAT:
		return "malformed input";
	case SOA_ERR_LIMIT:
		return "input too large";
	case SOA_ERR_SIGNATURE:
		return "bad signature";
	case SOA_ERR_EXPIRED:
		return "expired";
	case SOA_ERR_CLAIM:
		return "claim check failed";
	case SOA_ERR_IO:
		return "system error";
	case SOA_ERR_HTTP:
		return "HTTP request failed";
	case SOA_ERR_JSON:
		return "unexpected JSON";
	case SOA_ERR_PERM:
		return "unsafe ownership or permissions";
	case SOA_ERR_NOT_FOUND:
		return "not found";
	case SOA_ERR_CONFIG:
		return "bad configuration";
	case SOA_ERR_DENIED:
		return "denied";
	case SOA_ERR_KEY:
		return "no usable key";
	case SOA_ERR_PROVIDER:
		return "identity provider error";
	case SOA_ERR_TIMEOUT:
		return "timed out";
	case SOA_ERR_ALGORITHM:
		return "algorithm not allowed";
	}
	return "unknown error";
}
