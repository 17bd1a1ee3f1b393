/* bpfhost prog show: bpftool's listing of loaded programs, over the programs of an object
 * file loaded by this invocation (see loaded_object.h), through the libbpf-compatible API. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "loaded_object.h"

enum { MAP_IDS_MAX = 64 };

static int show_one(int fd, bool json, struct json_writer *w)
{
    __u32 map_ids[MAP_IDS_MAX];
    struct bpf_prog_info info = {.nr_map_ids = MAP_IDS_MAX, .map_ids = (uintptr_t)map_ids};
    __u32 length = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &length))
        return cli_error("cannot read the program's information: %s", strerror(errno));
    __u32 shown = info.nr_map_ids < MAP_IDS_MAX ? info.nr_map_ids : MAP_IDS_MAX;
    const char *type = cli_prog_type_name(info.type);
    if (json) {
        json_begin_object(w);
        json_key_uint(w, "id", info.id);
        if (type)
            json_key_string(w, "type", type);
        else
            json_key_uint(w, "type", info.type);
        json_key_string(w, "name", info.name);
        json_key_uint(w, "bytes_xlated", info.xlated_prog_len);
        json_key_bool(w, "jited", info.jited_prog_len != 0);
        if (info.jited_prog_len)
            json_key_uint(w, "bytes_jited", info.jited_prog_len);
        json_key_uint(w, "verified_insns", info.verified_insns);
        json_key(w, "map_ids");
        json_begin_array(w);
        for (__u32 i = 0; i < shown; i++)
            json_uint(w, map_ids[i]);
        json_end_array(w);
        json_end_object(w);
        return 0;
    }
    if (type)
        printf("%u: %s  name %s\n", info.id, type, info.name);
    else
        printf("%u: type %u  name %s\n", info.id, info.type, info.name);
    printf("\txlated %uB  ", info.xlated_prog_len);
    if (info.jited_prog_len)
        printf("jited %uB", info.jited_prog_len);
    else
        printf("not jited");
    if (shown) {
        printf("  map_ids ");
        for (__u32 i = 0; i < shown; i++)
            printf("%s%u", i ? "," : "", map_ids[i]);
    }
    printf("\n\tverified_insns %u\n", info.verified_insns);
    return 0;
}

int cmd_prog_show(int argc, char **argv)
{
    bool json = false, pretty = false;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return cli_error("out of memory");
    int count = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
            json = true;
        else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
            json = pretty = true;
        else
            args[count++] = argv[i];
    }
    if (count < 1) {
        free(args);
        return cli_error("prog show: usage: bpfhost prog show FILE.o [PROG] [-j|-p]");
    }
    struct loaded_object obj;
    int status = loaded_object_open(args[0], &obj);
    if (status) {
        free(args);
        return status;
    }
    struct json_writer w;
    json_init(&w, stdout, pretty);
    if (count > 1) {
        int next = 1;
        int fd = loaded_object_select_prog(&obj, count, args, &next);
        if (fd < 0)
            status = -fd;
        else if (next < count)
            status = cli_error("prog show: unexpected '%s'", args[next]);
        else
            status = show_one(fd, json, &w);
        if (fd >= 0)
            close(fd);
    } else {
        if (json)
            json_begin_array(&w);
        __u32 id = 0;
        while (!status && bpf_prog_get_next_id(id, &id) == 0) {
            int fd = bpf_prog_get_fd_by_id(id);
            if (fd < 0)
                continue;
            status = show_one(fd, json, &w);
            close(fd);
        }
        if (json)
            json_end_array(&w);
    }
    if (json && !status)
        json_finish(&w);
    loaded_object_close(&obj);
    free(args);
    return status;
}
