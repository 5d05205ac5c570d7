/*
 * internal.h - the state of one authoritative answer, shared by the steps.
 *
 * Purpose: answer.c runs the RFC 1034 §4.3.2 loop and calls one named step
 * per RFC concept; the steps live in files by concern: put.c (writing
 * RRsets with their RRSIGs, TC), referral.c (delegations and glue),
 * additional.c (A/AAAA for NS, MX and SRV targets), nsec.c and nsec3.c
 * (denial proofs). Sections of a DNS message only move forward, so the
 * answer section is written while the loop runs and everything that belongs
 * in the authority section (negative SOA, referral NS, proofs) is remembered
 * in struct auth_ctx and written after it, then the additional section.
 * Threads: a context lives on one worker's stack for one query.
 * Allocates nothing: names are copied into fixed 255-octet buffers, and the
 * lists below have fixed capacities; what does not fit in them is the
 * optional part of the answer (additional data) or stops a CNAME chain.
 */
#ifndef NIM_AUTH_INTERNAL_H
#define NIM_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/answer.h"
#include "wire/name.h"
#include "zone/version.h"

/* Longest CNAME/DNAME chain we follow (Knot and NSD stop at a similar bound). */
#define AUTH_CHAIN_MAX 16
/* Denial proofs remembered for the authority section (one per chain step at most). */
#define AUTH_PROOF_CAP (AUTH_CHAIN_MAX + 2)
/* Targets remembered for additional-section processing. */
#define AUTH_EXTRA_CAP 64
/* NSEC/NSEC3 RRsets written to the authority section (to write each once). */
#define AUTH_DENIAL_CAP 16

/* What the authority section must prove, decided by the answer steps. */
enum auth_proof_kind {
	AUTH_PROOF_NXDOMAIN,	   /* name does not exist, no wildcard (RFC 4035 §3.1.3.2) */
	AUTH_PROOF_NODATA,	   /* name exists without the type (RFC 4035 §3.1.3.1) */
	AUTH_PROOF_WILDCARD,	   /* answer synthesized from a wildcard (RFC 4035 §3.1.3.3) */
	AUTH_PROOF_WILDCARD_NODATA, /* wildcard matched, without the type (RFC 4035 §3.1.3.4) */
	AUTH_PROOF_NO_DS,	   /* referral to an unsigned child (RFC 4035 §3.1.4) */
};

struct auth_proof {
	enum auth_proof_kind kind;
	const struct zone_version *v;
	const struct zone_node *encloser; /* closest encloser (or the node itself for NODATA) */
	const struct zone_node *node;	  /* NODATA: the node; wildcard: the wildcard node; cut */
	uint16_t qtype;
	uint8_t name[WIRE_NAME_MAXLEN]; /* the name the proof is about */
};

/* A name whose A and AAAA records may go into the additional section. */
struct auth_extra {
	const struct zone_version *v;
	const uint8_t *name; /* borrowed from the version's RDATA */
	const uint8_t *cut;  /* referral: owner of the cut (glue below it is required) */
};

/* How the loop ended, which decides the authority section. */
enum auth_outcome {
	AUTH_OUT_ANSWER,   /* positive answer (maybe after a chain), or the chain left our zones */
	AUTH_OUT_NEGATIVE, /* NXDOMAIN or NODATA: SOA of neg_v and the proofs */
	AUTH_OUT_REFERRAL, /* NS of the cut in authority, glue in additional */
	AUTH_OUT_DONE,	   /* nothing more to write (YXDOMAIN, TC) */
};

struct auth_ctx {
	const struct auth_query *q;
	struct wire_builder *b;
	uint16_t qtype;
	bool is_do;
	bool is_tc; /* a required RRset did not fit: TC is set, nothing more is written */
	bool is_aa;
	unsigned rcode;
	enum auth_outcome outcome;

	/* The name being answered and where (changes along a CNAME/DNAME chain). */
	const struct zone_version *v;
	uint8_t sname[WIRE_NAME_MAXLEN]; /* the query's case for the first name */
	unsigned n_chain;
	/*
	 * The chain so far, to stop at the first name seen twice. An exact
	 * match is its node; a wildcard expansion is the wildcard node and the
	 * name it was synthesized for (wild_names[i], written only then), since
	 * one wildcard answers many names (RFC 4592 §4.3: x.w and again.w are
	 * two names of one chain, `*.w CNAME again.w`).
	 */
	const struct zone_node *visited[AUTH_CHAIN_MAX];
	bool is_visit_wild[AUTH_CHAIN_MAX];
	uint8_t wild_names[AUTH_CHAIN_MAX][WIRE_NAME_MAXLEN];

	const struct zone_version *neg_v;  /* NEGATIVE: zone whose SOA goes to authority */
	const struct zone_node *cut;	   /* REFERRAL: the delegation node */
	const struct zone_version *cut_v;

	struct auth_proof proofs[AUTH_PROOF_CAP];
	unsigned n_proofs;
	struct auth_extra extra[AUTH_EXTRA_CAP];
	unsigned n_extra;
	const struct zone_node *denials[AUTH_DENIAL_CAP];
	unsigned n_denials;
};

/* put.c: writing RRsets. */

#define AUTH_TTL_ANY UINT32_MAX

/*
 * Writes rrset with owner (borrowed) into section, with its RRSIGs when the
 * query has DO, as one unit that is rolled back whole when it does not fit.
 * ttl_cap caps the TTL of the records and RRSIGs (RFC 2308 §3 negative SOA;
 * AUTH_TTL_ANY for none). Returns NIM_OK or NIM_ESPACE (nothing written).
 */
int auth_put_rrset(struct auth_ctx *c, enum wire_section section, const uint8_t *owner,
		   const struct zone_rrset *rrset, uint32_t ttl_cap);

/*
 * auth_put_rrset for the answer and authority sections: when it does not
 * fit, sets TC (RFC 2181 §9) and c->is_tc. Returns true when written.
 */
bool auth_put_required(struct auth_ctx *c, enum wire_section section, const uint8_t *owner,
		       const struct zone_rrset *rrset, uint32_t ttl_cap);

/* Writes every RRSIG at node as one RRset (qtype RRSIG). Returns true when any existed. */
bool auth_put_rrsigs(struct auth_ctx *c, const uint8_t *owner, const struct zone_node *node);

/* Writes a synthesized CNAME (RFC 6672 §3.1 and §5.1: TTL of the DNAME, no RRSIG). */
bool auth_put_cname(struct auth_ctx *c, const uint8_t *owner, uint32_t ttl, const uint8_t *target,
		    size_t target_len);

/* Sets TC and stops the answer. */
void auth_truncate(struct auth_ctx *c);

/* Remembers a proof for the authority section (dropped when the list is full). */
struct auth_proof *auth_proof_add(struct auth_ctx *c, enum auth_proof_kind kind,
				  const struct zone_version *v, const uint8_t *name);

/* Remembers the NS/MX/SRV targets of rrset for the additional section. */
void auth_extra_add_rrset(struct auth_ctx *c, const struct zone_version *v,
			  const struct zone_rrset *rrset, const uint8_t *cut);

/* referral.c */

/* Writes the referral's authority section: NS of the cut, then DS or its denial (with DO). */
void auth_referral_authority(struct auth_ctx *c);

/* additional.c */

/* Writes glue and A/AAAA for the remembered targets (RFC 9471 for required glue). */
void auth_additional(struct auth_ctx *c);

/* nsec.c and nsec3.c: write one proof into the authority section. */
void auth_nsec_proof(struct auth_ctx *c, const struct auth_proof *p);
void auth_nsec3_proof(struct auth_ctx *c, const struct auth_proof *p);

/* Writes a denial RRset (NSEC or NSEC3 at node) once per answer, with its RRSIG. */
void auth_put_denial(struct auth_ctx *c, const struct zone_node *node, uint16_t type);

/* name helpers (put.c) */

/* Copies the last n_labels labels of name (a suffix) into out; returns its length. */
size_t auth_name_suffix(const uint8_t *name, unsigned n_labels, uint8_t *out);

/* Writes "*." + name into out; returns its length, or 0 when that would exceed 255 octets. */
size_t auth_name_wildcard(const uint8_t *name, uint8_t *out);

#endif
