/*
 * Unit tests for src/conf: every key and default, listen address parsing, and
 * each class of error with its exact message and line:col as the user sees it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "util/diag.h"
#include "util/error.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The smallest valid server section; tests append to it. */
#define MINIMAL "server:\n  listen: [\"127.0.0.1@5300\"]\n"

static struct conf *load_ok(const char *text)
{
	struct nim_diag_list diags;
	struct conf *conf = NULL;
	nim_diag_list_init(&diags);
	int ret = conf_load_string(text, strlen(text), "t.yaml", &diags, &conf);
	if (diags.head != NULL)
		nim_diag_list_print(&diags, stderr);
	assert_int_equal(ret, NIM_OK);
	assert_null(diags.head);
	assert_non_null(conf);
	nim_diag_list_clear(&diags);
	return conf;
}

/* Checks that text fails with exactly the rendered diagnostics in want, in order. */
static void assert_errors(const char *text, const char *name, const char *const *want,
			  size_t n_want)
{
	struct nim_diag_list diags;
	struct conf sentinel;
	struct conf *conf = &sentinel;
	char line[1024];
	size_t i = 0;

	nim_diag_list_init(&diags);
	int ret = conf_load_string(text, strlen(text), name, &diags, &conf);
	for (const struct nim_diag *d = diags.head; d != NULL; d = d->next, i++) {
		nim_diag_format(d, line, sizeof(line));
		if (i >= n_want || strcmp(line, want[i]) != 0)
			fprintf(stderr, "diagnostic %zu: %s\n", i, line);
		if (i < n_want)
			assert_string_equal(line, want[i]);
	}
	assert_int_equal(i, n_want);
	assert_int_equal(diags.n_errors, n_want);
	assert_int_equal(ret, NIM_ECONFIG);
	/* Out-parameters are written only on success. */
	assert_ptr_equal(conf, &sentinel);
	nim_diag_list_clear(&diags);
}

#define ASSERT_ERRORS(text, ...)                                                                   \
	do {                                                                                       \
		const char *const want_[] = {__VA_ARGS__};                                         \
		assert_errors((text), "t.yaml", want_, N_OF(want_));                               \
	} while (0)

static uint16_t listen_port(const struct conf_listen *l)
{
	if (l->addr.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&l->addr)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&l->addr)->sin6_port);
}

static void assert_listen(const struct conf_listen *l, int family, const char *addr, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];
	const void *raw = family == AF_INET
			      ? (const void *)&((const struct sockaddr_in *)&l->addr)->sin_addr
			      : (const void *)&((const struct sockaddr_in6 *)&l->addr)->sin6_addr;
	assert_int_equal(l->addr.ss_family, family);
	assert_int_equal(l->addr_len, family == AF_INET ? sizeof(struct sockaddr_in)
							: sizeof(struct sockaddr_in6));
	assert_non_null(inet_ntop(family, raw, text, sizeof(text)));
	assert_string_equal(text, addr);
	assert_int_equal(listen_port(l), port);
}

/* --- good files ---------------------------------------------------------- */

static void every_key_is_read(void **state)
{
	struct conf *conf =
	    load_ok("# every key\n"
		    "server:\n"
		    "  listen: [ \"127.0.0.1@5300\", \"::1@5300\", \"[::1]@53\" ]\n"
		    "  workers: 3\n"
		    "  user: nimbus\n"
		    "  pid-file: /run/nimbusd.pid\n"
		    "  log-level: debug\n"
		    "  log-target: syslog\n"
		    "  identity: ns1.example\n"
		    "  version: \"nimbus 0.1\"\n"
		    "  tcp-idle-timeout: 500ms\n"
		    "  tcp-max-clients: 77\n"
		    "  udp-max-payload: 4096\n"
		    "zones:\n"
		    "  - name: example.com\n"
		    "    file: zones/example.com.zone\n"
		    "  - { name: \"example.net.\", file: /var/lib/nimbus/net.zone }\n"
		    "resolver: {}\n");
	const struct conf_server *s = &conf->server;
	assert_string_equal(conf->path, "t.yaml");
	assert_int_equal(s->n_listen, 3);
	assert_listen(&s->listen[0], AF_INET, "127.0.0.1", 5300);
	assert_string_equal(s->listen[0].text, "127.0.0.1@5300");
	assert_listen(&s->listen[1], AF_INET6, "::1", 5300);
	assert_listen(&s->listen[2], AF_INET6, "::1", 53);
	assert_string_equal(s->listen[2].text, "[::1]@53");
	assert_int_equal(s->workers, 3);
	assert_string_equal(s->user, "nimbus");
	assert_string_equal(s->pid_file, "/run/nimbusd.pid");
	assert_int_equal(s->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(s->log_target, CONF_LOG_SYSLOG);
	assert_string_equal(s->identity, "ns1.example");
	assert_string_equal(s->version, "nimbus 0.1");
	assert_int_equal(s->tcp_idle_timeout_ms, 500);
	assert_int_equal(s->tcp_max_clients, 77);
	assert_int_equal(s->udp_max_payload, 4096);
	assert_int_equal(conf->n_zones, 2);
	assert_string_equal(conf->zones[0].name, "example.com");
	assert_string_equal(conf->zones[0].file, "zones/example.com.zone");
	assert_int_equal(conf->zones[0].line, 15);
	assert_string_equal(conf->zones[1].name, "example.net.");
	assert_string_equal(conf->zones[1].file, "/var/lib/nimbus/net.zone");
	assert_int_equal(conf->zones[1].line, 17);
	conf_free(conf);
}

static void defaults_fill_what_is_missing(void **state)
{
	struct conf *conf = load_ok("server:\n  listen: [ 192.0.2.1 ]\n");
	const struct conf_server *s = &conf->server;
	long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char host[256] = "";

	assert_int_equal(s->n_listen, 1);
	assert_listen(&s->listen[0], AF_INET, "192.0.2.1", CONF_DEFAULT_PORT);
	assert_int_equal(s->workers, n_cpus < 1 ? 1 : n_cpus > 256 ? 256 : n_cpus);
	assert_null(s->user);
	assert_null(s->pid_file);
	assert_int_equal(s->log_level, LOG_LEVEL_INFO);
	assert_int_equal(s->log_target, CONF_LOG_STDERR);
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	assert_string_equal(s->identity, host);
	assert_string_equal(s->version, "nimbus " PACKAGE_VERSION);
	assert_int_equal(s->tcp_idle_timeout_ms, 10000);
	assert_int_equal(s->tcp_max_clients, 1000);
	assert_int_equal(s->udp_max_payload, 1232);
	assert_int_equal(conf->n_zones, 0);
	assert_null(conf->zones);
	conf_free(conf);

	/* Empty sections and lists are the same as absent ones. */
	conf = load_ok(MINIMAL "zones: []\nresolver:\n");
	assert_int_equal(conf->n_zones, 0);
	conf_free(conf);
	conf = load_ok(MINIMAL "zones:\nresolver: {}\n");
	assert_int_equal(conf->n_zones, 0);
	conf_free(conf);
}

static void identity_and_version_can_be_hidden(void **state)
{
	struct conf *conf = load_ok(MINIMAL "  identity: false\n  version: False\n");
	assert_null(conf->server.identity);
	assert_null(conf->server.version);
	conf_free(conf);

	/* true means the default; a quoted "false" is text (YAML 1.2 core schema). */
	conf = load_ok(MINIMAL "  identity: \"false\"\n  version: true\n");
	assert_string_equal(conf->server.identity, "false");
	assert_string_equal(conf->server.version, "nimbus " PACKAGE_VERSION);
	conf_free(conf);

	/* A plain scalar of another type is still text. */
	conf = load_ok(MINIMAL "  identity: 42\n  version: ''\n");
	assert_string_equal(conf->server.identity, "42");
	assert_string_equal(conf->server.version, "");
	conf_free(conf);
}

static void durations_take_units(void **state)
{
	static const struct {
		const char *text;
		uint32_t ms;
	} cases[] = {
	    {"500ms", 500},  {"10s", 10000}, {"2m", 120000},
	    {"1h", 3600000}, {"30", 30000},  {"\"7\"", 7000},
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		char text[256];
		snprintf(text, sizeof(text), MINIMAL "  tcp-idle-timeout: %s\n", cases[i].text);
		struct conf *conf = load_ok(text);
		assert_int_equal(conf->server.tcp_idle_timeout_ms, cases[i].ms);
		conf_free(conf);
	}
}

static void log_levels_and_ranges_at_their_limits(void **state)
{
	struct conf *conf = load_ok(MINIMAL "  log-level: error\n  workers: 256\n"
					    "  udp-max-payload: 512\n  tcp-max-clients: 1000000\n");
	assert_int_equal(conf->server.log_level, LOG_LEVEL_ERROR);
	assert_int_equal(conf->server.workers, 256);
	assert_int_equal(conf->server.udp_max_payload, 512);
	assert_int_equal(conf->server.tcp_max_clients, 1000000);
	conf_free(conf);
	conf = load_ok(MINIMAL "  log-level: warning\n  workers: 1\n  tcp-max-clients: 1\n");
	assert_int_equal(conf->server.log_level, LOG_LEVEL_WARNING);
	assert_int_equal(conf->server.workers, 1);
	assert_int_equal(conf->server.tcp_max_clients, 1);
	conf_free(conf);
}

/* Diagnostics already in the caller's list are kept and do not fail this load. */
static void earlier_diagnostics_are_kept(void **state)
{
	struct nim_diag_list diags;
	struct conf *conf = NULL;
	nim_diag_list_init(&diags);
	nim_diag_add(&diags, NIM_DIAG_ERROR, "other", 1, 1, "earlier");
	assert_int_equal(conf_load_string(MINIMAL, strlen(MINIMAL), "t.yaml", &diags, &conf),
			 NIM_OK);
	assert_non_null(conf);
	assert_int_equal(diags.n_errors, 1);
	assert_string_equal(diags.head->message, "earlier");
	conf_free(conf);
	nim_diag_list_clear(&diags);
}

/* --- listen addresses ---------------------------------------------------- */

static void listen_parse_accepts_both_families(void **state)
{
	struct conf_listen l;
	assert_int_equal(conf_listen_parse("127.0.0.1@5300", &l), NIM_OK);
	assert_listen(&l, AF_INET, "127.0.0.1", 5300);
	assert_string_equal(l.text, "127.0.0.1@5300");
	assert_int_equal(conf_listen_parse("0.0.0.0", &l), NIM_OK);
	assert_listen(&l, AF_INET, "0.0.0.0", 53);
	assert_int_equal(conf_listen_parse("::1@5300", &l), NIM_OK);
	assert_listen(&l, AF_INET6, "::1", 5300);
	assert_int_equal(conf_listen_parse("::", &l), NIM_OK);
	assert_listen(&l, AF_INET6, "::", 53);
	assert_int_equal(conf_listen_parse("[2001:db8::53]@65535", &l), NIM_OK);
	assert_listen(&l, AF_INET6, "2001:db8::53", 65535);
	assert_int_equal(conf_listen_parse("[::1]", &l), NIM_OK);
	assert_listen(&l, AF_INET6, "::1", 53);
	assert_int_equal(conf_listen_parse("::ffff:192.0.2.1@00053", &l), NIM_OK);
	assert_listen(&l, AF_INET6, "::ffff:192.0.2.1", 53);
}

static void listen_parse_rejects_the_rest(void **state)
{
	static const char *const bad[] = {
	    "",
	    "@53",
	    "127.0.0.1@",
	    "127.0.0.1@0",
	    "127.0.0.1@65536",
	    "127.0.0.1@100000",
	    "127.0.0.1@5x",
	    "127.0.0.1@-1",
	    "127.0.0.1@53@53",
	    "256.0.0.1",
	    "127.0.0",
	    "[127.0.0.1]@53",
	    "[::1",
	    "::1]",
	    "[]@53",
	    "[::1]x@53",
	    "localhost@53",
	    "fe80::1%eth0",
	    " 127.0.0.1",
	    "1:2:3:4:5:6:7:8:9",
	    "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000",
	};
	for (size_t i = 0; i < N_OF(bad); i++) {
		struct conf_listen l;
		memset(&l, 0x5a, sizeof(l));
		if (conf_listen_parse(bad[i], &l) != NIM_EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		/* Nothing is written on failure. */
		assert_int_equal(((unsigned char *)&l)[0], 0x5a);
		assert_int_equal(l.text[0], 0x5a);
	}
}

static void listen_equal_compares_address_and_port(void **state)
{
	struct conf_listen a, b;
	assert_int_equal(conf_listen_parse("::1@53", &a), NIM_OK);
	assert_int_equal(conf_listen_parse("[0::1]", &b), NIM_OK);
	assert_true(conf_listen_equal(&a, &b));
	assert_int_equal(conf_listen_parse("::1@54", &b), NIM_OK);
	assert_false(conf_listen_equal(&a, &b));
	assert_int_equal(conf_listen_parse("127.0.0.1@53", &a), NIM_OK);
	assert_int_equal(conf_listen_parse("127.0.0.1", &b), NIM_OK);
	assert_true(conf_listen_equal(&a, &b));
	assert_int_equal(conf_listen_parse("::ffff:127.0.0.1", &b), NIM_OK);
	assert_false(conf_listen_equal(&a, &b));
}

/* --- errors -------------------------------------------------------------- */

static void unknown_keys_suggest_the_closest(void **state)
{
	ASSERT_ERRORS(
	    "server:\n"
	    "  listen: [\"::1\"]\n"
	    "  listn: [\"::1\"]\n"
	    "  Workers: 2\n"
	    "  pidfile: /run/x.pid\n"
	    "  tcp-idle-timout: 3s\n"
	    "  frobnicate: 1\n"
	    "zone: []\n"
	    "resolver: { forward: 1 }\n",
	    "t.yaml:3:3: error: unknown key 'listn' in server (did you mean 'listen'?)",
	    "t.yaml:4:3: error: unknown key 'Workers' in server (did you mean 'workers'?)",
	    "t.yaml:5:3: error: unknown key 'pidfile' in server (did you mean 'pid-file'?)",
	    "t.yaml:6:3: error: unknown key 'tcp-idle-timout' in server (did you mean "
	    "'tcp-idle-timeout'?)",
	    "t.yaml:7:3: error: unknown key 'frobnicate' in server",
	    "t.yaml:8:1: error: unknown key 'zone' at top level (did you mean 'zones'?)",
	    "t.yaml:9:13: error: unknown key 'forward' in resolver");
	/* Swapped letters count as one edit. */
	ASSERT_ERRORS(
	    "sevrer:\n  listen: [\"::1\"]\n",
	    "t.yaml:1:1: error: unknown key 'sevrer' at top level (did you mean 'server'?)",
	    "t.yaml:1:1: error: missing key 'server' at top level");
}

static void wrong_types_say_what_was_expected(void **state)
{
	ASSERT_ERRORS(
	    MINIMAL "  workers: two\n"
		    "  tcp-max-clients: [1]\n"
		    "  user: { name: x }\n"
		    "  pid-file:\n"
		    "  log-level: verbose\n"
		    "  log-target: file\n"
		    "  identity: [a]\n"
		    "  version: ~\n"
		    "  udp-max-payload: 1232.5\n",
	    "t.yaml:3:12: error: server.workers: expected an integer from 1 to 256, got "
	    "'two'",
	    "t.yaml:4:20: error: server.tcp-max-clients: expected an integer from 1 to "
	    "1000000, got a list",
	    "t.yaml:5:9: error: server.user: expected a user name, got a mapping",
	    "t.yaml:6:12: error: server.pid-file: expected a file name, got null",
	    "t.yaml:7:14: error: server.log-level: expected error, warning, info or "
	    "debug, got 'verbose'",
	    "t.yaml:8:15: error: server.log-target: expected stderr or syslog, got 'file'",
	    "t.yaml:9:13: error: server.identity: expected a text of at most 255 octets, "
	    "true or false, got a list",
	    "t.yaml:10:12: error: server.version: expected a text of at most 255 octets, "
	    "true or false, got null",
	    "t.yaml:11:20: error: server.udp-max-payload: expected an integer from 512 "
	    "to 4096, got '1232.5'");
	ASSERT_ERRORS("server: [ listen ]\nzones: { name: x }\nresolver: [ ]\n",
		      "t.yaml:1:9: error: server: expected a mapping, got a list",
		      "t.yaml:2:8: error: zones: expected a list of zones, got a mapping",
		      "t.yaml:3:11: error: resolver: expected a mapping, got a list");
	ASSERT_ERRORS("- server\n",
		      "t.yaml:1:1: error: top level: expected a mapping with server, zones and "
		      "resolver, got a list");
	ASSERT_ERRORS("server:\n  listen: 127.0.0.1\n  ? [ a ]\n  : 1\n",
		      "t.yaml:2:11: error: server.listen: expected a list of addresses, got "
		      "'127.0.0.1'",
		      "t.yaml:3:5: error: expected a key name in server, got a list");
}

static void out_of_range_values_are_refused(void **state)
{
	ASSERT_ERRORS(
	    MINIMAL
	    "  workers: 0\n"
	    "  tcp-max-clients: 1000001\n"
	    "  udp-max-payload: 511\n"
	    "  identity: "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaa\n"
	    "  version: \"nimbus\"\n"
	    "server2: 1\n",
	    "t.yaml:3:12: error: server.workers: expected an integer from 1 to 256, got '0'",
	    "t.yaml:4:20: error: server.tcp-max-clients: expected an integer from 1 to "
	    "1000000, got '1000001'",
	    "t.yaml:5:20: error: server.udp-max-payload: expected an integer from 512 to "
	    "4096, got '511'",
	    "t.yaml:6:13: error: server.identity: expected a text of at most 255 octets, "
	    "true or false, got 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'",
	    "t.yaml:8:1: error: unknown key 'server2' at top level (did you mean "
	    "'server'?)");
	ASSERT_ERRORS(MINIMAL "  workers: 257\n  udp-max-payload: 4097\n"
			      "  tcp-max-clients: 99999999999999999999999\n  workers: -1\n",
		      "t.yaml:3:12: error: server.workers: expected an integer from 1 to 256, got "
		      "'257'",
		      "t.yaml:4:20: error: server.udp-max-payload: expected an integer from 512 to "
		      "4096, got '4097'",
		      "t.yaml:5:20: error: server.tcp-max-clients: expected an integer from 1 to "
		      "1000000, got '99999999999999999999999'",
		      "t.yaml:6:3: error: duplicate key 'workers' in server (first at line 3, "
		      "column 3)");
}

/* The limit counts octets; the quoted value in the message is cut at 40 characters. */
static void long_values_are_shortened_in_messages(void **state)
{
	char text[1024], want[1024];
	char euros[301] = "", forty[121] = "";
	for (int i = 0; i < 100; i++)
		strcat(euros, "\xe2\x82\xac"); /* U+20AC, three octets */
	memcpy(forty, euros, 120);
	snprintf(text, sizeof(text), MINIMAL "  version: %s\n", euros);
	snprintf(want, sizeof(want),
		 "t.yaml:3:12: error: server.version: expected a text of at most 255 octets, "
		 "true or false, got '%s...'",
		 forty);
	const char *const wants[] = {want};
	assert_errors(text, "t.yaml", wants, 1);

	/* 85 such characters are 255 octets: accepted. */
	euros[255] = '\0';
	snprintf(text, sizeof(text), MINIMAL "  version: %s\n", euros);
	struct conf *conf = load_ok(text);
	assert_int_equal(strlen(conf->server.version), 255);
	conf_free(conf);
}

static void bad_listen_addresses_are_located(void **state)
{
#define EXPECTED_ADDR                                                                              \
	"expected address@port with an IPv4 or IPv6 address and a port from 1 to 65535, got "
	ASSERT_ERRORS(
	    "server:\n"
	    "  listen:\n"
	    "    - 127.0.0.1@0\n"
	    "    - \"[127.0.0.1]@53\"\n"
	    "    - ::1@http\n"
	    "    - 192.0.2.300\n"
	    "    - [ \"::1\" ]\n"
	    "    - \"::1@53\"\n"
	    "    - \"[::1]\"\n",
	    "t.yaml:3:7: error: server.listen: " EXPECTED_ADDR "'127.0.0.1@0'",
	    "t.yaml:4:7: error: server.listen: " EXPECTED_ADDR "'[127.0.0.1]@53'",
	    "t.yaml:5:7: error: server.listen: " EXPECTED_ADDR "'::1@http'",
	    "t.yaml:6:7: error: server.listen: " EXPECTED_ADDR "'192.0.2.300'",
	    "t.yaml:7:7: error: server.listen: " EXPECTED_ADDR "a list",
	    "t.yaml:9:7: error: server.listen: duplicate address '[::1]' (first at line 8, "
	    "column 7)");
	ASSERT_ERRORS("server:\n  listen: []\n",
		      "t.yaml:2:11: error: server.listen: expected at least one address");
	ASSERT_ERRORS("server:\n  workers: 1\n",
		      "t.yaml:1:1: error: missing key 'listen' in server");
	ASSERT_ERRORS("server:\nzones: []\n", "t.yaml:1:1: error: missing key 'listen' in server");
	ASSERT_ERRORS("server:\n  listen: [\"\", ~]\n",
		      "t.yaml:2:12: error: server.listen: " EXPECTED_ADDR "''",
		      "t.yaml:2:16: error: server.listen: " EXPECTED_ADDR "null");
#undef EXPECTED_ADDR
}

static void too_many_listen_addresses(void **state)
{
	char text[8192] = "server:\n  listen: [";
	size_t pos = strlen(text);
	for (int i = 0; i <= CONF_MAX_LISTEN; i++)
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos, "%s127.0.0.%d",
					i > 0 ? "," : "", i % 250 + 1);
	snprintf(text + pos, sizeof(text) - pos, "]\n");
	ASSERT_ERRORS(text, "t.yaml:2:11: error: server.listen: expected at most 256 addresses");
}

static void bad_durations_are_refused(void **state)
{
#define EXPECTED_DURATION                                                                          \
	"error: server.tcp-idle-timeout: expected a duration from 1ms to 1h such as 10s, 500ms "   \
	"or 2m, got "
	static const struct {
		const char *text;
		const char *got;
		unsigned col;
	} cases[] = {
	    {"0", "'0'", 21},
	    {"0s", "'0s'", 21},
	    {"10x", "'10x'", 21},
	    {"-1", "'-1'", 21},
	    {"2h", "'2h'", 21},
	    {"61m", "'61m'", 21},
	    {"ms", "'ms'", 21},
	    {"1.5s", "'1.5s'", 21},
	    {"10 s", "'10 s'", 21},
	    {"[]", "a list", 21},
	    {"3601", "'3601'", 21},
	    /* An empty value starts right after the colon. */
	    {"", "null", 20},
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		char text[256], want[256];
		snprintf(text, sizeof(text), MINIMAL "  tcp-idle-timeout: %s\n", cases[i].text);
		snprintf(want, sizeof(want), "t.yaml:3:%u: " EXPECTED_DURATION "%s", cases[i].col,
			 cases[i].got);
		const char *const wants[] = {want};
		assert_errors(text, "t.yaml", wants, 1);
	}
#undef EXPECTED_DURATION
}

static void duplicate_keys_name_the_first(void **state)
{
	ASSERT_ERRORS("server:\n"
		      "  listen: [\"::1\"]\n"
		      "  workers: 2\n"
		      "  workers: 3\n"
		      "zones: []\n"
		      "server: { listen: [\"::1\"] }\n"
		      "zones: [ { name: a, file: b, name: c } ]\n",
		      "t.yaml:4:3: error: duplicate key 'workers' in server (first at line 3, "
		      "column 3)",
		      "t.yaml:6:1: error: duplicate key 'server' at top level (first at line 1, "
		      "column 1)",
		      "t.yaml:7:1: error: duplicate key 'zones' at top level (first at line 5, "
		      "column 1)");
	ASSERT_ERRORS(MINIMAL "zones: [ { name: a, file: b, name: c } ]\n",
		      "t.yaml:3:30: error: duplicate key 'name' in zones entry (first at line 3, "
		      "column 12)");
}

static void yaml_syntax_errors_carry_libyaml_text(void **state)
{
	ASSERT_ERRORS("server:\n  listen: [ \"127.0.0.1\"\n  workers: 2\n",
		      "t.yaml:3:3: error: syntax error: did not find expected ',' or ']' (while "
		      "parsing a flow sequence at line 2, column 11)");
	ASSERT_ERRORS("server:\n  listen: x\n workers: 2\n",
		      "t.yaml:3:2: error: syntax error: did not find expected key (while parsing a "
		      "block mapping at line 1, column 1)");
	ASSERT_ERRORS("server: listen: x\n",
		      "t.yaml:1:15: error: syntax error: mapping values are not allowed in this "
		      "context");
	ASSERT_ERRORS(
	    "server:\n\tlisten: x\n",
	    "t.yaml:2:1: error: syntax error: found character that cannot start any token "
	    "(while scanning for the next token at line 2, column 1)");
	/* An encoding error has only a byte offset; it still gets a line and column. */
	ASSERT_ERRORS("server:\n  listen: [\"\xff\"]\n",
		      "t.yaml:2:13: error: syntax error: invalid leading UTF-8 octet (byte 0xff)");
}

static void anchors_documents_and_nul_are_refused(void **state)
{
	ASSERT_ERRORS("server: &s\n  listen: [\"::1\"]\nresolver: *s\n",
		      "t.yaml:3:11: error: aliases (*s) are not supported");
	ASSERT_ERRORS(MINIMAL "---\nserver: {}\n",
		      "t.yaml:3:1: error: expected one YAML document, found a second one");
	ASSERT_ERRORS(MINIMAL "  user: \"nim\\0bus\"\n",
		      "t.yaml:3:9: error: text may not contain a NUL character");
	/* Nesting is bounded so that the tree walks are. */
	char deep[256] = "server: ";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	ASSERT_ERRORS(deep, "t.yaml:1:40: error: nesting is deeper than 32 levels");
}

static void empty_input_lacks_server(void **state)
{
	ASSERT_ERRORS("", "t.yaml:1:1: error: missing key 'server' at top level");
	ASSERT_ERRORS("# nothing\n", "t.yaml:1:1: error: missing key 'server' at top level");
	ASSERT_ERRORS("---\n", "t.yaml:2:1: error: missing key 'server' at top level");
	struct nim_diag_list diags;
	struct conf *conf = NULL;
	nim_diag_list_init(&diags);
	assert_int_equal(conf_load_string(NULL, 0, NULL, &diags, &conf), NIM_ECONFIG);
	char line[256];
	nim_diag_format(diags.head, line, sizeof(line));
	assert_string_equal(line, "<input>:1:1: error: missing key 'server' at top level");
	nim_diag_list_clear(&diags);
}

static void zones_entries_are_checked(void **state)
{
	ASSERT_ERRORS(MINIMAL "zones:\n"
			      "  - example.com\n"
			      "  - name: example.org\n"
			      "  - file: x.zone\n"
			      "  - name: example.net\n"
			      "    fiel: net.zone\n"
			      "  - {}\n"
			      "  - { name: [a], file: \"\" }\n",
		      "t.yaml:4:5: error: zones entry: expected a mapping with name and file, got "
		      "'example.com'",
		      "t.yaml:5:5: error: missing key 'file' in zones entry",
		      "t.yaml:6:5: error: missing key 'name' in zones entry",
		      "t.yaml:8:5: error: unknown key 'fiel' in zones entry (did you mean 'file'?)",
		      "t.yaml:7:5: error: missing key 'file' in zones entry",
		      "t.yaml:9:5: error: missing key 'name' in zones entry",
		      "t.yaml:9:5: error: missing key 'file' in zones entry",
		      "t.yaml:10:13: error: zone name: expected a domain name, got a list",
		      "t.yaml:10:24: error: zone file: expected a file name, got ''");
}

static void zone_names_must_be_domain_names(void **state)
{
	char label64[65], long_name[300] = "";
	memset(label64, 'a', 64);
	label64[64] = '\0';
	/* 5 times 50 octets plus dots is longer than 255 octets in wire form. */
	for (int i = 0; i < 5; i++)
		strcat(long_name, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	char text[1024];
	snprintf(text, sizeof(text),
		 MINIMAL "zones:\n"
			 "  - { name: example..com, file: a }\n"
			 "  - { name: %s.example, file: b }\n"
			 "  - { name: %s, file: c }\n"
			 "  - { name: \"@\", file: d }\n"
			 "  - { name: \"bad\\\\\", file: e }\n",
		 label64, long_name);
	const char *const want[] = {
	    "t.yaml:4:13: error: zone name: expected a domain name, got 'example..com'",
	    "t.yaml:5:13: error: zone name: expected a domain name, got "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'",
	    "t.yaml:6:13: error: zone name: expected a domain name, got "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'",
	    "t.yaml:7:13: error: zone name: expected a domain name, got '@'",
	    "t.yaml:8:13: error: zone name: expected a domain name, got 'bad\\'",
	};
	assert_errors(text, "t.yaml", want, N_OF(want));

	/* The root, escapes and a 63-octet label are fine. */
	label64[63] = '\0';
	snprintf(text, sizeof(text),
		 MINIMAL "zones:\n"
			 "  - { name: ., file: root.zone }\n"
			 "  - { name: \"ex\\\\.ample.com\", file: a }\n"
			 "  - { name: %s.example, file: b }\n",
		 label64);
	struct conf *conf = load_ok(text);
	assert_int_equal(conf->n_zones, 3);
	assert_string_equal(conf->zones[0].name, ".");
	assert_string_equal(conf->zones[1].name, "ex\\.ample.com");
	conf_free(conf);
}

static void duplicate_zones_ignore_case_and_final_dot(void **state)
{
	ASSERT_ERRORS(
	    MINIMAL "zones:\n"
		    "  - { name: example.com, file: a }\n"
		    "  - { name: example.net, file: b }\n"
		    "  - { name: EXAMPLE.com., file: c }\n"
		    "  - { name: example.org, file: d }\n"
		    "  - { name: Example.Net, file: e }\n"
		    "  - { name: example.com, file: f }\n",
	    "t.yaml:6:13: error: duplicate zone 'EXAMPLE.com.' (first at line 4, column 13)",
	    "t.yaml:8:13: error: duplicate zone 'Example.Net' (first at line 5, column 13)",
	    "t.yaml:9:13: error: duplicate zone 'example.com' (first at line 4, column 13)");
}

static void many_errors_are_all_reported(void **state)
{
	ASSERT_ERRORS(
	    "server:\n"
	    "  listen: [ \"127.0.0.1@99999\" ]\n"
	    "  workers: many\n"
	    "  log-level: loud\n"
	    "  tcp-idle-timeout: 0\n"
	    "  identty: x\n"
	    "zones:\n"
	    "  - name: example.com\n"
	    "resolver: { x: 1 }\n",
	    "t.yaml:2:13: error: server.listen: expected address@port with an IPv4 or IPv6 "
	    "address and a port from 1 to 65535, got '127.0.0.1@99999'",
	    "t.yaml:3:12: error: server.workers: expected an integer from 1 to 256, got "
	    "'many'",
	    "t.yaml:4:14: error: server.log-level: expected error, warning, info or debug, "
	    "got 'loud'",
	    "t.yaml:5:21: error: server.tcp-idle-timeout: expected a duration from 1ms to "
	    "1h such as 10s, 500ms or 2m, got '0'",
	    "t.yaml:6:3: error: unknown key 'identty' in server (did you mean 'identity'?)",
	    "t.yaml:8:5: error: missing key 'file' in zones entry",
	    "t.yaml:9:13: error: unknown key 'x' in resolver");
}

/* --- files --------------------------------------------------------------- */

static const char *srcdir(void)
{
	const char *dir = getenv("TOP_SRCDIR");
	return dir != NULL ? dir : TOP_SRCDIR_DEFAULT;
}

static void missing_file_gives_errno(void **state)
{
	struct nim_diag_list diags;
	struct conf sentinel;
	struct conf *conf = &sentinel;
	char path[1024], line[2048], want[2048];
	nim_diag_list_init(&diags);
	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/conf/no-such-file.yaml", srcdir());
	assert_int_equal(conf_load_file(path, &diags, &conf), -ENOENT);
	assert_ptr_equal(conf, &sentinel);
	assert_int_equal(diags.n_errors, 1);
	assert_null(diags.head->next);
	nim_diag_format(diags.head, line, sizeof(line));
	snprintf(want, sizeof(want), "%s: error: cannot read file: %s", path, strerror(ENOENT));
	assert_string_equal(line, want);
	nim_diag_list_clear(&diags);

	/* A directory opens but cannot be read. */
	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/conf", srcdir());
	assert_int_equal(conf_load_file(path, &diags, &conf), -EISDIR);
	assert_int_equal(diags.n_errors, 1);
	nim_diag_list_clear(&diags);
}

static void fixture_files_load(void **state)
{
	struct nim_diag_list diags;
	struct conf *conf = NULL;
	char path[1024];
	nim_diag_list_init(&diags);

	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/conf/full.yaml", srcdir());
	assert_int_equal(conf_load_file(path, &diags, &conf), NIM_OK);
	assert_null(diags.head);
	assert_string_equal(conf->path, path);
	assert_int_equal(conf->server.n_listen, 2);
	assert_int_equal(conf->server.workers, 2);
	assert_null(conf->server.identity);
	assert_string_equal(conf->server.version, "hidden in plain sight");
	assert_int_equal(conf->server.tcp_idle_timeout_ms, 120000);
	assert_int_equal(conf->n_zones, 1);
	assert_string_equal(conf->zones[0].name, "example.com");
	conf_free(conf);
	conf = NULL;

	/* The quick-start file shipped in conf/ must stay valid. */
	snprintf(path, sizeof(path), "%s/conf/nimbusd.yaml", srcdir());
	assert_int_equal(conf_load_file(path, &diags, &conf), NIM_OK);
	assert_null(diags.head);
	assert_int_equal(conf->server.n_listen, 2);
	assert_listen(&conf->server.listen[0], AF_INET, "127.0.0.1", 5300);
	assert_listen(&conf->server.listen[1], AF_INET6, "::1", 5300);
	assert_int_equal(conf->server.log_level, LOG_LEVEL_INFO);
	conf_free(conf);
	nim_diag_list_clear(&diags);
}

static void fixture_errors_name_the_file(void **state)
{
	struct nim_diag_list diags;
	struct conf *conf = NULL;
	char path[1024], line[2048], want[2048];
	nim_diag_list_init(&diags);
	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/conf/typo.yaml", srcdir());
	assert_int_equal(conf_load_file(path, &diags, &conf), NIM_ECONFIG);
	assert_null(conf);
	assert_int_equal(diags.n_errors, 2);
	nim_diag_format(diags.head, line, sizeof(line));
	snprintf(want, sizeof(want),
		 "%s:7:3: error: unknown key 'listn' in server (did you mean 'listen'?)", path);
	assert_string_equal(line, want);
	nim_diag_format(diags.head->next, line, sizeof(line));
	snprintf(want, sizeof(want), "%s:3:1: error: missing key 'listen' in server", path);
	assert_string_equal(line, want);
	nim_diag_list_clear(&diags);
}

/* server.nsec3-max-iterations (issue 9, point 10): default 150 (RFC 9276 §3.2), 0 to 65535. */
static void nsec3_max_iterations(void **state)
{
	struct conf *conf = load_ok(MINIMAL);
	assert_int_equal(conf->server.nsec3_max_iterations, 150);
	conf_free(conf);
	conf = load_ok(MINIMAL "  nsec3-max-iterations: 0\n");
	assert_int_equal(conf->server.nsec3_max_iterations, 0);
	conf_free(conf);
	conf = load_ok(MINIMAL "  nsec3-max-iterations: 65535\n");
	assert_int_equal(conf->server.nsec3_max_iterations, 65535);
	conf_free(conf);
	ASSERT_ERRORS(MINIMAL "  nsec3-max-iterations: 65536\n",
		      "t.yaml:3:25: error: server.nsec3-max-iterations: expected an integer from 0 "
		      "to 65535, got '65536'");
	ASSERT_ERRORS(MINIMAL "  nsec3-max-iterations: -1\n",
		      "t.yaml:3:25: error: server.nsec3-max-iterations: expected an integer from 0 "
		      "to 65535, got '-1'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_key_is_read),
	    cmocka_unit_test(defaults_fill_what_is_missing),
	    cmocka_unit_test(identity_and_version_can_be_hidden),
	    cmocka_unit_test(durations_take_units),
	    cmocka_unit_test(log_levels_and_ranges_at_their_limits),
	    cmocka_unit_test(earlier_diagnostics_are_kept),
	    cmocka_unit_test(listen_parse_accepts_both_families),
	    cmocka_unit_test(listen_parse_rejects_the_rest),
	    cmocka_unit_test(listen_equal_compares_address_and_port),
	    cmocka_unit_test(unknown_keys_suggest_the_closest),
	    cmocka_unit_test(wrong_types_say_what_was_expected),
	    cmocka_unit_test(out_of_range_values_are_refused),
	    cmocka_unit_test(long_values_are_shortened_in_messages),
	    cmocka_unit_test(bad_listen_addresses_are_located),
	    cmocka_unit_test(too_many_listen_addresses),
	    cmocka_unit_test(bad_durations_are_refused),
	    cmocka_unit_test(duplicate_keys_name_the_first),
	    cmocka_unit_test(yaml_syntax_errors_carry_libyaml_text),
	    cmocka_unit_test(anchors_documents_and_nul_are_refused),
	    cmocka_unit_test(empty_input_lacks_server),
	    cmocka_unit_test(zones_entries_are_checked),
	    cmocka_unit_test(zone_names_must_be_domain_names),
	    cmocka_unit_test(duplicate_zones_ignore_case_and_final_dot),
	    cmocka_unit_test(many_errors_are_all_reported),
	    cmocka_unit_test(missing_file_gives_errno),
	    cmocka_unit_test(fixture_files_load),
	    cmocka_unit_test(fixture_errors_name_the_file),
	    cmocka_unit_test(nsec3_max_iterations),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
