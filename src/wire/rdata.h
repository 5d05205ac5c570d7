/*
 * rdata.h - per-type RDATA descriptors.
 *
 * Purpose: say, for each RR type, which RDATA fields are domain names and how
 * they must be treated: compressible on output and lower-cased in canonical
 * form (RFC 3597 §4: only the types of RFC 1035), lower-cased only (RFC 4034
 * §6.2 list, RFC 6840 §5.1), or neither. Everything the message parser,
 * the builder and (later) the zone loader need to walk RDATA.
 * Unknown types are opaque (RFC 3597 §5).
 * Threads: the table is constant. Allocates nothing.
 */
#ifndef NIM_WIRE_RDATA_H
#define NIM_WIRE_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
