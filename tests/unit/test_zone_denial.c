/*
 * Unit tests for the denial checks of a signed zone (src/zone/check.c,
 * zone_check_denial; issue 9, point 10): a whole NSEC chain loads; a gap,
 * two NSECs at a name or a wrong next name is an error at the record's line;
 * no chain at all loads with a warning and without denial proofs
 * (is_signed cleared, so that auth never searches for an NSEC); NSEC3
 * links and coverage (RFC 5155 §7.1); NSEC3 iterations warned above 0 and
 * refused above the limit (RFC 9276 §3.1, §3.2).
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
static const uint8_t KEY[] = {1, 0, 3, 8, 0xab};
static const uint8_t A[4] = {192, 0, 2, 1};

static void wname(const char *text, uint8_t out[WIRE_NAME_MAXLEN])
{
	size_t len;
	assert_int_equal(wire_name_from_str(text, ORIGIN, out, &len), NIM_OK);
}

static void add(struct zone_builder *b, const char *owner, uint16_t type, const void *rdata,
		size_t rdlen, unsigned line)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	wname(owner, name);
	assert_int_equal(zone_builder_add(b, name, type, 1, 3600, rdata, (uint16_t)rdlen, "d.db",
					  line),
			 NIM_OK);
}

/* An NSEC at owner pointing to next (an empty type bitmap: the checks do not read it). */
static void add_nsec(struct zone_builder *b, const char *owner, const char *next, unsigned line)
{
	uint8_t rd[WIRE_NAME_MAXLEN];
	wname(next, rd);
	add(b, owner, WIRE_TYPE_NSEC, rd, wire_name_len(rd), line);
}

/* SOA (1), NS (2), DNSKEY (3) and an RRSIG (4) at the apex: a signed zone. */
static struct zone_builder *signed_zone(void)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	assert_non_null(b);
	add(b, "@", WIRE_TYPE_SOA, SOA, sizeof(SOA), 1);
	add(b, "@", WIRE_TYPE_NS, "\2ns\3net", 8, 2);
	add(b, "@", WIRE_TYPE_DNSKEY, KEY, sizeof(KEY), 3);
	uint8_t sig[18 + 9 + 1] = {0, WIRE_TYPE_SOA, 8, 1};
	memcpy(sig + 18, "\7example", 9);
	add(b, "@", WIRE_TYPE_RRSIG, sig, sizeof(sig), 4);
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

/* Exactly one diagnostic, of this severity, at this line, containing text. */
static void expect_one(const struct result *r, enum nim_diag_severity sev, unsigned line,
		       const char *text)
{
	const struct nim_diag *d = r->diags.head;
	assert_non_null(d);
	if (strstr(d->message, text) == NULL)
		fail_msg("'%s' lacks '%s'", d->message, text);
	assert_int_equal(d->severity, sev);
	assert_int_equal(d->line, line);
	assert_string_equal(d->file, "d.db");
	if (d->next != NULL)
		fail_msg("a second diagnostic: '%s'", d->next->message);
}

/*
 * Names: the apex, a delegation "sub" with glue "ns.sub" (occluded: no
 * NSEC, RFC 4035 §2.3), the empty non-terminal "x" above "a.x", and "www".
 * Canonical order (RFC 4034 §6.1): example, sub, ns.sub, www, x, a.x.
 */
static struct zone_builder *nsec_zone(bool break_link, bool drop_one, bool twice)
{
	struct zone_builder *b = signed_zone();
	add(b, "sub", WIRE_TYPE_NS, "\2ns\3sub\7example", 16, 10);
	add(b, "ns.sub", WIRE_TYPE_A, A, 4, 11);
	add(b, "a.x", WIRE_TYPE_A, A, 4, 12);
	add(b, "www", WIRE_TYPE_A, A, 4, 13);
	add_nsec(b, "@", "sub", 20);
	if (!drop_one)
		add_nsec(b, "a.x", "@", 21);
	add_nsec(b, "sub", break_link ? "zzz" : "www", 22);
	add_nsec(b, "www", "a.x", 23);
	if (twice)
		add_nsec(b, "www", "sub", 24);
	return b;
}

static void nsec_chain_whole(void **state)
{
	struct result r;
	finish(nsec_zone(false, false, false), &r);
	assert_int_equal(r.ret, NIM_OK);
	assert_null(r.diags.head);
	assert_true(r.v->is_signed);
	assert_false(r.v->has_nsec3);
	done(&r);
}

static void nsec_chain_gap(void **state)
{
	struct result r;
	finish(nsec_zone(false, true, false), &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	assert_null(r.v);
	/* At a.x's first record; the empty non-terminal x needs none (RFC 4035 §2.3). */
	expect_one(&r, NIM_DIAG_ERROR, 12, "'a.x.example.' has no NSEC record");
	done(&r);
}

static void nsec_chain_wrong_next(void **state)
{
	struct result r;
	finish(nsec_zone(true, false, false), &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	expect_one(&r, NIM_DIAG_ERROR, 22,
		   "the NSEC at 'sub.example.' points to 'zzz.example.', but the next name in the "
		   "zone is 'www.example.'");
	done(&r);
}

static void nsec_twice(void **state)
{
	struct result r;
	finish(nsec_zone(false, false, true), &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	expect_one(&r, NIM_DIAG_ERROR, 23, "more than one NSEC record at 'www.example.'");
	done(&r);
}

/* 30 names without NSEC: 20 reported with their lines, then one count for the rest. */
static void reports_are_capped(void **state)
{
	struct zone_builder *b = signed_zone();
	for (unsigned i = 0; i < 30; i++) {
		char owner[16];
		snprintf(owner, sizeof(owner), "n%02u", i);
		add(b, owner, WIRE_TYPE_A, A, 4, 100 + i);
	}
	add_nsec(b, "@", "n00", 5);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	size_t n = 0;
	const struct nim_diag *last = NULL;
	for (const struct nim_diag *d = r.diags.head; d != NULL; d = d->next, n++) {
		if (n < 20)
			assert_int_equal(d->line, 100 + n);
		last = d;
	}
	assert_int_equal(n, 21);
	assert_non_null(strstr(last->message, "10 more names without NSEC not reported"));
	done(&r);
}

/* Signatures without any chain: served, but with no denial proofs at all. */
static void no_chain(void **state)
{
	struct zone_builder *b = signed_zone();
	add(b, "www", WIRE_TYPE_A, A, 4, 5);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	expect_one(&r, NIM_DIAG_WARNING, 3, "served without denial of existence proofs");
	assert_false(r.v->is_signed);
	done(&r);
}

/* Unsigned zones are not checked: NSEC-less is normal there. */
static void unsigned_zone(void **state)
{
	struct zone_builder *b = zone_builder_new(ORIGIN);
	add(b, "@", WIRE_TYPE_SOA, SOA, sizeof(SOA), 1);
	add(b, "@", WIRE_TYPE_NS, "\2ns\3net", 8, 2);
	add_nsec(b, "@", "zzz", 3);
	struct result r;
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	assert_null(r.diags.head);
	assert_false(r.v->is_signed);
	done(&r);
}

/* RFC 5155 Appendix A hashes (salt aabbccdd, 12 iterations) of example, a and ns1. */
static const char *const H_APEX = "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom";
static const char *const H_A = "35mthgpgcu1qg68fab165klnsnk3dpvl";
static const char *const H_NS1 = "2t7b4g4vsa5smi47k61mv5bv1a22bojr";

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

static void add_nsec3(struct zone_builder *b, const uint8_t *param, size_t param_len,
		      const char *hash, const char *next, unsigned line)
{
	uint8_t rd[5 + 255 + 1 + 20];
	memcpy(rd, param, param_len);
	rd[1] = 0; /* flags: no opt-out */
	rd[param_len] = 20;
	b32hex_decode(next, rd + param_len + 1);
	add(b, hash, WIRE_TYPE_NSEC3, rd, param_len + 1 + 20, line);
}

/*
 * The apex, a and ns1 with NSEC3 under salt aabbccdd and the given
 * iterations (the hashes are those of 12 iterations: with another count
 * the coverage check reports every name, which the iteration tests skip
 * by asking only for the first diagnostic). Chain order: 0p9m, 2t7b, 35mt.
 */
static struct zone_builder *nsec3_zone_alg(uint8_t alg, unsigned iterations, bool break_link,
					   bool drop_a)
{
	uint8_t param[] = {alg, 0, (uint8_t)(iterations >> 8), (uint8_t)iterations, 4,
			   0xaa, 0xbb, 0xcc, 0xdd};
	struct zone_builder *b = signed_zone();
	add(b, "@", WIRE_TYPE_NSEC3PARAM, param, sizeof(param), 5);
	add(b, "a", WIRE_TYPE_A, A, 4, 6);
	add(b, "ns1", WIRE_TYPE_A, A, 4, 7);
	add_nsec3(b, param, sizeof(param), H_APEX, H_NS1, 10);
	add_nsec3(b, param, sizeof(param), H_NS1, drop_a ? H_APEX : break_link ? H_NS1 : H_A, 11);
	if (!drop_a)
		add_nsec3(b, param, sizeof(param), H_A, H_APEX, 12);
	return b;
}

static struct zone_builder *nsec3_zone(unsigned iterations, bool break_link, bool drop_a)
{
	return nsec3_zone_alg(1, iterations, break_link, drop_a);
}

static void nsec3_chain_whole(void **state)
{
	struct result r;
	finish(nsec3_zone(12, false, false), &r);
	assert_int_equal(r.ret, NIM_OK);
	expect_one(&r, NIM_DIAG_WARNING, 5, "12 additional iterations: RFC 9276 §3.1 asks for 0");
	assert_true(r.v->has_nsec3);
	assert_true(r.v->is_signed);
	done(&r);
}

static void nsec3_chain_broken(void **state)
{
	struct result r;
	finish(nsec3_zone(12, true, false), &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	const struct nim_diag *d = r.diags.head;
	assert_non_null(d); /* the iterations warning */
	d = d->next;
	assert_non_null(d);
	assert_int_equal(d->severity, NIM_DIAG_ERROR);
	assert_int_equal(d->line, 11);
	assert_non_null(strstr(d->message, "does not point to the next hashed owner"));
	done(&r);

	finish(nsec3_zone(12, false, true), &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	d = r.diags.head->next;
	assert_non_null(d);
	assert_int_equal(d->line, 6);
	assert_non_null(strstr(d->message, "'a.example.' has no NSEC3 record in the chain"));
	assert_null(d->next);
	done(&r);
}

/* RFC 5155 §11: SHA-1 is the only hash; another cannot be answered from. */
static void nsec3_unknown_hash(void **state)
{
	struct result r;
	finish(nsec3_zone_alg(2, 0, false, false), &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	expect_one(&r, NIM_DIAG_ERROR, 5, "NSEC3PARAM uses hash algorithm 2");
	done(&r);
}

static void nsec3_iterations_limit(void **state)
{
	struct result r;
	/* 151 > the default 150: refused, at the NSEC3PARAM's line. */
	finish(nsec3_zone(151, false, false), &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	assert_int_equal(r.diags.head->line, 5);
	assert_non_null(strstr(r.diags.head->message,
			       "151 additional iterations, more than the nsec3-max-iterations "
			       "limit of 150"));
	done(&r);
	/* 150 is allowed (a warning). */
	finish(nsec3_zone(150, false, false), &r);
	assert_int_equal(r.diags.head->severity, NIM_DIAG_WARNING);
	assert_int_equal(r.diags.head->line, 5);
	done(&r);
	/* A configured limit below the zone's count refuses it. */
	struct zone_builder *b = nsec3_zone(12, false, false);
	zone_builder_set_nsec3_max_iterations(b, 11);
	finish(b, &r);
	assert_int_equal(r.ret, NIM_ECONFIG);
	assert_non_null(strstr(r.diags.head->message, "limit of 11"));
	done(&r);
	/* And one above it lets it load. */
	b = nsec3_zone(12, false, false);
	zone_builder_set_nsec3_max_iterations(b, 12);
	finish(b, &r);
	assert_int_equal(r.ret, NIM_OK);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nsec_chain_whole),
		cmocka_unit_test(nsec_chain_gap),
		cmocka_unit_test(nsec_chain_wrong_next),
		cmocka_unit_test(nsec_twice),
		cmocka_unit_test(reports_are_capped),
		cmocka_unit_test(no_chain),
		cmocka_unit_test(unsigned_zone),
		cmocka_unit_test(nsec3_chain_whole),
		cmocka_unit_test(nsec3_chain_broken),
		cmocka_unit_test(nsec3_unknown_hash),
		cmocka_unit_test(nsec3_iterations_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
