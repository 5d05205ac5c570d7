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

/*
 * RFC 8914 §2: OPTION-CODE 15, OPTION-LENGTH, a 16-bit INFO-CODE, then
 * EXTRA-TEXT. Written in place so that an error answer costs no copy.
 */
int wire_edns_ede_write(uint8_t *buf, size_t buf_cap, size_t *buf_len, uint16_t info_code,
			const char *text, size_t text_len)
{
	size_t at = *buf_len;
	size_t len = wire_ede_len(text_len);
	if (text_len > 65535 - 2 || at > buf_cap || buf_cap - at < len || at + len > 65535)
		return NIM_ESPACE;
	uint16_t opt_len = (uint16_t)(2 + text_len);
	buf[at] = (uint8_t)(WIRE_EDNS_OPT_EDE >> 8);
	buf[at + 1] = (uint8_t)WIRE_EDNS_OPT_EDE;
	buf[at + 2] = (uint8_t)(opt_len >> 8);
	buf[at + 3] = (uint8_t)opt_len;
	buf[at + 4] = (uint8_t)(info_code >> 8);
	buf[at + 5] = (uint8_t)info_code;
	if (text_len > 0)
		memcpy(buf + at + 6, text, text_len);
	*buf_len = at + len;
	return NIM_OK;
}

int wire_edns_ede_read(const struct wire_edns_option *opt, uint16_t *info_code,
		       const uint8_t **text, size_t *text_len)
{
	if (opt->len < 2)
		return NIM_EMALFORMED;
	size_t n = (size_t)opt->len - 2;
	const uint8_t *t = opt->data + 2;
	/* RFC 8914 §2: the text is not NUL-terminated; one sent anyway is not part of it. */
	if (n > 0 && t[n - 1] == 0)
		n--;
	*info_code = (uint16_t)((opt->data[0] << 8) | opt->data[1]);
	*text = t;
	*text_len = n;
	return NIM_OK;
}
