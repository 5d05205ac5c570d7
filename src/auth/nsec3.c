/*
 * nsec3.c - NSEC3 denial proofs in the authority section (RFC 5155 §7.2).
 *
 * The building block is the closest encloser proof (§7.2.1): the NSEC3
 * matching the closest provable encloser, and the NSEC3 covering the "next
 * closer" name (the closest encloser with one more label of the query
 * name). With opt-out (§6) the closest encloser may have no NSEC3 of its
 * own - an empty non-terminal above insecure delegations only - so the
 * walk goes up to the first ancestor that has one: the closest *provable*
 * encloser.
 */
#include "auth/internal.h"
#include "util/error.h"
#include "wire/rdata.h"

/* The NSEC3 node matching (is_cover false) or covering the hash of name. */
static const struct zone_node *nsec3_for(const struct zone_version *v, const uint8_t *name,
					 bool is_cover)
{
	uint8_t hash[20];
	if (zone_version_nsec3_hash(v, name, hash) != NIM_OK)
		return NULL;
	const struct zone_node *match = NULL;
	const struct zone_node *cover = NULL;
	zone_version_nsec3_find(v, hash, &match, &cover);
	if (!is_cover)
		return match;
	/* A hash collision with an existing owner cannot be denied; show what matched. */
	return cover != NULL ? cover : match;
}

/* The NSEC3 of an existing node: the version links it; hash when it does not. */
static const struct zone_node *node_nsec3(const struct zone_version *v,
					  const struct zone_node *node)
{
	if (node->nsec3 != NULL)
		return node->nsec3;
	return nsec3_for(v, node->owner, false);
}

static void put_nsec3(struct auth_ctx *c, const struct zone_node *node)
{
	auth_put_denial(c, node, WIRE_TYPE_NSEC3);
}

/*
 * RFC 5155 §7.2.1: closest encloser proof for name, starting the search at
 * encloser (an existing ancestor of name). Writes the matching NSEC3 of the
 * closest provable encloser and the covering NSEC3 of the next closer name;
 * returns the closest provable encloser (NULL if the chain has none).
 */
static const struct zone_node *proof_closest_encloser(struct auth_ctx *c,
						      const struct zone_version *v,
						      const uint8_t *name,
						      const struct zone_node *encloser)
{
	const struct zone_node *ce = encloser;
	const struct zone_node *match = NULL;
	for (; ce != NULL; ce = ce->parent) {
		match = node_nsec3(v, ce);
		if (match != NULL)
			break;
	}
	if (ce == NULL)
		return NULL;
	put_nsec3(c, match);
	unsigned ce_labels = wire_name_labels(ce->owner);
	if (wire_name_labels(name) > ce_labels) {
		uint8_t next_closer[WIRE_NAME_MAXLEN];
		auth_name_suffix(name, ce_labels + 1, next_closer);
		put_nsec3(c, nsec3_for(v, next_closer, true));
	}
	return ce;
}

/* RFC 5155 §7.2.2: closest encloser proof, and the wildcard at it is covered. */
static void proof_nxdomain(struct auth_ctx *c, const struct auth_proof *p)
{
	const struct zone_node *ce = proof_closest_encloser(c, p->v, p->name, p->encloser);
	uint8_t wild[WIRE_NAME_MAXLEN];
	if (ce != NULL && auth_name_wildcard(ce->owner, wild) != 0)
		put_nsec3(c, nsec3_for(p->v, wild, true));
}

/*
 * RFC 5155 §7.2.3: the NSEC3 matching the name. Without one, §7.2.4 (DS
 * at an opt-out delegation, or an ENT kept out of the chain by opt-out):
 * the closest provable encloser proof, whose next-closer NSEC3 has the
 * opt-out flag.
 */
static void proof_nodata(struct auth_ctx *c, const struct auth_proof *p)
{
	const struct zone_node *match = node_nsec3(p->v, p->node);
	if (match != NULL) {
		put_nsec3(c, match);
		return;
	}
	proof_closest_encloser(c, p->v, p->name, p->node->parent);
}

void auth_nsec3_proof(struct auth_ctx *c, const struct auth_proof *p)
{
	uint8_t next_closer[WIRE_NAME_MAXLEN];
	switch (p->kind) {
	case AUTH_PROOF_NXDOMAIN:
		proof_nxdomain(c, p);
		break;
	case AUTH_PROOF_NODATA:
		proof_nodata(c, p);
		break;
	case AUTH_PROOF_WILDCARD:
		/* RFC 5155 §7.2.6: only the next closer name is denied; RRSIG labels show the rest. */
		auth_name_suffix(p->name, wire_name_labels(p->encloser->owner) + 1, next_closer);
		put_nsec3(c, nsec3_for(p->v, next_closer, true));
		break;
	case AUTH_PROOF_WILDCARD_NODATA:
		/* RFC 5155 §7.2.5: closest encloser proof plus the wildcard's matching NSEC3. */
		proof_closest_encloser(c, p->v, p->name, p->encloser);
		put_nsec3(c, node_nsec3(p->v, p->node));
		break;
	case AUTH_PROOF_NO_DS:
		/* RFC 5155 §7.2.7: as §7.2.3/§7.2.4 for the cut. */
		proof_nodata(c, p);
		break;
	}
}
