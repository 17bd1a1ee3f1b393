/* libFuzzer target: any bytes given to the object loader must be either opened or refused
 * with a message, never crash, hang or leak. Opened objects are walked so that every
 * program, map and line record is read. Seeds: the ELF corpus (tests/suites/fuzz_elf.sh). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elf/elf_object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[256];
    struct elf_object *obj;
    if (elf_object_open_memory(data, size, NULL, &obj, msg, sizeof(msg))) {
        if (!msg[0] || strlen(msg) >= sizeof(msg))
            __builtin_trap(); /* every refusal must say why */
        return 0;
    }
    volatile uint64_t sink = 0;
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        for (size_t k = 0; k < p->insn_count; k++)
            sink += (uint64_t)p->insns[k].imm;
        for (size_t k = 0; k < p->insn_count; k += 7) {
            const struct elf_line *line = elf_program_line(p, k);
            if (line)
                sink += strlen(line->file_name) + strlen(line->line_text);
        }
    }
    for (size_t i = 0; i < elf_object_map_count(obj); i++) {
        const struct elf_map *m = elf_object_map(obj, i);
        sink += strlen(m->name) + m->value_size;
        if (m->initial_value && m->value_size)
            sink += m->initial_value[m->value_size - 1];
    }
    (void)sink;
    elf_object_free(obj);
    return 0;
}
