/* Which registers each block may read before writing them (live at its entry). States drop
 * dead registers before they are compared or joined, so that a value nobody reads can
 * neither keep states apart nor turn a join into mixed types. */
#ifndef BPFHOST_VERIFIER_LIVENESS_H
#define BPFHOST_VERIFIER_LIVENESS_H

#include <stdint.h>

#include "isa/isa.h"
#include "verifier/cfg.h"

/* Registers read and written by one instruction, as bit masks (bit n: rn). */
void liveness_insn(const struct ebpf_insn *insn, uint16_t *use, uint16_t *def);

/* Fills live_in[block] (cfg->block_count entries) with the registers live at each block's
 * entry, within its function (a local call reads r1-r5 and writes r0-r5). */
void liveness_compute(const struct ebpf_insn *insns, const struct cfg *cfg, uint16_t *live_in);

#endif
