/* bpfhost's execution-type extension (include/bpf/bpfhost.h): which engine runs an object's
 * programs, chosen before load and read back per program. */
#include "bpf/bpfhost.h"
#include "libbpf/libbpf_impl.h"
#include "runtime/handles.h"

int bpfhost_object__set_execution_type(struct bpf_object *obj, enum bpfhost_execution_type type)
{
    static const enum runtime_engine engines[] = {
        [BPFHOST_EXECUTION_ANY] = RUNTIME_ENGINE_DEFAULT,
        [BPFHOST_EXECUTION_JIT] = RUNTIME_ENGINE_JIT,
        [BPFHOST_EXECUTION_INTERPRET] = RUNTIME_ENGINE_INTERP,
    };
    if (!obj || (unsigned)type >= sizeof engines / sizeof engines[0])
        return libbpf_err(-EINVAL);
    if (obj->loaded)
        return libbpf_err(-EBUSY);
    obj->engine = engines[type];
    return 0;
}

int bpfhost_prog_execution_type(int prog_fd)
{
    struct runtime_prog *prog;
    int err = handles_prog_from_fd(prog_fd, &prog);
    if (err)
        return libbpf_err(err);
    int type = prog->engine == RUNTIME_ENGINE_JIT ? BPFHOST_EXECUTION_JIT : BPFHOST_EXECUTION_INTERPRET;
    runtime_prog_put(prog);
    return type;
}
