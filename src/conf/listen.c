/*
 * listen.c - "address@port" strings of server.listen; see conf.h.
 */
#include "conf/conf.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/error.h"

/* 1 to 5 decimal digits, 1..65535; leading zeros are allowed. */
static int parse_port(const char *text, uint16_t *out)
{
	unsigned value = 0;
	size_t n = 0;
	for (; text[n] != '\0'; n++) {
		if (text[n] < '0' || text[n] > '9' || n == 5)
			return NIM_EINVAL;
		value = value * 10 + (unsigned)(text[n] - '0');
	}
	if (n == 0 || value == 0 || value > 65535)
		return NIM_EINVAL;
	*out = (uint16_t)value;
	return NIM_OK;
}

int conf_listen_parse(const char *text, struct conf_listen *out)
{
	struct conf_listen l;
	char addr[sizeof(l.text)];
	uint16_t port = CONF_DEFAULT_PORT;
	bool is_bracketed = false;

	memset(&l, 0, sizeof(l));
	size_t len = strlen(text);
	/* Every valid form fits: "[" + 45-character IPv6 text + "]@65535" is 53. */
	if (len == 0 || len >= sizeof(l.text))
		return NIM_EINVAL;
	memcpy(l.text, text, len + 1);

	/* '@' never occurs in an address literal, so the first one ends it. */
	const char *at = strchr(text, '@');
	size_t addr_len = at != NULL ? (size_t)(at - text) : len;
	if (at != NULL && parse_port(at + 1, &port) != NIM_OK)
		return NIM_EINVAL;
	const char *start = text;
	if (addr_len > 0 && text[0] == '[') {
		if (addr_len < 2 || text[addr_len - 1] != ']')
			return NIM_EINVAL;
		start++;
		addr_len -= 2;
		is_bracketed = true;
	}
	if (addr_len == 0)
		return NIM_EINVAL;
	memcpy(addr, start, addr_len);
	addr[addr_len] = '\0';

	struct sockaddr_in *sin = (struct sockaddr_in *)&l.addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&l.addr;
	/* Brackets are for IPv6 only, as in URIs (RFC 3986 §3.2.2). */
	if (!is_bracketed && inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		l.addr_len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		l.addr_len = sizeof(*sin6);
	} else {
		return NIM_EINVAL;
	}
	*out = l;
	return NIM_OK;
}

bool conf_listen_equal(const struct conf_listen *a, const struct conf_listen *b)
{
	if (a->addr.ss_family != b->addr.ss_family)
		return false;
	if (a->addr.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)&a->addr;
		const struct sockaddr_in *y = (const struct sockaddr_in *)&b->addr;
		return x->sin_port == y->sin_port &&
		       memcmp(&x->sin_addr, &y->sin_addr, sizeof(x->sin_addr)) == 0;
	}
	const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->addr;
	const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->addr;
	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}
