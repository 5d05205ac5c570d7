/*
 * Unit tests for the load checks of src/zone/check.c (builder.h): each
 * diagnostic with its file and line, TTL normalisation (RFC 2181 §5.2),
 * duplicates (RFC 2181 §5), canonical RDATA order (RFC 4034 §6.3), and the
 * records zone_builder_add refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/builder.h"
#include "zone/version.h"

static const uint8_t ORIGIN[] = "\7example";
static const uint8_t SOA[1 + 1 + 20] = {0, 0, 0, 0, 0, 1};

static void wname(const char *text, uint8_t out[WIRE_NAME_MAXLEN])
{
	size_t len;
	assert_int_equal(wire_name_from_str(text, ORIGIN, out, &len), NIM_OK);
}

static int add(struct zone_builder *b, const char *owner, uint16_t type, uint16_t rclass,
	       uint32_t ttl, const void *rdata, size_t rdlen, unsigned line)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	wname(owner, name);
	return zone_builder_add(b, name, type, rclass, ttl, rdata, (uint16_t)rdlen, "z.db", line);
}

static void add_ok(struct zone_builder *b, const char *owner, uint16_t type, uint32_t ttl,
		   const void *rdata, size_t rdlen, unsigned line)
{
	assert_int_equal(add(b, owner, type, 1, ttl, rdata, rdlen, line), NIM_OK);
}

static void add_target(struct zone_builder *b, const char *owner, uint16_t type, const char *target,
		       unsigned line)
{
	uint8_t t[WIRE_NAME_MAXLEN];
	wname(target, t);
	add_ok(b, owner, type, 3600, t, wire_name_len(t), line);
}

static void add_a(struct zone_builder *b, const char *owner, uint32_t ttl, uint8_t last,
		  unsigned line)
{
	uint8_t a[4] = {192, 0, 2, last};
	add_ok(b, owner, WIRE_TYPE_A, ttl, a, 4, line);
}

/* A builder with SOA (line 1) and NS (line 2) at the apex. */
static struct zone_builder *new_zone(void)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	assert_non_null(b);
	add_ok(b, "@", WIRE_TYPE_SOA, 3600, SOA, sizeof(SOA), 1);
	add_target(b, "@", WIRE_TYPE_NS, "ns.example.net.", 2);
	return b;
}

struct result {
	int ret;
	struct zone_version *v;
	struct nim_diag_list diags;
};

static void finish(struct zone_builder *b, struct result *r)
{
	nim_diag_list_init(&r->diags);
	r->v = NULL;
	r->ret = zone_builder_finish(b, &r->diags, &r->v);
	zone_builder_free(b);
}

static void done(struct result *r)
{
	zone_version_free(r->v);
	nim_diag_list_clear(&r->diags);
}

/* Asserts that the diagnostics are exactly these (severity, line, message substring). */
static void expect(const struct result *r, size_t n, const enum nim_diag_severity *sev,
		   const unsigned *lines, const char *const *texts)
{
	size_t i = 0;
	for (const struct nim_diag *d = r->diags.head; d != NULL; d = d->next, i++) {
		assert_true(i < n);
		assert_int_equal(d->severity, sev[i]);
		assert_int_equal(d->line, lines[i]);
		assert_int_equal(d->col, 0);
		assert_string_equal(d->file, "z.db");
		if (strstr(d->message, texts[i]) == NULL)
			fail_msg("diagnostic %zu: '%s' lacks '%s'", i, d->message, texts[i]);
	}
	assert_int_equal(i, n);
}

static void clean_zone(void **state)
{
	struct zone_builder *b = new_zone();
	add_a(b, "www", 3600, 1, 3);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	assert_null(r.diags.head);
	assert_int_equal(r.v->n_records, 3);
	done(&r);
}

static void missing_soa_and_ns(void **state)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	add_a(b, "www", 3600, 1, 5);
	add_a(b, "@", 3600, 1, 7);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	assert_null(r.v);
	static const enum nim_diag_severity sev[] = {NIM_DIAG_ERROR, NIM_DIAG_ERROR};
	static const unsigned lines[] = {7, 7};
	static const char *const texts[] = {"no SOA record", "no NS records"};
	expect(&r, 2, sev, lines, texts);
	done(&r);
}

/* Nothing at the apex: zone-wide errors point at the first record of the zone. */
static void empty_apex(void **state)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	add_a(b, "zz", 3600, 1, 11);
	add_a(b, "aa", 3600, 1, 12);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	static const enum nim_diag_severity sev[] = {NIM_DIAG_ERROR, NIM_DIAG_ERROR};
	static const unsigned lines[] = {11, 11};
	static const char *const texts[] = {"no SOA record", "no NS records"};
	expect(&r, 2, sev, lines, texts);
	done(&r);
}

static void two_soas(void **state)
{
	struct zone_builder *b = new_zone();
	uint8_t soa2[sizeof(SOA)];
	memcpy(soa2, SOA, sizeof(SOA));
	soa2[5] = 2;
	add_ok(b, "@", WIRE_TYPE_SOA, 3600, SOA, sizeof(SOA), 3); /* a duplicate: dropped */
	add_ok(b, "@", WIRE_TYPE_SOA, 3600, soa2, sizeof(soa2), 4);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	static const enum nim_diag_severity sev[] = {NIM_DIAG_ERROR};
	static const unsigned lines[] = {4};
	static const char *const texts[] = {"more than one SOA"};
	expect(&r, 1, sev, lines, texts);
	done(&r);
}

static void cname_and_other_data(void **state)
{
	struct zone_builder *b = new_zone();
	add_a(b, "www", 3600, 1, 3);
	add_target(b, "www", WIRE_TYPE_CNAME, "web", 4);
	add_target(b, "two", WIRE_TYPE_CNAME, "a", 5);
	add_target(b, "two", WIRE_TYPE_CNAME, "b", 6);
	/* RRSIG and NSEC may sit beside a CNAME (RFC 4035 §2.5). */
	add_target(b, "ok", WIRE_TYPE_CNAME, "web", 7);
	add_target(b, "ok", WIRE_TYPE_NSEC, "www", 8);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	static const enum nim_diag_severity sev[] = {NIM_DIAG_ERROR, NIM_DIAG_ERROR};
	static const unsigned lines[] = {5, 4};
	static const char *const texts[] = {"more than one CNAME", "a CNAME and other data"};
	expect(&r, 2, sev, lines, texts);
	done(&r);
}

static void outside_and_class(void **state)
{
	struct zone_builder *b = new_zone();
	uint8_t a[4] = {192, 0, 2, 1};
	assert_int_equal(add(b, "www.example.org.", WIRE_TYPE_A, 1, 60, a, 4, 3), NIM_OK);
	assert_int_equal(add(b, "example.", WIRE_TYPE_A, 1, 60, a, 4, 4), NIM_OK);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	static const enum nim_diag_severity sev[] = {NIM_DIAG_WARNING};
	static const unsigned lines[] = {3};
	static const char *const texts[] = {"'www.example.org.' is outside the zone 'example.'"};
	expect(&r, 1, sev, lines, texts);
	assert_int_equal(r.v->n_records, 3);
	done(&r);

	b = new_zone();
	assert_int_equal(add(b, "www", WIRE_TYPE_A, 3, 60, a, 4, 9), NIM_OK);
	finish(b, &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	static const unsigned lines2[] = {9};
	static const enum nim_diag_severity sev2[] = {NIM_DIAG_ERROR};
	static const char *const texts2[] = {"class 3"};
	expect(&r, 1, sev2, lines2, texts2);
	done(&r);
}

static void missing_glue(void **state)
{
	struct zone_builder *b = new_zone();
	add_target(b, "sub", WIRE_TYPE_NS, "ns1.sub", 3);
	add_target(b, "sub", WIRE_TYPE_NS, "ns2.sub", 4);
	add_target(b, "sub", WIRE_TYPE_NS, "sub", 5);
	add_target(b, "sub", WIRE_TYPE_NS, "ns.other", 6);  /* in zone, not under a cut */
	add_target(b, "sub", WIRE_TYPE_NS, "ns.example.net.", 7); /* out of zone */
	add_a(b, "ns1.sub", 3600, 1, 8);
	add_target(b, "ns2.sub", WIRE_TYPE_PTR, "x", 9);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	static const enum nim_diag_severity sev[] = {NIM_DIAG_WARNING, NIM_DIAG_WARNING};
	static const unsigned lines[] = {4, 5};
	static const char *const texts[] = {"'ns2.sub.example.'", "'sub.example.'"};
	expect(&r, 2, sev, lines, texts);
	done(&r);
}

/* RFC 2181 §5.2: one TTL per RRset, the first record's; a warning names the first that differs. */
static void ttl_normalised(void **state)
{
	struct zone_builder *b = new_zone();
	add_a(b, "www", 300, 3, 3);
	add_a(b, "www", 600, 1, 4);
	add_a(b, "www", 900, 2, 5);
	add_a(b, "mail", 60, 2, 6);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	static const enum nim_diag_severity sev[] = {NIM_DIAG_WARNING};
	static const unsigned lines[] = {4};
	static const char *const texts[] = {"TTL 600 differs from the TTL 300"};
	expect(&r, 1, sev, lines, texts);
	const struct zone_node *www = zone_version_find(r.v, (const uint8_t *)"\3www\7example");
	const struct zone_rrset *a = zone_node_rrset(www, WIRE_TYPE_A);
	assert_int_equal(a->ttl, 300);
	assert_int_equal(a->n_rr, 3);
	/* RFC 4034 §6.3: canonical RDATA order, whatever the file order. */
	static const uint8_t want[] = {0, 4, 192, 0, 2, 1, 0, 4, 192, 0, 2, 2, 0, 4, 192, 0, 2, 3};
	assert_memory_equal(a->rdata, want, sizeof(want));
	done(&r);
}

/* Duplicates are dropped silently, names in RDATA compared without case. */
static void duplicates_dropped(void **state)
{
	struct zone_builder *b = new_zone();
	add_a(b, "www", 3600, 1, 3);
	add_a(b, "www", 3600, 1, 4);
	add_target(b, "@", WIRE_TYPE_NS, "NS.example.NET.", 5);
	add_target(b, "@", WIRE_TYPE_NS, "b.example.net.", 6);
	add_target(b, "@", WIRE_TYPE_NS, "A.example.net.", 7);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	assert_null(r.diags.head);
	assert_int_equal(r.v->n_records, 1 + 3 + 1);
	const struct zone_rrset *ns = zone_node_rrset(r.v->apex, WIRE_TYPE_NS);
	assert_int_equal(ns->n_rr, 3);
	/* a < b < ns in canonical form; the first one in the file keeps its case. */
	assert_memory_equal(ns->rdata, "\0\17\1A\7example\3net", 17);
	assert_memory_equal(ns->rdata + 17, "\0\17\1b\7example\3net", 17);
	assert_memory_equal(ns->rdata + 2 * 17, "\0\20\2ns\7example\3net", 18);
	assert_int_equal(zone_node_rrset(zone_version_find(r.v, (const uint8_t *)"\3www\7example"),
					 WIRE_TYPE_A)->n_rr,
			 1);
	done(&r);
}

static void refused_records(void **state)
{
	struct zone_builder *b = new_zone();
	uint8_t a[5] = {1, 2, 3, 4, 5};
	assert_int_equal(add(b, "x", WIRE_TYPE_A, 1, 60, a, 5, 3), NIM_EMALFORMED);
	assert_int_equal(add(b, "x", WIRE_TYPE_OPT, 1, 60, a, 0, 3), NIM_EMALFORMED);
	static const uint8_t compressed[] = {0xc0, 12};
	assert_int_equal(add(b, "x", WIRE_TYPE_NS, 1, 60, compressed, 2, 3), NIM_EMALFORMED);
	static const uint8_t txt[] = {3, 'a', 'b'};
	assert_int_equal(add(b, "x", WIRE_TYPE_TXT, 1, 60, txt, 3, 3), NIM_EMALFORMED);
	/* Unknown types are opaque (RFC 3597). */
	assert_int_equal(add(b, "x", 65280, 1, 60, a, 5, 3), NIM_OK);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	assert_int_equal(r.v->n_records, 3);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_zone),
		cmocka_unit_test(missing_soa_and_ns),
		cmocka_unit_test(empty_apex),
		cmocka_unit_test(two_soas),
		cmocka_unit_test(cname_and_other_data),
		cmocka_unit_test(outside_and_class),
		cmocka_unit_test(missing_glue),
		cmocka_unit_test(ttl_normalised),
		cmocka_unit_test(duplicates_dropped),
		cmocka_unit_test(refused_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
