/*
 * misc_shm - start up and exchange a few messages, or say why not.
 *
 *   mprun -n N misc_shm
 *
 * Used by shm.sh with /dev/shm full or missing: mpr_init must then return
 * MPR_ERR_SHM (no SIGBUS); this program prints mpr_strerror of what
 * mpr_init returned and exits 1. When everything works it exits 0.
 */
#include <mpr.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
    int size;

    setvbuf(stdout, NULL, _IOLBF, 0);
    int rc = mpr_init(&argc, &argv);
    if (rc != MPR_SUCCESS) {
        printf("misc_shm: mpr_init: %s: %s\n", mpr_error_name(rc), mpr_strerror(rc));
        return 1;
    }
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int left = (me + size - 1) % size, right = (me + 1) % size;
    static const size_t lens[] = {8, 4096, 3u << 20};
    for (size_t k = 0; k < 3; k++) {
        unsigned char *out = xmalloc(lens[k]), *in = xmalloc(lens[k]);
        mpr_status st;
        fill(out, lens[k], me, (int)k);
        MUST(mpr_sendrecv(out, lens[k], right, 1, in, lens[k], left, 1, MPR_COMM_WORLD, &st),
             MPR_SUCCESS);
        CHECK(st.count == lens[k] && badbyte(in, lens[k], left, (int)k) == lens[k],
              "%zu bytes from %d: count %zu or data wrong", lens[k], left, st.count);
        free(out);
        free(in);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
