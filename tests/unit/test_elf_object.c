/* The object loader on real clang output (build/bpf/NAME.bpf.o, built by the Makefile from
 * tests/bpf/): programs, section types, subprogram linking, relocations, every kind of map,
 * global data, .kconfig externs, line info. */
#include <errno.h>

#include "elf/btf.h"
#include "elf/elf_object.h"
#include "test.h"

#define FEATURES "build/bpf/elf_features.bpf.o"
#define LEGACY "build/bpf/elf_legacy_maps.bpf.o"

static struct elf_object *open_ok(const char *path, const struct elf_open_options *opts)
{
    char msg[512];
    struct elf_object *obj = NULL;
    int err = elf_object_open_file(path, opts, &obj, msg, sizeof(msg));
    if (err)
        fprintf(stderr, "  open %s: %d %s\n", path, err, msg);
    CHECK_EQ(err, 0);
    return obj;
}

static const struct elf_program *prog(const struct elf_object *obj, const char *name)
{
    int i = elf_object_find_program(obj, name);
    CHECK(i >= 0);
    return i >= 0 ? elf_object_program(obj, (size_t)i) : NULL;
}

static const struct elf_map *map(const struct elf_object *obj, const char *name)
{
    int i = elf_object_find_map(obj, name);
    CHECK(i >= 0);
    return i >= 0 ? elf_object_map(obj, (size_t)i) : NULL;
}

TEST(programs_listed_like_libbpf)
{
    struct elf_object *obj = open_ok(FEATURES, NULL);
    if (!obj)
        return;
    static const char *const expected[] = {
        "tail_target", "xdp_main", "xdp_frags_prog", "socket_prog", "tc_prog",
        "connect4_prog", "kprobe_prog", "tracepoint_prog", "fentry_prog", "lsm_prog",
        "sockops_prog", "bind_prog", "process_prog", "unknown_prog",
    };
    size_t n = 0;
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        if (p->is_subprog) {
            CHECK_STR(p->section_name, ".text");
            continue;
        }
        if (n < sizeof(expected) / sizeof(expected[0]))
            CHECK_STR(p->name, expected[n]);
        n++;
    }
    CHECK_EQ(n, sizeof(expected) / sizeof(expected[0]));
    const struct elf_program *p = prog(obj, "add_static");
    if (p)
        CHECK(p->is_subprog && !p->is_global);
    p = prog(obj, "global_helper");
    if (p)
        CHECK(p->is_subprog && p->is_global);
    CHECK_STR(elf_object_license(obj), "Dual BSD/GPL");
    CHECK_EQ(elf_object_kernel_version(obj), 0x050a00);
    CHECK_STR(elf_object_name(obj), "elf_features");
    elf_object_free(obj);
}

TEST(section_names_give_types)
{
    struct elf_object *obj = open_ok(FEATURES, NULL);
    if (!obj)
        return;
    static const struct { const char *name; uint32_t type, attach, flags; } cases[] = {
        {"xdp_main", EBPF_PROG_TYPE_XDP, EBPF_XDP, 0},
        {"xdp_frags_prog", EBPF_PROG_TYPE_XDP, EBPF_XDP, EBPF_F_XDP_HAS_FRAGS},
        {"socket_prog", EBPF_PROG_TYPE_SOCKET_FILTER, 0, 0},
        {"tc_prog", EBPF_PROG_TYPE_SCHED_CLS, 0, 0},
        {"connect4_prog", EBPF_PROG_TYPE_CGROUP_SOCK_ADDR, EBPF_CGROUP_INET4_CONNECT, 0},
        {"kprobe_prog", EBPF_PROG_TYPE_KPROBE, 0, 0},
        {"tracepoint_prog", EBPF_PROG_TYPE_TRACEPOINT, 0, 0},
        {"fentry_prog", EBPF_PROG_TYPE_TRACING, EBPF_TRACE_FENTRY, 0},
        {"lsm_prog", EBPF_PROG_TYPE_LSM, EBPF_LSM_MAC, 0},
        {"sockops_prog", EBPF_PROG_TYPE_SOCK_OPS, EBPF_CGROUP_SOCK_OPS, 0},
        {"bind_prog", EBPF_PROG_TYPE_HOST_BIND, EBPF_ATTACH_HOST_BIND, 0},
        {"process_prog", EBPF_PROG_TYPE_HOST_PROCESS, EBPF_ATTACH_HOST_PROCESS, 0},
        {"unknown_prog", EBPF_PROG_TYPE_UNSPEC, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct elf_program *p = prog(obj, cases[i].name);
        if (!p)
            continue;
        CHECK_EQ(p->prog_type, cases[i].type);
        CHECK_EQ(p->expected_attach_type, cases[i].attach);
        CHECK_EQ(p->prog_flags, cases[i].flags);
    }
    elf_object_free(obj);
}

/* Index of the BTF function named `name` inside a linked program, or SIZE_MAX. */
static size_t func_start(const struct elf_object *obj, const struct elf_program *p,
                         const char *name)
{
    for (size_t i = 0; i < p->func_count; i++) {
        const struct btf_type *t = btf_type_by_id(elf_object_btf(obj), p->funcs[i].btf_type_id);
        if (t && !strcmp(t->name, name))
            return p->funcs[i].insn;
    }
    return SIZE_MAX;
}

TEST(subprograms_appended_and_calls_retargeted)
{
    struct elf_object *obj = open_ok(FEATURES, NULL);
    if (!obj)
        return;
    const struct elf_program *p = prog(obj, "xdp_main");
    const struct elf_program *helper = prog(obj, "global_helper");
    const struct elf_program *add = prog(obj, "add_static");
    const struct elf_program *body = prog(obj, "loop_body");
    if (!p || !helper || !add || !body)
        return;
    CHECK_EQ(p->insn_count, p->own_insn_count + helper->own_insn_count + add->own_insn_count +
                                body->own_insn_count);
    size_t helper_at = func_start(obj, p, "global_helper");
    size_t add_at = func_start(obj, p, "add_static");
    size_t body_at = func_start(obj, p, "loop_body");
    CHECK(helper_at >= p->own_insn_count && helper_at < p->insn_count);
    CHECK(add_at >= p->own_insn_count && add_at < p->insn_count);
    CHECK(body_at >= p->own_insn_count && body_at < p->insn_count);
    CHECK_EQ(func_start(obj, p, "xdp_main"), 0);
    size_t calls = 0, callbacks = 0;
    for (size_t i = 0; i < p->insn_count; i++) {
        const struct ebpf_insn *in = &p->insns[i];
        if (in->code == 0x85 && in->src == EBPF_CALL_LOCAL) {
            size_t target = (size_t)((int64_t)i + in->imm + 1);
            CHECK(target == helper_at || target == add_at);
            calls++;
        }
        if (in->code == 0x18 && in->src == EBPF_LDDW_FUNC) {
            CHECK_EQ((size_t)((int64_t)i + in->imm + 1), body_at);
            callbacks++;
        }
    }
    CHECK_EQ(calls, 2);     /* xdp_main -> global_helper -> add_static */
    CHECK_EQ(callbacks, 1); /* bpf_loop(loop_body) */
    /* A program that calls nothing keeps only its own code. */
    const struct elf_program *tc = prog(obj, "tc_prog");
    if (tc)
        CHECK_EQ(tc->insn_count, tc->own_insn_count);
    /* The same subprogram appended to another program gets its own copy. */
    const struct elf_program *sock = prog(obj, "socket_prog");
    if (sock)
        CHECK_EQ(sock->insn_count, sock->own_insn_count + add->own_insn_count);
    elf_object_free(obj);
}

TEST(map_and_data_references_use_map_index_form)
{
    struct elf_object *obj = open_ok(FEATURES, NULL);
    if (!obj)
        return;
    const struct elf_program *p = prog(obj, "xdp_main");
    int counters = elf_object_find_map(obj, "counters");
    int jumps = elf_object_find_map(obj, "jumps");
    int data = elf_object_find_map(obj, "elf_feat.data");
    int custom = elf_object_find_map(obj, ".data.custom");
    int kconfig = elf_object_find_map(obj, "elf_fea.kconfig");
    CHECK(counters >= 0 && jumps >= 0 && data >= 0 && custom >= 0 && kconfig >= 0);
    bool saw_counters = false, saw_jumps = false, saw_data = false, saw_custom = false;
    for (size_t i = 0; p && i + 1 < p->insn_count; i++) {
        const struct ebpf_insn *in = &p->insns[i];
        if (in->code != 0x18)
            continue;
        if (in->src == EBPF_LDDW_MAP_IDX) {
            saw_counters |= in->imm == counters;
            saw_jumps |= in->imm == jumps;
        } else if (in->src == EBPF_LDDW_MAP_IDX_VALUE) {
            saw_data |= in->imm == data && in[1].imm == 0;
            saw_custom |= in->imm == custom && in[1].imm == 0;
        }
        i++;
    }
    CHECK(saw_counters && saw_jumps && saw_data && saw_custom);
    /* tail_target reads LINUX_KERNEL_VERSION through the .kconfig map. */
    p = prog(obj, "tail_target");
    bool saw_kconfig = false;
    for (size_t i = 0; p && i + 1 < p->insn_count; i++)
        if (p->insns[i].code == 0x18 && p->insns[i].src == EBPF_LDDW_MAP_IDX_VALUE &&
            p->insns[i].imm == kconfig)
            saw_kconfig = true;
    CHECK(saw_kconfig);
    elf_object_free(obj);
}

TEST(btf_maps_with_every_attribute)
{
    struct elf_object *obj = open_ok(FEATURES, NULL);
    if (!obj)
        return;
    const struct elf_map *m = map(obj, "counters");
    if (m) {
        CHECK_EQ(m->origin, ELF_MAP_BTF);
        CHECK_EQ(m->type, EBPF_MAP_TYPE_HASH);
        CHECK_EQ(m->key_size, 4);
        CHECK_EQ(m->value_size, 8);
        CHECK_EQ(m->max_entries, 16);
        CHECK_EQ(m->map_flags, 1);
        CHECK_EQ(m->pinning, EBPF_PIN_BY_NAME);
        const struct btf_type *key = btf_type_by_id(elf_object_btf(obj), m->btf_key_type_id);
        CHECK(key && key->kind == BTF_KIND_TYPEDEF);
        CHECK(m->btf_value_type_id != 0);
    }
    m = map(obj, "sized");
    if (m) {
        CHECK_EQ(m->key_size, 4);
        CHECK_EQ(m->value_size, 24);
        CHECK_EQ(m->max_entries, 3);
        CHECK_EQ(m->btf_key_type_id, 0);
    }
    m = map(obj, "outer");
    int inner_a = elf_object_find_map(obj, "inner_a");
    int inner_b = elf_object_find_map(obj, "inner_b");
    if (m) {
        CHECK_EQ(m->type, EBPF_MAP_TYPE_ARRAY_OF_MAPS);
        CHECK_EQ(m->value_size, 4);
        CHECK(m->inner != NULL);
        if (m->inner) {
            CHECK_STR(m->inner->name, "outer.inner");
            CHECK_EQ(m->inner->type, EBPF_MAP_TYPE_ARRAY);
            CHECK_EQ(m->inner->max_entries, 2);
            CHECK_EQ(m->inner->value_size, 4);
        }
        CHECK_EQ(m->init_slot_count, 2);
        if (m->init_slot_count == 2) {
            CHECK_EQ(m->init_slots[0].slot, 0);
            CHECK_EQ(m->init_slots[0].target, inner_a);
            CHECK_EQ(m->init_slots[1].slot, 2);
            CHECK_EQ(m->init_slots[1].target, inner_b);
        }
    }
    m = map(obj, "jumps");
    if (m) {
        CHECK_EQ(m->type, EBPF_MAP_TYPE_PROG_ARRAY);
        CHECK(m->inner == NULL);
        CHECK_EQ(m->init_slot_count, 1);
        if (m->init_slot_count == 1) {
            CHECK_EQ(m->init_slots[0].slot, 1);
            CHECK_EQ(m->init_slots[0].target, elf_object_find_program(obj, "tail_target"));
        }
    }
    elf_object_free(obj);
}

TEST(global_data_and_kconfig_maps)
{
    struct elf_open_options opts = {.kernel_version = 0x060800};
    struct elf_object *obj = open_ok(FEATURES, &opts);
    if (!obj)
        return;
    const struct elf_map *m = map(obj, "elf_feat.data");
    if (m) {
        CHECK_EQ(m->origin, ELF_MAP_DATA);
        CHECK_EQ(m->type, EBPF_MAP_TYPE_ARRAY);
        CHECK_EQ(m->key_size, 4);
        CHECK_EQ(m->max_entries, 1);
        CHECK_EQ(m->value_size, 8);
        CHECK_EQ(m->initial_value[0], 7);
        CHECK_EQ(m->map_flags, EBPF_F_MMAPABLE);
    }
    m = map(obj, "elf_feat.rodata");
    if (m) {
        CHECK_EQ(m->origin, ELF_MAP_RODATA);
        CHECK_EQ(m->initial_value[0], 42);
        CHECK_EQ(m->map_flags, EBPF_F_RDONLY_PROG | EBPF_F_MMAPABLE);
    }
    m = map(obj, "elf_feat.bss");
    if (m) {
        CHECK_EQ(m->origin, ELF_MAP_BSS);
        CHECK_EQ(m->value_size, 8);
        CHECK_EQ(m->initial_value[0] | m->initial_value[7], 0);
    }
    m = map(obj, ".data.custom");
    if (m)
        CHECK_EQ(m->initial_value[0] | m->initial_value[3] << 24, 0x11000044);
    m = map(obj, ".rodata.custom");
    if (m)
        CHECK_STR((const char *)m->initial_value, "custom");
    m = map(obj, "elf_fea.kconfig");
    if (m) {
        CHECK_EQ(m->origin, ELF_MAP_KCONFIG);
        CHECK_EQ(m->map_flags & EBPF_F_RDONLY_PROG, EBPF_F_RDONLY_PROG);
        CHECK_EQ(m->value_size, 8);
        /* Both externs are 4-byte ints: sorted by name, CONFIG_ first. */
        uint32_t missing, version;
        memcpy(&missing, m->initial_value, 4);
        memcpy(&version, m->initial_value + 4, 4);
        CHECK_EQ(missing, 0);
        CHECK_EQ(version, 0x060800);
    }
    elf_object_free(obj);
    obj = open_ok(FEATURES, NULL);
    m = obj ? map(obj, "elf_fea.kconfig") : NULL;
    if (m) {
        uint32_t version;
        memcpy(&version, m->initial_value + 4, 4);
        CHECK_EQ(version, ELF_DEFAULT_KERNEL_VERSION);
    }
    elf_object_free(obj);
}

TEST(line_info_maps_instructions_to_source)
{
    struct elf_object *obj = open_ok(FEATURES, NULL);
    if (!obj)
        return;
    const struct elf_program *p = prog(obj, "xdp_main");
    if (!p)
        return;
    CHECK(p->source_file != NULL);
    if (p->source_file)
        CHECK(strstr(p->source_file, "elf_features.bpf.c") != NULL);
    const struct elf_line *l = elf_program_line(p, 0);
    CHECK(l != NULL);
    if (l) {
        CHECK_CONTAINS(l->line_text, "xdp_main");
        CHECK(l->line > 70);
    }
    /* Lines follow appended subprograms. */
    size_t add_at = func_start(obj, p, "add_static");
    l = add_at == SIZE_MAX ? NULL : elf_program_line(p, add_at);
    CHECK(l != NULL);
    if (l)
        CHECK_CONTAINS(l->line_text, "add_static");
    /* Any instruction finds the last record at or before it. */
    l = elf_program_line(p, p->insn_count - 1);
    CHECK(l != NULL && l->insn <= p->insn_count - 1);
    for (size_t i = 1; i < p->line_count; i++)
        CHECK(p->lines[i - 1].insn <= p->lines[i].insn);
    elf_object_free(obj);
}

TEST(legacy_maps_section)
{
    struct elf_object *obj = open_ok(LEGACY, NULL);
    if (!obj)
        return;
    CHECK_EQ(elf_object_map_count(obj), 3);
    const struct elf_map *m = map(obj, "legacy_hash");
    if (m) {
        CHECK_EQ(m->origin, ELF_MAP_LEGACY);
        CHECK_EQ(m->type, EBPF_MAP_TYPE_HASH);
        CHECK_EQ(m->key_size, 4);
        CHECK_EQ(m->value_size, 8);
        CHECK_EQ(m->max_entries, 128);
        CHECK_EQ(m->inner_map_index, -1);
    }
    m = map(obj, "legacy_outer");
    if (m) {
        CHECK_EQ(m->type, EBPF_MAP_TYPE_ARRAY_OF_MAPS);
        CHECK_EQ(m->inner_map_index, elf_object_find_map(obj, "legacy_inner"));
    }
    const struct elf_program *p = prog(obj, "legacy_socket");
    if (p) {
        CHECK_EQ(p->prog_type, EBPF_PROG_TYPE_UNSPEC); /* "socket1": libbpf 1.x matches exactly */
        int hash = elf_object_find_map(obj, "legacy_hash");
        bool found = false;
        for (size_t i = 0; i < p->insn_count; i++)
            found |= p->insns[i].code == 0x18 && p->insns[i].src == EBPF_LDDW_MAP_IDX &&
                     p->insns[i].imm == hash;
        CHECK(found);
    }
    elf_object_free(obj);
}

TEST(object_name_prefixes_global_data_maps)
{
    FILE *f = fopen(FEATURES, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static uint8_t buf[1 << 20];
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    struct elf_open_options opts = {.object_name = "a-b"};
    struct elf_object *obj;
    char msg[256];
    CHECK_EQ(elf_object_open_memory(buf, len, &opts, &obj, msg, sizeof(msg)), 0);
    if (!obj)
        return;
    CHECK(elf_object_find_map(obj, "a_b.data") >= 0); /* '-' is not allowed in map names */
    CHECK(elf_object_find_map(obj, "a_b.rodata") >= 0);
    CHECK(elf_object_find_map(obj, ".rodata.custom") >= 0);
    elf_object_free(obj);
    CHECK_EQ(elf_object_open_memory(buf, len, NULL, &obj, msg, sizeof(msg)), 0);
    if (obj)
        CHECK(elf_object_find_map(obj, "object.data") >= 0);
    elf_object_free(obj);
}

TEST(missing_file_is_named)
{
    struct elf_object *obj = (struct elf_object *)1;
    char msg[256];
    CHECK_EQ(elf_object_open_file("build/bpf/no-such.o", NULL, &obj, msg, sizeof(msg)), -ENOENT);
    CHECK(obj == NULL);
    CHECK_CONTAINS(msg, "build/bpf/no-such.o");
}

TEST(section_table_lookup)
{
    struct elf_section_type t;
    CHECK(elf_section_type_by_name("kprobe", &t));
    CHECK_EQ(t.prog_type, EBPF_PROG_TYPE_KPROBE);
    CHECK(elf_section_type_by_name("uprobe.s/lib:fn", &t));
    CHECK_EQ(t.prog_flags, EBPF_F_SLEEPABLE);
    CHECK(!elf_section_type_by_name("kprobex", &t)); /* "+" entries need '/' or the end */
    CHECK_EQ(t.prog_type, EBPF_PROG_TYPE_UNSPEC);
    CHECK(!elf_section_type_by_name("xdp/foo", &t)); /* exact entries are exact */
    CHECK(elf_section_type_by_name("xdp/cpumap", &t));
    CHECK_EQ(t.expected_attach_type, EBPF_XDP_CPUMAP);
    CHECK(elf_section_type_by_name("sk_skb/stream_verdict", &t));
    CHECK_EQ(t.expected_attach_type, EBPF_SK_SKB_STREAM_VERDICT);
    CHECK(elf_section_type_by_name("cgroup/getsockname6", &t));
    CHECK_EQ(t.expected_attach_type, EBPF_CGROUP_INET6_GETSOCKNAME);
    CHECK(elf_section_type_by_name("iter/task", &t));
    CHECK_EQ(t.prog_type, EBPF_PROG_TYPE_TRACING);
    CHECK_EQ(t.expected_attach_type, EBPF_TRACE_ITER);
    CHECK(elf_section_type_by_name("struct_ops/x", &t));
    CHECK_EQ(t.prog_type, EBPF_PROG_TYPE_STRUCT_OPS);
    CHECK(elf_section_type_by_name("xdp_test", &t));
    CHECK_EQ(t.prog_type, EBPF_PROG_TYPE_HOST_XDP_TEST);
    CHECK(elf_section_type_by_name("sample_ext/x", &t));
    CHECK_EQ(t.prog_type, EBPF_PROG_TYPE_HOST_SAMPLE);
    CHECK(t.prog_type >= EBPF_HOST_TYPE_BASE);
}

TEST_MAIN
