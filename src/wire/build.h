/*
 * build.h - DNS message builder over a caller's buffer.
 *
 * Purpose: write a message section by section with name compression
 * (RFC 1035 §4.1.4) into a fixed buffer, never past a size limit, and never
 * leaving half an RRset behind: an RRset that does not fit is rolled back as a
 * whole and the caller decides whether that means TC (RFC 2181 §9) or merely
 * dropping optional additional data (RFC 9471).
 * Space for the OPT record (and later TSIG) can be reserved up front so that
 * it always fits.
 * Threads: a builder belongs to one thread. Allocates nothing: the
 * compression table is a fixed array inside the builder; names past its
 * capacity are written uncompressed, which is correct, only longer.
 * RFCs: 1035 §4.1; 2181 §9 (TC); 3597 §4 (compress only RFC 1035 types);
 * 6891 §6.1 (OPT).
 */
#ifndef NIM_WIRE_BUILD_H
#define NIM_WIRE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/edns.h"
#include "wire/msg.h"

/* Enough for a full UDP answer; transfers use a larger table (issue: xfr). */
#define WIRE_BUILD_COMP_CAP 128

struct wire_builder {
	uint8_t *buf;	 /* borrowed */
	size_t max_len;	 /* hard limit for this message (<= the buffer's capacity) */
	size_t reserved; /* octets kept free for the OPT/TSIG records */
	size_t len;
	uint16_t counts[4];	   /* QD, AN, NS, AR written so far */
	enum wire_section section; /* section being written; sections only move forward */
	/* Offsets of names (and their suffixes) already written, for compression. */
	uint16_t comp_off[WIRE_BUILD_COMP_CAP];
	uint16_t n_comp;
	/* Rollback point of the RRset being written. */
	size_t mark_len;
	uint16_t mark_count;
	uint16_t mark_n_comp;
};

/*
 * Starts a message in buf[0..max_len). max_len must be at least
 * WIRE_HEADER_LEN. Writes a zeroed header with id and flags.
 */
void wire_builder_init(struct wire_builder *b, uint8_t *buf, size_t max_len, uint16_t id,
		       uint16_t flags);

/* Replaces the header flags word (QR, opcode, AA, TC, RD, ..., RCODE low 4 bits). */
void wire_builder_set_flags(struct wire_builder *b, uint16_t flags);

/* Keeps n octets at the end free (for OPT or TSIG). Returns NIM_OK or NIM_ESPACE. */
int wire_builder_reserve(struct wire_builder *b, size_t n);

/* Gives back reserved octets before writing the record they were kept for. */
void wire_builder_unreserve(struct wire_builder *b, size_t n);

/*
 * Writes the question (name as given, case kept; borrowed). Must come before
 * any record. NIM_OK or NIM_ESPACE (nothing written).
 */
int wire_builder_question(struct wire_builder *b, const uint8_t *qname, uint16_t qtype,
			  uint16_t qclass);

/*
 * Begins an RRset in section (sections must not go backwards). Records a
 * rollback point; wire_builder_rr adds its records, then wire_builder_rrset_end
 * keeps them or wire_builder_rrset_rollback removes them all.
 */
void wire_builder_rrset_begin(struct wire_builder *b, enum wire_section section);

/*
 * Adds one record to the current RRset. owner is a trusted uncompressed
 * name (always compressed); rdata is uncompressed RDATA whose names are
 * compressed here when the type's descriptor allows it (WIRE_RDF_CNAME
 * fields only). Both are borrowed. Returns NIM_OK, NIM_ESPACE when it does
 * not fit (the caller then rolls back the RRset), or NIM_EMALFORMED when the
 * RDATA of a type with compressible names does not fit its descriptor (other
 * types are copied as they are). On failure the builder is as before the call.
 */
int wire_builder_rr(struct wire_builder *b, const uint8_t *owner, uint16_t type, uint16_t rclass,
		    uint32_t ttl, const uint8_t *rdata, uint16_t rdlength);

void wire_builder_rrset_end(struct wire_builder *b);
void wire_builder_rrset_rollback(struct wire_builder *b);

/* Sets the TC bit. */
void wire_builder_set_tc(struct wire_builder *b);

/*
 * Writes the OPT record into the additional section (consuming space
 * reserved for it, if any). NIM_OK or NIM_ESPACE.
 */
int wire_builder_opt(struct wire_builder *b, const struct wire_edns_out *edns);

/* Writes the section counts into the header and returns the message length. */
size_t wire_builder_finish(struct wire_builder *b);

#endif
