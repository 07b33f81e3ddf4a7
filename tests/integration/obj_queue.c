/*
 * obj_queue - the shared queue, self-checking.
 *
 *   mprun -n N obj_queue basic          bad arguments, nowait on full and empty,
 *                                       timeouts, sizes, items too big for the
 *                                       buffer, blocking puts woken by gets
 *   mprun -n N obj_queue stress P ITEMS MAXSIZE
 *                                       ranks 0..P-1 put ITEMS items each (sizes
 *                                       from 0 to 20000 bytes), the other ranks
 *                                       get them until a sentinel; every item
 *                                       must arrive exactly once, intact, and in
 *                                       its producer's order; rank 0 joins the
 *                                       queue before it sends the sentinels
 *   mprun -n N obj_queue join           task_done / join, and the error for
 *                                       more task_done than items got
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "obj_shared.h"

enum { TAG_DONE = 11, TAG_GOT = 12 };
#define MAX_ITEM 20000

static int size;

static void test_basic(void)
{
    mpr_queue q = NULL;
    char buf[64] = "";
    size_t len = 0;

    EXPECT(mpr_queue_create(MPR_COMM_WORLD, 4, 64, NULL), MPR_ERR_ARG);
    EXPECT(mpr_queue_create(NULL, 4, 64, &q), MPR_ERR_ARG);
    EXPECT(mpr_queue_create(MPR_COMM_WORLD, (size_t)-1, 64, &q), MPR_ERR_ARG); /* "negative" */
    EXPECT(mpr_queue_create(MPR_COMM_WORLD, MPR_QUEUE_MAXSIZE_MAX + 1, 64, &q), MPR_ERR_ARG);
    EXPECT(mpr_queue_create(MPR_COMM_WORLD, 4, MPR_QUEUE_ITEM_MAX + 1, &q), MPR_ERR_ARG);
    CHECK(q == NULL, "a failed create set the handle");
    MUST(mpr_queue_create(MPR_COMM_WORLD, 4, 64, &q), MPR_SUCCESS);

    EXPECT(mpr_queue_put(NULL, "x", 1, 0), MPR_ERR_ARG);
    EXPECT(mpr_queue_put(q, NULL, 5, 0), MPR_ERR_ARG);
    EXPECT(mpr_queue_put(q, buf, 65, 0), MPR_ERR_ARG); /* over max_item_bytes */
    EXPECT(mpr_queue_put(q, buf, 1, NAN), MPR_ERR_ARG);
    EXPECT(mpr_queue_get(NULL, buf, sizeof buf, &len, 0), MPR_ERR_ARG);
    EXPECT(mpr_queue_get(q, NULL, 5, &len, 0), MPR_ERR_ARG);
    EXPECT(mpr_queue_get(q, buf, sizeof buf, &len, NAN), MPR_ERR_ARG);
    EXPECT(mpr_queue_qsize(q, NULL), MPR_ERR_ARG);
    EXPECT(mpr_queue_qsize(NULL, &len), MPR_ERR_ARG);
    EXPECT(mpr_queue_empty(q, NULL), MPR_ERR_ARG);
    EXPECT(mpr_queue_full(NULL, NULL), MPR_ERR_ARG);
    EXPECT(mpr_queue_task_done(NULL), MPR_ERR_ARG);
    EXPECT(mpr_queue_join(NULL, 0), MPR_ERR_ARG);
    EXPECT(mpr_queue_join(q, NAN), MPR_ERR_ARG);
    EXPECT(mpr_queue_free(NULL), MPR_ERR_ARG);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (me == 0) {
        int flag = -1;
        size_t n = 99;
        EXPECT(mpr_queue_get_nowait(q, buf, sizeof buf, &len), MPR_ERR_EMPTY);
        EXPECT(mpr_queue_get(q, buf, sizeof buf, &len, 0), MPR_ERR_EMPTY);
        EXPECT(mpr_queue_empty(q, &flag), MPR_SUCCESS);
        CHECK(flag == 1, "empty says %d on an empty queue", flag);
        double t0 = mpr_wtime();
        EXPECT(mpr_queue_get(q, buf, sizeof buf, &len, 0.05), MPR_ERR_TIMEOUT);
        double waited = since(t0);
        CHECK(waited >= 0.045 && waited < 10, "get with timeout 0.05 returned after %.3f s", waited);

        for (int i = 0; i < 4; i++)
            EXPECT(mpr_queue_put_nowait(q, &i, sizeof i), MPR_SUCCESS);
        int extra = 4;
        EXPECT(mpr_queue_put_nowait(q, &extra, sizeof extra), MPR_ERR_FULL);
        EXPECT(mpr_queue_put(q, &extra, sizeof extra, 0), MPR_ERR_FULL);
        t0 = mpr_wtime();
        EXPECT(mpr_queue_put(q, &extra, sizeof extra, 0.05), MPR_ERR_TIMEOUT);
        waited = since(t0);
        CHECK(waited >= 0.045 && waited < 10, "put with timeout 0.05 returned after %.3f s", waited);
        EXPECT(mpr_queue_full(q, &flag), MPR_SUCCESS);
        CHECK(flag == 1, "full says %d on a full queue", flag);
        EXPECT(mpr_queue_qsize(q, &n), MPR_SUCCESS);
        CHECK(n == 4, "qsize %zu, wanted 4", n);
        for (int i = 0; i < 4; i++) {
            int v = -1;
            EXPECT(mpr_queue_get_nowait(q, &v, sizeof v, &len), MPR_SUCCESS);
            CHECK(v == i && len == sizeof v, "got %d (%zu bytes), wanted %d", v, len, i);
        }

        /* too big for the buffer: an error that takes nothing */
        char item[60];
        fill(item, sizeof item, 3, 4);
        EXPECT(mpr_queue_put(q, item, sizeof item, 0), MPR_SUCCESS);
        len = 0;
        EXPECT(mpr_queue_get(q, buf, 10, &len, -1), MPR_ERR_TRUNCATE);
        CHECK(len == sizeof item, "too-big get reported %zu bytes, wanted %zu", len, sizeof item);
        EXPECT(mpr_queue_get_nowait(q, NULL, 0, &len), MPR_ERR_TRUNCATE);
        EXPECT(mpr_queue_qsize(q, &n), MPR_SUCCESS);
        CHECK(n == 1, "qsize %zu after a too-big get, wanted 1", n);
        memset(buf, 0, sizeof buf);
        EXPECT(mpr_queue_get(q, buf, sizeof buf, &len, 0), MPR_SUCCESS);
        CHECK(len == sizeof item && badbyte(buf, len, 3, 4) == len, "item damaged after a too-big get");

        /* empty items are items */
        EXPECT(mpr_queue_put(q, NULL, 0, 0), MPR_SUCCESS);
        len = 99;
        EXPECT(mpr_queue_get(q, NULL, 0, &len, 0), MPR_SUCCESS);
        CHECK(len == 0, "empty item came out as %zu bytes", len);
        EXPECT(mpr_queue_get(q, buf, sizeof buf, NULL, 0), MPR_ERR_EMPTY);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* Every other rank puts its rank into the queue of 4; they block while
     * it is full, and rank 0's gets wake them. */
    if (me == 0) {
        unsigned seen = 0;
        for (int i = 1; i < size; i++) {
            int v = -1;
            EXPECT(mpr_queue_get(q, &v, sizeof v, &len, 30), MPR_SUCCESS);
            CHECK(v > 0 && v < size && !(seen & (1u << v)), "got rank %d (twice?)", v);
            seen |= 1u << v;
        }
    } else {
        EXPECT(mpr_queue_put(q, &me, sizeof me, 30), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
    CHECK(q == NULL, "free did not clear the handle");

    /* An unbounded queue with large items: rank size-1 puts, rank 0 gets. */
    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, 1 << 20, &q), MPR_SUCCESS);
    size_t big = 300 * 1000;
    char *item = xmalloc(big);
    if (me == size - 1) {
        for (int i = 0; i < 5; i++) {
            fill(item, big - (size_t)i, i, 9);
            EXPECT(mpr_queue_put(q, item, big - (size_t)i, 30), MPR_SUCCESS);
        }
    }
    if (me == 0) {
        for (int i = 0; i < 5; i++) {
            memset(item, 0, big);
            EXPECT(mpr_queue_get(q, item, big, &len, 30), MPR_SUCCESS);
            CHECK(len == big - (size_t)i && badbyte(item, len, i, 9) == len,
                  "large item %d: %zu bytes, damaged at %zu", i, len, badbyte(item, len, i, 9));
        }
    }
    free(item);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
}

/* ---- stress ---------------------------------------------------------------- */

struct item_head {
    int32_t producer;
    int32_t seq;
    uint32_t len;
    uint32_t sum;
};

static size_t item_len(int producer, int seq)
{
    switch (seq % 10) {
    case 0:
        return sizeof(struct item_head) + (size_t)(producer * 977 + seq * 131) % (MAX_ITEM - 100);
    case 1:
        return 100 + (size_t)seq % 200;
    default:
        return sizeof(struct item_head) + (size_t)seq % 16; /* fits a slot */
    }
}

static void make_item(unsigned char *buf, int producer, int seq)
{
    struct item_head h = { producer, seq, (uint32_t)item_len(producer, seq), 0 };
    for (size_t i = sizeof h; i < h.len; i++) {
        buf[i] = (unsigned char)(producer * 31 + seq * 17 + (int)i);
        h.sum += buf[i];
    }
    memcpy(buf, &h, sizeof h);
}

static void test_stress(int producers, int items, size_t maxsize)
{
    int consumers = size - producers;
    if (producers < 1 || consumers < 1 || items < 1) {
        failf(__LINE__, "stress needs 1 <= P < N and ITEMS >= 1 (P=%d N=%d)", producers, size);
        die();
    }
    mpr_queue q;
    MUST(mpr_queue_create(MPR_COMM_WORLD, maxsize, MAX_ITEM, &q), MPR_SUCCESS);
    unsigned char *buf = xmalloc(MAX_ITEM);
    size_t len;

    if (me < producers) {
        for (int seq = 0; seq < items; seq++) {
            make_item(buf, me, seq);
            int rc = mpr_queue_put(q, buf, item_len(me, seq), 30);
            if (rc != MPR_SUCCESS) {
                failf(__LINE__, "put of item %d returned %s", seq, mpr_error_name(rc));
                die();
            }
        }
        if (me != 0) {
            MUST(mpr_send(NULL, 0, 0, TAG_DONE, MPR_COMM_WORLD), MPR_SUCCESS);
        } else {
            for (int p = 1; p < producers; p++)
                MUST(mpr_recv(NULL, 0, MPR_ANY_SOURCE, TAG_DONE, MPR_COMM_WORLD, MPR_STATUS_IGNORE),
                     MPR_SUCCESS);
            /* every real item is in; once all are done, stop the consumers */
            EXPECT(mpr_queue_join(q, 40), MPR_SUCCESS);
            for (int c = 0; c < consumers; c++)
                MUST(mpr_queue_put(q, NULL, 0, 30), MPR_SUCCESS);
        }
    } else {
        unsigned char *got = calloc((size_t)producers * (size_t)items, 1);
        int *last = xmalloc(sizeof(int) * (size_t)producers);
        for (int p = 0; p < producers; p++)
            last[p] = -1;
        int bad = 0;
        for (;;) {
            int rc = mpr_queue_get(q, buf, MAX_ITEM, &len, 30);
            if (rc != MPR_SUCCESS) {
                failf(__LINE__, "get returned %s", mpr_error_name(rc));
                die();
            }
            if (len == 0) {
                EXPECT(mpr_queue_task_done(q), MPR_SUCCESS);
                break;
            }
            struct item_head h;
            memcpy(&h, buf, sizeof h);
            uint32_t sum = 0;
            for (size_t i = sizeof h; i < len; i++)
                sum += buf[i];
            if (h.producer < 0 || h.producer >= producers || h.seq < 0 || h.seq >= items ||
                h.len != len || h.sum != sum) {
                if (bad++ < 5)
                    failf(__LINE__, "damaged item: producer %d seq %d len %u/%zu sum %u/%u",
                          h.producer, h.seq, h.len, len, h.sum, sum);
            } else {
                if (h.seq <= last[h.producer] && bad++ < 5)
                    failf(__LINE__, "producer %d: item %d after item %d", h.producer, h.seq,
                          last[h.producer]);
                last[h.producer] = h.seq;
                got[(size_t)h.producer * (size_t)items + (size_t)h.seq]++;
            }
            EXPECT(mpr_queue_task_done(q), MPR_SUCCESS);
        }
        MUST(mpr_send(got, (size_t)producers * (size_t)items, 0, TAG_GOT, MPR_COMM_WORLD),
             MPR_SUCCESS);
        free(got);
        free(last);
    }

    if (me == 0) {
        size_t n = (size_t)producers * (size_t)items;
        unsigned char *total = calloc(n, 1), *part = xmalloc(n);
        for (int c = 0; c < consumers; c++) {
            MUST(mpr_recv(part, n, MPR_ANY_SOURCE, TAG_GOT, MPR_COMM_WORLD, MPR_STATUS_IGNORE),
                 MPR_SUCCESS);
            for (size_t i = 0; i < n; i++)
                total[i] += part[i];
        }
        int wrong = 0;
        for (size_t i = 0; i < n; i++)
            if (total[i] != 1 && wrong++ < 5)
                failf(__LINE__, "producer %zu item %zu arrived %d times", i / (size_t)items,
                      i % (size_t)items, total[i]);
        free(total);
        free(part);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    size_t left = 99;
    EXPECT(mpr_queue_qsize(q, &left), MPR_SUCCESS);
    CHECK(left == 0, "%zu items left in the queue", left);
    EXPECT(mpr_queue_join(q, 0), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == 0)
        EXPECT(mpr_queue_task_done(q), MPR_ERR_VALUE);
    free(buf);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
}

/* ---- join ------------------------------------------------------------------ */

static void test_join(void)
{
    mpr_queue q;
    int last = size - 1, v = 0;
    size_t len;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, 0, &q), MPR_SUCCESS);
    EXPECT(mpr_queue_join(q, 0), MPR_SUCCESS); /* nothing put: nothing to wait for */
    EXPECT(mpr_queue_task_done(q), MPR_ERR_VALUE);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (me == 0) {
        for (int i = 0; i < 3; i++)
            EXPECT(mpr_queue_put(q, &i, sizeof i, 0), MPR_SUCCESS);
        EXPECT(mpr_queue_join(q, 0), MPR_ERR_TIMEOUT);
        double t0 = mpr_wtime();
        EXPECT(mpr_queue_join(q, 0.05), MPR_ERR_TIMEOUT);
        double waited = since(t0);
        CHECK(waited >= 0.045 && waited < 10, "join with timeout 0.05 returned after %.3f s", waited);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == last) {
        for (int i = 0; i < 3; i++) {
            EXPECT(mpr_queue_get(q, &v, sizeof v, &len, 0), MPR_SUCCESS);
            CHECK(v == i, "got %d, wanted %d", v, i);
        }
        EXPECT(mpr_queue_task_done(q), MPR_SUCCESS);
        EXPECT(mpr_queue_task_done(q), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_queue_join(q, 0), MPR_ERR_TIMEOUT); /* one task not done */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* the others block in join until the last rank finishes the last task */
    if (me == last) {
        usleep(100 * 1000);
        EXPECT(mpr_queue_task_done(q), MPR_SUCCESS);
        EXPECT(mpr_queue_task_done(q), MPR_ERR_VALUE); /* more than items got */
    }
    EXPECT(mpr_queue_join(q, 30), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    const char *mode = argc > 1 ? argv[1] : "basic";

    if (strcmp(mode, "basic") == 0)
        test_basic();
    else if (strcmp(mode, "stress") == 0 && argc > 4)
        test_stress(atoi(argv[2]), atoi(argv[3]), (size_t)atol(argv[4]));
    else if (strcmp(mode, "join") == 0)
        test_join();
    else {
        failf(__LINE__, "usage: obj_queue basic | stress P ITEMS MAXSIZE | join");
        die();
    }

    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
