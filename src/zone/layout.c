/*
 * layout.c - writing a checked zone into one arena.
 *
 * The sizes of everything are known after the checks, so the arena gets a
 * single block of exactly the right size, cut into regions: nodes, node
 * pointers, RRsets, the hash index, NSEC3 keys, NSEC owners, then the
 * owner names and the RDATA packed without padding. An empty non-terminal
 * owns no name bytes: its owner points into the name of the node that
 * follows it in canonical order, which is always its first child.
 *
 * Memory: the arena's pages are faulted in as they are written, and the
 * staging arrays, all ordered canonically by then, are given back a few
 * MiB at a time behind the node being written. So the load peaks near
 * the larger of staging and version, not at their sum (1M records:
 * 105 MB of version beside 125 MB of staging).
 */
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/error.h"
#include "wire/rdata.h"
#include "zone/internal.h"
#include "zone/staging.h"

struct sizes {
	size_t n_nodes;   /* main and NSEC3 */
	size_t n_nsec3;
	size_t n_rrsets;  /* in node->rrsets and attached */
	size_t names_len; /* owner names, and the origin */
	size_t rdata_len;
	size_t n_slots;
	size_t n_auth;
	size_t n_records; /* kept */
	bool has_rrsig;
};

/* Names written between two calls of drop_before: some 200 KB of staging on a large zone. */
#define DROP_EVERY 1024

static size_t align8(size_t len)
{
	return (len + 7) & ~(size_t)7;
}

static void measure(const struct zone_builder *b, struct sizes *z)
{
	memset(z, 0, sizeof(*z));
	z->n_nodes = b->n_main + b->n_nsec3;
	z->n_nsec3 = b->n_nsec3;
	z->names_len = b->origin_len;
	for (size_t id = 0; id < b->n_names; id++) {
		const struct sname *s = &b->names[id];
		z->n_rrsets += s->n_rrsets + s->n_attached;
		if (s->n_recs > 0 || id == 0)
			z->names_len += s->len;
		if (s->kind == NAME_MAIN && s->n_rrsets > 0 && (s->flags & ZONE_NODE_OCCLUDED) == 0)
			z->n_auth++;
	}
	for (size_t i = 0; i < b->n_groups; i++) {
		z->rdata_len += b->groups[i].rdata_len;
		z->n_records += b->groups[i].n_rr;
		z->has_rrsig = z->has_rrsig || b->groups[i].type == WIRE_TYPE_RRSIG;
	}
	z->n_slots = 16;
	while (z->n_slots < b->n_main * 2)
		z->n_slots *= 2;
	if (z->n_auth == b->n_main)
		z->n_auth = 0; /* every node: no separate list */
}

/* Copies the records of g that are kept into *rd as (length, RDATA) entries. */
static void put_rdata(const struct zone_builder *b, const struct group *g, uint8_t **rd)
{
	uint8_t *w = *rd;
	for (uint32_t k = 0; k < g->n; k++) {
		const struct rec *r = &b->recs[b->order[g->first + k]];
		if (r->is_dup)
			continue;
		w[0] = (uint8_t)(r->rdlen >> 8);
		w[1] = (uint8_t)r->rdlen;
		if (r->rdlen != 0)
			memcpy(w + 2, b->rdata + r->rdata_off, r->rdlen);
		w += 2u + r->rdlen;
	}
	*rd = w;
}

struct cursor_out {
	struct zone_rrset *rrsets;
	uint8_t *names;
	uint8_t *rdata;
};

/* Fills node's RRsets: main ones in type order (orphaned RRSIGs merged at RRSIG's place), then attached RRSIGs. */
static void fill_rrsets(const struct zone_builder *b, const struct sname *s,
			struct zone_node *node, struct cursor_out *c)
{
	struct zone_rrset *main = c->rrsets;
	struct zone_rrset *extra = main + s->n_rrsets;
	size_t k = 0;
	bool has_orphans = false;

	node->rrsets = main;
	for (uint32_t i = 0; i < s->n_groups; i++) {
		const struct group *g = &b->groups[s->first_group + i];
		if (g->role == GROUP_MAIN || (g->role == GROUP_ORPHAN && !has_orphans)) {
			struct zone_rrset *set = &main[k++];
			set->type = g->type;
			set->ttl = g->ttl;
			set->rdata = c->rdata;
			set->rrsig = NULL;
			set->n_rr = 0;
			if (g->role == GROUP_MAIN) {
				set->n_rr = (uint16_t)g->n_rr;
				put_rdata(b, g, &c->rdata);
				continue;
			}
			/* RRSIGs whose covered type is absent: one RRSIG set, all of them. */
			has_orphans = true;
			for (uint32_t j = i; j < s->n_groups; j++) {
				const struct group *o = &b->groups[s->first_group + j];
				if (o->role == GROUP_ORPHAN) {
					set->n_rr = (uint16_t)(set->n_rr + o->n_rr);
					put_rdata(b, o, &c->rdata);
				}
			}
		}
	}
	for (uint32_t i = 0; i < s->n_groups; i++) {
		const struct group *g = &b->groups[s->first_group + i];
		if (g->role != GROUP_ATTACHED)
			continue;
		struct zone_rrset *sig = extra++;
		sig->type = WIRE_TYPE_RRSIG;
		sig->n_rr = (uint16_t)g->n_rr;
		sig->ttl = g->ttl;
		sig->rdata = c->rdata;
		sig->rrsig = NULL;
		put_rdata(b, g, &c->rdata);
		for (size_t j = 0; j < k; j++) {
			if (main[j].type == g->covered)
				main[j].rrsig = sig;
		}
	}
	c->rrsets = extra;
}

static void fill_node(const struct zone_builder *b, const struct sname *s, struct zone_node *node,
		      struct zone_node *parent, struct cursor_out *c)
{
	node->owner = NULL;
	if (s->n_recs > 0 || s->parent == NO_ID) {
		memcpy(c->names, sname_bytes(b, s), s->len);
		node->owner = c->names;
		c->names += s->len;
	}
	node->n_rrsets = s->n_rrsets;
	node->flags = s->flags;
	node->index = s->pos;
	node->parent = parent;
	node->nsec3 = NULL;
	fill_rrsets(b, s, node, c);
}

static void index_put(uint64_t *slots, size_t mask, uint64_t h, uint32_t pos)
{
	size_t i = zone_hash_mix(h) & mask;
	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = (h >> 32 << 32) | ((uint64_t)pos + 1);
}

/* Apex data: serial, NSEC3 parameters, signing state. */
static void apex_info(struct zone_version *v)
{
	const struct zone_rrset *soa = zone_node_rrset(v->apex, WIRE_TYPE_SOA);
	if (soa != NULL) {
		/* RFC 1035 §3.3.13: MNAME, RNAME, then SERIAL. */
		const uint8_t *p = soa->rdata + 2;
		p += wire_name_len(p);
		p += wire_name_len(p);
		v->serial = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
	const struct zone_rrset *param = zone_node_rrset(v->apex, WIRE_TYPE_NSEC3PARAM);
	if (param != NULL) {
		/* RFC 5155 §4.2: algorithm, flags, iterations, salt length, salt. */
		const uint8_t *p = param->rdata + 2;
		v->nsec3.algorithm = p[0];
		v->nsec3.flags = p[1];
		v->nsec3.iterations = (uint16_t)(p[2] << 8 | p[3]);
		v->nsec3.salt_len = p[4];
		memcpy(v->nsec3.salt, p + 5, p[4]);
		v->has_nsec3 = v->n_nsec3_nodes > 0;
	}
}

/* Links every authoritative node to the NSEC3 record of its hash (RFC 5155 §7.2). */
static void link_nsec3(struct zone_version *v, struct zone_node *nodes)
{
	if (!v->has_nsec3 || v->nsec3.algorithm != 1)
		return;
	for (size_t i = 0; i < v->n_nodes; i++) {
		uint8_t h[ZONE_NSEC3_HASH_LEN];
		const struct zone_node *match;
		const struct zone_node *cover;
		if ((nodes[i].flags & ZONE_NODE_OCCLUDED) != 0)
			continue;
		(void)zone_version_nsec3_hash(v, nodes[i].owner, h);
		zone_version_nsec3_find(v, h, &match, &cover);
		nodes[i].nsec3 = match;
	}
}

/* The octets of every region, each rounded up to the arena's alignment. */
static size_t total_len(const struct sizes *z)
{
	return align8(z->n_nodes * sizeof(struct zone_node)) +
	       align8(z->n_nodes * sizeof(struct zone_node *)) +
	       align8(z->n_rrsets * sizeof(struct zone_rrset)) + z->n_slots * sizeof(uint64_t) +
	       align8(z->n_nsec3 * ZONE_NSEC3_HASH_LEN) + align8(z->n_auth * sizeof(uint32_t)) +
	       align8(z->names_len) + align8(z->rdata_len);
}

/*
 * Copies the kept NS records of an authoritative node, in the order of its
 * NS RRset in the version, so that zone_check_glue can name their lines
 * once the staging is gone.
 */
static int note_ns(struct zone_builder *b, const struct sname *s)
{
	if ((s->flags & ZONE_NODE_OCCLUDED) != 0)
		return NIM_OK;
	for (uint32_t i = 0; i < s->n_groups; i++) {
		const struct group *g = &b->groups[s->first_group + i];
		if (g->role != GROUP_MAIN || g->type != WIRE_TYPE_NS)
			continue;
		if (b->n_ns_recs + g->n_rr > b->ns_recs_cap) {
			size_t cap = b->ns_recs_cap != 0 ? b->ns_recs_cap * 2 : 64;
			while (cap < b->n_ns_recs + g->n_rr)
				cap *= 2;
			struct rec *p = arena_big_realloc(b->ns_recs, cap * sizeof(*p));
			if (p == NULL)
				return NIM_ENOMEM;
			b->ns_recs = p;
			b->ns_recs_cap = cap;
		}
		for (uint32_t k = 0; k < g->n; k++) {
			const struct rec *r = &b->recs[b->order[g->first + k]];
			if (!r->is_dup)
				b->ns_recs[b->n_ns_recs++] = *r;
		}
		break;
	}
	return NIM_OK;
}

static bool loc_before(const struct rec *r, const struct zone_loc *l)
{
	return l->line == 0 || r->file < l->file || (r->file == l->file && r->line < l->line);
}

/*
 * Notes where node id's records are for the denial check of a signed zone
 * (staging.h, denial_locs): its NSEC or NSEC3, else its first record, and
 * the apex's NSEC3PARAM and DNSKEY.
 */
static void note_locs(struct zone_builder *b, const struct sname *s, uint32_t id)
{
	struct zone_loc first = {0, 0};
	struct zone_loc chain = {0, 0};
	for (uint32_t i = 0; i < s->n_groups; i++) {
		const struct group *g = &b->groups[s->first_group + i];
		for (uint32_t k = 0; k < g->n; k++) {
			const struct rec *r = &b->recs[b->order[g->first + k]];
			struct zone_loc here = {r->file, r->line};
			if (loc_before(r, &first))
				first = here;
			if (g->role != GROUP_MAIN || k != 0)
				continue;
			if ((g->type == WIRE_TYPE_NSEC || g->type == WIRE_TYPE_NSEC3) &&
			    chain.line == 0)
				chain = here;
			if (id == 0 && g->type == WIRE_TYPE_NSEC3PARAM)
				b->loc_nsec3param = here;
			if (id == 0 && g->type == WIRE_TYPE_DNSKEY)
				b->loc_dnskey = here;
		}
	}
	b->denial_locs[id] = chain.line != 0 ? chain : first;
}

/*
 * Gives back the staging pages of the names before id done (canonical ids)
 * and of all they own: the layout reads each array front to back, so none
 * of that is read again.
 */
static void drop_before(struct zone_builder *b, size_t done)
{
	const struct sname *s = &b->names[done];
	arena_big_drop(b->names, done * sizeof(*b->names));
	arena_big_drop(b->name_buf, s->off);
	arena_big_drop(b->groups, s->first_group * sizeof(*b->groups));
	arena_big_drop(b->order, s->first_rec * sizeof(*b->order));
	arena_big_drop(b->recs, s->first_rec * sizeof(*b->recs));
	if (s->first_rec < b->n_recs)
		arena_big_drop(b->rdata, b->recs[s->first_rec].rdata_off);
}

/*
 * Fills every node, keeping the name hashes of the main ones for the index
 * (written last, so that its randomly touched pages come when the staging
 * is gone), then gives each empty non-terminal its name inside its first
 * child's. The names are gathered: a name's id is its node's position.
 */
static int fill_nodes(struct zone_builder *b, struct zone_node *nodes, uint64_t *hashes,
		      struct cursor_out *c)
{
	size_t n = b->n_main + b->n_nsec3;
	for (size_t i = 0; i < n; i++) {
		const struct sname *s = &b->names[i];
		struct zone_node *parent = &nodes[0]; /* an NSEC3 node's */
		if (i < b->n_main) {
			parent = s->parent != NO_ID ? &nodes[s->parent] : NULL;
			hashes[i] = s->hash;
			if (note_ns(b, s) != NIM_OK)
				return NIM_ENOMEM;
		}
		if (b->denial_locs != NULL)
			note_locs(b, s, (uint32_t)i);
		fill_node(b, s, &nodes[i], parent, c);
		if (i % DROP_EVERY == DROP_EVERY - 1 && i + 1 < n)
			drop_before(b, i + 1);
	}
	for (size_t i = b->n_main; i-- > 1;) {
		if (nodes[i].owner == NULL) {
			const uint8_t *child = nodes[i + 1].owner;
			nodes[i].owner = child + child[0] + 1;
		}
	}
	return NIM_OK;
}

/* Frees every staging array that only the layout reads. */
static void staging_free(struct zone_builder *b)
{
	arena_big_free(b->names);
	b->names = NULL;
	arena_big_free(b->name_buf);
	b->name_buf = NULL;
	arena_big_free(b->groups);
	b->groups = NULL;
	arena_big_free(b->order);
	b->order = NULL;
	arena_big_free(b->recs);
	b->recs = NULL;
	arena_big_free(b->rdata);
	b->rdata = NULL;
	arena_big_free(b->main_ids);
	b->main_ids = NULL;
	free(b->nsec3_ids);
	b->nsec3_ids = NULL;
	free(b->scratch);
	b->scratch = NULL;
}

static int carve(struct zone_version *v, struct zone_builder *b, const struct sizes *z)
{
	struct zone_version_internal *in = v->internal;
	struct arena *a = &in->arena;
	struct zone_node *nodes = arena_alloc(a, z->n_nodes * sizeof(*nodes));
	const struct zone_node **ptrs = arena_alloc(a, z->n_nodes * sizeof(*ptrs));
	struct cursor_out c;
	c.rrsets = arena_alloc(a, z->n_rrsets * sizeof(*c.rrsets));
	uint64_t *slots = arena_alloc(a, z->n_slots * sizeof(*slots));
	uint8_t(*hashes)[ZONE_NSEC3_HASH_LEN] = arena_alloc(a, b->n_nsec3 * ZONE_NSEC3_HASH_LEN);
	uint32_t *auth = arena_alloc(a, z->n_auth * sizeof(*auth));
	c.names = arena_alloc(a, z->names_len);
	c.rdata = arena_alloc(a, z->rdata_len);
	if (nodes == NULL || ptrs == NULL || c.rrsets == NULL || slots == NULL || hashes == NULL ||
	    auth == NULL || c.names == NULL || c.rdata == NULL)
		return NIM_ENOMEM;

	/* Only until the index is written: touched as it is written (arena.h). */
	uint64_t *hashes_of = arena_big_realloc(NULL, (b->n_main + 1) * sizeof(*hashes_of));
	if (hashes_of == NULL)
		return NIM_ENOMEM;
	if (z->has_rrsig) {
		b->denial_locs = arena_big_realloc(NULL, z->n_nodes * sizeof(*b->denial_locs));
		if (b->denial_locs == NULL) {
			arena_big_free(hashes_of);
			return NIM_ENOMEM;
		}
	}
	/* The names are gathered: their ids are their positions, no map is needed any more. */
	arena_big_free(b->main_ids);
	b->main_ids = NULL;
	free(b->nsec3_ids);
	b->nsec3_ids = NULL;
	memcpy(c.names, b->origin, b->origin_len);
	v->origin = c.names;
	c.names += b->origin_len;
	if (fill_nodes(b, nodes, hashes_of, &c) != NIM_OK) {
		arena_big_free(hashes_of);
		return NIM_ENOMEM;
	}
	staging_free(b);
	memset(slots, 0, z->n_slots * sizeof(*slots));
	size_t k = 0;
	for (size_t i = 0; i < z->n_nodes; i++) {
		ptrs[i] = &nodes[i];
		if (i < b->n_main) {
			index_put(slots, z->n_slots - 1, hashes_of[i], (uint32_t)i);
			if (z->n_auth != 0 && nodes[i].n_rrsets > 0 &&
			    (nodes[i].flags & ZONE_NODE_OCCLUDED) == 0)
				auth[k++] = (uint32_t)i;
		} else {
			(void)zone_nsec3_label_decode(nodes[i].owner, hashes[i - b->n_main]);
		}
	}
	arena_big_free(hashes_of);
	in->slots = slots;
	in->node_base = nodes;
	in->slot_mask = z->n_slots - 1;
	in->nsec3_hashes = (const uint8_t(*)[ZONE_NSEC3_HASH_LEN])hashes;
	in->auth_idx = z->n_auth != 0 ? auth : NULL;
	in->n_auth = z->n_auth;
	v->nodes = ptrs;
	v->n_nodes = b->n_main;
	v->nsec3_nodes = ptrs + b->n_main;
	v->n_nsec3_nodes = b->n_nsec3;
	v->apex = &nodes[0];
	return NIM_OK;
}

int zone_layout(struct zone_builder *b, struct zone_version **out)
{
	struct sizes z;
	struct zone_version *v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NIM_ENOMEM;
	v->internal = calloc(1, sizeof(*v->internal));
	if (v->internal == NULL) {
		free(v);
		return NIM_ENOMEM;
	}
	measure(b, &z);
	arena_init_lazy(&v->internal->arena, total_len(&z));
	int ret = carve(v, b, &z);
	staging_free(b);
	if (ret != NIM_OK) {
		zone_version_free(v);
		return NIM_ENOMEM;
	}
	v->origin_len = b->origin_len;
	v->origin_labels = b->origin_labels;
	apex_info(v);
	link_nsec3(v, (struct zone_node *)v->nodes[0]);
	v->n_records = z.n_records;
	v->is_signed = z.has_rrsig && zone_node_rrset(v->apex, WIRE_TYPE_DNSKEY) != NULL;
	v->mem_len = sizeof(*v) + sizeof(*v->internal) + v->internal->arena.mem_len;
	*out = v;
	return NIM_OK;
}
