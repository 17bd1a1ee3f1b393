/* The control-flow graph of a validated program: basic blocks, their successors, the
 * callee of blocks that end in a bpf-to-bpf call, a reverse postorder (the analysis order)
 * and the loop heads (targets of back edges), each with the blocks of its loop body. */
#ifndef BPFHOST_VERIFIER_CFG_H
#define BPFHOST_VERIFIER_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"

#define CFG_NONE UINT32_MAX

struct cfg_block {
    uint32_t start, end;     /* instructions [start, end) */
    uint32_t succ[2];        /* fall-through (or call continuation) first, then jump target */
    uint8_t succ_count;
    uint8_t back_edges;      /* bit i: the edge to succ[i] closes a loop */
    bool loop_head;
    uint32_t order;          /* position in reverse postorder */
    uint32_t callee;         /* block ending in a local call: the callee's entry block */
    uint32_t loop_index;     /* loop heads: index of their body bitmap */
};

struct cfg {
    struct cfg_block *blocks;
    uint32_t block_count;
    uint32_t *block_at;      /* per instruction: the block starting there, or CFG_NONE */
    size_t insn_count;
    uint32_t loop_count;
    uint64_t *loop_bodies;   /* loop_count bitmaps of block_count bits */
    size_t body_words;       /* 64-bit words per bitmap */
};

/* Builds the graph of a program that passed isa_validate_program. Returns 0, or -ENOMEM. */
int cfg_build(const struct ebpf_insn *insns, size_t count, struct cfg *cfg);
void cfg_free(struct cfg *cfg);

/* Whether block is inside the body of the loop headed by head (a loop head block). */
static inline bool cfg_in_loop(const struct cfg *cfg, uint32_t head, uint32_t block)
{
    const uint64_t *body = cfg->loop_bodies + (size_t)cfg->blocks[head].loop_index * cfg->body_words;
    return (body[block / 64] >> (block % 64)) & 1;
}

#endif
