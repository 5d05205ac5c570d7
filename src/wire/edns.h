/*
 * edns.h - EDNS(0) option access and OPT record output.
 *
 * Purpose: iterate the options of a parsed OPT record (unknown options are
 * kept opaque and ignored by callers, RFC 6891 §6.1.2) and describe the OPT
 * record a response carries.
 * Threads: stateless. Allocates nothing. Reads hostile input (options).
 * RFCs: 6891 (§6.1.1-6.1.3, §6.2.3-6.2.5, §7); 3225 (DO bit).
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
