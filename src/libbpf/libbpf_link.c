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
    char *pin_path;  /* where bpf_link__pin or bpf_link__open found it */
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

int bpf_link__pin(struct bpf_link *link, const char *path)
{
    if (!link || !path)
        return libbpf_err(-EINVAL);
    if (link->pin_path)
        return libbpf_err(-EBUSY);
    char *copy = strdup(path);
    if (!copy)
        return libbpf_err(-ENOMEM);
    int err = bpf_obj_pin(link->fd, copy);
    if (err) {
        free(copy);
        pr_warn("failed to pin link at %s: %s\n", path, strerror(-err));
        return libbpf_err(err);
    }
    link->pin_path = copy;
    return 0;
}

int bpf_link__unpin(struct bpf_link *link)
{
    if (!link || !link->pin_path)
        return libbpf_err(-EINVAL);
    int err = handles_unpin(link->pin_path);
    if (err)
        return libbpf_err(err);
    free(link->pin_path);
    link->pin_path = NULL;
    return 0;
}

const char *bpf_link__pin_path(const struct bpf_link *link) { return link ? link->pin_path : NULL; }

struct bpf_link *bpf_link__open(const char *path)
{
    if (!path)
        return libbpf_err_ptr(-EINVAL);
    int fd = bpf_obj_get(path);
    if (fd < 0) {
        pr_warn("failed to open link at %s: %s\n", path, strerror(-fd));
        return libbpf_err_ptr(fd);
    }
    struct bpf_link *link = calloc(1, sizeof *link);
    char *copy = strdup(path);
    if (!link || !copy) {
        free(link);
        free(copy);
        handles_close(fd);
        return libbpf_err_ptr(-ENOMEM);
    }
    link->fd = fd;
    link->pin_path = copy;
    return link;
}

int bpf_link__destroy(struct bpf_link *link)
{
    if (!link)
        return 0;
    int err = link->disconnected ? 0 : handles_close(link->fd);
    free(link->pin_path);
    free(link);
    return libbpf_err(err);
}
