/*
 * obj_pipe - pipes between pairs of ranks (rank 2k with 2k+1; an odd last
 * rank only checks bad arguments).
 *
 *   mprun -n N obj_pipe basic      order, sizes 0 B..4 MiB both ways,
 *                                  truncate-then-retry, recv_alloc, poll and
 *                                  timeouts, one-way ends, EOF after the
 *                                  data, send after close, open twice,
 *                                  reopening, pipes left open at finalize
 *   mprun -n N obj_pipe stress M   M messages per pair, received with
 *                                  timeouts 0 and tiny, poll, recv_alloc:
 *                                  none lost, none duplicated, in order
 *   mprun -n 2 --enable-recovery obj_pipe die MARK
 *                                  rank 1 sends 2 messages and exits without
 *                                  finalizing: rank 0 gets both, then
 *                                  MPR_ERR_PROC_FAILED from recv, poll, send
 *                                  (prints "pipe saw MPR_ERR_PROC_FAILED")
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SIGNAL_TAG 99

static int peer;
static bool lower; /* the even rank of the pair */

static void signal_peer(void)
{
    MUST(mpr_send(NULL, 0, peer, SIGNAL_TAG, MPR_COMM_WORLD), MPR_SUCCESS);
}

static void await_peer(void)
{
    MUST(mpr_recv(NULL, 0, peer, SIGNAL_TAG, MPR_COMM_WORLD, NULL), MPR_SUCCESS);
}

static bool filled(const void *buf, size_t len, int seed)
{
    return badbyte(buf, len, seed, 3) == len;
}

static void bad_arguments(int size)
{
    mpr_pipe p;
    EXPECT(mpr_pipe_open(MPR_COMM_WORLD, (me + 1) % size, 0, MPR_PIPE_DUPLEX, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pipe_open(MPR_COMM_WORLD, size, 0, MPR_PIPE_DUPLEX, &p), MPR_ERR_ARG);
    EXPECT(mpr_pipe_open(MPR_COMM_WORLD, -1, 0, MPR_PIPE_DUPLEX, &p), MPR_ERR_ARG);
    EXPECT(mpr_pipe_open(MPR_COMM_WORLD, me, 0, MPR_PIPE_DUPLEX, &p), MPR_ERR_ARG);
    if (size > 1) {
        int other = (me + 1) % size;
        EXPECT(mpr_pipe_open(MPR_COMM_WORLD, other, -1, MPR_PIPE_DUPLEX, &p), MPR_ERR_ARG);
        EXPECT(mpr_pipe_open(MPR_COMM_WORLD, other, MPR_PIPE_ID_MAX + 1, MPR_PIPE_DUPLEX, &p),
               MPR_ERR_ARG);
        EXPECT(mpr_pipe_open(MPR_COMM_WORLD, other, 0, 7, &p), MPR_ERR_ARG);
        EXPECT(mpr_pipe_open(NULL, other, 0, MPR_PIPE_DUPLEX, &p), MPR_ERR_ARG);
    }
    char c = 0;
    size_t len;
    void *buf;
    int ready;
    EXPECT(mpr_pipe_send(NULL, &c, 1), MPR_ERR_ARG);
    EXPECT(mpr_pipe_recv(NULL, &c, 1, &len, 0), MPR_ERR_ARG);
    EXPECT(mpr_pipe_recv_alloc(NULL, &buf, &len, 0), MPR_ERR_ARG);
    EXPECT(mpr_pipe_poll(NULL, 0, &ready), MPR_ERR_ARG);
    EXPECT(mpr_pipe_close(NULL), MPR_ERR_ARG);
    p = NULL;
    EXPECT(mpr_pipe_close(&p), MPR_ERR_ARG);
}

static const size_t sizes[] = { 0, 1, 7, 40, 41, 64, 1000, 65536, 65537, 300000, 4u << 20 };
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* One side sends every size, the other checks it; small messages follow. */
static void sizes_one_way(mpr_pipe p, bool sending, unsigned char *buf, int seed)
{
    for (size_t i = 0; i < NSIZES; i++) {
        if (sending) {
            fill(buf, sizes[i], seed + (int)i, 3);
            EXPECT(mpr_pipe_send(p, buf, sizes[i]), MPR_SUCCESS);
        } else {
            size_t len = 12345;
            EXPECT(mpr_pipe_recv(p, buf, 4u << 20, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
            CHECK(len == sizes[i], "size %zu arrived as %zu", sizes[i], len);
            CHECK(len == sizes[i] && filled(buf, len, seed + (int)i), "bytes of size %zu", sizes[i]);
        }
    }
    for (uint32_t n = 0; n < 1000; n++) {
        uint32_t v = n;
        if (sending) {
            EXPECT(mpr_pipe_send(p, &v, sizeof v), MPR_SUCCESS);
        } else {
            size_t len = 0;
            EXPECT(mpr_pipe_recv(p, &v, sizeof v, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
            CHECK(v == n && len == sizeof v, "message %u arrived as %u (%zu bytes)", n, v, len);
        }
    }
}

static void truncate_and_alloc(mpr_pipe p, unsigned char *buf)
{
    if (lower) {
        await_peer(); /* its receive is likely posted by now: declined, kept */
        fill(buf, 5000, 41, 3);
        EXPECT(mpr_pipe_send(p, buf, 5000), MPR_SUCCESS);
        fill(buf, 100000, 42, 3);
        EXPECT(mpr_pipe_send(p, buf, 100000), MPR_SUCCESS);
        EXPECT(mpr_pipe_send(p, NULL, 0), MPR_SUCCESS);
        await_peer();
        fill(buf, 300000, 43, 3); /* rendezvous-sized, declined while posted */
        EXPECT(mpr_pipe_send(p, buf, 300000), MPR_SUCCESS);
        return;
    }
    unsigned char small[100];
    size_t len = 0;
    signal_peer();
    EXPECT(mpr_pipe_recv(p, small, sizeof small, &len, MPR_WAIT_FOREVER), MPR_ERR_TRUNCATE);
    CHECK(len == 5000, "truncate reports %zu, wanted 5000", len);
    EXPECT(mpr_pipe_recv(p, NULL, 0, &len, MPR_WAIT_FOREVER), MPR_ERR_TRUNCATE);
    len = 0;
    EXPECT(mpr_pipe_recv(p, buf, 5000, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(len == 5000 && filled(buf, 5000, 41), "retry after truncate (%zu bytes)", len);
    void *got = NULL;
    len = 0;
    EXPECT(mpr_pipe_recv_alloc(p, &got, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(got && len == 100000 && filled(got, len, 42), "recv_alloc of 100000 (%zu)", len);
    free(got);
    got = NULL;
    EXPECT(mpr_pipe_recv_alloc(p, &got, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(got && len == 0, "recv_alloc of 0 bytes gave %p, %zu", got, len);
    free(got);
    signal_peer();
    len = 0;
    EXPECT(mpr_pipe_recv(p, buf, 1000, &len, MPR_WAIT_FOREVER), MPR_ERR_TRUNCATE);
    CHECK(len == 300000, "truncate reports %zu, wanted 300000", len);
    EXPECT(mpr_pipe_recv(p, buf, 300000, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(len == 300000 && filled(buf, len, 43), "retry of 300000 (%zu bytes)", len);
}

static void poll_and_timeouts(mpr_pipe p)
{
    int ready = 7;
    size_t len;
    char c;
    if (!lower) {
        EXPECT(mpr_pipe_poll(p, 0, &ready), MPR_SUCCESS);
        CHECK(ready == 0, "poll(0) on an empty pipe says %d", ready);
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, 0), MPR_ERR_EMPTY);
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, 0.02), MPR_ERR_TIMEOUT);
        ready = 7;
        EXPECT(mpr_pipe_poll(p, 0.02, &ready), MPR_SUCCESS);
        CHECK(ready == 0, "poll(0.02) on an empty pipe says %d", ready);
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, 0.0 / 0.0), MPR_ERR_ARG);
        signal_peer(); /* now send */
        EXPECT(mpr_pipe_poll(p, 30, &ready), MPR_SUCCESS);
        CHECK(ready == 1, "poll(30) with a message coming says %d", ready);
        EXPECT(mpr_pipe_poll(p, 0, &ready), MPR_SUCCESS); /* still there: poll takes nothing */
        CHECK(ready == 1, "second poll says %d", ready);
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, 0), MPR_SUCCESS);
        CHECK(c == 'x', "polled message is %c", c);
    } else {
        await_peer();
        c = 'x';
        EXPECT(mpr_pipe_send(p, &c, 1), MPR_SUCCESS);
    }
}

static void one_way(void)
{
    mpr_pipe p;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 2, lower ? MPR_PIPE_WRITE : MPR_PIPE_READ, &p),
         MPR_SUCCESS);
    char c = 'a';
    size_t len;
    int ready;
    void *got;
    if (lower) {
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, 0), MPR_ERR_ARG);
        EXPECT(mpr_pipe_recv_alloc(p, &got, &len, 0), MPR_ERR_ARG);
        EXPECT(mpr_pipe_poll(p, 0, &ready), MPR_ERR_ARG);
        for (c = 'a'; c < 'd'; c++)
            EXPECT(mpr_pipe_send(p, &c, 1), MPR_SUCCESS);
        EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
        CHECK(p == NULL, "close leaves the handle");
        return;
    }
    EXPECT(mpr_pipe_send(p, &c, 1), MPR_ERR_ARG);
    for (char want = 'a'; want < 'd'; want++) {
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
        CHECK(c == want, "one-way message %c, wanted %c", c, want);
    }
    EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_ERR_EOF);
    EXPECT(mpr_pipe_recv(p, &c, 1, &len, 0), MPR_ERR_EOF);
    EXPECT(mpr_pipe_recv_alloc(p, &got, &len, MPR_WAIT_FOREVER), MPR_ERR_EOF);
    ready = 0;
    EXPECT(mpr_pipe_poll(p, 0, &ready), MPR_SUCCESS);
    CHECK(ready == 1, "poll at EOF says %d", ready);
    EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
}

/* The upper rank closes; the lower one learns it, sends get MPR_ERR_EOF. */
static void send_after_close(void)
{
    mpr_pipe p;
    char c = 'q';
    size_t len;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 3, MPR_PIPE_DUPLEX, &p), MPR_SUCCESS);
    if (!lower) {
        EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
        signal_peer(); /* behind the mark on the same channel */
    } else {
        await_peer();
        EXPECT(mpr_pipe_send(p, &c, 1), MPR_ERR_EOF);
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_ERR_EOF);
        EXPECT(mpr_pipe_send(p, &c, 1), MPR_ERR_EOF);
        EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
    }
    /* Both closed: reopening pairs the new ends. */
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 3, MPR_PIPE_DUPLEX, &p), MPR_SUCCESS);
    c = lower ? 'L' : 'U';
    EXPECT(mpr_pipe_send(p, &c, 1), MPR_SUCCESS);
    EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(c == (lower ? 'U' : 'L'), "reopened pipe got %c", c);
    EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
}

/* The upper rank closes without reading what the lower one sent (some may
 * still be on its way); after reopening, none of it shows. */
static void stale_messages(unsigned char *buf)
{
    mpr_pipe p;
    uint32_t v;
    size_t len;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 4, MPR_PIPE_DUPLEX, &p), MPR_SUCCESS);
    if (lower) {
        signal_peer();
        for (v = 0; v < 50; v++)
            EXPECT(mpr_pipe_send(p, &v, sizeof v), MPR_SUCCESS);
        /* may wait until the other end discards it (rendezvous) */
        EXPECT(mpr_pipe_send(p, buf, 200000), MPR_SUCCESS);
        await_peer(); /* it has closed */
        EXPECT(mpr_pipe_send(p, &v, sizeof v), MPR_ERR_EOF);
        EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
    } else {
        await_peer();
        EXPECT(mpr_pipe_recv(p, &v, sizeof v, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
        CHECK(v == 0, "first stale-test message %u", v);
        EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
        signal_peer();
    }
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 4, MPR_PIPE_DUPLEX, &p), MPR_SUCCESS);
    v = 777;
    if (lower) {
        EXPECT(mpr_pipe_send(p, &v, sizeof v), MPR_SUCCESS);
    } else {
        v = 0;
        EXPECT(mpr_pipe_recv(p, &v, sizeof v, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
        CHECK(v == 777 && len == sizeof v, "reopened pipe got %u (%zu bytes), not 777", v, len);
    }
    EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
}

/* Same id on world and on a duplicate: two pipes; the duplicate's keeps
 * working after the communicator is freed. */
static void two_communicators(mpr_comm dup)
{
    mpr_pipe pw, pd;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 9, MPR_PIPE_DUPLEX, &pw), MPR_SUCCESS);
    MUST(mpr_pipe_open(dup, peer, 9, MPR_PIPE_DUPLEX, &pd), MPR_SUCCESS);
    EXPECT(mpr_pipe_send(pd, "d", 1), MPR_SUCCESS);
    EXPECT(mpr_pipe_send(pw, "w", 1), MPR_SUCCESS);
    char c = 0;
    size_t len;
    EXPECT(mpr_pipe_recv(pw, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(c == 'w', "world pipe got %c", c);
    MUST(mpr_comm_free(&dup), MPR_SUCCESS);
    EXPECT(mpr_pipe_recv(pd, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(c == 'd', "duplicate's pipe got %c", c);
    EXPECT(mpr_pipe_send(pd, "e", 1), MPR_SUCCESS);
    EXPECT(mpr_pipe_recv(pd, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    CHECK(c == 'e', "duplicate's pipe after the free got %c", c);
    EXPECT(mpr_pipe_close(&pd), MPR_SUCCESS);
    EXPECT(mpr_pipe_close(&pw), MPR_SUCCESS);
}

static int basic(int size)
{
    mpr_comm dup; /* collective: every rank, paired or not */
    MUST(mpr_comm_dup(MPR_COMM_WORLD, &dup), MPR_SUCCESS);
    bad_arguments(size);
    if (peer < 0)
        return mpr_comm_free(&dup) == MPR_SUCCESS ? 0 : 1;
    unsigned char *buf = malloc(4u << 20);
    if (!buf)
        return 1;
    mpr_pipe p, again;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 1, MPR_PIPE_DUPLEX, &p), MPR_SUCCESS);
    EXPECT(mpr_pipe_open(MPR_COMM_WORLD, peer, 1, MPR_PIPE_READ, &again), MPR_ERR_VALUE);
    sizes_one_way(p, lower, buf, 10);
    sizes_one_way(p, !lower, buf, 20);
    truncate_and_alloc(p, buf);
    poll_and_timeouts(p);
    EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
    one_way();
    send_after_close();
    stale_messages(buf);
    two_communicators(dup);
    /* Pipe 10: the upper rank closes before the lower one's large message
     * (likely) arrives, then waits in mpr_recv, making no pipe call: the
     * message must still be dropped, or the sender would wait forever. */
    mpr_pipe quick;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 10, MPR_PIPE_DUPLEX, &quick), MPR_SUCCESS);
    if (lower) {
        fill(buf, 4u << 20, 45, 3);
        int rc = mpr_pipe_send(quick, buf, 4u << 20);
        CHECK(rc == MPR_SUCCESS || rc == MPR_ERR_EOF, "send to a closed end: %s",
              mpr_error_name(rc));
        signal_peer();
    } else {
        EXPECT(mpr_pipe_close(&quick), MPR_SUCCESS);
        await_peer();
    }
    if (lower)
        EXPECT(mpr_pipe_close(&quick), MPR_SUCCESS);

    /* Pipe 8: the lower rank closes its end at once and goes on to
     * finalize; the upper one's large send to it must still end (EOF if
     * the mark came first, else the closed end or its finalize drops it).
     * Pipe 5 is left open: the lower rank's finalize closes it; the upper
     * reads EOF (and must not send: the mark may have come). */
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 5, MPR_PIPE_DUPLEX, &p), MPR_SUCCESS);
    mpr_pipe late;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 8, MPR_PIPE_DUPLEX, &late), MPR_SUCCESS);
    if (lower) {
        EXPECT(mpr_pipe_close(&late), MPR_SUCCESS);
        EXPECT(mpr_pipe_send(p, "z", 1), MPR_SUCCESS);
    } else {
        fill(buf, 4u << 20, 44, 3);
        int rc = mpr_pipe_send(late, buf, 4u << 20);
        CHECK(rc == MPR_SUCCESS || rc == MPR_ERR_EOF, "send to a closed end: %s",
              mpr_error_name(rc));
        EXPECT(mpr_pipe_close(&late), MPR_SUCCESS);
        char c;
        size_t len;
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
        EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_ERR_EOF);
    }
    free(buf);
    return 0;
}

static void stress(long count)
{
    mpr_pipe p;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 6, lower ? MPR_PIPE_WRITE : MPR_PIPE_READ, &p),
         MPR_SUCCESS);
    unsigned char msg[256];
    if (lower) {
        for (long n = 0; n < count; n++) {
            size_t len = sizeof(long) + (size_t)(n % 200);
            memcpy(msg, &n, sizeof n);
            EXPECT(mpr_pipe_send(p, msg, len), MPR_SUCCESS);
        }
        EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
        return;
    }
    long next = 0;
    for (unsigned turn = 0;; turn++) {
        size_t len = 0;
        void *got = NULL;
        int rc, ready;
        switch (turn % 4) {
        case 0: rc = mpr_pipe_recv(p, msg, sizeof msg, &len, 0); break;
        case 1: rc = mpr_pipe_recv(p, msg, sizeof msg, &len, 0.0005); break;
        case 2:
            rc = mpr_pipe_poll(p, 0.001, &ready);
            if (rc == MPR_SUCCESS && ready)
                rc = mpr_pipe_recv(p, msg, sizeof msg, &len, 0);
            else if (rc == MPR_SUCCESS)
                rc = MPR_ERR_TIMEOUT;
            break;
        default:
            rc = mpr_pipe_recv_alloc(p, &got, &len, 0.0002);
            if (rc == MPR_SUCCESS) {
                memcpy(msg, got, len < sizeof msg ? len : sizeof msg);
                free(got);
            }
        }
        if (rc == MPR_ERR_EOF)
            break;
        if (rc == MPR_ERR_EMPTY || rc == MPR_ERR_TIMEOUT)
            continue;
        if (rc != MPR_SUCCESS) {
            failf(__LINE__, "receive returned %s", mpr_error_name(rc));
            break;
        }
        long n;
        memcpy(&n, msg, sizeof n);
        if (n != next || len != sizeof(long) + (size_t)(n % 200)) {
            failf(__LINE__, "message %ld (%zu bytes) where %ld was due", n, len, next);
            break;
        }
        next++;
    }
    CHECK(next == count, "%ld of %ld messages arrived", next, count);
    EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
}

static void die_test(void)
{
    mpr_pipe p;
    MUST(mpr_pipe_open(MPR_COMM_WORLD, peer, 7, MPR_PIPE_DUPLEX, &p), MPR_SUCCESS);
    if (me == 1) {
        EXPECT(mpr_pipe_send(p, "a", 1), MPR_SUCCESS);
        EXPECT(mpr_pipe_send(p, "b", 1), MPR_SUCCESS);
        usleep(200 * 1000);
        _exit(0); /* no mpr_finalize */
    }
    char c;
    size_t len;
    int ready;
    EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    EXPECT(mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER), MPR_SUCCESS);
    int rc = mpr_pipe_recv(p, &c, 1, &len, MPR_WAIT_FOREVER);
    EXPECT(rc, MPR_ERR_PROC_FAILED);
    EXPECT(mpr_pipe_poll(p, 0, &ready), MPR_ERR_PROC_FAILED);
    EXPECT(mpr_pipe_send(p, "c", 1), MPR_ERR_PROC_FAILED);
    if (rc == MPR_ERR_PROC_FAILED)
        printf("rank %d: pipe saw MPR_ERR_PROC_FAILED\n", me);
    EXPECT(mpr_pipe_close(&p), MPR_SUCCESS);
}

int main(int argc, char **argv)
{
    int size;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: obj_pipe basic | stress COUNT | die MARK\n");
        return 2;
    }
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    peer = (me ^ 1) < size ? me ^ 1 : -1;
    lower = me % 2 == 0;
    if (strcmp(argv[1], "basic") == 0) {
        basic(size);
    } else if (strcmp(argv[1], "stress") == 0 && argc > 2) {
        if (peer >= 0)
            stress(atol(argv[2]));
    } else if (strcmp(argv[1], "die") == 0 && size == 2) {
        die_test();
        return failures ? 1 : 0; /* no finalize: its barrier needs rank 1 */
    } else {
        fprintf(stderr, "obj_pipe: bad arguments\n");
        return 2;
    }
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
