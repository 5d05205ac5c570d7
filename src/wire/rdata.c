/*
 * rdata.c - the RDATA descriptor table, what is built on its field iterator
 * (validation over messages and over flat RDATA, decompression, canonical
 * form), type mnemonics. The iterator itself is inline in rdata.h.
 *
 * The table is indexed by type so that the parser finds a descriptor with
 * one array access per record. Name field kinds follow three lists:
 * - WIRE_RDF_CNAME: the RFC 1035 types, the only ones whose names may be
 *   compressed on output (RFC 3597 §4): NS, MD, MF, CNAME, SOA, MB, MG, MR,
 *   PTR, MINFO, MX.
 * - WIRE_RDF_LNAME: the other types of RFC 4034 §6.2 whose names are
 *   lower-cased in canonical form: RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX,
 *   SRV, DNAME, A6, RRSIG (A6 has no name field here, see wire_rdata_desc).
 * - WIRE_RDF_NAME: names kept as they are: NSEC (RFC 6840 §5.1 removed it
 *   from the list), NSAP-PTR (never on it), and the types defined after
 *   RFC 4034 (SVCB/HTTPS target, LP, TSIG/TKEY algorithm).
 */
#include "wire/rdata.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "wire/name.h"

/* The table reads best one type per line; keep the formatter away from it. */
/* clang-format off */
#define FIX(n) { WIRE_RDF_FIXED, (n) }
#define CNAME { WIRE_RDF_CNAME, 0 }
#define LNAME { WIRE_RDF_LNAME, 0 }
#define NAME { WIRE_RDF_NAME, 0 }
#define STR { WIRE_RDF_STRING, 0 }
#define STRS { WIRE_RDF_STRINGS, 0 }
#define REST { WIRE_RDF_REMAINDER, 0 }
#define DATA16 { WIRE_RDF_DATA16, 0 }
#define D(t, mn, ...) [WIRE_TYPE_##t] = { WIRE_TYPE_##t, mn, { __VA_ARGS__ } }

/* Types up to AMTRELAY by value; the two above 32767 are looked up apart. */
#define DIRECT_MAX WIRE_TYPE_AMTRELAY

static const struct wire_rdata_desc direct[DIRECT_MAX + 1] = {
	D(A, "A", FIX(4)),
	D(NS, "NS", CNAME),
	D(MD, "MD", CNAME),
	D(MF, "MF", CNAME),
	D(CNAME, "CNAME", CNAME),
	D(SOA, "SOA", CNAME, CNAME, FIX(20)),
	D(MB, "MB", CNAME),
	D(MG, "MG", CNAME),
	D(MR, "MR", CNAME),
	D(NULL, "NULL", REST),
	D(WKS, "WKS", FIX(5), REST),
	D(PTR, "PTR", CNAME),
	D(HINFO, "HINFO", STR, STR),
	D(MINFO, "MINFO", CNAME, CNAME),
	D(MX, "MX", FIX(2), CNAME),
	D(TXT, "TXT", STRS),
	D(RP, "RP", LNAME, LNAME),
	D(AFSDB, "AFSDB", FIX(2), LNAME),
	D(X25, "X25", STR),
	/* RFC 1183 §3.2: the address, then an optional subaddress. */
	D(ISDN, "ISDN", STR, { WIRE_RDF_STRING_OPT, 0 }),
	D(RT, "RT", FIX(2), LNAME),
	D(NSAP, "NSAP", REST),
	/* RFC 1706 §6; not in the RFC 4034 §6.2 list, so its name keeps its case. */
	D(NSAP_PTR, "NSAP-PTR", NAME),
	D(SIG, "SIG", FIX(18), LNAME, REST),
	D(KEY, "KEY", FIX(4), REST),
	D(PX, "PX", FIX(2), LNAME, LNAME),
	D(GPOS, "GPOS", STR, STR, STR),
	D(AAAA, "AAAA", FIX(16)),
	D(LOC, "LOC", REST),
	D(NXT, "NXT", LNAME, REST),
	D(SRV, "SRV", FIX(6), LNAME),
	D(NAPTR, "NAPTR", FIX(4), STR, STR, STR, LNAME),
	D(KX, "KX", FIX(2), LNAME),
	D(CERT, "CERT", FIX(5), REST),
	/* RFC 2874 §3.1: the prefix name exists only when the prefix length is not 0. */
	D(A6, "A6", FIX(1), REST),
	D(DNAME, "DNAME", LNAME),
	D(OPT, "OPT", REST),
	D(APL, "APL", REST),
	D(DS, "DS", FIX(4), REST),
	D(SSHFP, "SSHFP", FIX(2), REST),
	/* RFC 4025 §2.5: the gateway's form depends on the gateway type. */
	D(IPSECKEY, "IPSECKEY", FIX(3), REST),
	D(RRSIG, "RRSIG", FIX(18), LNAME, REST),
	D(NSEC, "NSEC", NAME, REST),
	D(DNSKEY, "DNSKEY", FIX(4), REST),
	D(DHCID, "DHCID", REST),
	/* RFC 5155 §3.2: salt and next hashed owner are length-prefixed like strings. */
	D(NSEC3, "NSEC3", FIX(4), STR, STR, REST),
	D(NSEC3PARAM, "NSEC3PARAM", FIX(4), STR),
	D(TLSA, "TLSA", FIX(3), REST),
	D(SMIMEA, "SMIMEA", FIX(3), REST),
	/* RFC 8005 §5: HIT and key lengths in the head, then rendezvous names. */
	D(HIP, "HIP", FIX(4), REST),
	D(CDS, "CDS", FIX(4), REST),
	D(CDNSKEY, "CDNSKEY", FIX(4), REST),
	D(OPENPGPKEY, "OPENPGPKEY", REST),
	D(CSYNC, "CSYNC", FIX(6), REST),
	D(ZONEMD, "ZONEMD", FIX(6), REST),
	/* RFC 9460 §2.2: TargetName is not compressed; SvcParams stay opaque here. */
	D(SVCB, "SVCB", FIX(2), NAME, REST),
	D(HTTPS, "HTTPS", FIX(2), NAME, REST),
	D(SPF, "SPF", STRS),
	D(NID, "NID", FIX(10)),
	D(L32, "L32", FIX(6)),
	D(L64, "L64", FIX(10)),
	D(LP, "LP", FIX(2), NAME),
	D(EUI48, "EUI48", FIX(6)),
	D(EUI64, "EUI64", FIX(8)),
	/* RFC 2930 §2: algorithm, inception, expiration, mode, error, key, other data. */
	D(TKEY, "TKEY", NAME, FIX(12), DATA16, DATA16),
	/* RFC 8945 §4.2: algorithm, time signed and fudge, MAC, original ID and error, other. */
	D(TSIG, "TSIG", NAME, FIX(8), DATA16, FIX(4), DATA16),
	D(IXFR, "IXFR", REST),
	D(AXFR, "AXFR", REST),
	D(MAILB, "MAILB", REST),
	D(MAILA, "MAILA", REST),
	D(ANY, "ANY", REST),
	D(URI, "URI", FIX(4), REST),
	/* RFC 8659 §4.1: flags, tag as a length-prefixed string, value. */
	D(CAA, "CAA", FIX(1), STR, REST),
	D(AMTRELAY, "AMTRELAY", FIX(2), REST),
};

static const struct wire_rdata_desc far[] = {
	{ WIRE_TYPE_TA, "TA", { FIX(4), REST } },
	{ WIRE_TYPE_DLV, "DLV", { FIX(4), REST } },
};
/* clang-format on */

static const struct wire_rdata_desc unknown = {0, NULL, {REST}};

const struct wire_rdata_desc *wire_rdata_desc(uint16_t type)
{
	if (type <= DIRECT_MAX) {
		const struct wire_rdata_desc *d = &direct[type];
		return d->mnemonic != NULL ? d : &unknown;
	}
	if (type == WIRE_TYPE_TA)
		return &far[0];
	if (type == WIRE_TYPE_DLV)
		return &far[1];
	return &unknown;
}

bool wire_type_is_meta(uint16_t type)
{
	switch (type) {
	case WIRE_TYPE_OPT:
	case WIRE_TYPE_TKEY:
	case WIRE_TYPE_TSIG:
	case WIRE_TYPE_IXFR:
	case WIRE_TYPE_AXFR:
	case WIRE_TYPE_MAILB:
	case WIRE_TYPE_MAILA:
	case WIRE_TYPE_ANY:
		return true;
	default:
		return false;
	}
}

/* True when the descriptor has a field of kind a or of kind b. */
static bool has_field(const struct wire_rdata_desc *desc, enum wire_rdf a, enum wire_rdf b)
{
	for (unsigned i = 0; i < WIRE_RDATA_MAXFIELDS && desc->fields[i].kind != WIRE_RDF_END;
	     i++) {
		if (desc->fields[i].kind == a || desc->fields[i].kind == b)
			return true;
	}
	return false;
}

bool wire_rdata_has_cname(const struct wire_rdata_desc *desc)
{
	return has_field(desc, WIRE_RDF_CNAME, WIRE_RDF_CNAME);
}

bool wire_rdata_has_lname(const struct wire_rdata_desc *desc)
{
	return has_field(desc, WIRE_RDF_CNAME, WIRE_RDF_LNAME);
}

/* Walks every field of an initialised iterator; NIM_OK when the RDATA fits. */
static int iter_all(struct wire_rdata_iter *it)
{
	struct wire_rdata_item item;
	while (wire_rdata_iter_next(it, &item))
		;
	return wire_rdata_iter_end(it);
}

int wire_rdata_check(const uint8_t *pkt, size_t pkt_len, size_t rdata_off, uint16_t rdlength,
		     uint16_t type)
{
	const struct wire_rdata_desc *d = wire_rdata_desc(type);
	/* Fast paths for the commonest shapes: opaque, and one fixed field (A, AAAA). */
	if (d->fields[0].kind == WIRE_RDF_REMAINDER)
		return NIM_OK;
	if (d->fields[0].kind == WIRE_RDF_FIXED && d->fields[1].kind == WIRE_RDF_END)
		return rdlength == d->fields[0].fixed_len ? NIM_OK : NIM_EMALFORMED;
	struct wire_rdata_iter it;
	wire_rdata_iter_init_packet(&it, pkt, pkt_len, rdata_off, rdlength, type);
	return iter_all(&it);
}

int wire_rdata_check_flat(uint16_t type, const uint8_t *rdata, size_t len)
{
	struct wire_rdata_iter it;
	wire_rdata_iter_init_flat(&it, rdata, len, type);
	return iter_all(&it);
}

int wire_rdata_canon(uint16_t type, const uint8_t *rdata, size_t len, uint8_t *out)
{
	struct wire_rdata_iter it;
	struct wire_rdata_item item;
	if (out != rdata)
		memcpy(out, rdata, len);
	wire_rdata_iter_init_flat(&it, rdata, len, type);
	while (wire_rdata_iter_next(&it, &item)) {
		if (item.kind == WIRE_RDF_CNAME || item.kind == WIRE_RDF_LNAME)
			wire_name_to_lower(out + item.off);
	}
	return wire_rdata_iter_end(&it);
}

int wire_rdata_decompress(const uint8_t *pkt, size_t pkt_len, size_t rdata_off, uint16_t rdlength,
			  uint16_t type, uint8_t *out, size_t out_cap, size_t *out_len)
{
	/* Nothing to expand; whether empty RDATA is acceptable was wire_msg_parse's call. */
	if (rdlength == 0) {
		*out_len = 0;
		return NIM_OK;
	}
	if (out_cap > 65535)
		out_cap = 65535;
	struct wire_rdata_iter it;
	struct wire_rdata_item item;
	size_t w = 0;
	wire_rdata_iter_init_packet(&it, pkt, pkt_len, rdata_off, rdlength, type);
	while (wire_rdata_iter_next(&it, &item)) {
		size_t n = wire_rdf_is_name(item.kind) ? item.name_len : item.len;
		if (out_cap - w < n)
			return NIM_ESPACE;
		if (wire_rdf_is_name(item.kind)) {
			/* The iterator validated the name; this pass only expands it. */
			size_t pos = item.off;
			(void)wire_name_parse(pkt, pkt_len, &pos, out + w, NULL);
		} else {
			memcpy(out + w, pkt + item.off, n);
		}
		w += n;
	}
	int ret = wire_rdata_iter_end(&it);
	if (ret == NIM_OK)
		*out_len = w;
	return ret;
}

int wire_type_to_str(uint16_t type, char *out, size_t out_cap)
{
	char text[16];
	const char *mnemonic = wire_rdata_desc(type)->mnemonic;
	if (mnemonic != NULL)
		snprintf(text, sizeof(text), "%s", mnemonic);
	else
		snprintf(text, sizeof(text), "TYPE%u", (unsigned)type);
	size_t len = strlen(text);
	if (len + 1 > out_cap)
		return NIM_ESPACE;
	memcpy(out, text, len + 1);
	return NIM_OK;
}

/* RFC 3597 §5: "TYPE" and the decimal type number, 0-65535, digits only. */
static int type_number(const char *digits, uint16_t *out)
{
	unsigned long v = 0;
	if (*digits == '\0')
		return NIM_EINVAL;
	for (const char *s = digits; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return NIM_EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return NIM_EINVAL;
	}
	*out = (uint16_t)v;
	return NIM_OK;
}

int wire_type_from_str(const char *text, uint16_t *out)
{
	if (strncasecmp(text, "TYPE", 4) == 0)
		return type_number(text + 4, out);
	for (size_t t = 0; t <= DIRECT_MAX; t++) {
		const char *mnemonic = direct[t].mnemonic;
		if (mnemonic != NULL && strcasecmp(text, mnemonic) == 0) {
			*out = (uint16_t)t;
			return NIM_OK;
		}
	}
	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		if (strcasecmp(text, far[i].mnemonic) == 0) {
			*out = far[i].type;
			return NIM_OK;
		}
	}
	return NIM_EINVAL;
}
