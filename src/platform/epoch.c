#include "platform/epoch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <urcu/urcu-memb.h>

_Static_assert(sizeof(struct rcu_head) <= sizeof(((struct platform_epoch_entry *)0)->opaque),
               "rcu_head does not fit in platform_epoch_entry");

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t registration_key;
static _Thread_local bool registered;

/* liburcu requires every registered thread to unregister before it exits. */
static void unregister_thread(void *unused)
{
    (void)unused;
    if (registered) {
        urcu_memb_unregister_thread();
        registered = false;
    }
}

static void create_key(void)
{
    pthread_key_create(&registration_key, unregister_thread);
}

static void register_thread(void)
{
    pthread_once(&key_once, create_key);
    urcu_memb_register_thread();
    registered = true;
    pthread_setspecific(registration_key, (void *)1);
}

void platform_epoch_enter(void)
{
    if (!registered)
        register_thread();
    urcu_memb_read_lock();
}

void platform_epoch_exit(void)
{
    urcu_memb_read_unlock();
}

static void run_reclaim(struct rcu_head *head)
{
    struct platform_epoch_entry *entry =
        (struct platform_epoch_entry *)((char *)head - offsetof(struct platform_epoch_entry, opaque));
    /* liburcu registered its callback thread itself: registering again would abort. */
    registered = true;
    entry->reclaim(entry);
}

void platform_epoch_defer(struct platform_epoch_entry *entry,
                          void (*reclaim)(struct platform_epoch_entry *entry))
{
    if (!registered)
        register_thread();
    entry->reclaim = reclaim;
    urcu_memb_call_rcu((struct rcu_head *)entry->opaque, run_reclaim);
}

void platform_epoch_barrier(void)
{
    if (!registered)
        register_thread();
    urcu_memb_barrier();
}
