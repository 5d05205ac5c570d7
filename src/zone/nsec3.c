/*
 * nsec3.c - NSEC3 hashing and the hashed-owner index (RFC 5155).
 *
 * NSEC3 owners are hashes, not names of the tree: they live in their own
 * array sorted by the decoded hash, which is also the RFC 5155 §3 order of
 * the chain (base32hex preserves the order of the octets it encodes, and
 * canonical order folds the letters to one case). Matching and covering a
 * hash is a binary search over 20-octet keys.
 */
#include <string.h>

#include <openssl/sha.h>

#include "util/error.h"
#include "zone/internal.h"
#include "zone/version.h"

/* RFC 5155 §5: IH(salt, x, 0) = H(x || salt); IH(salt, x, k) = H(IH(salt, x, k-1) || salt). */
void zone_nsec3_digest(const uint8_t *name, const uint8_t *salt, size_t salt_len,
		       unsigned iterations, uint8_t out[ZONE_NSEC3_HASH_LEN])
{
	uint8_t buf[WIRE_NAME_MAXLEN + 255];
	size_t len = wire_name_len(name);

	/* The owner name in canonical form: lower case (RFC 5155 §5, RFC 4034 §6.2). */
	memcpy(buf, name, len);
	wire_name_to_lower(buf);
	memcpy(buf + len, salt, salt_len);
	SHA1(buf, len + salt_len, out);
	for (unsigned k = 0; k < iterations; k++) {
		memcpy(buf, out, ZONE_NSEC3_HASH_LEN);
		memcpy(buf + ZONE_NSEC3_HASH_LEN, salt, salt_len);
		SHA1(buf, ZONE_NSEC3_HASH_LEN + salt_len, out);
	}
}

/* Value of a base32hex digit (RFC 4648 §7), any case, or -1. */
static int b32hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = wire_lower(c);
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	return -1;
}

bool zone_nsec3_label_decode(const uint8_t *label, uint8_t out[ZONE_NSEC3_HASH_LEN])
{
	/* 20 octets are 160 bits: exactly 32 digits of 5 bits, no padding. */
	if (label[0] != 32)
		return false;
	uint8_t tmp[ZONE_NSEC3_HASH_LEN];
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t w = 0;
	for (unsigned i = 1; i <= 32; i++) {
		int d = b32hex(label[i]);
		if (d < 0)
			return false;
		acc = (acc << 5) | (uint32_t)d;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			tmp[w++] = (uint8_t)(acc >> bits);
		}
	}
	memcpy(out, tmp, sizeof(tmp));
	return true;
}

int zone_version_nsec3_hash(const struct zone_version *v, const uint8_t *name, uint8_t out[20])
{
	/* RFC 5155 §11: 1 is SHA-1, the only algorithm defined. */
	if (v->nsec3.algorithm != 1)
		return NIM_ENOTSUP;
	zone_nsec3_digest(name, v->nsec3.salt, v->nsec3.salt_len, v->nsec3.iterations, out);
	return NIM_OK;
}

void zone_version_nsec3_find(const struct zone_version *v, const uint8_t hash[20],
			     const struct zone_node **match, const struct zone_node **cover)
{
	const uint8_t(*keys)[ZONE_NSEC3_HASH_LEN] = v->internal->nsec3_hashes;
	size_t n = v->n_nsec3_nodes;

	*match = NULL;
	*cover = NULL;
	if (n == 0)
		return;
	/* Invariant: keys [0, lo) are below hash, keys [hi, n) are not. */
	size_t lo = 0;
	size_t hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(keys[mid], hash, ZONE_NSEC3_HASH_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && memcmp(keys[lo], hash, ZONE_NSEC3_HASH_LEN) == 0) {
		*match = v->nsec3_nodes[lo];
		return;
	}
	/* RFC 5155 §7.2.1: the last NSEC3 covers the hashes after it and before the first. */
	*cover = v->nsec3_nodes[lo == 0 ? n - 1 : lo - 1];
}
