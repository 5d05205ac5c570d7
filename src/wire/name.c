/*
 * name.c - domain names: parsing with compression, comparison, canonical
 * order and presentation format.
 *
 * wire_name_parse is on the query hot path (every owner name of every
 * message goes through it), so it walks labels, not octets, and copies
 * whole runs of labels with one memcpy. The other functions work on trusted
 * uncompressed names.
 */
#include "wire/name.h"

#include <string.h>

#include "util/error.h"
#include "wire/msg.h"

/*
 * A legitimate pointer always leads to at least one label or the root, so a
 * name never needs more pointers than it has labels (plus one). A longer
 * chain (pointer to pointer to pointer...) is only good for making the
 * parser walk the packet over and over: with 32,000 two-octet pointers in a
 * 64 KiB TCP message, every owner name could cost a full walk.
 */
#define MAX_POINTERS WIRE_NAME_MAXLABELS

/* Copies a name already validated by wire_name_parse, one run of labels per memcpy. */
static void copy_labels(const uint8_t *pkt, size_t q, uint8_t *out)
{
	size_t w = 0;
	while (pkt[q] != 0) {
		if (pkt[q] >= 0xc0) {
			q = ((size_t)(pkt[q] & 0x3f) << 8) | pkt[q + 1];
			continue;
		}
		size_t run = q;
		while (pkt[q] != 0 && pkt[q] < 0xc0)
			q += (size_t)pkt[q] + 1;
		memcpy(out + w, pkt + run, q - run);
		w += q - run;
	}
	out[w] = 0;
}

int wire_name_parse(const uint8_t *pkt, size_t pkt_len, size_t *pos, uint8_t *out, size_t *out_len)
{
	size_t p = *pos;
	size_t limit = p; /* pointers must point before the current label sequence */
	size_t next = 0;  /* where the message continues after the name; 0 until known */
	size_t len = 0;	  /* uncompressed length so far, root excluded */
	unsigned n_pointers = 0;

	for (;;) {
		if (p >= pkt_len)
			return NIM_EMALFORMED;
		uint8_t c = pkt[p];
		if (c == 0)
			break;
		if (c <= WIRE_LABEL_MAXLEN) {
			/* The label and the octet after it (more labels or the root) must be there.
			 */
			if (pkt_len - p <= (size_t)c + 1 || len + c + 2 > WIRE_NAME_MAXLEN)
				return NIM_EMALFORMED;
			len += (size_t)c + 1;
			p += (size_t)c + 1;
			continue;
		}
		/* Label types 01 and 10 (RFC 6891 §5 retired the extended ones). */
		if ((c & 0xc0) != 0xc0 || pkt_len - p < 2)
			return NIM_EMALFORMED;
		size_t target = ((size_t)(c & 0x3f) << 8) | pkt[p + 1];
		/*
		 * Strictly backwards from where this label sequence started: every
		 * pointer lowers `limit`, so no chain can loop. Offsets below 12 are
		 * the header, which holds no names.
		 */
		if (target >= limit || target < WIRE_HEADER_LEN || ++n_pointers > MAX_POINTERS)
			return NIM_EMALFORMED;
		if (next == 0)
			next = p + 2;
		limit = target;
		p = target;
	}
	if (next == 0)
		next = p + 1;

	if (out != NULL) {
		if (n_pointers == 0)
			memcpy(out, pkt + *pos, len + 1);
		else
			copy_labels(pkt, *pos, out);
	}
	if (out_len != NULL)
		*out_len = len + 1;
	*pos = next;
	return NIM_OK;
}

size_t wire_name_len(const uint8_t *name)
{
	const uint8_t *p = name;
	while (*p != 0)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

unsigned wire_name_labels(const uint8_t *name)
{
	unsigned n = 0;
	for (const uint8_t *p = name; *p != 0; p += *p + 1)
		n++;
	return n;
}

bool wire_name_equal(const uint8_t *a, const uint8_t *b)
{
	size_t len = wire_name_len(a);
	return len == wire_name_len(b) && wire_equal_nocase(a, b, len);
}

unsigned wire_name_label_offsets(const uint8_t *name, uint8_t off[WIRE_NAME_MAXLABELS])
{
	unsigned n = 0;
	for (size_t p = 0; name[p] != 0; p += name[p] + 1u)
		off[n++] = (uint8_t)p;
	return n;
}

/* RFC 4034 §6.1: labels as case-folded octet strings, a prefix sorts first. */
static int label_cmp(const uint8_t *a, const uint8_t *b)
{
	unsigned a_len = a[0];
	unsigned b_len = b[0];
	unsigned n = a_len < b_len ? a_len : b_len;
	for (unsigned i = 1; i <= n; i++) {
		int d = (int)wire_lower(a[i]) - (int)wire_lower(b[i]);
		if (d != 0)
			return d;
	}
	return (int)a_len - (int)b_len;
}

int wire_name_canon_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t a_off[WIRE_NAME_MAXLABELS];
	uint8_t b_off[WIRE_NAME_MAXLABELS];
	unsigned a_n = wire_name_label_offsets(a, a_off);
	unsigned b_n = wire_name_label_offsets(b, b_off);

	while (a_n > 0 && b_n > 0) {
		int d = label_cmp(a + a_off[--a_n], b + b_off[--b_n]);
		if (d != 0)
			return d;
	}
	/* All common labels equal: the name with fewer labels sorts first. */
	return (int)a_n - (int)b_n;
}

bool wire_name_is_subdomain(const uint8_t *name, const uint8_t *parent)
{
	unsigned n = wire_name_labels(name);
	unsigned m = wire_name_labels(parent);
	if (n < m)
		return false;
	const uint8_t *p = name;
	for (unsigned i = 0; i < n - m; i++)
		p += *p + 1;
	return wire_name_equal(p, parent);
}

void wire_name_to_lower(uint8_t *name)
{
	for (uint8_t *p = name; *p != 0; p += *p + 1) {
		for (unsigned i = 1; i <= *p; i++)
			p[i] = wire_lower(p[i]);
	}
}

/* Characters with a special meaning in master files (RFC 1035 §5.1). */
static bool needs_backslash(uint8_t c)
{
	switch (c) {
	case '.':
	case '\\':
	case '"':
	case '(':
	case ')':
	case ';':
	case '@':
	case '$':
	case ' ':
		return true;
	default:
		return false;
	}
}

int wire_name_to_str(const uint8_t *name, char *out, size_t out_cap)
{
	char text[WIRE_NAME_STRLEN];
	size_t w = 0;

	if (name[0] == 0)
		text[w++] = '.';
	for (const uint8_t *p = name; *p != 0; p += *p + 1) {
		for (unsigned i = 1; i <= *p; i++) {
			uint8_t c = p[i];
			if (needs_backslash(c)) {
				text[w++] = '\\';
				text[w++] = (char)c;
			} else if (c < 0x21 || c > 0x7e) {
				text[w++] = '\\';
				text[w++] = (char)('0' + c / 100);
				text[w++] = (char)('0' + c / 10 % 10);
				text[w++] = (char)('0' + c % 10);
			} else {
				text[w++] = (char)c;
			}
		}
		text[w++] = '.';
	}
	if (w + 1 > out_cap)
		return NIM_ESPACE;
	memcpy(out, text, w);
	out[w] = '\0';
	return NIM_OK;
}

/*
 * Reads one possibly escaped character of a label at *s. Returns the octet
 * value (0-255) and advances *s, or -1 for a bad escape: \DDD must be three
 * digits up to 255, \X any other character (RFC 1035 §5.1).
 */
static int unescape(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	if (p[0] != '\\') {
		*s += 1;
		return p[0];
	}
	if (p[1] >= '0' && p[1] <= '9') {
		if (p[2] < '0' || p[2] > '9' || p[3] < '0' || p[3] > '9')
			return -1;
		int v = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		if (v > 255)
			return -1;
		*s += 4;
		return v;
	}
	if (p[1] == '\0')
		return -1;
	*s += 2;
	return p[1];
}

int wire_name_from_str(const char *text, const uint8_t *origin, uint8_t *out, size_t *out_len)
{
	static const uint8_t root[1] = {0};
	uint8_t name[WIRE_NAME_MAXLEN];
	size_t len = 0; /* root label excluded */
	const char *s = text;

	if (origin == NULL)
		origin = root;
	if (strcmp(text, "@") == 0) {
		len = wire_name_len(origin) - 1;
		memcpy(name, origin, len);
		goto done;
	}
	if (strcmp(text, ".") == 0)
		goto done;
	if (*s == '\0')
		return NIM_EMALFORMED;
	while (*s != '\0') {
		size_t label = len++;
		/* An empty label: leading dot, "..", or a lone "." after a label. */
		if (*s == '.')
			return NIM_EMALFORMED;
		while (*s != '\0' && *s != '.') {
			int c = unescape(&s);
			if (c < 0 || len - label > WIRE_LABEL_MAXLEN || len + 1 >= WIRE_NAME_MAXLEN)
				return NIM_EMALFORMED;
			name[len++] = (uint8_t)c;
		}
		name[label] = (uint8_t)(len - label - 1);
		if (*s == '.') {
			s++;
			if (*s == '\0')
				goto done; /* absolute name */
		}
	}
	/* A relative name: append the origin (RFC 1035 §5.1). */
	size_t origin_len = wire_name_len(origin) - 1;
	if (len + origin_len + 1 > WIRE_NAME_MAXLEN)
		return NIM_EMALFORMED;
	memcpy(name + len, origin, origin_len);
	len += origin_len;
done:
	name[len++] = 0;
	memcpy(out, name, len);
	*out_len = len;
	return NIM_OK;
}
