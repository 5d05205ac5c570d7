/*
 * builder.h - building a zone version from records, with the load checks.
 *
 * Purpose: the loader (and later IXFR and UPDATE) adds records one by one;
 * zone_builder_finish checks the zone, groups records into RRsets, adds the
 * empty non-terminals, sets the node flags, indexes the nodes and the NSEC3
 * chain, and returns an immutable struct zone_version.
 * Checks, each reported through the diagnostics list with the file and line
 * of the record concerned (errors stop the version from being made,
 * warnings do not): no SOA or several SOAs at the apex (error); no NS at the
 * apex (error); CNAME beside other data, except RRSIG/NSEC (RFC 2181 §10.1,
 * RFC 4035 §2.5), or more than one CNAME (error); records outside the zone (warning, ignored);
 * missing glue for in-zone NS targets under a delegation (warning); TTLs that
 * differ within an RRset (warning, all set to the first one's TTL as RFC
 * 2181 §5.2 asks); duplicate records (dropped silently, RFC 2181 §5; names
 * in RDATA compared without case); class other than IN (error); more than
 * 65535 records in one RRset (error); for a signed zone (DNSKEY and
 * RRSIGs), an NSEC or NSEC3 chain with a gap or a wrong link (error),
 * no chain at all (warning: served without denial proofs), NSEC3
 * iterations above 0 (warning) or above the limit (error; check.c says why).
 * Threads: a builder belongs to one thread. Allocates: its staging storage
 * (freed by zone_builder_free) and the version's arena.
 */
#ifndef NIM_ZONE_BUILDER_H
#define NIM_ZONE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "zone/version.h"

struct zone_builder;

/* A builder for the zone at origin (a trusted wire name, any case). NULL on out of memory. */
struct zone_builder *zone_builder_new(const uint8_t *origin);

/*
 * Adds one record. owner is a trusted uncompressed wire name, rdata
 * uncompressed wire RDATA (checked against the type's descriptor: NIM_EMALFORMED
 * if it does not fit, if a name in it is compressed, or for a meta-type
 * such as OPT or ANY). file and line locate the record for later
 * diagnostics (file is borrowed until zone_builder_free). Returns NIM_OK,
 * NIM_EMALFORMED, NIM_ENOMEM, or NIM_EINVAL once finished. Out-of-zone
 * records and classes other than IN are accepted here and reported by
 * zone_builder_finish.
 */
int zone_builder_add(struct zone_builder *b, const uint8_t *owner, uint16_t type, uint16_t rclass,
		     uint32_t ttl, const uint8_t *rdata, uint16_t rdlength, const char *file,
		     unsigned line);

/* RFC 9276 §3.2: the figure that nsec3-max-iterations defaults to. */
#define ZONE_DEFAULT_NSEC3_MAX_ITERATIONS 150

/*
 * Zones whose NSEC3PARAM asks for more than max additional iterations fail
 * zone_builder_finish (default ZONE_DEFAULT_NSEC3_MAX_ITERATIONS).
 */
void zone_builder_set_nsec3_max_iterations(struct zone_builder *b, unsigned max);

/*
 * Checks and builds. On success returns NIM_OK and *out (caller frees with
 * zone_version_free); warnings may have been added to diags. On failure
 * returns NIM_ECONFIG with the errors in diags, or NIM_ENOMEM. The builder
 * is spent either way: free it with zone_builder_free.
 */
int zone_builder_finish(struct zone_builder *b, struct nim_diag_list *diags,
			struct zone_version **out);

void zone_builder_free(struct zone_builder *b);

#endif
