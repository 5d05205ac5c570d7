/*
 * Unit tests for NSEC3 in the zone core (src/zone/nsec3.c, layout.c): the
 * hashes of the RFC 5155 Appendix A example (salt aabbccdd, 12 iterations),
 * the NSEC3 array kept out of the tree, each node linked to its NSEC3, and
 * match and cover (wrapping) on a small chain.
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

/* RFC 5155 Appendix A: owner names and their hashes. */
static const char *const HASHES[][2] = {
	{"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
	{"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
	{"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
	{"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
	{"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
	{"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
	{"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
	{"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
	{"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
	{"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
	{"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
};

static void b32hex_decode(const char *text, uint8_t out[20])
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t w = 0;
	for (const char *p = text; *p != '\0'; p++) {
		unsigned d = *p <= '9' ? (unsigned)(*p - '0') : (unsigned)(*p - 'a' + 10);
		acc = (acc << 5) | d;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[w++] = (uint8_t)(acc >> bits);
		}
	}
	assert_int_equal(w, 20);
}

static void wname(const char *text, uint8_t out[WIRE_NAME_MAXLEN])
{
	size_t len;
	assert_int_equal(wire_name_from_str(text, ORIGIN, out, &len), NIM_OK);
}

static void add(struct zone_builder *b, const char *owner, uint16_t type, const void *rdata,
		size_t rdlen)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	wname(owner, name);
	assert_int_equal(zone_builder_add(b, name, type, 1, 3600, rdata, (uint16_t)rdlen, "n", 1),
			 NIM_OK);
}

static const uint8_t PARAM[] = {1, 0, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd};

/* An NSEC3 record for the owner whose hash is hash, linking to next (no bitmap). */
static void add_nsec3(struct zone_builder *b, const char *hash, const char *next)
{
	uint8_t rd[sizeof(PARAM) + 1 + 20];
	memcpy(rd, PARAM, sizeof(PARAM));
	rd[sizeof(PARAM)] = 20;
	b32hex_decode(next, rd + sizeof(PARAM) + 1);
	char owner[64];
	snprintf(owner, sizeof(owner), "%s", hash);
	/* Upper case in the file must not matter. */
	owner[0] = (char)(owner[0] >= 'a' ? owner[0] - 'a' + 'A' : owner[0]);
	add(b, owner, WIRE_TYPE_NSEC3, rd, sizeof(rd));
}

static struct zone_version *signed_zone(void)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	static const uint8_t soa[22] = {0, 0, 0, 0, 0, 7};
	static const uint8_t key[] = {1, 0, 3, 8, 0xab};
	static const uint8_t a[4] = {192, 0, 2, 1};
	add(b, "@", WIRE_TYPE_SOA, soa, sizeof(soa));
	add(b, "@", WIRE_TYPE_NS, "\3ns1\7example", 13);
	add(b, "@", WIRE_TYPE_NSEC3PARAM, PARAM, sizeof(PARAM));
	add(b, "@", WIRE_TYPE_DNSKEY, key, sizeof(key));
	uint8_t sig[18 + 9 + 1] = {0, WIRE_TYPE_SOA, 8, 1};
	memcpy(sig + 18, "\7example", 9);
	add(b, "@", WIRE_TYPE_RRSIG, sig, sizeof(sig));
	add(b, "a", WIRE_TYPE_A, a, 4);
	add(b, "ns1", WIRE_TYPE_A, a, 4);
	add(b, "*.w", WIRE_TYPE_A, a, 4);
	add(b, "x.w", WIRE_TYPE_A, a, 4);
	/*
	 * The chain: example, a, ns1, w, *.w, x.w, each linked to the next in
	 * hash order (base32hex keeps the order of the octets, RFC 4648 §7).
	 */
	static const unsigned chain[] = {0, 1, 3, 5, 6, 7};
	const char *sorted[6];
	for (unsigned i = 0; i < 6; i++)
		sorted[i] = HASHES[chain[i]][1];
	for (unsigned i = 0; i < 6; i++)
		for (unsigned j = i + 1; j < 6; j++)
			if (strcmp(sorted[j], sorted[i]) < 0) {
				const char *t = sorted[i];
				sorted[i] = sorted[j];
				sorted[j] = t;
			}
	for (unsigned i = 0; i < 6; i++)
		add_nsec3(b, sorted[i], sorted[(i + 1) % 6]);
	struct nim_diag_list diags;
	struct zone_version *v = NULL;
	nim_diag_list_init(&diags);
	assert_int_equal(zone_builder_finish(b, &diags, &v), NIM_OK);
	/* The one diagnostic: 12 iterations where RFC 9276 §3.1 asks for 0. */
	assert_non_null(diags.head);
	assert_int_equal(diags.head->severity, NIM_DIAG_WARNING);
	assert_non_null(strstr(diags.head->message, "RFC 9276 §3.1"));
	assert_null(diags.head->next);
	nim_diag_list_clear(&diags);
	zone_builder_free(b);
	return v;
}

static void rfc5155_hashes(void **state)
{
	struct zone_version *v = signed_zone();
	assert_true(v->has_nsec3);
	assert_true(v->is_signed);
	assert_int_equal(v->nsec3.iterations, 12);
	assert_int_equal(v->nsec3.salt_len, 4);
	for (size_t i = 0; i < sizeof(HASHES) / sizeof(HASHES[0]); i++) {
		uint8_t name[WIRE_NAME_MAXLEN];
		uint8_t got[20];
		uint8_t want[20];
		wname(HASHES[i][0], name);
		if (i % 2 == 1)
			name[1] = (uint8_t)(name[1] == '*' ? '*' : name[1] - 'a' + 'A');
		assert_int_equal(zone_version_nsec3_hash(v, name, got), NIM_OK);
		b32hex_decode(HASHES[i][1], want);
		assert_memory_equal(got, want, 20);
	}
	zone_version_free(v);
}

static void chain_match_and_cover(void **state)
{
	struct zone_version *v = signed_zone();
	/* The hashed owners are not nodes of the tree: example, a, ns1, w (ENT), *.w, x.w. */
	assert_int_equal(v->n_nodes, 6);
	assert_int_equal(v->n_nsec3_nodes, 6);
	assert_int_equal(v->n_records, 5 + 4 + 6);
	/* Sorted by hash: 0p9m, 2t7b, 35mt, b4um, k8ud, r53b. */
	static const char *const sorted[] = {"0p9m", "2t7b", "35mt", "b4um", "k8ud", "r53b"};
	for (unsigned i = 0; i < 6; i++) {
		const uint8_t *owner = v->nsec3_nodes[i]->owner;
		assert_int_equal(owner[0], 32);
		assert_true(strncasecmp((const char *)owner + 1, sorted[i], 4) == 0);
		assert_int_equal(v->nsec3_nodes[i]->index, i);
		assert_non_null(zone_node_rrset(v->nsec3_nodes[i], WIRE_TYPE_NSEC3));
		assert_null(zone_version_find(v, owner));
	}
	/* Every node of the tree is linked to its NSEC3 (the ENT w too). */
	for (size_t i = 0; i < v->n_nodes; i++)
		assert_non_null(v->nodes[i]->nsec3);
	assert_ptr_equal(v->apex->nsec3, v->nsec3_nodes[0]);

	const struct zone_node *match;
	const struct zone_node *cover;
	uint8_t h[20];
	b32hex_decode("35mthgpgcu1qg68fab165klnsnk3dpvl", h);
	zone_version_nsec3_find(v, h, &match, &cover);
	assert_ptr_equal(match, v->nsec3_nodes[2]);
	assert_null(cover);
	b32hex_decode("gjeqe526plbf1g8mklp59enfd789njgi", h); /* ai: between b4um and k8ud */
	zone_version_nsec3_find(v, h, &match, &cover);
	assert_null(match);
	assert_ptr_equal(cover, v->nsec3_nodes[3]);
	b32hex_decode("t644ebqk9bibcna874givr6joj62mlhv", h); /* xx: after the last */
	zone_version_nsec3_find(v, h, &match, &cover);
	assert_ptr_equal(cover, v->nsec3_nodes[5]);
	memset(h, 0, sizeof(h)); /* before the first: wraps to the last */
	zone_version_nsec3_find(v, h, &match, &cover);
	assert_null(match);
	assert_ptr_equal(cover, v->nsec3_nodes[5]);
	zone_version_free(v);
}

/* Without NSEC3PARAM there is no chain to hash for. */
static void unsigned_zone(void **state)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	static const uint8_t soa[22] = {0};
	add(b, "@", WIRE_TYPE_SOA, soa, sizeof(soa));
	add(b, "@", WIRE_TYPE_NS, "\2ns\3net", 8);
	struct nim_diag_list diags;
	struct zone_version *v = NULL;
	nim_diag_list_init(&diags);
	assert_int_equal(zone_builder_finish(b, &diags, &v), NIM_OK);
	zone_builder_free(b);
	uint8_t h[20];
	assert_false(v->has_nsec3);
	assert_int_equal(zone_version_nsec3_hash(v, ORIGIN, h), NIM_ENOTSUP);
	const struct zone_node *match = v->apex;
	const struct zone_node *cover = v->apex;
	zone_version_nsec3_find(v, h, &match, &cover);
	assert_null(match);
	assert_null(cover);
	assert_null(v->apex->nsec3);
	zone_version_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5155_hashes),
		cmocka_unit_test(chain_match_and_cover),
		cmocka_unit_test(unsigned_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
