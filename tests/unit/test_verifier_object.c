/* Verifying the programs of a real clang object (build/bpf/verify_cases.bpf.o): type
 * choice, subprograms within their callers, source lines in messages, the verbose log. */
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "verifier/object_verify.h"

#define CASES "build/bpf/verify_cases.bpf.o"

static struct elf_object *open_cases(void)
{
    struct elf_object *obj = NULL;
    char msg[256];
    if (elf_object_open_file(CASES, NULL, &obj, msg, sizeof msg))
        fprintf(stderr, "    (%s)\n", msg);
    return obj;
}

static int verify_named(struct elf_object *obj, const char *name, const struct object_verify_options *o,
                        struct object_verify_result *v)
{
    int index = elf_object_find_program(obj, name);
    if (index < 0)
        return -ENOENT;
    return object_verify_program(obj, (size_t)index, o, v);
}

static struct object_verify_result v;

static int elf_open_checked(const char *path, struct elf_object **obj, char *msg, size_t size)
{
    int err = elf_object_open_file(path, NULL, obj, msg, size);
    if (err)
        fprintf(stderr, "    (%s)\n", msg);
    return err;
}

TEST(source_line_in_rejections)
{
    struct elf_object *obj = open_cases();
    CHECK(obj != NULL);
    if (!obj)
        return;
    CHECK_EQ(verify_named(obj, "unbounded_read", NULL, &v), -EACCES);
    CHECK_CONTAINS(v.result.message, "insn 1 (r1 = *(u8 *)(r1 + 12)) at verify_cases.bpf.c:38: packet access");
    CHECK_STR(v.result.source_line, "return data[12] == 0x08 ? XDP_PASS : XDP_DROP;");
    CHECK_STR(v.type->name, "xdp");
    CHECK_STR(v.type_reason, "section name");
    CHECK_EQ(verify_named(obj, "bounded_read", NULL, &v), 0);
    CHECK(v.result.accepted);
    CHECK_STR(v.result.source_line, "");
    elf_object_free(obj);
}

TEST(subprograms_are_verified_within_their_callers)
{
    struct elf_object *obj = open_cases();
    if (!obj)
        return;
    int index = elf_object_find_program(obj, "bump");
    CHECK(index >= 0 && elf_object_program(obj, (size_t)index)->is_subprog);
    CHECK_EQ(verify_named(obj, "bump", NULL, &v), 0);
    CHECK_STR(v.note, "verified within its callers: bounded_read");
    CHECK(v.result.stats.steps > 0);
    /* its caller forced to a type it fails under: the subprogram fails with it */
    struct object_verify_options as_tc = {.type = prog_type_by_name("tc")};
    CHECK_EQ(verify_named(obj, "bump", &as_tc, &v), -EACCES);
    CHECK_CONTAINS(v.result.message, "in caller bounded_read: insn");
    elf_object_free(obj);
}

TEST(type_of_an_unnamed_section_is_inferred)
{
    struct elf_object *obj = open_cases();
    if (!obj)
        return;
    CHECK_EQ(verify_named(obj, "set_mark", NULL, &v), 0);
    CHECK_STR(v.type->name, "tc");
    CHECK_CONTAINS(v.type_reason, "inferred: insn 2 compares the value of context offset 0 with a number");
    char reason[200];
    const struct elf_program *p = elf_object_program(obj, (size_t)elf_object_find_program(obj, "set_mark"));
    CHECK(object_verify_type(obj, p, prog_type_by_name("socket"), reason, sizeof reason) == prog_type_by_name("socket"));
    CHECK_STR(reason, "given");
    CHECK(object_windows_socket_evidence(obj, p) == NULL);
    elf_object_free(obj);
}

TEST(verbose_log_before_every_instruction)
{
    struct elf_object *obj = open_cases();
    if (!obj)
        return;
    char *log = malloc(1 << 16);
    struct object_verify_options o = {.log = log, .log_size = 1 << 16, .log_every_insn = true};
    CHECK_EQ(verify_named(obj, "unbounded_read", &o, &v), -EACCES);
    CHECK_CONTAINS(log, "; unsigned char *data = (void *)(long)ctx->data;  verify_cases.bpf.c:37\n"
                        "context 0 insn 0: r1=ctx r10=stack off=0\n"
                        "    0: r1 = *(u32 *)(r1 + 0)\n");
    CHECK_CONTAINS(log, "context 0 insn 1: r1=packet off=0 range=0 r10=stack off=0\n");
    /* a log too small is cut, never overrun */
    o.log_size = 16;
    CHECK_EQ(verify_named(obj, "unbounded_read", &o, &v), -EACCES);
    CHECK_EQ(strlen(log), 15);
    free(log);
    elf_object_free(obj);
}

TEST(maps_of_the_object)
{
    struct elf_object *obj = open_cases();
    if (!obj)
        return;
    struct verifier_map maps[4];
    CHECK_EQ(object_verify_maps(obj, maps, 4), 1);
    CHECK_EQ(maps[0].type, 2);
    CHECK_EQ(maps[0].value_size, 8);
    CHECK_EQ(object_verify_maps(obj, maps, 0), 0);
    CHECK_EQ(object_verify_program(obj, 999, NULL, &v), -EINVAL);
    elf_object_free(obj);
}

TEST(windows_objects_get_windows_sock_addr)
{
    struct elf_object *obj = NULL;
    char msg[256];
    CHECK_EQ(elf_open_checked("build/bpf/verify_windows.bpf.o", &obj, msg, sizeof msg), 0);
    if (!obj)
        return;
    CHECK_EQ(verify_named(obj, "authorize_connect4", NULL, &v), 0);
    CHECK_STR(v.type->name, "windows/sock_addr");
    CHECK_STR(v.type_reason, "section name, in an eBPF for Windows object (section cgroup/recv_accept4)");
    CHECK_EQ(verify_named(obj, "authorize_recv_accept4", NULL, &v), 0);
    CHECK_STR(v.type->name, "windows/sock_addr");
    CHECK_STR(v.type_reason, "section name prefix, a hook only eBPF for Windows has");
    /* with Linux's layout and verdicts the same code is refused */
    struct object_verify_options as_linux = {.type = prog_type_by_name("cgroup/sock_addr")};
    CHECK_EQ(verify_named(obj, "authorize_connect4", &as_linux, &v), -EACCES);
    CHECK_CONTAINS(v.result.message, "msg_src_ip4");
    elf_object_free(obj);
}

TEST(windows_bind_and_sockops_programs)
{
    struct elf_object *obj = NULL;
    char msg[256];
    CHECK_EQ(elf_open_checked("build/bpf/verify_windows_hooks.bpf.o", &obj, msg, sizeof msg), 0);
    if (!obj)
        return;
    CHECK_EQ(verify_named(obj, "authorize_bind", NULL, &v), 0);
    CHECK_STR(v.type->name, "bind");
    CHECK_EQ(verify_named(obj, "bind_past_the_app_id", NULL, &v), -EACCES);
    CHECK_CONTAINS(v.result.message, "needs 3 bytes but only 2 are proven");
    CHECK_EQ(verify_named(obj, "count_connections", NULL, &v), 0);
    CHECK_STR(v.type->name, "windows/sockops");
    CHECK_STR(v.type_reason, "section name, in an eBPF for Windows object (section bind)");
    /* Linux's struct bpf_sock_ops has no 8-byte field at 56 */
    struct object_verify_options as_linux = {.type = prog_type_by_name("sockops")};
    CHECK_EQ(verify_named(obj, "count_connections", &as_linux, &v), -EACCES);
    elf_object_free(obj);
}

/* test_run.bpf.o holds a "process" program (a hook only eBPF for Windows and bpfhost
 * have) next to Linux socket programs: those keep Linux's layouts and verdicts. */
TEST(a_process_section_leaves_linux_socket_programs_linux)
{
    struct elf_object *obj = NULL;
    char msg[256];
    CHECK_EQ(elf_open_checked("build/bpf/test_run.bpf.o", &obj, msg, sizeof msg), 0);
    if (!obj)
        return;
    static const struct {
        const char *program, *type;
    } expected[] = {
        {"connect4_redirect", "cgroup/sock_addr"}, {"sendmsg4_source", "cgroup/sock_addr"},
        {"sockops_tune", "sockops"}, {"process_watch", "process"},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        int index = elf_object_find_program(obj, expected[i].program);
        CHECK(index >= 0);
        if (index < 0)
            continue;
        const struct elf_program *p = elf_object_program(obj, (size_t)index);
        CHECK(object_windows_socket_evidence(obj, p) == NULL);
        CHECK_EQ(verify_named(obj, expected[i].program, NULL, &v), 0);
        CHECK_STR(v.type->name, expected[i].type);
        CHECK_STR(v.type_reason, "section name");
    }
    /* Linux's layout with the section's attach type: connect4 may not write msg_src_ip4 */
    CHECK_EQ(verify_named(obj, "connect4_bad_write", NULL, &v), -EACCES);
    CHECK_CONTAINS(v.result.message, "msg_src_ip4");
    elf_object_free(obj);
}

TEST_MAIN
