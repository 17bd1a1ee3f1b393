/* The platform pieces maps stand on: deferred reclamation waits for readers; CPU slots are
 * distinct while there are enough, and come back when threads exit. */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <time.h>

#include "platform/cpu_slot.h"
#include "platform/epoch.h"
#include "test.h"

enum { SLOTS = 3 };

struct reader {
    atomic_bool inside;
    atomic_bool leave;
};

static void *hold_section(void *arg)
{
    struct reader *r = arg;
    platform_epoch_enter();
    r->inside = true;
    while (!r->leave)
        sched_yield();
    platform_epoch_exit();
    return NULL;
}

static atomic_int reclaimed;

static void count_reclaim(struct platform_epoch_entry *entry)
{
    reclaimed++;
    /* Reclaims may defer more work (a map releasing its template does). */
    if (reclaimed == 1)
        platform_epoch_defer(entry, count_reclaim);
}

TEST(deferred_reclaim_waits_for_every_reader)
{
    struct reader r = {false, false};
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, hold_section, &r), 0);
    while (!r.inside)
        sched_yield();
    static struct platform_epoch_entry entry;
    platform_epoch_enter(); /* deferring from inside a section is allowed */
    platform_epoch_defer(&entry, count_reclaim);
    platform_epoch_exit();
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    CHECK_EQ(reclaimed, 0); /* the reader that began before is still inside */
    r.leave = true;
    pthread_join(t, NULL);
    platform_epoch_barrier();
    platform_epoch_barrier();
    CHECK_EQ(reclaimed, 2);
}

static void *record_slot(void *arg)
{
    *(unsigned *)arg = platform_cpu_slot();
    return NULL;
}

struct gate {
    pthread_barrier_t *all_have_slots;
    unsigned slot;
};

/* Keeps its slot until every thread has one, so none can be handed back early. */
static void *slot_then_wait(void *arg)
{
    struct gate *g = arg;
    g->slot = platform_cpu_slot();
    pthread_barrier_wait(g->all_have_slots);
    return NULL;
}

TEST(cpu_slots_are_distinct_and_reused_after_exit)
{
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS), 0);
    unsigned main_slot = platform_cpu_slot();
    CHECK(main_slot < SLOTS);
    /* Two more live threads: all three slots differ. */
    struct gate gates[2];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 3);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        gates[i] = (struct gate){&barrier, SLOTS};
        CHECK_EQ(pthread_create(&t[i], NULL, slot_then_wait, &gates[i]), 0);
    }
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    CHECK(gates[0].slot != main_slot && gates[1].slot != main_slot &&
          gates[0].slot != gates[1].slot);
    /* Those threads are gone: a new one gets a slot nobody holds. */
    unsigned again = SLOTS;
    pthread_t u;
    CHECK_EQ(pthread_create(&u, NULL, record_slot, &again), 0);
    pthread_join(u, NULL);
    CHECK(again < SLOTS && again != main_slot);
}

TEST_MAIN
