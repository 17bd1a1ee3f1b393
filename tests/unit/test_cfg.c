#include "test.h"
#include "verifier/cfg.h"
#include "verifier/liveness.h"
#include "verifier_asm.h"

TEST(blocks_successors_and_order)
{
    /* 0: r0 = 0; 1: if r1 == 0 goto 3; 2: r0 = 1; 3: exit */
    const struct ebpf_insn prog[] = {MOV64_IMM(0, 0), JMP_IMM(JEQ, 1, 0, 1), MOV64_IMM(0, 1), EXIT()};
    struct cfg cfg;
    CHECK_EQ(cfg_build(prog, 4, &cfg), 0);
    CHECK_EQ(cfg.block_count, 3);
    CHECK_EQ(cfg.blocks[0].start, 0);
    CHECK_EQ(cfg.blocks[0].end, 2);
    CHECK_EQ(cfg.blocks[0].succ_count, 2);
    CHECK_EQ(cfg.blocks[0].succ[0], 1); /* fall-through first */
    CHECK_EQ(cfg.blocks[0].succ[1], 2);
    CHECK_EQ(cfg.blocks[1].succ_count, 1);
    CHECK_EQ(cfg.blocks[2].succ_count, 0);
    CHECK_EQ(cfg.block_at[3], 2);
    CHECK_EQ(cfg.block_at[1], CFG_NONE);
    CHECK(cfg.blocks[0].order < cfg.blocks[1].order);
    CHECK(cfg.blocks[1].order < cfg.blocks[2].order);
    CHECK_EQ(cfg.loop_count, 0);
    cfg_free(&cfg);
}

TEST(loops_and_their_bodies)
{
    /* 0: r1 = 0; 1: r1 += 1 (head); 2: if r1 < 10 goto 1; 3: if r1 > 5 goto 5; 4: r0 = 0; 5: r0 = 1; 6: exit */
    const struct ebpf_insn prog[] = {MOV64_IMM(1, 0), ALU64_IMM(ADD, 1, 1), JMP_IMM(JLT, 1, 10, -2),
                                     JMP_IMM(JGT, 1, 5, 1), MOV64_IMM(0, 0), MOV64_IMM(0, 1), EXIT()};
    struct cfg cfg;
    CHECK_EQ(cfg_build(prog, 7, &cfg), 0);
    uint32_t head = cfg.block_at[1];
    CHECK(cfg.blocks[head].loop_head);
    CHECK_EQ(cfg.loop_count, 1);
    CHECK(cfg_in_loop(&cfg, head, head));
    CHECK(!cfg_in_loop(&cfg, head, cfg.block_at[0]));
    CHECK(!cfg_in_loop(&cfg, head, cfg.block_at[3]));
    CHECK(!cfg.blocks[cfg.block_at[0]].loop_head);
    cfg_free(&cfg);
}

TEST(local_calls_and_lddw)
{
    /* 0: lddw r1 (2 slots); 2: call local +1 (-> 4); 3: exit; 4: r0 = 0; 5: exit */
    const struct ebpf_insn prog[] = {LDDW(1, 5), CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 0), EXIT()};
    struct cfg cfg;
    CHECK_EQ(cfg_build(prog, 6, &cfg), 0);
    uint32_t call_block = cfg.block_at[0];
    CHECK_EQ(cfg.blocks[call_block].end, 3);
    CHECK_EQ(cfg.blocks[call_block].callee, cfg.block_at[4]);
    CHECK_EQ(cfg.blocks[call_block].succ[0], cfg.block_at[3]); /* continuation */
    CHECK_EQ(cfg.block_at[4] != CFG_NONE, 1);
    cfg_free(&cfg);
}

TEST(loop_callbacks_make_their_own_blocks)
{
    /* 0: r1 = 3; 1: r2 = func (insn 6); 3: r3 = 0; 4: call bpf_loop; 5: exit; 6: r0 = 0; 7: exit */
    const struct ebpf_insn prog[] = {MOV64_IMM(1, 3), INSN(0x18, 2, 4, 0, 4), INSN(0, 0, 0, 0, 0),
                                     MOV64_IMM(3, 0), CALL(181), EXIT(), MOV64_IMM(0, 0), EXIT()};
    struct cfg cfg;
    CHECK_EQ(cfg_build(prog, 8, &cfg), 0);
    uint32_t call = cfg.block_at[4];
    CHECK(call != CFG_NONE);
    CHECK(cfg.blocks[call].callback_site);
    CHECK_EQ(cfg.blocks[call].end, 5);
    CHECK(cfg.block_at[5] != CFG_NONE);
    CHECK(cfg.block_at[6] != CFG_NONE); /* the callback starts a block */
    CHECK(!cfg.blocks[cfg.block_at[0]].callback_site);
    cfg_free(&cfg);
}

TEST(liveness_per_instruction)
{
    uint16_t use, def;
    struct ebpf_insn add = ALU64_REG(ADD, 1, 2), mov = MOV64_REG(3, 4), call = CALL(1), exit = EXIT(),
                     store = STX(W, 10, 5, -4);
    liveness_insn(&add, &use, &def);
    CHECK_EQ(use, (1u << 1) | (1u << 2));
    CHECK_EQ(def, 1u << 1);
    liveness_insn(&mov, &use, &def);
    CHECK_EQ(use, 1u << 4);
    CHECK_EQ(def, 1u << 3);
    liveness_insn(&call, &use, &def); /* map_lookup_elem reads r1, r2 */
    CHECK_EQ(use, (1u << 1) | (1u << 2));
    CHECK_EQ(def, 0x3fu);
    liveness_insn(&exit, &use, &def);
    CHECK_EQ(use, 1u);
    liveness_insn(&store, &use, &def);
    CHECK_EQ(use, (1u << 10) | (1u << 5));
    CHECK_EQ(def, 0);
}

TEST(liveness_across_blocks)
{
    /* r6 is read after the branch, r7 never: r7 is dead at the entry */
    const struct ebpf_insn prog[] = {MOV64_IMM(7, 1), JMP_IMM(JEQ, 1, 0, 1), MOV64_IMM(0, 1),
                                     MOV64_REG(0, 6), EXIT()};
    struct cfg cfg;
    CHECK_EQ(cfg_build(prog, 5, &cfg), 0);
    uint16_t live[8];
    liveness_compute(prog, &cfg, live);
    CHECK_EQ(live[cfg.block_at[0]], (1u << 1) | (1u << 6));
    CHECK_EQ(live[cfg.block_at[3]], 1u << 6);
    cfg_free(&cfg);
}

TEST_MAIN
