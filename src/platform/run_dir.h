/* The run directory: where the bpfhost processes of one machine meet (the system trace
 * buffer, published XDP attachments). $BPFHOST_RUN_DIR when set (tests use a private one),
 * else /run/bpfhost. */
#ifndef BPFHOST_PLATFORM_RUN_DIR_H
#define BPFHOST_PLATFORM_RUN_DIR_H

const char *platform_run_dir(void);

/* Creates path and its missing parents (mode 0755), like mkdir -p. Returns 0 (also when it
 * exists) or a negative errno. */
int platform_make_dir(const char *path);

#endif
