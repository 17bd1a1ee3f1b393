/* libbpf's error conventions and name tables in the compatible API: libbpf_strerror,
 * libbpf_get_error, libbpf_prog_type_by_name, libbpf_attach_type_by_name. */
#include <bpf/libbpf.h>

#include <errno.h>
#include <string.h>

#include "test.h"

TEST(strerror_describes_system_and_libbpf_errors_of_either_sign)
{
    char buf[128];
    CHECK_EQ(libbpf_strerror(ENOENT, buf, sizeof buf), 0);
    CHECK_STR(buf, strerror(ENOENT));
    CHECK_EQ(libbpf_strerror(-EINVAL, buf, sizeof buf), 0);
    CHECK_STR(buf, strerror(EINVAL));
    CHECK_EQ(libbpf_strerror(LIBBPF_ERRNO__FORMAT, buf, sizeof buf), 0);
    CHECK_STR(buf, "BPF object format invalid");
    CHECK_EQ(libbpf_strerror(-LIBBPF_ERRNO__VERIFY, buf, sizeof buf), 0);
    CHECK_STR(buf, "Kernel verifier blocks program loading");
    CHECK_EQ(libbpf_strerror(LIBBPF_ERRNO__NLPARSE, buf, sizeof buf), 0);
    CHECK_STR(buf, "Incorrect netlink message parsing");
}

TEST(strerror_reports_unknown_errors_small_buffers_and_no_buffer)
{
    char buf[64];
    errno = 0;
    CHECK_EQ(libbpf_strerror(__LIBBPF_ERRNO__END + 5, buf, sizeof buf), -ENOENT);
    CHECK_EQ(errno, ENOENT);
    CHECK_STR(buf, "Unknown libbpf error 4019");
    CHECK_EQ(libbpf_strerror(INT32_MIN, buf, sizeof buf), -ENOENT);
    char small[8];
    CHECK_EQ(libbpf_strerror(LIBBPF_ERRNO__FORMAT, small, sizeof small), -ERANGE);
    CHECK_STR(small, "BPF obj"); /* truncated, still terminated */
    CHECK_EQ(libbpf_strerror(ENOENT, small, sizeof small), -ERANGE);
    CHECK_EQ(strlen(small), 7);
    CHECK_EQ(libbpf_strerror(ENOENT, NULL, 10), -EINVAL);
    CHECK_EQ(libbpf_strerror(ENOENT, buf, 0), -EINVAL);
}

TEST(get_error_is_minus_errno_for_null_and_zero_otherwise)
{
    int something = 0;
    errno = EPERM;
    CHECK_EQ(libbpf_get_error(&something), 0);
    CHECK_EQ(libbpf_get_error(NULL), -EPERM);
    libbpf_print_fn_t old = libbpf_set_print(NULL);
    errno = 0;
    CHECK(bpf_object__open("no/such/file.bpf.o") == NULL);
    libbpf_set_print(old);
    CHECK_EQ(libbpf_get_error(NULL), -ENOENT);
}

TEST(prog_type_by_name_follows_libbpfs_section_table)
{
    enum bpf_prog_type type;
    enum bpf_attach_type attach;
    CHECK_EQ(libbpf_prog_type_by_name("xdp", &type, &attach), 0);
    CHECK_EQ(type, BPF_PROG_TYPE_XDP);
    CHECK_EQ(attach, BPF_XDP);
    CHECK_EQ(libbpf_prog_type_by_name("cgroup/connect4", &type, &attach), 0);
    CHECK_EQ(type, BPF_PROG_TYPE_CGROUP_SOCK_ADDR);
    CHECK_EQ(attach, BPF_CGROUP_INET4_CONNECT);
    CHECK_EQ(libbpf_prog_type_by_name("kprobe/do_unlinkat", &type, &attach), 0);
    CHECK_EQ(type, BPF_PROG_TYPE_KPROBE);
    CHECK_EQ(libbpf_prog_type_by_name("socket", &type, &attach), 0);
    CHECK_EQ(type, BPF_PROG_TYPE_SOCKET_FILTER);
    /* bpfhost's eBPF for Windows sections. */
    CHECK_EQ(libbpf_prog_type_by_name("bind", &type, &attach), 0);
    CHECK(type != BPF_PROG_TYPE_UNSPEC);
    errno = 0;
    CHECK_EQ(libbpf_prog_type_by_name("no_such_section", &type, &attach), -ESRCH);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(libbpf_prog_type_by_name(NULL, &type, &attach), -EINVAL);
    CHECK_EQ(libbpf_prog_type_by_name("xdp", NULL, &attach), -EINVAL);
    CHECK_EQ(libbpf_prog_type_by_name("xdp", &type, NULL), -EINVAL);
}

TEST(attach_type_by_name_only_for_attachable_sections)
{
    enum bpf_attach_type attach = 0;
    CHECK_EQ(libbpf_attach_type_by_name("cgroup/bind4", &attach), 0);
    CHECK_EQ(attach, BPF_CGROUP_INET4_BIND);
    CHECK_EQ(libbpf_attach_type_by_name("cgroup_skb/egress", &attach), 0);
    CHECK_EQ(attach, BPF_CGROUP_INET_EGRESS);
    CHECK_EQ(libbpf_attach_type_by_name("sk_skb/stream_verdict", &attach), 0);
    CHECK_EQ(attach, BPF_SK_SKB_STREAM_VERDICT);
    CHECK_EQ(libbpf_attach_type_by_name("xdp", &attach), 0);
    CHECK_EQ(attach, BPF_XDP);
    CHECK_EQ(libbpf_attach_type_by_name("sk_lookup", &attach), 0);
    CHECK_EQ(attach, BPF_SK_LOOKUP);
    /* Known to libbpf, but not attached by attach type. */
    CHECK_EQ(libbpf_attach_type_by_name("cgroup/skb", &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name("sk_skb", &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name("xdp.frags", &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name("kprobe/x", &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name("socket", &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name("fentry/x", &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name("no_such_section", &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name(NULL, &attach), -EINVAL);
    CHECK_EQ(libbpf_attach_type_by_name("xdp", NULL), -EINVAL);
}

TEST_MAIN
