/*
 * error.h - nimbus error codes.
 *
 * Purpose: one set of negative error codes shared by every module. Functions
 * return int: NIM_OK (0) on success, a negative NIM_E* code or a negative
 * errno value on failure. nim_strerror() renders either kind.
 * Threads: stateless, safe everywhere. Allocates nothing. Reads no input.
 */
#ifndef NIM_UTIL_ERROR_H
#define NIM_UTIL_ERROR_H

enum nim_error {
	NIM_OK = 0,
	/* Codes start far below -errno values so that the two never collide. */
	NIM_ENOMEM = -1000, /* an allocation failed */
	NIM_EINVAL,         /* an argument or a value is not acceptable */
	NIM_ESPACE,         /* an output buffer is too small */
	NIM_EMALFORMED,     /* input is not well-formed */
	NIM_ENOTFOUND,      /* the thing looked for is not there */
	NIM_EEXIST,         /* the thing to add is there already */
	NIM_ECONFIG,        /* a configuration is invalid; details are in the diagnostics */
	NIM_EAGAIN,         /* try again later */
	NIM_ENOTSUP,        /* not supported */
	NIM_ELIMIT,         /* a configured or protocol limit was reached */
};

/* Returns a static, lower-case description of code (NIM_E* or -errno). */
const char *nim_strerror(int code);

#endif
