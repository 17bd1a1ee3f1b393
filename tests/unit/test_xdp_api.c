/* XDP through the libbpf API (bpf_xdp_attach / detach / query, bpf_link_create, the bpf_link
 * object functions, bpfhost_xdp_attach_inline) with the errors Linux gives. Argument errors
 * need nothing; attachments run on the loopback of a private network namespace (CAP_SYS_ADMIN
 * and CAP_NET_RAW; skipped with a SKIP line without them). Expected errnos were taken from
 * Linux 6.x with libbpf 1.1 on a veth. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/bpfhost.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"
#include "test_loopback.h"

static int load(enum bpf_prog_type type, int r0)
{
    const struct bpf_insn insns[] = {
        {.code = 0xb7, .dst_reg = 0, .imm = r0}, /* r0 = imm */
        {.code = 0x95},                          /* exit */
    };
    int fd = bpf_prog_load(type, "returns", "GPL", insns, 2, NULL);
    CHECK(fd >= 0);
    return fd;
}

static __u32 prog_id(int fd)
{
    struct bpf_prog_info info = {0};
    __u32 len = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
    return info.id;
}

static __u32 attached_id(int ifindex, int flags)
{
    __u32 id = 12345;
    CHECK_EQ(bpf_xdp_query_id(ifindex, flags, &id), 0);
    return id;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap) { return 0; }

TEST(argument_errors_come_before_any_interface_is_touched)
{
    libbpf_set_print(quiet);
    int xdp = load(BPF_PROG_TYPE_XDP, XDP_PASS), filter = load(BPF_PROG_TYPE_SOCKET_FILTER, 0);
    int lo = (int)if_nametoindex("lo");
    CHECK_EQ(bpf_xdp_attach(0, xdp, 0, NULL), -EINVAL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(bpf_xdp_attach(-1, xdp, 0, NULL), -EINVAL);
    CHECK_EQ(bpf_xdp_attach(999999, xdp, 0, NULL), -ENODEV);
    CHECK_EQ(bpf_xdp_attach(999999, xdp, 0x100, NULL), -ENODEV); /* the device is looked up first */
    CHECK_EQ(bpf_xdp_detach(999999, 0, NULL), -ENODEV);
    CHECK_EQ(bpf_xdp_attach(lo, xdp, 0x100, NULL), -EINVAL);
    CHECK_EQ(bpf_xdp_attach(lo, xdp, XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE, NULL), -EINVAL);
    CHECK_EQ(bpf_xdp_attach(lo, xdp, XDP_FLAGS_HW_MODE, NULL), -EINVAL);
    CHECK_EQ(bpf_xdp_attach(lo, filter, 0, NULL), -EINVAL);
    CHECK_EQ(bpf_xdp_attach(lo, 999, 0, NULL), -EBADF);
    LIBBPF_OPTS(bpf_xdp_attach_opts, old_filter, .old_prog_fd = filter);
    CHECK_EQ(bpf_xdp_attach(lo, xdp, 0, &old_filter), -EINVAL);
    LIBBPF_OPTS(bpf_xdp_attach_opts, old_bad, .old_prog_fd = 999);
    CHECK_EQ(bpf_xdp_attach(lo, xdp, 0, &old_bad), -EBADF);
    struct {
        struct bpf_xdp_attach_opts opts;
        __u64 newer;
    } future = {.opts = {.sz = sizeof future}, .newer = 1};
    CHECK_EQ(bpf_xdp_attach(lo, xdp, 0, &future.opts), -EINVAL);

    __u32 id = 7;
    CHECK_EQ(bpf_xdp_query_id(999999, 0, &id), 0); /* libbpf's netlink dump finds nothing */
    CHECK_EQ(id, 0);
    CHECK_EQ(bpf_xdp_query_id(lo, 0x100, &id), -EINVAL);
    CHECK_EQ(bpf_xdp_query_id(lo, XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE, &id), -EINVAL);
    CHECK_EQ(bpf_xdp_query_id(lo, 0, NULL), -EINVAL);

    CHECK_EQ(bpf_link_create(999, lo, BPF_XDP, NULL), -EBADF);
    CHECK_EQ(bpf_link_create(filter, lo, BPF_XDP, NULL), -EINVAL);
    CHECK_EQ(bpf_link_create(xdp, 0, BPF_XDP, NULL), -EINVAL);
    CHECK_EQ(bpf_link_create(xdp, 999999, BPF_XDP, NULL), -EINVAL); /* not -ENODEV: link_create's */
    CHECK_EQ(bpf_link_create(xdp, lo, BPF_XDP_DEVMAP, NULL), -EINVAL);
    CHECK_EQ(bpf_link_create(filter, lo, BPF_CGROUP_INET_INGRESS, NULL), -EOPNOTSUPP);
    LIBBPF_OPTS(bpf_link_create_opts, noexist, .flags = XDP_FLAGS_UPDATE_IF_NOEXIST);
    CHECK_EQ(bpf_link_create(xdp, lo, BPF_XDP, &noexist), -EINVAL);
    LIBBPF_OPTS(bpf_link_create_opts, two_modes, .flags = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE);
    CHECK_EQ(bpf_link_create(xdp, lo, BPF_XDP, &two_modes), -EINVAL);
    LIBBPF_OPTS(bpf_link_create_opts, iter, .iter_info_len = 4);
    CHECK_EQ(bpf_link_create(xdp, lo, BPF_XDP, &iter), -EINVAL);

    CHECK_EQ(bpfhost_xdp_attach_inline(lo, 999999, xdp, NULL), -ENODEV);
    CHECK_EQ(bpfhost_xdp_attach_inline(lo, 0, xdp, NULL), -EINVAL);
    CHECK_EQ(bpfhost_xdp_attach_inline(lo, lo, xdp, NULL), -EINVAL);
    CHECK_EQ(bpfhost_xdp_attach_inline(lo, lo, -1, NULL), -EBADF);
    CHECK_EQ(bpfhost_xdp_attach_inline(999999, lo, xdp, NULL), -ENODEV);
    LIBBPF_OPTS(bpfhost_xdp_opts, bad_flags, .flags = 0x100);
    CHECK_EQ(bpfhost_xdp_attach_inline(lo, 999999, xdp, &bad_flags), -ENODEV);

    CHECK_EQ(bpfhost_xdp_link_create_inline(lo, 999999, xdp, NULL), -ENODEV);
    CHECK_EQ(bpfhost_xdp_link_create_inline(lo, lo, 999, NULL), -EBADF);
    CHECK_EQ(bpfhost_xdp_link_create_inline(lo, lo, filter, NULL), -EINVAL);
    CHECK_EQ(bpfhost_xdp_link_create_inline(lo, lo, xdp, NULL), -EINVAL); /* the peer is itself */
    CHECK_EQ(bpfhost_xdp_link_create_inline(0, lo, xdp, NULL), -EINVAL);
    LIBBPF_OPTS(bpfhost_xdp_opts, with_old, .old_prog_fd = xdp);
    CHECK_EQ(bpfhost_xdp_link_create_inline(lo, lo, xdp, &with_old), -EINVAL);
    LIBBPF_OPTS(bpfhost_xdp_opts, link_noexist, .flags = XDP_FLAGS_UPDATE_IF_NOEXIST);
    CHECK_EQ(bpfhost_xdp_link_create_inline(lo, lo, xdp, &link_noexist), -EINVAL);

    struct bpfhost_xdp_counters counters = {.sz = sizeof counters};
    CHECK_EQ(bpfhost_xdp_query_counters(lo, &counters), -ENOENT);
    CHECK_EQ(bpfhost_xdp_query_counters(lo, NULL), -EINVAL);
    CHECK_EQ(bpf_link__fd(NULL), -EINVAL);
    CHECK_EQ(bpf_link__detach(NULL), -EINVAL);
    CHECK_EQ(bpf_link__update_program(NULL, NULL), -EINVAL);
    CHECK_EQ(bpf_link__destroy(NULL), 0);
    CHECK(bpf_program__attach_xdp(NULL, lo) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(bpf_link__pin(NULL, "/sys/fs/bpf/x"), -EINVAL);
    CHECK_EQ(bpf_link__unpin(NULL), -EINVAL);
    CHECK(bpf_link__pin_path(NULL) == NULL);
    CHECK(bpf_link__open("/sys/fs/bpf/no_such_link") == NULL);
    CHECK_EQ(errno, ENOENT);
    close(xdp);
    close(filter);
    libbpf_set_print(NULL);
}


/* The counters once drop + pass reach frames (2 s at most). */
static struct bpfhost_xdp_counters wait_for_frames(int ifindex, __u64 frames)
{
    struct bpfhost_xdp_counters c = {.sz = sizeof c};
    for (int i = 0; i < 200; i++) {
        CHECK_EQ(bpfhost_xdp_query_counters(ifindex, &c), 0);
        if (c.drop + c.pass >= frames)
            break;
        poll(NULL, 0, 10);
    }
    return c;
}

TEST(attach_replace_and_detach_follow_linux_rules)
{
    if (!test_private_loopback("xdp api"))
        return;
    libbpf_set_print(quiet);
    int lo = (int)if_nametoindex("lo");
    int pass = load(BPF_PROG_TYPE_XDP, XDP_PASS), drop = load(BPF_PROG_TYPE_XDP, XDP_DROP);
    CHECK_EQ(bpf_xdp_detach(lo, 0, NULL), 0); /* nothing attached: nothing to do */
    CHECK_EQ(attached_id(lo, 0), 0);
    CHECK_EQ(bpf_xdp_attach(lo, pass, 0, NULL), 0);
    CHECK_EQ(attached_id(lo, 0), prog_id(pass));
    CHECK_EQ(attached_id(lo, XDP_FLAGS_DRV_MODE), prog_id(pass));
    CHECK_EQ(attached_id(lo, XDP_FLAGS_SKB_MODE), 0);
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    CHECK_EQ(bpf_xdp_query(lo, 0, &q), 0);
    CHECK_EQ(q.prog_id, prog_id(pass));
    CHECK_EQ(q.drv_prog_id, prog_id(pass));
    CHECK_EQ(q.skb_prog_id, 0);
    CHECK_EQ(q.attach_mode, XDP_ATTACHED_DRV);

    CHECK_EQ(bpf_xdp_attach(lo, drop, XDP_FLAGS_UPDATE_IF_NOEXIST, NULL), -EBUSY);
    CHECK_EQ(bpf_xdp_attach(lo, drop, XDP_FLAGS_SKB_MODE, NULL), -EEXIST); /* native and generic */
    CHECK_EQ(bpf_xdp_detach(lo, XDP_FLAGS_SKB_MODE, NULL), 0);           /* the generic slot is empty */
    CHECK_EQ(attached_id(lo, 0), prog_id(pass));
    LIBBPF_OPTS(bpf_xdp_attach_opts, expect_drop, .old_prog_fd = drop);
    CHECK_EQ(bpf_xdp_attach(lo, drop, XDP_FLAGS_REPLACE, &expect_drop), -EEXIST);
    CHECK_EQ(bpf_xdp_attach(lo, drop, 0, &expect_drop), -EEXIST); /* old_prog_fd implies REPLACE */
    CHECK_EQ(bpf_xdp_attach(lo, drop, XDP_FLAGS_REPLACE, NULL), -EEXIST); /* expects nothing */

    /* Replacing the program of the running datapath: the counters go on. */
    test_send_datagrams(3);
    struct bpfhost_xdp_counters c = wait_for_frames(lo, 3);
    CHECK_EQ(c.pass, 3);
    CHECK_EQ(c.mode, 0);
    LIBBPF_OPTS(bpf_xdp_attach_opts, expect_pass, .old_prog_fd = pass);
    CHECK_EQ(bpf_xdp_attach(lo, drop, XDP_FLAGS_REPLACE, &expect_pass), 0);
    CHECK_EQ(attached_id(lo, 0), prog_id(drop));
    close(drop); /* the attachment holds the program */
    test_send_datagrams(4);
    c = wait_for_frames(lo, 7);
    CHECK_EQ(c.pass, 3);
    CHECK_EQ(c.drop, 4);
    CHECK_EQ(bpf_xdp_attach(lo, pass, 0, NULL), 0); /* a plain attach replaces too */
    CHECK_EQ(bpf_xdp_attach(lo, pass, 0, NULL), 0); /* and the same program again is nothing */
    test_send_datagrams(2);
    c = wait_for_frames(lo, 9);
    CHECK_EQ(c.pass, 5);
    CHECK_EQ(c.drop, 4);

    CHECK_EQ(bpf_xdp_detach(lo, 0, &expect_drop), -EBADF); /* its fd is closed */
    int other = load(BPF_PROG_TYPE_XDP, XDP_PASS);
    LIBBPF_OPTS(bpf_xdp_attach_opts, expect_other, .old_prog_fd = other);
    CHECK_EQ(bpf_xdp_detach(lo, 0, &expect_other), -EEXIST);
    CHECK_EQ(bpf_xdp_detach(lo, XDP_FLAGS_UPDATE_IF_NOEXIST, NULL), 0);
    CHECK_EQ(attached_id(lo, 0), 0);
    CHECK_EQ(bpfhost_xdp_query_counters(lo, &c), -ENOENT);

    /* The generic slot, and a plain attach of a closed program fd. */
    CHECK_EQ(bpf_xdp_attach(lo, other, XDP_FLAGS_SKB_MODE, NULL), 0);
    CHECK_EQ(attached_id(lo, XDP_FLAGS_SKB_MODE), prog_id(other));
    CHECK_EQ(attached_id(lo, XDP_FLAGS_DRV_MODE), 0);
    CHECK_EQ(bpf_xdp_query(lo, 0, &q), 0);
    CHECK_EQ(q.skb_prog_id, prog_id(other));
    CHECK_EQ(q.drv_prog_id, 0);
    CHECK_EQ(q.attach_mode, XDP_ATTACHED_SKB);
    CHECK_EQ(bpf_xdp_attach(lo, pass, 0, NULL), -EEXIST);
    CHECK_EQ(bpf_xdp_detach(lo, XDP_FLAGS_SKB_MODE, NULL), 0);
    CHECK_EQ(attached_id(lo, 0), 0);
    close(pass);
    close(other);
    libbpf_set_print(NULL);
}

TEST(links_hold_the_interface_until_detached)
{
    if (!test_private_loopback("xdp api"))
        return;
    libbpf_set_print(quiet);
    int lo = (int)if_nametoindex("lo");
    int pass = load(BPF_PROG_TYPE_XDP, XDP_PASS), drop = load(BPF_PROG_TYPE_XDP, XDP_DROP);
    int filter = load(BPF_PROG_TYPE_SOCKET_FILTER, 0);
    CHECK_EQ(bpf_xdp_attach(lo, pass, 0, NULL), 0);
    CHECK_EQ(bpf_link_create(drop, lo, BPF_XDP, NULL), -EBUSY); /* a program holds it */
    CHECK_EQ(bpf_xdp_detach(lo, 0, NULL), 0);

    int link = bpf_link_create(pass, lo, BPF_XDP, NULL);
    CHECK(link >= 0);
    CHECK_EQ(attached_id(lo, 0), prog_id(pass));
    CHECK_EQ(bpf_link_create(drop, lo, BPF_XDP, NULL), -EBUSY);
    LIBBPF_OPTS(bpf_link_create_opts, generic, .flags = XDP_FLAGS_SKB_MODE);
    CHECK_EQ(bpf_link_create(drop, lo, BPF_XDP, &generic), -EEXIST);
    CHECK_EQ(bpf_xdp_attach(lo, drop, 0, NULL), -EBUSY);
    CHECK_EQ(bpf_xdp_attach(lo, drop, XDP_FLAGS_UPDATE_IF_NOEXIST, NULL), -EBUSY);
    CHECK_EQ(bpf_xdp_detach(lo, 0, NULL), -EBUSY);
    struct bpf_link_info info = {0};
    __u32 len = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(link, &info, &len), 0);
    CHECK_EQ(info.type, BPF_LINK_TYPE_XDP);
    CHECK_EQ(info.prog_id, prog_id(pass));
    CHECK_EQ(info.xdp.ifindex, lo);

    test_send_datagrams(2);
    struct bpfhost_xdp_counters c = wait_for_frames(lo, 2);
    CHECK_EQ(c.pass, 2);
    CHECK_EQ(bpf_link_update(link, filter, NULL), -EINVAL);
    CHECK_EQ(bpf_link_update(link, drop, NULL), 0);
    CHECK_EQ(attached_id(lo, 0), prog_id(drop));
    test_send_datagrams(3);
    c = wait_for_frames(lo, 5);
    CHECK_EQ(c.pass, 2);
    CHECK_EQ(c.drop, 3);
    LIBBPF_OPTS(bpf_link_update_opts, expect_pass, .flags = BPF_F_REPLACE, .old_prog_fd = pass);
    CHECK_EQ(bpf_link_update(link, pass, &expect_pass), -EPERM);
    CHECK_EQ(bpf_link_update(link, drop, NULL), 0); /* the same program: nothing changes */

    CHECK_EQ(bpf_link_detach(link), 0);
    CHECK_EQ(attached_id(lo, 0), 0);
    CHECK_EQ(bpf_link_update(link, pass, NULL), -ENOLINK);
    len = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(link, &info, &len), 0);
    CHECK_EQ(info.xdp.ifindex, 0); /* detached, as Linux reports it */
    close(link);

    /* Closing the last fd of a link detaches it. */
    link = bpf_link_create(drop, lo, BPF_XDP, &generic);
    CHECK(link >= 0);
    CHECK_EQ(attached_id(lo, XDP_FLAGS_SKB_MODE), prog_id(drop));
    close(link);
    CHECK_EQ(attached_id(lo, 0), 0);
    CHECK_EQ(bpf_xdp_attach(lo, pass, 0, NULL), 0);
    CHECK_EQ(bpf_xdp_detach(lo, 0, NULL), 0);
    close(pass);
    close(drop);
    close(filter);
    libbpf_set_print(NULL);
}

TEST(object_api_attaches_a_program_of_an_object)
{
    if (!test_private_loopback("xdp api"))
        return;
    libbpf_set_print(quiet);
    int lo = (int)if_nametoindex("lo");
    struct bpf_object *obj = bpf_object__open_file("build/bpf/xdp_reflect.bpf.o", NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct bpf_program *prog = bpf_object__next_program(obj, NULL);
    CHECK(bpf_program__attach_xdp(prog, lo) == NULL); /* not loaded yet */
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(bpf_object__load(obj), 0);
    struct bpf_link *link = bpf_program__attach_xdp(prog, lo);
    CHECK(link != NULL);
    CHECK(bpf_link__fd(link) >= 0);
    CHECK_EQ(attached_id(lo, 0), prog_id(bpf_program__fd(prog)));
    CHECK(bpf_program__attach_xdp(prog, lo) == NULL);
    CHECK_EQ(errno, EBUSY);
    CHECK_EQ(bpf_link__update_program(link, prog), 0);
    CHECK_EQ(bpf_link__destroy(link), 0); /* closes the fd: detached at once */
    CHECK_EQ(attached_id(lo, 0), 0);

    /* A disconnected link is left attached by destroy; its fd stays the application's. */
    link = bpf_program__attach_xdp(prog, lo);
    CHECK(link != NULL);
    int fd = bpf_link__fd(link);
    bpf_link__disconnect(link);
    CHECK_EQ(bpf_link__destroy(link), 0);
    CHECK_EQ(attached_id(lo, 0), prog_id(bpf_program__fd(prog)));
    CHECK_EQ(bpf_link_detach(fd), 0);
    CHECK_EQ(attached_id(lo, 0), 0);
    close(fd);
    /* A pinned link outlives its object until unpinned. */
    link = bpf_program__attach_xdp(prog, lo);
    CHECK_EQ(bpf_link__pin(link, "/sys/fs/bpf/xdp_api_link"), 0);
    CHECK_EQ(bpf_link__pin(link, "/sys/fs/bpf/xdp_api_link2"), -EBUSY);
    CHECK_STR(bpf_link__pin_path(link), "/sys/fs/bpf/xdp_api_link");
    CHECK_EQ(bpf_link__destroy(link), 0);
    CHECK_EQ(attached_id(lo, 0), prog_id(bpf_program__fd(prog)));
    link = bpf_link__open("/sys/fs/bpf/xdp_api_link");
    CHECK(link != NULL);
    CHECK_STR(bpf_link__pin_path(link), "/sys/fs/bpf/xdp_api_link");
    CHECK_EQ(bpf_link__update_program(link, prog), 0);
    CHECK_EQ(bpf_link__unpin(link), 0);
    CHECK(bpf_link__pin_path(link) == NULL);
    CHECK_EQ(bpf_link__unpin(link), -EINVAL);
    CHECK_EQ(bpf_link__destroy(link), 0); /* the last holder */
    CHECK_EQ(attached_id(lo, 0), 0);

    link = bpf_program__attach_xdp(prog, lo);
    CHECK_EQ(bpf_link__detach(link), 0);
    CHECK_EQ(attached_id(lo, 0), 0);
    CHECK_EQ(bpf_link__destroy(link), 0);
    bpf_object__close(obj);
    libbpf_set_print(NULL);
}

/* A skeleton's destroy destroys the links the application stored in it, as libbpf's does. */
TEST(skeleton_destroy_detaches_the_links_the_application_made)
{
    if (!test_private_loopback("xdp api"))
        return;
    int lo = (int)if_nametoindex("lo");
    FILE *file = fopen("build/bpf/xdp_reflect.bpf.o", "rb");
    CHECK(file != NULL);
    if (!file)
        return;
    static char bytes[1 << 16];
    size_t size = fread(bytes, 1, sizeof bytes, file);
    fclose(file);
    struct bpf_object *obj = NULL;
    struct bpf_program *prog = NULL;
    struct bpf_link *link = NULL;
    struct bpf_object_skeleton *s = calloc(1, sizeof *s);
    struct bpf_prog_skeleton *progs = calloc(1, sizeof *progs);
    *progs = (struct bpf_prog_skeleton){.name = "xdp_reflect", .prog = &prog, .link = &link};
    *s = (struct bpf_object_skeleton){.sz = sizeof *s, .name = "xdp_reflect", .data = bytes, .data_sz = size,
                                      .obj = &obj, .prog_cnt = 1, .prog_skel_sz = sizeof *progs, .progs = progs};
    CHECK_EQ(bpf_object__open_skeleton(s, NULL), 0);
    CHECK_EQ(bpf_object__load_skeleton(s), 0);
    CHECK_EQ(bpf_object__attach_skeleton(s), 0);
    CHECK(link == NULL); /* libbpf does not auto-attach XDP programs */
    link = bpf_program__attach_xdp(prog, lo);
    CHECK(link != NULL);
    CHECK_EQ(attached_id(lo, 0), prog_id(bpf_program__fd(prog)));
    bpf_object__destroy_skeleton(s);
    CHECK_EQ(attached_id(lo, 0), 0);
}

TEST_MAIN
