/* Slots are handed out least-used first and given back by a thread-specific destructor
 * when the thread exits, so a pool of worker threads maps onto distinct slots whenever
 * there are enough of them. */
#include "platform/cpu_slot.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned slot_count;      /* 0 until fixed */
static unsigned slot_users[PLATFORM_CPU_SLOT_MAX];
static pthread_key_t slot_key;
static bool slot_key_ready;
static _Thread_local int thread_slot = -1;

static void release_slot(void *value)
{
    unsigned slot = (unsigned)(uintptr_t)value - 1;
    pthread_mutex_lock(&slot_lock);
    if (slot < slot_count && slot_users[slot] > 0)
        slot_users[slot]--;
    pthread_mutex_unlock(&slot_lock);
}

static unsigned default_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    if (n < 1)
        n = 1;
    if (n > PLATFORM_CPU_SLOT_MAX)
        n = PLATFORM_CPU_SLOT_MAX;
    return (unsigned)n;
}

/* Called with slot_lock held. */
static void fix_count(void)
{
    if (slot_count == 0)
        slot_count = default_count();
}

unsigned platform_cpu_slot_count(void)
{
    static _Atomic unsigned cached;
    unsigned n = cached;
    if (n)
        return n;
    pthread_mutex_lock(&slot_lock);
    fix_count();
    n = slot_count;
    pthread_mutex_unlock(&slot_lock);
    cached = n;
    return n;
}

int platform_cpu_slot_set_count(unsigned count)
{
    if (count < 1 || count > PLATFORM_CPU_SLOT_MAX)
        return -EINVAL;
    int err = 0;
    pthread_mutex_lock(&slot_lock);
    if (slot_count && slot_count != count)
        err = -EBUSY;
    else
        slot_count = count;
    pthread_mutex_unlock(&slot_lock);
    return err;
}

unsigned platform_cpu_slot(void)
{
    if (thread_slot >= 0)
        return (unsigned)thread_slot;
    pthread_mutex_lock(&slot_lock);
    fix_count();
    if (!slot_key_ready)
        slot_key_ready = pthread_key_create(&slot_key, release_slot) == 0;
    unsigned best = 0;
    for (unsigned i = 1; i < slot_count; i++)
        if (slot_users[i] < slot_users[best])
            best = i;
    slot_users[best]++;
    pthread_mutex_unlock(&slot_lock);
    /* Without the key the slot is simply never given back: still correct, only less even. */
    if (slot_key_ready)
        pthread_setspecific(slot_key, (void *)(uintptr_t)(best + 1));
    thread_slot = (int)best;
    return best;
}
