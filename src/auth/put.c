/*
 * put.c - writing zone RRsets into the answer, RRSIGs with them, and the
 * truncation rule.
 *
 * An RRset and its RRSIGs go in as one unit: either all of them fit or the
 * builder rolls all of them back (RFC 2181 §9 forbids half RRsets; a
 * signature without its RRset, or the reverse, helps no validator). With the
 * DO bit every RRset carries its RRSIGs in every section (RFC 4035 §3.1.1);
 * without it, no RRSIG is added.
 */
#include <string.h>

#include "auth/internal.h"
#include "util/error.h"
#include "wire/rdata.h"

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Adds every record of rrset to the open RRset of the builder. */
static int put_records(struct wire_builder *b, const uint8_t *owner, uint16_t type,
		       const struct zone_rrset *rrset, uint32_t ttl_cap)
{
	uint32_t ttl = rrset->ttl;
	if (ttl_cap < ttl)
		ttl = ttl_cap;
	const uint8_t *p = rrset->rdata;
	for (unsigned i = 0; i < rrset->n_rr; i++) {
		uint16_t rdlength = get16(p);
		int ret = wire_builder_rr(b, owner, type, WIRE_CLASS_IN, ttl, p + 2, rdlength);
		if (ret != NIM_OK)
			return ret;
		p += 2u + rdlength;
	}
	return NIM_OK;
}

int auth_put_rrset(struct auth_ctx *c, enum wire_section section, const uint8_t *owner,
		   const struct zone_rrset *rrset, uint32_t ttl_cap)
{
	wire_builder_rrset_begin(c->b, section);
	int ret = put_records(c->b, owner, rrset->type, rrset, ttl_cap);
	if (ret == NIM_OK && c->is_do && rrset->rrsig != NULL)
		ret = put_records(c->b, owner, WIRE_TYPE_RRSIG, rrset->rrsig, ttl_cap);
	if (ret != NIM_OK) {
		wire_builder_rrset_rollback(c->b);
		return NIM_ESPACE;
	}
	wire_builder_rrset_end(c->b);
	return NIM_OK;
}

void auth_truncate(struct auth_ctx *c)
{
	wire_builder_set_tc(c->b);
	c->is_tc = true;
	c->outcome = AUTH_OUT_DONE;
}

bool auth_put_required(struct auth_ctx *c, enum wire_section section, const uint8_t *owner,
		       const struct zone_rrset *rrset, uint32_t ttl_cap)
{
	if (c->is_tc)
		return false;
	if (auth_put_rrset(c, section, owner, rrset, ttl_cap) == NIM_OK)
		return true;
	auth_truncate(c);
	return false;
}

bool auth_put_rrsigs(struct auth_ctx *c, const uint8_t *owner, const struct zone_node *node)
{
	bool has_any = false;
	wire_builder_rrset_begin(c->b, WIRE_SECTION_ANSWER);
	for (unsigned i = 0; i < node->n_rrsets; i++) {
		const struct zone_rrset *sig = node->rrsets[i].rrsig;
		if (sig == NULL)
			continue;
		has_any = true;
		if (put_records(c->b, owner, WIRE_TYPE_RRSIG, sig, AUTH_TTL_ANY) != NIM_OK) {
			wire_builder_rrset_rollback(c->b);
			auth_truncate(c);
			return true;
		}
	}
	wire_builder_rrset_end(c->b);
	return has_any;
}

bool auth_put_cname(struct auth_ctx *c, const uint8_t *owner, uint32_t ttl, const uint8_t *target,
		    size_t target_len)
{
	if (c->is_tc)
		return false;
	wire_builder_rrset_begin(c->b, WIRE_SECTION_ANSWER);
	if (wire_builder_rr(c->b, owner, WIRE_TYPE_CNAME, WIRE_CLASS_IN, ttl, target,
			    (uint16_t)target_len) != NIM_OK) {
		wire_builder_rrset_rollback(c->b);
		auth_truncate(c);
		return false;
	}
	wire_builder_rrset_end(c->b);
	return true;
}

struct auth_proof *auth_proof_add(struct auth_ctx *c, enum auth_proof_kind kind,
				  const struct zone_version *v, const uint8_t *name)
{
	if (c->n_proofs >= AUTH_PROOF_CAP)
		return NULL;
	struct auth_proof *p = &c->proofs[c->n_proofs++];
	memset(p, 0, offsetof(struct auth_proof, name));
	p->kind = kind;
	p->v = v;
	p->qtype = c->qtype;
	memcpy(p->name, name, wire_name_len(name));
	return p;
}

/* Offset of the target name in the RDATA of the types whose targets get A/AAAA. */
static int target_offset(uint16_t type)
{
	switch (type) {
	case WIRE_TYPE_NS:
		return 0;
	case WIRE_TYPE_MX:
		return 2;
	case WIRE_TYPE_SRV:
		return 6; /* priority, weight, port */
	default:
		return -1;
	}
}

void auth_extra_add_rrset(struct auth_ctx *c, const struct zone_version *v,
			  const struct zone_rrset *rrset, const uint8_t *cut)
{
	int off = target_offset(rrset->type);
	if (off < 0)
		return;
	const uint8_t *p = rrset->rdata;
	for (unsigned i = 0; i < rrset->n_rr && c->n_extra < AUTH_EXTRA_CAP; i++) {
		uint16_t rdlength = get16(p);
		/* The zone checked the RDATA against its descriptor: the name is whole. */
		if (rdlength > off) {
			struct auth_extra *e = &c->extra[c->n_extra++];
			e->v = v;
			e->name = p + 2 + off;
			e->cut = cut;
		}
		p += 2u + rdlength;
	}
}

size_t auth_name_suffix(const uint8_t *name, unsigned n_labels, uint8_t *out)
{
	unsigned skip = wire_name_labels(name) - n_labels;
	const uint8_t *p = name;
	for (unsigned i = 0; i < skip; i++)
		p += *p + 1u;
	size_t len = wire_name_len(p);
	memcpy(out, p, len);
	return len;
}

size_t auth_name_wildcard(const uint8_t *name, uint8_t *out)
{
	size_t len = wire_name_len(name);
	if (len + 2 > WIRE_NAME_MAXLEN)
		return 0;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, len);
	return len + 2;
}
