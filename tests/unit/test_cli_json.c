/* The bpfhost tool's JSON writer (tools/bpfhost/json.c is compiled into this test: tools are
 * not part of the library) and its type-name tables. */
#include "test.h"

#include <stdlib.h>

#include "../../tools/bpfhost/json.c"
#include "../../tools/bpfhost/type_names.c"

/* Runs fn on a writer over a memory stream and returns what it wrote (caller frees). */
static char *capture(void (*fn)(struct json_writer *), bool pretty)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    struct json_writer w;
    json_init(&w, out, pretty);
    fn(&w);
    fclose(out);
    return text;
}

static void nested(struct json_writer *w)
{
    json_begin_object(w);
    json_key_string(w, "name", "xdp");
    json_key_uint(w, "big", UINT64_MAX);
    json_key_int(w, "neg", -5);
    json_key_bool(w, "yes", true);
    json_key_string(w, "none", NULL);
    json_key(w, "list");
    json_begin_array(w);
    json_uint(w, 1);
    json_begin_object(w);
    json_end_object(w);
    json_begin_array(w);
    json_end_array(w);
    json_null(w);
    json_end_array(w);
    json_end_object(w);
    json_finish(w);
}

TEST(compact_document)
{
    char *s = capture(nested, false);
    CHECK_STR(s, "{\"name\":\"xdp\",\"big\":18446744073709551615,\"neg\":-5,\"yes\":true,"
                 "\"none\":null,\"list\":[1,{},[],null]}\n");
    free(s);
}

TEST(pretty_document)
{
    char *s = capture(nested, true);
    CHECK_STR(s, "{\n  \"name\": \"xdp\",\n  \"big\": 18446744073709551615,\n  \"neg\": -5,\n"
                 "  \"yes\": true,\n  \"none\": null,\n  \"list\": [\n    1,\n    {},\n    [],\n"
                 "    null\n  ]\n}\n");
    free(s);
}

static char *escaped(const char *in)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    json_write_escaped(out, in);
    fclose(out);
    return text;
}

TEST(escapes_quotes_backslashes_and_controls)
{
    char *s = escaped("a\"b\\c\nd\te\r\x01\x1f\x7f");
    CHECK_STR(s, "\"a\\\"b\\\\c\\nd\\te\\r\\u0001\\u001f\\u007f\"");
    free(s);
}

TEST(keeps_valid_utf8)
{
    char *s = escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d");
    CHECK_STR(s, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d\"");
    free(s);
}

TEST(escapes_bytes_that_are_not_utf8)
{
    /* Lone continuation, truncated sequence at the end, overlong '/', a surrogate, above
     * U+10FFFF, an invalid lead byte. */
    char *s = escaped("\x80|\xc3|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xff|\xe2\x82");
    CHECK_STR(s, "\"\\u0080|\\u00c3|\\u00c0\\u00af|\\u00ed\\u00a0\\u0080|"
                 "\\u00f4\\u0090\\u0080\\u0080|\\u00ff|\\u00e2\\u0082\"");
    free(s);
}

enum { DEEP = 100 };

static void deep(struct json_writer *w)
{
    for (int i = 0; i < DEEP; i++)
        json_begin_array(w);
    json_uint(w, 7);
    for (int i = 0; i < DEEP; i++)
        json_end_array(w);
}

TEST(deep_nesting_stays_well_formed)
{
    char *s = capture(deep, false);
    CHECK(s && strlen(s) == 2 * DEEP + 1);
    CHECK_CONTAINS(s, "[[7]]");
    free(s);
}

TEST(type_names_follow_linux)
{
    CHECK_STR(cli_prog_type_name(EBPF_PROG_TYPE_XDP), "xdp");
    CHECK_STR(cli_prog_type_name(EBPF_PROG_TYPE_CGROUP_SOCK_ADDR), "cgroup_sock_addr");
    CHECK_STR(cli_prog_type_name(EBPF_PROG_TYPE_SYSCALL), "syscall");
    CHECK(cli_prog_type_name(EBPF_PROG_TYPE_SYSCALL + 1) == NULL);
    CHECK_STR(cli_prog_type_name(EBPF_PROG_TYPE_HOST_BIND), "bind");
    CHECK_STR(cli_prog_type_name(EBPF_PROG_TYPE_HOST_PROCESS), "process");
    CHECK(cli_prog_type_name(EBPF_PROG_TYPE_HOST_PROCESS + 1) == NULL);

    CHECK_STR(cli_attach_type_name(EBPF_PROG_TYPE_CGROUP_SOCK_ADDR, EBPF_CGROUP_INET4_BIND),
              "cgroup_inet4_bind");
    CHECK_STR(cli_attach_type_name(EBPF_PROG_TYPE_XDP, EBPF_XDP), "xdp");
    CHECK_STR(cli_attach_type_name(EBPF_PROG_TYPE_LSM, EBPF_LSM_CGROUP), "lsm_cgroup");
    CHECK_STR(cli_attach_type_name(EBPF_PROG_TYPE_SOCKET_FILTER, 0), "none");
    CHECK_STR(cli_attach_type_name(EBPF_PROG_TYPE_CGROUP_SKB, 0), "cgroup_inet_ingress");
    CHECK_STR(cli_attach_type_name(EBPF_PROG_TYPE_HOST_BIND, EBPF_ATTACH_HOST_BIND), "bind");
    CHECK(cli_attach_type_name(EBPF_PROG_TYPE_XDP, EBPF_LSM_CGROUP + 1) == NULL);

    CHECK_STR(cli_map_type_name(1), "hash");
    CHECK_STR(cli_map_type_name(5), "percpu_hash");
    CHECK_STR(cli_map_type_name(27), "ringbuf");
    CHECK_STR(cli_map_type_name(32), "cgrp_storage");
    CHECK(cli_map_type_name(33) == NULL);
    CHECK(cli_map_type_name(UINT32_MAX) == NULL);
}

TEST_MAIN
