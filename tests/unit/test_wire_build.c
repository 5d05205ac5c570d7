/*
 * Unit tests for src/wire/build.c: compression offsets, RFC 3597 §4 (which
 * RDATA names compress), the 0x4000 pointer limit, the fixed table,
 * reservation for OPT, RRset rollback, the size limit. Every message built
 * is parsed again by nimbus and by ldns, as an independent oracle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "util/error.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/msg.h"
#include "wire/name.h"
#include "wire/rdata.h"

static uint8_t buf[65535];

static const uint8_t *name(const char *text)
{
	static uint8_t names[8][WIRE_NAME_MAXLEN];
	static unsigned next;
	uint8_t *out = names[next++ % 8];
	size_t len;
	assert_int_equal(wire_name_from_str(text, NULL, out, &len), NIM_OK);
	return out;
}

/* Parses buf[0..len) with ldns and returns the packet; the caller frees it. */
static ldns_pkt *ldns_parse(size_t len)
{
	ldns_pkt *pkt = NULL;
	assert_int_equal(ldns_wire2pkt(&pkt, buf, len), LDNS_STATUS_OK);
	return pkt;
}

/* ldns's presentation of field i of record n of a section. */
static void ldns_field_is(ldns_rr_list *list, size_t n, int field, const char *want)
{
	ldns_rr *rr = ldns_rr_list_rr(list, n);
	assert_non_null(rr);
	char *s = ldns_rdf2str(field < 0 ? ldns_rr_owner(rr) : ldns_rr_rdf(rr, (size_t)field));
	assert_string_equal(s, want);
	free(s);
}

static void add(struct wire_builder *b, const char *owner, uint16_t type, const void *rdata,
		size_t rdlength)
{
	assert_int_equal(
	    wire_builder_rr(b, name(owner), type, WIRE_CLASS_IN, 300, rdata, (uint16_t)rdlength),
	    NIM_OK);
}

static void compression_offsets(void **state)
{
	struct wire_builder b;
	wire_builder_init(&b, buf, 512, 0xabcd, WIRE_FLAG_QR | WIRE_FLAG_AA);
	/* 12: www.example.com. (table: 12 www, 16 example, 24 com) */
	assert_int_equal(
	    wire_builder_question(&b, name("WwW.Example.COM."), WIRE_TYPE_A, WIRE_CLASS_IN),
	    NIM_OK);
	assert_int_equal(b.len, 33);

	wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
	/* 33: owner -> 12 (case ignored); 45: RDATA "web" -> 16 */
	add(&b, "www.example.com.", WIRE_TYPE_CNAME, name("web.example.com."), 17);
	wire_builder_rrset_end(&b);
	assert_memory_equal(buf + 33, "\xc0\x0c\x00\x05\x00\x01\x00\x00\x01\x2c\x00\x06", 12);
	assert_memory_equal(buf + 45, "\x03web\xc0\x10", 6);
	assert_int_equal(b.len, 51);

	wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
	/* 51: owner -> 45 (web.example.com. written in the CNAME RDATA) */
	add(&b, "web.example.com.", WIRE_TYPE_A, "\xc0\x00\x02\x01", 4);
	wire_builder_rrset_end(&b);
	assert_memory_equal(buf + 51, "\xc0\x2d", 2);
	assert_int_equal(b.len, 67);

	wire_builder_rrset_begin(&b, WIRE_SECTION_AUTHORITY);
	/* 67: owner -> 16; 79: RDATA "ns1" -> 16 */
	add(&b, "example.com.", WIRE_TYPE_NS, name("ns1.example.com."), 17);
	assert_memory_equal(buf + 67, "\xc0\x10", 2);
	assert_memory_equal(buf + 79, "\x03ns1\xc0\x10", 6);
	/* 85: MX RDATA name compresses too (RFC 1035 type): "\0\012" then -> 79 */
	add(&b, "example.com.", WIRE_TYPE_MX,
	    "\x00\x0a\x03ns1\x07"
	    "example\x03"
	    "com",
	    19);
	assert_memory_equal(buf + 85, "\xc0\x10\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x04", 12);
	assert_memory_equal(buf + 97, "\x00\x0a\xc0\x4f", 4);
	wire_builder_rrset_end(&b);

	wire_builder_rrset_begin(&b, WIRE_SECTION_ADDITIONAL);
	/* 101: SRV target is not compressed (RFC 2782, RFC 3597 §4), its owner is. */
	static const uint8_t srv[] = "\x00\x01\x00\x02\x00\x35\x03ns2\x07"
				     "example\x03"
				     "com";
	add(&b, "_dns._udp.example.com.", WIRE_TYPE_SRV, srv, sizeof(srv));
	assert_memory_equal(buf + 101, "\x04_dns\x04_udp\xc0\x10", 12);
	assert_memory_equal(buf + 123, srv, sizeof(srv));
	size_t after_srv = b.len;
	/* ns2.example.com. was not added to the table from the SRV RDATA. */
	add(&b, "ns2.example.com.", WIRE_TYPE_A, "\xc0\x00\x02\x02", 4);
	assert_memory_equal(buf + after_srv, "\x03ns2\xc0\x10", 6);
	wire_builder_rrset_end(&b);

	size_t len = wire_builder_finish(&b);
	assert_memory_equal(buf + 4, "\x00\x01\x00\x02\x00\x02\x00\x02", 8);
	struct wire_msg m;
	assert_int_equal(wire_msg_parse(buf, len, &m), WIRE_PARSE_OK);

	ldns_pkt *pkt = ldns_parse(len);
	/* Compression ignores case: names written later take the case of the question. */
	ldns_field_is(ldns_pkt_question(pkt), 0, -1, "WwW.Example.COM.");
	ldns_field_is(ldns_pkt_answer(pkt), 0, -1, "WwW.Example.COM.");
	ldns_field_is(ldns_pkt_answer(pkt), 0, 0, "web.Example.COM.");
	ldns_field_is(ldns_pkt_answer(pkt), 1, -1, "web.Example.COM.");
	ldns_field_is(ldns_pkt_authority(pkt), 0, 0, "ns1.Example.COM.");
	ldns_field_is(ldns_pkt_authority(pkt), 1, 1, "ns1.Example.COM.");
	ldns_field_is(ldns_pkt_additional(pkt), 0, -1, "_dns._udp.Example.COM.");
	ldns_field_is(ldns_pkt_additional(pkt), 0, 3, "ns2.example.com."); /* not compressed */
	ldns_field_is(ldns_pkt_additional(pkt), 1, -1, "ns2.Example.COM.");
	ldns_pkt_free(pkt);
}

static void soa_names_compress(void **state)
{
	struct wire_builder b;
	uint8_t rdata[128];
	size_t at = 0;
	memcpy(rdata,
	       "\x03ns1\x07"
	       "example\x03"
	       "com",
	       17);
	at += 17;
	memcpy(rdata + at,
	       "\x0ahostmaster\x07"
	       "example\x03"
	       "com",
	       24);
	at += 24;
	memcpy(rdata + at, "\x78\x9a\xbc\xde\0\0\x1c\x20\0\0\x0e\x10\0\x12\x75\0\0\0\x01\x2c", 20);
	at += 20;
	wire_builder_init(&b, buf, 512, 1, WIRE_FLAG_QR);
	assert_int_equal(wire_builder_question(&b, name("example.com."), WIRE_TYPE_SOA, 1), NIM_OK);
	wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
	add(&b, "example.com.", WIRE_TYPE_SOA, rdata, at);
	wire_builder_rrset_end(&b);
	size_t len = wire_builder_finish(&b);
	/* 29: owner -> 12; RDATA at 41: "ns1" -> 12, "hostmaster" -> 12, 20 octets. */
	assert_memory_equal(buf + 29, "\xc0\x0c\x00\x06\x00\x01\x00\x00\x01\x2c\x00\x27", 12);
	assert_memory_equal(buf + 41, "\x03ns1\xc0\x0c\x0ahostmaster\xc0\x0c", 19);
	assert_memory_equal(buf + 60, rdata + 41, 20);
	assert_int_equal(len, 80);
	ldns_pkt *pkt = ldns_parse(len);
	ldns_field_is(ldns_pkt_answer(pkt), 0, 1, "hostmaster.example.com.");
	ldns_field_is(ldns_pkt_answer(pkt), 0, 2, "2023406814");
	ldns_pkt_free(pkt);
}

static void opt_record_and_reservation(void **state)
{
	struct wire_builder b;
	static const uint8_t options[] = {0x00, 0x0a, 0x00, 0x00};
	struct wire_edns_out edns = {
	    .udp_size = 1232, .ext_rcode = 1, .is_do = true, .options = options, .options_len = 4};
	size_t opt_len = wire_edns_out_len(&edns);
	assert_int_equal(opt_len, 15);

	wire_builder_init(&b, buf, 100, 7, WIRE_FLAG_QR);
	assert_int_equal(wire_builder_reserve(&b, opt_len), NIM_OK);
	assert_int_equal(wire_builder_reserve(&b, 100), NIM_ESPACE);
	assert_int_equal(b.reserved, opt_len);
	assert_int_equal(wire_builder_question(&b, name("a.example."), WIRE_TYPE_A, 1), NIM_OK);
	/* Fill until full: the reserved 15 octets stay free. */
	unsigned n = 0;
	for (;;) {
		wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
		if (wire_builder_rr(&b, name("a.example."), WIRE_TYPE_A, 1, 60,
				    (const uint8_t *)"\1\2\3\4", 4) != NIM_OK) {
			wire_builder_rrset_rollback(&b);
			break;
		}
		wire_builder_rrset_end(&b);
		n++;
	}
	/* 12 + 15 question; 16 per record: 27 + 3 * 16 = 75 <= 100 - 15, 91 > 85. */
	assert_int_equal(n, 3);
	assert_int_equal(b.len, 75);
	/* The OPT record takes the reserved space without an explicit unreserve. */
	assert_int_equal(wire_builder_opt(&b, &edns), NIM_OK);
	assert_int_equal(b.reserved, 0);
	size_t len = wire_builder_finish(&b);
	assert_int_equal(len, 90);
	assert_memory_equal(buf + 75,
			    "\x00\x00\x29\x04\xd0\x01\x00\x80\x00\x00\x04\x00\x0a\x00\x00", 15);

	struct wire_msg m;
	assert_int_equal(wire_msg_parse(buf, len, &m), WIRE_PARSE_OK);
	assert_true(m.has_edns);
	assert_true(m.edns.is_do);
	assert_int_equal(m.edns.ext_rcode, 1);
	assert_int_equal(m.edns.udp_size, 1232);
	assert_int_equal(m.counts[1], 3);
	ldns_pkt *pkt = ldns_parse(len);
	assert_true(ldns_pkt_edns_do(pkt));
	assert_int_equal(ldns_pkt_edns_udp_size(pkt), 1232);
	ldns_pkt_free(pkt);

	/* The dispatcher's way: unreserve, then write; and a too-small limit fails. */
	wire_builder_init(&b, buf, 12 + 14, 7, 0);
	assert_int_equal(wire_builder_reserve(&b, opt_len), NIM_ESPACE);
	assert_int_equal(wire_builder_reserve(&b, 11), NIM_OK);
	wire_builder_unreserve(&b, 11);
	wire_builder_unreserve(&b, 11); /* never below zero */
	assert_int_equal(b.reserved, 0);
	assert_int_equal(wire_builder_opt(&b, &edns), NIM_ESPACE);
	assert_int_equal(b.len, 12);
	edns.options_len = 0;
	assert_int_equal(wire_builder_opt(&b, &edns), NIM_OK);
	assert_int_equal(wire_builder_finish(&b), 23);
}

static void rrset_rollback_when_full(void **state)
{
	struct wire_builder b;
	wire_builder_init(&b, buf, 80, 9, WIRE_FLAG_QR);
	/* 12: question, 33 octets */
	assert_int_equal(wire_builder_question(&b, name("www.example.com."), 1, 1), NIM_OK);
	wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
	add(&b, "www.example.com.", WIRE_TYPE_A, "\1\1\1\1", 4); /* 33..49 */
	wire_builder_rrset_end(&b);

	/* An RRset of three records under a new name: the first one fits, the second one not. */
	wire_builder_rrset_begin(&b, WIRE_SECTION_AUTHORITY);
	add(&b, "new.example.com.", WIRE_TYPE_A, "\2\2\2\2", 4); /* 49..69, table += 49 */
	assert_int_equal(b.len, 69);
	assert_int_equal(wire_builder_rr(&b, name("new.example.com."), WIRE_TYPE_A, 1, 300,
					 (const uint8_t *)"\3\3\3\3", 4),
			 NIM_ESPACE);
	assert_int_equal(b.len, 69); /* a failed record leaves nothing */
	wire_builder_rrset_rollback(&b);
	assert_int_equal(b.len, 49);
	assert_int_equal(b.counts[2], 0);
	assert_int_equal(b.counts[1], 1);

	/* The rolled-back name is gone from the table too: no pointer to 49. */
	wire_builder_rrset_begin(&b, WIRE_SECTION_AUTHORITY);
	add(&b, "new.example.com.", WIRE_TYPE_TXT, "\1x", 2);
	wire_builder_rrset_end(&b);
	assert_memory_equal(buf + 49, "\x03new\xc0\x10\x00\x10", 8);
	wire_builder_set_tc(&b);
	size_t len = wire_builder_finish(&b);
	assert_int_equal(len, 67);

	struct wire_msg m;
	assert_int_equal(wire_msg_parse(buf, len, &m), WIRE_PARSE_OK);
	assert_int_equal(m.flags, WIRE_FLAG_QR | WIRE_FLAG_TC);
	assert_int_equal(m.counts[1], 1);
	assert_int_equal(m.counts[2], 1);
	ldns_pkt *pkt = ldns_parse(len);
	assert_true(ldns_pkt_tc(pkt));
	ldns_field_is(ldns_pkt_authority(pkt), 0, -1, "new.example.com.");
	ldns_pkt_free(pkt);

	wire_builder_set_flags(&b, WIRE_FLAG_QR | WIRE_FLAG_AA | WIRE_RCODE_REFUSED);
	assert_memory_equal(buf + 2, "\x84\x05", 2);
}

/* For every limit from a bare header up: whole RRsets only, never past the limit. */
static void max_len_respected(void **state)
{
	for (size_t max_len = WIRE_HEADER_LEN; max_len <= 400; max_len++) {
		struct wire_builder b;
		unsigned n_rrsets = 0;
		wire_builder_init(&b, buf, max_len, 1, WIRE_FLAG_QR);
		if (wire_builder_question(&b, name("example.org."), WIRE_TYPE_MX, 1) != NIM_OK) {
			assert_int_equal(b.len, 12);
			assert_true(max_len < 12 + 17);
			continue;
		}
		for (unsigned i = 0; i < 10; i++) {
			char owner[32];
			uint8_t mx[64];
			snprintf(owner, sizeof(owner), "host%u.example.org.", i);
			size_t len;
			mx[0] = 0;
			mx[1] = (uint8_t)i;
			assert_int_equal(wire_name_from_str(owner, NULL, mx + 2, &len), NIM_OK);
			wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
			int r1 = wire_builder_rr(&b, name("example.org."), WIRE_TYPE_MX, 1, 60, mx,
						 (uint16_t)(len + 2));
			int r2 = wire_builder_rr(&b, name("example.org."), WIRE_TYPE_MX, 1, 60, mx,
						 (uint16_t)(len + 2));
			if (r1 != NIM_OK || r2 != NIM_OK) {
				wire_builder_rrset_rollback(&b);
				break;
			}
			wire_builder_rrset_end(&b);
			n_rrsets++;
		}
		size_t len = wire_builder_finish(&b);
		assert_true(len <= max_len);
		struct wire_msg m;
		assert_int_equal(wire_msg_parse(buf, len, &m), WIRE_PARSE_OK);
		assert_int_equal(m.counts[1], 2 * n_rrsets);
		ldns_pkt *pkt = ldns_parse(len);
		assert_int_equal(ldns_pkt_ancount(pkt), 2 * n_rrsets);
		ldns_pkt_free(pkt);
	}
}

/*
 * Names written at 0x4000 or later cannot be pointed at: a later copy of
 * such a name compresses only to a suffix written earlier.
 */
static void pointers_stay_below_16k(void **state)
{
	struct wire_builder b;
	uint8_t txt[256];
	txt[0] = 250;
	memset(txt + 1, 't', 250);
	wire_builder_init(&b, buf, sizeof(buf), 2, WIRE_FLAG_QR);
	assert_int_equal(wire_builder_question(&b, name("example.com."), WIRE_TYPE_TXT, 1), NIM_OK);
	wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
	while (b.len < 0x4000)
		add(&b, "example.com.", WIRE_TYPE_TXT, txt, 251);
	size_t first = b.len;
	add(&b, "zzz.late.example.com.", WIRE_TYPE_TXT, txt, 251);
	assert_memory_equal(buf + first, "\x03zzz\x04late\xc0\x0c", 12);
	size_t second = b.len;
	add(&b, "zzz.late.example.com.", WIRE_TYPE_TXT, txt, 251);
	assert_memory_equal(buf + second, "\x03zzz\x04late\xc0\x0c", 12);
	wire_builder_rrset_end(&b);
	size_t len = wire_builder_finish(&b);
	struct wire_msg m;
	assert_int_equal(wire_msg_parse(buf, len, &m), WIRE_PARSE_OK);
	ldns_pkt *pkt = ldns_parse(len);
	ldns_field_is(ldns_pkt_answer(pkt), m.counts[1] - 1, -1, "zzz.late.example.com.");
	ldns_pkt_free(pkt);
}

/* More names than the table holds: the rest go out uncompressed, still correct. */
static void table_capacity(void **state)
{
	struct wire_builder b;
	wire_builder_init(&b, buf, sizeof(buf), 3, WIRE_FLAG_QR);
	assert_int_equal(wire_builder_question(&b, name("example.com."), WIRE_TYPE_A, 1), NIM_OK);
	wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
	for (unsigned i = 0; i < 300; i++) {
		char owner[40];
		snprintf(owner, sizeof(owner), "h%u.example.com.", i);
		add(&b, owner, WIRE_TYPE_A, "\1\2\3\4", 4);
	}
	wire_builder_rrset_end(&b);
	assert_int_equal(b.n_comp, WIRE_BUILD_COMP_CAP);
	size_t last = b.len;
	add(&b, "h299.example.com.", WIRE_TYPE_A, "\1\2\3\4", 4);
	assert_memory_equal(buf + last, "\x04h299\xc0\x0c", 7); /* h299 never entered the table */
	size_t len = wire_builder_finish(&b);
	struct wire_msg m;
	assert_int_equal(wire_msg_parse(buf, len, &m), WIRE_PARSE_OK);
	ldns_pkt *pkt = ldns_parse(len);
	ldns_field_is(ldns_pkt_answer(pkt), 0, -1, "h0.example.com.");
	ldns_field_is(ldns_pkt_answer(pkt), 299, -1, "h299.example.com.");
	ldns_pkt_free(pkt);
}

static void rdata_must_fit_compressible_types(void **state)
{
	struct wire_builder b;
	wire_builder_init(&b, buf, 512, 4, WIRE_FLAG_QR);
	wire_builder_rrset_begin(&b, WIRE_SECTION_ANSWER);
	/* MX whose name has no root label; NS with an octet after its name. */
	assert_int_equal(
	    wire_builder_rr(&b, name("a."), WIRE_TYPE_MX, 1, 0, (const uint8_t *)"\0\1\3abc", 6),
	    NIM_EMALFORMED);
	assert_int_equal(
	    wire_builder_rr(&b, name("a."), WIRE_TYPE_NS, 1, 0, (const uint8_t *)"\3abc\0\0", 6),
	    NIM_EMALFORMED);
	assert_int_equal(
	    wire_builder_rr(&b, name("a."), WIRE_TYPE_SOA, 1, 0, (const uint8_t *)"\0\0\1\2\3", 5),
	    NIM_EMALFORMED);
	assert_int_equal(b.len, 12);
	assert_int_equal(b.n_comp, 0);
	assert_int_equal(b.counts[1], 0);
	/* Empty RDATA (RFC 2136 deletions) is copied as it is. */
	assert_int_equal(wire_builder_rr(&b, name("a."), WIRE_TYPE_MX, WIRE_CLASS_ANY, 0, NULL, 0),
			 NIM_OK);
	assert_int_equal(b.len, 12 + 3 + 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(compression_offsets),
	    cmocka_unit_test(soa_names_compress),
	    cmocka_unit_test(opt_record_and_reservation),
	    cmocka_unit_test(rrset_rollback_when_full),
	    cmocka_unit_test(max_len_respected),
	    cmocka_unit_test(pointers_stay_below_16k),
	    cmocka_unit_test(table_capacity),
	    cmocka_unit_test(rdata_must_fit_compressible_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
