/*
 * answer.h - the authoritative answer: query + zone version -> answer sections.
 *
 * Purpose: RFC 1034 §4.3.2 with its updates, written as named steps: exact
 * match, CNAME (followed through the zones we serve, loops stopped), DNAME
 * (RFC 6672, synthesized CNAME), wildcard (RFC 4592), delegation (referral
 * with glue, RFC 9471), NODATA and NXDOMAIN (RFC 2308: SOA in authority with
 * TTL min(SOA TTL, MINIMUM)), additional-section processing for NS/MX/SRV
 * targets, minimal ANY (RFC 8482), and with the DO bit the DNSSEC records
 * and proofs of RFC 4035 §3.1 and RFC 5155 §7.2 (NSEC and NSEC3, opt-out).
 * The caller has written the header and question and reserved room for
 * OPT; auth writes the three sections through the builder, sets AA and the
 * RCODE, and sets TC when a required RRset does not fit (additional data is
 * dropped first).
 * Threads: reentrant; reads published zone versions only. Allocates
 * nothing. Reads hostile input (the query).
 */
#ifndef NIM_AUTH_ANSWER_H
#define NIM_AUTH_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/build.h"
#include "wire/msg.h"
#include "zone/set.h"

struct auth_query {
	const struct wire_msg *msg; /* the parsed query: qname (original case), qtype, qclass */
	bool is_do;                 /* DNSSEC OK */
	bool is_class_any;          /* QCLASS ANY (255): answered from class IN, not authoritative */
	const struct zone_set *zones; /* to follow CNAMEs into other zones we serve */
};

/*
 * Answers q from zone (zone's version must be non-NULL; the caller answers
 * SERVFAIL otherwise) into b, which already holds the header and the
 * question (and has the OPT record's room reserved). Writes the answer,
 * authority and additional sections, sets AA, TC and the low 4 bits of the
 * RCODE in the header, clears CD and AD (RFC 4035 §3.1.6), and keeps the
 * caller's other flags (QR, opcode, RD). Returns the
 * RCODE it set (WIRE_RCODE_NOERROR, _NXDOMAIN, _YXDOMAIN).
 * Other zones of q->zones (may be NULL: then only version is used) answer
 * where RFC 1034 §4.3.2 says "go back to step 1": the targets of CNAMEs and
 * DNAMEs, and a DS query at the apex of version's zone when we also serve
 * the parent (RFC 4035 §3.1.4.1: DS is the parent's data). Versions are read
 * with an acquire load; the caller's read-side section covers them all.
 * With q->is_class_any the answer is the class IN one with AA clear and no
 * negative SOA (RFC 1034 §3.7.1; as NSD answers).
 * Choices where NSD and Knot differ are listed at the top of answer.c.
 */
unsigned auth_answer(const struct auth_query *q, const struct zone_entry *zone,
		     const struct zone_version *version, struct wire_builder *b);

#endif
