/* test_ring.c - unit tests of the shared-memory SPSC ring. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "transport/shm/shm_ring.h"

#define NDESC 8
#define DSIZE 1024

/* A fresh ring of NDESC descriptors and dsize data bytes (zeroed, as a
 * producer leaves them at attach). */
static void *new_ring_of(uint32_t dsize)
{
    size_t bytes = shm_ring_bytes(NDESC, dsize);
    void *mem = aligned_alloc(SHM_CACHE_LINE, bytes);
    assert_non_null(mem);
    shm_ring_format(mem, NDESC, dsize);
    memset((char *)mem + bytes - dsize, 0, dsize);
    return mem;
}

static void *new_ring(void)
{
    return new_ring_of(DSIZE);
}

/* A fresh ring with its producer's and consumer's views. */
static void *new_ring_pair_of(uint32_t dsize, struct shm_ring_tx *tx, struct shm_ring_rx *rx)
{
    void *mem = new_ring_of(dsize);
    shm_ring_tx_attach(tx, mem, NDESC, dsize);
    shm_ring_rx_attach(rx, mem, NDESC, dsize);
    return mem;
}

static void *new_ring_pair(struct shm_ring_tx *tx, struct shm_ring_rx *rx)
{
    return new_ring_pair_of(DSIZE, tx, rx);
}

static void test_empty_ring_has_nothing(void **state)
{
    (void)state;
    void *mem = new_ring();
    struct shm_ring_rx rx;
    shm_ring_rx_attach(&rx, mem, NDESC, DSIZE);
    assert_null(shm_ring_peek(&rx));
    free(mem);
}

/* A consumer waiting on an empty ring reads ahead (descriptors, payload
 * lines, a page of the data area in turn): only inside the ring, and
 * without seeing a record. Under AddressSanitizer a read past the ring
 * fails this. */
static void test_idle_polls_stay_inside_the_ring(void **state)
{
    (void)state;
    enum { big = 16384 };
    struct shm_ring_tx tx;
    struct shm_ring_rx rx;
    void *mem = new_ring_pair_of(big, &tx, &rx);
    for (int i = 0; i < 1000; i++)
        assert_null(shm_ring_peek(&rx));
    assert_true(rx.warm_offset < big);
    free(mem);
}

/* An idle consumer prefetches as many lines of the next payload as the
 * last one took (at least 4, at most 128). */
static void test_prefetch_follows_the_last_payload(void **state)
{
    (void)state;
    struct shm_ring_tx tx;
    struct shm_ring_rx rx;
    void *mem = new_ring_pair_of(16384, &tx, &rx);
    assert_int_equal(rx.prefetch_lines, 4);
    const struct { size_t len; unsigned shift, lines; } cases[] = {
        { 1000, 0, 16 }, { 10, 0, 4 }, { 4000, 0, 63 }, { 1000, 60, 17 }, { 192, 0, 4 },
        { 320, 1, 6 }, { 8192, 0, 128 }, { 9000, 0, 128 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        void *data;
        struct shm_desc *d = shm_ring_reserve_shifted(&tx, cases[i].len, cases[i].shift, &data);
        assert_non_null(d);
        d->len = cases[i].len;
        shm_ring_publish(&tx, d);
        shm_ring_release(&rx, shm_ring_peek(&rx), 1);
        assert_int_equal(rx.prefetch_lines, cases[i].lines);
    }
    free(mem);
}

static void test_descriptors_fill_and_drain(void **state)
{
    (void)state;
    struct shm_ring_tx tx;
    struct shm_ring_rx rx;
    void *mem = new_ring_pair(&tx, &rx);

    for (int lap = 0; lap < 5; lap++) {
        for (int i = 0; i < NDESC; i++) {
            struct shm_desc *d = shm_ring_reserve(&tx, 0, NULL);
            assert_non_null(d);
            d->tag = lap * 100 + i;
            shm_ring_publish(&tx, d);
        }
        assert_null(shm_ring_reserve(&tx, 0, NULL)); /* full */
        for (int i = 0; i < NDESC; i++) {
            struct shm_desc *d = shm_ring_peek(&rx);
            assert_non_null(d);
            assert_int_equal(d->tag, lap * 100 + i);
            shm_ring_release(&rx, d, 0);
        }
        assert_null(shm_ring_peek(&rx));
    }
    free(mem);
}

/* Wide records (two descriptors) mixed with single ones, across the wrap:
 * a wide one needs two free descriptors, its tail is never a record of
 * its own, and a reused descriptor is not mistaken for a fresh one. */
static void test_wide_records_take_two_descriptors(void **state)
{
    (void)state;
    struct shm_ring_tx tx;
    struct shm_ring_rx rx;
    void *mem = new_ring_pair(&tx, &rx);

    int sent = 0, got = 0;
    for (int round = 0; round < 40; round++) {
        /* fill: singles and wides as they fit (1, 2, 3 records a round) */
        for (int k = 0; k <= round % 3; k++) {
            bool wide = (sent + round) % 2 == 0;
            if (wide) {
                struct shm_desc_tail *tail;
                struct shm_desc *d = shm_ring_reserve_wide(&tx, &tail);
                if (!d)
                    break;
                d->tag = sent;
                d->flags = 1;
                memset(tail->data, sent & 0xff, SHM_WIDE_TAIL);
                shm_ring_publish_wide(&tx, d, tail);
            } else {
                struct shm_desc *d = shm_ring_reserve(&tx, 0, NULL);
                if (!d)
                    break;
                d->tag = sent;
                d->flags = 0;
                shm_ring_publish(&tx, d);
            }
            sent++;
        }
        /* drain one or two records */
        for (int k = 0; k < 1 + round % 2; k++) {
            struct shm_desc *d = shm_ring_peek(&rx);
            if (!d)
                break;
            assert_int_equal(d->tag, got);
            if (d->flags) {
                const struct shm_desc_tail *tail = shm_ring_wide_tail(&rx);
                for (size_t i = 0; i < SHM_WIDE_TAIL; i++)
                    assert_int_equal(tail->data[i], got & 0xff);
                shm_ring_release_wide(&rx);
            } else {
                shm_ring_release(&rx, d, 0);
            }
            got++;
        }
    }
    while (got < sent) {
        struct shm_desc *d = shm_ring_peek(&rx);
        assert_non_null(d);
        assert_int_equal(d->tag, got++);
        if (d->flags)
            shm_ring_release_wide(&rx);
        else
            shm_ring_release(&rx, d, 0);
    }
    assert_null(shm_ring_peek(&rx));
    assert_true(sent > 2 * NDESC); /* it wrapped several times */

    /* NDESC - 1 free descriptors but one used: no room for a wide record
     * at the last free one */
    for (int i = 0; i < NDESC - 1; i++) {
        struct shm_desc *d = shm_ring_reserve(&tx, 0, NULL);
        assert_non_null(d);
        shm_ring_publish(&tx, d);
    }
    struct shm_desc_tail *tail;
    assert_null(shm_ring_reserve_wide(&tx, &tail));
    assert_non_null(shm_ring_reserve(&tx, 0, NULL));
    free(mem);
}

static void test_data_is_contiguous_and_bounded(void **state)
{
    (void)state;
    struct shm_ring_tx tx;
    struct shm_ring_rx rx;
    void *mem = new_ring_pair(&tx, &rx);
    void *data;

    assert_null(shm_ring_reserve(&tx, DSIZE + 1, &data)); /* never fits */
    unsigned char expect = 0;
    for (int round = 0; round < 50; round++) {
        size_t len = 10 + (size_t)(round * 37) % 290; /* two in flight always fit */
        struct shm_desc *d = shm_ring_reserve(&tx, len, &data);
        assert_non_null(d);
        assert_true((unsigned char *)data + len <= tx.data + DSIZE);
        memset(data, (unsigned char)round, len);
        d->len = len;
        shm_ring_publish(&tx, d);

        if (round > 0) { /* the consumer lags one record behind */
            struct shm_desc *r = shm_ring_peek(&rx);
            assert_non_null(r);
            const unsigned char *p = shm_ring_payload(&rx, r);
            for (size_t i = 0; i < r->len; i++)
                assert_int_equal(p[i], expect);
            expect++;
            shm_ring_release(&rx, r, 1);
        }
    }
    free(mem);
}

static void test_full_data_area_refuses(void **state)
{
    (void)state;
    void *mem = new_ring();
    struct shm_ring_tx tx;
    shm_ring_tx_attach(&tx, mem, NDESC, DSIZE);
    void *data;
    struct shm_desc *d = shm_ring_reserve(&tx, 700, &data);
    assert_non_null(d);
    shm_ring_publish(&tx, d);
    assert_null(shm_ring_reserve(&tx, 400, &data)); /* 704 + 400 > 1024 */
    assert_non_null(shm_ring_reserve(&tx, 300, &data));
    free(mem);
}

/* What the producer may still write: the area less what the consumer has
 * not released (a payload's line-rounded size). */
static void test_data_free_counts_what_is_not_released(void **state)
{
    (void)state;
    struct shm_ring_tx tx;
    struct shm_ring_rx rx;
    void *mem = new_ring_pair(&tx, &rx);
    assert_int_equal(shm_ring_data_free(&tx), DSIZE);
    void *data;
    struct shm_desc *d = shm_ring_reserve(&tx, 700, &data);
    assert_non_null(d);
    shm_ring_publish(&tx, d);
    assert_int_equal(shm_ring_data_free(&tx), DSIZE - 704);
    struct shm_desc *got = shm_ring_peek(&rx);
    assert_non_null(got);
    assert_int_equal(shm_ring_data_free(&tx), DSIZE - 704); /* read, not released */
    shm_ring_release(&rx, got, 1);
    assert_int_equal(shm_ring_data_free(&tx), DSIZE);
    free(mem);
}

/* A shifted payload starts `shift` bytes into a line, stays inside the
 * area (wrapping to its start whole), and its release gives back exactly
 * the lines it took. */
static void test_shifted_payloads_keep_their_shift_and_account(void **state)
{
    (void)state;
    struct shm_ring_tx tx;
    struct shm_ring_rx rx;
    void *mem = new_ring_pair(&tx, &rx);
    void *data;
    assert_null(shm_ring_reserve_shifted(&tx, DSIZE, 1, &data)); /* never fits */
    for (int round = 0; round < 300; round++) {
        unsigned shift = (unsigned)(round * 7) % SHM_CACHE_LINE;
        size_t len = 1 + (size_t)(round * 53) % 448; /* with its shift, half the area at most */
        struct shm_desc *d = shm_ring_reserve_shifted(&tx, len, shift, &data);
        assert_non_null(d);
        assert_int_equal((uintptr_t)data % SHM_CACHE_LINE, shift);
        assert_true((unsigned char *)data + len <= tx.data + DSIZE);
        memset(data, (unsigned char)round, len);
        d->len = len;
        shm_ring_publish(&tx, d);
        size_t taken = (shift + len + SHM_CACHE_LINE - 1) / SHM_CACHE_LINE * SHM_CACHE_LINE;
        assert_true(shm_ring_data_free(&tx) <= DSIZE - taken);

        struct shm_desc *r = shm_ring_peek(&rx);
        assert_non_null(r);
        const unsigned char *p = shm_ring_payload(&rx, r);
        assert_ptr_equal(p, data);
        for (size_t i = 0; i < r->len; i++)
            assert_int_equal(p[i], (unsigned char)round);
        shm_ring_release(&rx, r, 1);
        assert_int_equal(shm_ring_data_free(&tx), DSIZE);
    }
    free(mem);
}

#define STREAM_COUNT 200000
static void *mem_shared;

static void *producer(void *arg)
{
    (void)arg;
    struct shm_ring_tx tx;
    shm_ring_tx_attach(&tx, mem_shared, NDESC, DSIZE);
    for (uint32_t i = 0; i < STREAM_COUNT; i++) {
        size_t len = i % 3 == 0 ? 0 : 8 + i % 200;
        void *data = NULL;
        struct shm_desc *d;
        while (!(d = shm_ring_reserve_shifted(&tx, len, i % SHM_CACHE_LINE, &data)))
            sched_yield();
        d->tag = (int32_t)i;
        d->len = len;
        if (len)
            memset(data, (unsigned char)i, len);
        shm_ring_publish(&tx, d);
    }
    return NULL;
}

static void test_two_threads_stream_in_order(void **state)
{
    (void)state;
    mem_shared = new_ring();
    struct shm_ring_rx rx;
    shm_ring_rx_attach(&rx, mem_shared, NDESC, DSIZE);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, NULL), 0);
    for (uint32_t i = 0; i < STREAM_COUNT; i++) {
        struct shm_desc *d;
        while (!(d = shm_ring_peek(&rx)))
            sched_yield();
        assert_int_equal(d->tag, (int32_t)i);
        if (d->len) {
            const unsigned char *p = shm_ring_payload(&rx, d);
            assert_int_equal(p[0], (unsigned char)i);
            assert_int_equal(p[d->len - 1], (unsigned char)i);
        }
        shm_ring_release(&rx, d, d->len != 0);
    }
    pthread_join(t, NULL);
    free(mem_shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_ring_has_nothing),
        cmocka_unit_test(test_idle_polls_stay_inside_the_ring),
        cmocka_unit_test(test_prefetch_follows_the_last_payload),
        cmocka_unit_test(test_descriptors_fill_and_drain),
        cmocka_unit_test(test_wide_records_take_two_descriptors),
        cmocka_unit_test(test_data_is_contiguous_and_bounded),
        cmocka_unit_test(test_full_data_area_refuses),
        cmocka_unit_test(test_data_free_counts_what_is_not_released),
        cmocka_unit_test(test_shifted_payloads_keep_their_shift_and_account),
        cmocka_unit_test(test_two_threads_stream_in_order),
    };
    return cmocka_run_group_tests_name("shm_ring", tests, NULL, NULL);
}
