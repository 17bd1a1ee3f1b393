/* pcap and pcapng files through libpcap. Files are opened with fopen rather than by libpcap
 * so that a missing or unreadable file reports its real errno, not only libpcap's text. */
#include "base/message.h"
#include "hooks/pcap_io.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcap_reader {
    pcap_t *pcap;
    uint64_t frames;
    char path[];
};

struct pcap_writer {
    pcap_t *dead; /* libpcap needs a pcap_t to describe the file's link type and precision */
    pcap_dumper_t *dumper;
    char path[];
};

static void *alloc_with_path(size_t head_size, const char *path)
{
    size_t path_size = strlen(path) + 1;
    char *mem = calloc(1, head_size + path_size);
    if (mem)
        memcpy(mem + head_size, path, path_size);
    return mem;
}

static const char *linktype_name(int linktype)
{
    const char *name = pcap_datalink_val_to_name(linktype);
    return name ? name : "unknown";
}

int pcap_reader_open(const char *path, struct pcap_reader **out, char *msg, size_t msg_size)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return msg_error(-EINVAL, msg, msg_size, "pcap_reader_open: path and out are required");
    FILE *file = fopen(path, "rb");
    if (!file) {
        int err = errno;
        return msg_error(-err, msg, msg_size, "%s: %s", path, strerror(err));
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pcap = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO,
                                                            errbuf);
    if (!pcap) {
        fclose(file);
        return msg_error(-EINVAL, msg, msg_size, "%s: not a readable pcap or pcapng file: %s", path,
                    errbuf);
    }
    int linktype = pcap_datalink(pcap);
    if (linktype != DLT_EN10MB) {
        pcap_close(pcap);
        return msg_error(-ENOTSUP, msg, msg_size,
                    "%s: link type %s (%d) is not supported, only Ethernet (EN10MB)", path,
                    linktype_name(linktype), linktype);
    }
    struct pcap_reader *reader = alloc_with_path(sizeof *reader, path);
    if (!reader) {
        pcap_close(pcap);
        return msg_error(-ENOMEM, msg, msg_size, "%s: out of memory", path);
    }
    reader->pcap = pcap;
    *out = reader;
    return 0;
}

int pcap_reader_next(struct pcap_reader *reader, const uint8_t **data, size_t *len,
                     uint64_t *ts_ns, char *msg, size_t msg_size)
{
    if (!reader || !data || !len || !ts_ns)
        return msg_error(-EINVAL, msg, msg_size, "pcap_reader_next: reader, data, len and ts_ns are required");
    struct pcap_pkthdr *header;
    const u_char *bytes;
    int status = pcap_next_ex(reader->pcap, &header, &bytes);
    if (status == PCAP_ERROR_BREAK)
        return 0;
    if (status != 1)
        return msg_error(-EINVAL, msg, msg_size, "%s: frame %llu: %s", reader->path,
                    (unsigned long long)reader->frames + 1, pcap_geterr(reader->pcap));
    reader->frames++;
    *data = bytes;
    *len = header->caplen;
    /* With nanosecond precision libpcap puts nanoseconds in tv_usec. */
    *ts_ns = (uint64_t)header->ts.tv_sec * 1000000000u + (uint64_t)header->ts.tv_usec;
    return 1;
}

uint64_t pcap_reader_frame_count(const struct pcap_reader *reader)
{
    return reader ? reader->frames : 0;
}

void pcap_reader_close(struct pcap_reader *reader)
{
    if (!reader)
        return;
    pcap_close(reader->pcap);
    free(reader);
}

int pcap_writer_open(const char *path, int linktype, struct pcap_writer **out, char *msg,
                     size_t msg_size)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return msg_error(-EINVAL, msg, msg_size, "pcap_writer_open: path and out are required");
    if (linktype < 0 || !pcap_datalink_val_to_name(linktype))
        return msg_error(-EINVAL, msg, msg_size, "%s: unknown link type %d", path, linktype);
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(linktype, (int)PCAP_IO_MAX_FRAME,
                                                        PCAP_TSTAMP_PRECISION_NANO);
    if (!dead)
        return msg_error(-ENOMEM, msg, msg_size, "%s: out of memory", path);
    FILE *file = fopen(path, "wb");
    if (!file) {
        int err = errno;
        pcap_close(dead);
        return msg_error(-err, msg, msg_size, "%s: %s", path, strerror(err));
    }
    pcap_dumper_t *dumper = pcap_dump_fopen(dead, file);
    if (!dumper) {
        int err = errno ? errno : EIO;
        fclose(file);
        msg_error(-err, msg, msg_size, "%s: cannot write the pcap header: %s", path, pcap_geterr(dead));
        pcap_close(dead);
        return -err;
    }
    struct pcap_writer *writer = alloc_with_path(sizeof *writer, path);
    if (!writer) {
        pcap_dump_close(dumper);
        pcap_close(dead);
        return msg_error(-ENOMEM, msg, msg_size, "%s: out of memory", path);
    }
    writer->dead = dead;
    writer->dumper = dumper;
    *out = writer;
    return 0;
}

int pcap_writer_write(struct pcap_writer *writer, const uint8_t *data, size_t len,
                      uint64_t ts_ns, char *msg, size_t msg_size)
{
    if (!writer || (!data && len))
        return msg_error(-EINVAL, msg, msg_size, "pcap_writer_write: writer and data are required");
    if (len > PCAP_IO_MAX_FRAME)
        return msg_error(-E2BIG, msg, msg_size, "%s: frame of %zu bytes is larger than %u", writer->path,
                    len, PCAP_IO_MAX_FRAME);
    if (ts_ns / 1000000000u > UINT32_MAX)
        return msg_error(-ERANGE, msg, msg_size, "%s: timestamp %llu ns does not fit a pcap record",
                    writer->path, (unsigned long long)ts_ns);
    struct pcap_pkthdr header = {
        .ts = {.tv_sec = (time_t)(ts_ns / 1000000000u), .tv_usec = (suseconds_t)(ts_ns % 1000000000u)},
        .caplen = (bpf_u_int32)len,
        .len = (bpf_u_int32)len,
    };
    static const u_char empty[1];
    errno = 0;
    pcap_dump((u_char *)writer->dumper, &header, data ? data : empty);
    /* pcap_dump reports nothing itself; the stream's error flag does. */
    if (ferror(pcap_dump_file(writer->dumper))) {
        int err = errno ? errno : EIO;
        return msg_error(-err, msg, msg_size, "%s: write failed: %s", writer->path, strerror(err));
    }
    return 0;
}

int pcap_writer_close(struct pcap_writer *writer, char *msg, size_t msg_size)
{
    if (!writer)
        return 0;
    int err = 0;
    errno = 0;
    if (pcap_dump_flush(writer->dumper) != 0 || ferror(pcap_dump_file(writer->dumper))) {
        err = errno ? errno : EIO;
        msg_error(-err, msg, msg_size, "%s: write failed: %s", writer->path, strerror(err));
    }
    pcap_dump_close(writer->dumper);
    pcap_close(writer->dead);
    free(writer);
    return -err;
}
