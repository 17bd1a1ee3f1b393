/* pcap/pcapng reading and pcap writing: round trips, hand-built pcapng, refused link types,
 * corrupt, truncated and missing files, write errors, and the bundled demo capture. */
#include "hooks/pcap_io.h"
#include "test.h"

#include <errno.h>
#include <pcap/dlt.h>
#include <stdbool.h>
#include <unistd.h>

/* A fresh temporary file name (the file exists, empty); the caller unlinks it. */
static void temp_path(char path[64])
{
    snprintf(path, 64, "/tmp/test_pcap_io.XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
}

static void write_file(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_EQ(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

static size_t read_file(const char *path, uint8_t *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return 0;
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return n;
}

/* Opening path must fail with err and a message containing what and the path. */
static void check_open_fails(const char *path, int err, const char *what)
{
    struct pcap_reader *reader = (struct pcap_reader *)&reader;
    char msg[512] = "";
    CHECK_EQ(pcap_reader_open(path, &reader, msg, sizeof msg), err);
    CHECK(reader == NULL);
    CHECK_CONTAINS(msg, path);
    CHECK_CONTAINS(msg, what);
}

static const uint64_t BASE_NS = 1710408413ull * 1000000000u;

TEST(round_trip_keeps_bytes_lengths_and_nanosecond_timestamps)
{
    char path[64];
    temp_path(path);
    uint8_t big[1514], small[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x08, 0x06};
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    const struct {
        const uint8_t *data;
        size_t len;
        uint64_t ts;
    } frames[] = {{small, sizeof small, BASE_NS + 123456789},
                  {big, sizeof big, BASE_NS + 1000000001},
                  {big + 3, 1, BASE_NS + 2999999999u}};

    struct pcap_writer *writer;
    char msg[256] = "";
    CHECK_EQ(pcap_writer_open(path, DLT_EN10MB, &writer, msg, sizeof msg), 0);
    for (size_t i = 0; i < 3; i++)
        CHECK_EQ(pcap_writer_write(writer, frames[i].data, frames[i].len, frames[i].ts, msg, sizeof msg), 0);
    CHECK_EQ(pcap_writer_close(writer, msg, sizeof msg), 0);

    struct pcap_reader *reader;
    CHECK_EQ(pcap_reader_open(path, &reader, msg, sizeof msg), 0);
    for (size_t i = 0; reader && i < 3; i++) {
        const uint8_t *data;
        size_t len;
        uint64_t ts;
        CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), 1);
        CHECK_EQ(len, frames[i].len);
        CHECK_EQ(ts, frames[i].ts);
        CHECK(len == frames[i].len && !memcmp(data, frames[i].data, len));
    }
    if (reader) {
        const uint8_t *data;
        size_t len;
        uint64_t ts;
        CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), 0);
        CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), 0);
        CHECK_EQ(pcap_reader_frame_count(reader), 3);
    }
    pcap_reader_close(reader);
    unlink(path);
}

/* ---- pcapng built by hand (little-endian, version 1.0, default microsecond stamps) ---- */

struct bytes {
    uint8_t b[512];
    size_t len;
};

static void le32(struct bytes *out, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        out->b[out->len++] = (uint8_t)(v >> (8 * i));
}

static void le16(struct bytes *out, uint16_t v)
{
    out->b[out->len++] = (uint8_t)v;
    out->b[out->len++] = (uint8_t)(v >> 8);
}

static void pcapng_header(struct bytes *out, uint16_t linktype)
{
    le32(out, 0x0a0d0d0a); /* section header block */
    le32(out, 28);
    le32(out, 0x1a2b3c4d);
    le16(out, 1);
    le16(out, 0);
    le32(out, 0xffffffff); /* section length unknown */
    le32(out, 0xffffffff);
    le32(out, 28);
    le32(out, 1); /* interface description block */
    le32(out, 20);
    le16(out, linktype);
    le16(out, 0);
    le32(out, 65535);
    le32(out, 20);
}

static void pcapng_packet(struct bytes *out, uint64_t ts_us, const uint8_t *data, uint32_t len)
{
    uint32_t padded = (len + 3) & ~3u;
    le32(out, 6); /* enhanced packet block */
    le32(out, 32 + padded);
    le32(out, 0);
    le32(out, (uint32_t)(ts_us >> 32));
    le32(out, (uint32_t)ts_us);
    le32(out, len);
    le32(out, len);
    memcpy(out->b + out->len, data, len);
    memset(out->b + out->len + len, 0, padded - len);
    out->len += padded;
    le32(out, 32 + padded);
}

TEST(reads_pcapng_built_by_hand)
{
    uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06};
    uint8_t odd[17] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xcc, 0xaa, 0xbb, 0xcc};
    struct bytes file = {.len = 0};
    pcapng_header(&file, 1 /* LINKTYPE_ETHERNET */);
    pcapng_packet(&file, 1710408413123456ull, arp, sizeof arp);
    pcapng_packet(&file, 1710408414000001ull, odd, sizeof odd);
    char path[64];
    temp_path(path);
    write_file(path, file.b, file.len);

    struct pcap_reader *reader;
    char msg[256] = "";
    CHECK_EQ(pcap_reader_open(path, &reader, msg, sizeof msg), 0);
    if (reader) {
        const uint8_t *data;
        size_t len;
        uint64_t ts;
        CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), 1);
        CHECK_EQ(len, sizeof arp);
        CHECK_EQ(ts, 1710408413123456000ull);
        CHECK(len == sizeof arp && !memcmp(data, arp, len));
        CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), 1);
        CHECK_EQ(len, sizeof odd);
        CHECK_EQ(ts, 1710408414000001000ull);
        CHECK(len == sizeof odd && !memcmp(data, odd, len));
        CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), 0);
    }
    pcap_reader_close(reader);
    unlink(path);
}

TEST(refuses_pcapng_of_another_link_type)
{
    uint8_t ip[20] = {0x45};
    struct bytes file = {.len = 0};
    pcapng_header(&file, 101 /* LINKTYPE_RAW */);
    pcapng_packet(&file, 1, ip, sizeof ip);
    char path[64];
    temp_path(path);
    write_file(path, file.b, file.len);
    check_open_fails(path, -ENOTSUP, "link type RAW");
    unlink(path);
}

TEST(refuses_pcap_of_another_link_type)
{
    char path[64];
    temp_path(path);
    struct pcap_writer *writer;
    char msg[256] = "";
    CHECK_EQ(pcap_writer_open(path, DLT_LINUX_SLL, &writer, msg, sizeof msg), 0);
    CHECK_EQ(pcap_writer_close(writer, msg, sizeof msg), 0);
    check_open_fails(path, -ENOTSUP, "LINUX_SLL");
    check_open_fails(path, -ENOTSUP, "only Ethernet");
    unlink(path);
}

/* Writes two 60-byte Ethernet frames and returns the file's bytes. */
static size_t two_frame_file(const char *path, uint8_t *buf, size_t size)
{
    uint8_t frame[60] = {0};
    struct pcap_writer *writer;
    char msg[256];
    CHECK_EQ(pcap_writer_open(path, DLT_EN10MB, &writer, msg, sizeof msg), 0);
    CHECK_EQ(pcap_writer_write(writer, frame, sizeof frame, BASE_NS, msg, sizeof msg), 0);
    CHECK_EQ(pcap_writer_write(writer, frame, sizeof frame, BASE_NS + 1, msg, sizeof msg), 0);
    CHECK_EQ(pcap_writer_close(writer, msg, sizeof msg), 0);
    return read_file(path, buf, size);
}

/* Opens path (which must succeed), reads one good frame, then expects err naming frame 2. */
static void check_second_frame_fails(const char *path, const char *what)
{
    struct pcap_reader *reader;
    char msg[512] = "";
    CHECK_EQ(pcap_reader_open(path, &reader, msg, sizeof msg), 0);
    if (!reader)
        return;
    const uint8_t *data;
    size_t len;
    uint64_t ts;
    CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), 1);
    CHECK_EQ(pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, path);
    CHECK_CONTAINS(msg, "frame 2");
    CHECK_CONTAINS(msg, what);
    CHECK_EQ(pcap_reader_frame_count(reader), 1);
    pcap_reader_close(reader);
}

TEST(truncated_record_is_an_error_naming_file_and_frame)
{
    char path[64];
    temp_path(path);
    uint8_t buf[512];
    size_t len = two_frame_file(path, buf, sizeof buf);
    CHECK_EQ(len, 24 + 2 * (16 + 60));
    write_file(path, buf, len - 5);
    check_second_frame_fails(path, "truncated");
    write_file(path, buf, len - 60 - 8); /* cut inside the record header */
    check_second_frame_fails(path, "truncated");
    unlink(path);
}

TEST(corrupt_record_length_is_an_error)
{
    char path[64];
    temp_path(path);
    uint8_t buf[512];
    size_t len = two_frame_file(path, buf, sizeof buf);
    size_t second = 24 + 16 + 60;
    memset(buf + second + 8, 0xff, 4); /* captured length 4 GiB */
    write_file(path, buf, len);
    check_second_frame_fails(path, "length");
    unlink(path);
}

TEST(bad_files_are_refused_at_open)
{
    char path[64];
    temp_path(path);
    check_open_fails(path, -EINVAL, "not a readable pcap or pcapng file");
    write_file(path, "this is a text file, not a capture\n", 35);
    check_open_fails(path, -EINVAL, "unknown file format");
    uint8_t buf[512];
    two_frame_file(path, buf, sizeof buf);
    write_file(path, buf, 10); /* half a file header */
    check_open_fails(path, -EINVAL, "truncated");
    unlink(path);
}

TEST(missing_file_is_enoent)
{
    check_open_fails("/nonexistent/dir/capture.pcap", -ENOENT, "No such file");
}

TEST(null_arguments_are_einval)
{
    struct pcap_reader *reader;
    char msg[256] = "";
    CHECK_EQ(pcap_reader_open(NULL, &reader, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "required");
    CHECK_EQ(pcap_reader_open("x.pcap", NULL, NULL, 0), -EINVAL);
    const uint8_t *data;
    size_t len;
    uint64_t ts;
    CHECK_EQ(pcap_reader_next(NULL, &data, &len, &ts, msg, sizeof msg), -EINVAL);
    struct pcap_writer *writer;
    CHECK_EQ(pcap_writer_open(NULL, DLT_EN10MB, &writer, msg, sizeof msg), -EINVAL);
    CHECK_EQ(pcap_writer_write(NULL, data, 0, 0, msg, sizeof msg), -EINVAL);
    pcap_reader_close(NULL);
    CHECK_EQ(pcap_writer_close(NULL, msg, sizeof msg), 0);
}

TEST(writer_errors_are_reported)
{
    struct pcap_writer *writer = (struct pcap_writer *)&writer;
    char msg[256] = "";
    CHECK_EQ(pcap_writer_open("/nonexistent/dir/out.pcap", DLT_EN10MB, &writer, msg, sizeof msg), -ENOENT);
    CHECK(writer == NULL);
    CHECK_CONTAINS(msg, "/nonexistent/dir/out.pcap");

    char path[64];
    temp_path(path);
    CHECK_EQ(pcap_writer_open(path, -5, &writer, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unknown link type -5");
    CHECK_EQ(pcap_writer_open(path, DLT_EN10MB, &writer, msg, sizeof msg), 0);
    static uint8_t huge[PCAP_IO_MAX_FRAME + 1];
    CHECK_EQ(pcap_writer_write(writer, huge, sizeof huge, 0, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, path);
    CHECK_EQ(pcap_writer_write(writer, huge, 60, 1ull << 63, msg, sizeof msg), -ERANGE);
    CHECK_EQ(pcap_writer_write(writer, huge, PCAP_IO_MAX_FRAME, 0, msg, sizeof msg), 0);
    CHECK_EQ(pcap_writer_close(writer, msg, sizeof msg), 0);
    unlink(path);

    /* A full disk: the error surfaces at the latest when the buffered data is flushed. */
    if (access("/dev/full", W_OK) == 0) {
        CHECK_EQ(pcap_writer_open("/dev/full", DLT_EN10MB, &writer, msg, sizeof msg), 0);
        int err = 0;
        for (int i = 0; i < 64 && !err; i++)
            err = pcap_writer_write(writer, huge, 1514, BASE_NS, msg, sizeof msg);
        int close_err = pcap_writer_close(writer, msg, sizeof msg);
        CHECK_EQ(err ? err : close_err, -ENOSPC);
        CHECK_CONTAINS(msg, "/dev/full");
    }
}

/* The demo capture: as many frames as traffic.expected has verdict lines, numbered 0.. */
TEST(bundled_traffic_matches_its_expected_file)
{
    FILE *expected = fopen("examples/xdp/traffic.expected", "r");
    CHECK(expected != NULL);
    if (!expected)
        return;
    char line[256];
    unsigned verdict_lines = 0;
    while (fgets(line, sizeof line, expected)) {
        unsigned index;
        char verdict[8];
        if (sscanf(line, "%u %7s", &index, verdict) != 2)
            continue;
        CHECK_EQ(index, verdict_lines);
        CHECK(!strcmp(verdict, "PASS") || !strcmp(verdict, "DROP"));
        verdict_lines++;
    }
    fclose(expected);

    struct pcap_reader *reader;
    char msg[256] = "";
    CHECK_EQ(pcap_reader_open("examples/xdp/traffic.pcap", &reader, msg, sizeof msg), 0);
    if (!reader)
        return;
    const uint8_t *data;
    size_t len;
    uint64_t ts, previous = 0;
    int status;
    while ((status = pcap_reader_next(reader, &data, &len, &ts, msg, sizeof msg)) == 1) {
        CHECK(len > 0 && len <= 1514);
        CHECK(ts >= previous);
        previous = ts;
    }
    CHECK_EQ(status, 0);
    CHECK(verdict_lines >= 150);
    CHECK_EQ(pcap_reader_frame_count(reader), verdict_lines);
    pcap_reader_close(reader);
}

TEST_MAIN
