/*
 * set.c - the served zones and the closest enclosing zone of a name.
 *
 * Entries are sorted in canonical order once sealed; an open-addressing
 * hash of origins (the same keyed name hash as the version index, at most
 * half full) answers zone_set_find with one probe per label of the query
 * name, longest suffix first, without allocating. The hash is allocated
 * with the set and filled as zones are added, so that the duplicate check of
 * zone_set_add costs one probe rather than a scan of the zones so far (a
 * scan made 100,000 zones take 5e9 name comparisons); sealing sorts and
 * fills it again.
 */
#include "zone/set.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "zone/internal.h"

struct zone_set_index {
	size_t mask;
	uint32_t slots[]; /* entry index + 1; 0 is empty */
};

static size_t index_slots(size_t n)
{
	size_t n_slots = 8;
	while (n_slots < n * 2)
		n_slots *= 2;
	return n_slots;
}

struct zone_set *zone_set_new(size_t n)
{
	struct zone_set *set = calloc(1, sizeof(*set));
	if (set == NULL)
		return NULL;
	set->entries = calloc(n != 0 ? n : 1, sizeof(*set->entries));
	/* Sized for all n at once: adding checks duplicates in O(1), never by a scan. */
	size_t n_slots = index_slots(n);
	set->index = calloc(1, sizeof(*set->index) + n_slots * sizeof(uint32_t));
	if (set->entries == NULL || set->index == NULL) {
		free(set->entries);
		free(set->index);
		free(set);
		return NULL;
	}
	set->index->mask = n_slots - 1;
	set->entries_cap = n;
	return set;
}

static uint64_t origin_hash(const uint8_t *origin)
{
	uint8_t off[WIRE_NAME_MAXLABELS + 1];
	uint64_t hash[WIRE_NAME_MAXLABELS + 1];
	(void)zone_name_hashes(origin, off, hash);
	return hash[0];
}

static void index_put(struct zone_set_index *index, uint64_t h, size_t i)
{
	size_t k = zone_hash_mix(h) & index->mask;
	while (index->slots[k] != 0)
		k = (k + 1) & index->mask;
	index->slots[k] = (uint32_t)i + 1;
}

static struct zone_entry *probe(const struct zone_set *set, const uint8_t *name, size_t len,
				uint64_t h);

int zone_set_add(struct zone_set *set, const uint8_t *origin, const char *file,
		 struct zone_entry **out)
{
	uint8_t lower[WIRE_NAME_MAXLEN];
	size_t len = wire_name_len(origin);
	memcpy(lower, origin, len);
	wire_name_to_lower(lower);
	uint64_t h = origin_hash(lower);
	if (probe(set, lower, len, h) != NULL)
		return NIM_EEXIST;
	if (set->is_sealed || set->n_entries == set->entries_cap)
		return NIM_ELIMIT;
	char *copy = strdup(file);
	if (copy == NULL)
		return NIM_ENOMEM;
	size_t i = set->n_entries++;
	struct zone_entry *e = &set->entries[i];
	memcpy(e->origin, lower, len);
	e->origin_len = len;
	e->file = copy;
	atomic_init(&e->version, NULL);
	index_put(set->index, h, i);
	*out = e;
	return NIM_OK;
}

static int entry_cmp(const void *a, const void *b)
{
	return wire_name_canon_cmp(((const struct zone_entry *)a)->origin,
				   ((const struct zone_entry *)b)->origin);
}

int zone_set_seal(struct zone_set *set)
{
	if (set->is_sealed)
		return NIM_OK;
	/* Not yet published: moving the atomics with qsort is safe here. */
	qsort(set->entries, set->n_entries, sizeof(*set->entries), entry_cmp);
	/* The sort moved the entries: index them again where they are now. */
	memset(set->index->slots, 0, (set->index->mask + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < set->n_entries; i++)
		index_put(set->index, origin_hash(set->entries[i].origin), i);
	set->is_sealed = true;
	return NIM_OK;
}

/* The entry whose origin is name[0..len) (hash h), or NULL. */
static struct zone_entry *probe(const struct zone_set *set, const uint8_t *name, size_t len,
				uint64_t h)
{
	const struct zone_set_index *index = set->index;
	for (size_t k = zone_hash_mix(h) & index->mask;; k = (k + 1) & index->mask) {
		uint32_t slot = index->slots[k];
		if (slot == 0)
			return NULL;
		struct zone_entry *e = &set->entries[slot - 1];
		if (e->origin_len == len && wire_equal_nocase(e->origin, name, len))
			return e;
	}
}

struct zone_entry *zone_set_find(const struct zone_set *set, const uint8_t *name)
{
	uint8_t off[WIRE_NAME_MAXLABELS + 1];
	uint64_t hash[WIRE_NAME_MAXLABELS + 1];
	unsigned n = zone_name_hashes(name, off, hash);
	size_t len = (size_t)off[n] + 1;
	/* Longest suffix first: a served child zone wins over its served parent. */
	for (unsigned i = 0; i <= n; i++) {
		struct zone_entry *e = probe(set, name + off[i], len - off[i], hash[i]);
		if (e != NULL)
			return e;
	}
	return NULL;
}

struct zone_entry *zone_set_get(const struct zone_set *set, const uint8_t *origin)
{
	return probe(set, origin, wire_name_len(origin), origin_hash(origin));
}

void zone_set_free(struct zone_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n_entries; i++) {
		free(set->entries[i].file);
		zone_version_free(atomic_load(&set->entries[i].version));
	}
	free(set->entries);
	free(set->index);
	free(set);
}
