/* The programs of an ELF object through the verifier: type choice, maps, source lines,
 * subprograms verified within their callers. */
#include "verifier/object_verify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/message.h"
#include "verifier/cfg.h"
#include "verifier/liveness.h"

enum { MAX_MAPS = 1024 };

static bool is_windows_socket_hook(const struct elf_program *p)
{
    return p->prog_type == EBPF_PROG_TYPE_HOST_BIND || !strncmp(p->section_name, "cgroup/recv_accept", 18);
}

const char *object_windows_socket_evidence(const struct elf_object *obj, const struct elf_program *prog)
{
    if (is_windows_socket_hook(prog))
        return prog->section_name;
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        if (is_windows_socket_hook(p))
            return p->section_name;
    }
    return NULL;
}

static const struct prog_type_desc *by_section_prefix(const char *section)
{
    static const struct {
        const char *prefix, *type;
    } prefixes[] = {
        {"xdp", "xdp"}, {"socket", "socket"}, {"kprobe", "kprobe"}, {"kretprobe", "kprobe"},
        {"tracepoint", "tracepoint"}, {"raw_tracepoint", "raw_tracepoint"},
        {"perf_event", "perf_event"}, {"sockops", "sockops"}, {"cgroup/sock", "cgroup/sock"},
        {"cgroup/", "cgroup/sock_addr"}, {"classifier", "tc"}, {"tc", "tc"},
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncmp(section, prefixes[i].prefix, strlen(prefixes[i].prefix)))
            return prog_type_by_name(prefixes[i].type);
    return NULL;
}

/* The descriptor Linux checks a program of this type and expected attach type against
 * (connect4 may not write msg_src_ip4, sendmsg4 may). */
static const struct prog_type_desc *by_linux_type(uint32_t prog_type, uint32_t attach_type)
{
    const struct prog_type_desc *d = prog_type_for_attach(prog_type, attach_type);
    if (d || (d = prog_type_by_linux_type(prog_type)))
        return d;
    switch (prog_type) { /* skb-based types share __sk_buff and tc's packet access */
    case EBPF_PROG_TYPE_SCHED_ACT:
    case EBPF_PROG_TYPE_CGROUP_SKB:
    case EBPF_PROG_TYPE_LWT_IN:
    case EBPF_PROG_TYPE_LWT_OUT:
    case EBPF_PROG_TYPE_LWT_XMIT:
    case EBPF_PROG_TYPE_SK_SKB:
        return prog_type_by_name("tc");
    case EBPF_PROG_TYPE_HOST_XDP_TEST:
        return prog_type_by_name("xdp");
    default:
        return NULL;
    }
}

const struct prog_type_desc *object_verify_type(const struct elf_object *obj, const struct elf_program *prog,
                                                const struct prog_type_desc *forced, char *reason,
                                                size_t reason_size)
{
    if (forced) {
        msg_set(reason, reason_size, "given");
        return forced;
    }
    const struct prog_type_desc *d;
    if (prog->prog_type != EBPF_PROG_TYPE_UNSPEC) {
        d = by_linux_type(prog->prog_type, prog->expected_attach_type);
        if (!d) {
            msg_set(reason, reason_size, "program type %" PRIu32 " of section %s has no descriptor",
                    prog->prog_type, prog->section_name);
            return NULL;
        }
        msg_set(reason, reason_size, "section name");
    } else if ((d = by_section_prefix(prog->section_name))) {
        msg_set(reason, reason_size, "section name prefix");
    } else {
        char why[OBJECT_VERIFY_NOTE_SIZE];
        d = prog_type_infer_packet_type(prog->insns, prog->insn_count, why, sizeof why);
        msg_set(reason, reason_size, "inferred: %s", why);
        return d;
    }
    bool windows_layout = d->linux_type == PROG_TYPE_CGROUP_SOCK_ADDR || d->linux_type == PROG_TYPE_SOCK_OPS;
    const char *evidence = windows_layout ? object_windows_socket_evidence(obj, prog) : NULL;
    if (evidence) {
        char how[OBJECT_VERIFY_NOTE_SIZE];
        msg_set(how, sizeof how, "%s", reason ? reason : "");
        if (!strcmp(evidence, prog->section_name))
            msg_set(reason, reason_size, "%s, a hook only eBPF for Windows has", how);
        else
            msg_set(reason, reason_size, "%s, in an eBPF for Windows object (section %s)", how, evidence);
        return prog_type_by_name(d->linux_type == PROG_TYPE_SOCK_OPS ? "windows/sockops" : "windows/sock_addr");
    }
    return d;
}

static struct verifier_map verifier_map_of(const struct elf_map *m, bool read_only)
{
    return (struct verifier_map){.type = m->type, .key_size = m->key_size, .value_size = m->value_size,
                                 .max_entries = m->max_entries, .read_only = read_only,
                                 .has_spin_lock = m->has_spin_lock, .spin_lock_offset = m->spin_lock_offset};
}

size_t object_verify_maps(const struct elf_object *obj, struct verifier_map *maps, size_t capacity)
{
    size_t count = elf_object_map_count(obj), extra = count < capacity ? count : capacity;
    for (size_t i = 0; i < count && i < capacity; i++) {
        const struct elf_map *m = elf_object_map(obj, i);
        maps[i] = verifier_map_of(m, m->origin == ELF_MAP_RODATA || m->origin == ELF_MAP_KCONFIG ||
                                         (m->map_flags & EBPF_F_RDONLY_PROG));
        if (m->inner && extra < capacity) {
            maps[extra] = verifier_map_of(m->inner, false);
            maps[i].inner_map = (uint32_t)extra++;
        } else if (m->inner_map_index >= 0) {
            maps[i].inner_map = (uint32_t)m->inner_map_index;
        }
    }
    return extra;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool program_source_line(void *user, size_t pc, char *where, size_t where_size, char *text,
                                size_t text_size)
{
    const struct elf_line *line = elf_program_line(user, pc);
    if (!line || !line->file_name || !line->file_name[0])
        return false;
    msg_set(where, where_size, "%s:%" PRIu32, base_name(line->file_name), line->line);
    const char *t = line->line_text ? line->line_text : "";
    while (*t == ' ' || *t == '\t')
        t++;
    msg_set(text, text_size, "%s", t);
    return true;
}

static int verify_whole(const struct elf_object *obj, const struct elf_program *prog,
                        const struct object_verify_options *o, struct object_verify_result *out)
{
    static _Thread_local struct verifier_map maps[MAX_MAPS];
    out->insn_count = prog->insn_count;
    out->type = object_verify_type(obj, prog, o ? o->type : NULL, out->type_reason, sizeof out->type_reason);
    if (!out->type) {
        memset(&out->result, 0, sizeof out->result);
        out->result.error_pc = -1;
        msg_set(out->result.message, sizeof out->result.message, "%s", out->type_reason);
        return out->err = -EOPNOTSUPP;
    }
    struct verifier_options opts = {
        .prog_type = out->type,
        .maps = maps,
        .map_count = object_verify_maps(obj, maps, MAX_MAPS),
        .user = (void *)prog,
        .max_steps = o ? o->max_steps : 0,
        .max_states_per_point = o ? o->max_states_per_point : 0,
        .log = o ? o->log : NULL,
        .log_size = o && o->log ? o->log_size : 0,
        .log_every_insn = o && o->log_every_insn,
        .source_line = program_source_line,
    };
    return out->err = verifier_verify(prog->insns, prog->insn_count, &opts, &out->result);
}

static bool same_code(const struct ebpf_insn *a, const struct ebpf_insn *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool relocated = (a[i].code == 0x85 && a[i].src == EBPF_CALL_LOCAL) ||
                         (isa_is_lddw(&a[i]) && a[i].src == EBPF_LDDW_FUNC);
        if (a[i].code != b[i].code || a[i].dst != b[i].dst || a[i].src != b[i].src || a[i].off != b[i].off ||
            (!relocated && a[i].imm != b[i].imm))
            return false;
    }
    return true;
}

/* The loader appends a copy of each subprogram a program calls after the program's own
 * code, with calls re-targeted: a program calls sub when a copy of sub's code is there. */
static bool calls_subprogram(const struct elf_program *caller, const struct elf_program *sub)
{
    if (caller->is_subprog || !sub->own_insn_count)
        return false;
    for (size_t pc = caller->own_insn_count; pc + sub->own_insn_count <= caller->insn_count; pc++)
        if (same_code(caller->insns + pc, sub->insns, sub->own_insn_count))
            return true;
    return false;
}

static void note_append(char *note, const char *name)
{
    size_t used = strlen(note);
    if (used + 1 < OBJECT_VERIFY_NOTE_SIZE)
        snprintf(note + used, OBJECT_VERIFY_NOTE_SIZE - used, "%s%s", note[used - 1] == ':' ? " " : ", ", name);
}

/* Argument registers (r2-r5) the function reads before writing them, as a bit mask; 0 when
 * its code cannot be analysed (the verifier then says why). */
static uint16_t arguments_read(const struct elf_program *f)
{
    struct cfg cfg;
    size_t bad_pc;
    char msg[128];
    if (isa_validate_program(f->insns, f->insn_count, &bad_pc, msg, sizeof msg) ||
        cfg_build(f->insns, f->insn_count, &cfg))
        return 0;
    uint16_t *live_in = malloc(cfg.block_count * sizeof *live_in), args = 0;
    if (live_in) {
        liveness_compute(f->insns, &cfg, live_in);
        args = live_in[cfg.block_at[0]] & 0x3c;
    }
    free(live_in);
    cfg_free(&cfg);
    return args;
}

static int verify_subprogram(const struct elf_object *obj, const struct elf_program *sub,
                             const struct object_verify_options *o, struct object_verify_result *out)
{
    struct object_verify_result *caller_result = malloc(sizeof *caller_result);
    if (!caller_result)
        return out->err = -ENOMEM;
    msg_set(out->note, sizeof out->note, "verified within its callers:");
    size_t callers = 0;
    out->insn_count = sub->own_insn_count;
    for (size_t i = 0; i < elf_object_program_count(obj) && !out->err; i++) {
        const struct elf_program *caller = elf_object_program(obj, i);
        if (!calls_subprogram(caller, sub))
            continue;
        callers++;
        memset(caller_result, 0, sizeof *caller_result);
        verify_whole(obj, caller, o, caller_result);
        out->result.stats.steps += caller_result->result.stats.steps;
        out->result.stats.seconds += caller_result->result.stats.seconds;
        out->type = caller_result->type;
        msg_set(out->type_reason, sizeof out->type_reason, "%s", caller_result->type_reason);
        note_append(out->note, caller->name);
        if ((out->err = caller_result->err)) {
            out->result = caller_result->result;
            char detail[VERIFIER_MSG_SIZE];
            msg_set(detail, sizeof detail, "%s", caller_result->result.message);
            msg_set(out->result.message, sizeof out->result.message, "in caller %s: %s", caller->name, detail);
        }
    }
    free(caller_result);
    if (callers) {
        out->result.accepted = out->err == 0;
        return out->err;
    }
    /* Nothing calls it. A function that reads r2-r5 first takes arguments: it is no program
     * entry (r1 = ctx and nothing else), and no verification could load it alone. Anything
     * else may still be loaded alone (a tail call target): verified as a program. */
    uint16_t args = arguments_read(sub);
    if (!args) {
        int err = verify_whole(obj, sub, o, out);
        msg_set(out->note, sizeof out->note, "called by no program: verified as a program of its own");
        return err;
    }
    int first = 2;
    while (!(args & (1u << first)))
        first++;
    out->result.accepted = true;
    msg_set(out->note, sizeof out->note,
            "called by no program, and reads argument r%d: a function, not a program; it is verified within "
            "the programs that call it", first);
    return out->err;
}

int object_verify_program(const struct elf_object *obj, size_t index, const struct object_verify_options *options,
                          struct object_verify_result *out)
{
    memset(out, 0, sizeof *out);
    out->result.error_pc = -1;
    const struct elf_program *prog = elf_object_program(obj, index);
    if (!prog) {
        msg_set(out->result.message, sizeof out->result.message, "no program %zu in the object", index);
        return out->err = -EINVAL;
    }
    if (prog->is_subprog)
        return verify_subprogram(obj, prog, options, out);
    return verify_whole(obj, prog, options, out);
}
