/* Extern variables: libbpf's .kconfig externs become one read-only array map whose value
 * holds each extern at an aligned offset (libbpf's layout: larger alignment first, then by
 * name). bpfhost has no kernel configuration, so values are defaults: LINUX_KERNEL_VERSION
 * is the chosen kernel version, LINUX_HAS_BPF_COOKIE is 1, LINUX_HAS_SYSCALL_WRAPPER is 0
 * (no kernel syscall wrappers to probe), CONFIG_* externs take the caller's kconfig values
 * (elf_kconfig.c), else weak ones are 0. Other externs (kfuncs,
 * ksyms) need a kernel and are refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_object_impl.h"

struct pending_extern {
    const char *name;
    uint32_t type_id;
    uint32_t size, align;
    bool weak;
};

static uint32_t align_of(const struct btf *btf, uint32_t id)
{
    for (int depth = 0; depth < 32; depth++) {
        const struct btf_type *t = btf_type_by_id(btf, btf_skip_modifiers(btf, id));
        if (!t)
            return 0;
        switch (t->kind) {
        case BTF_KIND_INT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
            return t->size == 0 ? 0 : t->size < 8 ? t->size : 8;
        case BTF_KIND_PTR:
            return 8;
        case BTF_KIND_ARRAY:
            id = t->type;
            break;
        default:
            return 0;
        }
    }
    return 0;
}

static int by_align_then_name(const void *a, const void *b)
{
    const struct pending_extern *x = a, *y = b;
    if (x->align != y->align)
        return x->align > y->align ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The BTF variable of a .kconfig extern, or NULL. */
static const struct btf_type *kconfig_var(const struct btf *btf, const char *name)
{
    uint32_t sec = btf_find_by_name_kind(btf, ".kconfig", BTF_KIND_DATASEC);
    const struct btf_type *datasec = btf_type_by_id(btf, sec);
    for (uint32_t i = 0; datasec && i < datasec->vlen; i++) {
        const struct btf_type *var = btf_type_by_id(btf, datasec->members[i].type);
        if (var && var->kind == BTF_KIND_VAR && !strcmp(var->name, name))
            return var;
    }
    return NULL;
}

static int default_value(struct elf_object *obj, const struct pending_extern *e, uint8_t *out)
{
    uint64_t value;
    if (!strncmp(e->name, "CONFIG_", 7)) {
        bool given;
        int err = elf_kconfig_value(obj, e->name, e->type_id, e->size, out, &given);
        if (err || given)
            return err;
    }
    if (!strcmp(e->name, "LINUX_KERNEL_VERSION"))
        value = obj->kconfig_kernel_version;
    else if (!strcmp(e->name, "LINUX_HAS_BPF_COOKIE"))
        value = 1;
    else if (!strcmp(e->name, "LINUX_HAS_SYSCALL_WRAPPER"))
        value = 0;
    else if (!strncmp(e->name, "CONFIG_", 7) && e->weak)
        value = 0;
    else if (!strncmp(e->name, "CONFIG_", 7))
        return elf_fail(obj, ENOENT, "extern '%s': bpfhost has no kernel configuration to "
                        "take it from; declare it __weak to get 0", e->name);
    else
        return elf_fail(obj, EINVAL, "extern '%s': unrecognized .kconfig extern", e->name);
    if (e->size > 8 && value)
        return elf_fail(obj, EINVAL, "extern '%s': type of %u bytes cannot hold its value",
                        e->name, e->size);
    for (uint32_t b = 0; b < e->size && b < 8; b++)
        out[b] = (uint8_t)(value >> (8 * b));
    return 0;
}

int elf_collect_externs(struct elf_object *obj)
{
    obj->kconfig_map = -1;
    struct pending_extern *pending = NULL;
    size_t count = 0;
    int err = 0;
    for (size_t i = 0; i < obj->symbol_count && !err; i++) {
        const struct elf_symbol *sym = &obj->symbols[i];
        if (sym->shndx != ELF_SHN_UNDEF || sym->type != ELF_STT_NOTYPE || !*sym->name ||
            (sym->bind != ELF_STB_GLOBAL && sym->bind != ELF_STB_WEAK))
            continue;
        if ((err = elf_check_symbol_name(obj, sym, "extern")))
            break;
        const struct btf_type *var = kconfig_var(obj->btf, sym->name);
        if (!var) {
            err = elf_fail(obj, ENOTSUP, "extern '%s' is not a .kconfig variable: extern "
                           "functions (kfuncs) and kernel symbols need a Linux kernel",
                           sym->name);
            break;
        }
        int64_t size = btf_resolve_size(obj->btf, var->type);
        uint32_t align = align_of(obj->btf, var->type);
        if (size <= 0 || size > 4096 || !align) {
            err = elf_fail(obj, EINVAL, "extern '%s': unsupported type", sym->name);
            break;
        }
        if (elf_array_grow((void **)&pending, count, sizeof(*pending))) {
            err = elf_fail(obj, ENOMEM, "out of memory");
            break;
        }
        pending[count++] = (struct pending_extern){sym->name, var->type, (uint32_t)size, align,
                                                   sym->bind == ELF_STB_WEAK};
    }
    if (err || count == 0) {
        free(pending);
        return err;
    }
    qsort(pending, count, sizeof(*pending), by_align_then_name);
    obj->externs = calloc(count, sizeof(*obj->externs));
    if (!obj->externs) {
        free(pending);
        return elf_fail(obj, ENOMEM, "out of memory");
    }
    uint32_t off = 0;
    for (size_t i = 0; i < count; i++) {
        off = (off + pending[i].align - 1) / pending[i].align * pending[i].align;
        obj->externs[i] = (struct elf_kconfig_extern){pending[i].name, off};
        off += pending[i].size;
    }
    obj->extern_count = count;
    uint32_t value_size = off; /* as libbpf sizes it: the last extern's end */
    uint8_t *value = calloc(1, value_size);
    if (!value) {
        free(pending);
        return elf_fail(obj, ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < count && !err; i++)
        err = default_value(obj, &pending[i], value + obj->externs[i].offset);
    if (!err) {
        int index = elf_add_internal_map(obj, 0, ".kconfig", ELF_MAP_KCONFIG, value_size, value);
        if (index < 0)
            err = index;
        else
            obj->kconfig_map = index;
    }
    free(value);
    free(pending);
    return err;
}
