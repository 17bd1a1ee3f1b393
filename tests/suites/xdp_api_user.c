/* A loader written for libbpf: it opens the firewall example, attaches it to interfaces with
 * libbpf's XDP functions, sends traffic (commands run through system()), reads the program's
 * counters map with bpf_map_lookup_elem, replaces the program and detaches. The xdp_api suite
 * compiles it against the system's libbpf headers (syntax only) and against bpfhost's
 * include/, and runs the latter inside the namespaces it made.
 *
 *   xdp_api_user FIREWALL.o INLINE_IF PEER_IF NS_A OBSERVE_IF NS_C
 *
 * INLINE_IF and PEER_IF carry traffic between namespace NS_A (198.18.9.1) and a host at
 * 198.18.9.2 once bpfhost runs inline between them; OBSERVE_IF (198.18.10.1) is reached from
 * NS_C (198.18.10.2). PEER_IF is removed at the end of the inline part. Prints PASS/FAIL per check and "N passed, N failed". */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if __has_include(<bpf/bpfhost.h>)
#include <bpf/bpfhost.h>
#define HAVE_BPFHOST 1
#endif

static int passed, failed;

static void check(bool ok, const char *name)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    fflush(stdout);
    if (ok)
        passed++;
    else
        failed++;
}

static bool run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool run(const char *fmt, ...)
{
    char command[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(command, sizeof command, fmt, ap);
    va_end(ap);
    return system(command) == 0;
}

static __u64 verdicts(int map_fd, __u32 action)
{
    __u64 count = 0;
    if (bpf_map_lookup_elem(map_fd, &action, &count))
        return (__u64)-1;
    return count;
}

/* Waits (1 s at most) for the counter to reach at least target. */
static __u64 wait_verdicts(int map_fd, __u32 action, __u64 target)
{
    __u64 count = 0;
    for (int i = 0; i < 100 && (count = verdicts(map_fd, action)) < target; i++)
        poll(NULL, 0, 10);
    return count;
}

static __u32 attached_id(int ifindex)
{
    __u32 id = 0;
    return bpf_xdp_query_id(ifindex, 0, &id) ? (__u32)-1 : id;
}

static __u32 prog_id(int fd)
{
    struct bpf_prog_info info;
    memset(&info, 0, sizeof info);
    __u32 len = sizeof info;
    return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int load_pass(void)
{
    const struct bpf_insn insns[] = {
        {.code = 0xb7, .dst_reg = 0, .imm = XDP_PASS}, /* r0 = XDP_PASS */
        {.code = 0x95},                                /* exit */
    };
    return bpf_prog_load(BPF_PROG_TYPE_XDP, "pass", "GPL", insns, 2, NULL);
}

static void block(int map_fd, const char *address)
{
    __u32 key = inet_addr(address);
    __u8 one = 1;
    check(bpf_map_update_elem(map_fd, &key, &one, BPF_ANY) == 0, "the blocklist takes an address");
}

#ifdef HAVE_BPFHOST
static void run_inline(int firewall, int pass, int verdict_map, int blocked, int in, int peer, const char *ns_a)
{
    LIBBPF_OPTS(bpfhost_xdp_opts, opts, .flags = XDP_FLAGS_UPDATE_IF_NOEXIST);
    check(bpfhost_xdp_attach_inline(in, peer, firewall, &opts) == 0, "inline: bpfhost_xdp_attach_inline");
    check(attached_id(in) == prog_id(firewall), "inline: bpf_xdp_query_id names the firewall");
    check(bpfhost_xdp_attach_inline(in, peer, pass, &opts) == -EBUSY, "inline: UPDATE_IF_NOEXIST refuses a second program");
    __u64 passed_before = verdicts(verdict_map, XDP_PASS);
    check(run("ip netns exec %s ping -c 3 -i 0.1 -W 2 198.18.9.2 >/dev/null", ns_a), "inline: ping crosses the datapath");
    check(wait_verdicts(verdict_map, XDP_PASS, passed_before + 3) >= passed_before + 3,
          "inline: the verdicts map counts the echo requests as XDP_PASS");

    block(blocked, "198.18.9.1");
    __u64 dropped_before = verdicts(verdict_map, XDP_DROP);
    check(!run("ip netns exec %s ping -c 3 -i 0.1 -W 1 198.18.9.2 >/dev/null", ns_a),
          "inline: a blocked source cannot ping through");
    check(wait_verdicts(verdict_map, XDP_DROP, dropped_before + 3) >= dropped_before + 3,
          "inline: its echo requests were counted as XDP_DROP");

    LIBBPF_OPTS(bpf_xdp_attach_opts, expect_pass, .old_prog_fd = pass);
    check(bpf_xdp_attach(in, pass, 0, &expect_pass) == -EEXIST, "inline: REPLACE expecting the wrong program is -EEXIST");
    LIBBPF_OPTS(bpf_xdp_attach_opts, expect_firewall, .old_prog_fd = firewall);
    check(bpf_xdp_attach(in, pass, XDP_FLAGS_REPLACE, &expect_firewall) == 0,
          "inline: bpf_xdp_attach replaces the firewall by XDP_PASS, datapath running");
    check(attached_id(in) == prog_id(pass), "inline: the query names the new program");
    struct bpfhost_xdp_counters counters = {.sz = sizeof counters};
    check(bpfhost_xdp_query_counters(in, &counters) == 0 && counters.mode == 1 && counters.peer_ifindex == (__u32)peer,
          "inline: bpfhost_xdp_query_counters reports the inline datapath");
    __u64 drops = verdicts(verdict_map, XDP_DROP);
    check(run("ip netns exec %s ping -c 3 -i 0.1 -W 2 198.18.9.2 >/dev/null", ns_a),
          "inline: after the replacement the blocked source passes");
    check(verdicts(verdict_map, XDP_DROP) == drops, "inline: the old program counts nothing any more");

    check(bpf_xdp_detach(in, 0, NULL) == 0, "inline: bpf_xdp_detach");
    check(attached_id(in) == 0, "inline: nothing attached after detach");
    check(!run("ip netns exec %s ping -c 2 -i 0.1 -W 1 198.18.9.2 >/dev/null", ns_a),
          "inline: detached, nothing forwards between the two ends");

    /* The same through a link: bpf_link_update replaces the program. */
    int link = bpfhost_xdp_link_create_inline(in, peer, firewall, NULL);
    check(link >= 0, "inline link: bpfhost_xdp_link_create_inline");
    check(bpf_xdp_attach(in, pass, 0, NULL) == -EBUSY, "inline link: a plain attach is refused");
    check(!run("ip netns exec %s ping -c 2 -i 0.1 -W 1 198.18.9.2 >/dev/null", ns_a),
          "inline link: the blocked source is dropped again");
    check(bpf_link_update(link, pass, NULL) == 0, "inline link: bpf_link_update to XDP_PASS");
    check(run("ip netns exec %s ping -c 2 -i 0.1 -W 2 198.18.9.2 >/dev/null", ns_a),
          "inline link: after the update the blocked source passes");
    close(link);
    check(attached_id(in) == 0, "inline link: closing its fd detached it");

    /* Removing the peer ends the attachment, as Linux detaches XDP from a removed device. */
    char peer_name[IF_NAMESIZE];
    check(bpfhost_xdp_attach_inline(in, peer, firewall, NULL) == 0, "inline: attached again");
    check(if_indextoname((unsigned)peer, peer_name) && run("ip link del %s", peer_name), "inline: the peer is removed");
    check(attached_id(in) == 0, "inline: the attachment went with its peer");
    check(bpf_xdp_attach(in, pass, XDP_FLAGS_UPDATE_IF_NOEXIST, NULL) == 0, "inline: the interface is free again");
    check(bpf_xdp_detach(in, 0, NULL) == 0, "inline: detached");
}
#endif

static void run_observe(struct bpf_program *firewall_prog, int pass, int verdict_map, int blocked, int observed,
                        const char *ns_c)
{
    struct bpf_link *link = bpf_program__attach_xdp(firewall_prog, observed);
    check(link != NULL, "observe: bpf_program__attach_xdp gives a link");
    if (!link)
        return;
    check(attached_id(observed) == prog_id(bpf_program__fd(firewall_prog)), "observe: the query names the firewall");
    check(bpf_xdp_detach(observed, 0, NULL) == -EBUSY, "observe: a plain detach of a link's interface is -EBUSY");
    block(blocked, "198.18.10.2");
    __u64 dropped_before = verdicts(verdict_map, XDP_DROP);
    check(run("ip netns exec %s ping -c 3 -i 0.1 -W 2 198.18.10.1 >/dev/null", ns_c),
          "observe: the blocked source still reaches the host (observe cannot steal frames)");
    check(wait_verdicts(verdict_map, XDP_DROP, dropped_before + 3) >= dropped_before + 3,
          "observe: its echo requests were counted as XDP_DROP");

    check(bpf_link_update(bpf_link__fd(link), pass, NULL) == 0, "observe: bpf_link_update to XDP_PASS");
    check(attached_id(observed) == prog_id(pass), "observe: the query names the new program");
    poll(NULL, 0, 50);
    __u64 drops = verdicts(verdict_map, XDP_DROP);
#ifdef HAVE_BPFHOST
    struct bpfhost_xdp_counters before = {.sz = sizeof before}, after = {.sz = sizeof after};
    check(bpfhost_xdp_query_counters(observed, &before) == 0 && before.mode == 0, "observe: counters of the observe datapath");
#endif
    check(run("ip netns exec %s ping -c 3 -i 0.1 -W 2 198.18.10.1 >/dev/null", ns_c), "observe: ping after the update");
    poll(NULL, 0, 50);
    check(verdicts(verdict_map, XDP_DROP) == drops, "observe: the replaced firewall counts nothing any more");
#ifdef HAVE_BPFHOST
    for (int i = 0; i < 100 && bpfhost_xdp_query_counters(observed, &after) == 0 && after.pass < before.pass + 3; i++)
        poll(NULL, 0, 10);
    check(after.pass >= before.pass + 3 && after.drop == before.drop, "observe: the new program passed the echo requests");
#endif
    check(bpf_link__destroy(link) == 0, "observe: bpf_link__destroy");
    check(attached_id(observed) == 0, "observe: destroying the link detached it");
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s FIREWALL.o INLINE_IF PEER_IF NS_A OBSERVE_IF NS_C\n", argv[0]);
        return 2;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    check(obj != NULL && bpf_object__load(obj) == 0, "the firewall object opens and loads");
    struct bpf_program *prog = obj ? bpf_object__find_program_by_name(obj, "xdp_firewall") : NULL;
    int verdict_map = obj ? bpf_object__find_map_fd_by_name(obj, "verdicts") : -1;
    int blocked = obj ? bpf_object__find_map_fd_by_name(obj, "blocked_v4") : -1;
    int pass = load_pass();
    check(prog && verdict_map >= 0 && blocked >= 0 && pass >= 0, "its program and maps, and an XDP_PASS program");
    if (prog && verdict_map >= 0 && blocked >= 0 && pass >= 0) {
#ifdef HAVE_BPFHOST
        run_inline(bpf_program__fd(prog), pass, verdict_map, blocked, (int)if_nametoindex(argv[2]),
                   (int)if_nametoindex(argv[3]), argv[4]);
#endif
        run_observe(prog, pass, verdict_map, blocked, (int)if_nametoindex(argv[5]), argv[6]);
    }
    close(pass);
    bpf_object__close(obj);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
