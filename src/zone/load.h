/*
 * load.h - reading a zone file into a zone version.
 *
 * Purpose: parse an RFC 1035 §5 master file ($ORIGIN, $TTL, $INCLUDE,
 * relative names, every type ldns knows, RFC 3597 "TYPEnnn \# len hex")
 * and hand each record to a struct zone_builder. A fast path of our own
 * parses the common types; ldns parses the rest (and is the oracle the
 * fast path is tested against).
 * Diagnostics name the file and line of each problem; the loader keeps
 * going to report them all and never prints.
 * Threads: any one thread (the main thread in nimbusd). Allocates: the new
 * version (caller frees with zone_version_free). Reads untrusted files.
 */
#ifndef NIM_ZONE_LOAD_H
#define NIM_ZONE_LOAD_H

#include <stdint.h>
#include <sys/stat.h>

#include "util/diag.h"
#include "zone/version.h"

/*
 * Loads the zone origin (trusted wire name) from path. Returns NIM_OK and
 * *out; or NIM_ECONFIG (syntax or check errors, details in diags), -errno
 * when the file cannot be read (also in diags), NIM_ENOMEM; *out untouched
 * on failure.
 */
int zone_load_file(const char *path, const uint8_t *origin, struct nim_diag_list *diags,
		   struct zone_version **out);

/* What a configuration can change about loading; zone_load_file uses the defaults. */
struct zone_load_opts {
	unsigned nsec3_max_iterations; /* conf server.nsec3-max-iterations (RFC 9276 §3.2) */
	/* NULL, or filled with the fstat(2) of the zone file as it was opened, if it was. */
	struct stat *file_stat;
};

/* zone_load_file with opts (borrowed; NULL: the defaults). */
int zone_load_file_opts(const char *path, const uint8_t *origin,
			const struct zone_load_opts *opts, struct nim_diag_list *diags,
			struct zone_version **out);

#endif
