/*
 * builder.c - staging records and ordering names for a new zone version.
 *
 * Adding a record is amortised O(labels): its owner is interned once in a
 * hash table (with every missing ancestor, which is how empty
 * non-terminals appear) and its RDATA appended to one buffer. Finishing
 * sorts the distinct names once into canonical order (RFC 4034 §6.1) by
 * memcmp-able keys, buckets the records by owner with a counting sort, and
 * hands over to check.c (RRsets and checks) and layout.c (the version).
 */
#include "zone/builder.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/error.h"
#include "wire/rdata.h"
#include "zone/internal.h"
#include "zone/staging.h"

/*
 * Grows *arr (of elem_len octets each, from arena_big_realloc) so that it
 * has room for need elements: a large array grows without being copied.
 */
static int grow(void **arr, size_t *cap, size_t need, size_t elem_len)
{
	if (need <= *cap)
		return NIM_OK;
	size_t cap2 = *cap != 0 ? *cap : 64;
	while (cap2 < need)
		cap2 *= 2;
	if (cap2 > SIZE_MAX / elem_len)
		return NIM_ENOMEM;
	void *p = arena_big_realloc(*arr, cap2 * elem_len);
	if (p == NULL)
		return NIM_ENOMEM;
	*arr = p;
	*cap = cap2;
	return NIM_OK;
}

/*
 * The name table: a slot holds the high half of the mixed hash beside the
 * id (a miss reads no name), and a name's home slot is given by the top
 * bits of the mixed hash. So the slot alone tells where a name goes in a
 * table twice as large: growing reads no name, and writes the new table
 * front to back.
 */
static size_t table_home(const struct zone_builder *b, uint64_t mixed)
{
	return (size_t)(mixed >> (64 - b->table_bits));
}

/* Puts a slot in the first free place from home on. */
static void table_put(struct zone_builder *b, size_t home, uint64_t slot)
{
	size_t i = home;
	while (b->table[i] != 0)
		i = (i + 1) & b->table_mask;
	b->table[i] = slot;
}

/* Doubles the name table and reinserts every name. */
static int table_grow(struct zone_builder *b)
{
	size_t n_slots = (b->table_mask + 1) * 2;
	uint64_t *t = calloc(n_slots, sizeof(*t));
	if (t == NULL)
		return NIM_ENOMEM;
	arena_advise_huge(t, n_slots * sizeof(*t));
	uint64_t *old = b->table;
	size_t n_old = b->table_mask + 1;
	b->table = t;
	b->table_mask = n_slots - 1;
	b->table_bits++;
	for (size_t i = 0; i < n_old; i++) {
		uint64_t slot = old[i];
		if (slot == 0)
			continue;
		uint64_t mixed = b->table_bits <= 32
					 ? slot & ~(uint64_t)UINT32_MAX
					 : zone_hash_mix(b->names[(uint32_t)slot - 1].hash);
		table_put(b, table_home(b, mixed), slot);
	}
	free(old);
	return NIM_OK;
}

static void table_insert(struct zone_builder *b, uint32_t id)
{
	uint64_t mixed = zone_hash_mix(b->names[id].hash);
	table_put(b, table_home(b, mixed), (mixed >> 32 << 32) | ((uint64_t)id + 1));
}

static uint32_t table_get(const struct zone_builder *b, const uint8_t *name, size_t len, uint64_t h)
{
	uint64_t mixed = zone_hash_mix(h);
	for (size_t i = table_home(b, mixed);; i = (i + 1) & b->table_mask) {
		uint64_t slot = b->table[i];
		if (slot == 0)
			return NO_ID;
		if (slot >> 32 != mixed >> 32)
			continue;
		const struct sname *s = &b->names[(uint32_t)slot - 1];
		if (s->hash == h && s->len == len && wire_equal_nocase(sname_bytes(b, s), name, len))
			return (uint32_t)slot - 1;
	}
}

/* Adds a name whose bytes are already at name_buf + off; its parent is set by the caller. */
static int name_new(struct zone_builder *b, uint32_t off, size_t len, uint64_t h, uint32_t *id)
{
	if (b->n_names >= NO_ID - 1)
		return NIM_ENOMEM;
	if ((b->n_names + 1) * 2 > b->table_mask + 1 && table_grow(b) != NIM_OK)
		return NIM_ENOMEM;
	if (grow((void **)&b->names, &b->names_cap, b->n_names + 1, sizeof(*b->names)) != NIM_OK)
		return NIM_ENOMEM;
	struct sname *s = &b->names[b->n_names];
	memset(s, 0, sizeof(*s));
	s->hash = h;
	s->off = off;
	s->parent = NO_ID;
	s->len = (uint8_t)len;
	b->names_total_len += len;
	*id = (uint32_t)b->n_names++;
	table_insert(b, *id);
	return NIM_OK;
}

/* Copies octets into the name buffer; their offset in *off. */
static int name_buf_put(struct zone_builder *b, const uint8_t *src, size_t len, uint32_t *off)
{
	if (b->name_len + len > UINT32_MAX)
		return NIM_ENOMEM;
	if (grow((void **)&b->name_buf, &b->name_cap, b->name_len + len, 1) != NIM_OK)
		return NIM_ENOMEM;
	memcpy(b->name_buf + b->name_len, src, len);
	*off = (uint32_t)b->name_len;
	b->name_len += len;
	return NIM_OK;
}

/*
 * The id of owner (at or below the origin), interning it and every missing
 * ancestor: an ancestor shares the owner's bytes (it is a suffix of them).
 */
static int intern(struct zone_builder *b, const uint8_t *owner, uint32_t *out)
{
	uint8_t off[WIRE_NAME_MAXLABELS + 1];
	uint64_t hash[WIRE_NAME_MAXLABELS + 1];
	unsigned n = zone_name_hashes(owner, off, hash);
	size_t len = (size_t)off[n] + 1;

	uint32_t id = table_get(b, owner, len, hash[0]);
	if (id != NO_ID) {
		*out = id;
		return NIM_OK;
	}
	uint32_t base;
	if (name_buf_put(b, owner, len, &base) != NIM_OK)
		return NIM_ENOMEM;
	if (name_new(b, base, len, hash[0], &id) != NIM_OK)
		return NIM_ENOMEM;
	*out = id;
	/* Link upwards until an existing ancestor: the origin was interned first. */
	for (unsigned i = 1; i <= n - b->origin_labels; i++) {
		uint32_t parent = table_get(b, owner + off[i], len - off[i], hash[i]);
		bool is_new = parent == NO_ID;
		if (is_new && name_new(b, base + off[i], len - off[i], hash[i], &parent) != NIM_OK)
			return NIM_ENOMEM;
		b->names[id].parent = parent;
		b->names[parent].n_children++;
		if (!is_new)
			break;
		id = parent;
	}
	return NIM_OK;
}

struct zone_builder *zone_builder_new(const uint8_t *origin)
{
	struct zone_builder *b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->origin_len = wire_name_len(origin);
	memcpy(b->origin, origin, b->origin_len);
	wire_name_to_lower(b->origin);
	b->origin_labels = wire_name_labels(origin);
	b->table_mask = 1023;
	b->table_bits = 10;
	b->table = calloc(b->table_mask + 1, sizeof(*b->table));
	uint32_t id;
	if (b->table == NULL || intern(b, b->origin, &id) != NIM_OK) {
		zone_builder_free(b);
		return NULL;
	}
	b->last_name = id;
	return b;
}

static int file_index(struct zone_builder *b, const char *file, uint32_t *out)
{
	/* Records come in runs from one file: look from the last one backwards. */
	for (size_t i = b->n_files; i-- > 0;) {
		if (b->files[i] == file) {
			*out = (uint32_t)i;
			return NIM_OK;
		}
	}
	if (grow((void **)&b->files, &b->files_cap, b->n_files + 1, sizeof(*b->files)) != NIM_OK)
		return NIM_ENOMEM;
	b->files[b->n_files] = file;
	*out = (uint32_t)b->n_files++;
	return NIM_OK;
}

/* Puts a record aside for a diagnostic at finish time (a class that is not IN, or out of zone). */
static int put_aside(struct zone_builder *b, const uint8_t *owner, uint16_t rclass, uint32_t file,
		     unsigned line)
{
	struct pending p = {.file = file, .line = line, .rclass = rclass};
	if (grow((void **)&b->pending, &b->pending_cap, b->n_pending + 1, sizeof(p)) != NIM_OK ||
	    name_buf_put(b, owner, wire_name_len(owner), &p.name_off) != NIM_OK)
		return NIM_ENOMEM;
	b->pending[b->n_pending++] = p;
	return NIM_OK;
}

int zone_builder_add(struct zone_builder *b, const uint8_t *owner, uint16_t type, uint16_t rclass,
		     uint32_t ttl, const uint8_t *rdata, uint16_t rdlength, const char *file,
		     unsigned line)
{
	uint32_t file_id;
	uint32_t name;

	if (b->is_spent)
		return NIM_EINVAL;
	if (wire_type_is_meta(type) || wire_rdata_check_flat(type, rdata, rdlength) != NIM_OK)
		return NIM_EMALFORMED;
	if (file_index(b, file, &file_id) != NIM_OK)
		return NIM_ENOMEM;
	if (rclass != 1)
		return put_aside(b, owner, rclass, file_id, line);
	if (!wire_name_is_subdomain(owner, b->origin))
		return put_aside(b, owner, 0, file_id, line);

	const struct sname *last = &b->names[b->last_name];
	size_t len = wire_name_len(owner);
	if (last->len == len && memcmp(sname_bytes(b, last), owner, len) == 0) {
		name = b->last_name;
	} else {
		if (intern(b, owner, &name) != NIM_OK)
			return NIM_ENOMEM;
		b->last_name = name;
	}
	if (b->rdata_len + rdlength > UINT32_MAX ||
	    grow((void **)&b->rdata, &b->rdata_cap, b->rdata_len + rdlength, 1) != NIM_OK ||
	    grow((void **)&b->recs, &b->recs_cap, b->n_recs + 1, sizeof(*b->recs)) != NIM_OK)
		return NIM_ENOMEM;
	if (rdlength != 0)
		memcpy(b->rdata + b->rdata_len, rdata, rdlength);
	if (b->n_recs == 0) {
		b->first.file = file_id;
		b->first.line = line;
	}
	struct rec *r = &b->recs[b->n_recs++];
	r->name = name;
	r->rdata_off = (uint32_t)b->rdata_len;
	r->ttl = ttl;
	r->line = line;
	r->file = file_id;
	r->rdlen = rdlength;
	r->type = type;
	/* RRSIG RDATA starts with the type covered (RFC 4034 §3.1); the check above saw 18 octets. */
	r->covered = type == WIRE_TYPE_RRSIG ? (uint16_t)((rdata[0] << 8) | rdata[1]) : 0;
	r->is_dup = 0;
	b->rdata_len += rdlength;
	if (type == WIRE_TYPE_NSEC3 && !b->names[name].has_nsec3) {
		b->names[name].has_nsec3 = 1;
		b->n_nsec3_owners++;
	}
	return NIM_OK;
}

void zone_builder_free(struct zone_builder *b)
{
	if (b == NULL)
		return;
	arena_big_free(b->recs);
	arena_big_free(b->rdata);
	arena_big_free(b->names);
	arena_big_free(b->name_buf);
	free(b->table);
	arena_big_free(b->files);
	arena_big_free(b->pending);
	arena_big_free(b->order);
	arena_big_free(b->main_ids);
	free(b->nsec3_ids);
	arena_big_free(b->groups);
	arena_big_free(b->spare);
	free(b->scratch);
	arena_big_free(b->ns_recs);
	arena_big_free(b->denial_locs);
	free(b);
}

/*
 * Canonical order by memcmp: a name's key is its labels below the origin,
 * right to left, each lower-cased and followed by 0x00. Octets 0x00 and
 * 0x01 become 0x01 0x01 and 0x01 0x02, so the terminator sorts below every
 * octet of a label and a label sorts after its own prefixes, as RFC 4034
 * §6.1 orders them; fewer labels with equal ones sort first. The first
 * eight key octets, inline in the sorted array, settle most comparisons
 * without touching the key buffer.
 */
struct key_ent {
	uint64_t prefix; /* first 8 key octets, big-endian, zero-padded */
	uint32_t off;    /* key at keys + off */
	uint32_t len;
	uint32_t id;
};

static int key_cmp(const struct key_ent *a, const struct key_ent *b, const uint8_t *keys)
{
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	size_t n = a->len < b->len ? a->len : b->len;
	if (n > 8) {
		int d = memcmp(keys + a->off + 8, keys + b->off + 8, n - 8);
		if (d != 0)
			return d;
	}
	return a->len < b->len ? -1 : a->len > b->len;
}

static void key_swap(struct key_ent *a, struct key_ent *b)
{
	struct key_ent t = *a;
	*a = *b;
	*b = t;
}

/* Quicksort (median of three, Hoare partition), smaller side first: depth O(log n). */
static void key_sort(struct key_ent *a, size_t n, const uint8_t *keys)
{
	while (n > 16) {
		size_t mid = n / 2;
		if (key_cmp(&a[mid], &a[0], keys) < 0)
			key_swap(&a[mid], &a[0]);
		if (key_cmp(&a[n - 1], &a[0], keys) < 0)
			key_swap(&a[n - 1], &a[0]);
		if (key_cmp(&a[n - 1], &a[mid], keys) < 0)
			key_swap(&a[n - 1], &a[mid]);
		struct key_ent p = a[mid];
		size_t i = 0;
		size_t j = n - 1;
		for (;;) {
			while (key_cmp(&a[i], &p, keys) < 0)
				i++;
			while (key_cmp(&a[j], &p, keys) > 0)
				j--;
			if (i >= j)
				break;
			key_swap(&a[i++], &a[j--]);
		}
		/* a[0..j] <= p <= a[j+1..n) */
		size_t left = j + 1;
		if (left < n - left) {
			key_sort(a, left, keys);
			a += left;
			n -= left;
		} else {
			key_sort(a + left, n - left, keys);
			n = left;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct key_ent t = a[i];
		size_t j = i;
		for (; j > 0 && key_cmp(&t, &a[j - 1], keys) < 0; j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

/* Writes the sort key of name (its labels but the last skip_labels) to out; returns its length. */
static size_t make_key(const uint8_t *name, unsigned skip_labels, uint8_t *out)
{
	uint8_t off[WIRE_NAME_MAXLABELS];
	unsigned n = wire_name_label_offsets(name, off);
	size_t w = 0;
	for (unsigned i = n - skip_labels; i-- > 0;) {
		const uint8_t *label = name + off[i];
		for (unsigned k = 1; k <= label[0]; k++) {
			uint8_t c = wire_lower(label[k]);
			if (c <= 1) {
				out[w++] = 1;
				c++;
			}
			out[w++] = c;
		}
		out[w++] = 0;
	}
	return w;
}

/* An NSEC3 owner and its decoded hash, for sorting the NSEC3 array. */
struct nsec3_ent {
	uint8_t hash[ZONE_NSEC3_HASH_LEN];
	uint32_t id;
};

static int nsec3_ent_cmp(const void *a, const void *b)
{
	return memcmp(((const struct nsec3_ent *)a)->hash, ((const struct nsec3_ent *)b)->hash,
		      ZONE_NSEC3_HASH_LEN);
}

/*
 * An NSEC3 owner goes to the NSEC3 array when it is one hash label below
 * the apex with nothing below it; anything else stays a node of the tree.
 * The array is sorted by the decoded hash.
 */
static int split_nsec3(struct zone_builder *b)
{
	size_t n = 0;
	for (size_t id = 0; b->n_nsec3_owners > 0 && id < b->n_names; id++) {
		const struct sname *s = &b->names[id];
		if (s->has_nsec3 && s->parent == 0 && s->n_children == 0)
			n++;
	}
	struct nsec3_ent *ents = malloc((n + 1) * sizeof(*ents));
	b->nsec3_ids = malloc((n + 1) * sizeof(*b->nsec3_ids));
	if (ents == NULL || b->nsec3_ids == NULL) {
		free(ents);
		return NIM_ENOMEM;
	}
	n = 0;
	for (uint32_t id = 0; b->n_nsec3_owners > 0 && id < b->n_names; id++) {
		struct sname *s = &b->names[id];
		if (s->has_nsec3 && s->parent == 0 && s->n_children == 0 &&
		    zone_nsec3_label_decode(sname_bytes(b, s), ents[n].hash)) {
			s->kind = NAME_NSEC3;
			ents[n++].id = id;
		}
	}
	qsort(ents, n, sizeof(*ents), nsec3_ent_cmp);
	for (size_t i = 0; i < n; i++) {
		b->nsec3_ids[i] = ents[i].id;
		b->names[ents[i].id].pos = (uint32_t)i;
	}
	b->n_nsec3 = n;
	free(ents);
	return NIM_OK;
}

static int sort_main(struct zone_builder *b)
{
	size_t n = b->n_names - b->n_nsec3;
	/*
	 * A label of L octets makes at most 2L + 1 key octets, no more than
	 * twice the L + 1 it takes in the name; the origin's labels make none.
	 * Plus room for the 8-octet peek.
	 */
	size_t keys_len = 16 + 2u * (b->names_total_len - b->n_names * b->origin_len);
	struct key_ent *ents = arena_big_alloc((n + 1) * sizeof(*ents));
	/* Only partly written: pages touched when used (keys_len is a bound). */
	uint8_t *keys = arena_big_realloc(NULL, keys_len);
	b->main_ids = arena_big_alloc((n + 1) * sizeof(*b->main_ids));
	int ret = NIM_ENOMEM;
	if (ents == NULL || keys == NULL || b->main_ids == NULL)
		goto out;
	size_t w = 0;
	size_t k = 0;
	for (uint32_t id = 0; id < b->n_names; id++) {
		const struct sname *s = &b->names[id];
		if (s->kind != NAME_MAIN)
			continue;
		struct key_ent *e = &ents[k++];
		e->off = (uint32_t)w;
		e->len = (uint32_t)make_key(sname_bytes(b, s), b->origin_labels, keys + w);
		e->id = id;
		memset(keys + w + e->len, 0, 8);
		e->prefix = 0;
		for (unsigned i = 0; i < 8; i++)
			e->prefix = (e->prefix << 8) | keys[w + i];
		w += e->len;
	}
	key_sort(ents, n, keys);
	for (size_t i = 0; i < n; i++) {
		b->main_ids[i] = ents[i].id;
		b->names[ents[i].id].pos = (uint32_t)i;
	}
	b->n_main = n;
	ret = NIM_OK;
	b->spare = ents; /* written pages, to be reused for the record order */
	ents = NULL;
out:
	arena_big_free(ents);
	arena_big_free(keys);
	return ret;
}

/* The id a name gets in canonical order: main names by rank, then NSEC3 names by hash. */
static uint32_t new_id(const struct zone_builder *b, const struct sname *s)
{
	return s->kind == NAME_MAIN ? s->pos : (uint32_t)b->n_main + s->pos;
}

/* Where the old id of the name that goes to position r is kept: main_ids or nsec3_ids. */
static uint32_t *source_of(struct zone_builder *b, size_t r)
{
	return r < b->n_main ? &b->main_ids[r] : &b->nsec3_ids[r - b->n_main];
}

/*
 * Puts the names into canonical order, their bytes packed in that order too.
 * The names move in place, so that the array is never resident twice (on a
 * large zone it is among the biggest). Each cycle of the permutation is
 * followed through main_ids and nsec3_ids, which say where each position's
 * name comes from: the next address never waits for a name to be read, so
 * the cache misses overlap (swapping along the cycle instead made them
 * one after another, 2.5 times slower). Those maps end up as the identity.
 */
static int gather_names(struct zone_builder *b)
{
	size_t n = b->n_names;
	uint8_t *buf = arena_big_alloc(b->names_total_len + 1);
	if (buf == NULL)
		return NIM_ENOMEM;
	/* New ids of parents and owners first, while every name is at its old id. */
	for (size_t id = 0; id < n; id++) {
		struct sname *s = &b->names[id];
		if (s->parent != NO_ID)
			s->parent = new_id(b, &b->names[s->parent]);
	}
	for (size_t i = 0; i < b->n_recs; i++)
		b->recs[i].name = new_id(b, &b->names[b->recs[i].name]);
	for (size_t r = 0; r < n; r++) {
		if (*source_of(b, r) == r)
			continue;
		struct sname first = b->names[r];
		for (size_t at = r;;) {
			uint32_t *src = source_of(b, at);
			uint32_t from = *src;
			*src = (uint32_t)at;
			if (from == r) {
				b->names[at] = first;
				break;
			}
			b->names[at] = b->names[from];
			at = from;
		}
	}
	size_t w = 0;
	for (size_t r = 0; r < n; r++) {
		struct sname *s = &b->names[r];
		memcpy(buf + w, b->name_buf + s->off, s->len);
		s->off = (uint32_t)w;
		w += s->len;
		s->n_recs = 0;
	}
	arena_big_free(b->name_buf);
	b->name_buf = buf;
	b->name_len = w;
	return NIM_OK;
}

/*
 * Puts the records into canonical order of their owners (a counting sort,
 * file order kept within an owner) and copies their RDATA in that order, so
 * that the checks and the layout read memory front to back: on a large
 * zone, random access, not arithmetic, is what costs. The records move in
 * place as the names do, each position's source record kept in b->order
 * (in the written pages of the sort entries), which ends up as the identity.
 */
static int gather_records(struct zone_builder *b)
{
	size_t n = b->n_recs;
	uint32_t *source = arena_big_realloc(b->spare, (n + 1) * sizeof(*source));
	if (source == NULL)
		return NIM_ENOMEM;
	b->spare = NULL;
	b->order = source;
	uint8_t *rdata = arena_big_alloc(b->rdata_len + 1);
	if (rdata == NULL)
		return NIM_ENOMEM;
	for (size_t i = 0; i < n; i++)
		b->names[b->recs[i].name].n_recs++;
	uint32_t sum = 0;
	for (size_t id = 0; id < b->n_names; id++) {
		b->names[id].first_rec = sum;
		sum += b->names[id].n_recs;
		b->names[id].n_recs = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct sname *s = &b->names[b->recs[i].name];
		source[s->first_rec + s->n_recs++] = (uint32_t)i;
	}
	for (size_t r = 0; r < n; r++) {
		if (source[r] == r)
			continue;
		struct rec first = b->recs[r];
		for (size_t at = r;;) {
			uint32_t from = source[at];
			source[at] = (uint32_t)at;
			if (from == r) {
				b->recs[at] = first;
				break;
			}
			b->recs[at] = b->recs[from];
			at = from;
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		struct rec *r = &b->recs[i];
		if (r->rdlen != 0)
			memcpy(rdata + w, b->rdata + r->rdata_off, r->rdlen);
		r->rdata_off = (uint32_t)w;
		w += r->rdlen;
	}
	arena_big_free(b->rdata);
	b->rdata = rdata;
	return NIM_OK;
}

int zone_builder_finish(struct zone_builder *b, struct nim_diag_list *diags,
			struct zone_version **out)
{
	struct zone_version *v = NULL;
	int ret;

	if (b->is_spent)
		return NIM_EINVAL;
	b->is_spent = true;
	b->diags = diags;
	/* No name is interned any more: the table's pages are better spent on the sort. */
	free(b->table);
	b->table = NULL;
	zone_check_pending(b);
	ret = split_nsec3(b);
	if (ret == NIM_OK)
		ret = sort_main(b);
	if (ret == NIM_OK)
		ret = gather_names(b);
	if (ret == NIM_OK)
		ret = gather_records(b);
	if (ret == NIM_OK)
		ret = zone_check_nodes(b);
	if (ret == NIM_OK)
		ret = zone_layout(b, &v);
	if (ret != NIM_OK)
		return ret;
	zone_check_glue(b, v);
	zone_check_denial(b, v);
	if (b->n_errors > 0) {
		zone_version_free(v);
		return NIM_ECONFIG;
	}
	*out = v;
	return NIM_OK;
}
