/*
 * edns.h - EDNS(0) option access and OPT record output.
 *
 * Purpose: iterate the options of a parsed OPT record (unknown options are
 * kept opaque and ignored by callers, RFC 6891 §6.1.2), describe the OPT
 * record a response carries, and write and read Extended DNS Errors (the
 * one EDE codec: the authoritative answer, the resolver and the validator
 * all use it).
 * Threads: stateless. Allocates nothing. Reads hostile input (options).
 * RFCs: 6891 (§6.1.1-6.1.3, §6.2.3-6.2.5, §7); 3225 (DO bit); 8914 (EDE).
 */
#ifndef NIM_WIRE_EDNS_H
#define NIM_WIRE_EDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/msg.h"

#define WIRE_EDNS_VERSION 0
#define WIRE_EDNS_DO 0x8000u
#define WIRE_OPT_RR_LEN 11 /* root owner, type, class, TTL, RDLENGTH */

enum wire_edns_option_code {
	WIRE_EDNS_OPT_NSID = 3,
	WIRE_EDNS_OPT_CLIENT_SUBNET = 8,
	WIRE_EDNS_OPT_COOKIE = 10,
	WIRE_EDNS_OPT_TCP_KEEPALIVE = 11,
	WIRE_EDNS_OPT_PADDING = 12,
	WIRE_EDNS_OPT_EDE = 15,
};

struct wire_edns_option {
	uint16_t code;
	uint16_t len;
	const uint8_t *data; /* borrowed from the packet */
};

struct wire_edns_option_iter {
	const uint8_t *pos;
	const uint8_t *end;
};

/* Starts iterating the options of msg's OPT record (msg->has_edns must be true). */
void wire_edns_option_iter_init(struct wire_edns_option_iter *it, const struct wire_msg *msg);

/*
 * Returns NIM_OK with *opt filled (data borrowed from the packet), or
 * NIM_ENOTFOUND at the end. The options were validated by wire_msg_parse.
 */
int wire_edns_option_next(struct wire_edns_option_iter *it, struct wire_edns_option *opt);

/*
 * Appends one option (code, length, data) at buf[*buf_len], for building
 * the options of a wire_edns_out. data is borrowed and may be NULL when len
 * is 0. Returns NIM_OK and advances *buf_len, or NIM_ESPACE (nothing
 * written) when it does not fit in buf_cap or would make the options longer
 * than an RDLENGTH can say.
 */
int wire_edns_option_write(uint8_t *buf, size_t buf_cap, size_t *buf_len, uint16_t code,
			   const uint8_t *data, uint16_t len);

/* Extended DNS Error INFO-CODEs (RFC 8914 §4, IANA registry). */
enum wire_ede_code {
	WIRE_EDE_OTHER = 0,
	WIRE_EDE_UNSUPPORTED_DNSKEY_ALG = 1,
	WIRE_EDE_UNSUPPORTED_DS_DIGEST = 2,
	WIRE_EDE_STALE_ANSWER = 3,
	WIRE_EDE_FORGED_ANSWER = 4,
	WIRE_EDE_DNSSEC_INDETERMINATE = 5,
	WIRE_EDE_DNSSEC_BOGUS = 6,
	WIRE_EDE_SIGNATURE_EXPIRED = 7,
	WIRE_EDE_SIGNATURE_NOT_YET_VALID = 8,
	WIRE_EDE_DNSKEY_MISSING = 9,
	WIRE_EDE_RRSIGS_MISSING = 10,
	WIRE_EDE_NO_ZONE_KEY_BIT = 11,
	WIRE_EDE_NSEC_MISSING = 12,
	WIRE_EDE_CACHED_ERROR = 13,
	WIRE_EDE_NOT_READY = 14,
	WIRE_EDE_BLOCKED = 15,
	WIRE_EDE_CENSORED = 16,
	WIRE_EDE_FILTERED = 17,
	WIRE_EDE_PROHIBITED = 18,
	WIRE_EDE_STALE_NXDOMAIN = 19,
	WIRE_EDE_NOT_AUTHORITATIVE = 20,
	WIRE_EDE_NOT_SUPPORTED = 21,
	WIRE_EDE_NO_REACHABLE_AUTHORITY = 22,
	WIRE_EDE_NETWORK_ERROR = 23,
	WIRE_EDE_INVALID_DATA = 24,
};

/* Octets of an EDE option with text_len octets of EXTRA-TEXT: TLV header, INFO-CODE, text. */
static inline size_t wire_ede_len(size_t text_len)
{
	return 4 + 2 + text_len;
}

/*
 * Appends one EDE option (RFC 8914 §2: INFO-CODE, then EXTRA-TEXT as UTF-8
 * without a terminating NUL) at buf[*buf_len], for the options of a
 * wire_edns_out. text (borrowed, may be NULL when text_len is 0) should be
 * short: it travels in every answer that carries it. Returns NIM_OK and
 * advances *buf_len by wire_ede_len(text_len), or NIM_ESPACE (nothing
 * written) when it does not fit buf_cap or an option length.
 */
int wire_edns_ede_write(uint8_t *buf, size_t buf_cap, size_t *buf_len, uint16_t info_code,
			const char *text, size_t text_len);

/*
 * Reads an EDE option found by wire_edns_option_next (opt->code must be
 * WIRE_EDNS_OPT_EDE). Returns NIM_OK with *info_code and the EXTRA-TEXT
 * (borrowed from the packet, not NUL-terminated, maybe empty; a NUL that
 * ends it is left out, RFC 8914 §2), or NIM_EMALFORMED when the
 * option is shorter than its INFO-CODE (outputs unchanged).
 */
int wire_edns_ede_read(const struct wire_edns_option *opt, uint16_t *info_code,
		       const uint8_t **text, size_t *text_len);

/* The OPT record a response carries. */
struct wire_edns_out {
	uint16_t udp_size;	/* our payload size */
	uint8_t ext_rcode;	/* upper 8 bits of the RCODE */
	bool is_do;		/* echo of the query's DO bit (RFC 3225 §3) */
	const uint8_t *options; /* borrowed, already encoded options; may be NULL */
	uint16_t options_len;
};

/* Octets the OPT record will take in the additional section. */
static inline size_t wire_edns_out_len(const struct wire_edns_out *e)
{
	return WIRE_OPT_RR_LEN + e->options_len;
}

#endif
