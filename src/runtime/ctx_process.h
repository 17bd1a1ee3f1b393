/* The process context (bpfhost's own program type PROG_TYPE_HOST_PROCESS, section
 * "process"): one process starting or exiting. The layout is eBPF for Windows' process_md
 * (ebpf_ntos_hooks.h), so that its programs' field accesses keep their offsets, followed
 * by what a Unix host adds: uid, gid and the thread name. The command line is between
 * command_start and command_end, which a program bounds-checks like packet data: its
 * arguments separated by NUL bytes, as /proc/PID/cmdline has them. Every field is
 * read-only; the return value is the hook's business (eBPF for Windows: 0 allows a start). */
#ifndef BPFHOST_RUNTIME_CTX_PROCESS_H
#define BPFHOST_RUNTIME_CTX_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/ctx_common.h"

enum process_operation { PROCESS_OPERATION_CREATE = 0, PROCESS_OPERATION_DELETE = 1 };

/* struct process_md as bpfhost programs see it (96 bytes). */
struct process_md_abi {
    uint64_t command_start;
    uint64_t command_end;
    uint64_t process_id;
    uint64_t parent_process_id;
    uint64_t creating_process_id;
    uint64_t creating_thread_id;
    uint64_t creation_time;     /* ns, CLOCK_BOOTTIME (bpf_ktime_get_boot_ns) */
    uint64_t exit_time;         /* same clock; delete only */
    uint32_t process_exit_code; /* delete only: the wait status's exit code or signal */
    uint32_t operation;         /* enum process_operation */
    uint32_t uid;
    uint32_t gid;
    char comm[16];
};

enum { PROCESS_COMMAND_MAX = 65536 };

struct runtime_process {
    uint32_t kind;              /* RUNTIME_CTX_PROCESS */
    struct process_md_abi md;   /* the program's r1 points here */
    uint8_t *command;           /* owned copy of the command line, or NULL */
    size_t command_len;
};

/* Builds the context from a caller's struct process_md (NULL: all zero) and command line.
 * command_start and command_end must be zero (they are derived), operation create or
 * delete, exit_time and process_exit_code zero for a create, comm NUL-terminated, the
 * command line at most PROCESS_COMMAND_MAX bytes. Returns 0, -EINVAL naming the field, or
 * -ENOMEM. Release with runtime_process_release. */
int runtime_process_load(struct runtime_process *ctx, const struct process_md_abi *in,
                         const void *command, size_t command_len, char *msg, size_t msg_size);
void runtime_process_release(struct runtime_process *ctx);

int runtime_process_prepare_run(struct runtime_process *ctx, struct vm_run *run, bool checked);

/* The context, pointers zeroed. */
void runtime_process_ctx_out(const struct runtime_process *ctx, struct process_md_abi *out);

#endif
