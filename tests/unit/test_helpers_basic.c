/* The runtime-independent helpers, called from assembled programs on the interpreter. */
#include "helpers/helpers.h"
#include "isa/asm.h"
#include "test.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct vm_helpers table;

/* Assembles text, runs it in checked mode with mem as r1 (registered writable), returns r0. */
static uint64_t run_asm(const char *text, void *mem, size_t mem_len)
{
    struct ebpf_insn *insns;
    size_t count;
    char msg[256];
    if (asm_assemble(text, &insns, &count, msg, sizeof msg)) {
        fprintf(stderr, "  asm: %s\n", msg);
        CHECK(0);
        return 0;
    }
    helpers_register_basic(&table);
    struct vm_program *prog;
    uint64_t r0 = 0;
    if (vm_load(insns, count, &table, &prog, msg, sizeof msg)) {
        fprintf(stderr, "  load: %s\n", msg);
        CHECK(0);
    } else {
        struct vm_run run;
        vm_run_init(&run);
        if (mem)
            vm_run_add_region(&run, mem, mem_len, true);
        if (vm_exec(prog, VM_MODE_CHECKED, &run, (uintptr_t)mem, mem_len, &r0)) {
            fprintf(stderr, "  run: %s\n", run.msg);
            CHECK(0);
        }
        vm_run_release(&run);
        vm_unload(prog);
    }
    free(insns);
    return r0;
}

TEST(time_helpers_are_monotonic_and_plausible)
{
    uint64_t a = run_asm("call 5\nexit\n", NULL, 0);
    uint64_t b = run_asm("call 5\nexit\n", NULL, 0);
    CHECK(a > 0 && b >= a);
    CHECK(run_asm("call 125\nexit\n", NULL, 0) >= a / 2);
    CHECK(run_asm("call 160\nexit\n", NULL, 0) > 0);
    CHECK(run_asm("call 118\nexit\n", NULL, 0) > 0);
}

TEST(random_numbers_vary)
{
    uint64_t seen_or = 0, seen_and = ~0ull;
    for (int i = 0; i < 64; i++) {
        uint64_t v = run_asm("call 7\nexit\n", NULL, 0);
        CHECK(v <= UINT32_MAX);
        seen_or |= v;
        seen_and &= v;
    }
    CHECK(seen_or != seen_and); /* not a constant */
}

TEST(current_task_helpers_match_the_os)
{
    uint64_t pid_tgid = run_asm("call 14\nexit\n", NULL, 0);
    CHECK_EQ(pid_tgid >> 32, (uint64_t)getpid());
    CHECK_EQ((uint32_t)pid_tgid, (uint32_t)syscall(SYS_gettid));
    uint64_t uid_gid = run_asm("call 15\nexit\n", NULL, 0);
    CHECK_EQ((uint32_t)uid_gid, getuid());
    CHECK_EQ(uid_gid >> 32, getgid());
    char comm[16] = {0};
    CHECK_EQ(run_asm("mov %r2, 16\ncall 16\nexit\n", comm, sizeof comm), 0);
    CHECK_STR(comm, "test_helpers_ba"); /* the thread name: the binary name cut to 15 */
}

TEST(format_supports_the_kernel_conversions)
{
    char out[128];
    uint64_t args[] = {(uint64_t)-5, 7, 0xabc, 'z', (uint64_t)(uintptr_t) "str", (uint64_t)-1};
    const char fmt[] = "%d %u %x %c %s %lld|%%";
    int n = helpers_format(fmt, sizeof fmt, args, 6, out, sizeof out);
    CHECK_STR(out, "-5 7 abc z str -1|%");
    CHECK_EQ(n, strlen(out));
    /* truncation reports the full length, like snprintf */
    CHECK_EQ(helpers_format(fmt, sizeof fmt, args, 6, out, 4), n);
    CHECK_STR(out, "-5 ");
    const char bad[] = "%f";
    CHECK_EQ(helpers_format(bad, sizeof bad, args, 6, out, sizeof out), -EINVAL);
    const char missing[] = "%d %d";
    CHECK_EQ(helpers_format(missing, sizeof missing, args, 1, out, sizeof out), -EINVAL);
    const char unterminated[3] = {'a', 'b', 'c'};
    CHECK_EQ(helpers_format(unterminated, 3, args, 1, out, sizeof out), -EINVAL);
    /* an unmapped %s argument does not crash */
    uint64_t wild[] = {8};
    const char s[] = "%s";
    CHECK(helpers_format(s, sizeof s, wild, 1, out, sizeof out) >= 0);
    CHECK_STR(out, "(fault)");
}

static char trace_buf[256];
static void capture(const char *line, size_t len, void *arg)
{
    (void)arg;
    snprintf(trace_buf, sizeof trace_buf, "%.*s", (int)len, line);
}

TEST(trace_printk_reaches_the_sink)
{
    helpers_set_trace_sink(capture, NULL);
    /* mem: "n=%d\0" */
    char mem[8] = "n=%d";
    uint64_t r0 = run_asm("mov %r2, 5\nmov %r3, 42\ncall 6\nexit\n", mem, sizeof mem);
    helpers_set_trace_sink(NULL, NULL);
    CHECK_EQ(r0, 4);
    CHECK_CONTAINS(trace_buf, ": n=42\n");
}

TEST(snprintf_and_strncmp)
{
    struct {
        char out[16];
        char fmt[8];
        uint64_t args[2];
    } mem = {{0}, "%u-%u", {3, 4}};
    const char *prog = "mov %r6, %r1\nmov %r2, 16\nmov %r3, %r6\nadd %r3, 16\nmov %r4, %r6\n"
                       "add %r4, 24\nmov %r5, 16\ncall 165\nexit\n";
    CHECK_EQ(run_asm(prog, &mem, sizeof mem), 4); /* "3-4" plus the NUL */
    CHECK_STR(mem.out, "3-4");
    char strs[16] = "abc\0abd";
    const char *cmp = "mov %r3, %r1\nadd %r3, 4\nmov %r2, 3\ncall 182\nexit\n";
    CHECK_EQ(run_asm(cmp, strs, sizeof strs), (uint64_t)-1);
    strs[6] = 'c';
    CHECK_EQ(run_asm(cmp, strs, sizeof strs), 0);
}

TEST(csum_diff_gives_the_ones_complement_sum)
{
    /* Replacing a 4-byte word changes the checksum by csum_diff(from, to). */
    uint32_t mem[2] = {0x01020304, 0x05060708};
    const char *prog = "mov %r3, %r1\nadd %r3, 4\nmov %r2, 4\nmov %r4, 4\nmov %r5, 0\ncall 28\nexit\n";
    uint64_t sum = run_asm(prog, mem, sizeof mem);
    uint64_t expected = (uint64_t)(uint32_t)~0x01020304u + 0x05060708u;
    while (expected >> 16) /* folded to 16 bits, as Linux 6.12 and later */
        expected = (expected & 0xffff) + (expected >> 16);
    CHECK_EQ(sum, expected);
    /* A seed whose sum carries out of 32 bits and then out of 16. */
    const char *seeded = "mov %r3, %r1\nmov %r4, 8\nmov %r2, 0\nmov %r5, -1\ncall 28\nexit\n";
    uint64_t s = 0xffffffffull + 0x01020304u + 0x05060708u;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    CHECK_EQ(run_asm(seeded, mem, sizeof mem), s);
    const char *odd = "mov %r2, 3\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\ncall 28\nexit\n";
    CHECK_EQ(run_asm(odd, mem, sizeof mem), (uint64_t)-EINVAL);
}

TEST_MAIN
