/*
 * staging.h - the builder's staging area, shared by builder.c (adding
 * records, ordering names), check.c (grouping and checks) and layout.c
 * (writing the version into its arena).
 *
 * Staging is a handful of big growable arrays, never one allocation per
 * record: records (28 octets each) point by offset into one RDATA buffer
 * and by id into a table of distinct owner names, whose bytes sit in one
 * name buffer. Every ancestor of an owner up to the origin is interned as
 * soon as the owner is, sharing the owner's bytes, so the empty
 * non-terminals exist before the first sort.
 * Lifetime: once zone_builder_finish has ordered them, every staging array
 * is read front to back in canonical order by zone_layout, which gives
 * their pages back as it goes and frees them all when the version is
 * written; after zone_layout only the scalars, files, pending and ns_recs
 * are left (the arrays are NULL). A check that needs the records after
 * that reads the version (zone_check_glue does).
 * Not a contract: only src/zone/ includes this file.
 */
#ifndef NIM_ZONE_STAGING_H
#define NIM_ZONE_STAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "wire/name.h"
#include "zone/builder.h"

#define NO_ID UINT32_MAX

/* A place in the zone files: b->files[file], line (1-based; 0 for none). */
struct zone_loc {
	uint32_t file;
	uint32_t line;
};

struct rec {
	uint32_t name;      /* owner: id in b->names */
	uint32_t rdata_off; /* RDATA at b->rdata + rdata_off */
	uint32_t ttl;
	uint32_t line;
	uint32_t file;      /* index in b->files */
	uint16_t rdlen;
	uint16_t type;
	uint16_t covered;   /* RRSIG: the type covered; 0 otherwise */
	uint16_t is_dup;    /* a duplicate of an earlier record: dropped (RFC 2181 §5) */
};

enum name_kind {
	NAME_MAIN,  /* a node of the tree */
	NAME_NSEC3, /* an NSEC3 owner: in the NSEC3 array, not in the tree */
};

struct sname {
	uint64_t hash;        /* zone_name_hashes of the whole name */
	uint32_t off;         /* the name's bytes at b->name_buf + off */
	uint32_t parent;      /* NO_ID at the apex */
	uint32_t n_children;
	uint32_t first_rec;   /* its records are b->order[first_rec .. + n_recs) */
	uint32_t n_recs;      /* 0 for an empty non-terminal */
	uint32_t first_group; /* its RRsets are b->groups[first_group .. + n_groups) */
	uint32_t n_groups;
	uint32_t pos;         /* index in the version's main or NSEC3 array */
	uint16_t flags;       /* enum zone_node_flag */
	uint16_t n_rrsets;    /* RRsets in node->rrsets (orphaned RRSIGs count as one) */
	uint16_t n_attached;  /* RRSIG sets hanging off those RRsets */
	uint8_t len;          /* wire length; 255 at most */
	/* Bit fields: one octet for both keeps a name at 48 octets, not 56. */
	uint8_t kind : 1;      /* enum name_kind */
	uint8_t has_nsec3 : 1; /* owns an NSEC3 record */
};

enum group_role {
	GROUP_MAIN,     /* an RRset in node->rrsets */
	GROUP_ATTACHED, /* RRSIGs hanging off the RRset of the type they cover */
	GROUP_ORPHAN,   /* RRSIGs whose covered type has no RRset here: merged into one RRSIG set */
};

/* One RRset being built: records of one owner, type and (for RRSIG) type covered. */
struct group {
	uint32_t first;     /* records in b->order[first .. first + n), duplicates included */
	uint32_t n;
	uint32_t n_rr;      /* records kept */
	uint32_t ttl;       /* the TTL of the RRset (the first record's, RFC 2181 §5.2) */
	size_t rdata_len;   /* octets of (length, RDATA) entries kept */
	uint16_t type;
	uint16_t covered;
	uint8_t role;       /* enum group_role */
};

/* A problem found by zone_builder_add, reported by zone_builder_finish. */
struct pending {
	uint32_t file;
	uint32_t line;
	uint32_t name_off; /* the owner copied into b->name_buf */
	uint16_t rclass;   /* 0: outside the zone; otherwise a class that is not IN */
};

/* Every growable array below comes from arena_big_realloc (arena.h). */
struct zone_builder {
	uint8_t origin[WIRE_NAME_MAXLEN]; /* lower case */
	size_t origin_len;
	unsigned origin_labels;

	struct rec *recs;
	size_t n_recs, recs_cap;
	struct sname *names;
	size_t n_names, names_cap;
	uint8_t *name_buf;
	size_t name_len, name_cap;
	size_t names_total_len; /* the sum of every name's len (ancestors share bytes in name_buf) */
	uint8_t *rdata;
	size_t rdata_len, rdata_cap;
	uint64_t *table; /* mixed hash high half << 32 | (name id + 1), open addressing; 0 is empty */
	size_t table_mask;
	unsigned table_bits; /* log2 of the slots */
	size_t n_nsec3_owners; /* names with has_nsec3 */
	const char **files; /* borrowed */
	size_t n_files, files_cap;
	struct pending *pending;
	size_t n_pending, pending_cap;
	uint32_t last_name; /* the previous record's owner, for the common run of one owner */
	struct rec first; /* where the first record came from: where zone-wide problems are reported */

	/* Filled by zone_builder_finish. */
	uint32_t *order;   /* record indices grouped by owner, each group sorted (arena_big_realloc) */
	uint32_t *main_ids; /* main names in canonical order (arena_big_alloc) */
	size_t n_main;
	uint32_t *nsec3_ids; /* NSEC3 names by hash */
	size_t n_nsec3;
	struct group *groups; /* arena_big_realloc */
	size_t n_groups, groups_cap;
	void *spare; /* a staging array no longer used, its pages reused for the next one, or NULL */
	struct rec *ns_recs; /* copies of the kept NS records of authoritative nodes, in layout order */
	size_t n_ns_recs, ns_recs_cap;
	/*
	 * Signed zones only (else NULL): for each node of the version, main
	 * nodes then NSEC3 nodes, where its NSEC or NSEC3 record is, else its
	 * first record (line 0: none, an empty non-terminal). The denial check
	 * runs on the version once the staging is gone and names lines with it.
	 */
	struct zone_loc *denial_locs;
	struct zone_loc loc_nsec3param, loc_dnskey; /* the apex's; line 0: none */
	uint8_t *scratch; /* two canonical RDATA forms of up to scratch_half octets (check.c) */
	size_t scratch_half;
	struct nim_diag_list *diags;
	size_t n_errors;
	unsigned nsec3_max_iterations; /* zone_builder_set_nsec3_max_iterations; see has_nsec3_limit */
	bool has_nsec3_limit;          /* false: ZONE_DEFAULT_NSEC3_MAX_ITERATIONS */
	bool is_spent;
};

/* check.c: groups every name's records into RRsets with the node checks; NIM_OK or NIM_ENOMEM. */
int zone_check_nodes(struct zone_builder *b);
/* check.c: reports the problems zone_builder_add put aside. */
void zone_check_pending(struct zone_builder *b);
/*
 * check.c: warns about missing glue, once v is built (RFC 1034 §4.2.1, RFC
 * 9471); reads the NS RRsets in v and locates them with b->ns_recs.
 */
void zone_check_glue(struct zone_builder *b, const struct zone_version *v);
/*
 * check.c: checks the NSEC or NSEC3 chain and the NSEC3 iterations of a
 * signed zone once v is built; clears v->is_signed for a zone signed
 * without any chain (warning). See check.c for what is an error.
 */
void zone_check_denial(struct zone_builder *b, struct zone_version *v);
/* check.c: records a diagnostic at a record's file and line. */
void zone_check_diag(struct zone_builder *b, enum nim_diag_severity severity, const struct rec *r,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * layout.c: writes the version and frees the staging arrays it read (see
 * Lifetime above); NIM_OK and *out, or NIM_ENOMEM.
 */
int zone_layout(struct zone_builder *b, struct zone_version **out);

static inline const uint8_t *sname_bytes(const struct zone_builder *b, const struct sname *s)
{
	return b->name_buf + s->off;
}

#endif
