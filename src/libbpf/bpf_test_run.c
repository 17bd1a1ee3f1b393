/* bpf_prog_test_run_opts over runtime_prog_test_run. */
#include <bpf/bpf.h>

#include <string.h>

#include "libbpf/bpf_support.h"
#include "runtime/handles.h"
#include "runtime/test_run.h"

int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts)
{
    if (!opts || !libbpf_opts_valid(opts, sizeof *opts))
        return libbpf_err(-EINVAL);
    struct runtime_test_run_attr attr = {
        .data_in = LIBBPF_OPTS_GET(opts, data_in, NULL),
        .data_size_in = LIBBPF_OPTS_GET(opts, data_size_in, 0),
        .data_out = LIBBPF_OPTS_GET(opts, data_out, NULL),
        .data_size_out = LIBBPF_OPTS_GET(opts, data_size_out, 0),
        .ctx_in = LIBBPF_OPTS_GET(opts, ctx_in, NULL),
        .ctx_size_in = LIBBPF_OPTS_GET(opts, ctx_size_in, 0),
        .ctx_out = LIBBPF_OPTS_GET(opts, ctx_out, NULL),
        .ctx_size_out = LIBBPF_OPTS_GET(opts, ctx_size_out, 0),
        .repeat = (uint32_t)LIBBPF_OPTS_GET(opts, repeat, 0),
        .flags = LIBBPF_OPTS_GET(opts, flags, 0),
        .cpu = LIBBPF_OPTS_GET(opts, cpu, 0),
        .batch_size = LIBBPF_OPTS_GET(opts, batch_size, 0),
    };
    struct runtime_prog *prog;
    int err = handles_prog_from_fd(prog_fd, &prog);
    if (err)
        return libbpf_err(err);
    struct runtime_test_run_result result;
    memset(&result, 0, sizeof result);
    char msg[256];
    err = runtime_prog_test_run(prog, &attr, &result, msg, sizeof msg);
    runtime_prog_put(prog);
    /* As libbpf: the outputs are copied back whatever the outcome. */
    if (LIBBPF_OPTS_HAS(opts, data_size_out))
        opts->data_size_out = result.data_size_out;
    if (LIBBPF_OPTS_HAS(opts, ctx_size_out))
        opts->ctx_size_out = result.ctx_size_out;
    if (LIBBPF_OPTS_HAS(opts, duration))
        opts->duration = result.duration_ns;
    if (LIBBPF_OPTS_HAS(opts, retval))
        opts->retval = result.retval;
    return libbpf_err(err);
}
