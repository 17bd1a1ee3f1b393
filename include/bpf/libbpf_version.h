/* The libbpf API level bpfhost's headers follow (Debian 12's libbpf). */
#ifndef __LIBBPF_VERSION_H
#define __LIBBPF_VERSION_H

#define LIBBPF_MAJOR_VERSION 1
#define LIBBPF_MINOR_VERSION 1

#endif
