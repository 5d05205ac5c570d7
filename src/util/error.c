#include "util/error.h"

#include <string.h>

const char *nim_strerror(int code)
{
	switch (code) {
	case NIM_OK:
		return "success";
	case NIM_ENOMEM:
		return "out of memory";
	case NIM_EINVAL:
		return "invalid argument";
	case NIM_ESPACE:
		return "not enough space";
	case NIM_EMALFORMED:
		return "malformed data";
	case NIM_ENOTFOUND:
		return "not found";
	case NIM_EEXIST:
		return "already exists";
	case NIM_ECONFIG:
		return "invalid configuration";
	case NIM_EAGAIN:
		return "try again";
	case NIM_ENOTSUP:
		return "not supported";
	case NIM_ELIMIT:
		return "limit reached";
	default:
		break;
	}
	if (code < 0 && code > -4096)
		return strerror(-code);
	return "unknown error";
}
