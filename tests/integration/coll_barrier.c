/*
 * coll_barrier - mpr_barrier really waits for every rank.
 *
 *   mprun -n N coll_barrier     (N = 1..8)
 *
 * Rank 0 makes a directory and broadcasts its name. In each of ROUNDS
 * rounds every rank creates the file <rank>.<round> there and enters the
 * barrier; after it, every rank must see all N files of the round (the
 * files were made before their ranks entered the barrier). Rounds start at
 * different times on different ranks (rank r sleeps a little in some
 * rounds) so that a barrier which returns early is caught.
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

enum { ROUNDS = 30 };

static int size;
static char dir[256];

static void path(char *out, size_t len, int rank, int round)
{
    snprintf(out, len, "%s/%d.%d", dir, rank, round);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);

    memset(dir, 0, sizeof dir);
    if (me == 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/mprtest-barrier-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            failf(__LINE__, "mkdtemp %s failed", dir);
            die();
        }
    }
    MUST(mpr_bcast(dir, sizeof dir, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(strncmp(dir, "/", 1) == 0, "bcast of the directory name gave '%.40s'", dir);

    for (int round = 0; round < ROUNDS; round++) {
        char p[300];
        /* the late ranks differ from round to round */
        if ((round + me) % 4 == 0)
            usleep(2000);
        path(p, sizeof p, me, round);
        int fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0600);
        if (fd < 0) {
            failf(__LINE__, "cannot create %s", p);
            die();
        }
        close(fd);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        for (int r = 0; r < size; r++) {
            struct stat sb;
            path(p, sizeof p, r, round);
            if (stat(p, &sb) != 0)
                failf(__LINE__, "round %d: left the barrier before rank %d entered it", round,
                      r);
        }
    }
    /* clean up: everyone removes its own files, then rank 0 the directory */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    for (int round = 0; round < ROUNDS; round++) {
        char p[300];
        path(p, sizeof p, me, round);
        unlink(p);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == 0 && rmdir(dir) != 0)
        failf(__LINE__, "cannot remove %s (files left: a barrier returned early?)", dir);
    /* many barriers in a row */
    for (int i = 0; i < 200; i++)
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
