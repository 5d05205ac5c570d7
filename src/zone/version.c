/*
 * version.c - lookups in an immutable zone version.
 *
 * Every lookup hashes each suffix of the query name once (zone_name_hashes)
 * and probes the open-addressing index from the full name upwards: the
 * common case, an existing authoritative name, costs one probe, and the
 * first zone cut or DNAME on the way down is found from the closest
 * existing node through parent pointers (a node below a cut or a DNAME is
 * flagged OCCLUDED, so the walk up is needed only then). The NSEC
 * predecessor is a binary search in canonical order.
 */
#include "zone/version.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "wire/rdata.h"
#include "zone/internal.h"

unsigned zone_name_hashes(const uint8_t *name, uint8_t off[WIRE_NAME_MAXLABELS + 1],
			  uint64_t hash[WIRE_NAME_MAXLABELS + 1])
{
	unsigned n = 0;
	size_t p = 0;
	while (name[p] != 0) {
		off[n++] = (uint8_t)p;
		p += name[p] + 1u;
	}
	off[n] = (uint8_t)p;
	hash[n] = zone_hash_seed.root;
	for (unsigned i = n; i-- > 0;)
		hash[i] = zone_hash_label(hash[i + 1], name + off[i]);
	return n;
}

/* The main node whose owner equals name[0..len) (hash h), or NULL. */
static const struct zone_node *index_get(const struct zone_version *v, const uint8_t *name,
					 size_t len, uint64_t h)
{
	const struct zone_version_internal *in = v->internal;
	uint64_t tag = h >> 32;
	for (size_t i = zone_hash_mix(h) & in->slot_mask;; i = (i + 1) & in->slot_mask) {
		uint64_t slot = in->slots[i];
		if (slot == 0)
			return NULL;
		if (slot >> 32 != tag)
			continue;
		const struct zone_node *node = &in->node_base[(uint32_t)slot - 1];
		if (wire_equal_nocase(node->owner, name, len))
			return node;
	}
}

/* The highest cut or DNAME above an occluded node: the one that is not itself occluded. */
static const struct zone_node *top_stop(const struct zone_node *node)
{
	const struct zone_node *stop = NULL;
	for (const struct zone_node *a = node->parent; a != NULL; a = a->parent) {
		if ((a->flags & (ZONE_NODE_DELEGATION | ZONE_NODE_DNAME)) != 0 &&
		    (a->flags & ZONE_NODE_OCCLUDED) == 0) {
			stop = a;
			break;
		}
	}
	return stop;
}

/* Records that the lookup stopped at stop (a cut or a DNAME strictly above the name). */
static void stop_at(const struct zone_node *stop, struct zone_match *m)
{
	m->encloser = stop;
	if ((stop->flags & ZONE_NODE_DELEGATION) != 0)
		m->cut = stop;
	else
		m->dname = stop;
}

void zone_version_lookup(const struct zone_version *v, const uint8_t *name, struct zone_match *m)
{
	uint8_t off[WIRE_NAME_MAXLABELS + 1];
	uint64_t hash[WIRE_NAME_MAXLABELS + 1];
	unsigned n = zone_name_hashes(name, off, hash);
	size_t len = (size_t)off[n] + 1;

	memset(m, 0, sizeof(*m));
	if (n < v->origin_labels)
		return;
	unsigned top = n - v->origin_labels; /* label index of the origin in name */
	for (unsigned i = 0; i <= top; i++) {
		const struct zone_node *node = index_get(v, name + off[i], len - off[i], hash[i]);
		if (node == NULL)
			continue;
		if ((node->flags & ZONE_NODE_OCCLUDED) != 0) {
			const struct zone_node *stop = top_stop(node);
			if (stop != NULL) {
				stop_at(stop, m);
				return;
			}
		}
		if (i == 0) {
			m->node = node;
			m->encloser = node;
			if ((node->flags & ZONE_NODE_DELEGATION) != 0)
				m->cut = node;
		} else if ((node->flags & (ZONE_NODE_DELEGATION | ZONE_NODE_DNAME)) != 0) {
			stop_at(node, m);
		} else {
			m->encloser = node;
		}
		return;
	}
	/* The origin itself is not in this version: name is outside the zone. */
}

const struct zone_node *zone_version_find(const struct zone_version *v, const uint8_t *name)
{
	uint8_t off[WIRE_NAME_MAXLABELS + 1];
	uint64_t hash[WIRE_NAME_MAXLABELS + 1];
	unsigned n = zone_name_hashes(name, off, hash);
	return index_get(v, name, (size_t)off[n] + 1, hash[0]);
}

const struct zone_node *zone_version_previous(const struct zone_version *v, const uint8_t *name)
{
	const struct zone_version_internal *in = v->internal;
	size_t n = in->auth_idx != NULL ? in->n_auth : v->n_nodes;
	if (n == 0)
		return NULL;
	/* Invariant: entries [0, lo) sort before name, entries [hi, n) do not. */
	size_t lo = 0;
	size_t hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t idx = in->auth_idx != NULL ? in->auth_idx[mid] : mid;
		if (wire_name_canon_cmp(v->nodes[idx]->owner, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Nothing sorts before name: the chain wraps to its last owner (RFC 4034 §4.1.1). */
	size_t pos = lo == 0 ? n - 1 : lo - 1;
	return v->nodes[in->auth_idx != NULL ? in->auth_idx[pos] : pos];
}

const struct zone_rrset *zone_node_rrset(const struct zone_node *node, uint16_t type)
{
	/* Few RRsets per node: a linear scan over the sorted array beats a binary search. */
	for (unsigned i = 0; i < node->n_rrsets; i++) {
		if (node->rrsets[i].type == type)
			return &node->rrsets[i];
		if (node->rrsets[i].type > type)
			break;
	}
	return NULL;
}

void zone_version_free(struct zone_version *v)
{
	if (v == NULL)
		return;
	if (v->internal != NULL)
		arena_clear(&v->internal->arena);
	free(v->internal);
	free(v);
}
