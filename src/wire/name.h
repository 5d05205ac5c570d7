/*
 * name.h - domain names in wire form.
 *
 * Purpose: parse (with RFC 1035 §4.1.4 compression), compare, order (RFC 4034
 * §6.1 canonical order) and convert names to and from presentation format
 * (RFC 1035 §5.1 escapes: \X and \DDD).
 * A "name" here is always an uncompressed wire-format name: a sequence of
 * length-prefixed labels ending with the root label (0), at most
 * WIRE_NAME_MAXLEN octets, each label at most WIRE_LABEL_MAXLEN octets.
 * Functions that take such a name trust it (it came from wire_name_parse or
 * wire_name_from_str); functions that read packets trust nothing.
 * Threads: stateless. Allocates nothing. wire_name_parse and
 * wire_name_from_str read hostile input.
 * RFCs: 1035 §3.1, §4.1.4, §5.1; 2181 §11; 4034 §6.1; 4343 (case).
 */
#ifndef NIM_WIRE_NAME_H
#define NIM_WIRE_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_NAME_MAXLEN 255
#define WIRE_LABEL_MAXLEN 63
/* 127 one-octet labels plus the root fill 255 octets. */
#define WIRE_NAME_MAXLABELS 128
/* Longest presentation form: every octet as \DDD, dots, terminating NUL. */
#define WIRE_NAME_STRLEN (WIRE_NAME_MAXLEN * 4 + 1)

/*
 * Reads the possibly compressed name that starts at *pos in the message
 * pkt[0..pkt_len) and writes it uncompressed into out (original case).
 * Compression pointers must point strictly backwards (before the start of
 * the label sequence that holds them), which also rules out loops; the
 * total length is limited to 255 octets and labels to 63; label types 01 and
 * 10 (RFC 6891 §5) are rejected.
 * On success advances *pos past the name as it stands in the message (past
 * the first pointer, if any), sets *out_len and returns NIM_OK. On failure
 * returns NIM_EMALFORMED and leaves *pos, out and *out_len unchanged.
 * out may be NULL to validate and skip; out_len may be NULL too.
 */
int wire_name_parse(const uint8_t *pkt, size_t pkt_len, size_t *pos, uint8_t *out, size_t *out_len);

/*
 * ASCII case folding, the only folding DNS names have (RFC 4343 §3):
 * 'A'-'Z' become 'a'-'z', every other octet stays. Inline because the
 * lookups, the name hash and the builder's compression run it per octet.
 */
static inline uint8_t wire_lower(uint8_t c)
{
	return (uint8_t)((unsigned)c - 'A' < 26u ? c + ('a' - 'A') : c);
}

/*
 * True when a[0..len) and b[0..len) are equal ignoring ASCII case. For two
 * names of the same length this is name equality: length octets are at most
 * 63 and never change under folding, so a name compares as one string.
 * With len the length of name b alone, a trusted name a is never read past
 * its end: where a's root label is, b has a non-zero length octet, and the
 * comparison stops there.
 */
static inline bool wire_equal_nocase(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (const uint8_t *end = a + len; a < end; a++, b++) {
		if (*a != *b && wire_lower(*a) != wire_lower(*b))
			return false;
	}
	return true;
}

/*
 * Length of the uncompressed name at p[0..avail), root label included, or 0
 * when there is none: it runs past avail, is longer than 255 octets, or
 * holds a compression pointer or an extended label type (zone RDATA and
 * our own RDATA are never compressed, RFC 3597 §4). Reads untrusted data.
 */
static inline size_t wire_name_flat_len(const uint8_t *p, size_t avail)
{
	size_t q = 0;
	while (q < avail && p[q] != 0) {
		if (p[q] > WIRE_LABEL_MAXLEN)
			return 0;
		q += p[q] + 1u;
	}
	if (q >= avail || q + 1 > WIRE_NAME_MAXLEN)
		return 0;
	return q + 1;
}

/* Length in octets of a trusted name, root label included. */
size_t wire_name_len(const uint8_t *name);

/*
 * Fills off[i] with the offset of label i of a trusted name (0 is the
 * leftmost) and returns the number of labels, the root not counted.
 */
unsigned wire_name_label_offsets(const uint8_t *name, uint8_t off[WIRE_NAME_MAXLABELS]);

/* Number of labels, not counting the root label ("." has 0). */
unsigned wire_name_labels(const uint8_t *name);

/* True when the names are equal ignoring ASCII case. */
bool wire_name_equal(const uint8_t *a, const uint8_t *b);

/*
 * Compares in canonical DNS order (RFC 4034 §6.1): by labels from the right,
 * each label as a case-folded octet string. Returns <0, 0 or >0.
 */
int wire_name_canon_cmp(const uint8_t *a, const uint8_t *b);

/* True when name is equal to or below parent (ignoring case). */
bool wire_name_is_subdomain(const uint8_t *name, const uint8_t *parent);

/* Folds ASCII upper case to lower case in place. */
void wire_name_to_lower(uint8_t *name);

/*
 * Writes the presentation form with a trailing dot ("." for the root),
 * escaping '.', '\\', '"', '(', ')', ';', '@', '$' and spaces with a
 * backslash and other non-printable octets as \DDD. Returns NIM_OK or
 * NIM_ESPACE when out_cap is too small (WIRE_NAME_STRLEN always suffices).
 */
int wire_name_to_str(const uint8_t *name, char *out, size_t out_cap);

/*
 * Parses a presentation-form name. A name without a trailing dot is relative
 * and origin (a trusted wire name, or NULL meaning the root) is appended;
 * "@" alone is the origin. Accepts \X and \DDD escapes. Returns NIM_OK or
 * NIM_EMALFORMED (empty label, label > 63, name > 255, bad escape); on
 * failure out and *out_len are unchanged.
 */
int wire_name_from_str(const char *text, const uint8_t *origin, uint8_t *out, size_t *out_len);

#endif
