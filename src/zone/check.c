/*
 * check.c - RRsets and the load checks of a new zone version.
 *
 * Per owner, in canonical order (so that a parent's flags are known before
 * its children's): sort the records by type, type covered and canonical
 * RDATA (RFC 4034 §6.3), drop duplicates (RFC 2181 §5), give each RRset the
 * TTL of its first record in file order (RFC 2181 §5.2), attach RRSIGs to
 * the RRset they cover, set the node flags, and check what builder.h lists.
 * Every diagnostic carries the file and line of the record concerned.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/error.h"
#include "wire/rdata.h"
#include "zone/internal.h"
#include "zone/staging.h"

#define SCRATCH_HALF 65536

void zone_check_diag(struct zone_builder *b, enum nim_diag_severity severity, const struct rec *r,
		     const char *fmt, ...)
{
	va_list ap;
	if (severity == NIM_DIAG_ERROR)
		b->n_errors++;
	if (b->diags == NULL)
		return;
	va_start(ap, fmt);
	nim_diag_addv(b->diags, severity, r != NULL ? b->files[r->file] : NULL,
		      r != NULL ? r->line : 0, 0, fmt, ap);
	va_end(ap);
}

static const char *name_str(const uint8_t *name, char out[WIRE_NAME_STRLEN])
{
	if (wire_name_to_str(name, out, WIRE_NAME_STRLEN) != NIM_OK)
		out[0] = '\0';
	return out;
}

void zone_check_pending(struct zone_builder *b)
{
	char owner[WIRE_NAME_STRLEN];
	char origin[WIRE_NAME_STRLEN];
	for (size_t i = 0; i < b->n_pending; i++) {
		const struct pending *p = &b->pending[i];
		struct rec r = {.file = p->file, .line = p->line};
		name_str(b->name_buf + p->name_off, owner);
		if (p->rclass == 0)
			zone_check_diag(b, NIM_DIAG_WARNING, &r,
					"'%s' is outside the zone '%s': record ignored", owner,
					name_str(b->origin, origin));
		else
			zone_check_diag(b, NIM_DIAG_ERROR, &r,
					"'%s' has class %u: only class IN is served", owner,
					p->rclass);
	}
}

/* RFC 4034 §6.3: canonical RDATA as left-justified octet strings, absence before zero. */
static int rdata_cmp(struct zone_builder *b, const struct rec *x, const struct rec *y)
{
	const uint8_t *p = b->rdata + x->rdata_off;
	const uint8_t *q = b->rdata + y->rdata_off;
	if (wire_rdata_has_lname(wire_rdata_desc(x->type))) {
		/* Both passed wire_rdata_check_flat when they were added. */
		(void)wire_rdata_canon(x->type, p, x->rdlen, b->scratch);
		(void)wire_rdata_canon(y->type, q, y->rdlen, b->scratch + SCRATCH_HALF);
		p = b->scratch;
		q = b->scratch + SCRATCH_HALF;
	}
	size_t n = x->rdlen < y->rdlen ? x->rdlen : y->rdlen;
	int d = n != 0 ? memcmp(p, q, n) : 0;
	if (d != 0)
		return d;
	return x->rdlen < y->rdlen ? -1 : x->rdlen > y->rdlen;
}

/* Type, type covered, canonical RDATA, then file order: equal records end up adjacent, first kept. */
static int rec_cmp(const void *pa, const void *pb, void *ctx)
{
	struct zone_builder *b = ctx;
	uint32_t i = *(const uint32_t *)pa;
	uint32_t j = *(const uint32_t *)pb;
	const struct rec *x = &b->recs[i];
	const struct rec *y = &b->recs[j];
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->covered != y->covered)
		return x->covered < y->covered ? -1 : 1;
	int d = rdata_cmp(b, x, y);
	if (d != 0)
		return d;
	return i < j ? -1 : i > j;
}

static void sort_recs(struct zone_builder *b, uint32_t *o, size_t n)
{
	if (n > 16) {
		qsort_r(o, n, sizeof(*o), rec_cmp, b);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t t = o[i];
		size_t j = i;
		for (; j > 0 && rec_cmp(&t, &o[j - 1], b) < 0; j--)
			o[j] = o[j - 1];
		o[j] = t;
	}
}

/* Makes one RRset of the records b->order[first .. first + n). */
static int add_group(struct zone_builder *b, uint32_t first, uint32_t n)
{
	const uint32_t *o = b->order + first;
	struct group g = {.first = first, .n = n};
	uint32_t first_in_file = o[0];
	for (uint32_t k = 1; k < n; k++) {
		if (o[k] < first_in_file)
			first_in_file = o[k];
	}
	g.ttl = b->recs[first_in_file].ttl;
	g.type = b->recs[o[0]].type;
	g.covered = b->recs[o[0]].covered;
	const struct rec *differs = NULL;
	for (uint32_t k = 0; k < n; k++) {
		struct rec *r = &b->recs[o[k]];
		if (r->ttl != g.ttl && (differs == NULL || r < differs))
			differs = r;
		if (k > 0 && rdata_cmp(b, r, &b->recs[o[k - 1]]) == 0) {
			r->is_dup = 1;
			continue;
		}
		g.n_rr++;
		g.rdata_len += 2u + r->rdlen;
	}
	if (differs != NULL)
		zone_check_diag(b, NIM_DIAG_WARNING, differs,
				"TTL %u differs from the TTL %u of the first record of its RRset: "
				"set to %u (RFC 2181 §5.2)",
				differs->ttl, g.ttl, g.ttl);
	if (g.n_rr > UINT16_MAX)
		zone_check_diag(b, NIM_DIAG_ERROR, &b->recs[o[0]],
				"more than 65535 records in one RRset");
	if (b->n_groups == b->groups_cap) {
		size_t cap = b->groups_cap != 0 ? b->groups_cap * 2 : 1024;
		struct group *p = arena_big_realloc(b->groups, cap * sizeof(*p));
		if (p == NULL)
			return NIM_ENOMEM;
		b->groups = p;
		b->groups_cap = cap;
	}
	b->groups[b->n_groups++] = g;
	return NIM_OK;
}

/* The group of type at s (RRSIG groups excluded), or NULL. */
static struct group *find_group(struct zone_builder *b, const struct sname *s, uint16_t type)
{
	for (uint32_t i = 0; i < s->n_groups; i++) {
		struct group *g = &b->groups[s->first_group + i];
		if (g->type == type && type != WIRE_TYPE_RRSIG)
			return g;
	}
	return NULL;
}

/* Decides where each RRSIG group goes and counts the node's RRsets. */
static void place_rrsigs(struct zone_builder *b, struct sname *s)
{
	uint32_t n_main = 0;
	uint32_t n_attached = 0;
	uint32_t n_orphan_rr = 0;
	const struct rec *orphan = NULL;
	for (uint32_t i = 0; i < s->n_groups; i++) {
		struct group *g = &b->groups[s->first_group + i];
		if (g->type != WIRE_TYPE_RRSIG) {
			g->role = GROUP_MAIN;
			n_main++;
		} else if (find_group(b, s, g->covered) != NULL) {
			g->role = GROUP_ATTACHED;
			n_attached++;
		} else {
			g->role = GROUP_ORPHAN;
			n_orphan_rr += g->n_rr;
			orphan = &b->recs[b->order[g->first]];
		}
	}
	if (n_orphan_rr > UINT16_MAX)
		zone_check_diag(b, NIM_DIAG_ERROR, orphan, "more than 65535 RRSIG records at one name");
	s->n_rrsets = (uint16_t)(n_main + (orphan != NULL));
	s->n_attached = (uint16_t)n_attached;
}

/* The record of g that comes first in the file. */
static const struct rec *first_rec(const struct zone_builder *b, const struct group *g)
{
	uint32_t best = b->order[g->first];
	for (uint32_t k = 1; k < g->n; k++) {
		if (b->order[g->first + k] < best)
			best = b->order[g->first + k];
	}
	return &b->recs[best];
}

/* RFC 2181 §10.1: a CNAME is alone at its name, bar the DNSSEC records of RFC 4035 §2.5. */
static void check_cname(struct zone_builder *b, const struct sname *s, const struct group *cname)
{
	char owner[WIRE_NAME_STRLEN];
	for (uint32_t i = 0; i < s->n_groups; i++) {
		const struct group *g = &b->groups[s->first_group + i];
		if (g->type != WIRE_TYPE_CNAME && g->type != WIRE_TYPE_RRSIG &&
		    g->type != WIRE_TYPE_NSEC) {
			zone_check_diag(b, NIM_DIAG_ERROR, first_rec(b, cname),
					"'%s' has a CNAME and other data (RFC 2181 §10.1)",
					name_str(sname_bytes(b, s), owner));
			break;
		}
	}
	if (cname->n_rr > 1)
		zone_check_diag(b, NIM_DIAG_ERROR, first_rec(b, cname),
				"'%s' has more than one CNAME record (RFC 2181 §10.1)",
				name_str(sname_bytes(b, s), owner));
}

/* One SOA and NS records at the apex (RFC 1035 §5.2, RFC 1034 §4.2.1). */
static void check_apex(struct zone_builder *b, const struct sname *s)
{
	char origin[WIRE_NAME_STRLEN];
	const struct rec *where = NULL;
	for (uint32_t i = 0; i < s->n_recs; i++) {
		const struct rec *r = &b->recs[b->order[s->first_rec + i]];
		if (where == NULL || r < where)
			where = r;
	}
	if (where == NULL && b->n_recs > 0)
		where = &b->first; /* nothing at the apex: the start of the zone */
	name_str(b->origin, origin);
	const struct group *soa = find_group(b, s, WIRE_TYPE_SOA);
	if (soa == NULL) {
		zone_check_diag(b, NIM_DIAG_ERROR, where, "no SOA record at the zone apex '%s'",
				origin);
	} else if (soa->n_rr > 1) {
		const struct rec *second = NULL;
		for (uint32_t k = 0; k < soa->n; k++) {
			const struct rec *r = &b->recs[b->order[soa->first + k]];
			if (!r->is_dup && r != first_rec(b, soa) && (second == NULL || r < second))
				second = r;
		}
		zone_check_diag(b, NIM_DIAG_ERROR, second,
				"more than one SOA record at the zone apex '%s'", origin);
	}
	if (find_group(b, s, WIRE_TYPE_NS) == NULL)
		zone_check_diag(b, NIM_DIAG_ERROR, soa != NULL ? first_rec(b, soa) : where,
				"no NS records at the zone apex '%s'", origin);
}

static int check_node(struct zone_builder *b, uint32_t id)
{
	struct sname *s = &b->names[id];
	uint32_t *o = b->order + s->first_rec;
	sort_recs(b, o, s->n_recs);
	s->first_group = (uint32_t)b->n_groups;
	for (uint32_t i = 0; i < s->n_recs;) {
		const struct rec *r = &b->recs[o[i]];
		uint32_t j = i + 1;
		while (j < s->n_recs && b->recs[o[j]].type == r->type &&
		       b->recs[o[j]].covered == r->covered)
			j++;
		if (add_group(b, s->first_rec + i, j - i) != NIM_OK)
			return NIM_ENOMEM;
		i = j;
	}
	s->n_groups = (uint32_t)b->n_groups - s->first_group;
	place_rrsigs(b, s);

	const struct group *cname = find_group(b, s, WIRE_TYPE_CNAME);
	if (cname != NULL) {
		s->flags |= ZONE_NODE_CNAME;
		check_cname(b, s, cname);
	}
	if (find_group(b, s, WIRE_TYPE_DNAME) != NULL)
		s->flags |= ZONE_NODE_DNAME;
	if (id == 0) {
		s->flags |= ZONE_NODE_APEX;
		check_apex(b, s);
		return NIM_OK;
	}
	if (find_group(b, s, WIRE_TYPE_NS) != NULL)
		s->flags |= ZONE_NODE_DELEGATION;
	struct sname *parent = &b->names[s->parent];
	/* Below a zone cut (RFC 1034 §4.2.1) or a DNAME (RFC 6672 §2.3) nothing is answered. */
	if ((parent->flags & (ZONE_NODE_OCCLUDED | ZONE_NODE_DELEGATION | ZONE_NODE_DNAME)) != 0)
		s->flags |= ZONE_NODE_OCCLUDED;
	const uint8_t *owner = sname_bytes(b, s);
	if (owner[0] == 1 && owner[1] == '*')
		parent->flags |= ZONE_NODE_WILDCARD_CHILD;
	return NIM_OK;
}

int zone_check_nodes(struct zone_builder *b)
{
	b->scratch = malloc(2 * SCRATCH_HALF);
	if (b->scratch == NULL)
		return NIM_ENOMEM;
	/* At most one RRset per record: room for all, in the pages of the old records if any. */
	if (b->groups == NULL) {
		size_t cap = b->n_recs > 1024 ? b->n_recs : 1024;
		struct group *p = arena_big_realloc(b->spare, cap * sizeof(*p));
		if (p == NULL)
			return NIM_ENOMEM;
		b->spare = NULL;
		b->groups = p;
		b->groups_cap = cap;
	}
	for (size_t i = 0; i < b->n_main; i++) {
		if (check_node(b, b->main_ids[i]) != NIM_OK)
			return NIM_ENOMEM;
	}
	for (size_t i = 0; i < b->n_nsec3; i++) {
		if (check_node(b, b->nsec3_ids[i]) != NIM_OK)
			return NIM_ENOMEM;
	}
	return NIM_OK;
}

/* An NS target in the zone at or below a cut needs an address there (RFC 1034 §4.2.1). */
static void check_ns_target(struct zone_builder *b, const struct zone_version *v,
			    const uint8_t *target, const struct rec *r)
{
	struct zone_match m;
	char name[WIRE_NAME_STRLEN];

	if (!wire_name_is_subdomain(target, b->origin))
		return;
	zone_version_lookup(v, target, &m);
	if (m.cut == NULL)
		return;
	const struct zone_node *node = zone_version_find(v, target);
	if (node != NULL && (zone_node_rrset(node, WIRE_TYPE_A) != NULL ||
			     zone_node_rrset(node, WIRE_TYPE_AAAA) != NULL))
		return;
	zone_check_diag(b, NIM_DIAG_WARNING, r,
			"missing glue: no A or AAAA record for the name server '%s' below a "
			"delegation",
			name_str(target, name));
}

/* The staging is gone by now: the NS RRsets come from v, their lines from b->ns_recs. */
void zone_check_glue(struct zone_builder *b, const struct zone_version *v)
{
	size_t k = 0;
	for (size_t i = 0; i < v->n_nodes; i++) {
		const struct zone_node *node = v->nodes[i];
		if ((node->flags & ZONE_NODE_OCCLUDED) != 0)
			continue;
		const struct zone_rrset *ns = zone_node_rrset(node, WIRE_TYPE_NS);
		if (ns == NULL)
			continue;
		const uint8_t *p = ns->rdata;
		for (uint16_t j = 0; j < ns->n_rr && k < b->n_ns_recs; j++) {
			check_ns_target(b, v, p + 2, &b->ns_recs[k++]);
			p += 2u + ((unsigned)p[0] << 8 | p[1]);
		}
	}
}
