/* bpfhost prog tracelog [--once] [--all] [-j]: prints the bpf_trace_printk lines of every
 * bpfhost process of the machine from the system trace buffer, as bpftool prog tracelog
 * prints Linux's trace_pipe. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"
#include "platform/host.h"
#include "platform/run_dir.h"
#include "runtime/trace_pipe.h"

enum { POLL_INTERVAL_MS = 20 };

void cmd_prog_tracelog_help(void)
{
    printf("\nusage: bpfhost prog tracelog [--once] [--all] [-j]\n"
           "Prints the lines programs write with bpf_trace_printk (bpf_printk) in every bpfhost\n"
           "process of this machine, in Linux's trace_pipe form:\n"
           "  <comm>-<pid> [<cpu>] ..... <seconds>: bpf_trace_printk: <text>\n"
           "and follows new ones until interrupted. The system trace buffer is the file 'trace'\n"
           "in the run directory ($BPFHOST_RUN_DIR, default /run/bpfhost); it holds the last\n"
           "%u lines. Reading does not consume: several tracelogs each see every line, and a\n"
           "new one starts with the lines no tracelog has printed yet. Lines overwritten before\n"
           "they were read show as \"[LOST N EVENTS]\".\n"
           "  --once   print what is buffered and exit\n"
           "  --all    start with every line the buffer still holds, read or not\n"
           "  -j       one JSON object per line, with the thread id and the program name\n"
           "Programs send their lines to stderr instead with --trace stderr (prog run, xdp run,\n"
           "xdp attach) or BPFHOST_TRACE=stderr.\n",
           (unsigned)TRACE_RING_DEFAULT_SLOTS);
}

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) { (void)sig; interrupted = 1; }

static void print_event(const struct trace_ring_event *event, bool json)
{
    if (!json) {
        char line[TRACE_RING_TEXT_MAX + 128];
        int n = runtime_trace_format(event, line, sizeof line);
        if (n > 0)
            fputs(line, stdout);
        return;
    }
    struct json_writer w;
    json_init(&w, stdout, false);
    json_begin_object(&w);
    json_key_string(&w, "comm", event->comm);
    json_key_int(&w, "pid", event->pid);
    json_key_int(&w, "tid", event->tid);
    json_key_uint(&w, "cpu", event->cpu);
    json_key_uint(&w, "timestamp_ns", event->timestamp_ns);
    json_key_string(&w, "program", event->program[0] ? event->program : NULL);
    json_key_string(&w, "text", event->text);
    json_end_object(&w);
    json_finish(&w);
}

static void print_lost(uint64_t lost, bool json)
{
    if (json)
        printf("{\"lost\":%llu}\n", (unsigned long long)lost);
    else
        printf("[LOST %llu EVENTS]\n", (unsigned long long)lost);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

int cmd_prog_tracelog(int argc, char **argv)
{
    bool once = false, all = false, json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--once"))
            once = true;
        else if (!strcmp(argv[i], "--all"))
            all = true;
        else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
            json = true;
        else
            return cli_error("prog tracelog: unknown argument '%s' (see bpfhost prog --help)", argv[i]);
    }
    char path[PATH_MAX], msg[512];
    if (runtime_trace_path(path, sizeof path))
        return cli_error("prog tracelog: run directory %s is too long a path", platform_run_dir());
    struct runtime_trace_file trace;
    if (runtime_trace_open(path, &trace, msg, sizeof msg))
        return cli_error("prog tracelog: %s", msg);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct trace_ring_cursor cursor;
    trace_ring_cursor_start(&trace.ring, &cursor, all ? TRACE_RING_FROM_OLDEST : TRACE_RING_FROM_UNREAD);
    struct trace_ring_event event;
    while (!interrupted) {
        uint64_t lost = 0;
        int got = trace_ring_read(&trace.ring, &cursor, platform_monotonic_ns(), &event, &lost);
        if (lost)
            print_lost(lost, json);
        if (got == 1) {
            print_event(&event, json);
            continue;
        }
        fflush(stdout);
        if (got == 0 && once)
            break;
        sleep_ms(got == -EAGAIN ? 1 : POLL_INTERVAL_MS);
    }
    fflush(stdout);
    runtime_trace_close(&trace);
    return 0;
}

int cli_trace_output(const char *command, const char *name)
{
    enum runtime_trace_output output;
    if (runtime_trace_output_parse(name, &output))
        return cli_error("%s: --trace '%s': choose stderr, pipe or auto", command, name ? name : "");
    char msg[512];
    if (runtime_trace_set_output(output, msg, sizeof msg))
        return cli_error("%s: --trace pipe: %s", command, msg);
    return 0;
}
