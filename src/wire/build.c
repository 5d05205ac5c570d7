/*
 * build.c - the message builder: header, question, RRsets with name
 * compression and rollback, OPT.
 *
 * Compression (RFC 1035 §4.1.4): every label sequence written with
 * compression allowed - the question, owner names, and the names of
 * WIRE_RDF_CNAME fields - adds the offset of each of its labels to a fixed
 * table. A later name looks for its suffixes there, shortest first, and
 * stops at the first one missing: the suffixes of every name in the table
 * are in the table too (unless the table was full or the 0x4000 limit cut
 * them off, which only makes compression less good), so a longer suffix
 * cannot be there either. A new name costs one scan of the table, a name
 * under a known zone a few.
 * The longest suffix found becomes a pointer to the first place it was
 * written (the choice dnspython makes too, which lets tests compare bytes).
 * Names are compared ignoring case, so a compressed name may take the case
 * of an earlier one, as with every common server.
 */
#include "wire/build.h"

#include <assert.h>
#include <string.h>

#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"

/* Pointers hold 14 bits of offset. */
#define COMP_OFF_LIMIT 0x4000u

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Octets still free for records: the limit minus what is written and kept. */
static inline size_t room(const struct wire_builder *b)
{
	return b->max_len - b->len - b->reserved;
}

void wire_builder_init(struct wire_builder *b, uint8_t *buf, size_t max_len, uint16_t id,
		       uint16_t flags)
{
	assert(max_len >= WIRE_HEADER_LEN);
	b->buf = buf;
	/* A DNS message cannot be longer than its TCP length prefix can say. */
	b->max_len = max_len > WIRE_TCP_MAX ? WIRE_TCP_MAX : max_len;
	b->reserved = 0;
	b->len = WIRE_HEADER_LEN;
	memset(b->counts, 0, sizeof(b->counts));
	b->section = WIRE_SECTION_ANSWER;
	b->n_comp = 0;
	b->mark_len = b->len;
	b->mark_count = 0;
	b->mark_n_comp = 0;
	put16(buf, id);
	put16(buf + 2, flags);
	memset(buf + 4, 0, 8);
}

void wire_builder_set_flags(struct wire_builder *b, uint16_t flags)
{
	put16(b->buf + 2, flags);
}

void wire_builder_set_tc(struct wire_builder *b)
{
	b->buf[2] |= (uint8_t)(WIRE_FLAG_TC >> 8);
}

int wire_builder_reserve(struct wire_builder *b, size_t n)
{
	if (n > room(b))
		return NIM_ESPACE;
	b->reserved += n;
	return NIM_OK;
}

void wire_builder_unreserve(struct wire_builder *b, size_t n)
{
	b->reserved -= n < b->reserved ? n : b->reserved;
}

/*
 * True when the name written at buf[off] (our own output: labels and
 * pointers to earlier labels) equals the uncompressed suffix s, ignoring case.
 */
static bool written_equal(const uint8_t *buf, size_t off, const uint8_t *s)
{
	for (;;) {
		uint8_t c = buf[off];
		if (c >= 0xc0) {
			off = ((size_t)(c & 0x3f) << 8) | buf[off + 1];
			continue;
		}
		if (c != *s)
			return false;
		if (c == 0)
			return true;
		if (!wire_equal_nocase(buf + off + 1, s + 1, c))
			return false;
		off += c + 1u;
		s += c + 1u;
	}
}

/* Index of the first table entry holding suffix, or -1. */
static int comp_find(const struct wire_builder *b, const uint8_t *suffix)
{
	for (unsigned e = 0; e < b->n_comp; e++) {
		/* Entries are label starts: a different length octet rules one out at once. */
		if (b->buf[b->comp_off[e]] == suffix[0] &&
		    written_equal(b->buf, b->comp_off[e], suffix))
			return (int)e;
	}
	return -1;
}

/*
 * Writes a trusted uncompressed name. With is_compressible, replaces its
 * longest suffix already in the table by a pointer and adds its new labels
 * to the table. Returns NIM_OK or NIM_ESPACE (nothing written).
 */
static int put_name(struct wire_builder *b, const uint8_t *name, bool is_compressible)
{
	uint8_t label_off[WIRE_NAME_MAXLABELS];
	unsigned n_labels = 0;
	size_t p = 0;
	for (; name[p] != 0; p += name[p] + 1u)
		label_off[n_labels++] = (uint8_t)p;
	size_t literal_len = p + 1; /* the whole name, root label included */
	int target = -1;

	if (is_compressible) {
		for (unsigned i = n_labels; i-- > 0;) {
			int e = comp_find(b, name + label_off[i]);
			if (e < 0)
				break;
			target = b->comp_off[e];
			literal_len = label_off[i];
		}
	}
	size_t need = literal_len + (target >= 0 ? 2 : 0);
	if (need > room(b))
		return NIM_ESPACE;

	uint8_t *w = b->buf + b->len;
	memcpy(w, name, literal_len);
	if (target >= 0)
		put16(w + literal_len, (uint16_t)(0xc000u | (unsigned)target));
	if (is_compressible) {
		for (unsigned i = 0; i < n_labels && label_off[i] < literal_len; i++) {
			size_t at = b->len + label_off[i];
			if (at >= COMP_OFF_LIMIT || b->n_comp >= WIRE_BUILD_COMP_CAP)
				break;
			b->comp_off[b->n_comp++] = (uint16_t)at;
		}
	}
	b->len += need;
	return NIM_OK;
}

int wire_builder_question(struct wire_builder *b, const uint8_t *qname, uint16_t qtype,
			  uint16_t qclass)
{
	size_t start = b->len;
	uint16_t start_n_comp = b->n_comp;
	assert(b->counts[1] == 0 && b->counts[2] == 0 && b->counts[3] == 0);
	if (put_name(b, qname, true) != NIM_OK)
		return NIM_ESPACE;
	if (room(b) < 4) {
		b->len = start;
		b->n_comp = start_n_comp;
		return NIM_ESPACE;
	}
	put16(b->buf + b->len, qtype);
	put16(b->buf + b->len + 2, qclass);
	b->len += 4;
	b->counts[0]++;
	return NIM_OK;
}

void wire_builder_rrset_begin(struct wire_builder *b, enum wire_section section)
{
	assert(section >= b->section);
	b->section = section;
	b->mark_len = b->len;
	b->mark_count = b->counts[section + 1];
	b->mark_n_comp = b->n_comp;
}

void wire_builder_rrset_end(struct wire_builder *b)
{
	b->mark_len = b->len;
	b->mark_count = b->counts[b->section + 1];
	b->mark_n_comp = b->n_comp;
}

void wire_builder_rrset_rollback(struct wire_builder *b)
{
	/* Table entries past the mark point into the records removed now. */
	b->len = b->mark_len;
	b->counts[b->section + 1] = b->mark_count;
	b->n_comp = b->mark_n_comp;
}

/* Copies n octets of RDATA as they are. */
static int put_raw(struct wire_builder *b, const uint8_t *src, size_t n)
{
	if (n > room(b))
		return NIM_ESPACE;
	if (n > 0) /* src may be NULL for empty RDATA */
		memcpy(b->buf + b->len, src, n);
	b->len += n;
	return NIM_OK;
}

/*
 * Writes RDATA field by field (the descriptor's iterator over flat RDATA) so
 * that WIRE_RDF_CNAME names are compressed. Returns NIM_OK, NIM_ESPACE, or
 * NIM_EMALFORMED when rdata does not fit the descriptor.
 */
static int put_rdata_fields(struct wire_builder *b, uint16_t type, const uint8_t *rdata,
			    size_t rdlength)
{
	struct wire_rdata_iter it;
	struct wire_rdata_item f;
	wire_rdata_iter_init_flat(&it, rdata, rdlength, type);
	while (wire_rdata_iter_next(&it, &f)) {
		int ret;
		if (wire_rdf_is_name(f.kind))
			ret = put_name(b, rdata + f.off, f.kind == WIRE_RDF_CNAME);
		else
			ret = put_raw(b, rdata + f.off, f.len);
		if (ret != NIM_OK)
			return ret;
	}
	return wire_rdata_iter_end(&it);
}

int wire_builder_rr(struct wire_builder *b, const uint8_t *owner, uint16_t type, uint16_t rclass,
		    uint32_t ttl, const uint8_t *rdata, uint16_t rdlength)
{
	size_t start = b->len;
	uint16_t start_n_comp = b->n_comp;
	const struct wire_rdata_desc *d = wire_rdata_desc(type);
	int ret = put_name(b, owner, true);
	if (ret == NIM_OK && room(b) < 10)
		ret = NIM_ESPACE;
	if (ret != NIM_OK)
		goto out;

	uint8_t *fixed = b->buf + b->len;
	put16(fixed, type);
	put16(fixed + 2, rclass);
	put32(fixed + 4, ttl);
	b->len += 10;
	size_t rdata_start = b->len;
	/* RFC 3597 §4: only the RFC 1035 types have names worth a field walk. */
	if (wire_rdata_has_cname(d) && rdlength > 0)
		ret = put_rdata_fields(b, type, rdata, rdlength);
	else
		ret = put_raw(b, rdata, rdlength);
	if (ret != NIM_OK)
		goto out;
	put16(fixed + 8, (uint16_t)(b->len - rdata_start));
	b->counts[b->section + 1]++;
out:
	if (ret != NIM_OK) {
		b->len = start;
		b->n_comp = start_n_comp;
	}
	return ret;
}

int wire_builder_opt(struct wire_builder *b, const struct wire_edns_out *edns)
{
	size_t need = wire_edns_out_len(edns);
	size_t from_reserve = need < b->reserved ? need : b->reserved;
	if (need > b->max_len - b->len - (b->reserved - from_reserve))
		return NIM_ESPACE;
	b->reserved -= from_reserve;

	/* RFC 6891 §6.1.2, §6.1.3: root owner, payload size as CLASS, flags in TTL. */
	uint8_t *w = b->buf + b->len;
	w[0] = 0;
	put16(w + 1, WIRE_TYPE_OPT);
	put16(w + 3, edns->udp_size);
	uint32_t ttl = ((uint32_t)edns->ext_rcode << 24) | ((uint32_t)WIRE_EDNS_VERSION << 16) |
		       (edns->is_do ? WIRE_EDNS_DO : 0);
	put32(w + 5, ttl);
	put16(w + 9, edns->options_len);
	if (edns->options_len > 0)
		memcpy(w + WIRE_OPT_RR_LEN, edns->options, edns->options_len);
	b->len += need;
	b->section = WIRE_SECTION_ADDITIONAL;
	b->counts[3]++;
	/* A rollback of the RRset before must not take the OPT record with it. */
	wire_builder_rrset_end(b);
	return NIM_OK;
}

size_t wire_builder_finish(struct wire_builder *b)
{
	for (unsigned i = 0; i < 4; i++)
		put16(b->buf + 4 + 2 * i, b->counts[i]);
	return b->len;
}
