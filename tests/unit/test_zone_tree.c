/*
 * Unit tests for the zone tree (src/zone/version.c, builder.c, layout.c,
 * set.c): canonical order (RFC 4034 §6.1 example), empty non-terminals,
 * occlusion under zone cuts and DNAME, the wildcard-child flag, lookups in
 * any letter case, RRSIG placement, and random trees checked against a
 * sorted-list oracle built on wire_name_canon_cmp with linear scans.
 * The random seed is printed; set ZONE_TEST_SEED to replay one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/builder.h"
#include "zone/set.h"
#include "zone/version.h"

static const uint8_t ORIGIN[] = "\7example";

/* A wire name from text, relative names under example. */
static void wname(const char *text, uint8_t out[WIRE_NAME_MAXLEN])
{
	size_t len;
	assert_int_equal(wire_name_from_str(text, ORIGIN, out, &len), NIM_OK);
}

static void add_rr(struct zone_builder *b, const char *owner, uint16_t type, const uint8_t *rdata,
		   uint16_t rdlen)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	wname(owner, name);
	assert_int_equal(zone_builder_add(b, name, type, 1, 3600, rdata, rdlen, "t.zone", 1), NIM_OK);
}

static void add_a(struct zone_builder *b, const char *owner, uint8_t last)
{
	uint8_t a[4] = {192, 0, 2, last};
	add_rr(b, owner, WIRE_TYPE_A, a, 4);
}

static void add_name_rr(struct zone_builder *b, const char *owner, uint16_t type, const char *target)
{
	uint8_t t[WIRE_NAME_MAXLEN];
	wname(target, t);
	add_rr(b, owner, type, t, (uint16_t)wire_name_len(t));
}

static void add_rrsig(struct zone_builder *b, const char *owner, uint16_t covered)
{
	uint8_t rd[18 + 9 + 4] = {(uint8_t)(covered >> 8), (uint8_t)covered, 8, 1};
	memcpy(rd + 18, "\7example", 9);
	memcpy(rd + 27, "sig!", 4);
	add_rr(b, owner, WIRE_TYPE_RRSIG, rd, sizeof(rd));
}

/* A new builder with the apex SOA and an out-of-zone NS. */
static struct zone_builder *new_zone(void)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	assert_non_null(b);
	/* MNAME and RNAME the root, serial 42, four timers of zero. */
	uint8_t soa[1 + 1 + 20] = {0, 0, 0, 0, 0, 42};
	add_rr(b, "@", WIRE_TYPE_SOA, soa, sizeof(soa));
	add_name_rr(b, "@", WIRE_TYPE_NS, "ns.example.net.");
	return b;
}

static struct zone_version *build(struct zone_builder *b)
{
	struct nim_diag_list diags;
	struct zone_version *v = NULL;
	nim_diag_list_init(&diags);
	int ret = zone_builder_finish(b, &diags, &v);
	if (ret != NIM_OK)
		nim_diag_list_print(&diags, stderr);
	assert_int_equal(ret, NIM_OK);
	nim_diag_list_clear(&diags);
	zone_builder_free(b);
	return v;
}

static void assert_owner(const struct zone_node *node, const char *text)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	assert_non_null(node);
	wname(text, name);
	assert_int_equal(wire_name_len(node->owner), wire_name_len(name));
	assert_memory_equal(node->owner, name, wire_name_len(name));
}

static void lookup(const struct zone_version *v, const char *text, struct zone_match *m)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	wname(text, name);
	zone_version_lookup(v, name, m);
}

/* RFC 4034 §6.1: the example names in canonical order. */
static void rfc4034_order(void **state)
{
	static const char *const sorted[] = {
		"example.",         "a.example.",        "yljkjljk.a.example.",
		"Z.a.example.",     "zABC.a.EXAMPLE.",   "z.example.",
		"\\001.z.example.", "*.z.example.",      "\\200.z.example.",
	};
	static const unsigned insert_order[] = {8, 3, 6, 1, 7, 4, 2, 5};
	struct zone_builder *b = new_zone();
	for (unsigned i = 0; i < 8; i++)
		add_a(b, sorted[insert_order[i]], (uint8_t)i);
	struct zone_version *v = build(b);
	assert_int_equal(v->n_nodes, 9);
	for (unsigned i = 0; i < 9; i++) {
		assert_owner(v->nodes[i], sorted[i]);
		assert_int_equal(v->nodes[i]->index, i);
	}
	assert_ptr_equal(v->apex, v->nodes[0]);
	assert_int_equal(v->serial, 42);
	assert_true((v->apex->flags & ZONE_NODE_APEX) != 0);
	assert_true((v->nodes[5]->flags & ZONE_NODE_WILDCARD_CHILD) != 0);
	assert_int_equal(v->n_records, 10);
	zone_version_free(v);
}

/* Every missing ancestor becomes an empty non-terminal with a parent chain to the apex. */
static void empty_non_terminals(void **state)
{
	struct zone_builder *b = new_zone();
	add_a(b, "a.b.c", 1);
	add_a(b, "x.c", 2);
	struct zone_version *v = build(b);
	static const char *const sorted[] = {"example.", "c.example.", "b.c.example.",
					     "a.b.c.example.", "x.c.example."};
	assert_int_equal(v->n_nodes, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_owner(v->nodes[i], sorted[i]);
	assert_int_equal(v->nodes[1]->n_rrsets, 0);
	assert_int_equal(v->nodes[2]->n_rrsets, 0);
	assert_ptr_equal(v->nodes[3]->parent, v->nodes[2]);
	assert_ptr_equal(v->nodes[2]->parent, v->nodes[1]);
	assert_ptr_equal(v->nodes[1]->parent, v->apex);
	assert_null(v->apex->parent);

	struct zone_match m;
	lookup(v, "b.c", &m);
	assert_ptr_equal(m.node, v->nodes[2]); /* an ENT exists: NODATA, not NXDOMAIN */
	lookup(v, "q.b.c", &m);
	assert_null(m.node);
	assert_ptr_equal(m.encloser, v->nodes[2]);
	/* The NSEC predecessor skips empty non-terminals (they own no NSEC). */
	uint8_t name[WIRE_NAME_MAXLEN];
	wname("b.c", name);
	assert_ptr_equal(zone_version_previous(v, name), v->apex);
	wname("aa.b.c", name);
	assert_ptr_equal(zone_version_previous(v, name), v->nodes[3]);
	wname("@", name);
	assert_ptr_equal(zone_version_previous(v, name), v->nodes[4]); /* wraps */
	zone_version_free(v);
}

/* Names below a cut are glue: never an exact match, but zone_version_find sees them. */
static void occlusion_under_cut(void **state)
{
	struct zone_builder *b = new_zone();
	add_name_rr(b, "sub", WIRE_TYPE_NS, "ns.sub");
	add_a(b, "ns.sub", 1);
	add_a(b, "x.y.sub", 2);
	add_name_rr(b, "deep.sub", WIRE_TYPE_NS, "ns.sub");
	add_a(b, "www", 3);
	struct zone_version *v = build(b);
	struct zone_match m;
	const struct zone_node *sub = zone_version_find(v, (const uint8_t *)"\3sub\7example");
	assert_non_null(sub);
	assert_true((sub->flags & ZONE_NODE_DELEGATION) != 0);
	assert_false((sub->flags & ZONE_NODE_OCCLUDED) != 0);

	lookup(v, "ns.sub", &m);
	assert_null(m.node);
	assert_ptr_equal(m.cut, sub);
	assert_ptr_equal(m.encloser, sub);
	assert_null(m.dname);
	const struct zone_node *glue = zone_version_find(v, (const uint8_t *)"\2ns\3sub\7example");
	assert_non_null(glue);
	assert_true((glue->flags & ZONE_NODE_OCCLUDED) != 0);
	assert_non_null(zone_node_rrset(glue, WIRE_TYPE_A));

	lookup(v, "sub", &m); /* the cut itself: node and cut, for DS (RFC 4035 §3.1.4.1) */
	assert_ptr_equal(m.node, sub);
	assert_ptr_equal(m.cut, sub);
	lookup(v, "a.b.x.y.sub", &m);
	assert_null(m.node);
	assert_ptr_equal(m.cut, sub);
	lookup(v, "q.deep.sub", &m); /* a cut under a cut: the first one stops the walk */
	assert_ptr_equal(m.cut, sub);
	const struct zone_node *deep = zone_version_find(v, (const uint8_t *)"\4deep\3sub\7example");
	assert_true((deep->flags & ZONE_NODE_OCCLUDED) != 0);
	lookup(v, "www", &m);
	assert_non_null(m.node);
	assert_null(m.cut);
	lookup(v, "nx", &m);
	assert_null(m.node);
	assert_null(m.cut);
	assert_ptr_equal(m.encloser, v->apex);
	/* Occluded nodes own no NSEC: the predecessor skips them. */
	uint8_t name[WIRE_NAME_MAXLEN];
	wname("zz.sub", name);
	assert_ptr_equal(zone_version_previous(v, name), sub);
	zone_version_free(v);
}

/* RFC 6672 §2.3: names below a DNAME are occluded; the DNAME owner itself is not. */
static void occlusion_under_dname(void **state)
{
	struct zone_builder *b = new_zone();
	add_name_rr(b, "d", WIRE_TYPE_DNAME, "example.org.");
	add_a(b, "x.d", 1);
	add_name_rr(b, "c", WIRE_TYPE_CNAME, "www");
	struct zone_version *v = build(b);
	struct zone_match m;
	lookup(v, "d", &m);
	assert_non_null(m.node);
	assert_null(m.dname);
	assert_true((m.node->flags & ZONE_NODE_DNAME) != 0);
	const struct zone_node *d = m.node;
	lookup(v, "x.d", &m);
	assert_null(m.node);
	assert_ptr_equal(m.dname, d);
	assert_null(m.cut);
	lookup(v, "nx.x.d", &m);
	assert_ptr_equal(m.dname, d);
	assert_true((zone_version_find(v, (const uint8_t *)"\1x\1d\7example")->flags &
		     ZONE_NODE_OCCLUDED) != 0);
	lookup(v, "C", &m);
	assert_true((m.node->flags & ZONE_NODE_CNAME) != 0);
	zone_version_free(v);
}

static void wildcard_child_and_case(void **state)
{
	struct zone_builder *b = new_zone();
	add_a(b, "*.w", 1);
	add_a(b, "MiXed", 2);
	struct zone_version *v = build(b);
	struct zone_match m;
	lookup(v, "w", &m);
	assert_non_null(m.node);
	assert_int_equal(m.node->n_rrsets, 0);
	assert_true((m.node->flags & ZONE_NODE_WILDCARD_CHILD) != 0);
	assert_false((v->apex->flags & ZONE_NODE_WILDCARD_CHILD) != 0);
	lookup(v, "nx.w", &m);
	assert_null(m.node);
	assert_owner(m.encloser, "w");
	lookup(v, "MIXED.EXAMPLE.", &m);
	assert_owner(m.node, "MiXed"); /* the zone file's letter case is kept */
	lookup(v, "mixed", &m);
	assert_owner(m.node, "MiXed");
	lookup(v, "*.W", &m);
	assert_owner(m.node, "*.w");
	lookup(v, "eXample.", &m);
	assert_ptr_equal(m.node, v->apex);
	zone_version_free(v);
}

/* RRSIGs hang off the RRset they cover; orphans form one RRSIG set in node->rrsets. */
static void rrsig_placement(void **state)
{
	struct zone_builder *b = new_zone();
	add_a(b, "www", 1);
	add_rrsig(b, "www", WIRE_TYPE_A);
	add_rrsig(b, "www", WIRE_TYPE_MX);
	add_rrsig(b, "www", WIRE_TYPE_TXT);
	add_name_rr(b, "www", WIRE_TYPE_NS, "ns.example.net.");
	struct zone_version *v = build(b);
	const struct zone_node *www = zone_version_find(v, (const uint8_t *)"\3www\7example");
	assert_int_equal(www->n_rrsets, 3);
	assert_int_equal(www->rrsets[0].type, WIRE_TYPE_A);
	assert_int_equal(www->rrsets[1].type, WIRE_TYPE_NS);
	assert_int_equal(www->rrsets[2].type, WIRE_TYPE_RRSIG);
	const struct zone_rrset *a = zone_node_rrset(www, WIRE_TYPE_A);
	assert_non_null(a->rrsig);
	assert_int_equal(a->rrsig->n_rr, 1);
	assert_int_equal(a->rrsig->rdata[2 + 1], WIRE_TYPE_A);
	assert_null(zone_node_rrset(www, WIRE_TYPE_NS)->rrsig);
	const struct zone_rrset *orphans = zone_node_rrset(www, WIRE_TYPE_RRSIG);
	assert_int_equal(orphans->n_rr, 2);
	assert_null(zone_node_rrset(www, WIRE_TYPE_MX));
	assert_false(v->is_signed); /* no DNSKEY at the apex */
	zone_version_free(v);
}

/* --- random trees against a sorted-list oracle --- */

struct oracle {
	uint8_t (*names)[WIRE_NAME_MAXLEN]; /* unique, sorted in canonical order */
	bool *has_data;
	size_t n;
};

static int canon_qsort(const void *a, const void *b)
{
	return wire_name_canon_cmp(a, b);
}

static bool oracle_has(const struct oracle *o, const uint8_t *name, size_t *at)
{
	for (size_t i = 0; i < o->n; i++) {
		if (wire_name_equal(o->names[i], name)) {
			if (at != NULL)
				*at = i;
			return true;
		}
	}
	return false;
}

/* A random name below example. of 1-3 labels from a tiny alphabet, so that names collide. */
static void random_name(uint8_t out[WIRE_NAME_MAXLEN])
{
	static const char alphabet[] = "abAB-z0\001*";
	unsigned n = 1 + (unsigned)rand() % 3;
	size_t w = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned len = 1 + (unsigned)rand() % 3;
		out[w++] = (uint8_t)len;
		for (unsigned k = 0; k < len; k++)
			out[w++] = (uint8_t)alphabet[rand() % (sizeof(alphabet) - 1)];
	}
	memcpy(out + w, ORIGIN, sizeof(ORIGIN));
}

static void oracle_add(struct oracle *o, const uint8_t *name, bool has_data)
{
	size_t at;
	if (oracle_has(o, name, &at)) {
		o->has_data[at] = o->has_data[at] || has_data;
		return;
	}
	memcpy(o->names[o->n], name, wire_name_len(name));
	o->has_data[o->n++] = has_data;
}

static void random_tree(void **state)
{
	enum { N_NAMES = 600, N_QUERIES = 3000 };
	unsigned seed = (unsigned)time(NULL);
	if (getenv("ZONE_TEST_SEED") != NULL)
		seed = (unsigned)strtoul(getenv("ZONE_TEST_SEED"), NULL, 10);
	printf("random_tree: seed %u\n", seed);
	srand(seed);

	struct oracle o;
	o.names = calloc(N_NAMES * 4 + 1, sizeof(*o.names));
	o.has_data = calloc(N_NAMES * 4 + 1, sizeof(*o.has_data));
	o.n = 0;
	assert_non_null(o.names);
	struct zone_builder *b = new_zone();
	oracle_add(&o, ORIGIN, true);
	for (unsigned i = 0; i < N_NAMES; i++) {
		uint8_t name[WIRE_NAME_MAXLEN];
		random_name(name);
		uint8_t a[4] = {10, 0, 0, (uint8_t)i};
		assert_int_equal(zone_builder_add(b, name, WIRE_TYPE_A, 1, 60, a, 4, "r", i), NIM_OK);
		oracle_add(&o, name, true);
		for (const uint8_t *p = name + name[0] + 1; wire_name_labels(p) > 1; p += p[0] + 1)
			oracle_add(&o, p, false);
	}
	/* Sort names and flags together: sort indexes by name. */
	uint8_t(*sorted)[WIRE_NAME_MAXLEN] = calloc(o.n, sizeof(*sorted));
	memcpy(sorted, o.names, o.n * sizeof(*sorted));
	qsort(sorted, o.n, sizeof(*sorted), canon_qsort);
	bool *data = calloc(o.n, sizeof(*data));
	for (size_t i = 0; i < o.n; i++) {
		size_t at = 0;
		assert_true(oracle_has(&o, sorted[i], &at));
		data[i] = o.has_data[at];
	}
	struct zone_version *v = build(b);
	assert_int_equal(v->n_nodes, o.n);
	for (size_t i = 0; i < o.n; i++) {
		assert_true(wire_name_equal(v->nodes[i]->owner, sorted[i]));
		assert_int_equal(v->nodes[i]->n_rrsets > 0, data[i]);
		if (i > 0)
			assert_true(wire_name_equal(v->nodes[i]->parent->owner,
						    sorted[i] + sorted[i][0] + 1));
	}
	for (unsigned q = 0; q < N_QUERIES; q++) {
		uint8_t name[WIRE_NAME_MAXLEN];
		if (q % 2 == 0) {
			memcpy(name, sorted[(size_t)rand() % o.n], WIRE_NAME_MAXLEN);
		} else {
			random_name(name);
		}
		/* Any letter case. */
		for (size_t k = 0; k < wire_name_len(name); k++) {
			if (name[k] >= 'a' && name[k] <= 'z' && rand() % 2)
				name[k] = (uint8_t)(name[k] - 'a' + 'A');
		}
		struct zone_match m;
		zone_version_lookup(v, name, &m);
		if (oracle_has(&o, name, NULL)) {
			assert_non_null(m.node);
			assert_true(wire_name_equal(m.node->owner, name));
			assert_ptr_equal(m.encloser, m.node);
			assert_ptr_equal(zone_version_find(v, name), m.node);
		} else {
			assert_null(m.node);
			assert_null(zone_version_find(v, name));
			const uint8_t *p = name;
			while (!oracle_has(&o, p, NULL))
				p += p[0] + 1;
			assert_true(wire_name_equal(m.encloser->owner, p));
		}
		assert_null(m.cut);
		assert_null(m.dname);
		/* Predecessor: the last data owner strictly before name, wrapping. */
		const uint8_t *prev = NULL;
		for (size_t i = 0; i < o.n; i++) {
			if (data[i] && wire_name_canon_cmp(sorted[i], name) < 0)
				prev = sorted[i];
		}
		for (size_t i = o.n; prev == NULL && i-- > 0;) {
			if (data[i])
				prev = sorted[i];
		}
		assert_true(wire_name_equal(zone_version_previous(v, name)->owner, prev));
	}
	zone_version_free(v);
	free(sorted);
	free(data);
	free(o.names);
	free(o.has_data);
}

/* --- the zone set --- */

static void zone_set_closest(void **state)
{
	struct zone_set *set = zone_set_new(4);
	struct zone_entry *e;
	assert_non_null(set);
	assert_int_equal(zone_set_add(set, (const uint8_t *)"\7Example", "a", &e), NIM_OK);
	assert_int_equal(zone_set_add(set, (const uint8_t *)"\3sub\7example", "b", &e), NIM_OK);
	assert_int_equal(zone_set_add(set, (const uint8_t *)"\3org", "c", &e), NIM_OK);
	assert_int_equal(zone_set_add(set, (const uint8_t *)"\7EXAMPLE", "d", &e), NIM_EEXIST);
	assert_int_equal(zone_set_add(set, (const uint8_t *)"", "root", &e), NIM_OK);
	assert_int_equal(zone_set_add(set, (const uint8_t *)"\3net", "e", &e), NIM_ELIMIT);
	assert_int_equal(zone_set_seal(set), NIM_OK);
	/* Sorted in canonical order: the root, example., sub.example., org. */
	assert_string_equal(set->entries[0].file, "root");
	assert_string_equal(set->entries[1].file, "a");
	assert_string_equal(set->entries[2].file, "b");
	assert_string_equal(set->entries[3].file, "c");
	assert_memory_equal(set->entries[1].origin, "\7example", 9);

	assert_string_equal(zone_set_find(set, (const uint8_t *)"\1a\3SUB\7example")->file, "b");
	assert_string_equal(zone_set_find(set, (const uint8_t *)"\3sub\7example")->file, "b");
	assert_string_equal(zone_set_find(set, (const uint8_t *)"\3bub\7example")->file, "a");
	assert_string_equal(zone_set_find(set, (const uint8_t *)"\7example")->file, "a");
	assert_string_equal(zone_set_find(set, (const uint8_t *)"\3com")->file, "root");
	assert_string_equal(zone_set_get(set, (const uint8_t *)"\3ORG")->file, "c");
	assert_null(zone_set_get(set, (const uint8_t *)"\3com"));

	/* The set frees the versions it holds. */
	struct zone_builder *b = new_zone();
	atomic_store(&zone_set_get(set, ORIGIN)->version, build(b));
	zone_set_free(set);

	set = zone_set_new(1);
	assert_int_equal(zone_set_add(set, (const uint8_t *)"\3org", "c", &e), NIM_OK);
	assert_int_equal(zone_set_seal(set), NIM_OK);
	assert_null(zone_set_find(set, (const uint8_t *)"\3com"));
	zone_set_free(set);
}

/* The version's allocator: aligned, exact first block, growth, large requests, clear. */
static void arena_blocks(void **state)
{
	struct arena a;
	arena_init(&a, 100);
	uint8_t *p = arena_alloc(&a, 3);
	uint8_t *q = arena_alloc(&a, 5);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % ARENA_ALIGN, 0);
	assert_ptr_equal(q, p + 8);
	assert_int_equal(a.used_len, 16);
	assert_non_null(arena_alloc(&a, 0));
	/* 104 octets were asked for: one block so far. */
	size_t one = a.mem_len;
	assert_true(one >= 104 && one < 104 + 64);
	uint8_t *big = arena_memdup(&a, "0123456789", 10);
	assert_memory_equal(big, "0123456789", 10);
	assert_int_equal(a.mem_len, one); /* still fits */
	assert_non_null(arena_alloc(&a, 200));
	assert_true(a.mem_len >= one + ARENA_BLOCK_LEN); /* the next block is a full one */
	uint8_t *huge = arena_alloc(&a, 3 * ARENA_BLOCK_LEN);
	assert_non_null(huge);
	memset(huge, 0xab, 3 * ARENA_BLOCK_LEN);
	assert_memory_equal(big, "0123456789", 10);
	/* Large blocks are mapped, populated, and unmapped by arena_clear. */
	uint8_t *mapped = arena_alloc(&a, 5 * ARENA_BLOCK_LEN);
	assert_non_null(mapped);
	memset(mapped, 0xcd, 5 * ARENA_BLOCK_LEN);
	arena_clear(&a);
	assert_int_equal(a.mem_len, 0);
	assert_non_null(arena_alloc(&a, 1));
	arena_clear(&a);

	/* Scratch arrays, small (malloc) and large (mapped). */
	uint8_t *small = arena_big_alloc(100);
	uint8_t *large = arena_big_alloc(5 * ARENA_BLOCK_LEN);
	assert_non_null(small);
	assert_non_null(large);
	assert_int_equal((uintptr_t)large % ARENA_ALIGN, 0);
	memset(small, 1, 100);
	memset(large, 2, 5 * ARENA_BLOCK_LEN);
	arena_big_free(small);
	arena_big_free(large);
	arena_big_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4034_order),
		cmocka_unit_test(empty_non_terminals),
		cmocka_unit_test(occlusion_under_cut),
		cmocka_unit_test(occlusion_under_dname),
		cmocka_unit_test(wildcard_child_and_case),
		cmocka_unit_test(rrsig_placement),
		cmocka_unit_test(random_tree),
		cmocka_unit_test(zone_set_closest),
		cmocka_unit_test(arena_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
