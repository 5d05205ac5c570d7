/*
 * nimbusd.c - main: command line, configuration, workers, signals, reload.
 *
 * The main thread owns the published snapshot pointers `published_conf` and
 * `published_zones` (the only mutable globals besides libevent's signal
 * handling): it alone writes them, with an atomic exchange on reload, and
 * frees the old snapshots only after every worker has passed a quiescent
 * point (util/qsbr.h). Workers read them through the pointers to these
 * variables that they were given.
 *
 * SIGTERM and SIGINT are caught by our own handler, not by libevent's: it
 * sets `stop_signal`, which a zone load in progress (at start or on
 * SIGHUP, both on the main thread) checks between zones, and writes a byte
 * to `stop_pipe`, which wakes the main loop once it runs again. libevent
 * would only run its callback after the load, however long it takes.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <event2/thread.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "dispatch.h"
#include "net/worker.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/log.h"
#include "util/qsbr.h"
#include "zones.h"

static struct conf *_Atomic published_conf;
static struct zone_set *_Atomic published_zones;
/* Written by the signal handler only; 0 until SIGTERM or SIGINT arrives. */
static volatile sig_atomic_t stop_signal;
static int stop_pipe[2] = { -1, -1 };

struct server {
	const char *conf_path;
	struct net_shared shared;
	struct qsbr *qsbr;
	unsigned n_workers;
	struct net_worker **workers;
	struct dispatch_worker *dispatch;
	struct event_base *base;
	struct event *ev_sighup;
	struct event *ev_stop;
	bool has_pid_file;
	int exit_code;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nimbusd [-c FILE] [-d]\n"
		"       nimbusd --check-config FILE\n"
		"       nimbusd --check-zone NAME FILE\n"
		"\n"
		"  -c, --config FILE       configuration file (default %s/nimbusd.yaml)\n"
		"  -d, --daemonize         detach and run in the background\n"
		"  -C, --check-config FILE check FILE and exit 0 if valid, 1 if not\n"
		"  -Z, --check-zone NAME FILE\n"
		"                          check the zone file FILE for zone NAME; exit 0 or 1\n"
		"  -h, --help              show this help\n"
		"  -V, --version           show the version\n",
		NIM_SYSCONFDIR);
}

/* Loads and checks a configuration; prints its problems. NIM_OK and *out, or an error. */
static int load_conf(const char *path, struct conf **out)
{
	struct nim_diag_list diags;
	nim_diag_list_init(&diags);
	int ret = conf_load_file(path, &diags, out);
	nim_diag_list_log(&diags);
	nim_diag_list_clear(&diags);
	return ret;
}

static int check_config(const char *path)
{
	struct nim_diag_list diags;
	struct conf *conf = NULL;
	nim_diag_list_init(&diags);
	int ret = conf_load_file(path, &diags, &conf);
	nim_diag_list_print(&diags, stderr);
	nim_diag_list_clear(&diags);
	conf_free(conf);
	if (ret != NIM_OK)
		return 1;
	printf("%s: configuration is valid\n", path);
	return 0;
}

static void on_quiescent(void *arg, unsigned worker_index)
{
	qsbr_quiescent(arg, worker_index);
}

/* What one publication unpublished, freed once no worker can read it. */
struct retired {
	struct conf *conf;
	struct zone_set *zones;
	const struct zone_set *current; /* the new set, whose versions stay alive */
};

static void wake_workers(void *arg)
{
	struct server *s = arg;
	for (unsigned i = 0; i < s->n_workers; i++)
		net_worker_wake(s->workers[i]);
}

static void free_retired(void *arg)
{
	struct retired *r = arg;
	conf_free(r->conf);
	zones_retire(r->zones, r->current);
#ifdef __GLIBC__
	/*
	 * Hand the freed zone memory back to the kernel now: glibc keeps free
	 * chunks that are not at the top of the heap, and every reload then
	 * leaves the next one's holes resident (bench/RESULTS.md, reload memory).
	 */
	malloc_trim(0);
#endif
}

/*
 * Publishes new snapshots and frees the old ones once no worker can read
 * them (qsbr_retire keeps that order). The zone versions that moved into
 * the new set stay alive.
 */
static void publish(struct server *s, struct conf *conf, struct zone_set *zones)
{
	struct retired r = {
		.conf = atomic_exchange_explicit(&published_conf, conf, memory_order_acq_rel),
		.zones = atomic_exchange_explicit(&published_zones, zones, memory_order_acq_rel),
		.current = zones,
	};
	qsbr_retire(s->qsbr, wake_workers, s, free_retired, &r);
}

static bool same_listen(const struct conf_server *a, const struct conf_server *b)
{
	if (a->n_listen != b->n_listen)
		return false;
	for (size_t i = 0; i < a->n_listen; i++) {
		if (a->listen[i].addr_len != b->listen[i].addr_len ||
		    memcmp(&a->listen[i].addr, &b->listen[i].addr, a->listen[i].addr_len) != 0)
			return false;
	}
	return true;
}

static void apply_logging(const struct conf *conf)
{
	log_set_level(conf->server.log_level);
	log_use_syslog(conf->server.log_target == CONF_LOG_SYSLOG);
}

static void reload(struct server *s)
{
	struct conf *conf = NULL;
	log_info("reloading configuration from '%s'", s->conf_path);
	if (load_conf(s->conf_path, &conf) != NIM_OK) {
		log_error("reload failed, keeping the running configuration");
		return;
	}
	const struct conf *old = atomic_load(&published_conf);
	/* Sockets and threads are set up once; say so rather than half-apply. */
	if (!same_listen(&old->server, &conf->server))
		log_warning("changes to 'listen' take effect after a restart");
	if (old->server.workers != conf->server.workers)
		log_warning("changes to 'workers' take effect after a restart");
	apply_logging(conf);
	struct zone_set *zones = NULL;
	int ret = zones_build(conf, atomic_load(&published_zones), &stop_signal, &zones);
	if (ret == -ECANCELED) {
		log_info("reload abandoned: shutting down");
		conf_free(conf);
		return;
	}
	if (ret != NIM_OK) {
		log_error("reload failed: out of memory, keeping the running configuration");
		conf_free(conf);
		return;
	}
	publish(s, conf, zones);
	log_info("configuration reloaded from '%s'", s->conf_path);
}

static void on_sighup(evutil_socket_t sig, short what, void *arg)
{
	reload(arg);
}

/* Async-signal-safe: a flag and a write(2), nothing else. */
static void catch_stop(int sig)
{
	int saved_errno = errno;
	stop_signal = sig;
	ssize_t n = write(stop_pipe[1], "", 1);
	(void)n; /* a full pipe already holds a wake-up */
	errno = saved_errno;
}

/* Before anything slow happens: from here on SIGTERM and SIGINT stop us cleanly. */
static int catch_stop_signals(void)
{
	if (pipe(stop_pipe) != 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		if (fcntl(stop_pipe[i], F_SETFL, O_NONBLOCK) != 0 ||
		    fcntl(stop_pipe[i], F_SETFD, FD_CLOEXEC) != 0)
			return -errno;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = catch_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* a zone file read goes on; the flag is checked between zones */
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return -errno;
	return NIM_OK;
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	char drain[16];
	while (read(fd, drain, sizeof(drain)) > 0)
		;
	log_info("shutting down on signal %d", (int)stop_signal);
	event_base_loopbreak(s->base);
}

static int start_workers(struct server *s, const struct conf *conf)
{
	s->n_workers = conf->server.workers;
	s->workers = calloc(s->n_workers, sizeof(*s->workers));
	s->dispatch = calloc(s->n_workers, sizeof(*s->dispatch));
	s->qsbr = qsbr_new(s->n_workers);
	if (s->workers == NULL || s->dispatch == NULL || s->qsbr == NULL)
		return NIM_ENOMEM;
	for (unsigned i = 0; i < s->n_workers; i++) {
		dispatch_worker_init(&s->dispatch[i], &published_conf, &published_zones);
		struct net_worker_params params = {
			.index = i,
			.shared = &s->shared,
			.conf = conf,
			.handler = dispatch_handle,
			.handler_ctx = &s->dispatch[i],
			.on_quiescent = on_quiescent,
			.quiescent_arg = s->qsbr,
		};
		const char *addr = "?";
		int ret = net_worker_new(&params, &s->workers[i], &addr);
		if (ret != NIM_OK) {
			log_error("cannot listen on '%s': %s", addr, nim_strerror(ret));
			return ret;
		}
	}
	if (net_workers_split_udp_send(s->workers, s->n_workers) < conf->server.n_listen)
		log_info("udp answers go out through the receiving sockets on some addresses");
	for (unsigned i = 0; i < s->n_workers; i++) {
		int ret = net_worker_start(s->workers[i]);
		if (ret != NIM_OK) {
			log_error("cannot start worker %u: %s", i, nim_strerror(ret));
			return ret;
		}
	}
	return NIM_OK;
}

static void stop_workers(struct server *s)
{
	if (s->workers == NULL)
		return;
	for (unsigned i = 0; i < s->n_workers; i++) {
		if (s->workers[i] != NULL)
			net_worker_stop(s->workers[i]);
	}
	for (unsigned i = 0; i < s->n_workers; i++) {
		if (s->workers[i] == NULL)
			continue;
		net_worker_join(s->workers[i]);
		net_worker_free(s->workers[i]);
	}
	free(s->workers);
	free(s->dispatch);
	qsbr_free(s->qsbr);
}

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0)
		return -errno;
	return NIM_OK;
}

/* Drops root after the sockets are bound. */
static int drop_privileges(const char *user)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL)
		return errno != 0 ? -errno : NIM_ENOTFOUND;
	if (setgroups(0, NULL) != 0 && getuid() == 0)
		return -errno;
	if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		return -errno;
	return NIM_OK;
}

static int setup_signals(struct server *s)
{
	s->ev_sighup = evsignal_new(s->base, SIGHUP, on_sighup, s);
	s->ev_stop = event_new(s->base, stop_pipe[0], EV_READ | EV_PERSIST, on_stop, s);
	if (s->ev_sighup == NULL || s->ev_stop == NULL)
		return NIM_ENOMEM;
	if (evsignal_add(s->ev_sighup, NULL) != 0 || event_add(s->ev_stop, NULL) != 0)
		return NIM_ENOMEM;
	return NIM_OK;
}

static void free_signals(struct server *s)
{
	if (s->ev_sighup != NULL)
		event_free(s->ev_sighup);
	if (s->ev_stop != NULL)
		event_free(s->ev_stop);
}

static void log_ready(const struct conf *conf, unsigned n_workers)
{
	char addrs[512];
	size_t pos = 0;
	addrs[0] = '\0';
	for (size_t i = 0; i < conf->server.n_listen && pos < sizeof(addrs); i++)
		pos += (size_t)snprintf(addrs + pos, sizeof(addrs) - pos, "%s'%s'", i ? ", " : "",
					conf->server.listen[i].text);
	log_info("nimbusd %s ready: %u workers, listening on %s", PACKAGE_VERSION, n_workers,
		 addrs);
}

/*
 * A zone version's blocks and the loader's scratch arrays are large mallocs
 * freed on the next reload. glibc serves the first of them with mmap, but
 * its first free raises the mmap threshold to that size, so that the next
 * versions come from the heap, whose holes stay resident: 50 reloads of a
 * 20,000-record zone grew RSS 1.86x (bench/RESULTS.md). A fixed threshold
 * (which also stops the adjustment) keeps every large block an mmap that
 * free returns whole. The query path never mallocs, so this costs nothing
 * there.
 */
static void tune_malloc(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

static int run(struct server *s, bool daemonize)
{
	tune_malloc();
	struct conf *conf = NULL;
	int ret = catch_stop_signals();
	if (ret != NIM_OK) {
		log_error("cannot set up signal handling: %s", nim_strerror(ret));
		return 1;
	}
	if (load_conf(s->conf_path, &conf) != NIM_OK)
		return 1;
	apply_logging(conf);
	atomic_store(&published_conf, conf);
	s->exit_code = 1;
	struct zone_set *zones = NULL;
	ret = zones_build(conf, NULL, &stop_signal, &zones);
	if (ret == -ECANCELED) {
		log_info("shutting down on signal %d while loading zones", (int)stop_signal);
		s->exit_code = 0;
		goto out;
	}
	if (ret != NIM_OK) {
		log_error("out of memory loading zones");
		goto out;
	}
	atomic_store(&published_zones, zones);

	/* Workers must not take the signals; only the main loop handles them. */
	sigset_t block, old_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	signal(SIGPIPE, SIG_IGN);

	if (daemonize && daemon(1, 0) != 0) {
		log_error("cannot daemonize: %s", strerror(errno));
		goto out;
	}
	if (evthread_use_pthreads() != 0 || (s->base = event_base_new()) == NULL) {
		log_error("cannot initialise libevent");
		goto out;
	}
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	ret = start_workers(s, conf);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (ret != NIM_OK)
		goto out;
	if (setup_signals(s) != NIM_OK) {
		log_error("cannot set up signal handling");
		goto out;
	}
	if (conf->server.pid_file != NULL && (ret = write_pid_file(conf->server.pid_file)) != NIM_OK)
		log_warning("cannot write pid file '%s': %s", conf->server.pid_file, nim_strerror(ret));
	s->has_pid_file = conf->server.pid_file != NULL && ret == NIM_OK;
	if (conf->server.user != NULL && (ret = drop_privileges(conf->server.user)) != NIM_OK) {
		log_error("cannot switch to user '%s': %s", conf->server.user, nim_strerror(ret));
		goto out;
	}
	log_ready(conf, s->n_workers);
	event_base_dispatch(s->base);
	s->exit_code = 0;
out:
	stop_workers(s);
	free_signals(s);
	if (s->base != NULL)
		event_base_free(s->base);
	zones_retire(atomic_exchange(&published_zones, NULL), NULL);
	conf = atomic_exchange(&published_conf, NULL);
	if (s->has_pid_file && s->exit_code == 0)
		unlink(conf->server.pid_file);
	conf_free(conf);
	if (s->exit_code == 0)
		log_info("stopped");
	return s->exit_code;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "daemonize", no_argument, NULL, 'd' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "check-zone", required_argument, NULL, 'Z' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct server s;
	memset(&s, 0, sizeof(s));
	s.conf_path = NIM_SYSCONFDIR "/nimbusd.yaml";
	s.shared.conf = &published_conf;
	bool daemonize = false;
	int opt;
	while ((opt = getopt_long(argc, argv, "c:dC:Z:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			s.conf_path = optarg;
			break;
		case 'd':
			daemonize = true;
			break;
		case 'C':
			return check_config(optarg);
		case 'Z':
			if (optind >= argc) {
				fprintf(stderr, "nimbusd: --check-zone needs NAME and FILE\n");
				return 2;
			}
			return zones_check_file(optarg, argv[optind]);
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("nimbusd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nimbusd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return run(&s, daemonize);
}
