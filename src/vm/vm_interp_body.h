/* The interpreter loop, included by vm_interp.c once per mode. Parameters:
 *   VM_INTERP_NAME   name of the function to define
 *   VM_CHECKED       1: check every memory access and count steps; 0: trust the verifier
 *   VM_USE_SWITCH    1: dispatch with a switch (portable C11); 0: computed goto (GNU C)
 * Every form of isa_forms.h has a handler here; a missing one is a compile error with
 * computed goto, which keeps the table and the interpreter in step. */

uint64_t VM_INTERP_NAME(struct vm_activation *act, struct vm_run *run, size_t start_pc,
                        const uint64_t args[5])
{
    struct frame {
        const struct vm_slot *ret;
        uint64_t saved[5]; /* r6-r9, r10 */
        uint16_t init;     /* checked mode: the caller's initialized registers */
    } frames[EBPF_MAX_CALL_DEPTH];
    const unsigned entry_depth = act->depth;
    unsigned depth = entry_depth;
#if VM_CHECKED
    const uint8_t *const stack = act->stack;
    const uint64_t stack_start = (uint64_t)(uintptr_t)stack;
    uint8_t *const written = act->stack_written;
#endif
    uint64_t reg[EBPF_REG_COUNT] = {0};
    uint64_t helper_id; /* of the helper call being completed */
#if VM_CHECKED
    int helper_fills; /* whether it fills memory (vm_helper_memory_check) */
#endif
    const struct vm_program *prog = act->prog;
    const struct vm_slot *base = prog->slots;
    const struct vm_slot *pc = base + start_pc;
#if VM_CHECKED
    uint64_t steps = run->steps;
    uint16_t init = act->callback ? VM_REGS_ARGS | VM_REG_FP : VM_REGS_AT_ENTRY; /* bit n: rN written */
#endif
    memcpy(&reg[1], args, 5 * sizeof *args);
    reg[10] = act->fp;

#define DST reg[pc->regs & 0x0f]
#define SRC reg[pc->regs >> 4]
#define IMM ((uint64_t)(int64_t)pc->imm) /* sign-extended to 64 bits */
#define IMM32 ((uint32_t)pc->imm)
#define PC_INDEX ((size_t)(pc - base))
#define FAULT(err, ...)                                                                            \
    do {                                                                                           \
        vm_fault(run, prog, PC_INDEX, err, __VA_ARGS__);                                           \
        run->steps = STEPS;                                                                        \
        return 0;                                                                                  \
    } while (0)

#if VM_CHECKED
#define STEPS steps
#define STORE_STEPS() (run->steps = steps)
#define COUNT_STEP()                                                                               \
    if (++steps > run->max_steps && run->max_steps)                                                \
        FAULT(-E2BIG, "step budget of %llu instructions exhausted",                                 \
              (unsigned long long)run->max_steps);                                                 \
    if (prog->reg_reads[PC_INDEX] & ~init)                                                         \
        FAULT(-EACCES, "r%d is read before it is written",                                        \
              __builtin_ctz(prog->reg_reads[PC_INDEX] & ~init));                                   \
    init |= prog->reg_writes[PC_INDEX]
#define SET_INIT(mask) (init = (uint16_t)(mask))
#define OUTSIDE_FAULT(addr, size, write)                                                           \
    FAULT(-EFAULT, "%s of %d bytes at 0x%llx is outside the memory this program may access",       \
          (write) ? "write" : "read", (int)(size), (unsigned long long)(addr))
/* A read of the stack needs every byte written before (so do atomics, which read before
 * they write); elsewhere the region must allow the access. A write marks stack bytes. */
#define CHECK_WRITTEN_OR_REGION(addr, size, region_write)                                          \
    {                                                                                              \
        uint64_t at_ = (addr) - stack_start;                                                       \
        if (at_ <= VM_STACK_BYTES - (size)) {                                                      \
            if (!vm_stack_is_written(written, at_, (size))) {                                      \
                vm_stack_unwritten_fault(run, prog, PC_INDEX, written, at_, (size));               \
                run->steps = STEPS;                                                                \
                return 0;                                                                          \
            }                                                                                      \
        } else if (!vm_region_ok(run, (addr), (size), (region_write))) {                           \
            OUTSIDE_FAULT(addr, size, region_write);                                               \
        }                                                                                          \
    }
#define CHECK_READ(addr, size) CHECK_WRITTEN_OR_REGION(addr, size, false)
#define CHECK_WRITE(addr, size)                                                                    \
    {                                                                                              \
        uint64_t at_ = (addr) - stack_start;                                                       \
        if (at_ <= VM_STACK_BYTES - (size))                                                        \
            vm_stack_mark_small(written, at_, (size));                                             \
        else if (!vm_region_ok(run, (addr), (size), true))                                         \
            OUTSIDE_FAULT(addr, size, true);                                                       \
    }
#define CHECK_ATOMIC(addr, size)                                                                   \
    {                                                                                              \
        CHECK_WRITTEN_OR_REGION(addr, size, true)                                                  \
        if ((addr) % (size))                                                                       \
            FAULT(-EFAULT, "atomic access at 0x%llx is not %d-byte aligned",                       \
                  (unsigned long long)(addr), (int)(size));                                        \
    }
#define FORGET_FRAME(fp) vm_stack_forget_frame(written, (fp) - EBPF_STACK_SIZE - stack_start)
#define CHECK_HELPER_MEMORY(id)                                                                    \
    helper_fills = 0;                                                                              \
    if (!vm_helper_touches_no_memory(prog->helpers, (id)) &&                                       \
        (helper_fills = vm_helper_memory_check(run, prog, PC_INDEX, stack, written, (id), &reg[1])) < 0) { \
        run->steps = STEPS;                                                                        \
        return 0;                                                                                  \
    }
#define HELPER_FILLED(id)                                                                          \
    if (helper_fills)                                                                              \
    vm_helper_mark_fills(written, stack, prog->helpers, (id), &reg[1])
#else
#define STEPS 0
#define STORE_STEPS() ((void)0)
#define COUNT_STEP() ((void)0)
#define SET_INIT(mask) ((void)0)
#define CHECK_READ(addr, size) ((void)0)
#define CHECK_WRITE(addr, size) ((void)0)
#define CHECK_ATOMIC(addr, size) ((void)0)
#define FORGET_FRAME(fp) ((void)0)
#define CHECK_HELPER_MEMORY(id) ((void)0)
#define HELPER_FILLED(id) ((void)(id))
#endif

#if VM_USE_SWITCH
#define CASE(id) case ISA_##id:
#define DISPATCH() goto vm_dispatch
vm_dispatch:
    COUNT_STEP();
    switch ((enum isa_form_id)pc->op) {
    {
#else
#define CASE(id) L_##id:
#define DISPATCH()                                                                                 \
    do {                                                                                           \
        COUNT_STEP();                                                                              \
        goto *dispatch[pc->op];                                                                    \
    } while (0)
    static const void *const dispatch[ISA_FORM_COUNT] = {
        [ISA_FORM_INVALID] = &&L_FORM_INVALID,
#define VM_LABEL(id, ...) [ISA_##id] = &&L_##id,
        ISA_FORMS(VM_LABEL)
#undef VM_LABEL
    };
    DISPATCH();
    {
        {
#endif
#define NEXT()                                                                                     \
    do {                                                                                           \
        pc++;                                                                                      \
        DISPATCH();                                                                                \
    } while (0)
#define JUMP_IF(cond)                                                                              \
    do {                                                                                           \
        pc += (cond) ? pc->off + 1 : 1;                                                            \
        DISPATCH();                                                                                \
    } while (0)

        /* ALU: 64-bit ops use the sign-extended immediate; 32-bit ops zero-extend. */
#define ALU_BINARY(ID, op)                                                                         \
    CASE(ID##64_IMM) DST = DST op IMM; NEXT();                                                     \
    CASE(ID##64_REG) DST = DST op SRC; NEXT();                                                     \
    CASE(ID##32_IMM) DST = (uint32_t)((uint32_t)DST op IMM32); NEXT();                             \
    CASE(ID##32_REG) DST = (uint32_t)((uint32_t)DST op (uint32_t)SRC); NEXT();
        ALU_BINARY(ADD, +)
        ALU_BINARY(SUB, -)
        ALU_BINARY(MUL, *)
        ALU_BINARY(OR, |)
        ALU_BINARY(AND, &)
        ALU_BINARY(XOR, ^)
#undef ALU_BINARY

        CASE(LSH64_IMM) DST <<= IMM & 63; NEXT();
        CASE(LSH64_REG) DST <<= SRC & 63; NEXT();
        CASE(LSH32_IMM) DST = (uint32_t)((uint32_t)DST << (IMM32 & 31)); NEXT();
        CASE(LSH32_REG) DST = (uint32_t)((uint32_t)DST << (SRC & 31)); NEXT();
        CASE(RSH64_IMM) DST >>= IMM & 63; NEXT();
        CASE(RSH64_REG) DST >>= SRC & 63; NEXT();
        CASE(RSH32_IMM) DST = (uint32_t)DST >> (IMM32 & 31); NEXT();
        CASE(RSH32_REG) DST = (uint32_t)DST >> (SRC & 31); NEXT();
        CASE(ARSH64_IMM) DST = vm_arsh64(DST, IMM & 63); NEXT();
        CASE(ARSH64_REG) DST = vm_arsh64(DST, SRC & 63); NEXT();
        CASE(ARSH32_IMM) DST = vm_arsh32((uint32_t)DST, IMM32 & 31); NEXT();
        CASE(ARSH32_REG) DST = vm_arsh32((uint32_t)DST, SRC & 31); NEXT();

        /* Division by zero gives 0, modulo by zero leaves dst, INT_MIN / -1 wraps (RFC 9669). */
        CASE(DIV64_IMM) DST = IMM ? DST / IMM : 0; NEXT();
        CASE(DIV64_REG) DST = SRC ? DST / SRC : 0; NEXT();
        CASE(DIV32_IMM) DST = IMM32 ? (uint32_t)DST / IMM32 : 0; NEXT();
        CASE(DIV32_REG) DST = (uint32_t)SRC ? (uint32_t)DST / (uint32_t)SRC : 0; NEXT();
        CASE(MOD64_IMM) DST = IMM ? DST % IMM : DST; NEXT();
        CASE(MOD64_REG) DST = SRC ? DST % SRC : DST; NEXT();
        CASE(MOD32_IMM) DST = IMM32 ? (uint32_t)DST % IMM32 : (uint32_t)DST; NEXT();
        CASE(MOD32_REG) DST = (uint32_t)SRC ? (uint32_t)DST % (uint32_t)SRC : (uint32_t)DST; NEXT();
        CASE(SDIV64_IMM) DST = vm_sdiv64(DST, IMM); NEXT();
        CASE(SDIV64_REG) DST = vm_sdiv64(DST, SRC); NEXT();
        CASE(SDIV32_IMM) DST = vm_sdiv32((uint32_t)DST, IMM32); NEXT();
        CASE(SDIV32_REG) DST = vm_sdiv32((uint32_t)DST, (uint32_t)SRC); NEXT();
        CASE(SMOD64_IMM) DST = vm_smod64(DST, IMM); NEXT();
        CASE(SMOD64_REG) DST = vm_smod64(DST, SRC); NEXT();
        CASE(SMOD32_IMM) DST = vm_smod32((uint32_t)DST, IMM32); NEXT();
        CASE(SMOD32_REG) DST = vm_smod32((uint32_t)DST, (uint32_t)SRC); NEXT();

        CASE(NEG64) DST = -DST; NEXT();
        CASE(NEG32) DST = (uint32_t)-(uint32_t)DST; NEXT();
        CASE(MOV64_IMM) DST = IMM; NEXT();
        CASE(MOV64_REG) DST = SRC; NEXT();
        CASE(MOV32_IMM) DST = IMM32; NEXT();
        CASE(MOV32_REG) DST = (uint32_t)SRC; NEXT();
        CASE(MOVSX8_64) DST = (uint64_t)(int64_t)(int8_t)SRC; NEXT();
        CASE(MOVSX16_64) DST = (uint64_t)(int64_t)(int16_t)SRC; NEXT();
        CASE(MOVSX32_64) DST = (uint64_t)(int64_t)(int32_t)SRC; NEXT();
        CASE(MOVSX8_32) DST = (uint32_t)(int32_t)(int8_t)SRC; NEXT();
        CASE(MOVSX16_32) DST = (uint32_t)(int32_t)(int16_t)SRC; NEXT();

        CASE(LE16) DST = vm_to_le16(DST); NEXT();
        CASE(LE32) DST = vm_to_le32(DST); NEXT();
        CASE(LE64) DST = vm_to_le64(DST); NEXT();
        CASE(BE16) DST = vm_to_be16(DST); NEXT();
        CASE(BE32) DST = vm_to_be32(DST); NEXT();
        CASE(BE64) DST = vm_to_be64(DST); NEXT();
        CASE(BSWAP16) DST = vm_bswap16((uint16_t)DST); NEXT();
        CASE(BSWAP32) DST = vm_bswap32((uint32_t)DST); NEXT();
        CASE(BSWAP64) DST = vm_bswap64(DST); NEXT();

        /* Jumps: 64-bit compares use the sign-extended immediate, 32-bit ones the low halves. */
        CASE(JA) pc += pc->off + 1; DISPATCH();
        CASE(JA32) pc += pc->imm + 1; DISPATCH();
#define JUMP_COND(ID, op, T64, T32)                                                                \
    CASE(ID##_IMM) JUMP_IF((T64)DST op (T64)IMM);                                                  \
    CASE(ID##_REG) JUMP_IF((T64)DST op (T64)SRC);                                                  \
    CASE(ID##32_IMM) JUMP_IF((T32)DST op (T32)IMM32);                                              \
    CASE(ID##32_REG) JUMP_IF((T32)DST op (T32)SRC);
        JUMP_COND(JEQ, ==, uint64_t, uint32_t)
        JUMP_COND(JNE, !=, uint64_t, uint32_t)
        JUMP_COND(JGT, >, uint64_t, uint32_t)
        JUMP_COND(JGE, >=, uint64_t, uint32_t)
        JUMP_COND(JLT, <, uint64_t, uint32_t)
        JUMP_COND(JLE, <=, uint64_t, uint32_t)
        JUMP_COND(JSGT, >, int64_t, int32_t)
        JUMP_COND(JSGE, >=, int64_t, int32_t)
        JUMP_COND(JSLT, <, int64_t, int32_t)
        JUMP_COND(JSLE, <=, int64_t, int32_t)
        JUMP_COND(JSET, &, uint64_t, uint32_t)
#undef JUMP_COND

        /* Memory. Unaligned accesses are allowed (memcpy); atomics must be aligned. */
#define LOAD(ID, T, EXT)                                                                           \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t addr = SRC + (uint64_t)(int64_t)pc->off;                                          \
        CHECK_READ(addr, sizeof(T));                                                      \
        T value;                                                                                   \
        memcpy(&value, (const void *)(uintptr_t)addr, sizeof value);                               \
        DST = (uint64_t)(EXT)value;                                                                \
        NEXT();                                                                                    \
    }
        LOAD(LDXB, uint8_t, uint64_t)
        LOAD(LDXH, uint16_t, uint64_t)
        LOAD(LDXW, uint32_t, uint64_t)
        LOAD(LDXDW, uint64_t, uint64_t)
        LOAD(LDXSB, int8_t, int64_t)
        LOAD(LDXSH, int16_t, int64_t)
        LOAD(LDXSW, int32_t, int64_t)
#undef LOAD
#define STORE(ID, T, VALUE)                                                                        \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t addr = DST + (uint64_t)(int64_t)pc->off;                                          \
        CHECK_WRITE(addr, sizeof(T));                                                       \
        T value = (T)(VALUE);                                                                      \
        memcpy((void *)(uintptr_t)addr, &value, sizeof value);                                     \
        NEXT();                                                                                    \
    }
        STORE(STB, uint8_t, IMM)
        STORE(STH, uint16_t, IMM)
        STORE(STW, uint32_t, IMM)
        STORE(STDW, uint64_t, IMM)
        STORE(STXB, uint8_t, SRC)
        STORE(STXH, uint16_t, SRC)
        STORE(STXW, uint32_t, SRC)
        STORE(STXDW, uint64_t, SRC)
#undef STORE

        /* Atomics: the 32-bit forms zero-extend what they fetch. */
#define ATOMIC_OP(ID, builtin, fetch)                                                              \
    CASE(ID##64)                                                                                   \
    {                                                                                              \
        uint64_t addr = DST + (uint64_t)(int64_t)pc->off;                                          \
        CHECK_ATOMIC(addr, 8);                                                                     \
        uint64_t old = builtin((uint64_t *)(uintptr_t)addr, SRC, __ATOMIC_SEQ_CST);                \
        if (fetch)                                                                                 \
            SRC = old;                                                                             \
        NEXT();                                                                                    \
    }                                                                                              \
    CASE(ID##32)                                                                                   \
    {                                                                                              \
        uint64_t addr = DST + (uint64_t)(int64_t)pc->off;                                          \
        CHECK_ATOMIC(addr, 4);                                                                     \
        uint32_t old = builtin((uint32_t *)(uintptr_t)addr, (uint32_t)SRC, __ATOMIC_SEQ_CST);      \
        if (fetch)                                                                                 \
            SRC = old;                                                                             \
        NEXT();                                                                                    \
    }
        ATOMIC_OP(ATOMIC_ADD, __atomic_fetch_add, 0)
        ATOMIC_OP(ATOMIC_OR, __atomic_fetch_or, 0)
        ATOMIC_OP(ATOMIC_AND, __atomic_fetch_and, 0)
        ATOMIC_OP(ATOMIC_XOR, __atomic_fetch_xor, 0)
        ATOMIC_OP(ATOMIC_FETCH_ADD, __atomic_fetch_add, 1)
        ATOMIC_OP(ATOMIC_FETCH_OR, __atomic_fetch_or, 1)
        ATOMIC_OP(ATOMIC_FETCH_AND, __atomic_fetch_and, 1)
        ATOMIC_OP(ATOMIC_FETCH_XOR, __atomic_fetch_xor, 1)
        ATOMIC_OP(ATOMIC_XCHG, __atomic_exchange_n, 1)
#undef ATOMIC_OP
        CASE(ATOMIC_CMPXCHG64)
        {
            uint64_t addr = DST + (uint64_t)(int64_t)pc->off;
            CHECK_ATOMIC(addr, 8);
            uint64_t expected = reg[0];
            __atomic_compare_exchange_n((uint64_t *)(uintptr_t)addr, &expected, SRC, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            reg[0] = expected; /* the old value, whether or not it matched */
            NEXT();
        }
        CASE(ATOMIC_CMPXCHG32)
        {
            uint64_t addr = DST + (uint64_t)(int64_t)pc->off;
            CHECK_ATOMIC(addr, 4);
            uint32_t expected = (uint32_t)reg[0];
            __atomic_compare_exchange_n((uint32_t *)(uintptr_t)addr, &expected, (uint32_t)SRC, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            reg[0] = expected;
            NEXT();
        }

        CASE(LDDW) DST = (uint32_t)pc->imm | (uint64_t)(uint32_t)pc[1].imm << 32; pc += 2; DISPATCH();
        /* A function's address, for helpers that call it back: its first slot. */
        CASE(LDDW_FUNC) DST = (uint64_t)(uintptr_t)(pc + pc->imm + 1); pc += 2; DISPATCH();

        /* Legacy packet loads: big-endian; out of bounds ends the program with 0, as on Linux. */
#define LD_PACKET(ID, T, swap, OFFSET)                                                             \
    CASE(ID)                                                                                       \
    {                                                                                              \
        uint64_t offset = (OFFSET);                                                                \
        if (!run->packet || offset > run->packet_len || run->packet_len - offset < sizeof(T)) {    \
            run->steps = STEPS;                                                                    \
            return 0;                                                                              \
        }                                                                                          \
        T value;                                                                                   \
        memcpy(&value, run->packet + offset, sizeof value);                                        \
        reg[0] = swap(value);                                                                      \
        NEXT();                                                                                    \
    }
#define VM_BE_IDENTITY(x) (x)
        LD_PACKET(LDABSW, uint32_t, vm_ntoh32, (uint32_t)pc->imm)
        LD_PACKET(LDABSH, uint16_t, vm_ntoh16, (uint32_t)pc->imm)
        LD_PACKET(LDABSB, uint8_t, VM_BE_IDENTITY, (uint32_t)pc->imm)
        LD_PACKET(LDINDW, uint32_t, vm_ntoh32, (uint32_t)(SRC + IMM32))
        LD_PACKET(LDINDH, uint16_t, vm_ntoh16, (uint32_t)(SRC + IMM32))
        LD_PACKET(LDINDB, uint8_t, VM_BE_IDENTITY, (uint32_t)(SRC + IMM32))
#undef LD_PACKET

        CASE(CALL_LOCAL)
        {
            if (depth + 1 >= EBPF_MAX_CALL_DEPTH)
                FAULT(-E2BIG, "call depth exceeds %d frames", EBPF_MAX_CALL_DEPTH);
            struct frame *f = &frames[depth++];
            f->ret = pc + 1;
            memcpy(f->saved, &reg[6], sizeof f->saved);
#if VM_CHECKED
            f->init = init;
#endif
            SET_INIT(init & (VM_REGS_ARGS | VM_REG_FP));
            reg[10] -= EBPF_STACK_SIZE;
            FORGET_FRAME(reg[10]);
            pc += pc->imm + 1;
            DISPATCH();
        }
        CASE(EXIT)
        {
            if (depth == entry_depth) {
                run->steps = STEPS;
                return reg[0];
            }
            FORGET_FRAME(reg[10]); /* what pointers into it still see was never written */
            struct frame *f = &frames[--depth];
            memcpy(&reg[6], f->saved, sizeof f->saved);
            SET_INIT((f->init & ~VM_REGS_ARGS) | 1);
            pc = f->ret;
            DISPATCH();
        }
        /* What a helper may call back (vm_run_call_function) needs the current frame. */
#define BEFORE_HELPER()                                                                            \
    act->depth = depth;                                                                            \
    act->fp = reg[10];                                                                             \
    act->pc = PC_INDEX;                                                                            \
    STORE_STEPS()
        CASE(CALL_HELPER)
        {
            helper_id = (uint64_t)pc->imm;
            CHECK_HELPER_MEMORY(helper_id);
            BEFORE_HELPER();
            reg[0] = prog->helpers->fn[helper_id](reg[1], reg[2], reg[3], reg[4], reg[5], run);
            goto after_helper;
        }
        CASE(CALLX)
        {
            uint64_t id = DST;
            if (id >= VM_HELPER_MAX || !prog->helpers || !prog->helpers->fn[id])
                FAULT(-EINVAL, "callx to r%d = %llu, which is not a known helper", pc->regs & 0x0f,
                      (unsigned long long)id);
            helper_id = id;
            CHECK_HELPER_MEMORY(helper_id);
            BEFORE_HELPER();
            reg[0] = prog->helpers->fn[id](reg[1], reg[2], reg[3], reg[4], reg[5], run);
            goto after_helper;
        }
#undef BEFORE_HELPER
        after_helper:
#if VM_CHECKED
            steps = run->steps; /* with the steps of the functions the helper called back */
#endif
            HELPER_FILLED(helper_id);
            SET_INIT((init & ~VM_REGS_ARGS) | 1);
            if (__builtin_expect(run->stop || run->tail_call_target, 0)) {
                if (run->stop) {
                    run->steps = STEPS;
                    return run->stop_value;
                }
                if (act->callback) {
                    run->tail_call_target = NULL;
                    FAULT(-EINVAL, "tail call from a function called back by a helper");
                }
                /* Tail call: the target replaces the current frame and keeps r1. */
                prog = run->tail_call_target;
                act->prog = prog;
                run->tail_call_target = NULL;
                base = prog->slots;
                pc = base;
                SET_INIT(VM_REGS_AT_ENTRY);
                FORGET_FRAME(reg[10]);
                DISPATCH();
            }
            NEXT();

        /* Rejected by vm_load: map references must be resolved, kfuncs do not exist here. */
        CASE(LDDW_MAP_FD)
        CASE(LDDW_MAP_VALUE)
        CASE(LDDW_BTF_ID)
        CASE(LDDW_MAP_IDX)
        CASE(LDDW_MAP_IDX_VALUE)
        CASE(CALL_KFUNC)
#if VM_USE_SWITCH
        default:
#endif
        CASE(FORM_INVALID)
            FAULT(-EINVAL, "instruction cannot be executed (form %s)", isa_forms[pc->op].name);
        }
    }
#undef CASE
#undef DISPATCH
#undef NEXT
#undef JUMP_IF
#undef DST
#undef SRC
#undef IMM
#undef IMM32
#undef PC_INDEX
#undef FAULT
#undef STEPS
#undef STORE_STEPS
#undef COUNT_STEP
#undef SET_INIT
#undef OUTSIDE_FAULT
#undef CHECK_READ
#undef CHECK_WRITE
#undef CHECK_ATOMIC
#undef CHECK_WRITTEN_OR_REGION
#undef FORGET_FRAME
#undef CHECK_HELPER_MEMORY
#undef HELPER_FILLED
#undef VM_BE_IDENTITY
}
