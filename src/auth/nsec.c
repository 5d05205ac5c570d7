/*
 * nsec.c - NSEC denial proofs in the authority section (RFC 4035 §3.1.3,
 * §3.1.4.1), and the once-per-answer writer shared with nsec3.c.
 *
 * The NSEC that "covers" a name is the one at the last owner before it in
 * canonical order (RFC 4034 §6.1). Empty non-terminals and names below a
 * cut have no NSEC (RFC 4035 §2.3), so the search walks back from the
 * canonical predecessor to the first node that has one, wrapping around to
 * the end of the zone (the last NSEC points back to the apex).
 */
#include "auth/internal.h"
#include "wire/rdata.h"

void auth_put_denial(struct auth_ctx *c, const struct zone_node *node, uint16_t type)
{
	if (node == NULL || c->is_tc)
		return;
	for (unsigned i = 0; i < c->n_denials; i++) {
		if (c->denials[i] == node)
			return;
	}
	const struct zone_rrset *rrset = zone_node_rrset(node, type);
	if (rrset == NULL)
		return;
	if (c->n_denials < AUTH_DENIAL_CAP)
		c->denials[c->n_denials++] = node;
	auth_put_required(c, WIRE_SECTION_AUTHORITY, node->owner, rrset, AUTH_TTL_ANY);
}

/* The node whose NSEC covers name (name itself need not exist), or NULL. */
static const struct zone_node *nsec_cover(const struct zone_version *v, const uint8_t *name)
{
	const struct zone_node *node = zone_version_previous(v, name);
	for (size_t n = 0; node != NULL && n < v->n_nodes; n++) {
		if (zone_node_rrset(node, WIRE_TYPE_NSEC) != NULL)
			return node;
		size_t prev = node->index == 0 ? v->n_nodes - 1 : node->index - 1;
		node = v->nodes[prev];
	}
	return NULL;
}

/* The NSEC that proves name exists without the type: its own, or for an ENT the covering one. */
static const struct zone_node *nsec_match(const struct zone_version *v, const struct zone_node *node,
					  const uint8_t *name)
{
	if (node != NULL && zone_node_rrset(node, WIRE_TYPE_NSEC) != NULL)
		return node;
	/* RFC 4035 §3.1.3.2 for an empty non-terminal: the NSEC whose span holds the name. */
	return nsec_cover(v, name);
}

/* RFC 4035 §3.1.3.2: the name does not exist, nor does "*.<closest encloser>". */
static void proof_nxdomain(struct auth_ctx *c, const struct auth_proof *p)
{
	auth_put_denial(c, nsec_cover(p->v, p->name), WIRE_TYPE_NSEC);
	uint8_t wild[WIRE_NAME_MAXLEN];
	if (p->encloser != NULL && auth_name_wildcard(p->encloser->owner, wild) != 0)
		auth_put_denial(c, nsec_cover(p->v, wild), WIRE_TYPE_NSEC);
}

void auth_nsec_proof(struct auth_ctx *c, const struct auth_proof *p)
{
	switch (p->kind) {
	case AUTH_PROOF_NXDOMAIN:
		proof_nxdomain(c, p);
		break;
	case AUTH_PROOF_NODATA:
		/* RFC 4035 §3.1.3.1; for DS at a cut the NSEC is the parent's (§3.1.4.1). */
		auth_put_denial(c, nsec_match(p->v, p->node, p->name), WIRE_TYPE_NSEC);
		break;
	case AUTH_PROOF_WILDCARD:
		/* RFC 4035 §3.1.3.3: the query name itself does not exist. */
		auth_put_denial(c, nsec_cover(p->v, p->name), WIRE_TYPE_NSEC);
		break;
	case AUTH_PROOF_WILDCARD_NODATA:
		/* RFC 4035 §3.1.3.4: no such name, and the wildcard lacks the type. */
		auth_put_denial(c, nsec_cover(p->v, p->name), WIRE_TYPE_NSEC);
		auth_put_denial(c, nsec_match(p->v, p->node, p->node->owner), WIRE_TYPE_NSEC);
		break;
	case AUTH_PROOF_NO_DS:
		/* RFC 4035 §3.1.4: the NSEC at the cut shows NS without DS. */
		auth_put_denial(c, p->node, WIRE_TYPE_NSEC);
		break;
	}
}
