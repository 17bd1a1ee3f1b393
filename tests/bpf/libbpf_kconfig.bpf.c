/* .kconfig externs of every kind libbpf's kconfig option sets (tests/unit/test_libbpf_object.c):
 * bool, tristate, char, integers, a string; all weak, so that the object also opens without
 * values (they are then 0). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h> /* __kconfig, enum libbpf_tristate */


extern _Bool CONFIG_BOOL __kconfig __weak;
extern enum libbpf_tristate CONFIG_TRISTATE __kconfig __weak;
extern char CONFIG_CHAR __kconfig __weak;
extern unsigned short CONFIG_USHORT __kconfig __weak;
extern int CONFIG_INT __kconfig __weak;
extern unsigned long long CONFIG_ULONG __kconfig __weak;
extern const char CONFIG_STR[8] __kconfig __weak;

__u64 seen;

SEC("socket")
int read_config(struct __sk_buff *skb)
{
    seen = CONFIG_BOOL + CONFIG_TRISTATE + CONFIG_CHAR + CONFIG_USHORT + CONFIG_INT +
           CONFIG_ULONG + CONFIG_STR[0];
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
