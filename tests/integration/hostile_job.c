/*
 * hostile_job.c - the job hostile_peers.sh attacks from outside: it must
 * finish right whatever strangers do to its listeners.
 *
 * Usage: hostile_job DIR [OBJECTS]
 *   1. After mpr_init each rank writes DIR/ready.<rank> (its pid) and waits
 *      (up to 60 s) for DIR/go: the driver learns the ranks' ports and
 *      floods them before any rank has connected to another (wire-up
 *      happens at the first messages, after go).
 *   2. Start-up under attack: bcast, allreduce, a ring of sends; checked.
 *   3. Running under attack: rounds of allreduce (and, with OBJECTS = 1, a
 *      queue homed on rank 0 that every other rank puts into and rank 0
 *      drains) until rank 0 sees DIR/stop (at most 60 s), every round
 *      checked; rank 0 prints "hostile_job: ok <rounds>".
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "check.h"

static char dir[512];

static bool exists(const char *name)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void nap_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void say_ready(int rank)
{
    char path[600], tmp[620];
    snprintf(path, sizeof(path), "%s/ready.%d", dir, rank);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        printf("rank %d: FAIL: cannot write %s\n", rank, path);
        die();
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: hostile_job DIR [OBJECTS]\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    bool objects = argc > 2 && atoi(argv[2]) == 1;
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    int size;
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    mpr_comm_size(MPR_COMM_WORLD, &size);

    say_ready(me);
    for (int i = 0; i < 6000 && !exists("go"); i++)
        nap_ms(10);
    CHECK(exists("go"), "no go file within 60 s");

    /* start-up: the first messages between every pair */
    int word = me == 0 ? 4242 : -1;
    MUST(mpr_bcast(&word, sizeof(word), 0, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(word == 4242, "bcast gave %d", word);
    long sum = 0, mine = me + 1;
    MUST(mpr_allreduce(&mine, &sum, 1, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(sum == (long)size * (size + 1) / 2, "allreduce gave %ld", sum);
    int got = -1, next = (me + 1) % size, prev = (me + size - 1) % size;
    MUST(mpr_sendrecv(&me, sizeof(me), next, 7, &got, sizeof(got), prev, 7, MPR_COMM_WORLD, NULL),
         MPR_SUCCESS);
    CHECK(got == prev, "ring gave %d, wanted %d", got, prev);

    mpr_queue q = NULL;
    if (objects)
        MUST(mpr_queue_create(MPR_COMM_WORLD, 0, sizeof(long), &q), MPR_SUCCESS);

    /* running: rounds until rank 0 sees the stop file */
    long rounds = 0;
    for (;;) {
        int stop = me == 0 && (exists("stop") || rounds >= 60000);
        MUST(mpr_bcast(&stop, sizeof(stop), 0, MPR_COMM_WORLD), MPR_SUCCESS);
        if (stop)
            break;
        rounds++;
        long value = rounds * (me + 1);
        MUST(mpr_allreduce(&value, &sum, 1, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
        CHECK(sum == rounds * size * (size + 1) / 2, "round %ld: allreduce gave %ld", rounds, sum);
        if (objects) {
            if (me != 0) {
                long item = rounds * 1000 + me;
                MUST(mpr_queue_put(q, &item, sizeof(item), -1.0), MPR_SUCCESS);
            } else {
                long total = 0;
                for (int i = 1; i < size; i++) {
                    long item = 0;
                    size_t len = 0;
                    MUST(mpr_queue_get(q, &item, sizeof(item), &len, -1.0), MPR_SUCCESS);
                    CHECK(len == sizeof(item) && item / 1000 == rounds, "round %ld: got item %ld",
                          rounds, item);
                    total += item % 1000;
                }
                CHECK(total == (long)size * (size - 1) / 2, "round %ld: items of ranks sum to %ld",
                      rounds, total);
            }
        }
        if (rounds % 64 == 0)
            nap_ms(5); /* leave the floods some CPU on a shared machine */
    }
    if (q)
        EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
    if (me == 0 && failures == 0)
        printf("hostile_job: ok %ld\n", rounds);
    mpr_finalize();
    return failures != 0;
}
