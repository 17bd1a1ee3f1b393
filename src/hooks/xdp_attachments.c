/* The per-interface XDP slots of the process: a short list under one lock (a process attaches
 * to a few interfaces, and attaching is rare next to the frames). */
#include "hooks/xdp_attachments.h"

#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <pthread.h>
#include <stdlib.h>

#include "base/message.h"
#include "elf/elf_object.h"

struct xdp_link;

struct attachment {
    struct attachment *next;
    unsigned ifindex;
    struct hook_xdp *xdp;
    struct runtime_prog *prog; /* one reference: what the datapath runs, for queries */
    bool generic;
    enum hook_xdp_mode mode;
    unsigned peer_ifindex;
    struct xdp_link *link;     /* the link that holds the slot, or NULL */
};

struct xdp_link {
    struct runtime_link link;       /* first: the runtime's link is the xdp_link */
    struct attachment *attachment;  /* NULL once detached or defunct; under the lock */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct attachment *attachments;

static void take_off(struct attachment *a)
{
    for (struct attachment **p = &attachments; *p; p = &(*p)->next)
        if (*p == a) {
            *p = a->next;
            break;
        }
    hook_xdp_detach(a->xdp);
    runtime_prog_put(a->prog);
    if (a->link) {
        a->link->attachment = NULL;
        atomic_store(&a->link->link.ifindex, 0);
    }
    free(a);
}

static bool interface_exists(unsigned ifindex)
{
    char name[IF_NAMESIZE];
    return ifindex && if_indextoname(ifindex, name);
}

/* The live attachment of ifindex, after taking off one whose interfaces went away. */
static struct attachment *find(unsigned ifindex)
{
    struct attachment *a = attachments;
    while (a && a->ifindex != ifindex)
        a = a->next;
    if (a && (hook_xdp_error(a->xdp, NULL, 0) || !interface_exists(a->ifindex) ||
              (a->peer_ifindex && !interface_exists(a->peer_ifindex)))) {
        take_off(a);
        a = NULL;
    }
    return a;
}

static const char *slot_name(bool generic) { return generic ? "generic" : "native"; }

static int start(unsigned ifindex, struct runtime_prog *prog, bool generic,
                 const struct hook_xdp_options *datapath, struct attachment **out, char *msg,
                 size_t msg_size)
{
    struct attachment *a = calloc(1, sizeof *a);
    if (!a)
        return msg_error(-ENOMEM, msg, msg_size, "out of memory attaching XDP to interface %u", ifindex);
    int err = hook_xdp_attach(ifindex, prog, datapath, &a->xdp, msg, msg_size);
    if (err) {
        free(a);
        return err;
    }
    runtime_prog_get(prog);
    a->prog = prog;
    a->ifindex = ifindex;
    a->generic = generic;
    a->mode = datapath->mode;
    a->peer_ifindex = datapath->mode == HOOK_XDP_MODE_INLINE ? datapath->peer_ifindex : 0;
    a->next = attachments;
    attachments = a;
    *out = a;
    return 0;
}

static int replace(struct attachment *a, struct runtime_prog *prog, char *msg, size_t msg_size)
{
    int err = hook_xdp_replace_prog(a->xdp, prog, msg, msg_size);
    if (err)
        return err;
    runtime_prog_get(prog);
    runtime_prog_put(a->prog);
    a->prog = prog;
    return 0;
}

static int check_xdp(const struct runtime_prog *prog, char *msg, size_t msg_size)
{
    if (prog->prog_type != EBPF_PROG_TYPE_XDP)
        return msg_error(-EINVAL, msg, msg_size, "program '%s' (id %u) is not an XDP program", prog->name, prog->id);
    if (prog->expected_attach_type == BPF_XDP_DEVMAP || prog->expected_attach_type == BPF_XDP_CPUMAP)
        return msg_error(-EINVAL, msg, msg_size, "program '%s' is for DEVMAP or CPUMAP entries, not for an interface",
                         prog->name);
    return 0;
}

static int set_locked(unsigned ifindex, const struct hook_xdp_attach_request *r, char *msg, size_t msg_size)
{
    if (!interface_exists(ifindex))
        return msg_error(-ENODEV, msg, msg_size, "no interface with index %u", ifindex);
    if (r->prog) {
        int err = check_xdp(r->prog, msg, msg_size);
        if (err)
            return err;
    }
    struct attachment *a = find(ifindex);
    struct attachment *slot = a && a->generic == r->generic ? a : NULL;
    if (slot && slot->link)
        return msg_error(-EBUSY, msg, msg_size, "a link (id %u) holds the %s XDP slot of interface %u: detach the link",
                         slot->link->link.id, slot_name(r->generic), ifindex);
    struct runtime_prog *current = slot ? slot->prog : NULL;
    if (r->replace && current != r->expected)
        return msg_error(-EEXIST, msg, msg_size, "interface %u runs %s (id %u), not the program expected to be replaced",
                         ifindex, current ? current->name : "no program", current ? current->id : 0);
    if (!r->prog) {
        if (slot)
            take_off(slot);
        return 0;
    }
    if (r->only_if_empty && current)
        return msg_error(-EBUSY, msg, msg_size, "interface %u already runs XDP program '%s' (id %u)", ifindex,
                         current->name, current->id);
    if (a && !slot)
        return msg_error(-EEXIST, msg, msg_size, "interface %u has a %s XDP program: native and generic XDP cannot run at once",
                         ifindex, slot_name(a->generic));
    if (!slot) {
        struct attachment *started;
        return start(ifindex, r->prog, r->generic, &r->datapath, &started, msg, msg_size);
    }
    if (!r->any_datapath && (slot->mode != r->datapath.mode ||
                             (slot->mode == HOOK_XDP_MODE_INLINE && slot->peer_ifindex != r->datapath.peer_ifindex)))
        return msg_error(-EBUSY, msg, msg_size,
                         "interface %u runs XDP %s: another mode or peer needs a detach first", ifindex,
                         slot->mode == HOOK_XDP_MODE_INLINE ? "inline with another peer" : "in observe mode");
    return r->prog == current ? 0 : replace(slot, r->prog, msg, msg_size);
}

int hook_xdp_attachment_set(unsigned ifindex, const struct hook_xdp_attach_request *request,
                            char *msg, size_t msg_size)
{
    pthread_mutex_lock(&lock);
    int err = set_locked(ifindex, request, msg, msg_size);
    pthread_mutex_unlock(&lock);
    return err;
}

static int link_update_prog(struct runtime_link *link, struct runtime_prog *prog)
{
    struct xdp_link *x = (struct xdp_link *)link;
    pthread_mutex_lock(&lock);
    int err = -ENOLINK;
    if (x->attachment)
        err = check_xdp(prog, NULL, 0);
    if (x->attachment && !err && prog != x->attachment->prog)
        err = replace(x->attachment, prog, NULL, 0);
    pthread_mutex_unlock(&lock);
    return err;
}

static void link_detach(struct runtime_link *link)
{
    struct xdp_link *x = (struct xdp_link *)link;
    pthread_mutex_lock(&lock);
    if (x->attachment)
        take_off(x->attachment);
    pthread_mutex_unlock(&lock);
}

static void link_release(struct runtime_link *link) { free(link); }

static const struct runtime_link_ops xdp_link_ops = {
    .update_prog = link_update_prog,
    .detach = link_detach,
    .release = link_release,
};

static int link_locked(unsigned ifindex, struct runtime_prog *prog, bool generic,
                       const struct hook_xdp_options *datapath, struct xdp_link *x, char *msg, size_t msg_size)
{
    if (!interface_exists(ifindex))
        return msg_error(-EINVAL, msg, msg_size, "no interface with index %u to link XDP to", ifindex);
    int err = check_xdp(prog, msg, msg_size);
    if (err)
        return err;
    struct attachment *a = find(ifindex);
    if (a && a->generic == generic)
        return msg_error(-EBUSY, msg, msg_size, "the %s XDP slot of interface %u is taken (by %s)",
                         slot_name(generic), ifindex, a->link ? "a link" : "a program");
    if (a)
        return msg_error(-EEXIST, msg, msg_size, "interface %u has a %s XDP program: native and generic XDP cannot run at once",
                         ifindex, slot_name(a->generic));
    err = start(ifindex, prog, generic, datapath, &a, msg, msg_size);
    if (err)
        return err;
    a->link = x;
    x->attachment = a;
    return 0;
}

int hook_xdp_attachment_link(unsigned ifindex, struct runtime_prog *prog, bool generic,
                             const struct hook_xdp_options *datapath, struct runtime_link **out,
                             char *msg, size_t msg_size)
{
    *out = NULL;
    struct xdp_link *x = calloc(1, sizeof *x);
    if (!x)
        return msg_error(-ENOMEM, msg, msg_size, "out of memory for an XDP link");
    pthread_mutex_lock(&lock);
    int err = link_locked(ifindex, prog, generic, datapath, x, msg, msg_size);
    if (!err) {
        runtime_link_init(&x->link, &xdp_link_ops, BPF_LINK_TYPE_XDP, BPF_XDP, prog);
        atomic_store(&x->link.ifindex, ifindex);
    }
    pthread_mutex_unlock(&lock);
    if (err) {
        free(x);
        return err;
    }
    *out = &x->link;
    return 0;
}

int hook_xdp_attachment_query(unsigned ifindex, struct hook_xdp_attachment_info *info)
{
    pthread_mutex_lock(&lock);
    struct attachment *a = find(ifindex);
    if (a) {
        *info = (struct hook_xdp_attachment_info){
            .prog_id = a->prog->id,
            .generic = a->generic,
            .linked = a->link != NULL,
            .mode = a->mode,
            .peer_ifindex = a->peer_ifindex,
            .workers = hook_xdp_worker_count(a->xdp),
        };
        hook_xdp_counters_sum(hook_xdp_counters(a->xdp), info->totals);
    }
    pthread_mutex_unlock(&lock);
    return a ? 0 : -ENOENT;
}
