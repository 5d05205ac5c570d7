/*
 * answer.c - the authoritative answer algorithm (RFC 1034 §4.3.2) as named
 * steps: zone lookup, exact match, CNAME, DNAME, wildcard, delegation,
 * NODATA, NXDOMAIN; then the authority section (negative SOA, referral,
 * DNSSEC proofs) and the additional section.
 *
 * Choices where NSD and Knot differ, or where the RFCs leave room:
 *   - CNAME chains are followed into the other zones we serve, as RFC 1034
 *     §4.3.2 step 3a says ("go back to step 1", which picks the zone again)
 *     and as NSD does; Knot stops at its zone's edge. AA stays as the first
 *     zone set it: every zone on the chain is ours.
 *   - ANY is answered with one RRset, the first of the node in type order
 *     (RFC 8482 §4.1; Knot picks the same one, NSD picks SOA first at the apex).
 *   - Positive answers carry no NS RRset in the authority section (Knot's
 *     minimal responses; NSD adds the zone's NS). RFC 2181 §6.1 does not
 *     require it and it only costs space.
 *   - QCLASS ANY is answered from the class IN data with AA clear, as NSD
 *     does (Knot sets AA): RFC 1034 §3.7.1 says an answer for class "*" may
 *     be incomplete, so it is not authoritative. Negative answers carry no
 *     SOA then (NSD too): RFC 2308 §3 asks it of authoritative answers, and
 *     a resolver must not cache a class-* denial for class IN.
 *   - A referral reached through a CNAME keeps AA=1: the CNAMEs in the
 *     answer section are authoritative data (RFC 1034 §4.3.2 step 3b only
 *     speaks of the referral itself).
 */
#include "auth/answer.h"

#include <string.h>

#include "auth/internal.h"
#include "wire/rdata.h"

static bool answer_node(struct auth_ctx *c, const struct zone_node *node,
			const struct zone_node *wild_encloser);

/*
 * Zone lookup for a DS query at the apex of a zone we serve: DS lives in the
 * parent (RFC 4035 §3.1.4.1), so when we serve the parent too it answers.
 */
static const struct zone_version *ds_parent(const struct auth_query *q,
					    const struct zone_version *v)
{
	if (q->msg->qtype != WIRE_TYPE_DS || q->zones == NULL || v->origin_len <= 1 ||
	    !wire_name_equal(q->msg->qname, v->origin))
		return v;
	const uint8_t *parent = v->origin + v->origin[0] + 1;
	const struct zone_entry *e = zone_set_find(q->zones, parent);
	if (e == NULL)
		return v;
	const struct zone_version *pv = atomic_load_explicit(&e->version, memory_order_acquire);
	return pv != NULL ? pv : v;
}

/*
 * Moves the chain on to target (RFC 1034 §4.3.2 step 3a: "go back to step
 * 1"): step 1 picks the zone again, so the target is answered by the
 * closest enclosing zone we serve - the child zone when the target lies
 * below a cut to a child we also serve, as NSD does. Returns false when the
 * chain stops: too long, or the target is not ours (the resolver goes on).
 */
static bool follow(struct auth_ctx *c, const uint8_t *target)
{
	if (++c->n_chain >= AUTH_CHAIN_MAX)
		return false;
	const struct zone_version *v = NULL;
	if (c->q->zones != NULL) {
		const struct zone_entry *e = zone_set_find(c->q->zones, target);
		if (e != NULL)
			v = atomic_load_explicit(&e->version, memory_order_acquire);
	} else if (wire_name_is_subdomain(target, c->v->origin)) {
		v = c->v;
	}
	if (v == NULL)
		return false;
	c->v = v;
	memcpy(c->sname, target, wire_name_len(target));
	return true;
}

/*
 * True when the chain already answered the current name through node: a
 * loop. For a wildcard source the name decides, not the node (RFC 4592
 * §4.3): `*.w CNAME again.w` answers x.w and then again.w, and stops only
 * when again.w comes round a second time, as NSD and Knot do.
 */
static bool is_visited(struct auth_ctx *c, const struct zone_node *node, bool is_wild)
{
	for (unsigned i = 0; i < c->n_chain && i < AUTH_CHAIN_MAX; i++) {
		if (c->visited[i] != node)
			continue;
		/* Exact and wildcard visits of one node are different names: "*.w" and x.w. */
		if (!is_wild && !c->is_visit_wild[i])
			return true;
		if (is_wild && c->is_visit_wild[i] && wire_name_equal(c->wild_names[i], c->sname))
			return true;
	}
	return false;
}

/* Adds the current name, answered through node, to the chain (n_chain < AUTH_CHAIN_MAX). */
static void visit(struct auth_ctx *c, const struct zone_node *node, bool is_wild)
{
	c->visited[c->n_chain] = node;
	c->is_visit_wild[c->n_chain] = is_wild;
	if (is_wild)
		memcpy(c->wild_names[c->n_chain], c->sname, wire_name_len(c->sname));
}

/*
 * CNAME step (RFC 1034 §4.3.2 step 3a): the CNAME goes into the answer
 * with the current name as owner (the query name for a wildcard, RFC 4592
 * §4.3), then the chain follows its target. A loop ends the chain when a
 * name comes round again, like NSD and Knot: every name of the loop is in
 * the answer once, each wildcard expansion with its proof.
 */
static bool step_cname(struct auth_ctx *c, const struct zone_node *node,
		       const struct zone_node *wild_encloser)
{
	bool is_wild = wild_encloser != NULL;
	if (is_visited(c, node, is_wild))
		return false;
	visit(c, node, is_wild);
	const struct zone_rrset *cname = zone_node_rrset(node, WIRE_TYPE_CNAME);
	if (cname == NULL || cname->n_rr == 0 ||
	    !auth_put_required(c, WIRE_SECTION_ANSWER, c->sname, cname, AUTH_TTL_ANY))
		return false;
	if (is_wild) {
		struct auth_proof *p = auth_proof_add(c, AUTH_PROOF_WILDCARD, c->v, c->sname);
		if (p != NULL)
			p->encloser = wild_encloser;
	}
	return follow(c, cname->rdata + 2);
}

/*
 * DNAME step (RFC 6672 §3.1): the DNAME RRset, then a CNAME synthesized
 * from it for the current name (owner: the name, TTL: the DNAME's, RFC 6672
 * §3.1; not signed, §5.1), then the chain follows that CNAME.
 * A synthesized name longer than 255 octets is YXDOMAIN (RFC 6672 §2.2).
 */
static bool step_dname(struct auth_ctx *c, const struct zone_node *node)
{
	const struct zone_rrset *dname = zone_node_rrset(node, WIRE_TYPE_DNAME);
	if (dname == NULL || dname->n_rr == 0 || is_visited(c, node, false))
		return false;
	visit(c, node, false);
	if (!auth_put_required(c, WIRE_SECTION_ANSWER, node->owner, dname, AUTH_TTL_ANY))
		return false;
	size_t owner_len = wire_name_len(node->owner);
	size_t sname_len = wire_name_len(c->sname);
	const uint8_t *target = dname->rdata + 2;
	size_t target_len = wire_name_len(target);
	size_t prefix_len = sname_len - owner_len;
	if (prefix_len + target_len > WIRE_NAME_MAXLEN) {
		c->rcode = WIRE_RCODE_YXDOMAIN;
		c->outcome = AUTH_OUT_DONE;
		return false;
	}
	uint8_t synth[WIRE_NAME_MAXLEN];
	memcpy(synth, c->sname, prefix_len);
	memcpy(synth + prefix_len, target, target_len);
	if (!auth_put_cname(c, c->sname, dname->ttl, synth, prefix_len + target_len))
		return false;
	/* The synthesized CNAME is the answer to a CNAME query; it is not followed then. */
	if (c->qtype == WIRE_TYPE_CNAME)
		return false;
	return follow(c, synth);
}

/*
 * Delegation step (RFC 1034 §4.3.2 step 3b): a referral. AA is cleared
 * unless the answer section already holds authoritative data of a chain.
 */
static bool step_delegation(struct auth_ctx *c, const struct zone_node *cut)
{
	c->outcome = AUTH_OUT_REFERRAL;
	c->cut = cut;
	c->cut_v = c->v;
	if (c->b->counts[1] == 0)
		c->is_aa = false;
	return false;
}

/*
 * NODATA (RFC 2308 §2.2): the name exists (maybe as an empty non-terminal
 * or through a wildcard) but not with this type: NOERROR, SOA in authority.
 */
static bool step_nodata(struct auth_ctx *c, const struct zone_node *node,
			const struct zone_node *wild_encloser)
{
	c->outcome = AUTH_OUT_NEGATIVE;
	c->neg_v = c->v;
	enum auth_proof_kind kind = wild_encloser != NULL ? AUTH_PROOF_WILDCARD_NODATA
							  : AUTH_PROOF_NODATA;
	struct auth_proof *p = auth_proof_add(c, kind, c->v, c->sname);
	if (p != NULL) {
		p->node = node;
		p->encloser = wild_encloser != NULL ? wild_encloser : node;
	}
	return false;
}

/*
 * NXDOMAIN (RFC 2308 §2.1): neither the name nor a wildcard that covers it
 * exists. In a chain the RCODE speaks of the last name (RFC 6604 §2).
 */
static bool step_nxdomain(struct auth_ctx *c, const struct zone_node *encloser)
{
	c->rcode = WIRE_RCODE_NXDOMAIN;
	c->outcome = AUTH_OUT_NEGATIVE;
	c->neg_v = c->v;
	struct auth_proof *p = auth_proof_add(c, AUTH_PROOF_NXDOMAIN, c->v, c->sname);
	if (p != NULL)
		p->encloser = encloser;
	return false;
}

/*
 * Wildcard step (RFC 4592 §3.3): the name does not exist; the source of
 * synthesis is "*.<closest encloser>" if that exists. The lookup stopped at
 * cuts and DNAMEs, so a wildcard never answers at or below a delegation,
 * and an existing name (empty non-terminals too) never reaches this step.
 */
static bool step_wildcard(struct auth_ctx *c, const struct zone_node *encloser)
{
	if ((encloser->flags & ZONE_NODE_WILDCARD_CHILD) == 0)
		return step_nxdomain(c, encloser);
	uint8_t wild[WIRE_NAME_MAXLEN];
	if (auth_name_wildcard(encloser->owner, wild) == 0)
		return step_nxdomain(c, encloser);
	const struct zone_node *source = zone_version_find(c->v, wild);
	if (source == NULL || (source->flags & ZONE_NODE_OCCLUDED) != 0)
		return step_nxdomain(c, encloser);
	return answer_node(c, source, encloser);
}

/* The RRset ANY is answered with (RFC 8482 §4.1): the first one, in type order. */
static const struct zone_rrset *any_rrset(const struct zone_node *node)
{
	return node->n_rrsets > 0 ? &node->rrsets[0] : NULL;
}

/*
 * Whether a CNAME at the name is followed for this QTYPE (RFC 1034 §4.3.2
 * step 3a: "if QTYPE doesn't match CNAME"). ANY matches it: the CNAME is the
 * one RRset of a minimal ANY answer (RFC 8482 §4.1), as NSD and Knot answer.
 */
static bool follows_cname(uint16_t qtype)
{
	return qtype != WIRE_TYPE_CNAME && qtype != WIRE_TYPE_ANY;
}

/*
 * Exact match step (RFC 1034 §4.3.2 step 3a), also for the source of a
 * wildcard synthesis (wild_encloser non-NULL: owners become the current
 * name, RFC 4592 §3.3, and the answer needs its proof, RFC 4035 §3.1.3.3).
 * An RRset of QTYPE at a CNAME owner (NSEC, RRSIG: RFC 4035 §2.5) answers
 * the query itself; otherwise the CNAME is followed.
 */
static bool answer_node(struct auth_ctx *c, const struct zone_node *node,
			const struct zone_node *wild_encloser)
{
	if (c->qtype == WIRE_TYPE_RRSIG) {
		if (!auth_put_rrsigs(c, c->sname, node))
			return step_nodata(c, node, wild_encloser);
		c->outcome = c->is_tc ? AUTH_OUT_DONE : AUTH_OUT_ANSWER;
		return false;
	}
	const struct zone_rrset *rrset = c->qtype == WIRE_TYPE_ANY ? any_rrset(node)
								  : zone_node_rrset(node, c->qtype);
	if (rrset == NULL && (node->flags & ZONE_NODE_CNAME) != 0 && follows_cname(c->qtype))
		return step_cname(c, node, wild_encloser);
	if (rrset == NULL)
		return step_nodata(c, node, wild_encloser);
	c->outcome = AUTH_OUT_ANSWER;
	if (!auth_put_required(c, WIRE_SECTION_ANSWER, c->sname, rrset, AUTH_TTL_ANY))
		return false;
	auth_extra_add_rrset(c, c->v, rrset, NULL);
	if (wild_encloser != NULL) {
		struct auth_proof *p = auth_proof_add(c, AUTH_PROOF_WILDCARD, c->v, c->sname);
		if (p != NULL)
			p->encloser = wild_encloser;
	}
	return false;
}

/*
 * One pass of RFC 1034 §4.3.2 step 3 for the current name. Returns true
 * when a CNAME or DNAME moved the chain on to a new name.
 */
static bool answer_step(struct auth_ctx *c)
{
	struct zone_match m;
	zone_version_lookup(c->v, c->sname, &m);
	if (m.dname != NULL)
		return step_dname(c, m.dname);
	/* RFC 4035 §3.1.4.1: DS at a cut is the parent's data, answered authoritatively. */
	if (m.cut != NULL && !(m.node == m.cut && c->qtype == WIRE_TYPE_DS))
		return step_delegation(c, m.cut);
	if (m.node != NULL)
		return answer_node(c, m.node, NULL);
	return step_wildcard(c, m.encloser);
}

/* RFC 2308 §3: the SOA of a negative answer has TTL min(SOA TTL, SOA MINIMUM). */
static void put_negative_soa(struct auth_ctx *c)
{
	const struct zone_rrset *soa = zone_node_rrset(c->neg_v->apex, WIRE_TYPE_SOA);
	if (soa == NULL || soa->n_rr == 0)
		return;
	uint16_t rdlength = (uint16_t)(soa->rdata[0] << 8 | soa->rdata[1]);
	const uint8_t *min = soa->rdata + 2 + rdlength - 4;
	uint32_t minimum = (uint32_t)min[0] << 24 | (uint32_t)min[1] << 16 |
			   (uint32_t)min[2] << 8 | min[3];
	auth_put_required(c, WIRE_SECTION_AUTHORITY, c->neg_v->apex->owner, soa, minimum);
}

/* The DNSSEC proofs of the answer (RFC 4035 §3.1.3, RFC 5155 §7.2), with DO only. */
static void put_proofs(struct auth_ctx *c)
{
	if (!c->is_do)
		return;
	for (unsigned i = 0; i < c->n_proofs && !c->is_tc; i++) {
		const struct auth_proof *p = &c->proofs[i];
		if (!p->v->is_signed)
			continue;
		if (p->v->has_nsec3)
			auth_nsec3_proof(c, p);
		else
			auth_nsec_proof(c, p);
	}
}

/* The authority section, by how the answer ended. */
static void put_authority(struct auth_ctx *c)
{
	switch (c->outcome) {
	case AUTH_OUT_NEGATIVE:
		if (!c->q->is_class_any)
			put_negative_soa(c);
		put_proofs(c);
		break;
	case AUTH_OUT_ANSWER:
		put_proofs(c);
		break;
	case AUTH_OUT_REFERRAL:
		auth_referral_authority(c);
		put_proofs(c); /* of wildcard CNAMEs that led to the cut */
		break;
	case AUTH_OUT_DONE:
		break;
	}
}

unsigned auth_answer(const struct auth_query *q, const struct zone_entry *zone,
		     const struct zone_version *version, struct wire_builder *b)
{
	(void)zone;
	/* Field by field: the lists (about 7 KiB) need no clearing, only their counts. */
	struct auth_ctx c;
	c.q = q;
	c.b = b;
	c.qtype = q->msg->qtype;
	c.is_do = q->is_do;
	c.is_tc = false;
	c.is_aa = true;
	c.rcode = WIRE_RCODE_NOERROR;
	c.outcome = AUTH_OUT_ANSWER;
	c.v = ds_parent(q, version);
	c.n_chain = 0;
	c.neg_v = NULL;
	c.cut = NULL;
	c.cut_v = NULL;
	c.n_proofs = 0;
	c.n_extra = 0;
	c.n_denials = 0;
	memcpy(c.sname, q->msg->qname, q->msg->qname_len);
	while (answer_step(&c))
		;
	put_authority(&c);
	if (!c.is_tc)
		auth_additional(&c);

	/*
	 * RFC 4035 §3.1.6: an authoritative response clears CD (NSD and Knot
	 * do); AD is never set here, we validate nothing.
	 */
	uint16_t flags = (uint16_t)(b->buf[2] << 8 | b->buf[3]);
	flags &= (uint16_t) ~(WIRE_FLAG_AA | WIRE_FLAG_CD | WIRE_FLAG_AD | WIRE_RCODE_MASK);
	if (c.is_aa && !q->is_class_any)
		flags |= WIRE_FLAG_AA;
	flags |= (uint16_t)(c.rcode & WIRE_RCODE_MASK);
	wire_builder_set_flags(b, flags);
	return c.rcode;
}
