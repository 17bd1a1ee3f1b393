/* Assembler for the conformance-suite syntax. Lines are encoded in order; references to
 * labels are recorded as fixups and patched once every label is known. The text is copied
 * once and cut up in place, so lines and operands have no length limit. */
#include "isa/asm.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

enum { MAX_OPERANDS = 3 };

struct label {
    const char *name;
    size_t pc;
    unsigned line;
};

/* An instruction whose jump offset (in_offset) or immediate is the distance to a label. */
struct fixup {
    const char *name;
    size_t pc;
    unsigned line;
    bool in_offset;
};

struct assembler {
    struct ebpf_insn *insns;
    size_t count, insn_cap;
    struct label *labels;
    size_t label_count, label_cap;
    struct fixup *fixups;
    size_t fixup_count, fixup_cap;
    bool has_exit;
    size_t first_exit_pc;
    unsigned line;
    char *msg;
    size_t msg_size;
};

/* Text quoted in messages is cut short: a line may be megabytes long. */
#define QUOTE "%.48s%s"
#define QUOTED(text) (text), strlen(text) > 48 ? "..." : ""

static int vfail(struct assembler *as, int err, const char *fmt, va_list ap)
{
    if (!as->msg || !as->msg_size)
        return err;
    int prefix = as->line ? snprintf(as->msg, as->msg_size, "line %u: ", as->line) : 0;
    if (prefix >= 0 && (size_t)prefix < as->msg_size)
        vsnprintf(as->msg + prefix, as->msg_size - (size_t)prefix, fmt, ap);
    return err;
}

__attribute__((format(printf, 2, 3))) static int fail(struct assembler *as, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int err = vfail(as, -EINVAL, fmt, ap);
    va_end(ap);
    return err;
}

__attribute__((format(printf, 3, 4))) static int fail_with(struct assembler *as, int err,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(as, err, fmt, ap);
    va_end(ap);
    return err;
}

static int out_of_memory(struct assembler *as) { return fail_with(as, -ENOMEM, "out of memory"); }

/* Returns the (possibly moved) array with room for need items, or NULL when out of memory
 * (the old array is then untouched). */
static void *grow(void *items, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return items;
    size_t new_cap = *cap ? *cap : 64;
    while (new_cap < need)
        new_cap *= 2;
    void *moved = realloc(items, new_cap * item_size);
    if (moved)
        *cap = new_cap;
    return moved;
}

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        s[--len] = '\0';
    return s;
}

/* Tabs and runs of blanks become one space, so multi-word mnemonics compare as strings. */
static void normalize_blanks(char *s)
{
    char *out = s;
    bool after_blank = false;
    for (; *s; s++) {
        bool blank = isspace((unsigned char)*s);
        if (blank && after_blank)
            continue;
        *out++ = blank ? ' ' : *s;
        after_blank = blank;
    }
    *out = '\0';
}

static bool is_label_start(char c) { return isalpha((unsigned char)c) || c == '_' || c == '.'; }

static bool is_label_name(const char *s)
{
    if (!is_label_start(*s))
        return false;
    for (s++; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
            return false;
    return true;
}

/* ---- numbers ---------------------------------------------------------------------------- */

struct number {
    bool negative, hex;
    uint64_t magnitude;
};

/* [+-]decimal or [+-]0xhex, the whole string. Returns 0, -EINVAL (not a number) or -ERANGE
 * (more than 64 bits). */
static int parse_number(const char *s, struct number *n)
{
    n->negative = *s == '-';
    if (*s == '+' || *s == '-')
        s++;
    n->hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (n->hex)
        s += 2;
    unsigned base = n->hex ? 16 : 10;
    if (!*s)
        return -EINVAL;
    uint64_t value = 0;
    for (; *s; s++) {
        unsigned digit;
        if (isdigit((unsigned char)*s))
            digit = (unsigned)(*s - '0');
        else if (isxdigit((unsigned char)*s))
            digit = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
        else
            return -EINVAL;
        if (digit >= base)
            return -EINVAL;
        if (value > (UINT64_MAX - digit) / base)
            return -ERANGE;
        value = value * base + digit;
    }
    n->magnitude = value;
    return 0;
}

/* 32-bit fields take a signed decimal, or in hex the bit pattern. */
static bool number_to_imm32(const struct number *n, int32_t *out)
{
    uint64_t limit = n->negative ? 0x80000000u : n->hex ? 0xffffffffu : 0x7fffffffu;
    if (n->magnitude > limit)
        return false;
    uint32_t bits = (uint32_t)(n->negative ? 0 - n->magnitude : n->magnitude);
    *out = (int32_t)bits;
    return true;
}

static bool number_to_int16(const struct number *n, int16_t *out)
{
    if (n->magnitude > (n->negative ? 0x8000u : 0x7fffu))
        return false;
    *out = (int16_t)(n->negative ? -(int32_t)n->magnitude : (int32_t)n->magnitude);
    return true;
}

static bool number_to_int32(const struct number *n, int32_t *out)
{
    if (n->magnitude > (n->negative ? 0x80000000u : 0x7fffffffu))
        return false;
    *out = (int32_t)(n->negative ? -(int64_t)n->magnitude : (int64_t)n->magnitude);
    return true;
}

static int parse_imm32(struct assembler *as, const char *text, int32_t *imm)
{
    struct number n;
    int err = parse_number(text, &n);
    if (err == -EINVAL)
        return fail(as, "invalid immediate '" QUOTE "'", QUOTED(text));
    if (err || !number_to_imm32(&n, imm))
        return fail(as, "immediate " QUOTE " out of 32-bit range", QUOTED(text));
    return 0;
}

static int parse_imm64(struct assembler *as, const char *text, uint64_t *imm)
{
    struct number n;
    int err = parse_number(text, &n);
    if (err == -EINVAL)
        return fail(as, "invalid immediate '" QUOTE "'", QUOTED(text));
    if (err || (n.negative && n.magnitude > (UINT64_C(1) << 63)))
        return fail(as, "immediate " QUOTE " out of 64-bit range", QUOTED(text));
    *imm = n.negative ? 0 - n.magnitude : n.magnitude;
    return 0;
}

/* ---- operands --------------------------------------------------------------------------- */

static int parse_register(struct assembler *as, const char *text, uint8_t *reg)
{
    if (text[0] != '%')
        return fail(as, "expected register %%rN, got '" QUOTE "'", QUOTED(text));
    unsigned value = 0;
    const char *p = text + 2;
    if (text[1] != 'r' || !isdigit((unsigned char)*p))
        return fail(as, "invalid register " QUOTE, QUOTED(text));
    for (; isdigit((unsigned char)*p) && value < EBPF_REG_COUNT; p++)
        value = value * 10 + (unsigned)(*p - '0');
    if (*p || value >= EBPF_REG_COUNT)
        return fail(as, "invalid register " QUOTE, QUOTED(text));
    *reg = (uint8_t)value;
    return 0;
}

/* [%rN], [%rN+off] or [%rN-off]; blanks inside the brackets are allowed. */
static int parse_memory(struct assembler *as, char *text, uint8_t *reg, int16_t *off)
{
    size_t len = strlen(text);
    if (len < 2 || text[0] != '[' || text[len - 1] != ']')
        return fail(as, "expected memory operand [%%rN+off], got '" QUOTE "'",
                    QUOTED(text));
    text[len - 1] = '\0';
    char *sign = strpbrk(text + 1, "+-");
    char sign_char = sign ? *sign : '\0';
    if (sign)
        *sign = '\0';
    int err = parse_register(as, trim(text + 1), reg);
    if (err)
        return err;
    *off = 0;
    if (!sign)
        return 0;
    char *digits = trim(sign + 1);
    digits[-1] = sign_char; /* the sign goes back right before the digits */
    const char *shown = sign_char == '+' ? digits : digits - 1;
    struct number n;
    err = parse_number(digits - 1, &n);
    if (err == -EINVAL)
        return fail(as, "invalid offset '" QUOTE "'", QUOTED(shown));
    if (err || !number_to_int16(&n, off))
        return fail(as, "offset " QUOTE " out of 16-bit range", QUOTED(shown));
    return 0;
}

/* A jump or call target: a signed pc-relative number, or a label patched later. */
static int parse_target(struct assembler *as, char *text, bool in_offset, int32_t *value)
{
    *value = 0;
    if (is_label_name(text)) {
        struct fixup *grown = grow(as->fixups, &as->fixup_cap, as->fixup_count + 1, sizeof *grown);
        if (!grown)
            return out_of_memory(as);
        as->fixups = grown;
        as->fixups[as->fixup_count++] = (struct fixup){text, as->count, as->line, in_offset};
        return 0;
    }
    struct number n;
    int err = parse_number(text, &n);
    if (err == -EINVAL)
        return fail(as, "invalid target '" QUOTE "': expected a label or +/-offset",
                    QUOTED(text));
    if (in_offset) {
        int16_t off = 0;
        if (err || !number_to_int16(&n, &off))
            return fail(as, "jump offset " QUOTE " out of 16-bit range", QUOTED(text));
        *value = off;
    } else if (err || !number_to_int32(&n, value)) {
        return fail(as, "target offset " QUOTE " out of 32-bit range", QUOTED(text));
    }
    return 0;
}

/* ---- mnemonics -------------------------------------------------------------------------- */

static int operand_count(enum isa_operands kind)
{
    switch (kind) {
    case ISA_OPS_NONE: return 0;
    case ISA_OPS_DST:
    case ISA_OPS_JUMP:
    case ISA_OPS_JUMP32:
    case ISA_OPS_CALL_HELPER:
    case ISA_OPS_CALL_LOCAL:
    case ISA_OPS_CALL_KFUNC:
    case ISA_OPS_CALLX:
    case ISA_OPS_LD_ABS: return 1;
    case ISA_OPS_COND_IMM:
    case ISA_OPS_COND_REG: return 3;
    default: return 2;
    }
}

/* Form ids sorted by name, so a million-line program does not scan the table per line. */
static uint8_t forms_by_name[ISA_FORM_COUNT - 1];
static once_flag forms_by_name_once = ONCE_FLAG_INIT;

static int compare_form_names(const void *a, const void *b)
{
    return strcmp(isa_forms[*(const uint8_t *)a].name, isa_forms[*(const uint8_t *)b].name);
}

static void sort_forms_by_name(void)
{
    for (int id = ISA_FORM_INVALID + 1; id < ISA_FORM_COUNT; id++)
        forms_by_name[id - 1] = (uint8_t)id;
    qsort(forms_by_name, ISA_FORM_COUNT - 1, 1, compare_form_names);
}

/* Index of the first name, in sorted order, that is not below text[0..len). */
static size_t first_name_from(const char *text, size_t len)
{
    call_once(&forms_by_name_once, sort_forms_by_name);
    size_t low = 0, high = ISA_FORM_COUNT - 1;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (strncmp(isa_forms[forms_by_name[mid]].name, text, len) < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

/* True when some form's name is text[0..len) or continues it with further words. */
static bool begins_a_name(const char *text, size_t len)
{
    for (size_t i = first_name_from(text, len); i < ISA_FORM_COUNT - 1; i++) {
        const char *name = isa_forms[forms_by_name[i]].name;
        if (strncmp(name, text, len))
            break;
        if (name[len] == '\0' || name[len] == ' ')
            return true;
    }
    return false;
}

/* Forms named exactly name: one, or an immediate/register pair. */
static int forms_named(const char *name, enum isa_form_id found[2])
{
    int count = 0;
    for (size_t i = first_name_from(name, strlen(name));
         i < ISA_FORM_COUNT - 1 && count < 2 && !strcmp(isa_forms[forms_by_name[i]].name, name); i++)
        found[count++] = (enum isa_form_id)forms_by_name[i];
    return count;
}

static int alias_forms(const char *mnemonic, enum isa_form_id found[2])
{
    char base[32];
    size_t len = strlen(mnemonic);
    if (len + 1 >= sizeof base)
        return 0;
    if (!strncmp(mnemonic, "swap", 4)) {
        base[0] = 'b';
        memcpy(base + 1, mnemonic, len + 1);
        return forms_named(base, found);
    }
    if (len > 2 && !strcmp(mnemonic + len - 2, "64")) {
        memcpy(base, mnemonic, len - 2);
        base[len - 2] = '\0';
        int count = forms_named(base, found);
        for (int i = 0; i < count; i++)
            if (EBPF_CLASS(isa_forms[found[i]].code) != EBPF_CLASS_ALU64)
                return 0;
        return count;
    }
    return 0;
}

static bool takes_register_second(enum isa_operands kind)
{
    return kind == ISA_OPS_DST_SRC || kind == ISA_OPS_COND_REG;
}

/* ---- instructions ----------------------------------------------------------------------- */

static int append(struct assembler *as, const struct ebpf_insn *insn, size_t slots)
{
    if (as->count + slots > EBPF_MAX_INSNS)
        return fail_with(as, -E2BIG, "program has more than %d instructions", EBPF_MAX_INSNS);
    struct ebpf_insn *grown = grow(as->insns, &as->insn_cap, as->count + slots, sizeof *grown);
    if (!grown)
        return out_of_memory(as);
    as->insns = grown;
    memcpy(&as->insns[as->count], insn, slots * sizeof *insn);
    as->count += slots;
    return 0;
}

static int encode(struct assembler *as, enum isa_form_id id, char **ops)
{
    const struct isa_form *form = &isa_forms[id];
    struct ebpf_insn insn[2] = {{.code = form->code}};
    uint8_t dst = 0, src = 0;
    int16_t off = 0;
    int32_t imm = 0;
    uint64_t imm64 = 0;
    int err = 0;
    switch ((enum isa_operands)form->operands) {
    case ISA_OPS_NONE: break;
    case ISA_OPS_DST:
    case ISA_OPS_CALLX: err = parse_register(as, ops[0], &dst); break;
    case ISA_OPS_DST_IMM:
        if (!(err = parse_register(as, ops[0], &dst)))
            err = parse_imm32(as, ops[1], &imm);
        break;
    case ISA_OPS_DST_SRC:
        if (!(err = parse_register(as, ops[0], &dst)))
            err = parse_register(as, ops[1], &src);
        break;
    case ISA_OPS_LOAD:
        if (!(err = parse_register(as, ops[0], &dst)))
            err = parse_memory(as, ops[1], &src, &off);
        break;
    case ISA_OPS_STORE_IMM:
        if (!(err = parse_memory(as, ops[0], &dst, &off)))
            err = parse_imm32(as, ops[1], &imm);
        break;
    case ISA_OPS_STORE_REG:
        if (!(err = parse_memory(as, ops[0], &dst, &off)))
            err = parse_register(as, ops[1], &src);
        break;
    case ISA_OPS_JUMP: {
        int32_t target = 0;
        err = parse_target(as, ops[0], true, &target);
        off = (int16_t)target;
        break;
    }
    case ISA_OPS_JUMP32:
    case ISA_OPS_CALL_LOCAL: err = parse_target(as, ops[0], false, &imm); break;
    case ISA_OPS_COND_IMM:
    case ISA_OPS_COND_REG: {
        int32_t target = 0;
        if (!(err = parse_register(as, ops[0], &dst)))
            err = form->operands == ISA_OPS_COND_REG ? parse_register(as, ops[1], &src)
                                                     : parse_imm32(as, ops[1], &imm);
        if (!err)
            err = parse_target(as, ops[2], true, &target);
        off = (int16_t)target;
        break;
    }
    case ISA_OPS_CALL_HELPER:
    case ISA_OPS_CALL_KFUNC:
    case ISA_OPS_LD_ABS: err = parse_imm32(as, ops[0], &imm); break;
    case ISA_OPS_LD_IND:
        if (!(err = parse_register(as, ops[0], &src)))
            err = parse_imm32(as, ops[1], &imm);
        break;
    case ISA_OPS_LDDW:
        if ((err = parse_register(as, ops[0], &dst)))
            break;
        if (id == ISA_LDDW_FUNC && is_label_name(ops[1])) {
            err = parse_target(as, ops[1], false, &imm);
            imm64 = (uint32_t)imm;
        } else {
            err = parse_imm64(as, ops[1], &imm64);
        }
        break;
    }
    if (err)
        return err;
    switch (form->match) {
    case ISA_MATCH_OFF: off = (int16_t)form->match_value; break;
    case ISA_MATCH_IMM: imm = form->match_value; break;
    case ISA_MATCH_SRC: src = (uint8_t)form->match_value; break;
    default: break;
    }
    insn[0].dst = dst & 0xf;
    insn[0].src = src & 0xf;
    insn[0].off = off;
    insn[0].imm = imm;
    if (form->operands == ISA_OPS_LDDW) {
        insn[0].imm = (int32_t)(uint32_t)imm64;
        insn[1].imm = (int32_t)(uint32_t)(imm64 >> 32);
        return append(as, insn, 2);
    }
    if (id == ISA_EXIT && !as->has_exit) {
        as->has_exit = true;
        as->first_exit_pc = as->count;
    }
    return append(as, insn, 1);
}

static int assemble_instruction(struct assembler *as, char *line)
{
    /* A mnemonic may be several words ("lock fetch add"): take the longest run of words that
     * begins some form's name. */
    size_t len = strcspn(line, " ");
    while (line[len] == ' ') {
        size_t longer = len + 1 + strcspn(line + len + 1, " ");
        if (!begins_a_name(line, longer))
            break;
        len = longer;
    }
    char *rest = line + len;
    if (*rest)
        *rest++ = '\0';
    const char *mnemonic = line;

    char *ops[MAX_OPERANDS] = {0};
    int op_count = 0;
    rest = trim(rest);
    int next_word = (int)strcspn(rest, " ,");
    const char *next_word_text = rest;
    while (*rest || op_count) {
        char *comma = strchr(rest, ',');
        if (comma)
            *comma = '\0';
        if (op_count < MAX_OPERANDS)
            ops[op_count] = trim(rest);
        op_count++;
        if (!comma)
            break;
        rest = comma + 1;
    }

    enum isa_form_id found[2];
    int forms;
    if (!strcmp(mnemonic, "call") && op_count == 1 && ops[0][0] == '%') {
        found[0] = ISA_CALLX;
        forms = 1;
    } else {
        forms = forms_named(mnemonic, found);
    }
    if (!forms)
        forms = alias_forms(mnemonic, found);
    if (!forms) {
        if (!begins_a_name(mnemonic, strlen(mnemonic)))
            return fail(as, "unknown mnemonic '" QUOTE "'", QUOTED(mnemonic));
        if (!op_count) /* "lock" alone */
            return fail(as, "invalid number of operands for %s", mnemonic);
        return fail(as, "unknown mnemonic '%s %.*s%s'", mnemonic, next_word > 48 ? 48 : next_word,
                    next_word_text, next_word > 48 ? "..." : "");
    }
    enum isa_form_id id = found[0];
    int expected = operand_count(isa_forms[id].operands);
    if (op_count != expected)
        return fail(as, "invalid number of operands for %s: expected %d, got %d", mnemonic,
                    expected, op_count);
    for (int i = 0; i < op_count; i++)
        if (!*ops[i])
            return fail(as, "operand %d of %s is empty", i + 1, mnemonic);
    if (forms == 2 && ops[1][0] == '%' && !takes_register_second(isa_forms[id].operands))
        id = found[1];
    return encode(as, id, ops);
}

static int define_label(struct assembler *as, const char *name)
{
    if (!is_label_name(name))
        return fail(as, "invalid label name '" QUOTE "'", QUOTED(name));
    struct label *grown = grow(as->labels, &as->label_cap, as->label_count + 1, sizeof *grown);
    if (!grown)
        return out_of_memory(as);
    as->labels = grown;
    as->labels[as->label_count++] = (struct label){name, as->count, as->line};
    return 0;
}

static int assemble_line(struct assembler *as, char *line)
{
    char *comment = strchr(line, '#');
    if (comment)
        *comment = '\0';
    normalize_blanks(line);
    line = trim(line);
    size_t word = strcspn(line, " ");
    if (word && line[word - 1] == ':') {
        line[word - 1] = '\0';
        int err = define_label(as, line);
        if (err)
            return err;
        line = trim(line + word);
    }
    return *line ? assemble_instruction(as, line) : 0;
}

/* ---- labels ----------------------------------------------------------------------------- */

static int compare_labels(const void *a, const void *b)
{
    const struct label *la = a, *lb = b;
    int by_name = strcmp(la->name, lb->name);
    return by_name ? by_name : (la->line > lb->line) - (la->line < lb->line);
}

static int compare_key_to_label(const void *key, const void *label)
{
    return strcmp(key, ((const struct label *)label)->name);
}

/* Sorting keeps many labels and references fast (untrusted text may hold a million). */
static int resolve_labels(struct assembler *as)
{
    if (as->label_count)
        qsort(as->labels, as->label_count, sizeof *as->labels, compare_labels);
    for (size_t i = 1; i < as->label_count; i++)
        if (!strcmp(as->labels[i].name, as->labels[i - 1].name)) {
            as->line = as->labels[i].line;
            return fail(as, "duplicate label " QUOTE " (first defined on line %u)",
                        QUOTED(as->labels[i].name),
                        as->labels[i - 1].line);
        }
    for (size_t i = 0; i < as->fixup_count; i++) {
        const struct fixup *fixup = &as->fixups[i];
        as->line = fixup->line;
        const struct label *label =
            as->label_count ? bsearch(fixup->name, as->labels, as->label_count,
                                      sizeof *as->labels, compare_key_to_label)
                            : NULL;
        size_t target;
        if (label)
            target = label->pc;
        else if (as->has_exit && !strcmp(fixup->name, "exit"))
            target = as->first_exit_pc;
        else
            return fail(as, "unknown label " QUOTE, QUOTED(fixup->name));
        int64_t distance = (int64_t)target - (int64_t)fixup->pc - 1;
        struct ebpf_insn *insn = &as->insns[fixup->pc];
        if (fixup->in_offset) {
            if (distance < INT16_MIN || distance > INT16_MAX)
                return fail(as, "label " QUOTE " is too far: offset %lld out of 16-bit range",
                            QUOTED(fixup->name), (long long)distance);
            insn->off = (int16_t)distance;
        } else {
            insn->imm = (int32_t)distance; /* programs are far shorter than 2^31 */
        }
    }
    return 0;
}

static int assemble(struct assembler *as, char *text)
{
    char *line = text;
    for (as->line = 1;; as->line++) {
        char *newline = strchr(line, '\n');
        if (newline)
            *newline = '\0';
        int err = assemble_line(as, line);
        if (err)
            return err;
        if (!newline)
            break;
        line = newline + 1;
    }
    as->line = 0;
    if (!as->count)
        return fail(as, "program has no instructions");
    return resolve_labels(as);
}

int asm_assemble(const char *text, struct ebpf_insn **insns, size_t *count, char *msg,
                 size_t msg_size)
{
    *insns = NULL;
    *count = 0;
    struct assembler as = {.msg = msg, .msg_size = msg_size};
    if (msg && msg_size)
        msg[0] = '\0';
    if (!text)
        return fail(&as, "no program text");
    char *copy = strdup(text);
    if (!copy)
        return out_of_memory(&as);
    int err = assemble(&as, copy);
    free(copy);
    free(as.labels);
    free(as.fixups);
    if (err) {
        free(as.insns);
        return err;
    }
    *insns = as.insns;
    *count = as.count;
    return 0;
}
