/* Per-CPU slots: the host's stand-in for Linux's CPU number. Each thread that asks gets a
 * slot below platform_cpu_slot_count() and keeps it until it exits; per-CPU maps keep one
 * value per slot, and "possible CPUs" means slots. When more threads are alive than there
 * are slots, threads share a slot (the least shared one), so per-CPU data is then only as
 * private as it is on a Linux CPU that preempts: programs must use atomics to be exact. */
#ifndef BPFHOST_PLATFORM_CPU_SLOT_H
#define BPFHOST_PLATFORM_CPU_SLOT_H

enum { PLATFORM_CPU_SLOT_MAX = 1024 };

/* Number of slots; fixed on first use (the host's configured CPU count by default). */
unsigned platform_cpu_slot_count(void);

/* Sets the number of slots. Only before any slot was counted or handed out: returns 0,
 * -EBUSY once the count is fixed, -EINVAL outside 1..PLATFORM_CPU_SLOT_MAX. */
int platform_cpu_slot_set_count(unsigned count);

/* The calling thread's slot, assigned on its first call. */
unsigned platform_cpu_slot(void);

#endif
