/* Basic blocks, depth-first order and natural loops. */
#include "verifier/cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_jump(enum isa_form_id id)
{
    enum isa_operands ops = isa_forms[id].operands;
    return ops == ISA_OPS_JUMP || ops == ISA_OPS_JUMP32 || ops == ISA_OPS_COND_IMM ||
           ops == ISA_OPS_COND_REG;
}

static bool ends_block(enum isa_form_id id)
{
    return is_jump(id) || id == ISA_EXIT || id == ISA_CALL_LOCAL;
}

static size_t insn_width(const struct ebpf_insn *insn) { return isa_is_lddw(insn) ? 2 : 1; }

static int find_blocks(const struct ebpf_insn *insns, size_t count, struct cfg *cfg)
{
    uint8_t *leader = calloc(count + 1, 1);
    if (!leader)
        return -ENOMEM;
    leader[0] = 1;
    for (size_t pc = 0; pc < count; pc += insn_width(&insns[pc])) {
        enum isa_form_id id = isa_decode(&insns[pc]);
        if (is_jump(id))
            leader[isa_jump_target(&insns[pc], pc)] = 1;
        if (id == ISA_CALL_LOCAL)
            leader[pc + 1 + (int64_t)insns[pc].imm] = 1;
        if (ends_block(id))
            leader[pc + 1] = 1;
    }
    uint32_t blocks = 0;
    for (size_t pc = 0; pc < count; pc++)
        blocks += leader[pc];
    cfg->blocks = calloc(blocks, sizeof *cfg->blocks);
    cfg->block_at = malloc(count * sizeof *cfg->block_at);
    if (!cfg->blocks || !cfg->block_at) {
        free(leader);
        return -ENOMEM;
    }
    uint32_t b = 0;
    for (size_t pc = 0; pc < count; pc++) {
        cfg->block_at[pc] = CFG_NONE;
        if (leader[pc]) {
            cfg->block_at[pc] = b;
            cfg->blocks[b].start = (uint32_t)pc;
            if (b)
                cfg->blocks[b - 1].end = (uint32_t)pc;
            b++;
        }
    }
    cfg->blocks[b - 1].end = (uint32_t)count;
    cfg->block_count = blocks;
    free(leader);
    return 0;
}

static void link_blocks(const struct ebpf_insn *insns, struct cfg *cfg)
{
    for (uint32_t b = 0; b < cfg->block_count; b++) {
        struct cfg_block *block = &cfg->blocks[b];
        block->callee = CFG_NONE;
        block->loop_index = CFG_NONE;
        size_t last = block->start;
        for (size_t pc = block->start; pc < block->end; pc += insn_width(&insns[pc]))
            last = pc;
        enum isa_form_id id = isa_decode(&insns[last]);
        size_t next = last + insn_width(&insns[last]);
        if (id == ISA_EXIT)
            continue;
        if (id == ISA_JA || id == ISA_JA32) {
            block->succ[block->succ_count++] = cfg->block_at[isa_jump_target(&insns[last], last)];
            continue;
        }
        if (next < cfg->insn_count)
            block->succ[block->succ_count++] = cfg->block_at[next];
        if (is_jump(id)) {
            uint32_t target = cfg->block_at[isa_jump_target(&insns[last], last)];
            if (block->succ_count == 0 || block->succ[0] != target)
                block->succ[block->succ_count++] = target;
        }
        if (id == ISA_CALL_LOCAL)
            block->callee = cfg->block_at[last + 1 + (int64_t)insns[last].imm];
    }
}

/* Iterative depth-first search from every function entry: postorder numbers and back edges
 * (edges to a block still on the search stack). */
static int order_and_loops(struct cfg *cfg)
{
    uint32_t n = cfg->block_count;
    uint8_t *mark = calloc(n, 1); /* 0 new, 1 on stack, 2 done */
    uint32_t *stack = malloc(n * sizeof *stack);
    uint8_t *next_succ = calloc(n, 1);
    uint32_t *entries = malloc((2 * (size_t)n + 1) * sizeof *entries);
    if (!mark || !stack || !next_succ || !entries) {
        free(mark), free(stack), free(next_succ), free(entries);
        return -ENOMEM;
    }
    uint32_t entry_count = 0, post = 0;
    entries[entry_count++] = 0;
    for (uint32_t b = 0; b < n; b++)
        if (cfg->blocks[b].callee != CFG_NONE)
            entries[entry_count++] = cfg->blocks[b].callee;
    for (uint32_t b = 0; b < n; b++) /* unreachable code still gets an order */
        entries[entry_count++] = b;
    for (uint32_t e = 0; e < entry_count; e++) {
        if (mark[entries[e]])
            continue;
        uint32_t depth = 0;
        stack[depth++] = entries[e];
        mark[entries[e]] = 1;
        while (depth) {
            uint32_t b = stack[depth - 1];
            struct cfg_block *block = &cfg->blocks[b];
            if (next_succ[b] < block->succ_count) {
                uint32_t s = block->succ[next_succ[b]++];
                if (mark[s] == 1) {
                    cfg->blocks[s].loop_head = true;
                    block->back_edges |= (uint8_t)(1u << (next_succ[b] - 1));
                } else if (mark[s] == 0) {
                    mark[s] = 1;
                    stack[depth++] = s;
                }
                continue;
            }
            mark[b] = 2;
            block->order = n - 1 - post++;
            depth--;
        }
    }
    free(mark), free(stack), free(next_succ), free(entries);
    return 0;
}

/* Body of the loop headed by h: h and every block that reaches the source of a back edge
 * into h without passing through h (backward search from those sources). */
static int loop_bodies(struct cfg *cfg)
{
    uint32_t n = cfg->block_count;
    for (uint32_t b = 0; b < n; b++)
        if (cfg->blocks[b].loop_head)
            cfg->blocks[b].loop_index = cfg->loop_count++;
    if (!cfg->loop_count)
        return 0;
    cfg->body_words = (n + 63) / 64;
    cfg->loop_bodies = calloc((size_t)cfg->loop_count * cfg->body_words, sizeof(uint64_t));
    uint32_t *pred_count = calloc(n + 1, sizeof *pred_count);
    uint32_t *stack = malloc(n * sizeof *stack);
    if (!cfg->loop_bodies || !pred_count || !stack) {
        free(pred_count), free(stack);
        return -ENOMEM;
    }
    for (uint32_t b = 0; b < n; b++)
        for (int s = 0; s < cfg->blocks[b].succ_count; s++)
            pred_count[cfg->blocks[b].succ[s] + 1]++;
    for (uint32_t b = 0; b < n; b++)
        pred_count[b + 1] += pred_count[b];
    uint32_t *preds = malloc((pred_count[n] + 1) * sizeof *preds);
    uint32_t *fill = calloc(n, sizeof *fill);
    if (!preds || !fill) {
        free(pred_count), free(stack), free(preds), free(fill);
        return -ENOMEM;
    }
    for (uint32_t b = 0; b < n; b++)
        for (int s = 0; s < cfg->blocks[b].succ_count; s++) {
            uint32_t t = cfg->blocks[b].succ[s];
            preds[pred_count[t] + fill[t]++] = b;
        }
    for (uint32_t h = 0; h < n; h++) {
        if (!cfg->blocks[h].loop_head)
            continue;
        uint64_t *body = cfg->loop_bodies + (size_t)cfg->blocks[h].loop_index * cfg->body_words;
        body[h / 64] |= 1ull << (h % 64);
        uint32_t depth = 0;
        for (uint32_t i = pred_count[h]; i < pred_count[h + 1]; i++) {
            uint32_t p = preds[i];
            const struct cfg_block *pb = &cfg->blocks[p];
            bool back = false;
            for (int e = 0; e < pb->succ_count; e++)
                back |= pb->succ[e] == h && ((pb->back_edges >> e) & 1);
            if (back && !((body[p / 64] >> (p % 64)) & 1)) {
                body[p / 64] |= 1ull << (p % 64);
                stack[depth++] = p;
            }
        }
        while (depth) {
            uint32_t b = stack[--depth];
            for (uint32_t i = pred_count[b]; i < pred_count[b + 1]; i++) {
                uint32_t p = preds[i];
                if (!((body[p / 64] >> (p % 64)) & 1)) {
                    body[p / 64] |= 1ull << (p % 64);
                    stack[depth++] = p;
                }
            }
        }
    }
    free(pred_count), free(stack), free(preds), free(fill);
    return 0;
}

int cfg_build(const struct ebpf_insn *insns, size_t count, struct cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->insn_count = count;
    int err = find_blocks(insns, count, cfg);
    if (!err) {
        link_blocks(insns, cfg);
        err = order_and_loops(cfg);
    }
    if (!err)
        err = loop_bodies(cfg);
    if (err)
        cfg_free(cfg);
    return err;
}

void cfg_free(struct cfg *cfg)
{
    free(cfg->blocks);
    free(cfg->block_at);
    free(cfg->loop_bodies);
    memset(cfg, 0, sizeof *cfg);
}
