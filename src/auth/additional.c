/*
 * additional.c - additional-section processing (RFC 1034 §4.3.2 step 6,
 * RFC 1035 §3.3.9, §3.3.11, RFC 2782): A then AAAA (with their RRSIGs
 * under DO) for the targets of NS, MX and SRV RRsets written above, when
 * the target is in the same zone.
 *
 * Additional data is optional and dropped when it does not fit, with one
 * exception: the glue of a referral whose NS names are below the cut
 * ("in-domain" glue, RFC 9471 §2.1) is needed to follow the referral at
 * all, so when it does not fit the answer is truncated (RFC 9471 §3.1;
 * sibling glue is optional, §3.2).
 * Required glue goes first, so that optional data never displaces it.
 * Occluded names (below a cut or a DNAME) are served as glue for a
 * referral only, never as additional data of an authoritative answer.
 */
#include <stdbool.h>

#include "auth/internal.h"
#include "util/error.h"
#include "wire/rdata.h"

/* The node holding the target's addresses, or NULL when we give none. */
static const struct zone_node *target_node(const struct auth_extra *e)
{
	const struct zone_version *v = e->v;
	if (!wire_name_is_subdomain(e->name, v->origin))
		return NULL;
	/* Referral glue: any address the zone holds, occluded or not (RFC 9471 §2). */
	if (e->cut != NULL)
		return zone_version_find(v, e->name);
	struct zone_match m;
	zone_version_lookup(v, e->name, &m);
	if (m.cut != NULL || m.dname != NULL)
		return NULL;
	return m.node;
}

/* True when e's glue is required for the referral to work (RFC 9471 §2.1). */
static bool is_required(const struct auth_extra *e)
{
	return e->cut != NULL && wire_name_is_subdomain(e->name, e->cut);
}

static bool is_written(const struct zone_node *const *done, unsigned n_done,
		       const struct zone_node *node)
{
	for (unsigned i = 0; i < n_done; i++) {
		if (done[i] == node)
			return true;
	}
	return false;
}

/*
 * Writes A and AAAA of e's target. Returns false when something did not fit
 * (and then stops the additional section; TC when the glue was required).
 */
static bool put_addresses(struct auth_ctx *c, const struct auth_extra *e,
			  const struct zone_node *node)
{
	static const uint16_t types[] = { WIRE_TYPE_A, WIRE_TYPE_AAAA };
	for (unsigned t = 0; t < 2; t++) {
		const struct zone_rrset *rrset = zone_node_rrset(node, types[t]);
		if (rrset == NULL)
			continue;
		if (auth_put_rrset(c, WIRE_SECTION_ADDITIONAL, e->name, rrset, AUTH_TTL_ANY) !=
		    NIM_OK) {
			if (is_required(e))
				auth_truncate(c);
			return false;
		}
	}
	return true;
}

void auth_additional(struct auth_ctx *c)
{
	const struct zone_node *done[AUTH_EXTRA_CAP];
	unsigned n_done = 0;
	/* Pass 0: required glue; pass 1: everything else. */
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < c->n_extra; i++) {
			const struct auth_extra *e = &c->extra[i];
			if (is_required(e) != (pass == 0))
				continue;
			const struct zone_node *node = target_node(e);
			if (node == NULL || is_written(done, n_done, node))
				continue;
			done[n_done++] = node;
			if (!put_addresses(c, e, node))
				return;
		}
	}
}
