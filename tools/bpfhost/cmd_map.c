/* bpfhost map show|dump|lookup|update|delete|batch: bpftool's map commands over the maps of
 * an object file loaded by this invocation (see loaded_object.h for why), through the
 * libbpf-compatible API only. Keys and values are bytes as bpftool takes them: numbers
 * ("0x0a 0 0 0", base prefixes as in C) or "hex 0a000000" / "hex 0a 00 00 00". */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hooks/xdp_registry.h"
#include "json.h"
#include "loaded_object.h"
#include "runtime/handles.h"

struct map_output {
    bool json, pretty;
};

void cmd_map_help(void)
{
    printf("usage: bpfhost map show   FILE.o [MAP] [-j|-p]\n"
           "       bpfhost map dump   FILE.o MAP [-j|-p]\n"
           "       bpfhost map lookup FILE.o MAP [key DATA] [-j|-p]\n"
           "       bpfhost map update FILE.o MAP [key DATA] value VALUE [any|noexist|exist]\n"
           "       bpfhost map delete FILE.o MAP key DATA\n"
           "       bpfhost map batch  FILE.o SCRIPT [-j|-p]\n"
           "       bpfhost map dump   xdp IFACE      (maps of the program xdp attach runs there)\n"
           "\n"
           "MAP   := NAME | name NAME | id ID | pinned PATH\n"
           "DATA  := BYTE... | hex HEX...       (BYTE: 0x0a, 10, 012; HEX: 0a000000 or 0a 00 ..)\n"
           "VALUE := DATA | id ID | name NAME | pinned PATH   (programs or maps, for maps of them)\n"
           "\n"
           "bpfhost's maps live in the process that loads them: these commands load FILE.o,\n"
           "then act on its maps. A SCRIPT runs several commands (one per line, without FILE.o,\n"
           "e.g. \"update counters key 1 0 0 0 value hex 0500000000000000\" then \"dump counters\")\n"
           "on the same loaded maps. Per-CPU maps show one value per CPU slot; an update\n"
           "writes the value to every slot.\n");
}

/* --- bytes ---------------------------------------------------------------------------------- */

static bool is_keyword(const char *word)
{
    return !strcmp(word, "key") || !strcmp(word, "value") || !strcmp(word, "any") ||
           !strcmp(word, "noexist") || !strcmp(word, "exist");
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads exactly size bytes of DATA from argv[*next...]. Returns 0 or the CLI error status. */
static int parse_bytes(int argc, char **argv, int *next, const char *what, uint8_t *out,
                       size_t size)
{
    size_t count = 0;
    bool hex = *next < argc && !strcmp(argv[*next], "hex");
    if (hex)
        (*next)++;
    for (; *next < argc && !is_keyword(argv[*next]); (*next)++) {
        const char *word = argv[*next];
        if (hex) {
            size_t length = strlen(word);
            if (length % 2)
                return cli_error("%s: '%s' has an odd number of hex digits", what, word);
            for (size_t i = 0; i < length; i += 2) {
                int high = hex_digit(word[i]), low = hex_digit(word[i + 1]);
                if (high < 0 || low < 0)
                    return cli_error("%s: '%s' is not hex", what, word);
                if (count < size)
                    out[count] = (uint8_t)(high << 4 | low);
                count++;
            }
            continue;
        }
        char *end;
        unsigned long byte = strtoul(word, &end, 0);
        if (!*word || *end || byte > 0xff)
            return cli_error("%s: '%s' is not a byte (0x0a, 10, 012; or hex 0a000000)", what, word);
        if (count < size)
            out[count] = (uint8_t)byte;
        count++;
    }
    if (count != size)
        return cli_error("%s: %zu byte%s given, the map's %s size is %zu", what, count,
                         count == 1 ? "" : "s", what, size);
    return 0;
}

static void print_bytes(const uint8_t *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++)
        printf("%s%02x", i ? " " : "", bytes[i]);
}

static void json_bytes(struct json_writer *w, const uint8_t *bytes, size_t size)
{
    json_begin_array(w);
    for (size_t i = 0; i < size; i++) {
        char text[8];
        snprintf(text, sizeof text, "0x%02x", bytes[i]);
        json_string(w, text);
    }
    json_end_array(w);
}

/* --- map facts ------------------------------------------------------------------------------ */

struct map_facts {
    struct bpf_map_info info;
    size_t value_size;   /* what one lookup copies out */
    unsigned cpus;       /* per-CPU maps: values per key; else 0 */
    bool holds_objects;  /* values are program or map ids */
};

static int map_facts(int fd, struct map_facts *facts)
{
    memset(facts, 0, sizeof *facts);
    __u32 length = sizeof facts->info;
    if (bpf_obj_get_info_by_fd(fd, &facts->info, &length))
        return cli_error("cannot read the map's information: %s", strerror(errno));
    uint32_t type = facts->info.type;
    facts->value_size = facts->info.value_size;
    if (type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
        type == BPF_MAP_TYPE_LRU_PERCPU_HASH) {
        facts->cpus = (unsigned)libbpf_num_possible_cpus();
        facts->value_size = (size_t)((facts->info.value_size + 7) & ~7u) * facts->cpus;
    }
    facts->holds_objects = type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
                           type == BPF_MAP_TYPE_HASH_OF_MAPS;
    if (facts->holds_objects)
        facts->value_size = sizeof(__u32);
    return 0;
}

/* --- show ----------------------------------------------------------------------------------- */

/* Paths where the map of this id is pinned, one callback each. */
static void for_each_pin(__u32 id, void (*fn)(void *ctx, const char *path), void *ctx)
{
    char path[HANDLES_PATH_MAX] = "";
    while (handles_next_pin(path, path, sizeof path) == 0) {
        int fd = bpf_obj_get(path);
        struct bpf_map_info info = {0};
        __u32 length = sizeof info;
        struct handle_object object;
        bool is_map = handles_object_from_fd(fd, &object) == 0 && object.kind == HANDLE_MAP;
        handle_object_put(&object);
        if (is_map && bpf_obj_get_info_by_fd(fd, &info, &length) == 0 && info.id == id)
            fn(ctx, path);
        if (fd >= 0)
            close(fd);
    }
}

static void print_pin(void *ctx, const char *path) { printf("\tpinned %s\n", path); }
static void json_pin(void *ctx, const char *path) { json_string(ctx, path); }

static void show_one(int fd, const struct map_output *out, struct json_writer *w)
{
    struct map_facts facts;
    if (map_facts(fd, &facts))
        return;
    const struct bpf_map_info *info = &facts.info;
    const char *type = cli_map_type_name(info->type);
    if (out->json) {
        json_begin_object(w);
        json_key_uint(w, "id", info->id);
        if (type)
            json_key_string(w, "type", type);
        else
            json_key_uint(w, "type", info->type);
        json_key_string(w, "name", info->name);
        json_key_uint(w, "flags", info->map_flags);
        json_key_uint(w, "bytes_key", info->key_size);
        json_key_uint(w, "bytes_value", info->value_size);
        json_key_uint(w, "max_entries", info->max_entries);
        json_key(w, "pinned");
        json_begin_array(w);
        for_each_pin(info->id, json_pin, w);
        json_end_array(w);
        json_end_object(w);
        return;
    }
    if (type)
        printf("%u: %s  name %s  flags 0x%x\n", info->id, type, info->name, info->map_flags);
    else
        printf("%u: type %u  name %s  flags 0x%x\n", info->id, info->type, info->name,
               info->map_flags);
    printf("\tkey %uB  value %uB  max_entries %u\n", info->key_size, info->value_size,
           info->max_entries);
    for_each_pin(info->id, print_pin, NULL);
}

static int map_show(struct loaded_object *obj, int argc, char **argv, int next,
                    const struct map_output *out)
{
    struct json_writer w;
    json_init(&w, stdout, out->pretty);
    if (next < argc) {
        int fd = loaded_object_select_map(obj, argc, argv, &next);
        if (fd < 0)
            return -fd;
        if (next < argc) {
            close(fd);
            return cli_error("map show: unexpected '%s'", argv[next]);
        }
        show_one(fd, out, &w);
        close(fd);
    } else {
        if (out->json)
            json_begin_array(&w);
        __u32 id = 0;
        while (bpf_map_get_next_id(id, &id) == 0) {
            int fd = bpf_map_get_fd_by_id(id);
            if (fd < 0)
                continue;
            show_one(fd, out, &w);
            close(fd);
        }
        if (out->json)
            json_end_array(&w);
    }
    if (out->json)
        json_finish(&w);
    return 0;
}

/* --- elements ------------------------------------------------------------------------------- */

static void print_element(const struct map_facts *facts, const uint8_t *key, const uint8_t *value,
                          const struct map_output *out, struct json_writer *w)
{
    size_t key_size = facts->info.key_size;
    size_t slot = (facts->info.value_size + 7) & ~7u;
    if (out->json) {
        json_begin_object(w);
        if (key_size) {
            json_key(w, "key");
            json_bytes(w, key, key_size);
        }
        if (facts->cpus) {
            json_key(w, "values");
            json_begin_array(w);
            for (unsigned cpu = 0; cpu < facts->cpus; cpu++) {
                json_begin_object(w);
                json_key_uint(w, "cpu", cpu);
                json_key(w, "value");
                json_bytes(w, value + cpu * slot, facts->info.value_size);
                json_end_object(w);
            }
            json_end_array(w);
        } else {
            json_key(w, "value");
            json_bytes(w, value, facts->value_size);
        }
        json_end_object(w);
        return;
    }
    if (key_size) {
        printf("key: ");
        print_bytes(key, key_size);
        printf(facts->cpus ? "\n" : "  ");
    }
    if (facts->cpus) {
        for (unsigned cpu = 0; cpu < facts->cpus; cpu++) {
            printf("value (CPU %02u): ", cpu);
            print_bytes(value + cpu * slot, facts->info.value_size);
            printf("\n");
        }
    } else {
        printf("value: ");
        print_bytes(value, facts->value_size);
        printf("\n");
    }
}

static int map_dump(int fd, const struct map_facts *facts, const struct map_output *out)
{
    size_t key_size = facts->info.key_size;
    uint8_t *key = calloc(1, key_size + 1), *next_key = calloc(1, key_size + 1);
    uint8_t *value = calloc(1, facts->value_size + 1);
    if (!key || !next_key || !value) {
        free(key);
        free(next_key);
        free(value);
        return cli_error("out of memory");
    }
    struct json_writer w;
    json_init(&w, stdout, out->pretty);
    if (out->json)
        json_begin_array(&w);
    unsigned found = 0;
    int err;
    const void *cursor = NULL;
    while ((err = bpf_map_get_next_key(fd, cursor, next_key)) == 0) {
        memcpy(key, next_key, key_size);
        cursor = key;
        if (bpf_map_lookup_elem(fd, key, value))
            continue; /* deleted meanwhile, or an empty slot of a map of objects */
        print_element(facts, key, value, out, &w);
        found++;
    }
    if (out->json) {
        json_end_array(&w);
        json_finish(&w);
    } else if (err == -ENOENT) {
        printf("Found %u element%s\n", found, found == 1 ? "" : "s");
    }
    free(key);
    free(next_key);
    free(value);
    if (err != -ENOENT)
        return cli_error("map dump: %s maps cannot be walked (%s)",
                         cli_map_type_name(facts->info.type), strerror(-err));
    return 0;
}

/* "key DATA" (absent for maps without keys). */
static int parse_key(int argc, char **argv, int *next, const struct map_facts *facts,
                     uint8_t *key, bool required)
{
    if (*next < argc && !strcmp(argv[*next], "key")) {
        (*next)++;
        return parse_bytes(argc, argv, next, "key", key, facts->info.key_size);
    }
    if (facts->info.key_size && required)
        return cli_error("a key is needed: key DATA (%u bytes)", facts->info.key_size);
    return 0;
}

static int map_lookup(struct loaded_object *obj, int fd, const struct map_facts *facts,
                      int argc, char **argv, int next, const struct map_output *out)
{
    uint8_t *key = calloc(1, facts->info.key_size + 1), *value = calloc(1, facts->value_size + 1);
    int status = !key || !value ? cli_error("out of memory") : 0;
    if (!status)
        status = parse_key(argc, argv, &next, facts, key, true);
    if (!status && next < argc)
        status = cli_error("map lookup: unexpected '%s'", argv[next]);
    if (!status) {
        if (bpf_map_lookup_elem(fd, facts->info.key_size ? key : NULL, value)) {
            status = 1;
            fprintf(stderr, "bpfhost: map lookup: %s\n",
                    errno == ENOENT ? "no such element" : strerror(errno));
        } else {
            struct json_writer w;
            json_init(&w, stdout, out->pretty);
            print_element(facts, key, value, out, &w);
            if (out->json)
                json_finish(&w);
        }
    }
    free(key);
    free(value);
    return status;
}

/* VALUE for a map of programs or maps: an fd of the selected object. */
static int parse_object_value(struct loaded_object *obj, const struct map_facts *facts, int argc,
                              char **argv, int *next, int *object_fd)
{
    if (*next < argc && loaded_object_is_selector(argv[*next])) {
        int fd = facts->info.type == BPF_MAP_TYPE_PROG_ARRAY
                     ? loaded_object_select_prog(obj, argc, argv, next)
                     : loaded_object_select_map(obj, argc, argv, next);
        if (fd < 0)
            return -fd;
        *object_fd = fd;
        return 0;
    }
    return cli_error("map update: the values of %s maps are %s: id ID, name NAME or pinned PATH",
                     cli_map_type_name(facts->info.type),
                     facts->info.type == BPF_MAP_TYPE_PROG_ARRAY ? "programs" : "maps");
}

static int map_update(struct loaded_object *obj, int fd, const struct map_facts *facts, int argc,
                      char **argv, int next)
{
    size_t slot = (facts->info.value_size + 7) & ~7u;
    uint8_t *key = calloc(1, facts->info.key_size + 1), *value = calloc(1, facts->value_size + 8);
    int status = !key || !value ? cli_error("out of memory") : 0;
    int object_fd = -1;
    if (!status)
        status = parse_key(argc, argv, &next, facts, key, true);
    if (!status && (next >= argc || strcmp(argv[next], "value")))
        status = cli_error("map update: value VALUE expected");
    if (!status) {
        next++;
        if (facts->holds_objects) {
            status = parse_object_value(obj, facts, argc, argv, &next, &object_fd);
            memcpy(value, &object_fd, sizeof object_fd);
        } else {
            status = parse_bytes(argc, argv, &next, "value", value, facts->info.value_size);
            for (unsigned cpu = 1; cpu < facts->cpus; cpu++)
                memcpy(value + cpu * slot, value, facts->info.value_size);
        }
    }
    __u64 flags = BPF_ANY;
    if (!status && next < argc) {
        const char *word = argv[next++];
        if (!strcmp(word, "noexist"))
            flags = BPF_NOEXIST;
        else if (!strcmp(word, "exist"))
            flags = BPF_EXIST;
        else if (strcmp(word, "any"))
            status = cli_error("map update: unexpected '%s'", word);
    }
    if (!status && next < argc)
        status = cli_error("map update: unexpected '%s'", argv[next]);
    if (!status && bpf_map_update_elem(fd, facts->info.key_size ? key : NULL, value, flags)) {
        status = 1;
        fprintf(stderr, "bpfhost: map update: %s\n", strerror(errno));
    }
    if (object_fd >= 0)
        close(object_fd);
    free(key);
    free(value);
    return status;
}

static int map_delete(int fd, const struct map_facts *facts, int argc, char **argv, int next)
{
    uint8_t *key = calloc(1, facts->info.key_size + 1);
    int status = key ? parse_key(argc, argv, &next, facts, key, true) : cli_error("out of memory");
    if (!status && next < argc)
        status = cli_error("map delete: unexpected '%s'", argv[next]);
    if (!status && bpf_map_delete_elem(fd, key)) {
        status = 1;
        fprintf(stderr, "bpfhost: map delete: %s\n",
                errno == ENOENT ? "no such element" : strerror(errno));
    }
    free(key);
    return status;
}

/* --- dispatch ------------------------------------------------------------------------------- */

/* One subcommand on the loaded object: argv[0] is its name, FILE.o is not there. */
static int run_subcommand(struct loaded_object *obj, int argc, char **argv,
                          const struct map_output *out)
{
    const char *command = argv[0];
    if (!strcmp(command, "show"))
        return map_show(obj, argc, argv, 1, out);
    bool known = !strcmp(command, "dump") || !strcmp(command, "lookup") ||
                 !strcmp(command, "update") || !strcmp(command, "delete");
    if (!known)
        return cli_error("map: unknown subcommand '%s' (see bpfhost map --help)", command);
    int next = 1;
    int fd = loaded_object_select_map(obj, argc, argv, &next);
    if (fd < 0)
        return -fd;
    struct map_facts facts;
    int status = map_facts(fd, &facts);
    if (!status) {
        if (!strcmp(command, "dump"))
            status = next < argc ? cli_error("map dump: unexpected '%s'", argv[next])
                                 : map_dump(fd, &facts, out);
        else if (!strcmp(command, "lookup"))
            status = map_lookup(obj, fd, &facts, argc, argv, next, out);
        else if (!strcmp(command, "update"))
            status = map_update(obj, fd, &facts, argc, argv, next);
        else
            status = map_delete(fd, &facts, argc, argv, next);
    }
    close(fd);
    return status;
}

enum { SCRIPT_WORDS_MAX = 256 };

static int run_script(struct loaded_object *obj, const char *path, const struct map_output *out)
{
    FILE *script = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!script)
        return cli_error("%s: %s", path, strerror(errno));
    char line[4096];
    int status = 0, line_number = 0;
    while (!status && fgets(line, sizeof line, script)) {
        line_number++;
        char *words[SCRIPT_WORDS_MAX];
        int count = 0;
        for (char *save = NULL, *word = strtok_r(line, " \t\r\n", &save);
             word && *word != '#' && count < SCRIPT_WORDS_MAX;
             word = strtok_r(NULL, " \t\r\n", &save))
            words[count++] = word;
        if (!count)
            continue;
        status = run_subcommand(obj, count, words, out);
        if (status)
            fprintf(stderr, "bpfhost: %s:%d: the command failed\n", path, line_number);
    }
    if (script != stdin)
        fclose(script);
    return status;
}

/* map dump xdp IFACE: the maps of the program `bpfhost xdp attach` runs on IFACE, from that
 * process (its control socket), while it runs. */
static int map_dump_attached(int count, char **args, const struct map_output *out)
{
    if (strcmp(args[0], "dump") || count != 3)
        return cli_error("map: the maps of an attached XDP program can only be dumped: "
                         "bpfhost map dump xdp IFACE");
    if (out->json)
        return cli_error("map dump xdp: -j is not supported for attached programs yet");
    char msg[512];
    fflush(stdout);
    if (hook_xdp_registry_request(hook_xdp_registry_dir(), args[2], "maps", stdout, msg, sizeof msg))
        return cli_error("map dump xdp: %s", msg);
    return 0;
}

int cmd_map(int argc, char **argv)
{
    struct map_output out = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return cli_error("out of memory");
    int count = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
            out.json = true;
        else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
            out.json = out.pretty = true;
        else
            args[count++] = argv[i];
    }
    int status;
    if (count >= 2 && !strcmp(args[1], "xdp")) {
        status = map_dump_attached(count, args, &out);
    } else if (count < 2) {
        status = cli_error("map: usage: bpfhost map show|dump|lookup|update|delete|batch FILE.o "
                           "... (see bpfhost map --help)");
    } else {
        /* args: SUBCOMMAND FILE.o REST...; the subcommands see SUBCOMMAND REST... */
        const char *path = args[1];
        struct loaded_object obj;
        status = loaded_object_open(path, &obj);
        if (!status) {
            args[1] = args[0];
            if (!strcmp(args[0], "batch"))
                status = count == 3 ? run_script(&obj, args[2], &out)
                                    : cli_error("map batch: usage: bpfhost map batch FILE.o SCRIPT");
            else
                status = run_subcommand(&obj, count - 1, args + 1, &out);
            loaded_object_close(&obj);
        }
    }
    free(args);
    return status;
}
