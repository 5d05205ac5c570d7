/*
 * internal.h - what the zone database core files share and nobody else sees.
 *
 * Purpose: the keyed name hash used by the version index and the zone set,
 * the hidden part of a version (arena, hash index, NSEC3 hashes, NSEC owners).
 * Threads: stateless helpers (the hash seed is written once before main);
 * the structures follow version.h's rule.
 * Not part of any contract: only src/zone/ includes this file.
 */
#ifndef NIM_ZONE_INTERNAL_H
#define NIM_ZONE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
 * Name hash: keyed, case-insensitive, over the labels from the root down, so
 * that the hash of a name extends the hash of its parent by one label and a
 * lookup hashes every suffix of a query name in one pass. Names come from
 * zone files and (soon) from zone transfers and updates, so whoever controls
 * a zone's contents chooses them: with a fixed hash (it was FNV-1a) they can
 * pick names that share one probe sequence and turn every lookup into a
 * scan. So the hash is keyed with a random per-process seed (hash.c), and
 * each step is a 64x64->128-bit multiply by a secret, folded (as in wyhash):
 * without the seed, nobody outside the process can tell which names
 * collide. It reads a label 8 octets at a time, lower-casing them in one
 * word, which is faster than FNV-1a's one multiply per octet (see
 * bench/RESULTS.md, "Name hash"). Table sizes keep the load at most 1/2; a
 * bad hash costs time, never correctness.
 */
struct zone_hash_seed {
	uint64_t root; /* the hash of the root name */
	uint64_t k0;   /* xored into every word */
	uint64_t k1;   /* the multiplier; its top bit is set so that k1 ^ length is never 0 */
};

/*
 * Written once, before main, by hash.c's constructor (or by
 * zone_hash_seed_set in tests, before any zone is built); read-only after
 * that, so readers need no synchronisation.
 */
extern struct zone_hash_seed zone_hash_seed;

/* Replaces the seed: for tests only, before any version or set exists (their hashes would go stale). */
void zone_hash_seed_set(const struct zone_hash_seed *seed);

/* The hash folds case as every name comparison does (wire/name.h). */
static inline uint8_t zone_lower(uint8_t c)
{
	return wire_lower(c);
}

/* zone_lower on the 8 octets of w at once: octets 'A'..'Z' get bit 0x20. */
static inline uint64_t zone_lower8(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = ones << 7;
	uint64_t low7 = w & ~high;
	/* No octet carries into the next: low7 <= 0x7f, and 0x7f + 0x3f < 0x100. */
	uint64_t ge_a = low7 + ones * (0x80 - 'A');
	uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);
	uint64_t upper = ge_a & ~gt_z & ~w & high;
	return w | upper >> 2;
}

static inline uint64_t zone_hash_load64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof(w));
	return w;
}

static inline uint64_t zone_hash_load32(const uint8_t *p)
{
	uint32_t w;
	memcpy(&w, p, sizeof(w));
	return w;
}

/* The 128-bit product of a and b, folded to 64 bits. */
static inline uint64_t zone_hash_mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;
	return (uint64_t)(r >> 64) ^ (uint64_t)r;
}

/*
 * Extends h (the hash of the parent name) by label (a length octet and up
 * to 63 octets). Full words first, then the 1 to 7 octets left, read as
 * two overlapping 4-octet words or three octets, never past the label. The
 * length goes into the multiplier of the last step: labels of different
 * lengths whose words happen to be equal still hash apart, whatever the seed.
 */
static inline uint64_t zone_hash_label(uint64_t h, const uint8_t *label)
{
	const struct zone_hash_seed *k = &zone_hash_seed;
	unsigned len = label[0];
	const uint8_t *p = label + 1;
	unsigned left = len;
	while (left > 8) {
		h = zone_hash_mum(h ^ k->k0 ^ zone_lower8(zone_hash_load64(p)), k->k1);
		p += 8;
		left -= 8;
	}
	uint64_t w;
	if (left == 8)
		w = zone_hash_load64(p);
	else if (left >= 4)
		w = zone_hash_load32(p) << 32 | zone_hash_load32(p + left - 4);
	else
		w = (uint64_t)p[0] << 16 | (uint64_t)p[left >> 1] << 8 | p[left - 1];
	return zone_hash_mum(h ^ k->k0 ^ zone_lower8(w), k->k1 ^ len);
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
