/* bpfhost xdp run FILE.o --pcap IN [--out OUT] [--program P] [--map-set MAP KEY VALUE]...
 *                 [--engine interp|jit] [--unverified]
 * Runs an XDP program over every frame of a capture, as the XDP hook would on an interface,
 * and reports what it decided. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "elf/elf_object.h"
#include "hooks/pcap_io.h"
#include "runtime/object.h"
#include "runtime/xdp_context.h"

enum { MAX_MAP_SETS = 64 };
static const char *const action_names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};

void cmd_xdp_help(void)
{
    printf("usage: bpfhost xdp run FILE.o --pcap IN.pcap [--out OUT.pcap] [--program NAME]\n"
           "                          [--map-set MAP KEY VALUE]... [--dump-maps]\n"
           "                          [--engine interp|jit] [--unverified] [--trace stderr|pipe]\n"
           "Runs an XDP program over every frame of a pcap or pcapng capture and prints how many\n"
           "frames got each action. The verifier checks the program first; a program it rejects\n"
           "does not run (the message names the instruction and the property that failed).\n"
           "Verified programs run on the JIT where the host has one, else on the interpreter.\n"
           "  --engine ENGINE      jit or interp (the fast interpreter); both run verified code\n"
           "                       without checks and give the same results\n"
           "  --unverified         skip the verifier and run on the checked interpreter, where\n"
           "                       every memory access is bounds-checked (slow, for debugging)\n"
           "  --out OUT.pcap       write the frames that would leave (PASS, TX, REDIRECT), as the\n"
           "                       program left them\n"
           "  --program NAME       the XDP program to run (default: the object's only one)\n"
           "  --map-set MAP K V    put an entry in a map first; K and V are hex bytes in memory\n"
           "                       order, e.g. --map-set blocked_v4 0a000042 01\n"
           "  --dump-maps          print every map's entries afterwards\n"
           "  --trace T            where bpf_trace_printk lines go: pipe (the system trace buffer,\n"
           "                       see bpfhost prog tracelog), stderr, or auto (default)\n\n");
    cli_xdp_attach_help();
}

static int parse_hex(const char *text, uint8_t *out, size_t size, size_t *len)
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        if (*p == ':' || *p == ' ') {
            p++;
            continue;
        }
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || n == size)
            return -EINVAL;
        out[n++] = (uint8_t)strtoul((char[]){p[0], p[1], 0}, NULL, 16);
        p += 2;
    }
    *len = n;
    return 0;
}

int cli_xdp_apply_map_set(const char *command, const struct runtime_object *obj, const struct cli_map_set *set)
{
    struct bpfhost_map *map = runtime_object_map(obj, set->map);
    if (!map)
        return cli_error("%s: --map-set: the object has no map named '%s'", command, set->map);
    uint8_t key[MAP_KEY_SIZE_MAX], value[4096];
    size_t key_len, value_len;
    if (parse_hex(set->key, key, sizeof key, &key_len) || key_len != map->key_size)
        return cli_error("%s: --map-set %s: key '%s' must be %u hex bytes", command, set->map, set->key,
                         map->key_size);
    if (parse_hex(set->value, value, sizeof value, &value_len) || value_len != map->value_size)
        return cli_error("%s: --map-set %s: value '%s' must be %u hex bytes", command, set->map,
                         set->value, map->value_size);
    int err = map_sys_update_elem(map, key, value, MAP_ANY);
    if (err)
        return cli_error("%s: --map-set %s: %s", command, set->map, strerror(-err));
    return 0;
}

static void print_bytes(FILE *out, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(out, "%02x", bytes[i]);
}

void cli_xdp_dump_map(FILE *out, const struct bpfhost_map *const_map, const char *name)
{
    struct bpfhost_map *map = (struct bpfhost_map *)const_map;
    fprintf(out, "map %s (%s, key %u, value %u, max %u):\n", name, map_type_name(map->map_type), map->key_size,
           map->value_size, map->max_entries);
    size_t value_size = map_sys_value_size(map);
    uint8_t *key = calloc(1, map->key_size + 1), *next = calloc(1, map->key_size + 1),
            *value = calloc(1, value_size + 1);
    if (!key || !next || !value)
        goto out;
    const void *cursor = NULL;
    while (map_sys_get_next_key(map, cursor, next) == 0) {
        memcpy(key, next, map->key_size);
        cursor = key;
        if (map_sys_lookup_elem(map, key, value, 0))
            continue;
        fprintf(out, "  ");
        print_bytes(out, key, map->key_size);
        fprintf(out, " = ");
        print_bytes(out, value, value_size);
        if (value_size == 8) {
            uint64_t v;
            memcpy(&v, value, 8);
            fprintf(out, " (%llu)", (unsigned long long)v);
        }
        fprintf(out, "\n");
    }
out:
    free(key);
    free(next);
    free(value);
}

static int run_capture(struct runtime_prog *prog, const char *in, const char *out_path, uint64_t counts[5])
{
    char msg[512];
    struct pcap_reader *reader;
    if (pcap_reader_open(in, &reader, msg, sizeof msg))
        return cli_error("xdp run: %s", msg);
    struct pcap_writer *writer = NULL;
    if (out_path && pcap_writer_open(out_path, 1 /* DLT_EN10MB */, &writer, msg, sizeof msg)) {
        pcap_reader_close(reader);
        return cli_error("xdp run: %s", msg);
    }
    struct runtime_xdp_frame frame;
    if (runtime_xdp_frame_init(&frame)) {
        pcap_reader_close(reader);
        pcap_writer_close(writer, NULL, 0);
        return cli_error("xdp run: out of memory for the frame buffer");
    }
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 1000000;
    int status = 0;
    const uint8_t *data;
    size_t len;
    uint64_t ts;
    int got;
    while ((got = pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg)) == 1) {
        uint64_t index = pcap_reader_frame_count(reader) - 1;
        if (runtime_xdp_frame_load(&frame, data, len, 1, 0)) {
            fprintf(stderr, "bpfhost: frame %llu: %zu bytes do not fit an XDP frame, dropped\n",
                    (unsigned long long)index, len);
            counts[XDP_CODE_DROP]++;
            continue;
        }
        uint32_t action;
        run.region_count = 0;
        if (runtime_xdp_run(prog, &frame, &run, &action)) {
            fprintf(stderr, "bpfhost: frame %llu: program faulted: %s (counted as XDP_ABORTED)\n",
                    (unsigned long long)index, run.msg);
            action = XDP_CODE_ABORTED;
        }
        counts[action]++;
        if (writer && (action == XDP_CODE_PASS || action == XDP_CODE_TX || action == XDP_CODE_REDIRECT)) {
            size_t out_len;
            const uint8_t *out = runtime_xdp_frame_data(&frame, &out_len);
            if (pcap_writer_write(writer, out, out_len, ts, msg, sizeof msg)) {
                status = cli_error("xdp run: %s", msg);
                break;
            }
        }
    }
    if (got < 0)
        status = cli_error("xdp run: %s", msg);
    if (pcap_writer_close(writer, msg, sizeof msg) && !status)
        status = cli_error("xdp run: %s", msg);
    vm_run_release(&run);
    runtime_xdp_frame_release(&frame);
    pcap_reader_close(reader);
    return status;
}

int cli_xdp_choose_program(const struct elf_object *elf, const char *path, const char *program,
                           const struct elf_program **chosen)
{
    *chosen = NULL;
    int xdp_count = 0;
    for (size_t i = 0; i < elf_object_program_count(elf); i++) {
        const struct elf_program *p = elf_object_program(elf, i);
        if (p->is_subprog)
            continue;
        if (program ? !strcmp(p->name, program) : p->prog_type == EBPF_PROG_TYPE_XDP) {
            *chosen = p;
            xdp_count++;
        }
    }
    if (!*chosen)
        return program ? cli_error("%s: no program named '%s'", path, program)
                       : cli_error("%s: no XDP program in the object", path);
    if (xdp_count > 1 && !program)
        return cli_error("%s: %d XDP programs: choose one with --program", path, xdp_count);
    if ((*chosen)->prog_type != EBPF_PROG_TYPE_XDP)
        return cli_error("%s: program '%s' is not an XDP program (section %s)", path, (*chosen)->name,
                         (*chosen)->section_name);
    return 0;
}

static int xdp_run(int argc, char **argv)
{
    const char *path = NULL, *pcap = NULL, *out = NULL, *program = NULL;
    struct cli_map_set sets[MAX_MAP_SETS];
    size_t set_count = 0;
    bool dump_maps = false, unverified = false;
    enum runtime_engine engine = RUNTIME_ENGINE_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pcap") && i + 1 < argc)
            pcap = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--program") && i + 1 < argc)
            program = argv[++i];
        else if (!strcmp(argv[i], "--map-set") && i + 3 < argc) {
            if (set_count == MAX_MAP_SETS)
                return cli_error("xdp run: at most %d --map-set options", MAX_MAP_SETS);
            sets[set_count++] = (struct cli_map_set){argv[i + 1], argv[i + 2], argv[i + 3]};
            i += 3;
        } else if (!strcmp(argv[i], "--dump-maps"))
            dump_maps = true;
        else if (!strcmp(argv[i], "--unverified"))
            unverified = true;
        else if (!strcmp(argv[i], "--trace") && i + 1 < argc) {
            if (cli_trace_output("xdp run", argv[++i]))
                return 2;
        } else if (!strcmp(argv[i], "--engine") && i + 1 < argc) {
            const char *name = argv[++i];
            if (!strcmp(name, "jit"))
                engine = RUNTIME_ENGINE_JIT;
            else if (!strcmp(name, "interp"))
                engine = RUNTIME_ENGINE_INTERP;
            else
                return cli_error("xdp run: unknown engine '%s' (interp or jit)", name);
        }
        else if (argv[i][0] == '-')
            return cli_error("xdp run: unknown or incomplete option '%s' (see bpfhost xdp --help)", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return cli_error("xdp run: more than one object file");
    }
    if (unverified && engine != RUNTIME_ENGINE_DEFAULT)
        return cli_error("xdp run: --unverified programs run on the checked interpreter only; "
                         "--engine needs a verified program");
    if (!path || !pcap)
        return cli_error("xdp run: usage: bpfhost xdp run FILE.o --pcap IN.pcap [--out OUT.pcap]");
    char msg[512];
    struct elf_object *elf;
    if (elf_object_open_file(path, NULL, &elf, msg, sizeof msg))
        return cli_error("%s: %s", path, msg);
    const struct elf_program *chosen = NULL;
    int status = cli_xdp_choose_program(elf, path, program, &chosen);
    struct runtime_object *obj = NULL;
    if (!status) {
        struct runtime_object_options opts = {
            .allow_unverified = unverified, .engine = engine, .only_program = chosen->name};
        if (runtime_object_load(elf, &opts, &obj, msg, sizeof msg))
            status = cli_error("%s: %s", path, msg);
    }
    for (size_t i = 0; i < set_count && !status; i++)
        status = cli_xdp_apply_map_set("xdp run", obj, &sets[i]);
    uint64_t counts[5] = {0};
    struct runtime_prog *prog = status ? NULL : runtime_object_prog(obj, chosen->name);
    if (!status)
        status = run_capture(prog, pcap, out, counts);
    if (!status) {
        uint64_t total = 0;
        for (int a = 0; a < 5; a++)
            total += counts[a];
        char how[128];
        if (prog->verified)
            snprintf(how, sizeof how, "verified in %.2f ms, %llu steps; engine %s",
                     prog->verifier_stats.seconds * 1e3, (unsigned long long)prog->verifier_stats.steps,
                     runtime_engine_name(prog->engine));
        else
            snprintf(how, sizeof how, "unverified; engine %s", runtime_engine_name(prog->engine));
        printf("%s: program %s (%s), %llu frames from %s\n", path, chosen->name, how,
               (unsigned long long)total, pcap);
        for (int a = 0; a < 5; a++)
            printf("  %-13s %llu\n", action_names[a], (unsigned long long)counts[a]);
        if (dump_maps)
            for (size_t i = 0; i < obj->map_count; i++)
                cli_xdp_dump_map(stdout, obj->maps[i], elf_object_map(elf, i)->name);
    }
    runtime_object_free(obj);
    elf_object_free(elf);
    return status;
}

int cmd_xdp(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return xdp_run(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "attach"))
        return cli_xdp_attach(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "show"))
        return cli_xdp_show(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "detach"))
        return cli_xdp_detach(argc - 1, argv + 1);
    return cli_error("xdp: usage: bpfhost xdp run|attach|show|detach ... (see bpfhost xdp --help)");
}
