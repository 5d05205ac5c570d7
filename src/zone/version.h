/*
 * version.h - one immutable version of one zone, and lookups in it.
 *
 * Purpose: the zone database the authoritative engine reads. A version holds
 * every node of the zone (empty non-terminals included) in canonical order
 * (RFC 4034 §6.1) with a hash index over lower-cased owner names, so that
 * one lookup gives the exact match, the closest encloser, and the first zone
 * cut or DNAME on the way down (RFC 1034 §4.3.2 step 3), in O(labels) hash
 * probes; the canonical predecessor (for NSEC proofs) is a binary search.
 * NSEC3 records live in their own sorted array keyed by the hashed owner
 * (RFC 5155 §7.2). Why a sorted array and a hash instead of a trie: see
 * docs/ARCHITECTURE.md ("Zone database").
 * Memory: a version owns one arena holding its nodes, owner names, RRsets
 * and RDATA; zone_version_free frees it all at once. A published version is
 * never modified: loads (and later IXFR and UPDATE) build a new one with
 * struct zone_builder (builder.h).
 * Threads: read-only after zone_builder_finish; any number of threads may
 * read it while it is published (see zone/set.h for the publication rule).
 * Reads no hostile input except query names (zone_version_lookup).
 * RFCs: 1034 §4.3.2; 4034 §6.1; 4592 (wildcards); 6672 (DNAME); 5155 §7.2.
 */
#ifndef NIM_ZONE_VERSION_H
#define NIM_ZONE_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An RRset: records of one owner, class IN and type, in canonical RDATA order. */
struct zone_rrset {
	uint16_t type;
	uint16_t n_rr;
	uint32_t ttl;          /* one TTL per RRset (RFC 2181 §5.2; the loader normalises) */
	const uint8_t *rdata;  /* n_rr entries of (2-octet big-endian length, uncompressed RDATA) */
	const struct zone_rrset *rrsig; /* RRSIGs covering this type (an RRset of type RRSIG), or NULL */
};

enum zone_node_flag {
	ZONE_NODE_APEX = 1u << 0,
	ZONE_NODE_DELEGATION = 1u << 1,  /* has NS and is not the apex: a zone cut */
	ZONE_NODE_OCCLUDED = 1u << 2,    /* below a zone cut or a DNAME: never answered from */
	ZONE_NODE_WILDCARD_CHILD = 1u << 3, /* the node "*.<this>" exists */
	ZONE_NODE_DNAME = 1u << 4,       /* has a DNAME RRset */
	ZONE_NODE_CNAME = 1u << 5,       /* has a CNAME RRset */
};

struct zone_node {
	const uint8_t *owner;   /* wire name, letter case as in the zone file */
	/*
	 * Sorted by type; RRSIG sets hang off rrset.rrsig. RRSIGs whose
	 * covered type has no RRset here (rare) are the one exception: they
	 * are merged into a single RRset of type RRSIG in this array, so that
	 * they stay reachable (its rrsig is NULL).
	 */
	const struct zone_rrset *rrsets;
	uint16_t n_rrsets;      /* 0 for an empty non-terminal */
	uint16_t flags;         /* enum zone_node_flag */
	uint32_t index;         /* position in canonical order (NSEC3 nodes: in nsec3_nodes) */
	const struct zone_node *parent; /* NULL at the apex; the apex for NSEC3 nodes */
	/* The NSEC3 node for this owner, or NULL (always NULL when occluded or without NSEC3PARAM). */
	const struct zone_node *nsec3;
};

/* NSEC3PARAM of the NSEC3 chain the zone is signed with. */
struct zone_nsec3_params {
	uint8_t algorithm;
	uint8_t flags;
	uint16_t iterations;
	uint8_t salt_len;
	uint8_t salt[255];
};

struct zone_version {
	const uint8_t *origin;  /* lower-cased wire name of the apex */
	size_t origin_len;
	unsigned origin_labels;
	const struct zone_node *apex;
	uint32_t serial;
	const struct zone_node *const *nodes; /* canonical order; nodes[0] is the apex */
	size_t n_nodes;
	/*
	 * By hashed owner (base32hex label order). An owner that holds NSEC3
	 * records, is one 32-character base32hex label below the apex and has
	 * nothing below it lives here and nowhere else: it is in neither nodes
	 * nor the hash index (zone_version_find does not see it).
	 */
	const struct zone_node *const *nsec3_nodes;
	size_t n_nsec3_nodes;
	bool is_signed;  /* DNSKEY at the apex and RRSIGs present */
	bool has_nsec3;  /* NSEC3PARAM at the apex and an NSEC3 chain */
	struct zone_nsec3_params nsec3;
	size_t n_records; /* records loaded, for statistics */
	size_t mem_len;   /* octets held by this version, for statistics */
	struct zone_version_internal *internal; /* arena and hash index */
};

/* Result of a lookup (RFC 1034 §4.3.2 steps 3a-3c). */
struct zone_match {
	const struct zone_node *node;     /* exact match (not occluded), or NULL */
	/* Closest encloser: deepest existing ancestor-or-self, the apex at least; the cut or DNAME node when the lookup stopped there. */
	const struct zone_node *encloser;
	const struct zone_node *cut;      /* first delegation below the apex at or above the name; the lookup stopped there */
	const struct zone_node *dname;    /* DNAME owner strictly above the name; the lookup stopped there */
};

/*
 * Looks name (any letter case; must be at or below the origin) up. Walks
 * down from the apex one label at a time and stops at the first zone cut
 * (m->cut) or DNAME strictly above the name (m->dname); otherwise m->node
 * is the exact match or NULL, and m->encloser the closest encloser.
 * A delegation node that is the name itself is both m->node and m->cut
 * (so that DS can be answered from the parent side, RFC 4035 §3.1.4.1).
 * A name outside the zone leaves every field NULL. Allocates nothing.
 */
void zone_version_lookup(const struct zone_version *v, const uint8_t *name, struct zone_match *m);

/* Exact match only (any case), occluded nodes included; NULL if absent. */
const struct zone_node *zone_version_find(const struct zone_version *v, const uint8_t *name);

/*
 * The last node that sorts before name in canonical order (name need not
 * exist), skipping empty non-terminals and occluded nodes, which own no
 * NSEC (RFC 4035 §2.3); wraps around to the last such node when nothing
 * sorts before name (name is the apex). This is the owner of the NSEC that
 * covers name. NULL only for an empty version.
 */
const struct zone_node *zone_version_previous(const struct zone_version *v, const uint8_t *name);

/* The RRset of type at node, or NULL. */
const struct zone_rrset *zone_node_rrset(const struct zone_node *node, uint16_t type);

/*
 * NSEC3 (RFC 5155 §5): hashes name with the zone's parameters into
 * out[0..20) (SHA-1). Returns NIM_OK, or NIM_ENOTSUP for an unknown hash
 * algorithm.
 */
int zone_version_nsec3_hash(const struct zone_version *v, const uint8_t *name, uint8_t out[20]);

/*
 * Finds the NSEC3 node whose hashed owner equals hash (*match) or else the
 * one that covers it (*cover: the previous hashed owner, wrapping). Either
 * out-parameter is set to NULL when not applicable.
 */
void zone_version_nsec3_find(const struct zone_version *v, const uint8_t hash[20],
			     const struct zone_node **match, const struct zone_node **cover);

/* Frees a version and everything in it. NULL is allowed. */
void zone_version_free(struct zone_version *v);

#endif
