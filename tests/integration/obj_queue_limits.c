/*
 * obj_queue_limits - the queue's memory and limits, self-checking.
 *
 *   mprun -n N obj_queue_limits ten       ten default queues at once (run
 *                                         in a 64 MiB /dev/shm by the driver)
 *   mprun -n N obj_queue_limits capacity  what an unbounded queue holds: 1 KiB
 *                                         items until its data room is used,
 *                                         8-byte items until its item limit;
 *                                         full() exactly when a put would
 *                                         block; a bounded queue too
 *   mprun -n N obj_queue_limits shmfull   a queue whose data room is larger
 *                                         than /dev/shm (the driver sets
 *                                         MPR_QUEUE_DATA_BYTES=128 MiB in a
 *                                         64 MiB one): puts find it full
 *                                         (never SIGBUS), every item comes
 *                                         back intact
 *   mprun -n N obj_queue_limits refused   run with a bad MPR_QUEUE_* value:
 *                                         every rank's create is refused
 *
 * Rank 0 does the puts and gets where one rank suffices; the others check
 * full() and qsize from their side (through the service across hosts).
 */
#include <string.h>

#include "check.h"

#define KIB 1024

static int full_flag(mpr_queue q)
{
    int flag = -1;
    EXPECT(mpr_queue_full(q, &flag), MPR_SUCCESS);
    return flag;
}

static void ten_queues(void)
{
    mpr_queue qs[10];
    char item[KIB], got[KIB];
    for (int i = 0; i < 10; i++) {
        int rc = mpr_queue_create(MPR_COMM_WORLD, 0, 0, &qs[i]);
        if (rc != MPR_SUCCESS) {
            failf(__LINE__, "default queue %d of 10: %s", i + 1, mpr_error_name(rc));
            die();
        }
    }
    /* every queue is usable, large items (data room) included */
    for (int i = 0; i < 10; i++) {
        memset(item, 'a' + i, sizeof item);
        EXPECT(mpr_queue_put(qs[i], item, sizeof item, 10), MPR_SUCCESS);
        size_t len = 0;
        EXPECT(mpr_queue_get(qs[i], got, sizeof got, &len, 10), MPR_SUCCESS);
        CHECK(len == sizeof item && memcmp(got, item, len) == 0, "queue %d gave another item", i);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    for (int i = 0; i < 10; i++)
        EXPECT(mpr_queue_free(&qs[i]), MPR_SUCCESS);
}

/* Rank 0 puts items of len bytes until a put finds the queue full; the
 * others see full() only then. Returns how many went in (on every rank). */
static long fill_queue(mpr_queue q, size_t len)
{
    long n = 0;
    char item[64 * KIB];
    if (me == 0) {
        CHECK(full_flag(q) == 0, "an empty queue is full");
        for (;;) {
            memset(item, (int)(n & 0xff), len);
            int was_full = full_flag(q);
            int rc = mpr_queue_put_nowait(q, item, len);
            if (rc == MPR_ERR_FULL)
                break;
            if (rc != MPR_SUCCESS) {
                failf(__LINE__, "put %ld returned %s", n, mpr_error_name(rc));
                die();
            }
            CHECK(was_full == 0, "full() said 1 after %ld puts, yet a put went in", n);
            n++;
        }
        CHECK(full_flag(q) == 1, "full() says 0 after a put found the queue full (%ld items)",
              n);
    }
    MUST(mpr_bcast(&n, sizeof n, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(full_flag(q) == 1, "full() says 0 on rank %d", me);
    size_t size = 0;
    EXPECT(mpr_queue_qsize(q, &size), MPR_SUCCESS);
    CHECK((long)size == n, "qsize %zu, %ld put", size, n);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    return n;
}

/* Rank 0 gets n items of len bytes, checking them; one get ends full(). */
static void drain_queue(mpr_queue q, long n, size_t len)
{
    char got[64 * KIB];
    if (me == 0) {
        for (long i = 0; i < n; i++) {
            size_t glen = 0;
            int rc = mpr_queue_get(q, got, sizeof got, &glen, 10);
            if (rc != MPR_SUCCESS || glen != len || (len && (got[0] != (char)(i & 0xff) ||
                                                             got[len - 1] != (char)(i & 0xff)))) {
                failf(__LINE__, "get %ld of %ld: %s, %zu bytes", i, n, mpr_error_name(rc), glen);
                die();
            }
            if (i == 0)
                CHECK(full_flag(q) == 0, "still full after a get");
        }
        EXPECT(mpr_queue_get_nowait(q, got, sizeof got, NULL), MPR_ERR_EMPTY);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
}

/* An unbounded queue holds 65536 items and 32 MiB of data room, counted
 * in 1 KiB blocks; full() is 1 when a put of its largest item would block. */
static void capacity(void)
{
    mpr_queue q;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, KIB, &q), MPR_SUCCESS);
    long n = fill_queue(q, KIB);
    CHECK(n == 32 * KIB, "an unbounded queue took %ld items of 1 KiB, documented 32768 "
          "(32 MiB of data room)", n);
    drain_queue(q, n, KIB);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);

    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, 0, &q), MPR_SUCCESS);
    n = fill_queue(q, 8);
    CHECK(n == 65536, "an unbounded queue took %ld items of 8 bytes, documented 65536", n);
    drain_queue(q, n, 8);
    n = fill_queue(q, 64 * KIB);
    CHECK(n == 512, "an unbounded queue took %ld items of 64 KiB, documented 512", n);
    drain_queue(q, n, 64 * KIB);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);

    MUST(mpr_queue_create(MPR_COMM_WORLD, 5, 100, &q), MPR_SUCCESS);
    n = fill_queue(q, 100);
    CHECK(n == 5, "a queue of maxsize 5 took %ld items", n);
    drain_queue(q, n, 100);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
}

static void shm_full(void)
{
    mpr_queue q;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, 0, &q), MPR_SUCCESS);
    long n = fill_queue(q, 64 * KIB);
    CHECK(n > 16 && n < 1024, "%ld items of 64 KiB in a 64 MiB /dev/shm", n);
    if (me == 0)
        printf("shmfull: %ld items of 64 KiB went in\n", n);
    drain_queue(q, n, 64 * KIB);
    /* the room it has is used again */
    long again = fill_queue(q, 64 * KIB);
    CHECK(again == n, "%ld items the second time, %ld the first", again, n);
    drain_queue(q, again, 64 * KIB);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
}

static void refused(void)
{
    mpr_queue q = NULL;
    EXPECT(mpr_queue_create(MPR_COMM_WORLD, 0, 0, &q), MPR_ERR_ARG);
    CHECK(q == NULL, "a refused create set the handle");
    /* nothing is left half made: the next object is created normally */
    mpr_event ev;
    EXPECT(mpr_event_create(MPR_COMM_WORLD, &ev), MPR_SUCCESS);
    EXPECT(mpr_event_free(&ev), MPR_SUCCESS);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "ten") == 0)
        ten_queues();
    else if (strcmp(mode, "capacity") == 0)
        capacity();
    else if (strcmp(mode, "shmfull") == 0)
        shm_full();
    else if (strcmp(mode, "refused") == 0)
        refused();
    else {
        fprintf(stderr, "usage: obj_queue_limits ten|capacity|shmfull|refused\n");
        return 2;
    }
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
