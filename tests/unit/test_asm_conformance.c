/* The assembler and disassembler against the conformance suite's files ($SHARED, default
 * ../shared): every program under tests/ assembles (to its -- raw words where it has them),
 * every invalid program under negative/ is refused with the error it names, and the raw
 * negative programs with reserved fields set are refused by the disassembler. */
#include "isa/asm.h"
#include "isa/disasm.h"
#include "test.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <strings.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    size_t n;
    while (text && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *grown = realloc(text, cap *= 2);
            if (!grown)
                free(text);
            text = grown;
        }
    }
    fclose(f);
    if (text)
        text[len] = '\0';
    return text;
}

/* The body of section "-- name" (up to the next "-- " line), newly allocated, or NULL. */
static char *section(const char *file, const char *name)
{
    size_t name_len = strlen(name);
    for (const char *line = file; line && *line;) {
        const char *next = strchr(line, '\n');
        next = next ? next + 1 : NULL;
        if (!strncmp(line, "-- ", 3) && !strncmp(line + 3, name, name_len) &&
            (line[3 + name_len] == '\n' || line[3 + name_len] == '\r' || !line[3 + name_len])) {
            const char *start = next ? next : line + strlen(line);
            const char *end = start;
            while (*end && strncmp(end, "-- ", 3)) {
                const char *eol = strchr(end, '\n');
                end = eol ? eol + 1 : end + strlen(end);
            }
            return strndup(start, (size_t)(end - start));
        }
        line = next;
    }
    return NULL;
}

/* A -- raw section: lines of one 64-bit little-endian word ("0x...") or eight hex bytes. */
static size_t parse_raw(const char *raw, struct ebpf_insn *out, size_t max)
{
    size_t count = 0;
    for (const char *line = raw; *line && count < max;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char buf[128] = "";
        snprintf(buf, sizeof buf, "%.*s", (int)len, line);
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        uint8_t bytes[8];
        if (!strncmp(buf, "0x", 2)) {
            uint64_t word = strtoull(buf, NULL, 16);
            for (int i = 0; i < 8; i++)
                bytes[i] = (uint8_t)(word >> (8 * i));
            memcpy(&out[count++], bytes, 8);
        } else {
            unsigned b[8];
            if (sscanf(buf, "%x %x %x %x %x %x %x %x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                       &b[6], &b[7]) == 8) {
                for (int i = 0; i < 8; i++)
                    bytes[i] = (uint8_t)b[i];
                memcpy(&out[count++], bytes, 8);
            }
        }
        line = eol ? eol + 1 : line + len;
    }
    return count;
}

static void suite_path(char *path, size_t size, const char *sub, const char *file)
{
    const char *shared = getenv("SHARED");
    snprintf(path, size, "%s/conformance/%s%s%s", shared && *shared ? shared : "../shared", sub,
             file ? "/" : "", file ? file : "");
}

static bool is_data_file(const char *name)
{
    size_t len = strlen(name);
    return len > 5 && !strcmp(name + len - 5, ".data");
}

static bool contains_ignoring_case(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (!strncasecmp(haystack, needle, n))
            return true;
    return !*needle;
}

static char *trimmed(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    return s;
}

/* Every instruction the assembler produced prints in both syntaxes, and the asm syntax of
 * the whole program assembles back to the same words. */
static void check_disassembles_and_round_trips(const char *name, const struct ebpf_insn *insns,
                                               size_t count)
{
    size_t cap = count * (160 + 1) + 1, len = 0; /* lines are at most 159 characters */
    char *listing = malloc(cap);
    for (size_t pc = 0; pc < count;) {
        char line[160];
        int slots = disasm_insn(insns, count, pc, line, sizeof line);
        if (slots < 0)
            fprintf(stderr, "  %s pc %zu: %s\n", name, pc, line);
        CHECK(slots > 0);
        slots = disasm_insn_asm(insns, count, pc, line, sizeof line);
        CHECK(slots > 0);
        if (slots <= 0)
            break;
        len += (size_t)snprintf(listing + len, cap - len, "%s\n", line);
        pc += (size_t)slots;
    }
    struct ebpf_insn *again;
    size_t again_count;
    char msg[256];
    int err = asm_assemble(listing, &again, &again_count, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s listing: %s\n", name, msg);
    CHECK_EQ(err, 0);
    if (!err) {
        CHECK(again_count == count && !memcmp(again, insns, count * sizeof *insns));
        free(again);
    }
    free(listing);
}

TEST(every_conformance_program_assembles)
{
    char dir_path[512];
    suite_path(dir_path, sizeof dir_path, "tests", NULL);
    DIR *dir = opendir(dir_path);
    CHECK(dir != NULL);
    if (!dir) {
        fprintf(stderr, "  cannot open %s (set SHARED)\n", dir_path);
        return;
    }
    int programs = 0, with_raw = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!is_data_file(entry->d_name))
            continue;
        char path[1024];
        suite_path(path, sizeof path, "tests", entry->d_name);
        char *file = read_file(path);
        CHECK(file != NULL);
        char *asm_text = file ? section(file, "asm") : NULL;
        CHECK(asm_text != NULL);
        if (!asm_text) {
            free(file);
            continue;
        }
        struct ebpf_insn *insns;
        size_t count;
        char msg[256];
        int err = asm_assemble(asm_text, &insns, &count, msg, sizeof msg);
        if (err)
            fprintf(stderr, "  %s: %s\n", entry->d_name, msg);
        CHECK_EQ(err, 0);
        programs++;
        char *raw = section(file, "raw");
        if (raw && !err) {
            struct ebpf_insn expected[64];
            size_t expected_count = parse_raw(raw, expected, 64);
            CHECK(expected_count > 0);
            CHECK_EQ(count, expected_count);
            CHECK(count == expected_count && !memcmp(insns, expected, count * sizeof *insns));
            with_raw++;
        }
        if (!err) {
            check_disassembles_and_round_trips(entry->d_name, insns, count);
            free(insns);
        }
        free(raw);
        free(asm_text);
        free(file);
    }
    closedir(dir);
    CHECK(programs >= 313);
    CHECK_EQ(with_raw, 1);
}

/* The negative programs with an -- asm section. Those listed with an error must fail to
 * assemble with a message containing it; those listed with NULL are valid assembly whose
 * fault (a wrong expected result, a runtime error) the runner finds. */
static const struct {
    const char *file;
    const char *assembler_error;
} negative_asm[] = {
    {"error.data", NULL},                            /* or %r0, %r10: valid encoding */
    {"incorrect_return_value_high_bits.data", NULL}, /* wrong -- result on purpose */
    {"invalid_imm32_dec_range.data", "immediate 2147483648 out of 32-bit range"},
    {"invalid_imm32_hex_range.data", "immediate 0x100000000 out of 32-bit range"},
    {"invalid_label.data", "unknown label NOT_A_LABEL"},
    {"invalid_lock.data", "invalid number of operands for lock"},
    {"invalid_lock2.data", "invalid number of operands for lock"},
    {"invalid_mnemonic.data", "unknown mnemonic 'ldxq'"},
    {"invalid_offset.data", "expected memory operand"},
    {"invalid_offset_range.data", "offset 0x10000 out of 16-bit range"},
    {"invalid_operand_count.data", "invalid number of operands for lddw"},
    {"invalid_register.data", "invalid register %r50"},
    /* Its "-- Unknown directive" line starts a new section, leaving the asm section empty;
     * the unknown section itself is the runner's to reject. */
    {"invalid_unknown_directive.data", "program has no instructions"},
};

TEST(negative_programs_fail_to_assemble_as_documented)
{
    char dir_path[512];
    suite_path(dir_path, sizeof dir_path, "negative", NULL);
    DIR *dir = opendir(dir_path);
    CHECK(dir != NULL);
    if (!dir)
        return;
    size_t seen = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!is_data_file(entry->d_name))
            continue;
        char path[1024];
        suite_path(path, sizeof path, "negative", entry->d_name);
        char *file = read_file(path);
        char *asm_text = file ? section(file, "asm") : NULL;
        if (!asm_text) {
            free(file);
            continue;
        }
        size_t known = 0;
        while (known < sizeof negative_asm / sizeof negative_asm[0] &&
               strcmp(negative_asm[known].file, entry->d_name))
            known++;
        if (known == sizeof negative_asm / sizeof negative_asm[0]) {
            fprintf(stderr, "  %s has an asm section but no expectation in this test\n",
                    entry->d_name);
            CHECK(0);
        } else {
            seen++;
            const char *expected = negative_asm[known].assembler_error;
            struct ebpf_insn *insns = NULL;
            size_t count;
            char msg[256] = "";
            int err = asm_assemble(asm_text, &insns, &count, msg, sizeof msg);
            if (expected) {
                if (!err)
                    fprintf(stderr, "  %s assembled\n", entry->d_name);
                CHECK_EQ(err, -EINVAL);
                CHECK_CONTAINS(msg, expected);
                if (strcmp(expected, "program has no instructions"))
                    CHECK_CONTAINS(msg, "line ");
                char *error = section(file, "error");
                char *want = error ? trimmed(error) : NULL;
                bool meaning_matches = !want || !*want ||
                                       !strcmp(entry->d_name, "invalid_unknown_directive.data") ||
                                       contains_ignoring_case(msg, want);
                if (!meaning_matches)
                    fprintf(stderr, "  %s: '%s' does not say '%s'\n", entry->d_name, msg, want);
                CHECK(meaning_matches);
                free(error);
            } else {
                if (err)
                    fprintf(stderr, "  %s: %s\n", entry->d_name, msg);
                CHECK_EQ(err, 0);
                CHECK(count > 0);
            }
            free(insns);
        }
        free(asm_text);
        free(file);
    }
    closedir(dir);
    CHECK_EQ(seen, sizeof negative_asm / sizeof negative_asm[0]);
}

/* The unused-*.data programs set a reserved field in their first instruction: it must not
 * disassemble, and the exit after it must. */
TEST(negative_raw_programs_with_reserved_fields_do_not_disassemble)
{
    char dir_path[512];
    suite_path(dir_path, sizeof dir_path, "negative", NULL);
    DIR *dir = opendir(dir_path);
    CHECK(dir != NULL);
    if (!dir)
        return;
    int files = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!is_data_file(entry->d_name) || strncmp(entry->d_name, "unused-", 7))
            continue;
        char path[1024];
        suite_path(path, sizeof path, "negative", entry->d_name);
        char *file = read_file(path);
        char *raw = file ? section(file, "raw") : NULL;
        CHECK(raw != NULL);
        struct ebpf_insn insns[8];
        size_t count = raw ? parse_raw(raw, insns, 8) : 0;
        CHECK_EQ(count, 2);
        if (count == 2) {
            char text[160];
            int slots = disasm_insn(insns, count, 0, text, sizeof text);
            if (slots >= 0)
                fprintf(stderr, "  %s: disassembled as '%s'\n", entry->d_name, text);
            CHECK_EQ(slots, -EINVAL);
            CHECK_CONTAINS(text, "invalid: ");
            CHECK_EQ(disasm_insn_asm(insns, count, 0, text, sizeof text), -EINVAL);
            CHECK_EQ(disasm_insn(insns, count, 1, text, sizeof text), 1);
            CHECK_STR(text, "exit");
        }
        files++;
        free(raw);
        free(file);
    }
    closedir(dir);
    CHECK(files >= 40);
}

TEST_MAIN
