/*
 * edns.c - EDNS(0) option iteration and encoding.
 *
 * The options were validated by wire_msg_parse (each TLV fits and together
 * they exactly fill the OPT RDLENGTH, RFC 6891 §6.1.2), so iteration only
 * reads. Unknown options are returned like known ones; RFC 6891 §6.1.2 says
 * a receiver ignores the ones it does not understand.
 */
#include "wire/edns.h"

#include <string.h>

#include "util/error.h"

void wire_edns_option_iter_init(struct wire_edns_option_iter *it, const struct wire_msg *msg)
{
	it->pos = msg->pkt + msg->edns.options_off;
	it->end = it->pos + msg->edns.options_len;
}

int wire_edns_option_next(struct wire_edns_option_iter *it, struct wire_edns_option *opt)
{
	/* Defensive: a TLV that does not fit ends the iteration instead of overrunning. */
	if (it->end - it->pos < 4)
		return NIM_ENOTFOUND;
	uint16_t code = (uint16_t)((it->pos[0] << 8) | it->pos[1]);
	uint16_t len = (uint16_t)((it->pos[2] << 8) | it->pos[3]);
	if ((size_t)(it->end - it->pos - 4) < len)
		return NIM_ENOTFOUND;
	opt->code = code;
	opt->len = len;
	opt->data = it->pos + 4;
	it->pos += 4 + (size_t)len;
	return NIM_OK;
}

int wire_edns_option_write(uint8_t *buf, size_t buf_cap, size_t *buf_len, uint16_t code,
			   const uint8_t *data, uint16_t len)
{
	size_t at = *buf_len;
	if (at > buf_cap || buf_cap - at < 4 + (size_t)len || at + 4 + (size_t)len > 65535)
		return NIM_ESPACE;
	buf[at] = (uint8_t)(code >> 8);
	buf[at + 1] = (uint8_t)code;
	buf[at + 2] = (uint8_t)(len >> 8);
	buf[at + 3] = (uint8_t)len;
	if (len > 0)
		memcpy(buf + at + 4, data, len);
	*buf_len = at + 4 + (size_t)len;
	return NIM_OK;
}
