/* Link life cycle: attached at init, detached once (explicitly or at the last put). One lock
 * for all links orders program replacement against readers taking a reference: links
 * change rarely, so it is never contended. */
#include "runtime/link.h"

#include <errno.h>
#include <pthread.h>

static pthread_mutex_t link_lock = PTHREAD_MUTEX_INITIALIZER;

void runtime_link_init(struct runtime_link *link, const struct runtime_link_ops *ops,
                       uint32_t link_type, uint32_t attach_type, struct runtime_prog *prog)
{
    runtime_prog_get(prog);
    link->ops = ops;
    link->id = 0;
    link->link_type = link_type;
    link->attach_type = attach_type;
    link->prog = prog;
    atomic_init(&link->ifindex, 0);
    atomic_init(&link->detached, false);
    atomic_init(&link->refcount, 1);
}

void runtime_link_get(struct runtime_link *link) { atomic_fetch_add(&link->refcount, 1); }

void runtime_link_put(struct runtime_link *link)
{
    if (!link || atomic_fetch_sub(&link->refcount, 1) != 1)
        return;
    if (!atomic_exchange(&link->detached, true))
        link->ops->detach(link);
    runtime_prog_put(link->prog);
    link->ops->release(link);
}

struct runtime_prog *runtime_link_prog(struct runtime_link *link)
{
    pthread_mutex_lock(&link_lock);
    struct runtime_prog *prog = link->prog;
    runtime_prog_get(prog);
    pthread_mutex_unlock(&link_lock);
    return prog;
}

int runtime_link_update(struct runtime_link *link, struct runtime_prog *prog,
                        struct runtime_prog *expected)
{
    pthread_mutex_lock(&link_lock);
    int err = 0;
    if (atomic_load(&link->detached))
        err = -ENOLINK;
    else if (expected && expected != link->prog)
        err = -EPERM;
    else if (prog->prog_type != link->prog->prog_type)
        err = -EINVAL;
    else if (!link->ops->update_prog)
        err = -EOPNOTSUPP;
    else
        err = link->ops->update_prog(link, prog);
    struct runtime_prog *old = NULL;
    if (!err) {
        runtime_prog_get(prog);
        old = link->prog;
        link->prog = prog;
    }
    pthread_mutex_unlock(&link_lock);
    runtime_prog_put(old);
    return err;
}

int runtime_link_detach(struct runtime_link *link)
{
    if (atomic_exchange(&link->detached, true))
        return -ENOLINK;
    link->ops->detach(link);
    return 0;
}
