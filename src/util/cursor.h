/*
 * cursor.h - bounds-checked reader over a byte buffer with a sticky error.
 *
 * Purpose: every read of wire data goes through a cursor. A read past the
 * end sets `is_bad`, returns zero and leaves the position unchanged; later
 * reads keep failing, so a parser can read a run of fields and check once,
 * but must check before a value read from the wire drives a loop, an offset
 * or a copy.
 * Threads: a cursor belongs to one thread. Allocates nothing. Reads hostile
 * input by design.
 */
#ifndef NIM_UTIL_CURSOR_H
#define NIM_UTIL_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *base; /* borrowed */
	size_t len;
	size_t pos;
	bool is_bad;
};

static inline void cursor_init(struct cursor *c, const uint8_t *base, size_t len)
{
	c->base = base;
	c->len = len;
	c->pos = 0;
	c->is_bad = false;
}

static inline size_t cursor_left(const struct cursor *c)
{
	return c->is_bad ? 0 : c->len - c->pos;
}

static inline bool cursor_need(struct cursor *c, size_t n)
{
	if (c->is_bad || c->len - c->pos < n) {
		c->is_bad = true;
		return false;
	}
	return true;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
	if (!cursor_need(c, 1))
		return 0;
	return c->base[c->pos++];
}

static inline uint16_t cursor_u16(struct cursor *c)
{
	if (!cursor_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)((c->base[c->pos] << 8) | c->base[c->pos + 1]);
	c->pos += 2;
	return v;
}

static inline uint32_t cursor_u32(struct cursor *c)
{
	if (!cursor_need(c, 4))
		return 0;
	const uint8_t *p = c->base + c->pos;
	c->pos += 4;
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void cursor_skip(struct cursor *c, size_t n)
{
	if (cursor_need(c, n))
		c->pos += n;
}

/* Copies n bytes out; on failure `out` is left untouched. */
static inline void cursor_copy(struct cursor *c, void *out, size_t n)
{
	if (cursor_need(c, n)) {
		memcpy(out, c->base + c->pos, n);
		c->pos += n;
	}
}

#endif
