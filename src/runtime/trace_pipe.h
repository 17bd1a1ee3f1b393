/* The trace pipe: where bpf_trace_printk lines go (runtime layer), like Linux's
 * /sys/kernel/debug/tracing/trace_pipe. Lines go to the system trace buffer, one trace ring
 * (runtime/trace_ring.h) in the file "trace" of the run directory (platform/run_dir.h) that
 * every bpfhost process of the machine writes to and `bpfhost prog tracelog` follows; or to
 * the process's stderr, when asked or when the buffer cannot be opened (no run directory,
 * no permission). */
#ifndef BPFHOST_RUNTIME_TRACE_PIPE_H
#define BPFHOST_RUNTIME_TRACE_PIPE_H

#include <stddef.h>

#include "platform/shared_file.h"
#include "runtime/trace_ring.h"

enum runtime_trace_output {
    RUNTIME_TRACE_AUTO,   /* $BPFHOST_TRACE (stderr or pipe) when set, else the pipe when it
                             opens, else stderr */
    RUNTIME_TRACE_PIPE,   /* the system trace buffer, or an error */
    RUNTIME_TRACE_STDERR, /* lines inline on stderr */
};

/* "auto", "pipe" or "stderr": 0 and *out, or -EINVAL. */
int runtime_trace_output_parse(const char *name, enum runtime_trace_output *out);

/* Chooses where this process's lines go from now on. Returns 0, or (PIPE, or AUTO with
 * BPFHOST_TRACE=pipe) a negative errno with msg when the buffer cannot be opened; the
 * output is then stderr. */
int runtime_trace_set_output(enum runtime_trace_output output, char *msg, size_t msg_size);

/* Sends one line where this process's output goes (deciding AUTO on first use). Any
 * thread; never blocks on other writers. */
void runtime_trace_emit(const struct trace_ring_event *event);

/* The line as Linux's trace_pipe prints it:
 *   "<comm>-<pid> [<cpu>] ..... <seconds>.<microseconds>: bpf_trace_printk: <text>\n"
 * with comm right-aligned in 16 columns and one newline at the end whether or not the text
 * had one. Returns the length (snprintf's: it may exceed size - 1). */
int runtime_trace_format(const struct trace_ring_event *event, char *out, size_t size);

/* --- the buffer file, for readers --------------------------------------------------------- */

/* The buffer's path: platform_run_dir() + "/trace". Returns 0 or -ENAMETOOLONG. */
int runtime_trace_path(char *out, size_t size);

struct runtime_trace_file {
    struct platform_shared_file file;
    struct trace_ring ring;
};

/* Opens the buffer at path, creating it (and the run directory) when missing. Returns 0 or
 * a negative errno with msg. */
int runtime_trace_open(const char *path, struct runtime_trace_file *out, char *msg, size_t msg_size);
void runtime_trace_close(struct runtime_trace_file *trace);

#endif
