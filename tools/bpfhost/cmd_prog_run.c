/* bpfhost prog run FILE.o [--program P] [--data FILE | --pcap FILE] [--ctx FILE]
 *                         [--repeat N] [--engine interp|jit] [--data-out FILE] [--ctx-out FILE] [-j]
 * Test-runs one program of an object (BPF_PROG_RUN): on one input, or on every frame of a
 * capture, and prints the return value, the average duration and the output data. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "elf/elf_object.h"
#include "hooks/pcap_io.h"
#include "isa/testdata.h"
#include "json.h"
#include "runtime/object.h"
#include "runtime/perf_output.h"
#include "runtime/test_run.h"
#include "verifier/prog_types.h"

enum { DATA_OUT_CAPACITY = 70000, CTX_OUT_CAPACITY = 256, MSG_SIZE = 512 };

void cmd_prog_run_help(void)
{
    printf("\nusage: bpfhost prog run FILE.o [--program NAME] [--data FILE | --pcap FILE] [--ctx FILE]\n"
           "                        [--repeat N] [--engine interp|jit] [--data-out FILE]\n"
           "                        [--ctx-out FILE] [--trace stderr|pipe] [-j]\n"
           "Test-runs a program as Linux's BPF_PROG_RUN does: on the bytes of --data (an Ethernet\n"
           "frame for xdp, socket and tc programs; a TCP segment for sockops; the command line for\n"
           "process programs) and the context of --ctx (the binary struct: xdp_md, __sk_buff,\n"
           "bpf_sock_addr, bpf_sock, bpf_sock_ops, process_md), and prints the return value, the\n"
           "average duration per run and the output data and context (hex dumps).\n"
           "  --program NAME   the program to run (default: the object's only one)\n"
           "  --pcap FILE      run once per frame of a pcap or pcapng capture\n"
           "  --repeat N       runs on the same input (0 or 1: once); duration is the average\n"
           "  --engine E       interp or jit (default: the JIT where the host has one)\n"
           "  --unverified     skip the verifier: run on the checked interpreter, where every\n"
           "                   memory access is bounds-checked (for programs it refuses)\n"
           "  --data-out FILE  write the output data there (with --pcap: a capture of them)\n"
           "  --ctx-out FILE   write the output context there\n"
           "  -j, --json       JSON output\n"
           "  --trace T        where bpf_trace_printk lines go: pipe (the system trace buffer,\n"
           "                   see prog tracelog), stderr, or auto (default: pipe when usable)\n"
           "Every slot of the object's perf event arrays gets an event output; the records\n"
           "bpf_perf_event_output wrote are printed after the run.\n"
           "Programs go through the verifier first; one it refuses is not run (exit 2).\n"
           "Exit status: 0 ok, 1 the program faulted, 2 bad arguments, input or program.\n");
}

struct options {
    const char *path, *program, *data, *pcap, *ctx, *data_out, *ctx_out;
    uint32_t repeat;
    enum runtime_engine engine;
    bool json, unverified;
};

static int parse_options(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->engine = RUNTIME_ENGINE_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--unverified")) {
            o->unverified = true;
        } else if (a[0] == '-' && !has_value) {
            return cli_error("prog run: option '%s' needs a value or is unknown (see bpfhost prog --help)", a);
        } else if (!strcmp(a, "--program")) {
            o->program = argv[++i];
        } else if (!strcmp(a, "--data")) {
            o->data = argv[++i];
        } else if (!strcmp(a, "--pcap")) {
            o->pcap = argv[++i];
        } else if (!strcmp(a, "--ctx")) {
            o->ctx = argv[++i];
        } else if (!strcmp(a, "--data-out")) {
            o->data_out = argv[++i];
        } else if (!strcmp(a, "--ctx-out")) {
            o->ctx_out = argv[++i];
        } else if (!strcmp(a, "--repeat")) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(argv[++i], &end, 10);
            if (errno || *end || !*argv[i] || argv[i][0] == '-' || n > UINT32_MAX)
                return cli_error("prog run: --repeat '%s' is not a count from 0 to %u", argv[i], UINT32_MAX);
            o->repeat = (uint32_t)n;
        } else if (!strcmp(a, "--trace")) {
            if (cli_trace_output("prog run", argv[++i]))
                return 2;
        } else if (!strcmp(a, "--engine")) {
            const char *e = argv[++i];
            if (!strcmp(e, "interp"))
                o->engine = RUNTIME_ENGINE_INTERP;
            else if (!strcmp(e, "jit"))
                o->engine = RUNTIME_ENGINE_JIT;
            else
                return cli_error("prog run: --engine '%s': choose interp or jit", e);
        } else if (a[0] == '-') {
            return cli_error("prog run: unknown option '%s' (see bpfhost prog --help)", a);
        } else if (!o->path) {
            o->path = a;
        } else {
            return cli_error("prog run: more than one object file ('%s' and '%s')", o->path, a);
        }
    }
    if (!o->path)
        return cli_error("prog run: usage: bpfhost prog run FILE.o [--program NAME] [--data FILE | --pcap FILE] "
                         "[--ctx FILE] [--repeat N] [--engine interp|jit]");
    if (o->data && o->pcap)
        return cli_error("prog run: --data and --pcap exclude each other");
    return 0;
}

static int read_binary(const char *path, const char *what, uint8_t **bytes, size_t *len)
{
    char *text;
    int err = isa_read_file(path, &text, len);
    if (err)
        return cli_error("prog run: cannot read %s %s: %s", what, path, strerror(-err));
    if (*len > UINT32_MAX) {
        free(text);
        return cli_error("prog run: %s %s is larger than 4 GiB", what, path);
    }
    *bytes = (uint8_t *)text;
    return 0;
}

static int write_binary(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return cli_error("prog run: cannot write %s: %s", path, strerror(errno));
    bool ok = fwrite(bytes, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : cli_error("prog run: writing %s failed", path);
}

/* What a return value means for the program type, or NULL. */
static const char *retval_meaning(uint32_t prog_type, uint32_t retval)
{
    static const char *const xdp[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
    static const char *const tc[] = {"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
                                     "TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT"};
    switch (prog_type) {
    case PROG_TYPE_XDP:
        return retval < 5 ? xdp[retval] : NULL;
    case PROG_TYPE_SCHED_CLS:
    case 4: /* SCHED_ACT */
        return retval < 8 ? tc[retval] : retval == UINT32_MAX ? "TC_ACT_UNSPEC" : NULL;
    case PROG_TYPE_SOCKET_FILTER:
        return retval ? "keep" : "drop";
    case PROG_TYPE_CGROUP_SOCK_ADDR:
    case PROG_TYPE_CGROUP_SOCK:
        return retval == 1 ? "allow" : retval == 0 ? "deny" : NULL;
    default:
        return NULL;
    }
}

static void hex_dump(const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i += 16) {
        printf("  %04zx ", i);
        for (size_t j = i; j < i + 16 && j < len; j++)
            printf(" %02x", bytes[j]);
        printf("\n");
    }
}

static void json_hex(struct json_writer *w, const char *key, const uint8_t *bytes, size_t len)
{
    char *hex = malloc(len * 2 + 1);
    if (!hex)
        return;
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    hex[2 * len] = 0;
    json_key_string(w, key, hex);
    free(hex);
}

struct run_output {
    struct runtime_test_run_result res;
    uint8_t *data_out, *ctx_out;
    bool has_ctx_out;
};

/* One test-run. Returns 0, 1 when the program faulted, 2 for refused input; msg says why. */
static int run_once(struct runtime_prog *prog, const uint8_t *data, size_t data_len, const uint8_t *ctx,
                    size_t ctx_len, bool want_ctx_out, uint32_t repeat, struct run_output *out, char *msg,
                    size_t msg_size)
{
    struct runtime_test_run_attr attr = {
        .data_in = data, .data_size_in = (uint32_t)data_len, .data_out = out->data_out,
        .data_size_out = DATA_OUT_CAPACITY, .ctx_in = ctx, .ctx_size_in = (uint32_t)ctx_len,
        .ctx_out = want_ctx_out ? out->ctx_out : NULL, .ctx_size_out = CTX_OUT_CAPACITY, .repeat = repeat,
    };
    int err = runtime_prog_test_run(prog, &attr, &out->res, msg, msg_size);
    out->has_ctx_out = want_ctx_out;
    if (!err)
        return 0;
    /* A fault inside the program is the program's; anything else is the input's. */
    return strstr(msg, "faulted") ? 1 : 2;
}

static void print_result(const struct options *o, struct runtime_prog *prog, const struct run_output *r)
{
    const char *meaning = retval_meaning(prog->prog_type, r->res.retval);
    printf("retval: %" PRIu32 " (0x%" PRIx32 ")%s%s\n", r->res.retval, r->res.retval, meaning ? " " : "",
           meaning ? meaning : "");
    printf("duration: %" PRIu32 " ns\n", r->res.duration_ns);
    printf("data_out: %" PRIu32 " bytes%s\n", r->res.data_size_out, o->data_out && r->res.data_size_out ?
           " (written to the --data-out file)" : "");
    if (!o->data_out)
        hex_dump(r->data_out, r->res.data_size_out);
    if (r->has_ctx_out) {
        printf("ctx_out: %" PRIu32 " bytes\n", r->res.ctx_size_out);
        hex_dump(r->ctx_out, r->res.ctx_size_out);
    }
}

static void json_result(struct json_writer *w, const struct options *o, const struct run_output *r)
{
    json_key_uint(w, "retval", r->res.retval);
    json_key_uint(w, "duration_ns", r->res.duration_ns);
    json_key_uint(w, "data_size_out", r->res.data_size_out);
    if (!o->data_out)
        json_hex(w, "data_out", r->data_out, r->res.data_size_out);
    if (r->has_ctx_out)
        json_hex(w, "ctx_out", r->ctx_out, r->res.ctx_size_out);
}

static int run_capture(const struct options *o, struct runtime_prog *prog, const uint8_t *ctx, size_t ctx_len,
                       struct run_output *r, struct json_writer *w)
{
    char msg[MSG_SIZE];
    struct pcap_reader *reader;
    if (pcap_reader_open(o->pcap, &reader, msg, sizeof msg))
        return cli_error("prog run: %s", msg);
    struct pcap_writer *writer = NULL;
    if (o->data_out && pcap_writer_open(o->data_out, 1 /* DLT_EN10MB */, &writer, msg, sizeof msg)) {
        pcap_reader_close(reader);
        return cli_error("prog run: %s", msg);
    }
    if (o->json)
        json_begin_array(w);
    int status = 0, got;
    uint64_t failures = 0;
    const uint8_t *frame;
    size_t len;
    uint64_t ts;
    while (!status && (got = pcap_reader_next(reader, &frame, &len, &ts, msg, sizeof msg)) == 1) {
        uint64_t index = pcap_reader_frame_count(reader) - 1;
        /* A frame the program faults on or test-run refuses is reported, and the capture goes on. */
        char why[MSG_SIZE];
        if (run_once(prog, frame, len, ctx, ctx_len, o->ctx || o->ctx_out, o->repeat, r, why, sizeof why)) {
            failures++;
            if (o->json) {
                json_begin_object(w);
                json_key_uint(w, "frame", index);
                json_key_string(w, "error", why);
                json_end_object(w);
            } else {
                printf("frame %" PRIu64 ": %s\n", index, why);
            }
            continue;
        }
        if (o->json) {
            json_begin_object(w);
            json_key_uint(w, "frame", index);
            json_result(w, o, r);
            json_end_object(w);
        } else {
            const char *meaning = retval_meaning(prog->prog_type, r->res.retval);
            printf("frame %" PRIu64 ": retval %" PRIu32 "%s%s, %" PRIu32 " ns, data_out %" PRIu32 " bytes\n",
                   index, r->res.retval, meaning ? " " : "", meaning ? meaning : "", r->res.duration_ns,
                   r->res.data_size_out);
        }
        if (writer && pcap_writer_write(writer, r->data_out, r->res.data_size_out, ts, msg, sizeof msg))
            status = cli_error("prog run: %s", msg);
    }
    if (!status && got < 0)
        status = cli_error("prog run: %s", msg);
    if (o->json)
        json_end_array(w);
    else if (!status)
        printf("%" PRIu64 " frames, %" PRIu64 " not run\n", pcap_reader_frame_count(reader), failures);
    if (pcap_writer_close(writer, msg, sizeof msg) && !status)
        status = cli_error("prog run: %s", msg);
    pcap_reader_close(reader);
    return status;
}

/* Every slot of the object's PERF_EVENT_ARRAY maps gets an event output, as perf_buffer__new
 * would give it, so that bpf_perf_event_output has somewhere to write; the records are
 * printed after the run. */
enum { PERF_OUTPUT_SIZE = 1 << 18, PERF_SLOTS_MAX = 256 };

struct perf_outputs {
    struct runtime_perf_output *slot[PERF_SLOTS_MAX];
    size_t count;
};

static int attach_perf_outputs(const struct runtime_object *obj, struct perf_outputs *outputs)
{
    char msg[MSG_SIZE];
    for (size_t i = 0; i < obj->map_count; i++) {
        struct bpfhost_map *map = obj->maps[i];
        if (!map || map->map_type != MAP_TYPE_PERF_EVENT_ARRAY)
            continue;
        for (uint32_t key = 0; key < map->max_entries && outputs->count < PERF_SLOTS_MAX; key++) {
            struct runtime_perf_output *output;
            if (runtime_perf_output_create(PERF_OUTPUT_SIZE, &output, msg, sizeof msg))
                return cli_error("prog run: event output: %s", msg);
            outputs->slot[outputs->count++] = output;
            int err = map_sys_update_object(map, &key, output, 0);
            if (err)
                return cli_error("prog run: event output for map slot %u: %s", key, strerror(-err));
        }
    }
    return 0;
}

struct perf_printer {
    struct json_writer *w;
    bool json;
    size_t slot;
};

static int print_perf_record(void *ctx, void *data, size_t size)
{
    struct perf_printer *p = ctx;
    if (p->json) {
        json_begin_object(p->w);
        json_key_uint(p->w, "slot", p->slot);
        json_hex(p->w, "data", data, size);
        json_end_object(p->w);
    } else {
        printf("perf event (slot %zu): %zu bytes\n", p->slot, size);
        hex_dump(data, size);
    }
    return 0;
}

/* Prints and frees the outputs' records (slots numbered across the object's perf maps). */
static void drain_perf_outputs(struct perf_outputs *outputs, struct json_writer *w, bool json)
{
    if (!outputs->count)
        return;
    struct perf_printer printer = {w, json, 0};
    if (json) {
        json_key(w, "perf_events");
        json_begin_array(w);
    }
    uint64_t lost = 0;
    for (size_t i = 0; i < outputs->count; i++) {
        printer.slot = i;
        runtime_perf_output_consume(outputs->slot[i], print_perf_record, &printer);
        lost += runtime_perf_output_take_lost(outputs->slot[i]);
    }
    if (json) {
        json_end_array(w);
        json_key_uint(w, "perf_events_lost", lost);
    } else if (lost) {
        printf("perf events lost: %" PRIu64 "\n", lost);
    }
}

static const struct elf_program *choose_program(const struct elf_object *elf, const struct options *o,
                                                int *status)
{
    const struct elf_program *chosen = NULL;
    size_t count = 0;
    for (size_t i = 0; i < elf_object_program_count(elf); i++) {
        const struct elf_program *p = elf_object_program(elf, i);
        if (p->is_subprog || (o->program && strcmp(p->name, o->program)))
            continue;
        chosen = p;
        count++;
    }
    if (count == 1)
        return chosen;
    if (o->program)
        *status = cli_error("%s: no program named '%s'", o->path, o->program);
    else if (!count)
        *status = cli_error("%s: the object has no program", o->path);
    else {
        fprintf(stderr, "bpfhost: %s: %zu programs, choose one with --program:", o->path, count);
        for (size_t i = 0; i < elf_object_program_count(elf); i++)
            if (!elf_object_program(elf, i)->is_subprog)
                fprintf(stderr, " %s", elf_object_program(elf, i)->name);
        fprintf(stderr, "\n");
        *status = 2;
    }
    return NULL;
}

int cmd_prog_run(int argc, char **argv)
{
    struct options o;
    int status = parse_options(argc, argv, &o);
    if (status)
        return status;
    uint8_t *data = NULL, *ctx = NULL;
    size_t data_len = 0, ctx_len = 0;
    if (o.data && (status = read_binary(o.data, "data file", &data, &data_len)))
        return status;
    if (o.ctx && (status = read_binary(o.ctx, "context file", &ctx, &ctx_len))) {
        free(data);
        return status;
    }
    char msg[MSG_SIZE];
    struct elf_object *elf = NULL;
    struct runtime_object *obj = NULL;
    struct run_output r = {.data_out = calloc(1, DATA_OUT_CAPACITY), .ctx_out = calloc(1, CTX_OUT_CAPACITY)};
    const struct elf_program *chosen = NULL;
    if (!r.data_out || !r.ctx_out)
        status = cli_error("out of memory");
    else if (elf_object_open_file(o.path, NULL, &elf, msg, sizeof msg))
        status = cli_error("%s", msg);
    else
        chosen = choose_program(elf, &o, &status);
    if (chosen) {
        struct runtime_object_options opts = {.allow_unverified = o.unverified, .engine = o.engine,
                                              .only_program = chosen->name};
        if (runtime_object_load(elf, &opts, &obj, msg, sizeof msg))
            status = cli_error("%s: %s", o.path, msg);
    }
    struct perf_outputs outputs = {.count = 0};
    if (!status)
        status = attach_perf_outputs(obj, &outputs);
    if (!status) {
        struct runtime_prog *prog = runtime_object_prog(obj, chosen->name);
        const struct prog_type_desc *desc = prog_type_by_linux_type(prog->prog_type);
        const char *engine = prog->verified ? runtime_engine_name(prog->engine) : "unverified, checked interpreter";
        struct json_writer w;
        json_init(&w, stdout, false);
        if (o.json) {
            json_begin_object(&w);
            json_key_string(&w, "program", prog->name);
            json_key_string(&w, "type", desc ? desc->name : chosen->section_name);
            json_key_string(&w, "engine", engine);
            json_key_uint(&w, "repeat", o.repeat ? o.repeat : 1);
        } else {
            printf("%s: program %s (%s, %s)\n", o.path, prog->name, desc ? desc->name : chosen->section_name,
                   engine);
        }
        if (o.pcap) {
            if (o.json)
                json_key(&w, "frames");
            status = run_capture(&o, prog, ctx, ctx_len, &r, &w);
        } else {
            status = run_once(prog, data, data_len, ctx, ctx_len, o.ctx || o.ctx_out, o.repeat, &r, msg,
                              sizeof msg);
            if (status)
                fprintf(stderr, "bpfhost: prog run: %s\n", msg);
            else if (o.json)
                json_result(&w, &o, &r);
            else
                print_result(&o, prog, &r);
            if (!status && o.data_out)
                status = write_binary(o.data_out, r.data_out, r.res.data_size_out);
        }
        if (!status && o.ctx_out)
            status = write_binary(o.ctx_out, r.ctx_out, r.res.ctx_size_out);
        drain_perf_outputs(&outputs, &w, o.json);
        if (o.json) {
            json_end_object(&w);
            json_finish(&w);
        }
    }
    runtime_object_free(obj);
    for (size_t i = 0; i < outputs.count; i++)
        runtime_perf_output_put(outputs.slot[i]);
    elf_object_free(elf);
    free(r.data_out);
    free(r.ctx_out);
    free(data);
    free(ctx);
    return status;
}
