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
		(void)wire_rdata_canon(y->type, q, y->rdlen, b->scratch + b->scratch_half);
		p = b->scratch;
		q = b->scratch + b->scratch_half;
	}
	size_t n = x->rdlen < y->rdlen ? x->rdlen : y->rdlen;
	int d = n != 0 ? memcmp(p, q, n) : 0;
	if (d != 0)
		return d;
	return x->rdlen < y->rdlen ? -1 : x->rdlen > y->rdlen;
}

/* Type, type covered, canonical RDATA, then file order: equal records end up adjacent, first kept.
 */
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
		zone_check_diag(b, NIM_DIAG_ERROR, orphan,
				"more than 65535 RRSIG records at one name");
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
	/*
	 * Two canonical forms of the longest RDATA that has names. Sized to the
	 * zone, not to 2 x 65535 octets: 128 KiB is glibc's mmap threshold, and
	 * a map and unmap per zone was a tenth of the load time of 100,000
	 * small zones.
	 */
	size_t half = 1;
	uint16_t last_type = 0;
	bool has_case = false;
	for (size_t i = 0; i < b->n_recs; i++) {
		const struct rec *r = &b->recs[i];
		if (r->rdlen <= half)
			continue;
		if (r->type != last_type) {
			last_type = r->type;
			has_case = wire_rdata_has_lname(wire_rdata_desc(r->type));
		}
		if (has_case)
			half = r->rdlen;
	}
	b->scratch_half = half;
	b->scratch = malloc(2 * half);
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

/*
 * Denial of existence (issue 9, point 10). A zone counts as signed when it
 * has a DNSKEY at the apex and RRSIGs. Its denials are answered from its
 * NSEC3 chain when it has an NSEC3PARAM and NSEC3 records, else from its
 * NSEC chain; both must then be whole, or a denial would have to search
 * for the covering record (an NSEC walk backwards over the zone, 2.5 ms a
 * query at 300,000 names) and would still not validate (RFC 4035 §5.4).
 *
 * What the peers do: NSD 4.6 and Knot 3.2 load such zones; Knot with
 * `semantic-checks: on` logs "missing NSEC(3) record" or "inconsistent
 * NSEC(3) chain" as a warning, and both then answer with whatever NSEC
 * records exist, or none. We follow the RFC where it is firm:
 *   - a broken chain (some NSEC present, but an authoritative name without
 *     one, more than one at a name, or a next name that is not the next
 *     authoritative name; RFC 4035 §2.3, RFC 4034 §4.1.1; for NSEC3,
 *     RFC 5155 §7.1) is an error at the record's file and line: the signer
 *     went wrong, and serving it gives validators bogus denials. A reload
 *     keeps the previous version.
 *   - no chain at all (signatures but not one NSEC, and no usable NSEC3) is
 *     a warning and the zone is served with its signatures but without
 *     denial proofs, which is what NSD and Knot answer for it too; a zone
 *     half-way through being signed (keys and signatures first, chain next)
 *     keeps being served.
 * NSEC3 iterations: RFC 9276 §3.1 asks for 0 (warning above it), and every
 * NSEC3 denial hashes the query name up to three times with them, so a
 * zone above the configured limit (RFC 9276 §3.2 names 150) is refused.
 * Reports per kind are capped at CHAIN_REPORTS, then counted: a zone with
 * 300,000 unsigned names should not print 300,000 lines.
 */
#define CHAIN_REPORTS 20

struct chain_check {
	struct zone_builder *b;
	size_t n_missing, n_wrong;
};

/* The records of the version's node i (main, then NSEC3 nodes) are at this place (staging.h). */
static struct zone_loc node_loc(const struct zone_builder *b, size_t i)
{
	return b->denial_locs != NULL ? b->denial_locs[i] : (struct zone_loc){0, 0};
}

/* A record standing for loc in diagnostics: the zone's first record when loc has no line. */
static struct rec loc_rec(const struct zone_builder *b, struct zone_loc loc)
{
	if (loc.line == 0)
		return b->first;
	return (struct rec){.file = loc.file, .line = loc.line};
}

static void chain_report(struct chain_check *cc, size_t *count, struct zone_loc loc,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void chain_report(struct chain_check *cc, size_t *count, struct zone_loc loc,
			 const char *fmt, ...)
{
	struct zone_builder *b = cc->b;
	va_list ap;
	b->n_errors++;
	if ((*count)++ >= CHAIN_REPORTS || b->diags == NULL)
		return;
	struct rec where = loc_rec(b, loc);
	va_start(ap, fmt);
	nim_diag_addv(b->diags, NIM_DIAG_ERROR, b->files[where.file], where.line, 0, fmt, ap);
	va_end(ap);
}

static void chain_summary(struct chain_check *cc, size_t count, const char *what)
{
	if (count > CHAIN_REPORTS)
		zone_check_diag(cc->b, NIM_DIAG_ERROR, &cc->b->first, "%zu more %s not reported",
				count - CHAIN_REPORTS, what);
}

/* The index (into v->nodes) of the k-th authoritative node (RFC 4035 §2.3). */
static size_t auth_node(const struct zone_version *v, size_t k)
{
	return v->internal->auth_idx != NULL ? v->internal->auth_idx[k] : k;
}

static size_t n_auth_nodes(const struct zone_version *v)
{
	return v->internal->auth_idx != NULL ? v->internal->n_auth : v->n_nodes;
}

static void check_nsec_chain(struct chain_check *cc, const struct zone_version *v)
{
	struct zone_builder *b = cc->b;
	char owner[WIRE_NAME_STRLEN], next[WIRE_NAME_STRLEN], want[WIRE_NAME_STRLEN];
	size_t n = n_auth_nodes(v);
	for (size_t k = 0; k < n; k++) {
		size_t i = auth_node(v, k);
		const struct zone_node *node = v->nodes[i];
		const struct zone_rrset *nsec = zone_node_rrset(node, WIRE_TYPE_NSEC);
		struct zone_loc loc = node_loc(b, i); /* its NSEC, else its first record */
		if (nsec == NULL) {
			chain_report(cc, &cc->n_missing, loc,
				     "'%s' has no NSEC record, but the zone is signed with NSEC: "
				     "every authoritative name needs one (RFC 4035 §2.3)",
				     name_str(node->owner, owner));
			continue;
		}
		if (nsec->n_rr > 1) {
			chain_report(cc, &cc->n_wrong, loc,
				     "more than one NSEC record at '%s' (RFC 4035 §2.3)",
				     name_str(node->owner, owner));
			continue;
		}
		/* RFC 4034 §4.1.1: the next owner in canonical order, the apex after the last. */
		const uint8_t *expected = v->nodes[auth_node(v, (k + 1) % n)]->owner;
		const uint8_t *got = nsec->rdata + 2;
		if (!wire_name_equal(got, expected))
			chain_report(
			    cc, &cc->n_wrong, loc,
			    "the NSEC at '%s' points to '%s', but the next name in the zone "
			    "is '%s' (RFC 4034 §4.1.1)",
			    name_str(node->owner, owner), name_str(got, next),
			    name_str(expected, want));
	}
	chain_summary(cc, cc->n_missing, "names without NSEC");
	chain_summary(cc, cc->n_wrong, "broken NSEC links");
}

/*
 * The RDATA of the NSEC3 record at node made with the zone's NSEC3PARAM
 * (hash algorithm, iterations, salt; RFC 5155 §4.1), or NULL: during a
 * change of parameters a zone holds two chains, and only this one counts.
 */
static const uint8_t *nsec3_of_chain(const struct zone_version *v, const struct zone_node *node,
				     uint16_t *rdlen)
{
	const struct zone_rrset *set = zone_node_rrset(node, WIRE_TYPE_NSEC3);
	const uint8_t *p = set != NULL ? set->rdata : NULL;
	for (uint16_t i = 0; p != NULL && i < set->n_rr; i++) {
		uint16_t len = (uint16_t)(p[0] << 8 | p[1]);
		const uint8_t *rd = p + 2;
		if (len >= 5u + rd[4] + 1 && rd[0] == v->nsec3.algorithm &&
		    (uint16_t)(rd[2] << 8 | rd[3]) == v->nsec3.iterations &&
		    rd[4] == v->nsec3.salt_len && memcmp(rd + 5, v->nsec3.salt, rd[4]) == 0) {
			*rdlen = len;
			return rd;
		}
		p = rd + len;
	}
	return NULL;
}

/* Reports the NSEC3 at prev (RDATA prev_rd) unless its next hashed owner is hash (RFC 5155 §3.1.7).
 */
static void check_nsec3_link(struct chain_check *cc, const struct zone_version *v, size_t prev,
			     const uint8_t *prev_rd, const uint8_t *hash)
{
	char owner[WIRE_NAME_STRLEN];
	const uint8_t *next = prev_rd + 5 + prev_rd[4];
	if (next[0] == ZONE_NSEC3_HASH_LEN && memcmp(next + 1, hash, ZONE_NSEC3_HASH_LEN) == 0)
		return;
	chain_report(cc, &cc->n_wrong, node_loc(cc->b, v->n_nodes + prev),
		     "the NSEC3 at '%s' does not point to the next hashed owner of its chain "
		     "(RFC 5155 §7.1)",
		     name_str(v->nsec3_nodes[prev]->owner, owner));
}

/* Every NSEC3 of the chain links to the next one in hash order, the last to the first. */
static void check_nsec3_links(struct chain_check *cc, const struct zone_version *v,
			      bool *has_opt_out)
{
	const uint8_t(*hashes)[ZONE_NSEC3_HASH_LEN] = v->internal->nsec3_hashes;
	size_t first = SIZE_MAX, prev = SIZE_MAX;
	const uint8_t *prev_rd = NULL;
	for (size_t i = 0; i < v->n_nsec3_nodes; i++) {
		uint16_t len = 0;
		const uint8_t *rd = nsec3_of_chain(v, v->nsec3_nodes[i], &len);
		if (rd == NULL)
			continue;
		*has_opt_out = *has_opt_out || (rd[1] & 1) != 0; /* RFC 5155 §3.1.2.1 */
		if (prev_rd != NULL)
			check_nsec3_link(cc, v, prev, prev_rd, hashes[i]);
		if (first == SIZE_MAX)
			first = i;
		prev = i;
		prev_rd = rd;
	}
	if (prev_rd != NULL)
		check_nsec3_link(cc, v, prev, prev_rd, hashes[first]);
}

/* The first record of node i or, for an empty non-terminal, of the first name below it. */
static struct zone_loc node_or_below_loc(const struct zone_builder *b, const struct zone_version *v,
					 size_t i)
{
	for (; i < v->n_nodes; i++) {
		struct zone_loc loc = node_loc(b, i);
		if (loc.line != 0)
			return loc;
	}
	return (struct zone_loc){b->first.file, b->first.line};
}

/*
 * RFC 5155 §7.1: every authoritative name and empty non-terminal has an
 * NSEC3, except, under opt-out, delegations without DS and the empty
 * non-terminals above them (which we do not tell apart: all are let go).
 */
static void check_nsec3_cover(struct chain_check *cc, const struct zone_version *v,
			      bool has_opt_out)
{
	char owner[WIRE_NAME_STRLEN];
	for (size_t i = 0; i < v->n_nodes; i++) {
		const struct zone_node *node = v->nodes[i];
		uint16_t len;
		if ((node->flags & ZONE_NODE_OCCLUDED) != 0)
			continue;
		if (has_opt_out &&
		    (node->n_rrsets == 0 || ((node->flags & ZONE_NODE_DELEGATION) != 0 &&
					     zone_node_rrset(node, WIRE_TYPE_DS) == NULL)))
			continue;
		if (node->nsec3 != NULL && nsec3_of_chain(v, node->nsec3, &len) != NULL)
			continue;
		chain_report(cc, &cc->n_missing, node_or_below_loc(cc->b, v, i),
			     "'%s' has no NSEC3 record in the chain of the NSEC3PARAM "
			     "(RFC 5155 §7.1)",
			     name_str(node->owner, owner));
	}
	chain_summary(cc, cc->n_missing, "names without NSEC3");
	chain_summary(cc, cc->n_wrong, "broken NSEC3 links");
}

/* RFC 9276 §3.1 (0 iterations) and §3.2 (a limit), at the NSEC3PARAM. */
static void check_nsec3_iterations(struct zone_builder *b, const struct zone_version *v)
{
	struct rec r = loc_rec(b, b->loc_nsec3param);
	unsigned limit =
	    b->has_nsec3_limit ? b->nsec3_max_iterations : ZONE_DEFAULT_NSEC3_MAX_ITERATIONS;
	if (v->nsec3.iterations > limit)
		zone_check_diag(
		    b, NIM_DIAG_ERROR, &r,
		    "NSEC3PARAM asks for %u additional iterations, more than the "
		    "nsec3-max-iterations limit of %u: the zone is not loaded (RFC 9276 "
		    "§3.2; sign it again with 0 iterations)",
		    v->nsec3.iterations, limit);
	else if (v->nsec3.iterations > 0)
		zone_check_diag(
		    b, NIM_DIAG_WARNING, &r,
		    "NSEC3PARAM asks for %u additional iterations: RFC 9276 §3.1 asks for "
		    "0, and validators may treat the zone as insecure",
		    v->nsec3.iterations);
}

void zone_check_denial(struct zone_builder *b, struct zone_version *v)
{
	struct chain_check cc = {.b = b};
	if (!v->is_signed)
		return;
	if (v->has_nsec3 && v->nsec3.algorithm != 1) {
		/* RFC 5155 §8.1: validators ignore NSEC3 of an unknown hash; we cannot hash either.
		 */
		struct rec param = loc_rec(b, b->loc_nsec3param);
		zone_check_diag(b, NIM_DIAG_ERROR, &param,
				"NSEC3PARAM uses hash algorithm %u: only 1 (SHA-1) is defined "
				"(RFC 5155 §11)",
				v->nsec3.algorithm);
		return;
	}
	if (v->has_nsec3) {
		bool has_opt_out = false;
		check_nsec3_iterations(b, v);
		check_nsec3_links(&cc, v, &has_opt_out);
		check_nsec3_cover(&cc, v, has_opt_out);
		return;
	}
	bool has_nsec = false;
	for (size_t i = 0; i < v->n_nodes && !has_nsec; i++)
		has_nsec = zone_node_rrset(v->nodes[i], WIRE_TYPE_NSEC) != NULL;
	if (has_nsec) {
		check_nsec_chain(&cc, v);
		return;
	}
	char origin[WIRE_NAME_STRLEN];
	const char *why = zone_node_rrset(v->apex, WIRE_TYPE_NSEC3PARAM) != NULL
			      ? "its NSEC3PARAM has no NSEC3 records"
			  : v->n_nsec3_nodes > 0
			      ? "it has NSEC3 records but no NSEC3PARAM at the apex"
			      : "it has no NSEC or NSEC3 records";
	struct rec dnskey = loc_rec(b, b->loc_dnskey);
	zone_check_diag(b, NIM_DIAG_WARNING, &dnskey,
			"zone '%s' has DNSKEY and RRSIG records but %s: it is served without "
			"denial of existence proofs (RFC 4035 §2.3)",
			name_str(b->origin, origin), why);
	v->is_signed = false;
}

void zone_builder_set_nsec3_max_iterations(struct zone_builder *b, unsigned max)
{
	b->nsec3_max_iterations = max;
	b->has_nsec3_limit = true;
}
