/*
 * msg.h - DNS message parsing.
 *
 * Purpose: validate a whole message in place (header, question, every RR of
 * the three sections, RDATA against the type's descriptor, EDNS OPT, TSIG
 * position) and record where things are, so that later stages read the
 * packet through offsets without copying it.
 * The parser never decides an RCODE: it returns a wire_parse_status, and
 * src/dispatch.c maps each status to an action (drop, FORMERR, ...).
 * Threads: stateless. Allocates nothing. Reads hostile input.
 * RFCs: 1035 §4.1; 6891 §6.1.1 (one OPT, in the additional section, owner
 * root); 8945 §5.1 (TSIG is the last record).
 */
#ifndef NIM_WIRE_MSG_H
#define NIM_WIRE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/name.h"

#define WIRE_HEADER_LEN 12
#define WIRE_UDP_LEGACY_MAX 512
#define WIRE_TCP_MAX 65535

/* Header flag bits in the second 16-bit header word (RFC 1035 §4.1.1, RFC 4035 §3.2). */
#define WIRE_FLAG_QR 0x8000u
#define WIRE_FLAG_AA 0x0400u
#define WIRE_FLAG_TC 0x0200u
#define WIRE_FLAG_RD 0x0100u
#define WIRE_FLAG_RA 0x0080u
#define WIRE_FLAG_Z 0x0040u
#define WIRE_FLAG_AD 0x0020u
#define WIRE_FLAG_CD 0x0010u
#define WIRE_OPCODE_SHIFT 11
#define WIRE_OPCODE_MASK 0x7800u
#define WIRE_RCODE_MASK 0x000fu

enum wire_opcode {
	WIRE_OPCODE_QUERY = 0,
	WIRE_OPCODE_IQUERY = 1,
	WIRE_OPCODE_STATUS = 2,
	WIRE_OPCODE_NOTIFY = 4,
	WIRE_OPCODE_UPDATE = 5,
};

enum wire_rcode {
	WIRE_RCODE_NOERROR = 0,
	WIRE_RCODE_FORMERR = 1,
	WIRE_RCODE_SERVFAIL = 2,
	WIRE_RCODE_NXDOMAIN = 3,
	WIRE_RCODE_NOTIMP = 4,
	WIRE_RCODE_REFUSED = 5,
	WIRE_RCODE_YXDOMAIN = 6,
	WIRE_RCODE_YXRRSET = 7,
	WIRE_RCODE_NXRRSET = 8,
	WIRE_RCODE_NOTAUTH = 9,
	WIRE_RCODE_NOTZONE = 10,
	WIRE_RCODE_BADVERS = 16, /* extended: needs OPT (RFC 6891 §9) */
};

enum wire_class {
	WIRE_CLASS_IN = 1,
	WIRE_CLASS_CH = 3,
	WIRE_CLASS_NONE = 254,
	WIRE_CLASS_ANY = 255,
};

enum wire_section {
	WIRE_SECTION_ANSWER = 0,
	WIRE_SECTION_AUTHORITY = 1,
	WIRE_SECTION_ADDITIONAL = 2,
};

/* What the parser found; 0 means the message is well-formed. */
enum wire_parse_status {
	WIRE_PARSE_OK = 0,
	WIRE_PARSE_SHORT_HEADER,  /* fewer than 12 octets: nothing to answer */
	WIRE_PARSE_BAD_QDCOUNT,	  /* QDCOUNT is not 1 (0 or more than 1) */
	WIRE_PARSE_BAD_QUESTION,  /* question name or fields malformed or cut */
	WIRE_PARSE_BAD_RR,	  /* an RR in a section is malformed or cut */
	WIRE_PARSE_BAD_RDATA,	  /* RDATA does not fit its type's descriptor */
	WIRE_PARSE_TRAILING_DATA, /* octets after the last counted RR */
	WIRE_PARSE_BAD_OPT,  /* second OPT, OPT outside additional, owner not root, bad options */
	WIRE_PARSE_BAD_TSIG, /* TSIG not the last record, or more than one */
};

/* EDNS(0) as carried by an OPT record (RFC 6891 §6.1.2, §6.1.3). */
struct wire_edns {
	uint16_t udp_size; /* requestor's payload size, as sent (may be < 512) */
	uint8_t ext_rcode; /* upper 8 bits of the 12-bit RCODE */
	uint8_t version;
	bool is_do;	      /* DNSSEC OK (RFC 3225) */
	uint16_t z_flags;     /* the whole 16-bit flags field, DO included */
	size_t options_off;   /* offset of the first option in the packet */
	uint16_t options_len; /* octets of options (the OPT RDLENGTH) */
};

/*
 * A parsed message: offsets into a packet the caller keeps alive. The
 * question name is also copied out (original case), because nearly every
 * consumer needs it whole.
 */
struct wire_msg {
	const uint8_t *pkt; /* borrowed */
	size_t pkt_len;
	uint16_t id;
	uint16_t flags;	    /* second header word: QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE */
	uint16_t counts[4]; /* QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT as sent */

	bool has_question;
	uint8_t qname[WIRE_NAME_MAXLEN];
	size_t qname_len;
	uint16_t qtype;
	uint16_t qclass;
	size_t question_end; /* offset just after the question */

	size_t section_off[3]; /* offset of the first RR of each section */

	bool has_edns;
	struct wire_edns edns;
	size_t opt_off; /* offset of the OPT RR's owner name */

	bool has_tsig;
	size_t tsig_off; /* offset of the TSIG RR's owner name */
};

static inline unsigned wire_msg_opcode(const struct wire_msg *m)
{
	return (m->flags & WIRE_OPCODE_MASK) >> WIRE_OPCODE_SHIFT;
}

/*
 * Parses and validates pkt. Always fills what it could read before a fault:
 * the header once there are 12 octets, the question once it parsed, EDNS
 * once the OPT record parsed - so that a FORMERR answer can still echo the
 * ID and question. Returns WIRE_PARSE_OK or the first fault found. A
 * message with QDCOUNT 0 (legal in some responses and in DNS cookies
 * queries) returns WIRE_PARSE_BAD_QDCOUNT only after the rest was checked,
 * so `out` is complete; the caller decides whether QDCOUNT 0 is acceptable.
 */
enum wire_parse_status wire_msg_parse(const uint8_t *pkt, size_t pkt_len, struct wire_msg *out);

/* A short, lower-case description of a status, for logs and tests. */
const char *wire_parse_status_str(enum wire_parse_status status);

/* One resource record of a parsed message. */
struct wire_rr {
	enum wire_section section;
	uint8_t owner[WIRE_NAME_MAXLEN]; /* uncompressed, original case */
	size_t owner_len;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlength;
	size_t rdata_off; /* offset of RDATA in the packet; may hold compressed names */
	size_t rr_off;	  /* offset of the owner name */
};

/*
 * Iterates the records of a message, in order, OPT and TSIG included. Meant
 * for messages wire_msg_parse accepted (or refused only for
 * WIRE_PARSE_BAD_QDCOUNT); on any other message it stays within the packet
 * and ends with NIM_EMALFORMED or NIM_ENOTFOUND. The iterator borrows msg.
 */
struct wire_rr_iter {
	const struct wire_msg *msg;
	size_t pos;
	enum wire_section section;
	uint16_t left_in_section;
};

void wire_rr_iter_init(struct wire_rr_iter *it, const struct wire_msg *msg);

/*
 * Returns NIM_OK and fills *rr, NIM_ENOTFOUND at the end, NIM_EMALFORMED on a
 * record that does not fit the packet (*rr unchanged). RDATA is not checked
 * here; wire_msg_parse did that.
 */
int wire_rr_iter_next(struct wire_rr_iter *it, struct wire_rr *rr);

#endif
