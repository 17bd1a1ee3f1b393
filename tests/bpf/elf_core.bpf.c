/* A CO-RE field access (preserve_access_index): the loader must record the relocation so
 * that a runtime without kernel BTF can refuse the program. Compiled by the Makefile. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_like {
    int pad;
    int pid;
} __attribute__((preserve_access_index));

SEC("kprobe/do_exit")
int core_prog(struct task_like *task)
{
    return task->pid;
}

SEC("kprobe/do_fork")
int plain_prog(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
