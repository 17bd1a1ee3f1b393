/* bpf_spin_lock and bpf_spin_unlock: a program that ends, calls out or locks again while
 * holding a lock would leave it taken, and the next program to take it spins forever. */
#include "verifier/analysis.h"

#include <errno.h>
#include <inttypes.h>

enum { SPIN_LOCK_SIZE = 4 }; /* struct bpf_spin_lock */

int spin_lock_take(struct analysis *a, struct state *s, size_t pc, int32_t map, uint32_t id)
{
    if (s->lock.held)
        return analysis_fail(a, pc, -EACCES, "bpf_spin_lock while the bpf_spin_lock taken at insn %" PRIu32
                             " (map %" PRId32 ") is held: only one lock may be held at a time",
                             s->lock.pc, s->lock.map);
    s->lock = (struct held_lock){1, (uint32_t)pc, map, id};
    return 0;
}

int spin_lock_release(struct analysis *a, struct state *s, size_t pc, int32_t map, uint32_t id)
{
    if (!s->lock.held)
        return analysis_fail(a, pc, -EACCES, "bpf_spin_unlock without a bpf_spin_lock held on this path");
    if (s->lock.map != map || s->lock.id != id)
        return analysis_fail(a, pc, -EACCES, "bpf_spin_unlock of a different lock than the one taken at insn %"
                             PRIu32 " (map %" PRId32 "): this one is in %s value of map %" PRId32,
                             s->lock.pc, s->lock.map, s->lock.map == map ? "another" : "a", map);
    s->lock = (struct held_lock){0, 0, 0, 0};
    return 0;
}

int spin_lock_check_free(struct analysis *a, const struct state *s, size_t pc, const char *what)
{
    if (!s->lock.held)
        return 0;
    return analysis_fail(a, pc, -EACCES, "bpf_spin_lock taken at insn %" PRIu32 " is not released on this "
                         "path before %s", s->lock.pc, what);
}

int spin_lock_check_access(struct analysis *a, size_t pc, int32_t map, int64_t lo, int64_t hi, uint64_t size)
{
    const struct verifier_map *m = &a->opts->maps[map];
    if (!m->has_spin_lock)
        return 0;
    int64_t lock = m->spin_lock_offset;
    if (lo < lock + SPIN_LOCK_SIZE && hi + (int64_t)size > lock) /* in bounds: no overflow */
        return analysis_fail(a, pc, -EACCES, "the bpf_spin_lock at offset %" PRId64 " of map %" PRId32
                             "'s value cannot be read or written directly (access at [%" PRId64 ", %"
                             PRId64 ") overlaps it): only bpf_spin_lock and bpf_spin_unlock may use it",
                             lock, map, lo, hi + (int64_t)size);
    return 0;
}
