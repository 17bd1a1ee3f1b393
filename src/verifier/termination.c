/* Loop termination without unrolling: at every visit of a loop head, some register must
 * have moved strictly towards a bound since the previous visit, by an exact amount (no
 * wrap-around), so that the number of iterations is bounded by (bound - start) / step. */
#include "verifier/analysis.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void loop_marks_clobber(struct frame *f, int reg)
{
    for (uint32_t m = 0; m < f->mark_count; m++)
        f->marks[m].delta_flags[reg] = 0;
}

void loop_marks_copy(struct frame *f, int dst, int src)
{
    for (uint32_t m = 0; m < f->mark_count; m++) {
        struct loop_mark *mark = &f->marks[m];
        mark->delta_min[dst] = mark->delta_min[src];
        mark->delta_max[dst] = mark->delta_max[src];
        mark->delta_flags[dst] = mark->delta_flags[src];
        mark->delta_base[dst] = mark->delta_base[src];
    }
}

/* Which views of "before + addend" are exact (no wrap-around). */
static uint8_t exact_views(const struct scalar *before, __int128 lo, __int128 hi, unsigned bits)
{
    uint8_t flags = 0;
    if (bits == 32) {
        /* zero-extended result: exact when it stays inside [0, 2^32) from a 32-bit value */
        if (before->umax <= UINT32_MAX && (__int128)before->umin + lo >= 0 &&
            (__int128)before->umax + hi <= UINT32_MAX)
            flags = DELTA_UNSIGNED | DELTA_SIGNED;
        return flags;
    }
    if ((__int128)before->umin + lo >= 0 && (__int128)before->umax + hi <= (__int128)UINT64_MAX)
        flags |= DELTA_UNSIGNED;
    if ((__int128)before->smin + lo >= INT64_MIN && (__int128)before->smax + hi <= INT64_MAX)
        flags |= DELTA_SIGNED;
    return flags;
}

void loop_marks_add(struct frame *f, int reg, const struct scalar *before,
                    const struct scalar *addend, unsigned bits, bool subtract)
{
    __int128 lo = subtract ? -(__int128)addend->smax : addend->smin;
    __int128 hi = subtract ? -(__int128)addend->smin : addend->smax;
    uint8_t exact = exact_views(before, lo, hi, bits);
    for (uint32_t m = 0; m < f->mark_count; m++) {
        struct loop_mark *mark = &f->marks[m];
        __int128 dlo = (__int128)mark->delta_min[reg] + lo, dhi = (__int128)mark->delta_max[reg] + hi;
        mark->delta_flags[reg] &= exact;
        if (dlo < INT64_MIN || dhi > INT64_MAX) {
            mark->delta_flags[reg] = 0;
            continue;
        }
        mark->delta_min[reg] = (int64_t)dlo;
        mark->delta_max[reg] = (int64_t)dhi;
    }
}

static void restart(struct loop_mark *m, const struct frame *f, uint32_t head)
{
    m->head = head;
    for (int r = 0; r < EBPF_REG_COUNT; r++) {
        const struct value *v = &f->regs[r];
        bool number = v->type == VALUE_SCALAR;
        m->delta_min[r] = m->delta_max[r] = 0;
        m->delta_flags[r] = number ? DELTA_UNSIGNED | DELTA_SIGNED : 0;
        m->delta_base[r] = (uint8_t)r;
        m->start_umin[r] = number ? v->var.umin : 0;
        m->start_umax[r] = number ? v->var.umax : UINT64_MAX;
        m->start_smin[r] = number ? v->var.smin : INT64_MIN;
        m->start_smax[r] = number ? v->var.smax : INT64_MAX;
    }
}

/* Iterations the loop can make according to register r, or UINT64_MAX when r proves nothing. */
static uint64_t iteration_bound(const struct loop_mark *m, const struct frame *f, int r)
{
    const struct value *v = &f->regs[r];
    if (!m->delta_flags[r] || m->delta_base[r] != r || v->type != VALUE_SCALAR)
        return UINT64_MAX;
    uint64_t best = UINT64_MAX;
    int64_t dlo = m->delta_min[r], dhi = m->delta_max[r];
    if (dlo >= 1) {
        if ((m->delta_flags[r] & DELTA_UNSIGNED) && v->var.umax < UINT64_MAX) {
            uint64_t span = v->var.umax > m->start_umin[r] ? v->var.umax - m->start_umin[r] : 0;
            best = span / (uint64_t)dlo;
        }
        if ((m->delta_flags[r] & DELTA_SIGNED) && v->var.smax < INT64_MAX) {
            __int128 span = (__int128)v->var.smax - m->start_smin[r];
            uint64_t n = span > 0 ? (uint64_t)(span / dlo) : 0;
            best = n < best ? n : best;
        }
    } else if (dhi <= -1) {
        if ((m->delta_flags[r] & DELTA_UNSIGNED) && v->var.umin > 0) {
            uint64_t span = m->start_umax[r] > v->var.umin ? m->start_umax[r] - v->var.umin : 0;
            best = span / (uint64_t)(-(__int128)dhi);
        }
        if ((m->delta_flags[r] & DELTA_SIGNED) && v->var.smin > INT64_MIN) {
            __int128 span = (__int128)m->start_smax[r] - v->var.smin;
            uint64_t n = span > 0 ? (uint64_t)(span / -(__int128)dhi) : 0;
            best = n < best ? n : best;
        }
    }
    return best;
}

static int check_progress(struct analysis *a, const struct loop_mark *m, const struct frame *f,
                          uint32_t head, size_t from_pc)
{
    uint64_t limit = a->opts->max_loop_iterations;
    uint64_t best = UINT64_MAX;
    for (int r = 0; r < EBPF_REG_COUNT - 1; r++) {
        uint64_t n = iteration_bound(m, f, r);
        if (n <= limit)
            return 0;
        best = n < best ? n : best;
    }
    size_t head_pc = a->cfg.blocks[head].start;
    char detail[160] = "";
    for (int r = 0; r < EBPF_REG_COUNT - 1; r++)
        if (m->delta_flags[r] && m->delta_base[r] == r && (m->delta_min[r] || m->delta_max[r])) {
            snprintf(detail, sizeof detail, "; r%d changes by [%" PRId64 ", %" PRId64 "] per iteration", r,
                     m->delta_min[r], m->delta_max[r]);
            break;
        }
    if (best != UINT64_MAX)
        return analysis_fail(a, from_pc, -EACCES, "loop at insn %zu may run %" PRIu64 " times, more than the limit of %" PRIu64,
                             head_pc, best, limit);
    return analysis_fail(a, from_pc, -EACCES, "loop at insn %zu may not terminate: no register moves by a "
                         "known step towards a bound on every iteration%s", head_pc, detail);
}

void loop_marks_leave_outside(struct analysis *a, struct state *s, uint32_t block)
{
    struct frame *f = state_frame(s);
    uint32_t kept = 0;
    for (uint32_t m = 0; m < f->mark_count; m++)
        if (cfg_in_loop(&a->cfg, f->marks[m].head, block))
            f->marks[kept++] = f->marks[m];
    f->mark_count = kept;
}

int loop_marks_enter(struct analysis *a, struct state *s, uint32_t block, size_t from_pc)
{
    struct frame *f = state_frame(s);
    for (uint32_t m = 0; m < f->mark_count; m++) {
        if (f->marks[m].head != block)
            continue;
        int err = check_progress(a, &f->marks[m], f, block, from_pc);
        if (err)
            return err;
        f->mark_count = m + 1; /* inner loops were left */
        restart(&f->marks[m], f, block);
        return 0;
    }
    if (f->mark_count == LOOP_MARKS)
        return analysis_fail(a, from_pc, -EACCES, "loops are nested more than %d deep", LOOP_MARKS);
    restart(&f->marks[f->mark_count++], f, block);
    return 0;
}
