/* bpfhost xdp attach | show | detach: an XDP program on a real interface, run by this
 * process in the foreground, published in the run directory for show and detach (see
 * src/hooks/xdp_registry.h for the state file and the control socket). */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "elf/elf_object.h"
#include "hooks/xdp_datapath.h"
#include "hooks/xdp_registry.h"
#include "platform/host.h"
#include "runtime/object.h"

enum { MAX_MAP_SETS = 64, DETACH_TIMEOUT_MS = 5000 };

void cli_xdp_attach_help(void)
{
    printf("usage: bpfhost xdp attach IFACE FILE.o [--program NAME] [--mode inline|observe]\n"
           "                          [--peer IFACE] [--duration SECONDS] [--count FRAMES]\n"
           "                          [--workers N] [--map-set MAP KEY VALUE]...\n"
           "                          [--engine interp|jit] [--unverified] [--trace stderr|pipe]\n"
           "       bpfhost xdp attach IFACE --no-program --peer IFACE ...\n"
           "       bpfhost xdp show [IFACE] [--maps]\n"
           "       bpfhost xdp detach IFACE\n"
           "attach runs an XDP program on every frame IFACE receives, in the foreground, until\n"
           "SIGINT or SIGTERM (or --duration / --count), then prints the frames per action.\n"
           "  --mode inline   (default) bpfhost forwards between IFACE and --peer: PASS goes out\n"
           "                  of the peer, DROP drops, TX goes back out of IFACE, REDIRECT out of\n"
           "                  the interface bpf_redirect or a DEVMAP entry names; frames from the\n"
           "                  peer go to IFACE unchanged. Both interfaces should have no address.\n"
           "  --mode observe  the host still receives every frame; verdicts are counted, TX and\n"
           "                  REDIRECT send a copy, PASS and DROP change nothing\n"
           "  --count N       stop after the program ran on N frames\n"
           "  --workers N     receive threads (default: one per receive queue)\n"
           "  --no-program    forward only (every frame gets XDP_PASS): the datapath alone\n"
           "  --engine E      jit or interp for the verified program (default: the JIT where the\n"
           "                  host has one)\n"
           "  --unverified    skip the verifier: the checked interpreter runs the program\n"
           "  --trace T       where bpf_trace_printk lines go: pipe (see bpfhost prog tracelog),\n"
           "                  stderr, or auto (default: pipe when usable)\n"
           "show lists the attached programs with live counters (--maps: the maps of the one on\n"
           "IFACE, read from the running process); detach stops the process attached to IFACE.\n"
           "The verifier checks the program first; one it rejects is not attached. State lives in\n"
           "$BPFHOST_RUN_DIR (default /run/bpfhost/xdp).\n");
}

static const char *engine_name(const struct runtime_prog *prog)
{
    return prog ? runtime_engine_name(prog->engine) : "no program";
}

static void print_counters(FILE *out, const uint64_t *totals)
{
    for (unsigned s = 0; s < HOOK_XDP_STAT_COUNT; s++)
        fprintf(out, "  %-16s %llu\n", hook_xdp_stat_name(s), (unsigned long long)totals[s]);
}

struct control_ctx {
    const struct elf_object *elf;
    const struct runtime_object *obj;
};

static void answer(const char *request, FILE *reply, void *arg)
{
    const struct control_ctx *ctx = arg;
    if (strcmp(request, "maps")) {
        fprintf(reply, "error: unknown request '%s' (known: maps)\n", request);
        return;
    }
    if (!ctx->obj || !ctx->obj->map_count)
        fprintf(reply, "(the program has no maps)\n");
    for (size_t i = 0; ctx->obj && i < ctx->obj->map_count; i++)
        cli_xdp_dump_map(reply, ctx->obj->maps[i], elf_object_map(ctx->elf, i)->name);
}

struct attach_args {
    const char *ifname, *path, *program, *peer;
    enum hook_xdp_mode mode;
    enum runtime_engine engine;
    bool no_program, unverified;
    double duration;
    uint64_t count;
    unsigned workers;
    struct cli_map_set sets[MAX_MAP_SETS];
    size_t set_count;
};

static int parse_attach(int argc, char **argv, struct attach_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        char *end;
        if (!strcmp(arg, "--program") && i + 1 < argc) {
            a->program = argv[++i];
        } else if (!strcmp(arg, "--peer") && i + 1 < argc) {
            a->peer = argv[++i];
        } else if (!strcmp(arg, "--mode") && i + 1 < argc) {
            const char *mode = argv[++i];
            if (!strcmp(mode, "inline"))
                a->mode = HOOK_XDP_MODE_INLINE;
            else if (!strcmp(mode, "observe"))
                a->mode = HOOK_XDP_MODE_OBSERVE;
            else
                return cli_error("xdp attach: --mode '%s': inline or observe", mode);
        } else if (!strcmp(arg, "--duration") && i + 1 < argc) {
            a->duration = strtod(argv[++i], &end);
            if (*end || !(a->duration > 0) || a->duration > 1e9)
                return cli_error("xdp attach: --duration '%s': a positive number of seconds", argv[i]);
        } else if (!strcmp(arg, "--count") && i + 1 < argc) {
            errno = 0;
            a->count = strtoull(argv[++i], &end, 10);
            if (*end || errno || !a->count || argv[i][0] == '-')
                return cli_error("xdp attach: --count '%s': a positive number of frames", argv[i]);
        } else if (!strcmp(arg, "--workers") && i + 1 < argc) {
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (*end || !n || n > HOOK_XDP_MAX_WORKERS)
                return cli_error("xdp attach: --workers '%s': 1 to %d", argv[i], HOOK_XDP_MAX_WORKERS);
            a->workers = (unsigned)n;
        } else if (!strcmp(arg, "--map-set") && i + 3 < argc) {
            if (a->set_count == MAX_MAP_SETS)
                return cli_error("xdp attach: at most %d --map-set options", MAX_MAP_SETS);
            a->sets[a->set_count++] = (struct cli_map_set){argv[i + 1], argv[i + 2], argv[i + 3]};
            i += 3;
        } else if (!strcmp(arg, "--engine") && i + 1 < argc) {
            const char *name = argv[++i];
            if (!strcmp(name, "jit"))
                a->engine = RUNTIME_ENGINE_JIT;
            else if (!strcmp(name, "interp"))
                a->engine = RUNTIME_ENGINE_INTERP;
            else
                return cli_error("xdp attach: unknown engine '%s' (interp or jit)", name);
        } else if (!strcmp(arg, "--trace") && i + 1 < argc) {
            if (cli_trace_output("xdp attach", argv[++i]))
                return 2;
        } else if (!strcmp(arg, "--unverified")) {
            a->unverified = true;
        } else if (!strcmp(arg, "--no-program")) {
            a->no_program = true;
        } else if (arg[0] == '-') {
            return cli_error("xdp attach: unknown or incomplete option '%s' (see bpfhost xdp --help)", arg);
        } else if (!a->ifname) {
            a->ifname = arg;
        } else if (!a->path) {
            a->path = arg;
        } else {
            return cli_error("xdp attach: unexpected argument '%s'", arg);
        }
    }
    if (!a->ifname || (!a->path && !a->no_program))
        return cli_error("xdp attach: usage: bpfhost xdp attach IFACE FILE.o [--mode inline|observe] "
                         "[--peer IFACE]");
    if (a->path && a->no_program)
        return cli_error("xdp attach: --no-program and an object file exclude each other");
    if (a->mode == HOOK_XDP_MODE_INLINE && !a->peer)
        return cli_error("xdp attach: inline mode needs --peer IFACE (where XDP_PASS sends frames); "
                         "or use --mode observe");
    if (a->mode == HOOK_XDP_MODE_OBSERVE && a->peer)
        return cli_error("xdp attach: --peer is for inline mode");
    if (a->no_program && (a->set_count || a->unverified || a->engine != RUNTIME_ENGINE_DEFAULT))
        return cli_error("xdp attach: --map-set, --engine and --unverified need a program");
    return 0;
}

/* Runs until a signal, the duration or the frame count; serves control requests meanwhile. */
static int run_attached(struct hook_xdp *xdp, struct hook_xdp_publication *pub, int signal_fd,
                        const struct attach_args *a, struct control_ctx *ctx)
{
    uint64_t start = platform_monotonic_ns();
    uint64_t deadline = a->duration > 0 ? start + (uint64_t)(a->duration * 1e9) : 0;
    struct pollfd fds[3] = {{.fd = signal_fd, .events = POLLIN},
                            {.fd = hook_xdp_publication_control_fd(pub), .events = POLLIN},
                            {.fd = hook_xdp_done_fd(xdp), .events = POLLIN}};
    for (;;) {
        int timeout = -1;
        if (deadline) {
            uint64_t now = platform_monotonic_ns();
            if (now >= deadline)
                return 0;
            timeout = (int)((deadline - now + 999999) / 1000000);
        }
        if (poll(fds, 3, timeout) < 0 && errno != EINTR)
            return cli_error("xdp attach: poll: %s", strerror(errno));
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            if (read(signal_fd, &info, sizeof info) == sizeof info)
                fprintf(stderr, "bpfhost: %s: signal %u, detaching\n", a->ifname, info.ssi_signo);
            return 0;
        }
        if (fds[2].revents & POLLIN)
            return 0;
        if (fds[1].revents & POLLIN) {
            int err = hook_xdp_publication_serve(pub, answer, ctx);
            if (err)
                fprintf(stderr, "bpfhost: %s: control request: %s\n", a->ifname, strerror(-err));
        }
    }
}

int cli_xdp_attach(int argc, char **argv)
{
    struct attach_args a = {.mode = HOOK_XDP_MODE_INLINE};
    int status = parse_attach(argc, argv, &a);
    if (status)
        return status;
    unsigned ifindex = if_nametoindex(a.ifname), peer_ifindex = a.peer ? if_nametoindex(a.peer) : 0;
    if (!ifindex)
        return cli_error("xdp attach: no interface named '%s'", a.ifname);
    if (a.peer && !peer_ifindex)
        return cli_error("xdp attach: no interface named '%s' (--peer)", a.peer);
    char msg[512];
    struct elf_object *elf = NULL;
    struct runtime_object *obj = NULL;
    struct runtime_prog *prog = NULL;
    const struct elf_program *chosen = NULL;
    if (a.path) {
        if (elf_object_open_file(a.path, NULL, &elf, msg, sizeof msg))
            return cli_error("%s: %s", a.path, msg);
        status = cli_xdp_choose_program(elf, a.path, a.program, &chosen);
        struct runtime_object_options opts = {.allow_unverified = a.unverified, .engine = a.engine};
        if (!status) {
            opts.only_program = chosen->name;
            if (runtime_object_load(elf, &opts, &obj, msg, sizeof msg))
                status = cli_error("%s: %s", a.path, msg);
        }
        for (size_t i = 0; i < a.set_count && !status; i++)
            status = cli_xdp_apply_map_set("xdp attach", obj, &a.sets[i]);
        if (!status)
            prog = runtime_object_prog(obj, chosen->name);
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    int signal_fd = -1;
    if (!status) {
        /* Blocked before any worker starts, so that every thread inherits the mask. */
        sigprocmask(SIG_BLOCK, &stop_signals, NULL);
        signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
        if (signal_fd < 0)
            status = cli_error("xdp attach: signalfd: %s", strerror(errno));
    }
    struct hook_xdp_state info = {.ifindex = ifindex, .peer_ifindex = peer_ifindex, .mode = a.mode};
    snprintf(info.ifname, sizeof info.ifname, "%s", a.ifname);
    snprintf(info.peer_ifname, sizeof info.peer_ifname, "%s", a.peer ? a.peer : "");
    snprintf(info.program, sizeof info.program, "%s", prog ? prog->name : "(none)");
    char object[PATH_MAX];
    snprintf(info.object, sizeof info.object, "%.255s",
             a.path ? (realpath(a.path, object) ? object : a.path) : "");
    snprintf(info.engine, sizeof info.engine, "%s", engine_name(prog));
    struct hook_xdp_publication *pub = NULL;
    const char *dir = hook_xdp_registry_dir();
    if (!status && hook_xdp_publish(dir, &info, &pub, msg, sizeof msg))
        status = cli_error("xdp attach: %s", msg);
    struct hook_xdp *xdp = NULL;
    if (!status) {
        struct hook_xdp_options opts = {.mode = a.mode, .peer_ifindex = peer_ifindex, .workers = a.workers,
                                        .frame_limit = a.count,
                                        .counters = hook_xdp_publication_counters(pub)};
        if (hook_xdp_attach(ifindex, prog, &opts, &xdp, msg, sizeof msg))
            status = cli_error("xdp attach: %s: %s", a.ifname, msg);
    }
    uint64_t start = platform_monotonic_ns();
    if (!status) {
        hook_xdp_publication_activate(pub);
        unsigned workers = hook_xdp_worker_count(xdp);
        fprintf(stderr, "bpfhost: %s: program %s (%s) attached, %s%s, %u worker%s; SIGINT or "
                "'bpfhost xdp detach %s' stops it\n", a.ifname, info.program, info.engine,
                a.mode == HOOK_XDP_MODE_INLINE ? "inline to " : "observing",
                a.mode == HOOK_XDP_MODE_INLINE ? a.peer : "", workers, workers == 1 ? "" : "s", a.ifname);
        struct control_ctx ctx = {.elf = elf, .obj = obj};
        status = run_attached(xdp, pub, signal_fd, &a, &ctx);
    }
    if (xdp && hook_xdp_error(xdp, msg, sizeof msg)) {
        fprintf(stderr, "bpfhost: %s: %s\n", a.ifname, msg);
        status = 1;
    }
    if (xdp) {
        hook_xdp_detach(xdp); /* the workers publish their last counts as they stop */
        uint64_t totals[HOOK_XDP_STAT_COUNT];
        hook_xdp_counters_sum(hook_xdp_publication_counters(pub), totals);
        double seconds = (double)(platform_monotonic_ns() - start) / 1e9;
        printf("%s: program %s (%s), %s, %llu frames in %.1f s\n", a.ifname, info.program, info.engine,
               a.mode == HOOK_XDP_MODE_INLINE ? "inline" : "observe",
               (unsigned long long)hook_xdp_counters_frames(totals), seconds);
        print_counters(stdout, totals);
    }
    hook_xdp_withdraw(pub);
    if (signal_fd >= 0)
        close(signal_fd);
    runtime_object_free(obj);
    elf_object_free(elf);
    return status;
}

struct show_ctx {
    bool any;
};

static void show_entry(const struct hook_xdp_entry *entry, void *arg)
{
    struct show_ctx *ctx = arg;
    const struct hook_xdp_state *s = &entry->state;
    ctx->any = true;
    if (entry->stale) {
        printf("%s: stale: process %d (program %s) is gone; its state was removed\n", s->ifname, s->pid,
               s->program[0] ? s->program : "?");
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double up = ((double)now.tv_sec * 1e9 + (double)now.tv_nsec - (double)s->started_ns) / 1e9;
    uint32_t workers = atomic_load(&s->counters.worker_count);
    printf("%s: program %s (%s)%s%s, ", s->ifname, s->program, s->engine, s->object[0] ? " from " : "",
           s->object);
    if (s->mode == HOOK_XDP_MODE_INLINE)
        printf("inline to %s", s->peer_ifname);
    else
        printf("observe");
    printf(", pid %d, %u worker%s, up %.1f s\n", s->pid, workers, workers == 1 ? "" : "s", up);
    uint64_t totals[HOOK_XDP_STAT_COUNT];
    hook_xdp_counters_sum(&s->counters, totals);
    print_counters(stdout, totals);
}

int cli_xdp_show(int argc, char **argv)
{
    const char *ifname = NULL;
    bool maps = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--maps"))
            maps = true;
        else if (argv[i][0] == '-')
            return cli_error("xdp show: unknown option '%s'", argv[i]);
        else if (!ifname)
            ifname = argv[i];
        else
            return cli_error("xdp show: unexpected argument '%s'", argv[i]);
    }
    if (maps && !ifname)
        return cli_error("xdp show: --maps needs an interface: bpfhost xdp show IFACE --maps");
    char msg[512];
    const char *dir = hook_xdp_registry_dir();
    if (ifname) {
        struct hook_xdp_entry entry;
        if (hook_xdp_registry_find(dir, ifname, &entry, msg, sizeof msg))
            return cli_error("xdp show: %s", msg);
        struct show_ctx ctx = {0};
        show_entry(&entry, &ctx);
        if (maps) {
            fflush(stdout);
            if (hook_xdp_registry_request(dir, ifname, "maps", stdout, msg, sizeof msg))
                return cli_error("xdp show: %s", msg);
        }
        return 0;
    }
    struct show_ctx ctx = {0};
    if (hook_xdp_registry_list(dir, show_entry, &ctx, msg, sizeof msg))
        return cli_error("xdp show: %s", msg);
    if (!ctx.any)
        printf("no XDP programs attached\n");
    return 0;
}

int cli_xdp_detach(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_error("xdp detach: usage: bpfhost xdp detach IFACE");
    char msg[512];
    struct hook_xdp_entry entry;
    const char *dir = hook_xdp_registry_dir();
    if (hook_xdp_registry_find(dir, argv[1], &entry, msg, sizeof msg))
        return cli_error("xdp detach: %s", msg);
    if (hook_xdp_registry_stop(dir, argv[1], DETACH_TIMEOUT_MS, msg, sizeof msg))
        return cli_error("xdp detach: %s", msg);
    printf("%s: detached program %s (pid %d)\n", argv[1], entry.state.program, entry.state.pid);
    return 0;
}
