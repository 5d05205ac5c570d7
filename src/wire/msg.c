/*
 * msg.c - whole-message validation and record iteration.
 *
 * wire_msg_parse runs for every query the server receives, so it makes one
 * pass over the packet: names are validated in place (only the question
 * name is copied), fixed fields are read through a cursor, and RDATA is
 * checked against its type's descriptor without being copied.
 */
#include "wire/msg.h"

#include <string.h>

#include "util/cursor.h"
#include "util/error.h"
#include "wire/edns.h"
#include "wire/rdata.h"

const char *wire_parse_status_str(enum wire_parse_status status)
{
	switch (status) {
	case WIRE_PARSE_OK:
		return "well-formed";
	case WIRE_PARSE_SHORT_HEADER:
		return "shorter than a header";
	case WIRE_PARSE_BAD_QDCOUNT:
		return "question count is not 1";
	case WIRE_PARSE_BAD_QUESTION:
		return "malformed question";
	case WIRE_PARSE_BAD_RR:
		return "malformed resource record";
	case WIRE_PARSE_BAD_RDATA:
		return "rdata does not fit its type";
	case WIRE_PARSE_TRAILING_DATA:
		return "trailing data after the last record";
	case WIRE_PARSE_BAD_OPT:
		return "malformed or misplaced opt record";
	case WIRE_PARSE_BAD_TSIG:
		return "tsig record is not the last one";
	}
	return "unknown parse status";
}

/*
 * Reads QDCOUNT questions; the first one is kept in m. More than one is
 * still walked, so that the rest of the message can be validated before
 * BAD_QDCOUNT is reported.
 */
static enum wire_parse_status parse_question(struct cursor *c, struct wire_msg *m)
{
	for (unsigned i = 0; i < m->counts[0]; i++) {
		size_t name_len;
		if (wire_name_parse(c->base, c->len, &c->pos, i == 0 ? m->qname : NULL,
				    &name_len) != NIM_OK)
			return WIRE_PARSE_BAD_QUESTION;
		uint16_t qtype = cursor_u16(c);
		uint16_t qclass = cursor_u16(c);
		if (c->is_bad)
			return WIRE_PARSE_BAD_QUESTION;
		if (i == 0) {
			m->qname_len = name_len;
			m->qtype = qtype;
			m->qclass = qclass;
			m->has_question = true;
		}
	}
	m->question_end = c->pos;
	return WIRE_PARSE_OK;
}

/*
 * RFC 6891 §6.1.1: at most one OPT, in the additional section, owned by the
 * root. Its options must exactly fill RDLENGTH (§6.1.2); their content is
 * left to whoever understands them. A version above 0 is recorded, not
 * refused: answering BADVERS is the dispatcher's call (§6.1.3).
 * §6.1.2 says the owner "MUST be 0": the one zero octet, so a compression
 * pointer is refused even when it leads to the root, as NSD does (Knot
 * ignores the owner); nothing legitimate compresses a one-octet name.
 */
static enum wire_parse_status parse_opt(struct wire_msg *m, enum wire_section section,
					size_t rr_off, uint16_t rclass, uint32_t ttl,
					size_t rdata_off, uint16_t rdlength)
{
	if (section != WIRE_SECTION_ADDITIONAL || m->has_edns || m->pkt[rr_off] != 0)
		return WIRE_PARSE_BAD_OPT;
	struct cursor c;
	cursor_init(&c, m->pkt + rdata_off, rdlength);
	while (cursor_left(&c) > 0) {
		(void)cursor_u16(&c);
		uint16_t len = cursor_u16(&c);
		cursor_skip(&c, len);
		if (c.is_bad)
			return WIRE_PARSE_BAD_OPT;
	}
	m->edns.udp_size = rclass;
	m->edns.ext_rcode = (uint8_t)(ttl >> 24);
	m->edns.version = (uint8_t)(ttl >> 16);
	m->edns.z_flags = (uint16_t)ttl;
	m->edns.is_do = (ttl & WIRE_EDNS_DO) != 0;
	m->edns.options_off = rdata_off;
	m->edns.options_len = rdlength;
	m->has_edns = true;
	m->opt_off = rr_off;
	return WIRE_PARSE_OK;
}

/* Validates one resource record of section and advances the cursor past it. */
static enum wire_parse_status parse_rr(struct cursor *c, struct wire_msg *m,
				       enum wire_section section)
{
	size_t rr_off = c->pos;
	if (wire_name_parse(c->base, c->len, &c->pos, NULL, NULL) != NIM_OK)
		return WIRE_PARSE_BAD_RR;
	uint16_t type = cursor_u16(c);
	uint16_t rclass = cursor_u16(c);
	uint32_t ttl = cursor_u32(c);
	uint16_t rdlength = cursor_u16(c);
	size_t rdata_off = c->pos;
	cursor_skip(c, rdlength);
	if (c->is_bad)
		return WIRE_PARSE_BAD_RR;

	/* RFC 8945 §5.1: TSIG is the last record; RFC 6891 §6.1.1 puts OPT before it. */
	if (m->has_tsig)
		return WIRE_PARSE_BAD_TSIG;
	if (type == WIRE_TYPE_OPT)
		return parse_opt(m, section, rr_off, rclass, ttl, rdata_off, rdlength);
	if (type == WIRE_TYPE_TSIG) {
		if (section != WIRE_SECTION_ADDITIONAL)
			return WIRE_PARSE_BAD_TSIG;
		m->has_tsig = true;
		m->tsig_off = rr_off;
	}
	/*
	 * RFC 2136 §2.4.1, §2.4.3, §2.5.2, §2.5.3: prerequisites and deletions in
	 * UPDATE carry class ANY or NONE and no RDATA, whatever the type.
	 */
	if (rdlength == 0 && (rclass == WIRE_CLASS_ANY || rclass == WIRE_CLASS_NONE))
		return WIRE_PARSE_OK;
	if (wire_rdata_check(c->base, c->len, rdata_off, rdlength, type) != NIM_OK)
		return WIRE_PARSE_BAD_RDATA;
	return WIRE_PARSE_OK;
}

static void msg_reset(struct wire_msg *m, const uint8_t *pkt, size_t pkt_len)
{
	m->pkt = pkt;
	m->pkt_len = pkt_len;
	m->id = 0;
	m->flags = 0;
	for (unsigned i = 0; i < 4; i++)
		m->counts[i] = 0;
	m->has_question = false;
	m->qname[0] = 0;
	m->qname_len = 0;
	m->qtype = 0;
	m->qclass = 0;
	m->question_end = 0;
	for (unsigned i = 0; i < 3; i++)
		m->section_off[i] = 0;
	m->has_edns = false;
	memset(&m->edns, 0, sizeof(m->edns));
	m->opt_off = 0;
	m->has_tsig = false;
	m->tsig_off = 0;
}

enum wire_parse_status wire_msg_parse(const uint8_t *pkt, size_t pkt_len, struct wire_msg *out)
{
	enum wire_parse_status status;
	struct cursor c;

	msg_reset(out, pkt, pkt_len);
	if (pkt_len < WIRE_HEADER_LEN)
		return WIRE_PARSE_SHORT_HEADER;
	cursor_init(&c, pkt, pkt_len);
	out->id = cursor_u16(&c);
	out->flags = cursor_u16(&c);
	for (unsigned i = 0; i < 4; i++)
		out->counts[i] = cursor_u16(&c);

	status = parse_question(&c, out);
	if (status != WIRE_PARSE_OK)
		return status;
	for (unsigned s = 0; s < 3; s++) {
		out->section_off[s] = c.pos;
		for (unsigned i = 0; i < out->counts[s + 1]; i++) {
			status = parse_rr(&c, out, (enum wire_section)s);
			if (status != WIRE_PARSE_OK)
				return status;
		}
	}
	if (c.pos != pkt_len)
		return WIRE_PARSE_TRAILING_DATA;
	if (out->counts[0] != 1)
		return WIRE_PARSE_BAD_QDCOUNT;
	return WIRE_PARSE_OK;
}

void wire_rr_iter_init(struct wire_rr_iter *it, const struct wire_msg *msg)
{
	it->msg = msg;
	it->pos = msg->section_off[0];
	it->section = WIRE_SECTION_ANSWER;
	/* Offset 0 means the parser never reached the records: iterate nothing. */
	if (it->pos == 0) {
		it->section = WIRE_SECTION_ADDITIONAL;
		it->left_in_section = 0;
	} else {
		it->left_in_section = msg->counts[1];
	}
}

int wire_rr_iter_next(struct wire_rr_iter *it, struct wire_rr *rr)
{
	const struct wire_msg *m = it->msg;
	while (it->left_in_section == 0) {
		if (it->section == WIRE_SECTION_ADDITIONAL)
			return NIM_ENOTFOUND;
		it->section++;
		it->left_in_section = m->counts[it->section + 1];
	}

	/* Validate the whole record first: *rr is written only on success. */
	struct cursor c;
	size_t owner_pos = it->pos;
	cursor_init(&c, m->pkt, m->pkt_len);
	c.pos = it->pos;
	if (wire_name_parse(m->pkt, m->pkt_len, &c.pos, NULL, NULL) != NIM_OK)
		return NIM_EMALFORMED;
	uint16_t type = cursor_u16(&c);
	uint16_t rclass = cursor_u16(&c);
	uint32_t ttl = cursor_u32(&c);
	uint16_t rdlength = cursor_u16(&c);
	size_t rdata_off = c.pos;
	cursor_skip(&c, rdlength);
	if (c.is_bad)
		return NIM_EMALFORMED;

	(void)wire_name_parse(m->pkt, m->pkt_len, &owner_pos, rr->owner, &rr->owner_len);
	rr->section = it->section;
	rr->type = type;
	rr->rclass = rclass;
	rr->ttl = ttl;
	rr->rdlength = rdlength;
	rr->rdata_off = rdata_off;
	rr->rr_off = it->pos;
	it->pos = c.pos;
	it->left_in_section--;
	return NIM_OK;
}
