/*
 * Unit tests for src/wire/msg.c, edns.c and rdata.c: messages built by
 * dnspython (tests/unit/fixtures/wire_fixtures.h) parsed with the status
 * and fields expected, rebuilt with the builder and compared byte for byte,
 * and checked against ldns as an independent parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <ldns/ldns.h>

#include "util/error.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/msg.h"
#include "wire/name.h"
#include "wire/rdata.h"

#include "fixtures/wire_fixtures.h"

#define N_FIXTURES (sizeof(wire_fixtures) / sizeof(wire_fixtures[0]))

static const struct wire_fixture *fixture(const char *name)
{
	for (size_t i = 0; i < N_FIXTURES; i++) {
		if (strcmp(wire_fixtures[i].name, name) == 0)
			return &wire_fixtures[i];
	}
	fail_msg("no fixture '%s'", name);
	return NULL;
}

static enum wire_parse_status parse(const char *name, struct wire_msg *m)
{
	const struct wire_fixture *f = fixture(name);
	return wire_msg_parse(f->data, f->len, m);
}

static void name_is(const uint8_t *name, const char *text)
{
	char s[WIRE_NAME_STRLEN];
	assert_int_equal(wire_name_to_str(name, s, sizeof(s)), NIM_OK);
	assert_string_equal(s, text);
}

static void every_fixture_has_its_status(void **state)
{
	struct wire_msg m;
	for (size_t i = 0; i < N_FIXTURES; i++) {
		const struct wire_fixture *f = &wire_fixtures[i];
		enum wire_parse_status st = wire_msg_parse(f->data, f->len, &m);
		if (st != f->status)
			fail_msg("%s: got '%s', want '%s'", f->name, wire_parse_status_str(st),
				 wire_parse_status_str(f->status));
	}
}

static void plain_query_fields(void **state)
{
	struct wire_msg m;
	const struct wire_fixture *f = fixture("query_a");
	assert_int_equal(wire_msg_parse(f->data, f->len, &m), WIRE_PARSE_OK);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.flags, WIRE_FLAG_RD);
	assert_int_equal(wire_msg_opcode(&m), WIRE_OPCODE_QUERY);
	assert_int_equal(m.counts[0], 1);
	assert_true(m.has_question);
	assert_int_equal(m.qname_len, 17);
	name_is(m.qname, "www.example.com.");
	assert_int_equal(m.qtype, WIRE_TYPE_A);
	assert_int_equal(m.qclass, WIRE_CLASS_IN);
	assert_int_equal(m.question_end, f->len);
	assert_int_equal(m.section_off[2], f->len);
	assert_false(m.has_edns);
	assert_false(m.has_tsig);
	assert_ptr_equal(m.pkt, f->data);
}

static void edns_fields(void **state)
{
	struct wire_msg m;
	assert_int_equal(parse("query_edns", &m), WIRE_PARSE_OK);
	name_is(m.qname, "Example.COM."); /* case kept */
	assert_int_equal(m.qtype, WIRE_TYPE_AAAA);
	assert_true(m.has_edns);
	assert_int_equal(m.edns.udp_size, 1232);
	assert_int_equal(m.edns.version, 0);
	assert_false(m.edns.is_do);
	assert_int_equal(m.edns.ext_rcode, 0);
	assert_int_equal(m.edns.options_len, 0);
	assert_int_equal(m.opt_off, m.section_off[2]);

	assert_int_equal(parse("query_edns_v1", &m), WIRE_PARSE_OK);
	assert_int_equal(m.edns.version, 1);
	assert_int_equal(m.edns.udp_size, 1400);

	assert_int_equal(parse("response_badvers", &m), WIRE_PARSE_OK);
	assert_int_equal(m.edns.ext_rcode, 1); /* 16 >> 4 */
	assert_int_equal(m.flags & WIRE_RCODE_MASK, 0);

	assert_int_equal(parse("opt_ext_rcode_do_z", &m), WIRE_PARSE_OK);
	assert_int_equal(m.edns.ext_rcode, 0x12);
	assert_true(m.edns.is_do);
	assert_int_equal(m.edns.z_flags, 0x8001);
}

static void edns_options(void **state)
{
	struct wire_msg m;
	struct wire_edns_option_iter it;
	struct wire_edns_option opt;
	assert_int_equal(parse("query_do_cookie", &m), WIRE_PARSE_OK);
	assert_true(m.edns.is_do);
	assert_int_equal(m.edns.udp_size, 4096);
	assert_int_equal(m.edns.options_len, 4 + 4 + 8);
	wire_edns_option_iter_init(&it, &m);
	assert_int_equal(wire_edns_option_next(&it, &opt), NIM_OK);
	assert_int_equal(opt.code, WIRE_EDNS_OPT_NSID);
	assert_int_equal(opt.len, 0);
	assert_int_equal(wire_edns_option_next(&it, &opt), NIM_OK);
	assert_int_equal(opt.code, WIRE_EDNS_OPT_COOKIE);
	assert_int_equal(opt.len, 8);
	assert_memory_equal(opt.data, "\1\2\3\4\5\6\7\10", 8);
	assert_int_equal(wire_edns_option_next(&it, &opt), NIM_ENOTFOUND);

	/* Writing the same two options gives the same octets. */
	uint8_t buf[32];
	size_t len = 0;
	assert_int_equal(wire_edns_option_write(buf, sizeof(buf), &len, 3, NULL, 0), NIM_OK);
	assert_int_equal(wire_edns_option_write(buf, sizeof(buf), &len, 10,
						(const uint8_t *)"\1\2\3\4\5\6\7\10", 8),
			 NIM_OK);
	assert_int_equal(len, 16);
	assert_memory_equal(buf, m.pkt + m.edns.options_off, 16);
	assert_int_equal(wire_edns_option_write(buf, 19, &len, 3, NULL, 0), NIM_ESPACE);
	assert_int_equal(len, 16);
}

/* A fault in OPT still leaves the header and question for a FORMERR echo. */
static void bad_opt_keeps_header_and_question(void **state)
{
	static const char *const names[] = {"opt_in_answer", "opt_owner_not_root",
					    "opt_option_overruns", "opt_option_leftover"};
	struct wire_msg m;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(parse(names[i], &m), WIRE_PARSE_BAD_OPT);
		assert_int_equal(m.id, 0x1111);
		assert_true(m.has_question);
		name_is(m.qname, "www.example.com.");
		assert_false(m.has_edns);
	}
	/* Two OPTs: the first one parsed and is recorded. */
	assert_int_equal(parse("opt_twice", &m), WIRE_PARSE_BAD_OPT);
	assert_true(m.has_edns);
	assert_int_equal(m.edns.udp_size, 1232);
}

/*
 * RFC 6891 §6.1.2: the OPT owner "MUST be 0", the one zero octet. A
 * compression pointer to the root is refused too (as NSD refuses it); the
 * same message with a literal root owner is fine.
 */
static void opt_owner_pointer_to_root(void **state)
{
	(void)state;
	uint8_t pkt[] = {
		0x00, 0x07, 0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, /* offset 24: root */
		0x00, 0x06, 0x00, 0x01,
		0xc0, 0x18, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct wire_msg m;
	assert_int_equal(wire_msg_parse(pkt, sizeof(pkt), &m), WIRE_PARSE_BAD_OPT);
	assert_false(m.has_edns);
	assert_true(m.has_question);

	/* The same OPT owned by the literal root: one octet shorter, and well-formed. */
	uint8_t lit[sizeof(pkt) - 1];
	memcpy(lit, pkt, 29);
	lit[29] = 0x00;
	memcpy(lit + 30, pkt + 31, sizeof(pkt) - 31);
	assert_int_equal(wire_msg_parse(lit, sizeof(lit), &m), WIRE_PARSE_OK);
	assert_true(m.has_edns);
	assert_int_equal(m.edns.udp_size, 1232);
}

/* RFC 8914 §2: EDE written in place, read back; too small a buffer writes nothing. */
static void ede_write_read(void **state)
{
	(void)state;
	uint8_t buf[32];
	size_t len = 0;
	assert_int_equal(wire_edns_ede_write(buf, sizeof(buf), &len, WIRE_EDE_NOT_READY,
					     "zone not loaded", 15),
			 NIM_OK);
	assert_int_equal(len, wire_ede_len(15));
	static const uint8_t want[] = { 0x00, 0x0f, 0x00, 0x11, 0x00, 0x0e, 'z', 'o', 'n', 'e', ' ',
					'n',  'o',  't',  ' ',  'l',  'o',  'a', 'd', 'e', 'd' };
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* No text: 6 octets. */
	assert_int_equal(wire_edns_ede_write(buf, sizeof(buf), &len, WIRE_EDE_NOT_AUTHORITATIVE,
					     NULL, 0),
			 NIM_OK);
	assert_int_equal(len, sizeof(want) + 6);
	/* Does not fit: NIM_ESPACE, *len unchanged. */
	size_t before = len;
	assert_int_equal(wire_edns_ede_write(buf, sizeof(buf), &len, 0, "xyz", 3), NIM_ESPACE);
	assert_int_equal(len, before);

	/* Read back through the option iterator's struct. */
	struct wire_edns_option opt = { .code = WIRE_EDNS_OPT_EDE, .len = 17, .data = buf + 4 };
	uint16_t code;
	const uint8_t *text;
	size_t text_len;
	assert_int_equal(wire_edns_ede_read(&opt, &code, &text, &text_len), NIM_OK);
	assert_int_equal(code, 14);
	assert_int_equal(text_len, 15);
	assert_memory_equal(text, "zone not loaded", 15);
	/* A trailing NUL is not part of the text; a 1-octet option is malformed. */
	uint8_t nul[] = { 0x00, 0x03, 'a', 0x00 };
	opt.data = nul;
	opt.len = sizeof(nul);
	assert_int_equal(wire_edns_ede_read(&opt, &code, &text, &text_len), NIM_OK);
	assert_int_equal(text_len, 1);
	opt.len = 1;
	code = 99;
	assert_int_equal(wire_edns_ede_read(&opt, &code, &text, &text_len), NIM_EMALFORMED);
	assert_int_equal(code, 99);
}

static void tsig_position(void **state)
{
	struct wire_msg m;
	const struct wire_fixture *f = fixture("query_tsig");
	assert_int_equal(wire_msg_parse(f->data, f->len, &m), WIRE_PARSE_OK);
	assert_true(m.has_tsig);
	assert_true(m.has_edns);
	assert_int_equal(m.counts[3], 2);
	/* OPT first, then TSIG right after it (11 octets: no options). */
	assert_int_equal(m.opt_off, m.section_off[2]);
	assert_int_equal(m.tsig_off, m.opt_off + WIRE_OPT_RR_LEN);
	/* The key name is compressed against nothing: written out in full. */
	assert_memory_equal(f->data + m.tsig_off, "\3key\7example", 13);

	assert_int_equal(parse("tsig_not_last", &m), WIRE_PARSE_BAD_TSIG);
	assert_true(m.has_tsig);
	assert_int_equal(m.id, 0x5555);
}

static void question_count(void **state)
{
	struct wire_msg m;
	/* QDCOUNT 0 is reported only after the rest was checked: EDNS is there. */
	assert_int_equal(parse("qdcount_0", &m), WIRE_PARSE_BAD_QDCOUNT);
	assert_false(m.has_question);
	assert_true(m.has_edns);
	assert_int_equal(m.edns.options_len, 12);
	assert_int_equal(m.id, 0x3333);

	assert_int_equal(parse("qdcount_2", &m), WIRE_PARSE_BAD_QDCOUNT);
	assert_true(m.has_question);
	assert_int_equal(m.counts[0], 2);
	name_is(m.qname, "www.example.com.");
	assert_int_equal(m.question_end, fixture("qdcount_2")->len);
}

static void faults_fill_what_was_read(void **state)
{
	struct wire_msg m;
	m.has_edns = true; /* must be reset even for a short header */
	assert_int_equal(parse("short_header", &m), WIRE_PARSE_SHORT_HEADER);
	assert_false(m.has_edns);
	assert_false(m.has_question);
	assert_int_equal(m.id, 0);

	assert_int_equal(parse("truncated_question", &m), WIRE_PARSE_BAD_QUESTION);
	assert_int_equal(m.id, 0x1111);
	assert_false(m.has_question);

	assert_int_equal(parse("truncated_rr", &m), WIRE_PARSE_BAD_RR);
	assert_true(m.has_question);
	assert_int_equal(m.id, 0x6666);

	assert_int_equal(parse("rdata_mx_name_overrun", &m), WIRE_PARSE_BAD_RDATA);
	assert_int_equal(parse("trailing_octet", &m), WIRE_PARSE_TRAILING_DATA);
	assert_true(m.has_question);
}

static void rr_iteration(void **state)
{
	struct wire_msg m;
	struct wire_rr_iter it;
	struct wire_rr rr;
	uint8_t rdata[512];
	size_t rdata_len;
	assert_int_equal(parse("response_compressed", &m), WIRE_PARSE_OK);
	static const struct {
		enum wire_section section;
		const char *owner;
		uint16_t type;
	} want[] = {
	    {WIRE_SECTION_ANSWER, "www.example.com.", WIRE_TYPE_CNAME},
	    {WIRE_SECTION_ANSWER, "web.example.com.", WIRE_TYPE_A},
	    {WIRE_SECTION_ANSWER, "web.example.com.", WIRE_TYPE_A},
	    {WIRE_SECTION_AUTHORITY, "example.com.", WIRE_TYPE_NS},
	    {WIRE_SECTION_AUTHORITY, "example.com.", WIRE_TYPE_NS},
	    {WIRE_SECTION_ADDITIONAL, "ns1.example.com.", WIRE_TYPE_A},
	    {WIRE_SECTION_ADDITIONAL, "ns1.example.com.", WIRE_TYPE_AAAA},
	    {WIRE_SECTION_ADDITIONAL, "ns2.example.com.", WIRE_TYPE_A},
	    {WIRE_SECTION_ADDITIONAL, ".", WIRE_TYPE_OPT},
	};
	wire_rr_iter_init(&it, &m);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(wire_rr_iter_next(&it, &rr), NIM_OK);
		assert_int_equal(rr.section, want[i].section);
		name_is(rr.owner, want[i].owner);
		assert_int_equal(rr.type, want[i].type);
		if (i == 0) {
			assert_int_equal(rr.ttl, 300);
			assert_int_equal(rr.rdlength, 6); /* "web" + pointer */
			assert_int_equal(wire_rdata_decompress(m.pkt, m.pkt_len, rr.rdata_off,
							       rr.rdlength, rr.type, rdata,
							       sizeof(rdata), &rdata_len),
					 NIM_OK);
			assert_int_equal(rdata_len, 17);
			name_is(rdata, "web.example.com.");
			/* Too small for the expanded name. */
			rdata_len = 99;
			assert_int_equal(wire_rdata_decompress(m.pkt, m.pkt_len, rr.rdata_off,
							       rr.rdlength, rr.type, rdata, 16,
							       &rdata_len),
					 NIM_ESPACE);
			assert_int_equal(rdata_len, 99);
		}
		if (i == 6)
			assert_memory_equal(m.pkt + rr.rdata_off,
					    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x53", 16);
	}
	assert_int_equal(wire_rr_iter_next(&it, &rr), NIM_ENOTFOUND);
	assert_int_equal(wire_rr_iter_next(&it, &rr), NIM_ENOTFOUND);

	/* A message whose records were never reached iterates nothing. */
	assert_int_equal(parse("truncated_question", &m), WIRE_PARSE_BAD_QUESTION);
	wire_rr_iter_init(&it, &m);
	assert_int_equal(wire_rr_iter_next(&it, &rr), NIM_ENOTFOUND);
}

/*
 * Rebuilds m with the builder: the question, then every record decompressed
 * and added as its own RRset. Returns NIM_OK and the length in *out_len, or
 * the first error, with the type of the record that caused it in *bad_type.
 */
static int rebuild(const struct wire_msg *m, uint8_t *out, size_t out_cap, size_t *out_len,
		   uint16_t *bad_type)
{
	static uint8_t rdata[65535 + 4 * WIRE_NAME_MAXLEN];
	struct wire_builder b;
	struct wire_rr_iter it;
	struct wire_rr rr;
	size_t rdata_len;
	int ret = NIM_OK;
	wire_builder_init(&b, out, out_cap, m->id, m->flags);
	if (m->has_question)
		ret = wire_builder_question(&b, m->qname, m->qtype, m->qclass);
	wire_rr_iter_init(&it, m);
	while (ret == NIM_OK && wire_rr_iter_next(&it, &rr) == NIM_OK) {
		*bad_type = rr.type;
		ret = wire_rdata_decompress(m->pkt, m->pkt_len, rr.rdata_off, rr.rdlength, rr.type,
					    rdata, sizeof(rdata), &rdata_len);
		if (ret != NIM_OK)
			break;
		wire_builder_rrset_begin(&b, rr.section);
		ret = wire_builder_rr(&b, rr.owner, rr.type, rr.rclass, rr.ttl, rdata,
				      (uint16_t)rdata_len);
		wire_builder_rrset_end(&b);
	}
	*out_len = wire_builder_finish(&b);
	return ret;
}

static void round_trip_through_builder(void **state)
{
	static uint8_t out[65535];
	unsigned n_exact = 0;
	for (size_t i = 0; i < N_FIXTURES; i++) {
		const struct wire_fixture *f = &wire_fixtures[i];
		struct wire_msg m, again;
		if (f->status != WIRE_PARSE_OK)
			continue;
		assert_int_equal(wire_msg_parse(f->data, f->len, &m), WIRE_PARSE_OK);
		size_t len;
		uint16_t bad_type = 0;
		int ret = rebuild(&m, out, sizeof(out), &len, &bad_type);
		if (ret != NIM_OK)
			fail_msg("%s: rebuilding a type %u record: %s", f->name, bad_type,
				 nim_strerror(ret));
		if (f->is_round_trip) {
			if (len != f->len || memcmp(out, f->data, len) != 0)
				fail_msg("%s: rebuilt message differs (%zu vs %zu octets)", f->name,
					 len, f->len);
			n_exact++;
		}
		/* Every well-formed message parses again to the same fields. */
		assert_int_equal(wire_msg_parse(out, len, &again), WIRE_PARSE_OK);
		assert_memory_equal(again.counts, m.counts, sizeof(m.counts));
		assert_true(wire_name_equal(again.qname, m.qname));
		assert_int_equal(again.qtype, m.qtype);
		assert_int_equal(again.has_edns, m.has_edns);
		if (m.has_edns)
			assert_int_equal(again.edns.z_flags, m.edns.z_flags);
		assert_int_equal(again.has_tsig, m.has_tsig);
	}
	assert_true(n_exact >= 12);
}

/* ldns counts OPT and TSIG apart from the additional section. */
static void compare_with_ldns(const uint8_t *data, size_t len, const struct wire_msg *m)
{
	ldns_pkt *pkt = NULL;
	assert_int_equal(ldns_wire2pkt(&pkt, data, len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(pkt), m->id);
	assert_int_equal(ldns_pkt_qdcount(pkt), m->counts[0]);
	assert_int_equal(ldns_pkt_ancount(pkt), m->counts[1]);
	assert_int_equal(ldns_pkt_nscount(pkt), m->counts[2]);
	assert_int_equal(ldns_pkt_arcount(pkt) + m->has_edns + m->has_tsig, m->counts[3]);
	assert_int_equal(ldns_pkt_edns(pkt), m->has_edns);
	if (m->has_edns) {
		assert_int_equal(ldns_pkt_edns_udp_size(pkt), m->edns.udp_size);
		assert_int_equal(ldns_pkt_edns_do(pkt), m->edns.is_do);
		assert_int_equal(ldns_pkt_edns_version(pkt), m->edns.version);
		assert_int_equal(ldns_pkt_edns_extended_rcode(pkt), m->edns.ext_rcode);
	}
	assert_int_equal(ldns_pkt_tsig(pkt) != NULL, m->has_tsig);
	if (m->counts[0] > 0) {
		ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
		char *owner = ldns_rdf2str(ldns_rr_owner(q));
		char text[WIRE_NAME_STRLEN];
		assert_int_equal(wire_name_to_str(m->qname, text, sizeof(text)), NIM_OK);
		assert_string_equal(owner, text);
		assert_int_equal(ldns_rr_get_type(q), m->qtype);
		assert_int_equal(ldns_rr_get_class(q), m->qclass);
		free(owner);
	}
	ldns_pkt_free(pkt);
}

static void ldns_agrees_on_well_formed_fixtures(void **state)
{
	for (size_t i = 0; i < N_FIXTURES; i++) {
		const struct wire_fixture *f = &wire_fixtures[i];
		struct wire_msg m;
		if (wire_msg_parse(f->data, f->len, &m) != WIRE_PARSE_OK)
			continue;
		compare_with_ldns(f->data, f->len, &m);
	}
}

static void update_with_empty_rdata(void **state)
{
	struct wire_msg m;
	struct wire_rr_iter it;
	struct wire_rr rr;
	assert_int_equal(parse("update", &m), WIRE_PARSE_OK);
	assert_int_equal(wire_msg_opcode(&m), WIRE_OPCODE_UPDATE);
	assert_int_equal(m.qtype, WIRE_TYPE_SOA); /* the zone section */
	wire_rr_iter_init(&it, &m);
	assert_int_equal(wire_rr_iter_next(&it, &rr), NIM_OK);
	assert_int_equal(rr.rclass, WIRE_CLASS_ANY);
	assert_int_equal(rr.type, WIRE_TYPE_A);
	assert_int_equal(rr.rdlength, 0);
	assert_int_equal(wire_rr_iter_next(&it, &rr), NIM_OK);
	assert_int_equal(rr.rclass, WIRE_CLASS_NONE);
	assert_int_equal(rr.rdlength, 0);
	/* The same empty A RDATA in class IN does not fit the descriptor. */
	assert_int_equal(wire_rdata_check(m.pkt, m.pkt_len, rr.rdata_off, 0, WIRE_TYPE_A),
			 NIM_EMALFORMED);
}

static void rdata_descriptors(void **state)
{
	const struct wire_rdata_desc *d = wire_rdata_desc(WIRE_TYPE_SOA);
	assert_string_equal(d->mnemonic, "SOA");
	assert_int_equal(d->fields[0].kind, WIRE_RDF_CNAME);
	assert_int_equal(d->fields[1].kind, WIRE_RDF_CNAME);
	assert_int_equal(d->fields[2].kind, WIRE_RDF_FIXED);
	assert_int_equal(d->fields[2].fixed_len, 20);
	assert_int_equal(d->fields[3].kind, WIRE_RDF_END);
	/* RFC 3597 §4: only RFC 1035 types compress; RFC 6840 §5.1: NSEC keeps case. */
	static const uint16_t compressible[] = {2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15};
	for (uint16_t t = 0; t < 300; t++) {
		bool want = false;
		for (size_t i = 0; i < sizeof(compressible) / sizeof(compressible[0]); i++)
			want = want || compressible[i] == t;
		assert_int_equal(wire_rdata_has_cname(wire_rdata_desc(t)), want);
	}
	assert_int_equal(wire_rdata_desc(WIRE_TYPE_RRSIG)->fields[1].kind, WIRE_RDF_LNAME);
	assert_int_equal(wire_rdata_desc(WIRE_TYPE_NSEC)->fields[0].kind, WIRE_RDF_NAME);
	assert_int_equal(wire_rdata_desc(WIRE_TYPE_SRV)->fields[1].kind, WIRE_RDF_LNAME);
	assert_int_equal(wire_rdata_desc(WIRE_TYPE_DNAME)->fields[0].kind, WIRE_RDF_LNAME);
	d = wire_rdata_desc(65280);
	assert_null(d->mnemonic);
	assert_int_equal(d->fields[0].kind, WIRE_RDF_REMAINDER);
	assert_int_equal(d->fields[1].kind, WIRE_RDF_END);
	assert_string_equal(wire_rdata_desc(WIRE_TYPE_DLV)->mnemonic, "DLV");
	assert_true(wire_type_is_meta(WIRE_TYPE_OPT));
	assert_true(wire_type_is_meta(WIRE_TYPE_ANY));
	assert_false(wire_type_is_meta(WIRE_TYPE_SOA));
}

/* RDATA of one record at offset 12 of a packet (a header of zeros first). */
static int check_rdata(uint16_t type, const char *rdata, size_t rdlength)
{
	uint8_t pkt[256] = {0};
	memcpy(pkt + 12, rdata, rdlength);
	return wire_rdata_check(pkt, 12 + rdlength, 12, (uint16_t)rdlength, type);
}

static void rdata_layouts(void **state)
{
	/* ISDN: an address and an optional subaddress (RFC 1183 §3.2), no more. */
	assert_int_equal(check_rdata(WIRE_TYPE_ISDN, "\3abc", 4), NIM_OK);
	assert_int_equal(check_rdata(WIRE_TYPE_ISDN, "\3abc\1d", 6), NIM_OK);
	assert_int_equal(check_rdata(WIRE_TYPE_ISDN, "\3abc\1d\0", 7), NIM_EMALFORMED);
	assert_int_equal(check_rdata(WIRE_TYPE_ISDN, "", 0), NIM_EMALFORMED);
	/* TXT: strings up to the end, at least one. */
	assert_int_equal(check_rdata(WIRE_TYPE_TXT, "\0\0\2ab", 5), NIM_OK);
	assert_int_equal(check_rdata(WIRE_TYPE_TXT, "\0\3ab", 4), NIM_EMALFORMED);
	/* TSIG (RFC 8945 §4.2): algorithm, 8 octets, MAC, 4 octets, other data. */
	static const char tsig[] = "\4hmac\0"
				   "\0\0\0\0\0\1\1\54"
				   "\0\2MM"
				   "\0\7\0\0"
				   "\0\0";
	assert_int_equal(check_rdata(WIRE_TYPE_TSIG, tsig, sizeof(tsig) - 1), NIM_OK);
	assert_int_equal(check_rdata(WIRE_TYPE_TSIG, tsig, sizeof(tsig) - 2), NIM_EMALFORMED);
	char long_mac[sizeof(tsig)];
	memcpy(long_mac, tsig, sizeof(tsig));
	long_mac[15] = 3; /* MAC size one more than there is */
	assert_int_equal(check_rdata(WIRE_TYPE_TSIG, long_mac, sizeof(tsig) - 1), NIM_EMALFORMED);
	/* NSEC3: salt length past the end. */
	assert_int_equal(check_rdata(WIRE_TYPE_NSEC3, "\1\0\0\0\4ab", 7), NIM_EMALFORMED);
	assert_int_equal(check_rdata(WIRE_TYPE_NSEC3, "\1\0\0\0\0\1h", 7), NIM_OK);
	/* SOA: two names and exactly 20 octets. */
	static const char soa[] = "\0\0"
				  "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5";
	assert_int_equal(check_rdata(WIRE_TYPE_SOA, soa, 22), NIM_OK);
	assert_int_equal(check_rdata(WIRE_TYPE_SOA, soa, 21), NIM_EMALFORMED);
	/* A name in RDATA pointing at itself, or back into its own label sequence. */
	assert_int_equal(check_rdata(WIRE_TYPE_NS, "\300\14", 2), NIM_EMALFORMED);
	assert_int_equal(check_rdata(WIRE_TYPE_NS, "\1a\300\14", 4), NIM_EMALFORMED);
	assert_int_equal(check_rdata(WIRE_TYPE_NS, "\1a\0", 3), NIM_OK);
}

static void type_mnemonics(void **state)
{
	char text[16];
	uint16_t t;
	assert_int_equal(wire_type_to_str(WIRE_TYPE_NSAP_PTR, text, sizeof(text)), NIM_OK);
	assert_string_equal(text, "NSAP-PTR");
	assert_int_equal(wire_type_to_str(65280, text, sizeof(text)), NIM_OK);
	assert_string_equal(text, "TYPE65280");
	assert_int_equal(wire_type_to_str(65535, text, 9), NIM_ESPACE);
	assert_int_equal(wire_type_to_str(65535, text, 10), NIM_OK);
	assert_string_equal(text, "TYPE65535");

	assert_int_equal(wire_type_from_str("aaaa", &t), NIM_OK);
	assert_int_equal(t, WIRE_TYPE_AAAA);
	assert_int_equal(wire_type_from_str("Nsap-Ptr", &t), NIM_OK);
	assert_int_equal(t, WIRE_TYPE_NSAP_PTR);
	assert_int_equal(wire_type_from_str("type1", &t), NIM_OK);
	assert_int_equal(t, 1);
	assert_int_equal(wire_type_from_str("TYPE65535", &t), NIM_OK);
	assert_int_equal(t, 65535);
	assert_int_equal(wire_type_from_str("TA", &t), NIM_OK);
	assert_int_equal(t, WIRE_TYPE_TA);
	t = 7;
	static const char *const bad[] = {"TYPE65536", "TYPE", "TYPE-1", "TYPE1x",
					  "BOGUS",     "",     "A "};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(wire_type_from_str(bad[i], &t), NIM_EINVAL);
	assert_int_equal(t, 7);
	/* Every mnemonic reads back as its own type. */
	for (unsigned v = 0; v < 65536; v += v < 300 ? 1 : 97) {
		assert_int_equal(wire_type_to_str((uint16_t)v, text, sizeof(text)), NIM_OK);
		assert_int_equal(wire_type_from_str(text, &t), NIM_OK);
		assert_int_equal(t, v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_fixture_has_its_status),
	    cmocka_unit_test(plain_query_fields),
	    cmocka_unit_test(edns_fields),
	    cmocka_unit_test(edns_options),
	    cmocka_unit_test(bad_opt_keeps_header_and_question),
	    cmocka_unit_test(opt_owner_pointer_to_root),
	    cmocka_unit_test(ede_write_read),
	    cmocka_unit_test(tsig_position),
	    cmocka_unit_test(question_count),
	    cmocka_unit_test(faults_fill_what_was_read),
	    cmocka_unit_test(rr_iteration),
	    cmocka_unit_test(round_trip_through_builder),
	    cmocka_unit_test(ldns_agrees_on_well_formed_fixtures),
	    cmocka_unit_test(update_with_empty_rdata),
	    cmocka_unit_test(rdata_descriptors),
	    cmocka_unit_test(rdata_layouts),
	    cmocka_unit_test(type_mnemonics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
