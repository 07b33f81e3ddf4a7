/*
 * coll_bcast - mpr_bcast from every root with 0, 1, 7, 4096 and 1 MiB
 * bytes (and a NULL buffer with 0), checked on every rank with guard bytes
 * after the buffer; then many bcasts of varying size and root back to back.
 *
 *   mprun -n N coll_bcast       (N = 1..8)
 *
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { GUARD = 32, GUARDBYTE = 0x5a };

static int size;

static void one_bcast(size_t len, int root, int salt)
{
    unsigned char *buf = xmalloc(len + GUARD);

    if (me == root)
        fill(buf, len, root, salt);
    else
        memset(buf, 0, len);
    memset(buf + len, GUARDBYTE, GUARD);
    int rc = mpr_bcast(buf, len, root, MPR_COMM_WORLD);
    if (rc != MPR_SUCCESS) {
        failf(__LINE__, "bcast of %zu bytes from root %d returned %s", len, root,
              mpr_error_name(rc));
        die();
    }
    size_t bad = badbyte(buf, len, root, salt);
    if (bad != len)
        failf(__LINE__, "bcast of %zu bytes from root %d: byte %zu is %#x, wanted %#x", len,
              root, bad, buf[bad], pat(root, salt, bad));
    for (size_t i = 0; i < GUARD; i++)
        if (buf[len + i] != GUARDBYTE) {
            failf(__LINE__, "bcast of %zu bytes from root %d wrote %zu bytes past the buffer",
                  len, root, i + 1);
            break;
        }
    free(buf);
}

int main(int argc, char **argv)
{
    static const size_t lens[] = {0, 1, 7, 4096, 1 << 20};
    int want_size = argc > 1 ? atoi(argv[1]) : -1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    if (want_size > 0)
        CHECK(size == want_size, "size %d, wanted %d", size, want_size);

    for (int root = 0; root < size; root++) {
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++)
            one_bcast(lens[k], root, (int)k);
        int rc = mpr_bcast(NULL, 0, root, MPR_COMM_WORLD);
        if (rc != MPR_SUCCESS) {
            failf(__LINE__, "bcast of 0 bytes (NULL buffer) from root %d, after 1 MiB from the "
                  "same root, returned %s", root, mpr_error_name(rc));
            die();
        }
    }
    /* back to back, no barrier: sizes and roots change every time */
    for (int i = 0; i < 60; i++) {
        size_t len = (size_t)(i * 977) % 70000;
        if (i % 10 == 9)
            len = 300000 + (size_t)i;
        one_bcast(len, (i * 3) % size, 100 + i);
    }
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
