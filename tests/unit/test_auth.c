/*
 * test_auth.c - the authoritative answer algorithm (src/auth).
 *
 * Zones are built with the zone builder from records written in this file
 * (parsed by ldns) or, for the DNSSEC cases, from the signed example zones
 * in zones/ (NSEC, and NSEC3 with opt-out). Queries are built with the wire
 * builder, answered by auth_answer exactly as dispatch does it, and the
 * answer is parsed back by ldns, an independent parser. Expected sections
 * are those NSD 4.6 and Knot DNS give for the same zone and query (checked
 * by hand against both, see the notes where they differ); the order of
 * records inside a section is ours (each RRSIG right after its RRset).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "auth/answer.h"
#include "util/diag.h"
#include "util/error.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/msg.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/builder.h"
#include "zone/set.h"

#ifndef TOP_SRCDIR_DEFAULT
#define TOP_SRCDIR_DEFAULT "."
#endif

/* The unsigned test zone: one or more records for every answer case. */
static const char *const example_zone[] = {
	"example.test. 3600 SOA ns1.example.test. host.example.test. 1 7200 3600 1209600 300",
	"example.test. 3600 NS ns1.example.test.",
	"example.test. 3600 NS ns2.example.test.",
	"example.test. 3600 MX 10 mail.example.test.",
	"example.test. 3600 TXT \"apex\"",
	"ns1.example.test. 3600 A 192.0.2.53",
	"ns1.example.test. 3600 AAAA 2001:db8::53",
	"ns2.example.test. 3600 A 192.0.2.54",
	"mail.example.test. 3600 A 192.0.2.25",
	"mail.example.test. 3600 AAAA 2001:db8::25",
	"mail.example.test. 3600 TXT \"mail\"",
	"WWW.example.test. 3600 A 192.0.2.80",
	"a.b.example.test. 3600 A 192.0.2.2",
	"cname.example.test. 3600 CNAME www.example.test.",
	"chain.example.test. 3600 CNAME cname.example.test.",
	"loop1.example.test. 3600 CNAME loop2.example.test.",
	"loop2.example.test. 3600 CNAME loop1.example.test.",
	"self.example.test. 3600 CNAME self.example.test.",
	"ext.example.test. 3600 CNAME www.example.net.",
	"tonx.example.test. 3600 CNAME nothere.example.test.",
	"toother.example.test. 3600 CNAME host.other.test.",
	"todeleg.example.test. 3600 CNAME x.deleg.example.test.",
	"tochild.example.test. 3600 CNAME www.child.example.test.",
	"dname.example.test. 3600 DNAME dtarget.example.test.",
	"x.dtarget.example.test. 3600 A 192.0.2.9",
	"dout.example.test. 3600 DNAME example.net.",
	"dlong.example.test. 3600 DNAME "
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.net.",
	"*.wild.example.test. 3600 A 192.0.2.100",
	"*.wild.example.test. 3600 TXT \"wildcard\"",
	"exists.wild.example.test. 3600 A 192.0.2.101",
	"x.below.wild.example.test. 3600 A 192.0.2.102",
	"*.cwild.example.test. 3600 CNAME www.example.test.",
	"*.mxwild.example.test. 3600 MX 10 mail.example.test.",
	/* Wildcard CNAMEs whose targets are synthesized by the same wildcards (issue 9 point 1). */
	"*.wloop.example.test. 3600 CNAME again.wloop.example.test.",
	"*.w2a.example.test. 3600 CNAME x.w2b.example.test.",
	"*.w2b.example.test. 3600 CNAME y.w2a.example.test.",
	"intoloop.example.test. 3600 CNAME q.wloop.example.test.",
	/* A chain of 20 distinct wildcard CNAMEs: longer than AUTH_CHAIN_MAX. */
	"*.c1.example.test. 3600 CNAME x.c2.example.test.",
	"*.c2.example.test. 3600 CNAME x.c3.example.test.",
	"*.c3.example.test. 3600 CNAME x.c4.example.test.",
	"*.c4.example.test. 3600 CNAME x.c5.example.test.",
	"*.c5.example.test. 3600 CNAME x.c6.example.test.",
	"*.c6.example.test. 3600 CNAME x.c7.example.test.",
	"*.c7.example.test. 3600 CNAME x.c8.example.test.",
	"*.c8.example.test. 3600 CNAME x.c9.example.test.",
	"*.c9.example.test. 3600 CNAME x.c10.example.test.",
	"*.c10.example.test. 3600 CNAME x.c11.example.test.",
	"*.c11.example.test. 3600 CNAME x.c12.example.test.",
	"*.c12.example.test. 3600 CNAME x.c13.example.test.",
	"*.c13.example.test. 3600 CNAME x.c14.example.test.",
	"*.c14.example.test. 3600 CNAME x.c15.example.test.",
	"*.c15.example.test. 3600 CNAME x.c16.example.test.",
	"*.c16.example.test. 3600 CNAME x.c17.example.test.",
	"*.c17.example.test. 3600 CNAME x.c18.example.test.",
	"*.c18.example.test. 3600 CNAME x.c19.example.test.",
	"*.c19.example.test. 3600 CNAME x.c20.example.test.",
	"*.c20.example.test. 3600 A 192.0.2.120",
	"deleg.example.test. 3600 NS ns.deleg.example.test.",
	"deleg.example.test. 3600 NS ns1.example.test.",
	"ns.deleg.example.test. 3600 A 192.0.2.210",
	"ns.deleg.example.test. 3600 AAAA 2001:db8::210",
	"*.deleg.example.test. 3600 A 192.0.2.211",
	"outdeleg.example.test. 3600 NS ns.example.net.",
	"child.example.test. 3600 NS ns.child.example.test.",
	"ns.child.example.test. 3600 A 192.0.2.220",
	"_sip._tcp.example.test. 3600 SRV 0 5 5060 mail.example.test.",
	"big.example.test. 3600 TXT \"01 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	"big.example.test. 3600 TXT \"02 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	"big.example.test. 3600 TXT \"03 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	"big.example.test. 3600 TXT \"04 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	"big.example.test. 3600 TXT \"05 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	"big.example.test. 3600 TXT \"06 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	"big.example.test. 3600 TXT \"07 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	"big.example.test. 3600 TXT \"08 The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\"",
	NULL,
};

/* A second zone we serve, for chains across zones. */
static const char *const other_zone[] = {
	"other.test. 600 SOA ns.other.test. host.other.test. 1 7200 3600 1209600 60",
	"other.test. 600 NS ns.other.test.",
	"ns.other.test. 600 A 192.0.2.60",
	"host.other.test. 600 A 192.0.2.61",
	NULL,
};

/* The child of example.test's delegation "child", also served: DS must come from the parent. */
static const char *const child_zone[] = {
	"child.example.test. 600 SOA ns.child.example.test. host.example.test. 1 7200 3600 1209600 60",
	"child.example.test. 600 NS ns.child.example.test.",
	"ns.child.example.test. 600 A 192.0.2.220",
	"www.child.example.test. 600 A 192.0.2.221",
	NULL,
};

static struct zone_set *zones;
static const struct zone_version *example_v;
static const struct zone_version *nsec_v;
static const struct zone_version *nsec3_v;

/* --- building zones --- */

static void add_ldns_rr(struct zone_builder *zb, const ldns_rr *rr)
{
	ldns_buffer *buf = ldns_buffer_new(65535);
	assert_non_null(buf);
	assert_int_equal(ldns_rr_rdata2buffer_wire(buf, rr), LDNS_STATUS_OK);
	int ret = zone_builder_add(zb, ldns_rdf_data(ldns_rr_owner(rr)), ldns_rr_get_type(rr),
				   ldns_rr_get_class(rr), ldns_rr_ttl(rr), ldns_buffer_begin(buf),
				   (uint16_t)ldns_buffer_position(buf), "test", 1);
	assert_int_equal(ret, NIM_OK);
	ldns_buffer_free(buf);
}

static struct zone_version *finish(struct zone_builder *zb)
{
	struct nim_diag_list diags;
	nim_diag_list_init(&diags);
	struct zone_version *v = NULL;
	int ret = zone_builder_finish(zb, &diags, &v);
	zone_builder_free(zb);
	nim_diag_list_clear(&diags);
	assert_int_equal(ret, NIM_OK);
	assert_non_null(v);
	return v;
}

static struct zone_version *zone_from_lines(const char *origin, const char *const *lines)
{
	uint8_t wire[WIRE_NAME_MAXLEN];
	size_t wire_len;
	assert_int_equal(wire_name_from_str(origin, NULL, wire, &wire_len), NIM_OK);
	struct zone_builder *zb = zone_builder_new(wire);
	assert_non_null(zb);
	for (unsigned i = 0; lines[i] != NULL; i++) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_str(&rr, lines[i], 3600, NULL, NULL);
		if (st != LDNS_STATUS_OK)
			fail_msg("cannot parse '%s': %s", lines[i], ldns_get_errorstr_by_id(st));
		add_ldns_rr(zb, rr);
		ldns_rr_free(rr);
	}
	return finish(zb);
}

static struct zone_version *zone_from_file(const char *origin, const char *file)
{
	const char *top = getenv("TOP_SRCDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/zones/%s", top != NULL ? top : TOP_SRCDIR_DEFAULT, file);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open '%s'", path);
	ldns_zone *z = NULL;
	ldns_rdf *origin_rdf = ldns_dname_new_frm_str(origin);
	assert_int_equal(ldns_zone_new_frm_fp(&z, fp, origin_rdf, 3600, LDNS_RR_CLASS_IN),
			 LDNS_STATUS_OK);
	fclose(fp);
	struct zone_builder *zb = zone_builder_new(ldns_rdf_data(origin_rdf));
	assert_non_null(zb);
	add_ldns_rr(zb, ldns_zone_soa(z));
	for (size_t i = 0; i < ldns_zone_rr_count(z); i++)
		add_ldns_rr(zb, ldns_rr_list_rr(ldns_zone_rrs(z), i));
	ldns_zone_deep_free(z);
	ldns_rdf_deep_free(origin_rdf);
	return finish(zb);
}

static const struct zone_version *serve(struct zone_set *set, const char *origin,
					struct zone_version *v)
{
	uint8_t wire[WIRE_NAME_MAXLEN];
	size_t wire_len;
	struct zone_entry *e = NULL;
	assert_int_equal(wire_name_from_str(origin, NULL, wire, &wire_len), NIM_OK);
	assert_int_equal(zone_set_add(set, wire, "test", &e), NIM_OK);
	atomic_store(&e->version, v);
	return v;
}

static int setup(void **state)
{
	(void)state;
	zones = zone_set_new(5);
	assert_non_null(zones);
	example_v = serve(zones, "example.test.", zone_from_lines("example.test.", example_zone));
	serve(zones, "other.test.", zone_from_lines("other.test.", other_zone));
	serve(zones, "child.example.test.", zone_from_lines("child.example.test.", child_zone));
	nsec_v = serve(zones, "example-nsec.test.",
		       zone_from_file("example-nsec.test.", "example-nsec.test.zone"));
	nsec3_v = serve(zones, "example-nsec3.test.",
			zone_from_file("example-nsec3.test.", "example-nsec3.test.zone"));
	assert_int_equal(zone_set_seal(zones), NIM_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	zone_set_free(zones);
	return 0;
}

/* --- asking --- */

struct ask {
	const char *qname;
	uint16_t qtype;
	bool has_edns;
	bool is_do;
	bool is_cd;
	size_t limit;	 /* 0: 4096 with EDNS, 512 without */
	uint16_t qclass; /* 0: IN */
};

/*
 * Builds the query, parses it, and answers it the way dispatch does:
 * header, question, OPT reserved, auth_answer, OPT written. The zone is
 * chosen with zone_set_find as dispatch will.
 */
static ldns_pkt *ask_full(const struct ask *a, unsigned *rcode)
{
	uint8_t qname[WIRE_NAME_MAXLEN];
	size_t qname_len;
	assert_int_equal(wire_name_from_str(a->qname, NULL, qname, &qname_len), NIM_OK);

	uint8_t query[512];
	struct wire_builder qb;
	wire_builder_init(&qb, query, sizeof(query), 0x1234,
			  WIRE_FLAG_RD | (a->is_cd ? WIRE_FLAG_CD : 0));
	assert_int_equal(wire_builder_question(&qb, qname, a->qtype,
					       a->qclass != 0 ? a->qclass : WIRE_CLASS_IN),
			 NIM_OK);
	if (a->has_edns || a->is_do) {
		struct wire_edns_out e = { .udp_size = 4096, .is_do = a->is_do };
		assert_int_equal(wire_builder_opt(&qb, &e), NIM_OK);
	}
	size_t query_len = wire_builder_finish(&qb);
	struct wire_msg msg;
	assert_int_equal(wire_msg_parse(query, query_len, &msg), WIRE_PARSE_OK);

	const struct zone_entry *zone = zone_set_find(zones, msg.qname);
	assert_non_null(zone);
	const struct zone_version *v = atomic_load(&zone->version);
	assert_non_null(v);

	static uint8_t out[65535];
	size_t limit = a->limit != 0 ? a->limit : msg.has_edns ? 4096 : 512;
	struct wire_builder b;
	wire_builder_init(&b, out, limit, msg.id,
			  WIRE_FLAG_QR |
				  (msg.flags & (WIRE_OPCODE_MASK | WIRE_FLAG_RD | WIRE_FLAG_CD)));
	if (msg.has_edns)
		assert_int_equal(wire_builder_reserve(&b, WIRE_OPT_RR_LEN), NIM_OK);
	assert_int_equal(wire_builder_question(&b, msg.qname, msg.qtype, msg.qclass), NIM_OK);
	struct auth_query q = {
		.msg = &msg,
		.is_do = msg.has_edns && msg.edns.is_do,
		.is_class_any = msg.qclass == WIRE_CLASS_ANY,
		.zones = zones,
	};
	*rcode = auth_answer(&q, zone, v, &b);
	if (msg.has_edns) {
		struct wire_edns_out e = { .udp_size = 1232, .is_do = msg.edns.is_do };
		wire_builder_unreserve(&b, WIRE_OPT_RR_LEN);
		assert_int_equal(wire_builder_opt(&b, &e), NIM_OK);
	}
	size_t len = wire_builder_finish(&b);
	assert_true(len <= limit);
	ldns_pkt *pkt = NULL;
	assert_int_equal(ldns_wire2pkt(&pkt, out, len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_rcode(pkt), *rcode);
	return pkt;
}

static ldns_pkt *ask(const char *qname, uint16_t qtype)
{
	unsigned rcode;
	struct ask a = { .qname = qname, .qtype = qtype };
	return ask_full(&a, &rcode);
}

static ldns_pkt *ask_do(const char *qname, uint16_t qtype)
{
	unsigned rcode;
	struct ask a = { .qname = qname, .qtype = qtype, .is_do = true };
	return ask_full(&a, &rcode);
}

/*
 * A section as text: "owner TYPE" per record, "; " between records, RRSIG
 * written as "RRSIG(covered)". The owner keeps its case as sent.
 */
static const char *section(const ldns_pkt *pkt, ldns_pkt_section s)
{
	static char text[8192];
	ldns_rr_list *list = ldns_pkt_get_section_clone(pkt, s);
	text[0] = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);
		if (s == LDNS_SECTION_ADDITIONAL && ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPT)
			continue;
		char *owner = ldns_rdf2str(ldns_rr_owner(rr));
		char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
		size_t len = strlen(text);
		snprintf(text + len, sizeof(text) - len, "%s%s %s", len > 0 ? "; " : "", owner, type);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) {
			char *covered = ldns_rr_type2str(ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)));
			len = strlen(text);
			snprintf(text + len, sizeof(text) - len, "(%s)", covered);
			free(covered);
		}
		free(owner);
		free(type);
	}
	ldns_rr_list_deep_free(list);
	return text;
}

#define ANSWER(p) section((p), LDNS_SECTION_ANSWER)
#define AUTHORITY(p) section((p), LDNS_SECTION_AUTHORITY)
#define ADDITIONAL(p) section((p), LDNS_SECTION_ADDITIONAL)

static const ldns_rr *first_rr(const ldns_pkt *pkt, ldns_pkt_section s)
{
	const ldns_rr_list *list = s == LDNS_SECTION_ANSWER ? ldns_pkt_answer(pkt)
				   : s == LDNS_SECTION_AUTHORITY ? ldns_pkt_authority(pkt)
								 : ldns_pkt_additional(pkt);
	assert_true(ldns_rr_list_rr_count(list) > 0);
	return ldns_rr_list_rr(list, 0);
}

/* --- the answer cases --- */

/* Exact match: AA, the owner takes the query's case through compression, RD ignored. */
static void test_exact(void **state)
{
	(void)state;
	ldns_pkt *p = ask("wWw.Example.TEST.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_false(ldns_pkt_tc(p));
	assert_string_equal(ANSWER(p), "wWw.Example.TEST. A");
	assert_string_equal(AUTHORITY(p), "");
	assert_string_equal(ADDITIONAL(p), "");
	ldns_pkt_free(p);

	/* RD is kept; CD is cleared in an authoritative answer (RFC 4035 §3.1.6; NSD, Knot). */
	unsigned rcode;
	struct ask a = { .qname = "www.example.test.", .qtype = WIRE_TYPE_A, .is_do = true,
			 .is_cd = true };
	p = ask_full(&a, &rcode);
	assert_true(ldns_pkt_rd(p));
	assert_false(ldns_pkt_cd(p));
	assert_false(ldns_pkt_ad(p));
	assert_true(ldns_pkt_aa(p));
	ldns_pkt_free(p);
}

/* RFC 2308 §3: NODATA has the SOA with TTL min(SOA TTL, MINIMUM). */
static void test_nodata(void **state)
{
	(void)state;
	ldns_pkt *p = ask("www.example.test.", WIRE_TYPE_MX);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	assert_int_equal(ldns_rr_ttl(first_rr(p, LDNS_SECTION_AUTHORITY)), 300);
	ldns_pkt_free(p);
}

/* An empty non-terminal exists: NODATA, not NXDOMAIN. */
static void test_ent(void **state)
{
	(void)state;
	ldns_pkt *p = ask("b.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);
}

static void test_nxdomain(void **state)
{
	(void)state;
	ldns_pkt *p = ask("nothere.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	assert_int_equal(ldns_rr_ttl(first_rr(p, LDNS_SECTION_AUTHORITY)), 300);
	ldns_pkt_free(p);
}

static void test_cname_chain(void **state)
{
	(void)state;
	ldns_pkt *p = ask("chain.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "chain.example.test. CNAME; cname.example.test. CNAME; "
				       "www.example.test. A");
	ldns_pkt_free(p);

	/* qtype CNAME is answered with the CNAME itself, not followed. */
	p = ask("chain.example.test.", WIRE_TYPE_CNAME);
	assert_string_equal(ANSWER(p), "chain.example.test. CNAME");
	ldns_pkt_free(p);

	/* Out of our zones: the chain stops, NOERROR (the resolver goes on). */
	p = ask("ext.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_string_equal(ANSWER(p), "ext.example.test. CNAME");
	assert_string_equal(AUTHORITY(p), "");
	ldns_pkt_free(p);

	/* RFC 6604 §2: the RCODE speaks of the last name. */
	p = ask("tonx.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_string_equal(ANSWER(p), "tonx.example.test. CNAME");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);
}

/*
 * Into another zone we serve: followed (RFC 1034 §4.3.2 step 3a, as NSD
 * does; Knot stops at the zone's edge), AA kept, no NS added (NSD adds the
 * target zone's NS; minimal responses like Knot).
 */
static void test_cname_other_zone(void **state)
{
	(void)state;
	ldns_pkt *p = ask("toother.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "toother.example.test. CNAME; host.other.test. A");
	ldns_pkt_free(p);

	/* NODATA in the other zone: that zone's SOA. */
	p = ask("toother.example.test.", WIRE_TYPE_MX);
	assert_string_equal(ANSWER(p), "toother.example.test. CNAME");
	assert_string_equal(AUTHORITY(p), "other.test. SOA");
	assert_int_equal(ldns_rr_ttl(first_rr(p, LDNS_SECTION_AUTHORITY)), 60);
	ldns_pkt_free(p);
}

/*
 * A target below a cut to a child zone we serve: step 1 picks the closest
 * enclosing zone, the child, which answers (NSD; Knot refers from the parent).
 */
static void test_cname_child_zone(void **state)
{
	(void)state;
	ldns_pkt *p = ask("tochild.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "tochild.example.test. CNAME; www.child.example.test. A");
	assert_string_equal(AUTHORITY(p), "");
	ldns_pkt_free(p);
}

/* ANY matches the CNAME: it is the one RRset, not followed (RFC 8482 §4.1; NSD, Knot). */
static void test_cname_any(void **state)
{
	(void)state;
	ldns_pkt *p = ask("chain.example.test.", WIRE_TYPE_ANY);
	assert_string_equal(ANSWER(p), "chain.example.test. CNAME");
	ldns_pkt_free(p);
	/* Through a wildcard too, with the owner rewritten. */
	p = ask("x.cwild.example.test.", WIRE_TYPE_ANY);
	assert_string_equal(ANSWER(p), "x.cwild.example.test. CNAME");
	ldns_pkt_free(p);
	/* A DNAME's synthesized CNAME answers a CNAME query and is not followed. */
	p = ask("x.dname.example.test.", WIRE_TYPE_CNAME);
	assert_string_equal(ANSWER(p), "dname.example.test. DNAME; x.dname.example.test. CNAME");
	assert_string_equal(AUTHORITY(p), "");
	ldns_pkt_free(p);
}

/* Loops end at the first CNAME seen twice, like NSD and Knot. */
static void test_cname_loop(void **state)
{
	(void)state;
	ldns_pkt *p = ask("loop1.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_string_equal(ANSWER(p), "loop1.example.test. CNAME; loop2.example.test. CNAME");
	ldns_pkt_free(p);
	p = ask("self.example.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "self.example.test. CNAME");
	ldns_pkt_free(p);
}

/*
 * A wildcard CNAME whose target the same wildcard synthesizes: every name
 * of the chain once, stopping when a name comes round again (as NSD and
 * Knot answer), not when the wildcard node does.
 */
static void test_wildcard_cname_loop(void **state)
{
	(void)state;
	ldns_pkt *p = ask("x.wloop.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "x.wloop.example.test. CNAME; again.wloop.example.test. CNAME");
	ldns_pkt_free(p);
	p = ask("again.wloop.example.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "again.wloop.example.test. CNAME");
	ldns_pkt_free(p);
	/* Two wildcards feeding each other: x.w2a, x.w2b, y.w2a, then x.w2b again. */
	p = ask("x.w2a.example.test.", WIRE_TYPE_TXT);
	assert_string_equal(ANSWER(p), "x.w2a.example.test. CNAME; x.w2b.example.test. CNAME; "
				       "y.w2a.example.test. CNAME");
	ldns_pkt_free(p);
	/* An exact CNAME into the loop. */
	p = ask("intoloop.example.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "intoloop.example.test. CNAME; q.wloop.example.test. CNAME; "
				       "again.wloop.example.test. CNAME");
	ldns_pkt_free(p);
	/* The wildcard's own name is an exact match, a name of its own in the chain. */
	p = ask("*.wloop.example.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "*.wloop.example.test. CNAME; again.wloop.example.test. CNAME");
	ldns_pkt_free(p);
}

/* A chain of distinct wildcard CNAMEs stops at the chain-length limit. */
static void test_wildcard_cname_limit(void **state)
{
	(void)state;
	ldns_pkt *p = ask("x.c1.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 16); /* AUTH_CHAIN_MAX CNAMEs, no A */
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 15)),
			 LDNS_RR_TYPE_CNAME);
	ldns_pkt_free(p);
	/* Started 4 links later, the chain reaches the data. */
	p = ask("x.c5.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_ancount(p), 16);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 15)), LDNS_RR_TYPE_A);
	ldns_pkt_free(p);
}

/*
 * QCLASS ANY (RFC 1034 §3.7.1): the class IN answer with AA clear, the
 * question echoing ANY; negative answers without SOA, as NSD answers.
 */
static void test_class_any(void **state)
{
	(void)state;
	unsigned rcode;
	struct ask a = { .qname = "www.example.test.", .qtype = WIRE_TYPE_A, .qclass = WIRE_CLASS_ANY };
	ldns_pkt *p = ask_full(&a, &rcode);
	assert_int_equal(rcode, WIRE_RCODE_NOERROR);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "www.example.test. A");
	assert_int_equal(ldns_rr_get_class(first_rr(p, LDNS_SECTION_ANSWER)), LDNS_RR_CLASS_IN);
	assert_int_equal(ldns_rr_get_class(ldns_rr_list_rr(ldns_pkt_question(p), 0)),
			 LDNS_RR_CLASS_ANY);
	ldns_pkt_free(p);
	a.qname = "cname.example.test.";
	p = ask_full(&a, &rcode);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "cname.example.test. CNAME; www.example.test. A");
	ldns_pkt_free(p);
	a.qname = "nx.example.test.";
	p = ask_full(&a, &rcode);
	assert_int_equal(rcode, WIRE_RCODE_NXDOMAIN);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(AUTHORITY(p), "");
	ldns_pkt_free(p);
	a.qname = "x.deleg.example.test.";
	p = ask_full(&a, &rcode);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(AUTHORITY(p), "deleg.example.test. NS; deleg.example.test. NS");
	ldns_pkt_free(p);
	/* With DO in a signed zone the proofs stay (NSD's answer), the SOA does not. */
	struct ask d = { .qname = "nothere.example-nsec.test.", .qtype = WIRE_TYPE_A,
			 .is_do = true, .qclass = WIRE_CLASS_ANY };
	p = ask_full(&d, &rcode);
	assert_int_equal(rcode, WIRE_RCODE_NXDOMAIN);
	assert_false(ldns_pkt_aa(p));
	assert_null(strstr(AUTHORITY(p), "SOA"));
	assert_non_null(strstr(AUTHORITY(p), "NSEC"));
	ldns_pkt_free(p);
	/* The same query in class IN is authoritative, with the SOA. */
	a.qname = "nx.example.test.";
	a.qclass = WIRE_CLASS_IN;
	p = ask_full(&a, &rcode);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);
}

/* A CNAME to a name below a delegation: the CNAME, then the referral; AA kept. */
static void test_cname_to_referral(void **state)
{
	(void)state;
	ldns_pkt *p = ask("todeleg.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_string_equal(ANSWER(p), "todeleg.example.test. CNAME");
	assert_string_equal(AUTHORITY(p), "deleg.example.test. NS; deleg.example.test. NS");
	ldns_pkt_free(p);
}

/* RFC 6672 §3.1: DNAME, synthesized CNAME with the DNAME's TTL, then the target. */
static void test_dname(void **state)
{
	(void)state;
	ldns_pkt *p = ask("X.dname.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "dname.example.test. DNAME; X.dname.example.test. CNAME; "
				       "X.dtarget.example.test. A");
	const ldns_rr *cname = ldns_rr_list_rr(ldns_pkt_answer(p), 1);
	assert_int_equal(ldns_rr_ttl(cname), 3600);
	char *target = ldns_rdf2str(ldns_rr_rdf(cname, 0));
	assert_string_equal(target, "X.dtarget.example.test.");
	free(target);
	ldns_pkt_free(p);

	/* The DNAME owner itself is not redirected. */
	p = ask("dname.example.test.", WIRE_TYPE_DNAME);
	assert_string_equal(ANSWER(p), "dname.example.test. DNAME");
	ldns_pkt_free(p);
	p = ask("dname.example.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);

	/* Out of our zones: DNAME and CNAME, then stop. */
	p = ask("a.dout.example.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "dout.example.test. DNAME; a.dout.example.test. CNAME");
	ldns_pkt_free(p);
}

/* RFC 6672 §2.2: a synthesized name longer than 255 octets is YXDOMAIN. */
static void test_dname_yxdomain(void **state)
{
	(void)state;
	ldns_pkt *p = ask("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
			  "cccccccccccccccccccccccccccccccccccccccc.dlong.example.test.",
			  WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_YXDOMAIN);
	assert_string_equal(ANSWER(p), "dlong.example.test. DNAME");
	ldns_pkt_free(p);
}

/* RFC 4592 §3.3: synthesis with the query name as owner. */
static void test_wildcard(void **state)
{
	(void)state;
	ldns_pkt *p = ask("Foo.wild.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "Foo.wild.example.test. A");
	ldns_pkt_free(p);

	/* More than one label below the closest encloser. */
	p = ask("a.b.wild.example.test.", WIRE_TYPE_TXT);
	assert_string_equal(ANSWER(p), "a.b.wild.example.test. TXT");
	ldns_pkt_free(p);

	/* Existing names and ENTs block the wildcard (RFC 4592 §2.2). */
	p = ask("exists.wild.example.test.", WIRE_TYPE_TXT);
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);
	p = ask("below.wild.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_string_equal(ANSWER(p), "");
	ldns_pkt_free(p);
	/* Below an ENT the closest encloser is the ENT, which has no wildcard. */
	p = ask("y.below.wild.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);

	/* A wildcard CNAME: owner rewritten, then followed. */
	p = ask("q.cwild.example.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "q.cwild.example.test. CNAME; www.example.test. A");
	ldns_pkt_free(p);
}

static void test_wildcard_nodata(void **state)
{
	(void)state;
	ldns_pkt *p = ask("foo.wild.example.test.", WIRE_TYPE_MX);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);
}

/* No wildcard match at or below a delegation: "*.deleg" is occluded. */
static void test_wildcard_below_cut(void **state)
{
	(void)state;
	ldns_pkt *p = ask("x.deleg.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "deleg.example.test. NS; deleg.example.test. NS");
	ldns_pkt_free(p);
}

/*
 * Referral: AA=0, NS in authority, in-domain glue (occluded, below the
 * cut) A then AAAA, then the sibling ns1 (in zone) as optional glue.
 */
static void test_referral(void **state)
{
	(void)state;
	ldns_pkt *p = ask("www.deleg.example.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "deleg.example.test. NS; deleg.example.test. NS");
	assert_string_equal(ADDITIONAL(p), "ns.deleg.example.test. A; ns.deleg.example.test. AAAA; "
					   "ns1.example.test. A; ns1.example.test. AAAA");
	ldns_pkt_free(p);

	/* The cut name with qtype NS gets the referral too. */
	p = ask("deleg.example.test.", WIRE_TYPE_NS);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "deleg.example.test. NS; deleg.example.test. NS");
	ldns_pkt_free(p);

	/* Out-of-bailiwick NS only: no glue. */
	p = ask("outdeleg.example.test.", WIRE_TYPE_A);
	assert_string_equal(AUTHORITY(p), "outdeleg.example.test. NS");
	assert_string_equal(ADDITIONAL(p), "");
	ldns_pkt_free(p);

	/* Glue is never answered authoritatively: a query for it is referred. */
	p = ask("ns.deleg.example.test.", WIRE_TYPE_A);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	ldns_pkt_free(p);
}

/*
 * DS at a cut is the parent's (RFC 4035 §3.1.4.1): answered authoritatively
 * from the parent side, even though we serve the child zone too.
 */
static void test_ds_at_cut(void **state)
{
	(void)state;
	ldns_pkt *p = ask("child.example.test.", WIRE_TYPE_DS);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);

	/* Other types at the child's apex come from the child. */
	p = ask("child.example.test.", WIRE_TYPE_SOA);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "child.example.test. SOA");
	ldns_pkt_free(p);

	/* Without the child served, DS at the cut is answered by the parent just the same. */
	p = ask("deleg.example.test.", WIRE_TYPE_DS);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);

	/* With DO, the signed DS of a secure delegation. */
	p = ask_do("secure.example-nsec.test.", WIRE_TYPE_DS);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "secure.example-nsec.test. DS; "
				       "secure.example-nsec.test. RRSIG(DS)");
	ldns_pkt_free(p);
}

/* Additional section: A then AAAA of MX and SRV targets in the zone. */
static void test_additional(void **state)
{
	(void)state;
	ldns_pkt *p = ask("example.test.", WIRE_TYPE_MX);
	assert_string_equal(ANSWER(p), "example.test. MX");
	assert_string_equal(ADDITIONAL(p), "mail.example.test. A; mail.example.test. AAAA");
	ldns_pkt_free(p);

	p = ask("_sip._tcp.example.test.", WIRE_TYPE_SRV);
	assert_string_equal(ANSWER(p), "_sip._tcp.example.test. SRV");
	assert_string_equal(ADDITIONAL(p), "mail.example.test. A; mail.example.test. AAAA");
	ldns_pkt_free(p);

	/* Apex NS: both name servers, each A then AAAA. */
	p = ask("example.test.", WIRE_TYPE_NS);
	assert_string_equal(ADDITIONAL(p), "ns1.example.test. A; ns1.example.test. AAAA; "
					   "ns2.example.test. A");
	ldns_pkt_free(p);

	/* A wildcard MX gets additional data too. */
	p = ask("z.mxwild.example.test.", WIRE_TYPE_MX);
	assert_string_equal(ANSWER(p), "z.mxwild.example.test. MX");
	assert_string_equal(ADDITIONAL(p), "mail.example.test. A; mail.example.test. AAAA");
	ldns_pkt_free(p);
}

/* RFC 2181 §9: an answer RRset that does not fit sets TC and is left out whole. */
static void test_truncation(void **state)
{
	(void)state;
	unsigned rcode;
	struct ask a = { .qname = "big.example.test.", .qtype = WIRE_TYPE_TXT };
	ldns_pkt *p = ask_full(&a, &rcode);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);

	/* Additional data that does not fit is dropped without TC. */
	struct ask b = { .qname = "example.test.", .qtype = WIRE_TYPE_MX, .limit = 80 };
	p = ask_full(&b, &rcode);
	assert_false(ldns_pkt_tc(p));
	assert_string_equal(ANSWER(p), "example.test. MX");
	assert_string_equal(ADDITIONAL(p), "mail.example.test. A");
	ldns_pkt_free(p);

	/* RFC 9471 §3.1: in-domain glue that does not fit sets TC. */
	struct ask c = { .qname = "www.deleg.example.test.", .qtype = WIRE_TYPE_A, .limit = 110 };
	p = ask_full(&c, &rcode);
	assert_true(ldns_pkt_tc(p));
	assert_string_equal(AUTHORITY(p), "deleg.example.test. NS; deleg.example.test. NS");
	ldns_pkt_free(p);
}

/* RFC 8482 §4.1: one RRset, the first in type order (as Knot picks it). */
static void test_any(void **state)
{
	(void)state;
	ldns_pkt *p = ask("mail.example.test.", WIRE_TYPE_ANY);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "mail.example.test. A");
	ldns_pkt_free(p);
	p = ask("example.test.", WIRE_TYPE_ANY);
	assert_string_equal(ANSWER(p), "example.test. NS; example.test. NS");
	ldns_pkt_free(p);
	p = ask("b.example.test.", WIRE_TYPE_ANY);
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);
}

/* --- DNSSEC: NSEC --- */

static void test_nsec_positive(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("www.example-nsec.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "www.example-nsec.test. A; www.example-nsec.test. RRSIG(A)");
	ldns_pkt_free(p);
	/* Without DO no DNSSEC record is added... */
	p = ask("www.example-nsec.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "www.example-nsec.test. A");
	ldns_pkt_free(p);
	/* ...except those asked for by type. */
	p = ask("example-nsec.test.", WIRE_TYPE_DNSKEY);
	assert_string_equal(ANSWER(p), "example-nsec.test. DNSKEY; example-nsec.test. DNSKEY");
	ldns_pkt_free(p);
	p = ask("www.example-nsec.test.", WIRE_TYPE_NSEC);
	assert_string_equal(ANSWER(p), "www.example-nsec.test. NSEC");
	ldns_pkt_free(p);
	/* RFC 4035 §2.5: NSEC lives beside a CNAME and answers a query for it there. */
	p = ask_do("cname.example-nsec.test.", WIRE_TYPE_NSEC);
	assert_string_equal(ANSWER(p), "cname.example-nsec.test. NSEC; "
				       "cname.example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);
	/* A signed CNAME chain: every RRset with its RRSIG. */
	p = ask_do("chain.example-nsec.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "chain.example-nsec.test. CNAME; "
				       "chain.example-nsec.test. RRSIG(CNAME); "
				       "cname.example-nsec.test. CNAME; "
				       "cname.example-nsec.test. RRSIG(CNAME); "
				       "www.example-nsec.test. A; www.example-nsec.test. RRSIG(A)");
	ldns_pkt_free(p);
}

/* RFC 4035 §3.1.3.2: NSEC covering the name and NSEC covering the wildcard. */
static void test_nsec_nxdomain(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("nothere.example-nsec.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p),
			    "example-nsec.test. SOA; example-nsec.test. RRSIG(SOA); "
			    "mail.example-nsec.test. NSEC; mail.example-nsec.test. RRSIG(NSEC); "
			    "example-nsec.test. NSEC; example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);
}

/* RFC 4035 §3.1.3.1: the NSEC of the name; for an ENT the one whose span holds it. */
static void test_nsec_nodata(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("www.example-nsec.test.", WIRE_TYPE_MX);
	assert_string_equal(AUTHORITY(p),
			    "example-nsec.test. SOA; example-nsec.test. RRSIG(SOA); "
			    "www.example-nsec.test. NSEC; www.example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);
	p = ask_do("b.example-nsec.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_string_equal(AUTHORITY(p),
			    "example-nsec.test. SOA; example-nsec.test. RRSIG(SOA); "
			    "example-nsec.test. NSEC; example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);
}

/* RFC 4035 §3.1.3.3: a wildcard answer with the NSEC proving the name does not exist. */
static void test_nsec_wildcard(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("foo.wild.example-nsec.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "foo.wild.example-nsec.test. A; "
				       "foo.wild.example-nsec.test. RRSIG(A)");
	/* The RRSIG labels field (3) tells the validator it was a wildcard. */
	const ldns_rr *sig = ldns_rr_list_rr(ldns_pkt_answer(p), 1);
	assert_int_equal(ldns_rdf2native_int8(ldns_rr_rrsig_labels(sig)), 3);
	assert_string_equal(AUTHORITY(p), "exists.wild.example-nsec.test. NSEC; "
					  "exists.wild.example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);

	/* RFC 4035 §3.1.3.4: wildcard NODATA, the name's cover and the wildcard's NSEC. */
	p = ask_do("foo.wild.example-nsec.test.", WIRE_TYPE_MX);
	assert_string_equal(AUTHORITY(p),
			    "example-nsec.test. SOA; example-nsec.test. RRSIG(SOA); "
			    "exists.wild.example-nsec.test. NSEC; "
			    "exists.wild.example-nsec.test. RRSIG(NSEC); "
			    "*.wild.example-nsec.test. NSEC; *.wild.example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);
}

/* RFC 4035 §3.1.4: referral to an unsigned child with the NSEC at the cut; DS of a signed one. */
static void test_nsec_referral(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("x.insecure.example-nsec.test.", WIRE_TYPE_A);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(AUTHORITY(p), "insecure.example-nsec.test. NS; "
					  "insecure.example-nsec.test. NSEC; "
					  "insecure.example-nsec.test. RRSIG(NSEC)");
	assert_string_equal(ADDITIONAL(p), "ns.insecure.example-nsec.test. A; "
					   "ns.insecure.example-nsec.test. AAAA");
	ldns_pkt_free(p);
	p = ask_do("x.secure.example-nsec.test.", WIRE_TYPE_A);
	assert_string_equal(AUTHORITY(p), "secure.example-nsec.test. NS; "
					  "secure.example-nsec.test. DS; "
					  "secure.example-nsec.test. RRSIG(DS)");
	ldns_pkt_free(p);
	/* DS query at the unsigned cut: NODATA with the cut's NSEC. */
	p = ask_do("insecure.example-nsec.test.", WIRE_TYPE_DS);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(AUTHORITY(p),
			    "example-nsec.test. SOA; example-nsec.test. RRSIG(SOA); "
			    "insecure.example-nsec.test. NSEC; "
			    "insecure.example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);
}

/* --- DNSSEC: NSEC3 (hashes checked against NSD 4.6 and Knot answers) --- */

#define N3(h) h ".example-nsec3.test. NSEC3; " h ".example-nsec3.test. RRSIG(NSEC3)"
#define SOA3 "example-nsec3.test. SOA; example-nsec3.test. RRSIG(SOA)"

/* RFC 5155 §7.2.2: closest encloser match, next closer cover, wildcard cover. */
static void test_nsec3_nxdomain(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("nothere.example-nsec3.test.", WIRE_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_string_equal(AUTHORITY(p), SOA3 "; " N3("9uf2ptielle20q3rb3f1n76478t2hgid") "; " N3(
						  "algjq07kji2trik6b7puluqu7bpm5vjl") "; " N3("t8t7l20qd6lou2suveh0etoogorb8hk2"));
	ldns_pkt_free(p);
}

/* RFC 5155 §7.2.6 and §7.2.5: wildcard answer and wildcard NODATA. */
static void test_nsec3_wildcard(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("foo.wild.example-nsec3.test.", WIRE_TYPE_A);
	assert_string_equal(ANSWER(p), "foo.wild.example-nsec3.test. A; "
				       "foo.wild.example-nsec3.test. RRSIG(A)");
	assert_string_equal(AUTHORITY(p), N3("ue4gm4mu5tqp3mtstp6tc8g0vkmj2gvk"));
	ldns_pkt_free(p);
	p = ask_do("foo.wild.example-nsec3.test.", WIRE_TYPE_MX);
	/* The closest encloser "wild" (an ENT), the next closer's cover, "*.wild". */
	assert_string_equal(AUTHORITY(p), SOA3 "; " N3("9hj9ec77gllkir4h4epo0ofpc9ubirr9") "; " N3(
						  "ue4gm4mu5tqp3mtstp6tc8g0vkmj2gvk") "; " N3("4hddmr1abm9inmriu9u6hdaunreft8j3"));
	ldns_pkt_free(p);
}

/* RFC 5155 §7.2.3, §7.2.7: NODATA and the referral to an opt-out child. */
static void test_nsec3_nodata_referral(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("insecure.example-nsec3.test.", WIRE_TYPE_DS);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(AUTHORITY(p), SOA3 "; " N3("o90su8ipdt6k4prd2ki1446rblpgnvsb"));
	ldns_pkt_free(p);
	p = ask_do("x.insecure.example-nsec3.test.", WIRE_TYPE_A);
	assert_false(ldns_pkt_aa(p));
	assert_string_equal(AUTHORITY(p), "insecure.example-nsec3.test. NS; " N3(
						  "o90su8ipdt6k4prd2ki1446rblpgnvsb"));
	assert_string_equal(ADDITIONAL(p), "ns.insecure.example-nsec3.test. A; "
					   "ns.insecure.example-nsec3.test. AAAA");
	ldns_pkt_free(p);
}

/* RFC 4035 §3.1.1: proofs are required; when they do not fit in 512 octets, TC. */
static void test_dnssec_truncation(void **state)
{
	(void)state;
	unsigned rcode;
	struct ask a = { .qname = "nothere.example-nsec3.test.", .qtype = WIRE_TYPE_A,
			 .is_do = true, .limit = 512 };
	ldns_pkt *p = ask_full(&a, &rcode);
	assert_int_equal(rcode, WIRE_RCODE_NXDOMAIN);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_nscount(p) < 8);
	ldns_pkt_free(p);
}

/* QTYPE RRSIG (RFC 8482 §7 lets it be treated like ANY): every RRSIG at the name. */
static void test_qtype_rrsig(void **state)
{
	(void)state;
	ldns_pkt *p = ask("ns1.example-nsec.test.", WIRE_TYPE_RRSIG);
	assert_true(ldns_pkt_aa(p));
	assert_string_equal(ANSWER(p), "ns1.example-nsec.test. RRSIG(A); "
				       "ns1.example-nsec.test. RRSIG(AAAA); "
				       "ns1.example-nsec.test. RRSIG(NSEC)");
	ldns_pkt_free(p);
	/* An unsigned zone has none: NODATA. */
	p = ask("www.example.test.", WIRE_TYPE_RRSIG);
	assert_string_equal(ANSWER(p), "");
	assert_string_equal(AUTHORITY(p), "example.test. SOA");
	ldns_pkt_free(p);
}

/* RFC 5155 §7.2.8: an NSEC3 owner name does not exist for queries. */
static void test_nsec3_owner_query(void **state)
{
	(void)state;
	ldns_pkt *p = ask_do("9uf2ptielle20q3rb3f1n76478t2hgid.example-nsec3.test.",
			     WIRE_TYPE_NSEC3);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_string_equal(ANSWER(p), "");
	ldns_pkt_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_nodata),
		cmocka_unit_test(test_ent),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_cname_other_zone),
		cmocka_unit_test(test_cname_child_zone),
		cmocka_unit_test(test_cname_any),
		cmocka_unit_test(test_cname_loop),
		cmocka_unit_test(test_wildcard_cname_loop),
		cmocka_unit_test(test_wildcard_cname_limit),
		cmocka_unit_test(test_class_any),
		cmocka_unit_test(test_cname_to_referral),
		cmocka_unit_test(test_dname),
		cmocka_unit_test(test_dname_yxdomain),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_wildcard_nodata),
		cmocka_unit_test(test_wildcard_below_cut),
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_ds_at_cut),
		cmocka_unit_test(test_additional),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_nsec_positive),
		cmocka_unit_test(test_nsec_nxdomain),
		cmocka_unit_test(test_nsec_nodata),
		cmocka_unit_test(test_nsec_wildcard),
		cmocka_unit_test(test_nsec_referral),
		cmocka_unit_test(test_nsec3_nxdomain),
		cmocka_unit_test(test_nsec3_wildcard),
		cmocka_unit_test(test_nsec3_nodata_referral),
		cmocka_unit_test(test_nsec3_owner_query),
		cmocka_unit_test(test_dnssec_truncation),
		cmocka_unit_test(test_qtype_rrsig),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
