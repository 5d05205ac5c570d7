/*
 * rdata.h - per-type RDATA descriptors and the one walker over them.
 *
 * Purpose: one table says, for each RR type, the sequence of fields of its
 * RDATA (names, fixed-size octets, <character-string>s, length-prefixed
 * data, an opaque rest) and how each name must be treated: compressible on
 * output and lower-cased in canonical form (RFC 3597 §4: only the types of
 * RFC 1035), lower-cased only (RFC 4034 §6.2 list, as RFC 6840 §5.1 amends
 * it), or neither. Unknown types are opaque (RFC 3597 §5).
 * One iterator (struct wire_rdata_iter) yields those fields over RDATA in a
 * message (names possibly compressed) or over flat RDATA (zone data, our
 * own records: names never compressed); everything that walks RDATA by type
 * goes through it: the message parser's validation, decompression, the
 * builder's name compression, the zone builder's checks and canonical form,
 * and later DNSSEC signing and validation.
 * Threads: the table is constant; an iterator belongs to its caller.
 * Allocates nothing. The checks and the iterator read hostile input.
 */
#ifndef NIM_WIRE_RDATA_H
#define NIM_WIRE_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "wire/name.h"

enum wire_type {
	WIRE_TYPE_A = 1,
	WIRE_TYPE_NS = 2,
	WIRE_TYPE_MD = 3,
	WIRE_TYPE_MF = 4,
	WIRE_TYPE_CNAME = 5,
	WIRE_TYPE_SOA = 6,
	WIRE_TYPE_MB = 7,
	WIRE_TYPE_MG = 8,
	WIRE_TYPE_MR = 9,
	WIRE_TYPE_NULL = 10,
	WIRE_TYPE_WKS = 11,
	WIRE_TYPE_PTR = 12,
	WIRE_TYPE_HINFO = 13,
	WIRE_TYPE_MINFO = 14,
	WIRE_TYPE_MX = 15,
	WIRE_TYPE_TXT = 16,
	WIRE_TYPE_RP = 17,
	WIRE_TYPE_AFSDB = 18,
	WIRE_TYPE_X25 = 19,
	WIRE_TYPE_ISDN = 20,
	WIRE_TYPE_RT = 21,
	WIRE_TYPE_NSAP = 22,
	WIRE_TYPE_NSAP_PTR = 23,
	WIRE_TYPE_SIG = 24,
	WIRE_TYPE_KEY = 25,
	WIRE_TYPE_PX = 26,
	WIRE_TYPE_GPOS = 27,
	WIRE_TYPE_AAAA = 28,
	WIRE_TYPE_LOC = 29,
	WIRE_TYPE_NXT = 30,
	WIRE_TYPE_SRV = 33,
	WIRE_TYPE_NAPTR = 35,
	WIRE_TYPE_KX = 36,
	WIRE_TYPE_CERT = 37,
	WIRE_TYPE_A6 = 38,
	WIRE_TYPE_DNAME = 39,
	WIRE_TYPE_OPT = 41,
	WIRE_TYPE_APL = 42,
	WIRE_TYPE_DS = 43,
	WIRE_TYPE_SSHFP = 44,
	WIRE_TYPE_IPSECKEY = 45,
	WIRE_TYPE_RRSIG = 46,
	WIRE_TYPE_NSEC = 47,
	WIRE_TYPE_DNSKEY = 48,
	WIRE_TYPE_DHCID = 49,
	WIRE_TYPE_NSEC3 = 50,
	WIRE_TYPE_NSEC3PARAM = 51,
	WIRE_TYPE_TLSA = 52,
	WIRE_TYPE_SMIMEA = 53,
	WIRE_TYPE_HIP = 55,
	WIRE_TYPE_CDS = 59,
	WIRE_TYPE_CDNSKEY = 60,
	WIRE_TYPE_OPENPGPKEY = 61,
	WIRE_TYPE_CSYNC = 62,
	WIRE_TYPE_ZONEMD = 63,
	WIRE_TYPE_SVCB = 64,
	WIRE_TYPE_HTTPS = 65,
	WIRE_TYPE_SPF = 99,
	WIRE_TYPE_NID = 104,
	WIRE_TYPE_L32 = 105,
	WIRE_TYPE_L64 = 106,
	WIRE_TYPE_LP = 107,
	WIRE_TYPE_EUI48 = 108,
	WIRE_TYPE_EUI64 = 109,
	WIRE_TYPE_TKEY = 249,
	WIRE_TYPE_TSIG = 250,
	WIRE_TYPE_IXFR = 251,
	WIRE_TYPE_AXFR = 252,
	WIRE_TYPE_MAILB = 253,
	WIRE_TYPE_MAILA = 254,
	WIRE_TYPE_ANY = 255,
	WIRE_TYPE_URI = 256,
	WIRE_TYPE_CAA = 257,
	WIRE_TYPE_AMTRELAY = 260,
	WIRE_TYPE_TA = 32768,
	WIRE_TYPE_DLV = 32769,
};

/* One field of a type's RDATA, in order. */
enum wire_rdf {
	/* End of the descriptor. */
	WIRE_RDF_END = 0,
	/* A name, compressible, lower-cased in canonical form (RFC 1035 types). */
	WIRE_RDF_CNAME,
	/* A name, never compressed, lower-cased in canonical form (RFC 4034 §6.2). */
	WIRE_RDF_LNAME,
	/* A name, never compressed, case kept (RFC 6840 §5.1: NSEC next name). */
	WIRE_RDF_NAME,
	/* fixed_len octets. */
	WIRE_RDF_FIXED,
	/* One <character-string>: a length octet and that many octets. */
	WIRE_RDF_STRING,
	/* The rest of the RDATA, possibly empty. */
	WIRE_RDF_REMAINDER,
	/* One or more <character-string>s filling the rest (TXT, RFC 1035 §3.3.14). */
	WIRE_RDF_STRINGS,
	/* A 16-bit length and that many octets (TSIG MAC, TKEY key). */
	WIRE_RDF_DATA16,
	/* A <character-string> present only when octets remain (ISDN, RFC 1183 §3.2). */
	WIRE_RDF_STRING_OPT,
};

struct wire_rdata_field {
	enum wire_rdf kind;
	uint16_t fixed_len; /* for WIRE_RDF_FIXED */
};

#define WIRE_RDATA_MAXFIELDS 8

struct wire_rdata_desc {
	uint16_t type;
	const char *mnemonic; /* "A", "NS", ...; NULL for unknown types */
	struct wire_rdata_field fields[WIRE_RDATA_MAXFIELDS];
};

/* True for the three name kinds. */
static inline bool wire_rdf_is_name(enum wire_rdf kind)
{
	return kind == WIRE_RDF_CNAME || kind == WIRE_RDF_LNAME || kind == WIRE_RDF_NAME;
}

/*
 * Returns the descriptor of type; for unknown types a shared descriptor with
 * type 0, mnemonic NULL and one WIRE_RDF_REMAINDER field. Never NULL.
 * Types whose layout a field list cannot express (A6, IPSECKEY, HIP, APL)
 * are described as a fixed head and an opaque remainder: they are never
 * compressed and, by RFC 4034 §6.2 and RFC 6840 §5.1, none of them but A6
 * (historic, RFC 6563) has names lower-cased in canonical form.
 */
const struct wire_rdata_desc *wire_rdata_desc(uint16_t type);

/* True for meta-types and QTYPEs that never appear in zone data (OPT, TSIG, TKEY, IXFR, AXFR,
 * MAILA, MAILB, ANY). */
bool wire_type_is_meta(uint16_t type);

/* True when the descriptor has a WIRE_RDF_CNAME field (the names the builder compresses). */
bool wire_rdata_has_cname(const struct wire_rdata_desc *desc);

/*
 * True when the descriptor has a name lower-cased in canonical form
 * (WIRE_RDF_CNAME or WIRE_RDF_LNAME), that is when the canonical form of
 * its RDATA may differ from the RDATA.
 */
bool wire_rdata_has_lname(const struct wire_rdata_desc *desc);

/*
 * The field iterator. Initialise it over one record's RDATA, call
 * wire_rdata_iter_next until it returns false, then wire_rdata_iter_end
 * says whether the RDATA fitted the descriptor. Each call checks its field
 * against what is left of RDLENGTH before yielding it, so an item's octets
 * always lie inside the RDATA; the first fault is sticky (every later next
 * returns false).
 * Over a message (wire_rdata_iter_init_packet) names may be compressed in
 * every name field, pointing anywhere earlier in the message: receivers
 * decompress liberally, only senders are bound by RFC 3597 §4. Pointers
 * follow wire_name_parse's rules; the in-place part of a name (up to and
 * including its first pointer) must end inside RDLENGTH.
 * Over flat RDATA (wire_rdata_iter_init_flat) names must be uncompressed
 * and end inside the RDATA (wire_name_flat_len).
 * The iterator borrows the buffer; it is a handful of words on the stack.
 */
struct wire_rdata_iter {
	const uint8_t *buf; /* borrowed: the message, or the flat RDATA */
	size_t buf_len;	    /* where pointers may lead: the message length; flat: end */
	size_t pos;	    /* next field */
	size_t end;	    /* end of the RDATA in buf */
	const struct wire_rdata_desc *desc;
	unsigned i;	/* index of the next field in desc */
	bool is_packet; /* names may be compressed */
	int err;	/* NIM_OK, or the first fault: NIM_EMALFORMED */
};

/* One field of the RDATA, as the iterator yields it. */
struct wire_rdata_item {
	enum wire_rdf kind;
	size_t off;	 /* where the field starts in the iterator's buffer */
	size_t len;	 /* octets it takes there; 0 for an absent WIRE_RDF_STRING_OPT */
	size_t name_len; /* name kinds: length uncompressed, root included; else 0 */
};

/*
 * The iterator is inline: the message parser runs it for every record with
 * names, the builder for every record it compresses, the zone builder for
 * every comparison while it sorts. Out of line, its calls cost the builder
 * about 10 ns per record (bench/micro-wire.c).
 */

/*
 * Iterates over pkt[rdata_off..rdata_off + rdlength) of the message
 * pkt[0..pkt_len), the RDATA of a record of type. The caller guarantees
 * rdata_off + rdlength <= pkt_len.
 */
static inline void wire_rdata_iter_init_packet(struct wire_rdata_iter *it, const uint8_t *pkt,
					       size_t pkt_len, size_t rdata_off, uint16_t rdlength,
					       uint16_t type)
{
	it->buf = pkt;
	it->buf_len = pkt_len;
	it->pos = rdata_off;
	it->end = rdata_off + rdlength;
	it->desc = wire_rdata_desc(type);
	it->i = 0;
	it->is_packet = true;
	it->err = NIM_OK;
}

/* Iterates over flat (uncompressed) RDATA rdata[0..len) of a record of type. */
static inline void wire_rdata_iter_init_flat(struct wire_rdata_iter *it, const uint8_t *rdata,
					     size_t len, uint16_t type)
{
	it->buf = rdata;
	it->buf_len = len;
	it->pos = 0;
	it->end = len;
	it->desc = wire_rdata_desc(type);
	it->i = 0;
	it->is_packet = false;
	it->err = NIM_OK;
}

/* Octets a name field takes at buf[p..end) and its length uncompressed; 0 when it is bad. */
static inline size_t wire_rdata_iter_name(const struct wire_rdata_iter *it, size_t p,
					  size_t *name_len)
{
	if (!it->is_packet)
		return *name_len = wire_name_flat_len(it->buf + p, it->end - p);
	size_t q = p;
	if (wire_name_parse(it->buf, it->buf_len, &q, NULL, name_len) != NIM_OK || q > it->end)
		return 0;
	return q - p;
}

/* Octets of one or more <character-string>s filling buf[p..end) (RFC 1035 §3.3.14), or 0. */
static inline size_t wire_rdata_iter_strings(const uint8_t *buf, size_t p, size_t end)
{
	size_t q = p;
	do {
		if (q >= end || end - q - 1 < buf[q])
			return 0;
		q += 1u + buf[q];
	} while (q < end);
	return q - p;
}

/*
 * Yields the next field into *item and returns true; returns false at the
 * end of the descriptor or at the first fault (*item unchanged).
 */
static inline bool wire_rdata_iter_next(struct wire_rdata_iter *it, struct wire_rdata_item *item)
{
	if (it->err != NIM_OK || it->i >= WIRE_RDATA_MAXFIELDS)
		return false;
	const struct wire_rdata_field *f = &it->desc->fields[it->i];
	const uint8_t *buf = it->buf;
	size_t p = it->pos;
	size_t avail = it->end - p;
	size_t n = 0;
	size_t name_len = 0;

	switch (f->kind) {
	case WIRE_RDF_END:
		return false;
	case WIRE_RDF_CNAME:
	case WIRE_RDF_LNAME:
	case WIRE_RDF_NAME:
		n = wire_rdata_iter_name(it, p, &name_len);
		if (n == 0)
			goto bad;
		break;
	case WIRE_RDF_FIXED:
		n = f->fixed_len;
		if (avail < n)
			goto bad;
		break;
	case WIRE_RDF_STRING_OPT:
		/* RFC 1183 §3.2: the ISDN subaddress is there only if octets remain. */
		if (avail == 0)
			break;
		/* fall through */
	case WIRE_RDF_STRING:
		if (avail == 0 || avail - 1 < buf[p])
			goto bad;
		n = 1u + buf[p];
		break;
	case WIRE_RDF_STRINGS:
		n = wire_rdata_iter_strings(buf, p, it->end);
		if (n == 0)
			goto bad;
		break;
	case WIRE_RDF_DATA16:
		if (avail < 2 || avail - 2 < (size_t)((buf[p] << 8) | buf[p + 1]))
			goto bad;
		n = 2u + (size_t)((buf[p] << 8) | buf[p + 1]);
		break;
	case WIRE_RDF_REMAINDER:
		n = avail;
		break;
	}
	item->kind = f->kind;
	item->off = p;
	item->len = n;
	item->name_len = name_len;
	it->pos = p + n;
	it->i++;
	return true;
bad:
	it->err = NIM_EMALFORMED;
	return false;
}

/*
 * After wire_rdata_iter_next returned false: NIM_OK when every field fitted
 * and together they fill the RDATA exactly, else NIM_EMALFORMED.
 */
static inline int wire_rdata_iter_end(const struct wire_rdata_iter *it)
{
	if (it->err != NIM_OK)
		return it->err;
	return it->pos == it->end ? NIM_OK : NIM_EMALFORMED;
}

/*
 * Checks that rdata[0..rdlength) at offset rdata_off of pkt fits the type's
 * descriptor: fixed fields fit, every <character-string> fits, every name
 * parses and its in-place part ends inside RDLENGTH, and nothing is left
 * over. Names may be compressed in every name field (pointing anywhere
 * earlier in pkt): receivers decompress liberally, only senders are bound
 * by RFC 3597 §4. The caller guarantees rdata_off + rdlength <= pkt_len.
 * Returns NIM_OK or NIM_EMALFORMED.
 */
int wire_rdata_check(const uint8_t *pkt, size_t pkt_len, size_t rdata_off, uint16_t rdlength,
		     uint16_t type);

/*
 * Checks that flat RDATA rdata[0..len) fits the type's descriptor with every
 * name uncompressed (zone data, RFC 3597 §4) and nothing left over.
 * Returns NIM_OK or NIM_EMALFORMED.
 */
int wire_rdata_check_flat(uint16_t type, const uint8_t *rdata, size_t len);

/*
 * Writes the canonical form of flat RDATA (RFC 4034 §6.2: names of the
 * WIRE_RDF_CNAME and WIRE_RDF_LNAME kinds lower-cased, everything else as
 * it is) into out[0..len), which may be rdata itself. Returns NIM_OK, or
 * NIM_EMALFORMED when rdata does not fit the descriptor (out then holds a
 * copy with the names before the fault lower-cased).
 */
int wire_rdata_canon(uint16_t type, const uint8_t *rdata, size_t len, uint8_t *out);

/*
 * Copies RDATA out of a message, expanding compressed names, into
 * out[0..out_cap). The RDATA is checked as by wire_rdata_check, except
 * that empty RDATA is always copied as empty: RFC 2136 §2.4 and §2.5 use it
 * with class ANY and NONE for any type, and wire_msg_parse judged it already.
 * Expanded names make the copy longer than rdlength by at most 253 octets
 * per name field. Returns NIM_OK and sets *out_len, NIM_EMALFORMED, or
 * NIM_ESPACE (also when the copy would exceed 65535 octets); on failure out
 * may hold a partial copy and *out_len is unchanged.
 */
int wire_rdata_decompress(const uint8_t *pkt, size_t pkt_len, size_t rdata_off, uint16_t rdlength,
			  uint16_t type, uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * Writes the mnemonic ("A") or RFC 3597 §5 "TYPEnnn" form, NUL-terminated.
 * Returns NIM_OK or NIM_ESPACE (out unchanged); 16 octets always suffice.
 */
int wire_type_to_str(uint16_t type, char *out, size_t out_cap);

/* Parses a mnemonic or "TYPEnnn" (case-insensitive). Returns NIM_OK or NIM_EINVAL. */
int wire_type_from_str(const char *text, uint16_t *out);

#endif
