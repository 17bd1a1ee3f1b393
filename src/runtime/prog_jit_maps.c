/* What the JIT may know of a program's maps at load time: the plain array maps it reads,
 * whose lookups it can inline (jit_options.array_maps). */
#include <errno.h>
#include <stdlib.h>

#include "runtime/prog.h"

int runtime_prog_jit_array_maps(const struct runtime_prog *prog, struct jit_array_map **out,
                                size_t *count)
{
    *out = NULL;
    *count = 0;
    struct jit_array_map *maps = NULL;
    for (size_t i = 0; i < prog->map_count; i++) {
        struct bpfhost_map *map = prog->maps[i];
        void *values = map_array_memory(map, NULL);
        /* map_lookup_elem gives write-only maps' programs nothing: leave those to it. */
        if (!values || (map->map_flags & MAP_F_WRONLY_PROG))
            continue;
        if (!maps) {
            maps = calloc(prog->map_count, sizeof *maps);
            if (!maps)
                return -ENOMEM;
        }
        maps[(*count)++] = (struct jit_array_map){
            .handle = (uintptr_t)map, /* what the loader relocated the program's lddw to */
            .values = values,
            .value_stride = (map->value_size + 7) & ~7u, /* map_array_memory's layout */
            .max_entries = map->max_entries,
        };
    }
    *out = maps;
    return 0;
}
