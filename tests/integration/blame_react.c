/*
 * blame_react - one rank fails on its own while the others react to it
 * with failures of their own: mprun must name the first (issue 15).
 *
 *   mprun -n N blame_react HOW REACT MARK [VICTIM]
 *
 * Every rank uses a queue whose home is rank 0. VICTIM (default 0, the
 * home) then fails on its own: HOW kill raises SIGKILL, exit exits with
 * code 5 without mpr_finalize. The others block in a get on the empty
 * queue; when it returns MPR_ERR_PROC_FAILED they react at once, as a
 * careless program would: REACT exit exits with code 8, abort calls
 * mpr_abort with code 8. Their ends may well reach mprun first. A get that
 * returns anything else prints "rank R: FAIL: ..." and exits 1. MARK is
 * not used (the tests find their processes by it).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 4 || (strcmp(argv[1], "kill") != 0 && strcmp(argv[1], "exit") != 0) ||
        (strcmp(argv[2], "exit") != 0 && strcmp(argv[2], "abort") != 0)) {
        fprintf(stderr, "usage: blame_react kill|exit exit|abort MARK [VICTIM]\n");
        return 2;
    }
    const char *how = argv[1], *react = argv[2];
    int size;
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int victim = argc > 4 ? atoi(argv[4]) : 0;
    mpr_queue q;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, 0, &q), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (me == victim) {
        usleep(100 * 1000); /* let the others block first (not required) */
        if (strcmp(how, "kill") == 0)
            raise(SIGKILL);
        _exit(5);
    }
    char buf[16];
    size_t len;
    int rc = mpr_queue_get(q, buf, sizeof buf, &len, MPR_WAIT_FOREVER);
    if (rc != MPR_ERR_PROC_FAILED) {
        failf(__LINE__, "the get returned %s, wanted MPR_ERR_PROC_FAILED or to be killed",
              mpr_error_name(rc));
        _exit(1);
    }
    if (strcmp(react, "abort") == 0)
        mpr_abort(MPR_COMM_WORLD, 8);
    _exit(8);
}
