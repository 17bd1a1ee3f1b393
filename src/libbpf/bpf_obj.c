/* Pins, ids, links and the CPU count of the libbpf-compatible API: thin wrappers over the
 * object table that add libbpf's error convention. */
#include <bpf/bpf.h>

#include "libbpf/bpf_support.h"
#include "platform/cpu_slot.h"
#include "runtime/handles.h"

int bpf_obj_pin(int fd, const char *pathname) { return libbpf_err(handles_pin(fd, pathname)); }

int bpf_obj_get(const char *pathname) { return libbpf_err(handles_get_pinned(pathname)); }

static int get_next_id(enum handle_kind kind, __u32 start_id, __u32 *next_id)
{
    if (!next_id)
        return libbpf_err(-EFAULT);
    return libbpf_err(handles_get_next_id(kind, start_id, next_id));
}

int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id)
{
    return get_next_id(HANDLE_PROG, start_id, next_id);
}

int bpf_map_get_next_id(__u32 start_id, __u32 *next_id)
{
    return get_next_id(HANDLE_MAP, start_id, next_id);
}

int bpf_link_get_next_id(__u32 start_id, __u32 *next_id)
{
    return get_next_id(HANDLE_LINK, start_id, next_id);
}

int bpf_prog_get_fd_by_id(__u32 id) { return libbpf_err(handles_fd_by_id(HANDLE_PROG, id)); }
int bpf_map_get_fd_by_id(__u32 id) { return libbpf_err(handles_fd_by_id(HANDLE_MAP, id)); }
int bpf_link_get_fd_by_id(__u32 id) { return libbpf_err(handles_fd_by_id(HANDLE_LINK, id)); }

int bpf_link_update(int link_fd, int new_prog_fd, const struct bpf_link_update_opts *opts)
{
    if (!libbpf_opts_valid(opts, sizeof *opts))
        return libbpf_err(-EINVAL);
    __u32 flags = LIBBPF_OPTS_GET(opts, flags, 0);
    __u32 old_prog_fd = LIBBPF_OPTS_GET(opts, old_prog_fd, 0);
    if ((flags & ~(__u32)BPF_F_REPLACE) || (old_prog_fd && !(flags & BPF_F_REPLACE)))
        return libbpf_err(-EINVAL);
    struct runtime_link *link = NULL;
    struct runtime_prog *prog = NULL, *expected = NULL;
    int err = handles_link_from_fd(link_fd, &link);
    if (!err)
        err = handles_prog_from_fd(new_prog_fd, &prog);
    if (!err && (flags & BPF_F_REPLACE))
        err = handles_prog_from_fd((int)old_prog_fd, &expected);
    if (!err)
        err = runtime_link_update(link, prog, expected);
    runtime_prog_put(expected);
    runtime_prog_put(prog);
    runtime_link_put(link);
    return libbpf_err(err);
}

int bpf_link_detach(int link_fd)
{
    struct runtime_link *link;
    int err = handles_link_from_fd(link_fd, &link);
    if (err)
        return libbpf_err(err);
    err = runtime_link_detach(link);
    runtime_link_put(link);
    return libbpf_err(err);
}

int libbpf_num_possible_cpus(void) { return (int)platform_cpu_slot_count(); }
