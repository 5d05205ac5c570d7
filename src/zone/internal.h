/*
 * internal.h - what the zone database core files share and nobody else sees.
 *
 * Purpose: the name hash used by the version index and the zone set, the
 * hidden part of a version (arena, hash index, NSEC3 hashes, NSEC owners).
 * Threads: stateless helpers; the structures follow version.h's rule.
 * Not part of any contract: only src/zone/ includes this file.
 */
#ifndef NIM_ZONE_INTERNAL_H
#define NIM_ZONE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "wire/name.h"
#include "zone/version.h"

#define ZONE_NSEC3_HASH_LEN 20 /* SHA-1, the only NSEC3 hash algorithm (RFC 5155 §11) */

struct zone_version_internal {
	struct arena arena;
	/*
	 * Open addressing with linear probing over the main nodes: each slot
	 * holds (high 32 bits of the name hash) << 32 | (node index + 1), 0
	 * when empty. At most half full, so a miss ends after about two slots
	 * and a hit rarely reads an owner name that is not the one sought.
	 */
	const uint64_t *slots;
	size_t slot_mask;
	/* The main nodes themselves, in canonical order (v->nodes points into it): one load less per probe. */
	const struct zone_node *node_base;
	/* nsec3_hashes[i] is the decoded hashed owner of v->nsec3_nodes[i]. */
	const uint8_t (*nsec3_hashes)[ZONE_NSEC3_HASH_LEN];
	/*
	 * Indexes (into v->nodes) of the nodes that own data and are not
	 * occluded, in canonical order: the owners an NSEC chain links
	 * (RFC 4035 §2.3). NULL when that is every node.
	 */
	const uint32_t *auth_idx;
	size_t n_auth;
};

/*
 * Name hash: case-insensitive FNV-1a over the labels from the root down, so
 * that the hash of a name extends the hash of its parent by one label and a
 * lookup hashes every suffix of a query name in one pass. The input comes
 * from zone files and queries; table sizes keep the load at most 1/2 and a
 * bad hash costs time, never correctness.
 */
#define ZONE_HASH_ROOT UINT64_C(0xcbf29ce484222325)

/* The hash folds case as every name comparison does (wire/name.h). */
static inline uint8_t zone_lower(uint8_t c)
{
	return wire_lower(c);
}

static inline uint64_t zone_hash_label(uint64_t h, const uint8_t *label)
{
	const uint64_t prime = UINT64_C(0x100000001b3);
	h = (h ^ label[0]) * prime;
	for (unsigned i = 1; i <= label[0]; i++)
		h = (h ^ zone_lower(label[i])) * prime;
	return h;
}

/* Spreads the hash over the low bits used as a table index (murmur3 fmix64). */
static inline uint64_t zone_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb3fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/*
 * Fills off[i] with the offset of label i of name (0 is the leftmost) and
 * hash[i] with the hash of the suffix that starts there; off[n] and hash[n]
 * are the root. Returns n, the number of labels.
 */
unsigned zone_name_hashes(const uint8_t *name, uint8_t off[WIRE_NAME_MAXLABELS + 1],
			  uint64_t hash[WIRE_NAME_MAXLABELS + 1]);

/* The SHA-1 NSEC3 hash of name with the given salt and iterations (RFC 5155 §5). */
void zone_nsec3_digest(const uint8_t *name, const uint8_t *salt, size_t salt_len,
		       unsigned iterations, uint8_t out[ZONE_NSEC3_HASH_LEN]);

/* Decodes a 32-character base32hex label (any case) into 20 octets; false if it is not one. */
bool zone_nsec3_label_decode(const uint8_t *label, uint8_t out[ZONE_NSEC3_HASH_LEN]);

#endif
