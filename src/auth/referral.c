/*
 * referral.c - the authority section of a referral (RFC 1034 §4.3.2 step
 * 3b): the NS RRset of the cut, and with DO the DS RRset or the proof that
 * there is none (RFC 4035 §3.1.4, RFC 5155 §7.2.7). The NS RRset at a cut
 * is not authoritative and carries no RRSIG; DS is the parent's and does.
 * Glue is remembered here and written by additional.c (RFC 9471).
 */
#include <string.h>

#include "auth/internal.h"
#include "wire/rdata.h"

void auth_referral_authority(struct auth_ctx *c)
{
	const struct zone_node *cut = c->cut;
	const struct zone_version *v = c->cut_v;
	const struct zone_rrset *ns = zone_node_rrset(cut, WIRE_TYPE_NS);
	if (ns == NULL || !auth_put_required(c, WIRE_SECTION_AUTHORITY, cut->owner, ns,
					     AUTH_TTL_ANY))
		return;
	auth_extra_add_rrset(c, v, ns, cut->owner);
	if (!c->is_do || !v->is_signed)
		return;
	const struct zone_rrset *ds = zone_node_rrset(cut, WIRE_TYPE_DS);
	if (ds != NULL) {
		auth_put_required(c, WIRE_SECTION_AUTHORITY, cut->owner, ds, AUTH_TTL_ANY);
		return;
	}
	struct auth_proof p = {
		.kind = AUTH_PROOF_NO_DS,
		.v = v,
		.encloser = cut,
		.node = cut,
		.qtype = WIRE_TYPE_DS,
	};
	memcpy(p.name, cut->owner, wire_name_len(cut->owner));
	if (v->has_nsec3)
		auth_nsec3_proof(c, &p);
	else
		auth_nsec_proof(c, &p);
}
