/*
 * Unit tests for the keyed name hash (src/zone/internal.h, hash.c; issue 9,
 * point 11): a hash extends its parent's label by label and ignores case;
 * two processes get different seeds; names chosen to collide under one
 * seed (as someone who knows the hash would choose them) do not cluster
 * under another; and lookups stay right under any seed.
 * Includes zone/internal.h: the hash is not part of the module's contract.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/builder.h"
#include "zone/internal.h"
#include "zone/set.h"
#include "zone/version.h"

static const uint8_t ORIGIN[] = "\7example";

static uint64_t hash_of(const char *text)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	size_t len;
	uint8_t off[WIRE_NAME_MAXLABELS + 1];
	uint64_t hash[WIRE_NAME_MAXLABELS + 1];
	assert_int_equal(wire_name_from_str(text, NULL, name, &len), NIM_OK);
	(void)zone_name_hashes(name, off, hash);
	return hash[0];
}

static void label_by_label_and_case(void **state)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	size_t len;
	uint8_t off[WIRE_NAME_MAXLABELS + 1];
	uint64_t hash[WIRE_NAME_MAXLABELS + 1];
	/* Labels of 1 to 20 octets: every branch of zone_hash_label. */
	assert_int_equal(wire_name_from_str("a.bc.def.ghij.klmnopq.RSTUVWXY.z0123456789abcdefghi.example.",
					    NULL, name, &len),
			 NIM_OK);
	unsigned n = zone_name_hashes(name, off, hash);
	assert_int_equal(n, 8);
	assert_int_equal(hash[n], zone_hash_seed.root);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(hash[i], zone_hash_label(hash[i + 1], name + off[i]));
	assert_int_equal(hash_of("WwW.ExAmPlE.CoM."), hash_of("www.example.com."));
	assert_int_equal(hash_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ.x."),
			 hash_of("abcdefghijklmnopqrstuvwxyz.x."));
	/* Octets next to the letters, and non-ASCII ones, are not folded. */
	assert_int_not_equal(hash_of("@.x."), hash_of("`.x."));
	assert_int_not_equal(hash_of("[.x."), hash_of("{.x."));
	assert_int_not_equal(hash_of("\\193.x."), hash_of("\\225.x."));
	/* Lengths that share words: "ab" and "abb" read the same three octets. */
	assert_int_not_equal(hash_of("ab."), hash_of("abb."));
	assert_int_not_equal(hash_of("abcd."), hash_of("abcdabcd."));
	assert_int_not_equal(hash_of("a.b."), hash_of("b.a."));
}

/* Two runs of this program (two processes) hash the same name differently. */
static void seed_per_process(void **state)
{
	uint64_t got[2];
	char self[4096], cmd[4200];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(len > 0);
	self[len] = '\0';
	snprintf(cmd, sizeof(cmd), "NIM_TEST_PRINT_HASH=1 '%s'", self);
	for (int i = 0; i < 2; i++) {
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%" SCNx64, &got[i]), 1);
		assert_int_equal(pclose(p), 0);
	}
	assert_int_not_equal(got[0], got[1]);
	assert_int_not_equal(got[0], hash_of("www.example.com."));
}

#define N_SLOTS 1024u
#define N_CHOSEN 64u

/*
 * With the seed known, names whose hashes share one slot of a 1,024-slot
 * table are easy to find (one in 1,024 random names). Under another seed
 * the same names spread: at most a few share a slot.
 */
static void chosen_collisions_spread(void **state)
{
	struct zone_hash_seed known = {.root = 1, .k0 = 2, .k1 = 3};
	struct zone_hash_seed other = {.root = 0x1234, .k0 = 0x9876543210, .k1 = 0x5555};
	struct zone_hash_seed saved = zone_hash_seed;
	char (*names)[32] = calloc(N_CHOSEN, sizeof(*names));
	assert_non_null(names);
	zone_hash_seed_set(&known);
	unsigned found = 0;
	for (unsigned i = 0; found < N_CHOSEN && i < 10000000u; i++) {
		char text[32];
		snprintf(text, sizeof(text), "h%u.example.", i);
		if ((zone_hash_mix(hash_of(text)) & (N_SLOTS - 1)) == 7)
			memcpy(names[found++], text, sizeof(text));
	}
	assert_int_equal(found, N_CHOSEN);
	zone_hash_seed_set(&other);
	unsigned count[N_SLOTS] = {0};
	unsigned worst = 0;
	for (unsigned i = 0; i < N_CHOSEN; i++) {
		unsigned k = (unsigned)(zone_hash_mix(hash_of(names[i])) & (N_SLOTS - 1));
		if (++count[k] > worst)
			worst = count[k];
	}
	/* 64 balls in 1,024 bins: more than 4 in one has a probability below 1e-4. */
	assert_true(worst <= 4);
	zone_hash_seed = saved;
	free(names);
}

static void add(struct zone_builder *b, const char *owner, uint16_t type, const void *rdata,
		size_t rdlen)
{
	uint8_t name[WIRE_NAME_MAXLEN];
	size_t len;
	assert_int_equal(wire_name_from_str(owner, ORIGIN, name, &len), NIM_OK);
	assert_int_equal(zone_builder_add(b, name, type, 1, 3600, rdata, (uint16_t)rdlen, "h", 1),
			 NIM_OK);
}

/* A zone built and searched under a given seed finds every name, and no other. */
static void lookups_under_seeds(void **state)
{
	static const uint8_t soa[22] = {0, 0, 0, 0, 0, 1};
	static const uint8_t a[4] = {192, 0, 2, 1};
	struct zone_hash_seed saved = zone_hash_seed;
	const struct zone_hash_seed seeds[] = {{0, 0, 0}, {1, 2, 3}, saved};
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		zone_hash_seed_set(&seeds[s]);
		struct zone_builder *b = zone_builder_new(ORIGIN);
		add(b, "@", WIRE_TYPE_SOA, soa, sizeof(soa));
		add(b, "@", WIRE_TYPE_NS, "\2ns\3net", 8);
		for (unsigned i = 0; i < 500; i++) {
			char owner[64];
			snprintf(owner, sizeof(owner), "n%u.Sub%u", i, i % 7);
			add(b, owner, WIRE_TYPE_A, a, 4);
		}
		struct nim_diag_list diags;
		struct zone_version *v = NULL;
		nim_diag_list_init(&diags);
		assert_int_equal(zone_builder_finish(b, &diags, &v), NIM_OK);
		zone_builder_free(b);
		nim_diag_list_clear(&diags);
		for (unsigned i = 0; i < 600; i++) {
			char owner[64];
			uint8_t name[WIRE_NAME_MAXLEN];
			size_t len;
			snprintf(owner, sizeof(owner), "N%u.sub%u", i, i % 7);
			assert_int_equal(wire_name_from_str(owner, ORIGIN, name, &len), NIM_OK);
			const struct zone_node *node = zone_version_find(v, name);
			if (i < 500) {
				assert_non_null(node);
				assert_true(wire_name_equal(node->owner, name));
			} else {
				assert_null(node);
			}
		}
		zone_version_free(v);

		struct zone_set *set = zone_set_new(3);
		struct zone_entry *e;
		assert_int_equal(zone_set_add(set, ORIGIN, "x", &e), NIM_OK);
		assert_int_equal(zone_set_add(set, (const uint8_t *)"\3sub\7example", "y", &e),
				 NIM_OK);
		assert_int_equal(zone_set_add(set, (const uint8_t *)"\3SUB\7example", "y", &e),
				 NIM_EEXIST);
		assert_int_equal(zone_set_seal(set), NIM_OK);
		e = zone_set_find(set, (const uint8_t *)"\1a\3Sub\7EXAMPLE");
		assert_non_null(e);
		assert_int_equal(e->origin_len, 13);
		assert_null(zone_set_find(set, (const uint8_t *)"\3org"));
		zone_set_free(set);
	}
	zone_hash_seed = saved;
}

int main(void)
{
	if (getenv("NIM_TEST_PRINT_HASH") != NULL) {
		printf("%" PRIx64 "\n", hash_of("www.example.com."));
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_by_label_and_case),
		cmocka_unit_test(seed_per_process),
		cmocka_unit_test(chosen_collisions_spread),
		cmocka_unit_test(lookups_under_seeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
