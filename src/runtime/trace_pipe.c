/* Where this process's bpf_trace_printk lines go, and their Linux trace_pipe form. */
#include "runtime/trace_pipe.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/message.h"
#include "platform/run_dir.h"

int runtime_trace_output_parse(const char *name, enum runtime_trace_output *out)
{
    static const char *const names[] = {
        [RUNTIME_TRACE_AUTO] = "auto", [RUNTIME_TRACE_PIPE] = "pipe", [RUNTIME_TRACE_STDERR] = "stderr"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (name && !strcmp(name, names[i])) {
            *out = (enum runtime_trace_output)i;
            return 0;
        }
    }
    return -EINVAL;
}

int runtime_trace_path(char *out, size_t size)
{
    return (size_t)snprintf(out, size, "%s/trace", platform_run_dir()) < size ? 0 : -ENAMETOOLONG;
}

int runtime_trace_open(const char *path, struct runtime_trace_file *out, char *msg, size_t msg_size)
{
    memset(out, 0, sizeof *out);
    char dir[PATH_MAX];
    if ((size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir)
        return msg_error(-ENAMETOOLONG, msg, msg_size, "trace buffer path too long: %s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        int err = platform_make_dir(dir);
        if (err)
            return msg_error(err, msg, msg_size, "cannot create run directory %s: %s", dir, strerror(-err));
    }
    int err = platform_shared_file_open(path, trace_ring_size(TRACE_RING_DEFAULT_SLOTS), trace_ring_prepare,
                                        NULL, &out->file, msg, msg_size);
    if (err)
        return err;
    trace_ring_attach(&out->ring, out->file.memory);
    return 0;
}

void runtime_trace_close(struct runtime_trace_file *trace)
{
    platform_shared_file_close(&trace->file);
    memset(trace, 0, sizeof *trace);
}

/* --- this process's output ----------------------------------------------------------------- */

/* The buffer, once opened, stays mapped for the life of the process: a thread may be
 * writing to it while another switches the output to stderr. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runtime_trace_file process_trace;
static _Atomic(const struct trace_ring *) process_ring;
enum output_state { UNDECIDED, TO_RING, TO_STDERR };
static _Atomic int output_state = UNDECIDED;

static int open_process_ring(char *msg, size_t msg_size)
{
    pthread_mutex_lock(&open_lock);
    int err = 0;
    if (!atomic_load(&process_ring)) {
        char path[PATH_MAX];
        err = runtime_trace_path(path, sizeof path);
        if (err)
            msg_set(msg, msg_size, "run directory %s is too long a path", platform_run_dir());
        else
            err = runtime_trace_open(path, &process_trace, msg, msg_size);
        if (!err)
            atomic_store(&process_ring, &process_trace.ring);
    }
    pthread_mutex_unlock(&open_lock);
    return err;
}

/* Where output goes (TO_RING or TO_STDERR); 0 or, when the pipe was required, an error. */
static int decide(enum runtime_trace_output output, int *state, char *msg, size_t msg_size)
{
    bool required = output == RUNTIME_TRACE_PIPE;
    if (output == RUNTIME_TRACE_AUTO) {
        const char *env = getenv("BPFHOST_TRACE");
        enum runtime_trace_output chosen;
        if (env && !runtime_trace_output_parse(env, &chosen) && chosen != RUNTIME_TRACE_AUTO) {
            output = chosen;
            required = chosen == RUNTIME_TRACE_PIPE;
        }
    }
    *state = TO_STDERR;
    if (output == RUNTIME_TRACE_STDERR)
        return 0;
    char ignored[256];
    int err = open_process_ring(required ? msg : ignored, required ? msg_size : sizeof ignored);
    if (!err)
        *state = TO_RING;
    return required ? err : 0;
}

int runtime_trace_set_output(enum runtime_trace_output output, char *msg, size_t msg_size)
{
    int state;
    int err = decide(output, &state, msg, msg_size);
    atomic_store(&output_state, state);
    return err;
}

int runtime_trace_format(const struct trace_ring_event *event, char *out, size_t size)
{
    size_t text_len = strnlen(event->text, event->text_len);
    if (text_len && event->text[text_len - 1] == '\n')
        text_len--;
    return snprintf(out, size, "%16.16s-%-7d [%03u] ..... %5llu.%06llu: bpf_trace_printk: %.*s\n",
                    event->comm[0] ? event->comm : "<...>", event->pid, event->cpu,
                    (unsigned long long)(event->timestamp_ns / 1000000000u),
                    (unsigned long long)(event->timestamp_ns % 1000000000u / 1000u), (int)text_len, event->text);
}

void runtime_trace_emit(const struct trace_ring_event *event)
{
    if (atomic_load_explicit(&output_state, memory_order_acquire) == UNDECIDED) {
        int state, undecided = UNDECIDED;
        decide(RUNTIME_TRACE_AUTO, &state, NULL, 0);
        atomic_compare_exchange_strong(&output_state, &undecided, state); /* a choice made meanwhile stands */
    }
    const struct trace_ring *ring = atomic_load_explicit(&process_ring, memory_order_acquire);
    if (ring && atomic_load_explicit(&output_state, memory_order_relaxed) == TO_RING) {
        trace_ring_write(ring, event);
        return;
    }
    char line[TRACE_RING_TEXT_MAX + 128];
    int n = runtime_trace_format(event, line, sizeof line);
    if (n > 0) {
        ssize_t ignored = write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)ignored;
    }
}
