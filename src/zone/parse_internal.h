/*
 * parse_internal.h - what the zone file parser's three files share.
 *
 * parse.c cuts the text into entries of tokens and handles directives,
 * owners, TTLs, classes and types; parse_rdata.c is the fast RDATA path;
 * parse_ldns.c hands one record's text to ldns. Not for use outside
 * src/zone/parse*.c and src/zone/load.c.
 * Threads: each object belongs to one parse. Reads untrusted text.
 */
#ifndef NIM_ZONE_PARSE_INTERNAL_H
#define NIM_ZONE_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A token of the master file, pointing into the file's text. */
struct zone_tok {
	const char *s;   /* first character (after the opening quote, if quoted) */
	uint32_t len;    /* length (without quotes) */
	uint16_t is_quoted;
	uint16_t has_escape; /* contains a backslash */
	unsigned line;
};

/* The largest RDATA (RFC 1035 §3.2.1: RDLENGTH is 16 bits). */
#define ZONE_RDATA_MAX 65535

/* The fast path writes up to this far past ZONE_RDATA_MAX before its length
 * checks catch it (one field: a type bitmap of 256 windows). */
#define ZONE_RDATA_SLACK 16384

/* Result of the fast path for one record. */
enum zone_fast_rc {
	ZONE_FAST_OK = 0,   /* RDATA written */
	ZONE_FAST_NO = 1,   /* not understood here: ask ldns */
	ZONE_FAST_ERR = 2,  /* definitely wrong (token count); why says how */
};

struct zone_fast_out {
	uint8_t *rdata;   /* ZONE_RDATA_MAX + ZONE_RDATA_SLACK octets */
	size_t rdlength;
	const char *why;  /* static text, set on ZONE_FAST_NO (if known) and ZONE_FAST_ERR */
	size_t why_tok;   /* index of the token concerned */
};

/*
 * True when the fast path handles type at all.
 */
bool zone_fast_handles(uint16_t type);

/*
 * Parses the RDATA tokens tok[0..n_tok) of a record of type (one of those
 * zone_fast_handles accepts); relative names are relative to origin.
 */
enum zone_fast_rc zone_fast_rdata(uint16_t type, const struct zone_tok *tok, size_t n_tok,
				  const uint8_t *origin, struct zone_fast_out *out);

/*
 * Presentation name in tok to wire out (WIRE_NAME_MAXLEN octets) relative
 * to origin, with the escapes and rules of ldns_str2rdf_dname; "@" is the
 * origin. Returns true and *out_len, or false when malformed.
 */
bool zone_tok_name(const struct zone_tok *tok, const uint8_t *origin, uint8_t *out,
		   size_t *out_len);

/* Looks a type mnemonic or TYPEnnn up (case-insensitive); false if unknown. */
bool zone_tok_type(const struct zone_tok *tok, uint16_t *out);

/* The ldns side: one per parse, caching the origin as an ldns_rdf. */
struct zone_ldns;

struct zone_ldns *zone_ldns_new(void);
void zone_ldns_free(struct zone_ldns *zl);

/* Type number ldns gives a mnemonic (0 when ldns does not know it). */
uint16_t zone_ldns_type(struct zone_ldns *zl, const struct zone_tok *tok);

/*
 * Parses the RDATA tokens of one record with ldns (type_tok is the type as
 * written). Writes at most ZONE_RDATA_MAX octets to out. Returns NIM_OK and
 * *out_len; NIM_EMALFORMED with *err a static ldns message; or NIM_ENOMEM.
 */
int zone_ldns_rdata(struct zone_ldns *zl, const struct zone_tok *type_tok, uint16_t type,
		    const struct zone_tok *tok, size_t n_tok, const uint8_t *origin, uint8_t *out,
		    size_t *out_len, const char **err);

#endif
