/* struct bpf_link of the object API: a link fd with libbpf's life cycle (destroy detaches by
 * closing the fd, unless the link was disconnected). */
#include <stdlib.h>
#include <string.h>

#include "bpf/bpf.h"
#include "libbpf/libbpf_impl.h"
#include "runtime/handles.h"

struct bpf_link {
    int fd;
    bool disconnected;
};

struct bpf_link *bpf_program__attach_xdp(const struct bpf_program *prog, int ifindex)
{
    if (!prog)
        return libbpf_err_ptr(-EINVAL);
    int prog_fd = bpf_program__fd(prog);
    if (prog_fd < 0) {
        pr_warn("prog '%s': can't attach before loaded\n", bpf_program__name(prog));
        return libbpf_err_ptr(-EINVAL);
    }
    struct bpf_link *link = calloc(1, sizeof *link);
    if (!link)
        return libbpf_err_ptr(-ENOMEM);
    link->fd = bpf_link_create(prog_fd, ifindex, bpf_program__expected_attach_type(prog), NULL);
    if (link->fd < 0) {
        int err = link->fd;
        free(link);
        pr_warn("prog '%s': failed to attach to xdp: %s\n", bpf_program__name(prog), strerror(-err));
        return libbpf_err_ptr(err);
    }
    return link;
}

int bpf_link__fd(const struct bpf_link *link) { return link ? link->fd : libbpf_err(-EINVAL); }

int bpf_link__update_program(struct bpf_link *link, struct bpf_program *prog)
{
    if (!link || !prog)
        return libbpf_err(-EINVAL);
    return bpf_link_update(link->fd, bpf_program__fd(prog), NULL);
}

int bpf_link__detach(struct bpf_link *link)
{
    if (!link)
        return libbpf_err(-EINVAL);
    return bpf_link_detach(link->fd);
}

void bpf_link__disconnect(struct bpf_link *link)
{
    if (link)
        link->disconnected = true;
}

int bpf_link__destroy(struct bpf_link *link)
{
    if (!link)
        return 0;
    int err = link->disconnected ? 0 : handles_close(link->fd);
    free(link);
    return libbpf_err(err);
}
