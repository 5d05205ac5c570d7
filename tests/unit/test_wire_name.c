/*
 * Unit tests for src/wire/name.c: parsing with compression (loops, forward
 * pointers, pointers into the header, label and name limits, label types),
 * comparison, RFC 4034 §6.1 canonical order, presentation format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "wire/name.h"

/* A packet: a 12-octet header of zeros followed by the given octets. */
struct pkt {
	uint8_t data[1024];
	size_t len;
};

static void pkt_init(struct pkt *p, const uint8_t *body, size_t body_len)
{
	memset(p->data, 0, 12);
	memcpy(p->data + 12, body, body_len);
	p->len = 12 + body_len;
}

/* Parses at pos and checks that failure leaves pos, out and out_len alone. */
static int parse_at(const struct pkt *p, size_t pos, uint8_t *out, size_t *out_len)
{
	size_t at = pos;
	uint8_t before[WIRE_NAME_MAXLEN];
	memset(out, 0xee, WIRE_NAME_MAXLEN);
	memcpy(before, out, sizeof(before));
	*out_len = 999;
	int ret = wire_name_parse(p->data, p->len, &at, out, out_len);
	if (ret != NIM_OK) {
		assert_int_equal(at, pos);
		assert_memory_equal(out, before, sizeof(before));
		assert_int_equal(*out_len, 999);
	}
	return ret;
}

static void parse_plain_name(void **state)
{
	static const uint8_t body[] = "\3www\7example\3com";
	struct pkt p;
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	size_t pos = 12;
	pkt_init(&p, body, sizeof(body));
	assert_int_equal(wire_name_parse(p.data, p.len, &pos, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 17);
	assert_int_equal(pos, 12 + 17);
	assert_memory_equal(out, body, 17);
	/* The root name alone. */
	pos = 12 + 16;
	assert_int_equal(wire_name_parse(p.data, p.len, &pos, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 1);
	assert_int_equal(out[0], 0);
	/* Validation only: out NULL still advances and reports the length. */
	pos = 12;
	out_len = 0;
	assert_int_equal(wire_name_parse(p.data, p.len, &pos, NULL, &out_len), NIM_OK);
	assert_int_equal(out_len, 17);
	assert_int_equal(pos, 29);
}

static void parse_follows_backward_pointers(void **state)
{
	/* 12: www.example.com.  29: ftp + ptr(16)  35: mail + ptr(29) -> mail.ftp.example.com. */
	static const uint8_t body[] = "\3www\7example\3com\0"
				      "\3ftp\xc0\x10"
				      "\4mail\xc0\x1d";
	struct pkt p;
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	pkt_init(&p, body, sizeof(body) - 1);

	size_t pos = 29;
	assert_int_equal(wire_name_parse(p.data, p.len, &pos, out, &out_len), NIM_OK);
	assert_int_equal(pos, 35); /* past the first pointer only */
	assert_int_equal(out_len, 17);
	assert_memory_equal(out, "\3ftp\7example\3com", 17);

	pos = 35;
	assert_int_equal(wire_name_parse(p.data, p.len, &pos, out, &out_len), NIM_OK);
	assert_int_equal(pos, 42);
	assert_int_equal(out_len, 22);
	assert_memory_equal(out, "\4mail\3ftp\7example\3com", 22);
}

static void parse_rejects_loops(void **state)
{
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	struct pkt p;

	/* A pointer to itself. */
	static const uint8_t self[] = {0xc0, 0x0c};
	pkt_init(&p, self, sizeof(self));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);

	/* Two pointers pointing at each other: 12 -> 14 -> 12. */
	static const uint8_t pair[] = {0xc0, 0x0e, 0xc0, 0x0c};
	pkt_init(&p, pair, sizeof(pair));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
	assert_int_equal(parse_at(&p, 14, out, &out_len), NIM_EMALFORMED);

	/* A label, then a pointer back to that same label: a loop through data. */
	static const uint8_t label_loop[] = {0x01, 'a', 0xc0, 0x0c};
	pkt_init(&p, label_loop, sizeof(label_loop));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
}

static void parse_rejects_forward_pointers(void **state)
{
	/* 12: pointer to 14, 14: "a." - well-formed target, but ahead. */
	static const uint8_t body[] = {0xc0, 0x0e, 0x01, 'a', 0x00};
	struct pkt p;
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	pkt_init(&p, body, sizeof(body));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
	/* The target itself is fine. */
	assert_int_equal(parse_at(&p, 14, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 3);
}

static void parse_rejects_pointer_into_header(void **state)
{
	struct pkt p;
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	/* Offset 4 holds QDCOUNT; with QDCOUNT 0 it even reads as a root name. */
	static const uint8_t to_4[] = {0xc0, 0x04};
	pkt_init(&p, to_4, sizeof(to_4));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
	static const uint8_t to_11[] = {0x00, 0xc0, 0x0b};
	pkt_init(&p, to_11, sizeof(to_11));
	assert_int_equal(parse_at(&p, 13, out, &out_len), NIM_EMALFORMED);
	/* Offset 12, just past the header, is allowed. */
	static const uint8_t to_12[] = {0x00, 0xc0, 0x0c};
	pkt_init(&p, to_12, sizeof(to_12));
	assert_int_equal(parse_at(&p, 13, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 1);
}

static void parse_label_length_limits(void **state)
{
	struct pkt p;
	uint8_t body[80];
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;

	body[0] = 63;
	memset(body + 1, 'x', 63);
	body[64] = 0;
	pkt_init(&p, body, 65);
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 65);

	/* 64 is 0x40: the length octet of a 64-octet label reads as label type 01. */
	body[0] = 64;
	memset(body + 1, 'x', 64);
	body[65] = 0;
	pkt_init(&p, body, 66);
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
}

/* Writes a name of total wire length len (>= 2) made of labels of up to 63 octets. */
static size_t make_long_name(uint8_t *w, size_t len)
{
	size_t at = 0;
	size_t left = len - 1; /* octets before the root */
	while (left > 0) {
		size_t label = left - 1 > 63 ? 63 : left - 1;
		if (left - (label + 1) == 1)
			label--; /* never leave a single octet: a label needs two */
		w[at] = (uint8_t)label;
		memset(w + at + 1, 'a' + (int)(at % 26), label);
		at += label + 1;
		left -= label + 1;
	}
	w[at++] = 0;
	return at;
}

static void parse_name_length_limits(void **state)
{
	struct pkt p;
	uint8_t body[300];
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;

	assert_int_equal(make_long_name(body, 255), 255);
	pkt_init(&p, body, 255);
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 255);
	assert_memory_equal(out, body, 255);

	assert_int_equal(make_long_name(body, 256), 256);
	pkt_init(&p, body, 256);
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);

	/* 256 octets reached only through a pointer: 2-octet label + 254-octet suffix. */
	make_long_name(body, 254);
	body[254] = 1;
	body[255] = 'z';
	body[256] = 0xc0;
	body[257] = 0x0c;
	pkt_init(&p, body, 258);
	assert_int_equal(parse_at(&p, 12 + 254, out, &out_len), NIM_EMALFORMED);
	/* One octet less fits: 253 + 2. */
	make_long_name(body, 253);
	body[253] = 1;
	body[254] = 'z';
	body[255] = 0xc0;
	body[256] = 0x0c;
	pkt_init(&p, body, 257);
	assert_int_equal(parse_at(&p, 12 + 253, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 255);
}

static void parse_rejects_label_types_01_10(void **state)
{
	struct pkt p;
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	/* 0x41: extended label type 01 (RFC 6891 §5, ex-binary labels); 0x80: type 10. */
	static const uint8_t type01[] = {0x41, 0x01, 0x00, 0x00};
	static const uint8_t type10[] = {0x80, 0x0c, 0x00};
	static const uint8_t type10_late[] = {0x01, 'a', 0xbf, 0xff, 0x00};
	pkt_init(&p, type01, sizeof(type01));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
	pkt_init(&p, type10, sizeof(type10));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
	pkt_init(&p, type10_late, sizeof(type10_late));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
}

static void parse_rejects_truncation(void **state)
{
	struct pkt p;
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	static const uint8_t no_root[] = {0x01, 'a'};
	static const uint8_t cut_label[] = {0x05, 'a', 'b'};
	static const uint8_t cut_pointer[] = {0x00, 0xc0};
	pkt_init(&p, no_root, sizeof(no_root));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
	pkt_init(&p, cut_label, sizeof(cut_label));
	assert_int_equal(parse_at(&p, 12, out, &out_len), NIM_EMALFORMED);
	pkt_init(&p, cut_pointer, sizeof(cut_pointer));
	assert_int_equal(parse_at(&p, 13, out, &out_len), NIM_EMALFORMED);
	/* Starting at the end of the packet. */
	assert_int_equal(parse_at(&p, p.len, out, &out_len), NIM_EMALFORMED);
}

static void parse_limits_pointer_chains(void **state)
{
	/* 12: root; then 200 pointers, each to the one before. */
	struct pkt p;
	uint8_t body[1 + 2 * 200];
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t out_len;
	body[0] = 0;
	for (unsigned i = 0; i < 200; i++) {
		unsigned target = i == 0 ? 12 : 13 + 2 * (i - 1);
		body[1 + 2 * i] = (uint8_t)(0xc0 | (target >> 8));
		body[2 + 2 * i] = (uint8_t)target;
	}
	pkt_init(&p, body, sizeof(body));
	/* 128 pointers are allowed, 129 are not. */
	assert_int_equal(parse_at(&p, 13 + 2 * 127, out, &out_len), NIM_OK);
	assert_int_equal(out_len, 1);
	assert_int_equal(parse_at(&p, 13 + 2 * 128, out, &out_len), NIM_EMALFORMED);
}

static void from(const char *text, uint8_t *name)
{
	size_t len;
	assert_int_equal(wire_name_from_str(text, NULL, name, &len), NIM_OK);
}

static void compare_and_case(void **state)
{
	uint8_t a[WIRE_NAME_MAXLEN], b[WIRE_NAME_MAXLEN], c[WIRE_NAME_MAXLEN];
	from("WWW.Example.COM.", a);
	from("www.example.com.", b);
	from("www.example.org.", c);
	assert_true(wire_name_equal(a, b));
	assert_false(wire_name_equal(a, c));
	assert_int_equal(wire_name_len(a), 17);
	assert_int_equal(wire_name_labels(a), 3);
	assert_int_equal(wire_name_labels((const uint8_t *)""), 0);
	assert_int_equal(wire_name_canon_cmp(a, b), 0);

	uint8_t parent[WIRE_NAME_MAXLEN];
	from("EXAMPLE.com.", parent);
	assert_true(wire_name_is_subdomain(a, parent));
	assert_true(wire_name_is_subdomain(parent, parent));
	assert_false(wire_name_is_subdomain(parent, a));
	assert_false(wire_name_is_subdomain(c, parent));
	from("ample.com.", c);
	assert_false(wire_name_is_subdomain(a, c)); /* a label boundary, not a string suffix */
	assert_true(wire_name_is_subdomain(a, (const uint8_t *)""));

	wire_name_to_lower(a);
	assert_memory_equal(a, b, 17);
	/* '[' and '@' are next to the letters and must not move. */
	from("\\@[Z.", c);
	wire_name_to_lower(c);
	assert_memory_equal(c, "\3@[z", 5);
}

/* The example of RFC 4034 §6.1, in canonical order. */
static const char *const rfc4034_order[] = {
    "example.",	  "a.example.",	      "yljkjljk.a.example.", "Z.a.example.",	 "zABC.a.EXAMPLE.",
    "z.example.", "\\001.z.example.", "*.z.example.",	     "\\200.z.example.",
};
#define N_ORDER (sizeof(rfc4034_order) / sizeof(rfc4034_order[0]))

static int canon_qsort_cmp(const void *x, const void *y)
{
	return wire_name_canon_cmp(x, y);
}

static void canonical_order_rfc4034(void **state)
{
	uint8_t names[N_ORDER][WIRE_NAME_MAXLEN];
	for (size_t i = 0; i < N_ORDER; i++)
		from(rfc4034_order[i], names[i]);
	for (size_t i = 0; i < N_ORDER; i++) {
		for (size_t j = 0; j < N_ORDER; j++) {
			int d = wire_name_canon_cmp(names[i], names[j]);
			if (i < j)
				assert_true(d < 0);
			else if (i > j)
				assert_true(d > 0);
			else
				assert_int_equal(d, 0);
		}
	}
	/* Sorting a reversed copy gives the RFC's order back. */
	uint8_t sorted[N_ORDER][WIRE_NAME_MAXLEN];
	for (size_t i = 0; i < N_ORDER; i++)
		memcpy(sorted[i], names[N_ORDER - 1 - i], WIRE_NAME_MAXLEN);
	qsort(sorted, N_ORDER, WIRE_NAME_MAXLEN, canon_qsort_cmp);
	for (size_t i = 0; i < N_ORDER; i++)
		assert_memory_equal(sorted[i], names[i], wire_name_len(names[i]));
	/* Case does not matter; the root sorts before everything. */
	uint8_t upper[WIRE_NAME_MAXLEN];
	from("Z.A.EXAMPLE.", upper);
	assert_int_equal(wire_name_canon_cmp(upper, names[3]), 0);
	assert_true(wire_name_canon_cmp((const uint8_t *)"", names[0]) < 0);
}

static void to_str_escapes(void **state)
{
	char text[WIRE_NAME_STRLEN];
	static const uint8_t special[] = "\x07"
					 "a.b\\c\"("
					 "\x04"
					 ");@$"
					 "\x03"
					 " \x01\x80"
					 "\x02"
					 "\x7f~";
	assert_int_equal(wire_name_to_str(special, text, sizeof(text)), NIM_OK);
	assert_string_equal(text, "a\\.b\\\\c\\\"\\(.\\)\\;\\@\\$.\\ \\001\\128.\\127~.");
	assert_int_equal(wire_name_to_str((const uint8_t *)"", text, sizeof(text)), NIM_OK);
	assert_string_equal(text, ".");

	/* Too small: NIM_ESPACE and nothing written. */
	static const uint8_t www[] = "\3www";
	memset(text, 'Q', 8);
	assert_int_equal(wire_name_to_str(www, text, 4), NIM_ESPACE);
	assert_int_equal(text[0], 'Q');
	assert_int_equal(wire_name_to_str(www, text, 5), NIM_OK);
	assert_string_equal(text, "www.");
}

static void str_round_trip_every_octet(void **state)
{
	/* All 256 octet values, 128 per name in labels of 63, 63 and 2 octets. */
	char text[WIRE_NAME_STRLEN];
	uint8_t back[WIRE_NAME_MAXLEN];
	size_t back_len;
	for (unsigned first = 0; first < 256; first += 128) {
		uint8_t name[WIRE_NAME_MAXLEN];
		size_t at = 0;
		unsigned v = first;
		while (v < first + 128) {
			unsigned n = first + 128 - v > 63 ? 63 : first + 128 - v;
			name[at++] = (uint8_t)n;
			for (unsigned i = 0; i < n; i++)
				name[at++] = (uint8_t)v++;
		}
		name[at++] = 0;
		assert_int_equal(wire_name_to_str(name, text, sizeof(text)), NIM_OK);
		assert_int_equal(wire_name_from_str(text, NULL, back, &back_len), NIM_OK);
		assert_int_equal(back_len, at);
		assert_memory_equal(back, name, at);
	}
	/* The longest possible text: 255 octets, every one as \DDD, fits WIRE_NAME_STRLEN. */
	uint8_t worst[WIRE_NAME_MAXLEN];
	make_long_name(worst, 255);
	for (size_t p = 0; worst[p] != 0; p += worst[p] + 1u)
		memset(worst + p + 1, 0x01, worst[p]);
	assert_int_equal(wire_name_to_str(worst, text, sizeof(text)), NIM_OK);
	assert_int_equal(wire_name_from_str(text, NULL, back, &back_len), NIM_OK);
	assert_memory_equal(back, worst, 255);
}

static void from_str_forms(void **state)
{
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t len;
	uint8_t origin[WIRE_NAME_MAXLEN];
	from("example.com.", origin);

	assert_int_equal(wire_name_from_str("www", origin, out, &len), NIM_OK);
	assert_int_equal(len, 17);
	assert_memory_equal(out, "\3www\7example\3com", 17);
	assert_int_equal(wire_name_from_str("www.", origin, out, &len), NIM_OK);
	assert_int_equal(len, 5);
	assert_int_equal(wire_name_from_str("@", origin, out, &len), NIM_OK);
	assert_int_equal(len, 13);
	assert_memory_equal(out, origin, 13);
	assert_int_equal(wire_name_from_str("@", NULL, out, &len), NIM_OK);
	assert_int_equal(len, 1);
	assert_int_equal(wire_name_from_str(".", origin, out, &len), NIM_OK);
	assert_int_equal(len, 1);
	/* Relative to no origin means relative to the root. */
	assert_int_equal(wire_name_from_str("a.b", NULL, out, &len), NIM_OK);
	assert_memory_equal(out, "\1a\1b", 5);
	/* Escaped dot stays inside its label; \DDD and \X. */
	assert_int_equal(wire_name_from_str("a\\.b.\\065\\ .", NULL, out, &len), NIM_OK);
	assert_int_equal(len, 8);
	assert_memory_equal(out, "\3a.b\2A ", 8);
}

static void from_str_errors(void **state)
{
	static const char *const bad[] = {
	    "", "a..b.", ".a.", "..", "a\\", "a\\1", "a\\12", "a\\256.", "a\\25x.",
	};
	uint8_t out[WIRE_NAME_MAXLEN];
	size_t len;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xee, sizeof(out));
		len = 777;
		assert_int_equal(wire_name_from_str(bad[i], NULL, out, &len), NIM_EMALFORMED);
		assert_int_equal(len, 777);
		assert_int_equal(out[0], 0xee);
	}

	char text[400];
	/* A 63-octet label is fine, 64 is not. */
	memset(text, 'x', 63);
	strcpy(text + 63, ".");
	assert_int_equal(wire_name_from_str(text, NULL, out, &len), NIM_OK);
	memset(text, 'x', 64);
	strcpy(text + 64, ".");
	assert_int_equal(wire_name_from_str(text, NULL, out, &len), NIM_EMALFORMED);

	/* 255 octets are fine, 256 are not: 127 labels "a." make 254 + root = 255. */
	size_t at = 0;
	for (int i = 0; i < 127; i++) {
		text[at++] = 'a';
		text[at++] = '.';
	}
	text[at] = '\0';
	assert_int_equal(wire_name_from_str(text, NULL, out, &len), NIM_OK);
	assert_int_equal(len, 255);
	text[at - 1] = 'b'; /* "...a.ab" : one octet more, and relative */
	text[at] = '.';
	text[at + 1] = '\0';
	assert_int_equal(wire_name_from_str(text, NULL, out, &len), NIM_EMALFORMED);
	/* The origin counts too. */
	uint8_t origin[WIRE_NAME_MAXLEN];
	from("example.", origin);
	text[at - 1] = '\0'; /* 127 labels, relative */
	assert_int_equal(wire_name_from_str(text, origin, out, &len), NIM_EMALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_plain_name),
	    cmocka_unit_test(parse_follows_backward_pointers),
	    cmocka_unit_test(parse_rejects_loops),
	    cmocka_unit_test(parse_rejects_forward_pointers),
	    cmocka_unit_test(parse_rejects_pointer_into_header),
	    cmocka_unit_test(parse_label_length_limits),
	    cmocka_unit_test(parse_name_length_limits),
	    cmocka_unit_test(parse_rejects_label_types_01_10),
	    cmocka_unit_test(parse_rejects_truncation),
	    cmocka_unit_test(parse_limits_pointer_chains),
	    cmocka_unit_test(compare_and_case),
	    cmocka_unit_test(canonical_order_rfc4034),
	    cmocka_unit_test(to_str_escapes),
	    cmocka_unit_test(str_round_trip_every_octet),
	    cmocka_unit_test(from_str_forms),
	    cmocka_unit_test(from_str_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
