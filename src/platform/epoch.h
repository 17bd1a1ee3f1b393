/* Epoch-based reclamation: readers never lock, and memory a reader may still be looking at
 * is freed only after every read-side section that could have seen it has ended.
 *
 * Implemented with liburcu's "memb" flavour (urcu-memb: membarrier-based, cheap read side,
 * no signals, no quiescent-state duty for threads). Threads register themselves lazily on
 * their first platform_epoch_enter() and unregister when they exit.
 *
 * Read-side sections: one engine run of a program (vm_exec of one invocation, tail calls
 * included) is one section, entered by whoever runs programs; the map control API enters
 * its own section around each operation. Sections nest. */
#ifndef BPFHOST_PLATFORM_EPOCH_H
#define BPFHOST_PLATFORM_EPOCH_H

/* Embedded in anything whose freeing is deferred; opaque holds liburcu's rcu_head. */
struct platform_epoch_entry {
    void *opaque[2];
    void (*reclaim)(struct platform_epoch_entry *entry);
};

void platform_epoch_enter(void);
void platform_epoch_exit(void);

/* Calls reclaim(entry) from a background thread once no read-side section that began
 * before this call is still running. Callable inside a read-side section and from
 * reclaim callbacks. */
void platform_epoch_defer(struct platform_epoch_entry *entry,
                          void (*reclaim)(struct platform_epoch_entry *entry));

/* Waits until every reclaim deferred before the call has run (shutdown, tests). Never call
 * it inside a read-side section or from a reclaim callback. */
void platform_epoch_barrier(void);

#endif
