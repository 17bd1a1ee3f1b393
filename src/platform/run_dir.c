/* The run directory and creating directories along a path. */
#include "platform/run_dir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *platform_run_dir(void)
{
    const char *dir = getenv("BPFHOST_RUN_DIR");
    return dir && *dir ? dir : "/run/bpfhost";
}

int platform_make_dir(const char *dir)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path)
        return -ENAMETOOLONG;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0755) && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}
