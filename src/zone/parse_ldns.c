/*
 * parse_ldns.c - one record's RDATA text through ldns.
 *
 * For the types the fast path does not know, and for the texts it declines,
 * parse.c hands the record's tokens here. They are joined with single spaces
 * into one line (parentheses and comments are gone by then, quoted strings
 * keep their quotes) after a fixed owner, TTL and class, and parsed with
 * ldns_rr_new_frm_str against the current origin; the RDATA is read back
 * with ldns_rr_rdata2buffer_wire (uncompressed). Owner, TTL and class are
 * ours: parse.c resolved them already.
 * This file and parse.h's callers are the only place ldns is used.
 */
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "wire/name.h"
#include "zone/parse_internal.h"

struct zone_ldns {
	char *line;
	size_t line_cap;
	uint8_t origin[WIRE_NAME_MAXLEN];
	ldns_rdf *origin_rdf; /* ldns copy of origin */
	ldns_buffer *buf;
};

struct zone_ldns *zone_ldns_new(void)
{
	struct zone_ldns *zl = calloc(1, sizeof(*zl));
	if (zl == NULL)
		return NULL;
	zl->buf = ldns_buffer_new(ZONE_RDATA_MAX);
	if (zl->buf == NULL) {
		free(zl);
		return NULL;
	}
	return zl;
}

void zone_ldns_free(struct zone_ldns *zl)
{
	if (zl == NULL)
		return;
	free(zl->line);
	ldns_rdf_deep_free(zl->origin_rdf);
	ldns_buffer_free(zl->buf);
	free(zl);
}

/* Appends text to the line; false on out of memory. */
static bool put(struct zone_ldns *zl, size_t *len, const char *text, size_t n)
{
	if (*len + n + 1 > zl->line_cap) {
		size_t cap = (*len + n + 1) * 2;
		char *line = realloc(zl->line, cap);
		if (line == NULL)
			return false;
		zl->line = line;
		zl->line_cap = cap;
	}
	memcpy(zl->line + *len, text, n);
	*len += n;
	zl->line[*len] = '\0';
	return true;
}

uint16_t zone_ldns_type(struct zone_ldns *zl, const struct zone_tok *tok)
{
	size_t len = 0;

	if (!put(zl, &len, tok->s, tok->len))
		return 0;
	return (uint16_t)ldns_get_rr_type_by_name(zl->line);
}

static bool set_origin(struct zone_ldns *zl, const uint8_t *origin)
{
	size_t len = wire_name_len(origin);

	if (zl->origin_rdf != NULL && memcmp(zl->origin, origin, len) == 0)
		return true;
	ldns_rdf_deep_free(zl->origin_rdf);
	zl->origin_rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, len, origin);
	if (zl->origin_rdf == NULL)
		return false;
	memcpy(zl->origin, origin, len);
	return true;
}

int zone_ldns_rdata(struct zone_ldns *zl, const struct zone_tok *type_tok, uint16_t type,
		    const struct zone_tok *tok, size_t n_tok, const uint8_t *origin, uint8_t *out,
		    size_t *out_len, const char **err)
{
	static const char head[] = ". 0 IN ";
	ldns_rr *rr = NULL;
	size_t len = 0;
	int rc = NIM_ENOMEM;

	if (!set_origin(zl, origin) || !put(zl, &len, head, sizeof(head) - 1) ||
	    !put(zl, &len, type_tok->s, type_tok->len))
		goto out;
	for (size_t i = 0; i < n_tok; i++) {
		const char *q = tok[i].is_quoted ? "\"" : "";
		if (!put(zl, &len, " ", 1) || !put(zl, &len, q, strlen(q)) ||
		    !put(zl, &len, tok[i].s, tok[i].len) || !put(zl, &len, q, strlen(q)))
			goto out;
	}
	/* ldns reads the line with C string functions: an embedded NUL (only
	 * possible as an escape-free octet of the text) would cut it short. */
	if (strlen(zl->line) != len) {
		*err = "NUL octet in the record";
		rc = NIM_EMALFORMED;
		goto out;
	}
	ldns_status st = ldns_rr_new_frm_str(&rr, zl->line, 0, zl->origin_rdf, NULL);
	if (st != LDNS_STATUS_OK) {
		*err = ldns_get_errorstr_by_id(st);
		rc = st == LDNS_STATUS_MEM_ERR ? NIM_ENOMEM : NIM_EMALFORMED;
		goto out;
	}
	if (ldns_rr_get_type(rr) != type) {
		*err = "ldns read another type";
		rc = NIM_EMALFORMED;
		goto out;
	}
	ldns_buffer_clear(zl->buf);
	st = ldns_rr_rdata2buffer_wire(zl->buf, rr);
	if (st != LDNS_STATUS_OK || ldns_buffer_position(zl->buf) > ZONE_RDATA_MAX) {
		*err = st == LDNS_STATUS_OK ? "RDATA too long" : ldns_get_errorstr_by_id(st);
		rc = NIM_EMALFORMED;
		goto out;
	}
	*out_len = ldns_buffer_position(zl->buf);
	memcpy(out, ldns_buffer_begin(zl->buf), *out_len);
	rc = NIM_OK;
out:
	ldns_rr_free(rr);
	return rc;
}
