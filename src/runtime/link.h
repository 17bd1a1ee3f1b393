/* Links: a program attached to a hook, as an object of its own (Linux's bpf_link). The hook
 * that attaches a program makes the link and gives it ops; the link holds a reference to the
 * program, and detaching or dropping the last reference takes the program off the hook.
 * Links get fds and ids through runtime/handles.h like programs and maps. */
#ifndef BPFHOST_RUNTIME_LINK_H
#define BPFHOST_RUNTIME_LINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/prog.h"

struct runtime_link;

struct runtime_link_ops {
    /* Makes the hook run prog from now on (the link keeps its own reference to prog; the
     * hook takes one if it needs it beyond the link's). NULL: the hook cannot replace its
     * program (-EOPNOTSUPP). */
    int (*update_prog)(struct runtime_link *link, struct runtime_prog *prog);
    /* Takes the program off the hook; called once, by detach or the last put. */
    void (*detach)(struct runtime_link *link);
    /* Frees the hook's link (the struct that embeds the runtime_link). */
    void (*release)(struct runtime_link *link);
};

struct runtime_link {
    const struct runtime_link_ops *ops;
    uint32_t id;             /* set by runtime/handles.h when it first gets an fd */
    uint32_t link_type;      /* enum bpf_link_type */
    uint32_t attach_type;    /* enum bpf_attach_type */
    struct runtime_prog *prog; /* one reference; read and replaced under link.c's lock */
    /* Links to a network interface (XDP): its index, set by the hook, 0 once detached
     * (bpf_link_info's xdp.ifindex). 0 for other links. */
    _Atomic uint32_t ifindex;
    _Atomic bool detached;
    _Atomic uint32_t refcount;
};

/* Sets up an attached link with one reference; takes a reference to prog. */
void runtime_link_init(struct runtime_link *link, const struct runtime_link_ops *ops,
                       uint32_t link_type, uint32_t attach_type, struct runtime_prog *prog);
void runtime_link_get(struct runtime_link *link);
void runtime_link_put(struct runtime_link *link);

/* The program it runs now, with a reference for the caller. */
struct runtime_prog *runtime_link_prog(struct runtime_link *link);

/* BPF_LINK_UPDATE: replaces the program. expected (may be NULL) must be the current program
 * (-EPERM otherwise, as Linux's BPF_F_REPLACE); the new program must have the same type
 * (-EINVAL). -ENOLINK after detach. */
int runtime_link_update(struct runtime_link *link, struct runtime_prog *prog,
                        struct runtime_prog *expected);

/* BPF_LINK_DETACH: takes the program off the hook; the link stays until its last reference.
 * -ENOLINK when already detached. */
int runtime_link_detach(struct runtime_link *link);

#endif
