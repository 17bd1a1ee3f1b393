/* struct process_md contexts. */
#include "runtime/ctx_process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/message.h"

_Static_assert(sizeof(struct process_md_abi) == 96, "struct process_md is 96 bytes");
_Static_assert(offsetof(struct process_md_abi, process_exit_code) == 64, "process_md.process_exit_code");
_Static_assert(offsetof(struct process_md_abi, comm) == 80, "process_md.comm");

int runtime_process_load(struct runtime_process *ctx, const struct process_md_abi *in,
                         const void *command, size_t command_len, char *msg, size_t msg_size)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->kind = RUNTIME_CTX_PROCESS;
    if (in) {
        if (in->command_start || in->command_end)
            return msg_error(-EINVAL, msg, msg_size, "ctx_in: process_md command_start and command_end "
                             "are derived from the command line (data_in) and must be zero");
        if (in->operation != PROCESS_OPERATION_CREATE && in->operation != PROCESS_OPERATION_DELETE)
            return msg_error(-EINVAL, msg, msg_size, "ctx_in: process_md operation %u is neither "
                             "create (0) nor delete (1)", in->operation);
        if (in->operation == PROCESS_OPERATION_CREATE && (in->exit_time || in->process_exit_code))
            return msg_error(-EINVAL, msg, msg_size, "ctx_in: process_md exit_time and process_exit_code "
                             "belong to delete events and must be zero for a create");
        if (!memchr(in->comm, 0, sizeof in->comm))
            return msg_error(-EINVAL, msg, msg_size, "ctx_in: process_md comm is not NUL-terminated "
                             "within its %zu bytes", sizeof in->comm);
        ctx->md = *in;
    }
    if (command_len > PROCESS_COMMAND_MAX)
        return msg_error(-EINVAL, msg, msg_size, "a command line of %zu bytes exceeds %d", command_len,
                         PROCESS_COMMAND_MAX);
    if (command_len) {
        ctx->command = malloc(command_len);
        if (!ctx->command)
            return msg_error(-ENOMEM, msg, msg_size, "out of memory for a %zu-byte command line", command_len);
        memcpy(ctx->command, command, command_len);
        ctx->command_len = command_len;
        ctx->md.command_start = (uintptr_t)ctx->command;
        ctx->md.command_end = (uintptr_t)(ctx->command + command_len);
    }
    return 0;
}

void runtime_process_release(struct runtime_process *ctx)
{
    free(ctx->command);
    ctx->command = NULL;
}

int runtime_process_prepare_run(struct runtime_process *ctx, struct vm_run *run, bool checked)
{
    run->host = ctx;
    if (!checked)
        return 0;
    int err = runtime_ctx_add_regions(run, &ctx->md, sizeof ctx->md, NULL, 0);
    if (!err && ctx->command)
        err = vm_run_add_region(run, ctx->command, ctx->command_len, false);
    return err;
}

void runtime_process_ctx_out(const struct runtime_process *ctx, struct process_md_abi *out)
{
    *out = ctx->md;
    out->command_start = out->command_end = 0;
}
