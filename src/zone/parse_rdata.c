/*
 * parse_rdata.c - the fast RDATA path of the zone file parser.
 *
 * For the types most zones are made of, RDATA text goes straight to wire
 * form here, over the tokens parse.c found, without allocating. The rule
 * that keeps it honest: for what it accepts it writes exactly the octets
 * ldns writes (checked by the cross-check in the unit test and the fuzzer);
 * for anything unusual (mnemonic algorithms, TTL units in SOA timers,
 * non-canonical base64, odd escapes) it answers ZONE_FAST_NO and ldns
 * decides. It answers ZONE_FAST_ERR only where ldns is too lenient for a zone
 * (numbers out of range, which ldns truncates; missing or extra fields;
 * hex with an odd digit count), so those stay errors whoever parses.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "zone/parse_internal.h"

struct rd {
	const struct zone_tok *tok;
	size_t n_tok;
	size_t i; /* next token */
	const uint8_t *origin;
	uint8_t *o;
	size_t len;
	struct zone_fast_out *out;
};

bool zone_fast_handles(uint16_t type)
{
	switch (type) {
	case WIRE_TYPE_A: case WIRE_TYPE_AAAA: case WIRE_TYPE_NS: case WIRE_TYPE_CNAME:
	case WIRE_TYPE_DNAME: case WIRE_TYPE_PTR: case WIRE_TYPE_MX: case WIRE_TYPE_TXT:
	case WIRE_TYPE_SOA: case WIRE_TYPE_SRV: case WIRE_TYPE_CAA: case WIRE_TYPE_DS:
	case WIRE_TYPE_DNSKEY: case WIRE_TYPE_RRSIG: case WIRE_TYPE_NSEC: case WIRE_TYPE_NSEC3:
	case WIRE_TYPE_NSEC3PARAM: case WIRE_TYPE_TLSA: case WIRE_TYPE_SSHFP:
	case WIRE_TYPE_CDS: case WIRE_TYPE_CDNSKEY: case WIRE_TYPE_SPF:
		return true;
	default:
		return false;
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One escaped character at s (s[0] == '\\'), as ldns reads it: \DDD (at
 * most 255) or \X with X not a digit. Returns the octet, or -1; *adv is
 * the length of the escape. */
static int unescape(const char *s, const char *e, size_t *adv)
{
	if (e - s >= 4 && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3])) {
		int v = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		*adv = 4;
		return v > 255 ? -1 : v;
	}
	/* A backslash before a control character (a NUL, a CR) is left to ldns. */
	if (e - s < 2 || is_digit(s[1]) || (unsigned char)s[1] < 0x20 || s[1] == 0x7f)
		return -1;
	*adv = 2;
	return (unsigned char)s[1];
}

bool zone_tok_name(const struct zone_tok *t, const uint8_t *origin, uint8_t *out, size_t *out_len)
{
	uint8_t buf[WIRE_NAME_MAXLEN + 1];
	const char *s = t->s, *e = t->s + t->len;
	size_t lab = 0, pos = 1;

	if (t->is_quoted || t->len == 0)
		return false;
	if (t->len == 1 && (*s == '@' || *s == '.')) {
		size_t len = *s == '@' ? wire_name_len(origin) : 1;
		if (*s == '@')
			memcpy(out, origin, len);
		else
			out[0] = 0;
		*out_len = len;
		return true;
	}
	while (s < e) {
		int c = (unsigned char)*s;
		if (c == '.') {
			size_t n = pos - lab - 1;
			if (n == 0 || n > WIRE_LABEL_MAXLEN || pos >= WIRE_NAME_MAXLEN)
				return false;
			buf[lab] = (uint8_t)n;
			lab = pos++;
			if (++s == e) {
				buf[lab] = 0;
				memcpy(out, buf, pos);
				*out_len = pos;
				return true;
			}
			continue;
		}
		if (c == '\\') {
			size_t adv;
			c = unescape(s, e, &adv);
			if (c < 0)
				return false;
			s += adv;
		} else {
			s++;
		}
		if (pos >= WIRE_NAME_MAXLEN)
			return false;
		buf[pos++] = (uint8_t)c;
	}
	/* A relative name: RFC 1035 §5.1 appends the origin. */
	size_t n = pos - lab - 1;
	size_t origin_len = wire_name_len(origin);
	if (n == 0 || n > WIRE_LABEL_MAXLEN || pos + origin_len > WIRE_NAME_MAXLEN)
		return false;
	buf[lab] = (uint8_t)n;
	memcpy(out, buf, pos);
	memcpy(out + pos, origin, origin_len);
	*out_len = pos + origin_len;
	return true;
}

bool zone_tok_type(const struct zone_tok *t, uint16_t *out)
{
	/* The common mnemonics first, upper-cased and compared by length: a
	 * strcasecmp over the whole table for each of a million records shows
	 * in the load time. */
	static const struct { uint8_t len; char name[7]; uint16_t type; } common[] = {
		{1, "A", WIRE_TYPE_A}, {2, "NS", WIRE_TYPE_NS}, {4, "AAAA", WIRE_TYPE_AAAA},
		{2, "MX", WIRE_TYPE_MX}, {3, "TXT", WIRE_TYPE_TXT}, {5, "CNAME", WIRE_TYPE_CNAME},
		{5, "RRSIG", WIRE_TYPE_RRSIG}, {4, "NSEC", WIRE_TYPE_NSEC}, {2, "DS", WIRE_TYPE_DS},
		{5, "NSEC3", WIRE_TYPE_NSEC3}, {3, "PTR", WIRE_TYPE_PTR}, {3, "SOA", WIRE_TYPE_SOA},
		{3, "SRV", WIRE_TYPE_SRV}, {6, "DNSKEY", WIRE_TYPE_DNSKEY},
	};
	char buf[24];

	if (t->is_quoted || t->len == 0 || t->len >= sizeof(buf))
		return false;
	for (size_t k = 0; k < t->len; k++) {
		char c = t->s[k];
		buf[k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	buf[t->len] = '\0';
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		if (common[i].len == t->len && memcmp(common[i].name, buf, t->len) == 0) {
			*out = common[i].type;
			return true;
		}
	}
	return wire_type_from_str(buf, out) == NIM_OK;
}

static enum zone_fast_rc why(struct rd *r, enum zone_fast_rc rc, const char *what)
{
	r->out->why = what;
	r->out->why_tok = r->i;
	return rc;
}

/* The next token, or NULL (and the error set) when the fields ran out. */
static const struct zone_tok *next(struct rd *r)
{
	return r->i < r->n_tok ? &r->tok[r->i] : NULL;
}

static enum zone_fast_rc f_int(struct rd *r, unsigned octets)
{
	const struct zone_tok *t = next(r);
	uint64_t v = 0, max = octets == 4 ? UINT32_MAX : (1u << (8 * octets)) - 1;

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing field");
	if (t->is_quoted || t->len == 0 || t->len > 10)
		return why(r, ZONE_FAST_ERR, "bad number");
	for (size_t k = 0; k < t->len; k++) {
		if (!is_digit(t->s[k]))
			return why(r, ZONE_FAST_ERR, "bad number");
		v = v * 10 + (uint64_t)(t->s[k] - '0');
	}
	if (v > max)
		return why(r, ZONE_FAST_ERR, "number out of range");
	for (unsigned k = octets; k-- > 0;)
		r->o[r->len++] = (uint8_t)(v >> (8 * k));
	r->i++;
	return ZONE_FAST_OK;
}

/* A DNSSEC algorithm: a number here; mnemonics (RFC 4034 App. A.1) go to ldns. */
static enum zone_fast_rc f_alg(struct rd *r)
{
	const struct zone_tok *t = next(r);
	if (t != NULL && t->len > 0 && !is_digit(t->s[0]))
		return why(r, ZONE_FAST_NO, "bad algorithm");
	return f_int(r, 1);
}

/* A 32-bit period: plain seconds here; units ("1h") go to ldns. */
static enum zone_fast_rc f_period(struct rd *r)
{
	const struct zone_tok *t = next(r);
	if (t != NULL && !t->is_quoted) {
		for (size_t k = 0; k < t->len; k++)
			if (!is_digit(t->s[k]))
				return why(r, ZONE_FAST_NO, "bad period");
	}
	return f_int(r, 4);
}

static enum zone_fast_rc f_name(struct rd *r)
{
	const struct zone_tok *t = next(r);
	size_t len;

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing name");
	/* ldns reads "@x.y" as the origin: refuse what means two things. */
	if (t->len > 1 && t->s[0] == '@' && !t->is_quoted)
		return why(r, ZONE_FAST_ERR, "'@' inside a name (write \\@ for a literal one)");
	if (!zone_tok_name(t, r->origin, r->o + r->len, &len))
		return why(r, ZONE_FAST_NO, "bad name");
	r->len += len;
	r->i++;
	return ZONE_FAST_OK;
}

static enum zone_fast_rc f_a(struct rd *r)
{
	const struct zone_tok *t = next(r);
	const char *s, *e;
	uint8_t *o = r->o + r->len;

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing address");
	s = t->s;
	e = t->s + t->len;
	for (int k = 0; k < 4; k++) {
		unsigned v = 0, nd = 0;
		const char *d = s;
		while (s < e && is_digit(*s) && nd < 3) {
			v = v * 10 + (unsigned)(*s++ - '0');
			nd++;
		}
		/* inet_pton(3), which ldns uses, refuses leading zeros. */
		if (nd == 0 || (nd > 1 && *d == '0') || v > 255 || (k < 3 && (s == e || *s++ != '.')))
			return why(r, ZONE_FAST_NO, "bad IPv4 address");
		o[k] = (uint8_t)v;
	}
	if (s != e || t->is_quoted)
		return why(r, ZONE_FAST_NO, "bad IPv4 address");
	r->len += 4;
	r->i++;
	return ZONE_FAST_OK;
}

static enum zone_fast_rc f_aaaa(struct rd *r)
{
	const struct zone_tok *t = next(r);
	char buf[64];

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing address");
	if (t->is_quoted || t->len >= sizeof(buf))
		return why(r, ZONE_FAST_NO, "bad IPv6 address");
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	if (inet_pton(AF_INET6, buf, r->o + r->len) != 1)
		return why(r, ZONE_FAST_NO, "bad IPv6 address");
	r->len += 16;
	r->i++;
	return ZONE_FAST_OK;
}

/* Unescapes t into out (at most max octets). Returns the length or -1,
 * also for raw control characters, which ldns's tokenizer treats its own
 * way (a CR in a quoted string is not kept as is). */
static int unescape_tok(const struct zone_tok *t, uint8_t *out, size_t max)
{
	const char *s = t->s, *e = t->s + t->len;
	size_t n = 0;

	while (s < e) {
		int c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (c == '\\') {
			size_t adv;
			c = unescape(s, e, &adv);
			if (c < 0)
				return -1;
			s += adv;
		} else {
			s++;
		}
		if (n >= max)
			return -1;
		out[n++] = (uint8_t)c;
	}
	return (int)n;
}

/* One <character-string> (RFC 1035 §3.3). ldns measures the 255-octet
 * limit on the text before unescaping: longer texts go to ldns. */
static enum zone_fast_rc f_string(struct rd *r)
{
	const struct zone_tok *t = next(r);

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing string");
	if (t->len > 255)
		return why(r, ZONE_FAST_NO, "string too long");
	int n = unescape_tok(t, r->o + r->len + 1, 255);
	if (n < 0)
		return why(r, ZONE_FAST_NO, "bad string");
	r->o[r->len] = (uint8_t)n;
	r->len += 1 + (size_t)n;
	r->i++;
	return ZONE_FAST_OK;
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex in the rest of the tokens (RFC 4034 §5.3, RFC 6698 §2.2). */
static enum zone_fast_rc f_hex_rest(struct rd *r)
{
	size_t start = r->len;
	int hi = -1;

	if (r->i >= r->n_tok)
		return why(r, ZONE_FAST_ERR, "missing hexadecimal data");
	for (; r->i < r->n_tok; r->i++) {
		const struct zone_tok *t = &r->tok[r->i];
		if (t->is_quoted)
			return why(r, ZONE_FAST_NO, "bad hexadecimal data");
		for (size_t k = 0; k < t->len; k++) {
			int v = hexval(t->s[k]);
			if (v < 0)
				return why(r, ZONE_FAST_NO, "bad hexadecimal data");
			if (hi < 0) {
				hi = v;
			} else {
				if (r->len >= ZONE_RDATA_MAX)
					return why(r, ZONE_FAST_ERR, "RDATA too long");
				r->o[r->len++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
		}
	}
	if (hi >= 0) {
		r->i--;
		return why(r, ZONE_FAST_ERR, "odd number of hexadecimal digits");
	}
	return r->len > start ? ZONE_FAST_OK : why(r, ZONE_FAST_NO, "empty hexadecimal data");
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64 (RFC 4648 §4) in the rest of the tokens; canonical padding only. */
static enum zone_fast_rc f_b64_rest(struct rd *r)
{
	uint32_t acc = 0;
	size_t n_chars = 0, n_pad = 0, start = r->len;

	if (r->i >= r->n_tok)
		return why(r, ZONE_FAST_ERR, "missing base64 data");
	for (; r->i < r->n_tok; r->i++) {
		const struct zone_tok *t = &r->tok[r->i];
		if (t->is_quoted)
			return why(r, ZONE_FAST_NO, "bad base64 data");
		for (size_t k = 0; k < t->len; k++) {
			int v = b64val(t->s[k]);
			if (t->s[k] == '=' && n_pad < 2 && n_chars % 4 >= 2) {
				n_pad++;
				v = 0;
			} else if (v < 0 || n_pad > 0) {
				return why(r, ZONE_FAST_NO, "bad base64 data");
			}
			acc = acc << 6 | (uint32_t)v;
			if (++n_chars % 4 == 0) {
				/* Bits below the last whole octet must be zero (RFC 4648
				 * §3.5); ldns refuses them otherwise. */
				if ((n_pad == 1 && (acc & 0xff) != 0) ||
				    (n_pad == 2 && (acc & 0xffff) != 0))
					return why(r, ZONE_FAST_NO, "bad base64 data");
				if (r->len + 3 > ZONE_RDATA_MAX)
					return why(r, ZONE_FAST_ERR, "RDATA too long");
				r->o[r->len++] = (uint8_t)(acc >> 16);
				r->o[r->len++] = (uint8_t)(acc >> 8);
				r->o[r->len++] = (uint8_t)acc;
				acc = 0;
			}
		}
	}
	if (n_chars == 0 || n_chars % 4 != 0)
		return why(r, ZONE_FAST_NO, "bad base64 data");
	if (n_pad > 0) {
		/* The padded group was written whole; drop its padding octets. */
		r->len -= n_pad;
	}
	return r->len > start ? ZONE_FAST_OK : why(r, ZONE_FAST_NO, "bad base64 data");
}

/* Days before each month in a common year. */
static const uint16_t mdays[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

static bool is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* RRSIG times (RFC 4034 §3.2): YYYYMMDDHHmmSS, or seconds since the epoch.
 * The day of the month is checked against 1..31 only and counted on from
 * the first of the month, as ldns does. */
static enum zone_fast_rc f_time(struct rd *r)
{
	const struct zone_tok *t = next(r);
	int f[6], w[6] = {4, 2, 2, 2, 2, 2};
	const char *s;

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing time");
	for (size_t k = 0; k < t->len; k++)
		if (!is_digit(t->s[k]) || t->is_quoted)
			return why(r, ZONE_FAST_NO, "bad time");
	if (t->len != 14)
		return f_int(r, 4);
	s = t->s;
	for (int k = 0; k < 6; k++) {
		f[k] = 0;
		for (int d = 0; d < w[k]; d++)
			f[k] = f[k] * 10 + (*s++ - '0');
	}
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 ||
	    f[4] > 59 || f[5] > 59)
		return why(r, ZONE_FAST_NO, "bad time");
	long days = 365L * (f[0] - 1970);
	for (long y = 1970; y < f[0]; y++)
		days += is_leap(y);
	days += mdays[f[1] - 1] + (f[1] > 2 && is_leap(f[0])) + f[2] - 1;
	uint64_t v = (uint64_t)days * 86400 + (uint64_t)f[3] * 3600 + (uint64_t)f[4] * 60 +
		     (uint64_t)f[5];
	for (int k = 3; k >= 0; k--)
		r->o[r->len++] = (uint8_t)(v >> (8 * k));
	r->i++;
	return ZONE_FAST_OK;
}

/*
 * A type inside RDATA (RRSIG type covered, NSEC and NSEC3 bitmaps). ldns
 * turns every mnemonic it does not know into type 0 without a word, so an
 * unknown mnemonic is an error here rather than work for ldns; and the two
 * mnemonics ldns lacks (AMTRELAY, TA) must be written TYPEnnn, or the
 * zone's meaning would depend on which engine read the record.
 */
static enum zone_fast_rc rdata_type(struct rd *r, const struct zone_tok *t, uint16_t *out)
{
	if (!zone_tok_type(t, out))
		return why(r, ZONE_FAST_ERR, "unknown type");
	bool is_numeric = t->len > 4 && strncasecmp(t->s, "TYPE", 4) == 0;
	if ((*out == WIRE_TYPE_AMTRELAY || *out == WIRE_TYPE_TA) && !is_numeric)
		return why(r, ZONE_FAST_ERR, "write this type as TYPEnnn");
	return ZONE_FAST_OK;
}

/* RFC 4034 §4.1.2 type bitmap from the rest of the tokens. */
static enum zone_fast_rc f_bitmap_rest(struct rd *r)
{
	uint16_t types[512];
	size_t n = 0;

	if (r->i >= r->n_tok || r->n_tok - r->i > sizeof(types) / sizeof(types[0]))
		return why(r, ZONE_FAST_NO, "type bitmap not handled here");
	for (; r->i < r->n_tok; r->i++) {
		uint16_t ty;
		enum zone_fast_rc rc = rdata_type(r, &r->tok[r->i], &ty);
		if (rc != ZONE_FAST_OK)
			return rc;
		size_t k = n++;
		while (k > 0 && types[k - 1] > ty) {
			types[k] = types[k - 1];
			k--;
		}
		types[k] = ty;
	}
	for (size_t k = 0; k < n;) {
		unsigned win = types[k] >> 8;
		uint8_t *hdr = r->o + r->len, *bits = hdr + 2;
		unsigned max_octet = 0;
		memset(bits, 0, 32);
		for (; k < n && (unsigned)(types[k] >> 8) == win; k++) {
			unsigned lo = types[k] & 0xff;
			bits[lo / 8] |= (uint8_t)(0x80 >> (lo % 8));
			if (lo / 8 + 1 > max_octet)
				max_octet = lo / 8 + 1;
		}
		hdr[0] = (uint8_t)win;
		hdr[1] = (uint8_t)max_octet;
		r->len += 2 + max_octet;
	}
	return ZONE_FAST_OK;
}

/* NSEC3 salt (RFC 5155 §3.3): "-" or hex, after a length octet. */
static enum zone_fast_rc f_salt(struct rd *r)
{
	const struct zone_tok *t = next(r);

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing salt");
	if (t->len == 1 && t->s[0] == '-' && !t->is_quoted) {
		r->o[r->len++] = 0;
		r->i++;
		return ZONE_FAST_OK;
	}
	if (t->is_quoted || t->len == 0 || t->len % 2 != 0 || t->len > 510)
		return why(r, ZONE_FAST_NO, "bad salt");
	uint8_t *o = r->o + r->len;
	o[0] = (uint8_t)(t->len / 2);
	for (size_t k = 0; k < t->len; k += 2) {
		int hi = hexval(t->s[k]), lo = hexval(t->s[k + 1]);
		if (hi < 0 || lo < 0)
			return why(r, ZONE_FAST_NO, "bad salt");
		o[1 + k / 2] = (uint8_t)(hi << 4 | lo);
	}
	r->len += 1 + t->len / 2;
	r->i++;
	return ZONE_FAST_OK;
}

/* NSEC3 next hashed owner (RFC 5155 §3.3): base32hex without padding,
 * after a length octet; whole 40-bit groups here. */
static enum zone_fast_rc f_b32hex(struct rd *r)
{
	const struct zone_tok *t = next(r);
	uint64_t acc = 0;

	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing next hashed owner");
	if (t->is_quoted || t->len == 0 || t->len % 8 != 0 || t->len > 408)
		return why(r, ZONE_FAST_NO, "bad next hashed owner");
	uint8_t *o = r->o + r->len;
	size_t n = 1;
	for (size_t k = 0; k < t->len; k++) {
		char c = t->s[k];
		int v = is_digit(c) ? c - '0' : ((c | 0x20) >= 'a' && (c | 0x20) <= 'v') ? (c | 0x20) - 'a' + 10 : -1;
		if (v < 0)
			return why(r, ZONE_FAST_NO, "bad next hashed owner");
		acc = acc << 5 | (uint64_t)v;
		if (k % 8 == 7) {
			for (int b = 4; b >= 0; b--)
				o[n++] = (uint8_t)(acc >> (8 * b));
			acc = 0;
		}
	}
	if (n - 1 > 255)
		return why(r, ZONE_FAST_NO, "bad next hashed owner");
	o[0] = (uint8_t)(n - 1);
	r->len += n;
	r->i++;
	return ZONE_FAST_OK;
}

/* CAA (RFC 8659 §4.1): flags, tag, value (the rest of the RDATA, unquoted). */
static enum zone_fast_rc f_caa(struct rd *r)
{
	enum zone_fast_rc rc = f_int(r, 1);
	const struct zone_tok *t;

	if (rc != ZONE_FAST_OK)
		return rc;
	t = next(r);
	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing tag");
	if (t->is_quoted || t->len == 0 || t->len > 15)
		return why(r, ZONE_FAST_NO, "bad tag");
	r->o[r->len++] = (uint8_t)t->len;
	for (size_t k = 0; k < t->len; k++) {
		char c = t->s[k];
		if (!is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return why(r, ZONE_FAST_NO, "bad tag");
		r->o[r->len++] = (uint8_t)c;
	}
	r->i++;
	t = next(r);
	if (t == NULL)
		return why(r, ZONE_FAST_ERR, "missing value");
	/* ldns wants the value quoted; RFC 8659 §4.1.1 would allow a bare word. */
	if (t->len > 255 || !t->is_quoted)
		return why(r, ZONE_FAST_NO, "value not quoted");
	int n = unescape_tok(t, r->o + r->len, 255);
	if (n < 0)
		return why(r, ZONE_FAST_NO, "bad value");
	r->len += (size_t)n;
	r->i++;
	return ZONE_FAST_OK;
}

static enum zone_fast_rc fields(struct rd *r, uint16_t type)
{
	enum zone_fast_rc rc = ZONE_FAST_OK;

	switch (type) {
	case WIRE_TYPE_A:
		return f_a(r);
	case WIRE_TYPE_AAAA:
		return f_aaaa(r);
	case WIRE_TYPE_NS: case WIRE_TYPE_CNAME: case WIRE_TYPE_DNAME: case WIRE_TYPE_PTR:
		return f_name(r);
	case WIRE_TYPE_MX:
		rc = f_int(r, 2);
		return rc ? rc : f_name(r);
	case WIRE_TYPE_TXT: case WIRE_TYPE_SPF:
		do {
			if (r->len > ZONE_RDATA_MAX)
				return why(r, ZONE_FAST_ERR, "RDATA too long");
			rc = f_string(r);
		} while (rc == ZONE_FAST_OK && r->i < r->n_tok);
		return rc;
	case WIRE_TYPE_SOA:
		rc = f_name(r);
		rc = rc ? rc : f_name(r);
		rc = rc ? rc : f_int(r, 4);
		for (int k = 0; k < 4 && rc == ZONE_FAST_OK; k++)
			rc = f_period(r);
		return rc;
	case WIRE_TYPE_SRV:
		for (int k = 0; k < 3 && rc == ZONE_FAST_OK; k++)
			rc = f_int(r, 2);
		return rc ? rc : f_name(r);
	case WIRE_TYPE_CAA:
		return f_caa(r);
	case WIRE_TYPE_DS: case WIRE_TYPE_CDS:
		rc = f_int(r, 2);
		rc = rc ? rc : f_alg(r);
		rc = rc ? rc : f_int(r, 1);
		return rc ? rc : f_hex_rest(r);
	case WIRE_TYPE_DNSKEY: case WIRE_TYPE_CDNSKEY:
		rc = f_int(r, 2);
		rc = rc ? rc : f_int(r, 1);
		rc = rc ? rc : f_alg(r);
		return rc ? rc : f_b64_rest(r);
	case WIRE_TYPE_RRSIG: {
		const struct zone_tok *t = next(r);
		uint16_t covered;
		if (t == NULL)
			return why(r, ZONE_FAST_ERR, "missing type covered");
		rc = rdata_type(r, t, &covered);
		if (rc != ZONE_FAST_OK)
			return rc;
		r->o[r->len++] = (uint8_t)(covered >> 8);
		r->o[r->len++] = (uint8_t)covered;
		r->i++;
		rc = f_alg(r);
		rc = rc ? rc : f_int(r, 1);
		rc = rc ? rc : f_int(r, 4);
		rc = rc ? rc : f_time(r);
		rc = rc ? rc : f_time(r);
		rc = rc ? rc : f_int(r, 2);
		rc = rc ? rc : f_name(r);
		return rc ? rc : f_b64_rest(r);
	}
	case WIRE_TYPE_NSEC:
		rc = f_name(r);
		return rc ? rc : f_bitmap_rest(r);
	case WIRE_TYPE_NSEC3:
		rc = f_int(r, 1);
		rc = rc ? rc : f_int(r, 1);
		rc = rc ? rc : f_int(r, 2);
		rc = rc ? rc : f_salt(r);
		rc = rc ? rc : f_b32hex(r);
		/* An empty bitmap is an empty non-terminal's (RFC 5155 §3.2.1). */
		if (rc == ZONE_FAST_OK && r->i == r->n_tok)
			return rc;
		return rc ? rc : f_bitmap_rest(r);
	case WIRE_TYPE_NSEC3PARAM:
		rc = f_int(r, 1);
		rc = rc ? rc : f_int(r, 1);
		rc = rc ? rc : f_int(r, 2);
		return rc ? rc : f_salt(r);
	case WIRE_TYPE_TLSA:
		rc = f_int(r, 1);
		rc = rc ? rc : f_int(r, 1);
		rc = rc ? rc : f_int(r, 1);
		return rc ? rc : f_hex_rest(r);
	case WIRE_TYPE_SSHFP:
		rc = f_int(r, 1);
		rc = rc ? rc : f_int(r, 1);
		return rc ? rc : f_hex_rest(r);
	default:
		return why(r, ZONE_FAST_NO, NULL);
	}
}

enum zone_fast_rc zone_fast_rdata(uint16_t type, const struct zone_tok *tok, size_t n_tok,
				  const uint8_t *origin, struct zone_fast_out *out)
{
	struct rd r = {.tok = tok, .n_tok = n_tok, .origin = origin, .o = out->rdata, .out = out};

	out->why = NULL;
	out->why_tok = 0;
	/* Each field is at most 2 + 255 octets ahead of the checks that matter:
	 * a record of many fields stops well before the buffer ends. */
	if (n_tok > 4096)
		return why(&r, ZONE_FAST_NO, NULL);
	/* "\#" anywhere makes ldns read generic RDATA (RFC 3597 §5): never a
	 * name or a string to us. */
	for (size_t i = 1; i < n_tok; i++)
		if (tok[i].len == 2 && tok[i].s[0] == '\\' && tok[i].s[1] == '#' && !tok[i].is_quoted)
			return why(&r, ZONE_FAST_NO, NULL);
	enum zone_fast_rc rc = fields(&r, type);
	if (rc != ZONE_FAST_OK)
		return rc;
	if (r.i < r.n_tok)
		return why(&r, ZONE_FAST_ERR, "more fields than the type has");
	if (r.len > ZONE_RDATA_MAX)
		return why(&r, ZONE_FAST_ERR, "RDATA too long");
	out->rdlength = r.len;
	return ZONE_FAST_OK;
}
