/*
 * set.h - the set of zones we serve, and the closest enclosing zone of a name.
 *
 * Purpose: map a query name to the zone that should answer it (the served
 * zone whose origin is the longest suffix of the name; parent and child
 * zones may both be served), and hold each zone's current version.
 * Threads and publication:
 *   - A struct zone_set is immutable once published; the main thread builds
 *     a new one when the configuration's zone list changes and publishes it
 *     through one atomic pointer, like the configuration (nimbusd.c).
 *   - Each entry's `version` is an atomic pointer written only by the main
 *     thread (zone load and reload) and read by workers inside one callback;
 *     a replaced version is freed only after every worker has passed a
 *     quiescent point (util/qsbr.h). NULL means never loaded: SERVFAIL.
 * Allocates: the set and its entries (zone_set_free frees them and the
 * versions they still hold).
 */
#ifndef NIM_ZONE_SET_H
#define NIM_ZONE_SET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "wire/name.h"
#include "zone/version.h"

struct zone_entry {
	uint8_t origin[WIRE_NAME_MAXLEN]; /* lower-cased wire name */
	size_t origin_len;
	char *file;                        /* zone file path, owned */
	struct zone_version *_Atomic version;
	/* Main thread only: what the loaded file looked like, to skip unchanged files on reload. */
	struct timespec file_mtime;
	off_t file_size;
};

struct zone_set {
	struct zone_entry *entries; /* sorted by origin in canonical order */
	size_t n_entries;
	size_t entries_cap; /* the n of zone_set_new */
	struct zone_set_index *index; /* hash of origins, sized for entries_cap at zone_set_new */
	bool is_sealed;
};

/* A new empty set with room for n zones. NULL on out of memory. */
struct zone_set *zone_set_new(size_t n);

/*
 * Adds a zone (origin: trusted wire name, any case; file copied) in O(1):
 * the duplicate check is one probe of the origin hash, so that a set of
 * 100,000 zones is built in linear time. Only before zone_set_seal.
 * NIM_OK, NIM_EEXIST, NIM_ENOMEM, or NIM_ELIMIT when the set already holds
 * the n zones of zone_set_new or is sealed.
 * *out is valid until zone_set_seal, which sorts (moves) the entries: look
 * an entry up again with zone_set_get after sealing.
 */
int zone_set_add(struct zone_set *set, const uint8_t *origin, const char *file,
		 struct zone_entry **out);

/*
 * Sorts (O(n log n)) and indexes again; the set is read-only afterwards
 * (except each entry's version pointer). Allocates nothing: NIM_OK always
 * (the int stays for callers that check it).
 */
int zone_set_seal(struct zone_set *set);

/*
 * The closest enclosing zone of name (any case): the served origin that is
 * the longest suffix of name, or NULL. Only after zone_set_seal. Allocates
 * nothing.
 */
struct zone_entry *zone_set_find(const struct zone_set *set, const uint8_t *name);

/* The entry whose origin equals origin exactly (any case), or NULL. O(1); also before sealing. */
struct zone_entry *zone_set_get(const struct zone_set *set, const uint8_t *origin);

/* Frees the set, its entries and every version they hold. NULL is allowed. */
void zone_set_free(struct zone_set *set);

#endif
