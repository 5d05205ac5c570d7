/*
 * rdata.c - RDATA of zone records: validation and canonical form.
 *
 * The builder stores RDATA as the loader hands it over, letter case
 * included, and needs two things from the descriptors of wire/rdata.h:
 * that each record fits its type with uncompressed names (zone data is
 * never compressed, RFC 3597 §4), and the canonical form (RFC 4034 §6.2)
 * to order the records of an RRset (RFC 4034 §6.3) and to find duplicates
 * (RFC 2181 §5: "NS1.example." and "ns1.example." are the same record).
 */
#include "zone/internal.h"

#include <string.h>

#include "util/error.h"
#include "wire/rdata.h"

/* Length of the uncompressed name at rdata[p..end), or 0 if there is none. */
static size_t name_at(const uint8_t *rdata, size_t p, size_t end)
{
	size_t start = p;
	while (p < end) {
		uint8_t c = rdata[p];
		if (c == 0)
			return p + 1 - start <= WIRE_NAME_MAXLEN ? p + 1 - start : 0;
		if (c > WIRE_LABEL_MAXLEN)
			return 0; /* compression or an extended label type */
		p += 1u + c;
	}
	return 0;
}

/*
 * Walks the fields; calls for each name field of a lower-cased kind
 * lower(out + offset) when out is not NULL. Returns NIM_OK or NIM_EMALFORMED.
 */
static int walk(uint16_t type, const uint8_t *rdata, size_t end, uint8_t *out)
{
	const struct wire_rdata_desc *d = wire_rdata_desc(type);
	size_t p = 0;

	for (unsigned i = 0; i < WIRE_RDATA_MAXFIELDS && d->fields[i].kind != WIRE_RDF_END; i++) {
		const struct wire_rdata_field *f = &d->fields[i];
		size_t n;
		switch (f->kind) {
		case WIRE_RDF_END:
			break;
		case WIRE_RDF_CNAME:
		case WIRE_RDF_LNAME:
		case WIRE_RDF_NAME:
			n = name_at(rdata, p, end);
			if (n == 0)
				return NIM_EMALFORMED;
			if (out != NULL && f->kind != WIRE_RDF_NAME)
				wire_name_to_lower(out + p);
			p += n;
			break;
		case WIRE_RDF_FIXED:
			if (end - p < f->fixed_len)
				return NIM_EMALFORMED;
			p += f->fixed_len;
			break;
		case WIRE_RDF_STRING_OPT:
			/* RFC 1183 §3.2: the ISDN subaddress is there only if octets remain. */
			if (p == end)
				break;
			/* fall through */
		case WIRE_RDF_STRING:
			if (p >= end || end - p - 1 < rdata[p])
				return NIM_EMALFORMED;
			p += 1u + rdata[p];
			break;
		case WIRE_RDF_STRINGS:
			do {
				if (p >= end || end - p - 1 < rdata[p])
					return NIM_EMALFORMED;
				p += 1u + rdata[p];
			} while (p < end);
			break;
		case WIRE_RDF_DATA16:
			if (end - p < 2 || end - p - 2 < (size_t)((rdata[p] << 8) | rdata[p + 1]))
				return NIM_EMALFORMED;
			p += 2u + (size_t)((rdata[p] << 8) | rdata[p + 1]);
			break;
		case WIRE_RDF_REMAINDER:
			p = end;
			break;
		}
	}
	return p == end ? NIM_OK : NIM_EMALFORMED;
}

int zone_rdata_check(uint16_t type, const uint8_t *rdata, size_t len)
{
	return walk(type, rdata, len, NULL);
}

bool zone_rdata_has_case(uint16_t type)
{
	const struct wire_rdata_desc *d = wire_rdata_desc(type);
	for (unsigned i = 0; i < WIRE_RDATA_MAXFIELDS && d->fields[i].kind != WIRE_RDF_END; i++) {
		if (d->fields[i].kind == WIRE_RDF_CNAME || d->fields[i].kind == WIRE_RDF_LNAME)
			return true;
	}
	return false;
}

void zone_rdata_canon(uint16_t type, const uint8_t *rdata, size_t len, uint8_t *out)
{
	memcpy(out, rdata, len);
	(void)walk(type, rdata, len, out);
}
