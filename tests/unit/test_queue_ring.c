/* test_queue_ring.c - unit tests of the shared queue's ring and block arena,
 * in one process (threads stand in for ranks). */
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

#include "mpr.h"
#include "objects/queue_ring.h"

struct test_ring {
    void *mem;
    struct mpr__qring ring;
};

static void new_ring(struct test_ring *t, uint64_t capacity, uint64_t max_item,
                     uint64_t inline_budget, uint64_t data_budget)
{
    struct mpr__qring_plan plan;
    mpr__qring_plan(capacity, max_item, inline_budget, data_budget, &plan);
    t->mem = aligned_alloc(4096, (plan.total_bytes + 4095) / 4096 * 4096);
    assert_non_null(t->mem);
    memset(t->mem, 0xee, plan.total_bytes); /* format must not rely on zeroed memory */
    mpr__qring_format(t->mem, &plan);
    mpr__qring_attach(&t->ring, t->mem);
}

static void test_plan_inline_or_arena(void **state)
{
    (void)state;
    struct mpr__qring_plan p;
    mpr__qring_plan(100, 8, 1 << 20, 1 << 20, &p);
    assert_int_equal(p.slot_bytes, 64);
    assert_true(p.inline_max >= 8);
    assert_int_equal(p.nblocks, 0);

    mpr__qring_plan(10, 1000, 1 << 20, 1 << 20, &p); /* 10 slots of ~1 KiB fit */
    assert_true(p.inline_max >= 1000);
    assert_int_equal(p.nblocks, 0);

    mpr__qring_plan(1000, 10000, 1 << 20, 1 << 20, &p); /* too big inline: arena */
    assert_int_equal(p.slot_bytes, 64);
    assert_int_equal(p.block_bytes, MPR__QRING_BLOCK_BYTES);
    assert_int_equal(p.nblocks, (1 << 20) / MPR__QRING_BLOCK_BYTES); /* capped by the budget */

    mpr__qring_plan(1000, 1 << 22, 1 << 20, 1 << 20, &p); /* one largest item must fit */
    assert_int_equal(p.nblocks, (1 << 22) / MPR__QRING_BLOCK_BYTES);
    assert_true(p.total_bytes >= (uint64_t)p.nblocks * p.block_bytes + 1000 * 64);
}

static void test_fifo_full_empty(void **state)
{
    (void)state;
    struct test_ring t;
    new_ring(&t, 5, 16, 1 << 20, 0); /* capacity not a power of two */
    size_t len = 99;
    int v;

    assert_int_equal(mpr__qring_get(&t.ring, &v, sizeof v, &len), MPR_ERR_EMPTY);
    assert_int_equal(len, 99); /* untouched */
    for (int lap = 0; lap < 7; lap++) {
        for (int i = 0; i < 5; i++) {
            v = lap * 10 + i;
            assert_int_equal(mpr__qring_put(&t.ring, &v, sizeof v), MPR_SUCCESS);
        }
        v = -1;
        assert_int_equal(mpr__qring_put(&t.ring, &v, sizeof v), MPR_ERR_FULL);
        assert_int_equal(mpr__qring_count(&t.ring), 5);
        for (int i = 0; i < 5; i++) {
            assert_int_equal(mpr__qring_get(&t.ring, &v, sizeof v, &len), MPR_SUCCESS);
            assert_int_equal(len, sizeof v);
            assert_int_equal(v, lap * 10 + i);
        }
        assert_int_equal(mpr__qring_get(&t.ring, &v, sizeof v, &len), MPR_ERR_EMPTY);
    }
    /* empty items are items */
    assert_int_equal(mpr__qring_put(&t.ring, NULL, 0), MPR_SUCCESS);
    assert_int_equal(mpr__qring_get(&t.ring, NULL, 0, &len), MPR_SUCCESS);
    assert_int_equal(len, 0);
    free(t.mem);
}

static void test_capacity_one(void **state)
{
    (void)state;
    struct test_ring t;
    new_ring(&t, 1, 16, 1 << 20, 0);
    int v;
    size_t len;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(mpr__qring_put(&t.ring, &i, sizeof i), MPR_SUCCESS);
        assert_int_equal(mpr__qring_put(&t.ring, &i, sizeof i), MPR_ERR_FULL);
        assert_int_equal(mpr__qring_count(&t.ring), 1);
        assert_int_equal(mpr__qring_get(&t.ring, &v, sizeof v, &len), MPR_SUCCESS);
        assert_int_equal(v, i);
        assert_int_equal(mpr__qring_get(&t.ring, &v, sizeof v, &len), MPR_ERR_EMPTY);
    }
    free(t.mem);
}

static void test_too_big_stays_first(void **state)
{
    (void)state;
    struct test_ring t;
    new_ring(&t, 4, 20000, 0, 1 << 20); /* arena for everything above 48 bytes */
    static unsigned char big[20000], out[20000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7 + 3);
    size_t len = 0;
    char small[8] = "abc";

    assert_int_equal(mpr__qring_put(&t.ring, big, sizeof big), MPR_SUCCESS);
    assert_int_equal(mpr__qring_put(&t.ring, small, 3), MPR_SUCCESS);
    assert_int_equal(mpr__qring_get(&t.ring, out, 100, &len), MPR_ERR_TRUNCATE);
    assert_int_equal(len, sizeof big);
    assert_int_equal(mpr__qring_count(&t.ring), 2); /* nothing taken */
    assert_int_equal(mpr__qring_get(&t.ring, out, sizeof out, &len), MPR_SUCCESS);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(out, big, sizeof big);
    assert_int_equal(mpr__qring_get(&t.ring, out, 2, &len), MPR_ERR_TRUNCATE);
    assert_int_equal(len, 3);
    assert_int_equal(mpr__qring_get(&t.ring, out, 3, &len), MPR_SUCCESS);
    assert_memory_equal(out, "abc", 3);
    free(t.mem);
}

#define B MPR__QRING_BLOCK_BYTES

static void test_arena_exhaustion_loses_nothing(void **state)
{
    (void)state;
    struct test_ring t;
    /* 8 slots, arena of 4 blocks: at most two 2-block items at a time */
    new_ring(&t, 8, 2 * B, 0, 4 * B);
    assert_int_equal(t.ring.hdr->plan.nblocks, 4);
    assert_int_equal(t.ring.hdr->plan.initial_blocks, 4);
    static unsigned char item[3][2 * B], out[2 * B];
    size_t len;
    for (int k = 0; k < 3; k++)
        memset(item[k], 'a' + k, sizeof item[k]);

    assert_int_equal(mpr__qring_put(&t.ring, item[0], 2 * B), MPR_SUCCESS);
    assert_int_equal(mpr__qring_put(&t.ring, item[1], B + 100), MPR_SUCCESS);
    assert_int_equal(mpr__qring_free_blocks(&t.ring), 0);
    assert_true(mpr__qring_full(&t.ring)); /* no room for a largest item */
    assert_int_equal(mpr__qring_put(&t.ring, item[2], 100), MPR_ERR_FULL); /* no block left */
    assert_int_equal(mpr__qring_put(&t.ring, item[2], 40), MPR_SUCCESS);   /* inline still fits */
    assert_int_equal(mpr__qring_get(&t.ring, out, sizeof out, &len), MPR_SUCCESS);
    assert_int_equal(len, 2 * B);
    assert_memory_equal(out, item[0], 2 * B);
    assert_int_equal(mpr__qring_free_blocks(&t.ring), 2);
    assert_false(mpr__qring_full(&t.ring));
    assert_int_equal(mpr__qring_put(&t.ring, item[2], 2 * B), MPR_SUCCESS);
    assert_int_equal(mpr__qring_get(&t.ring, out, sizeof out, &len), MPR_SUCCESS);
    assert_int_equal(len, B + 100);
    assert_memory_equal(out, item[1], B + 100);
    assert_int_equal(mpr__qring_get(&t.ring, out, sizeof out, &len), MPR_SUCCESS);
    assert_int_equal(len, 40);
    assert_int_equal(mpr__qring_get(&t.ring, out, sizeof out, &len), MPR_SUCCESS);
    assert_int_equal(len, 2 * B);
    assert_memory_equal(out, item[2], 2 * B);
    assert_int_equal(mpr__qring_free_blocks(&t.ring), 4);

    /* a full ring gives its blocks back when the slot claim fails */
    for (int i = 0; i < 8; i++)
        assert_int_equal(mpr__qring_put(&t.ring, item[0], 10), MPR_SUCCESS);
    assert_true(mpr__qring_full(&t.ring));
    assert_int_equal(mpr__qring_put(&t.ring, item[0], 2 * B), MPR_ERR_FULL);
    assert_int_equal(mpr__qring_free_blocks(&t.ring), 4);
    free(t.mem);
}

/* Is every byte of mem from `from` to `to` still the filler new_ring wrote? */
static bool untouched(const struct test_ring *t, uint64_t from, uint64_t to)
{
    const unsigned char *p = t->mem;
    for (uint64_t i = from; i < to; i++) {
        if (p[i] != 0xee)
            return false;
    }
    return true;
}

/* The arena starts with MPR__QRING_ARENA_START_BYTES, leaves the rest
 * untouched, and doubles when the caller grows it, up to its plan. */
static void test_arena_grows(void **state)
{
    (void)state;
    struct test_ring t;
    const uint64_t start = MPR__QRING_ARENA_START_BYTES / B;
    new_ring(&t, 4096, 4 * B, 0, 8 * start * B);
    struct mpr__qring_plan *plan = &t.ring.hdr->plan;
    assert_int_equal(plan->nblocks, 8 * start);
    assert_int_equal(plan->initial_blocks, start);
    assert_int_equal(plan->initial_bytes, t.ring.hdr->blocks_off + start * B);
    assert_true(untouched(&t, plan->initial_bytes, plan->total_bytes));

    static unsigned char item[4 * B], out[4 * B];
    size_t len;
    uint64_t n = 0;
    struct mpr__qring_growth g, g2;
    for (uint64_t ready = start; ready < 8 * start; ready *= 2) {
        for (;; n++) {
            memset(item, (int)(n & 0xff), sizeof item);
            if (mpr__qring_put(&t.ring, item, sizeof item) != MPR_SUCCESS)
                break;
        }
        assert_int_equal(n, ready / 4); /* every block used */
        assert_true(untouched(&t, plan->initial_bytes + (ready - start) * B, plan->total_bytes));
        assert_false(mpr__qring_full(&t.ring)); /* it can still grow */
        assert_true(mpr__qring_may_grow(&t.ring, sizeof item));
        assert_false(mpr__qring_may_grow(&t.ring, 40)); /* inline: blocks do not help */
        assert_true(mpr__qring_grow_begin(&t.ring, 4, &g));
        assert_false(mpr__qring_grow_begin(&t.ring, 4, &g2)); /* one grower at a time */
        assert_int_equal(g.first, ready);
        assert_int_equal(g.count, ready); /* doubling */
        assert_int_equal(g.offset, t.ring.hdr->blocks_off + ready * B);
        assert_int_equal(g.bytes, ready * B);
        mpr__qring_grow_end(&t.ring, &g);
        assert_int_equal(mpr__qring_free_blocks(&t.ring), ready);
    }
    for (;; n++) {
        memset(item, (int)(n & 0xff), sizeof item);
        if (mpr__qring_put(&t.ring, item, sizeof item) != MPR_SUCCESS)
            break;
    }
    assert_int_equal(n, 8 * start / 4);
    assert_true(mpr__qring_full(&t.ring)); /* grown to its plan */
    assert_false(mpr__qring_may_grow(&t.ring, sizeof item));
    assert_false(mpr__qring_grow_begin(&t.ring, 4, &g));
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(mpr__qring_get(&t.ring, out, sizeof out, &len), MPR_SUCCESS);
        assert_int_equal(len, sizeof out);
        assert_int_equal(out[0], (unsigned char)(i & 0xff));
        assert_int_equal(out[len - 1], (unsigned char)(i & 0xff));
    }
    assert_int_equal(mpr__qring_free_blocks(&t.ring), 8 * start);
    free(t.mem);
}

/* A growth that could not get its memory: the arena stays, puts that need
 * more find it full, full() says so, nothing is lost. */
static void test_arena_growth_fails(void **state)
{
    (void)state;
    struct test_ring t;
    const uint64_t start = MPR__QRING_ARENA_START_BYTES / B;
    new_ring(&t, 4096, 2 * B, 0, 4 * start * B);
    static unsigned char item[2 * B], out[2 * B];
    size_t len;
    uint64_t n = 0;
    while (mpr__qring_put(&t.ring, item, B + 1) == MPR_SUCCESS)
        n++;
    assert_int_equal(n, start / 2);
    struct mpr__qring_growth g;
    assert_true(mpr__qring_grow_begin(&t.ring, 2, &g));
    g.count = 0; /* no memory for it */
    mpr__qring_grow_end(&t.ring, &g);
    assert_false(mpr__qring_may_grow(&t.ring, B + 1));
    assert_false(mpr__qring_grow_begin(&t.ring, 2, &g));
    assert_true(mpr__qring_full(&t.ring));
    assert_int_equal(mpr__qring_put(&t.ring, item, B + 1), MPR_ERR_FULL);
    assert_int_equal(mpr__qring_get(&t.ring, out, sizeof out, &len), MPR_SUCCESS);
    assert_false(mpr__qring_full(&t.ring));
    assert_int_equal(mpr__qring_put(&t.ring, item, 2 * B), MPR_SUCCESS);
    assert_true(untouched(&t, t.ring.hdr->plan.initial_bytes, t.ring.hdr->plan.total_bytes));
    free(t.mem);
}

static void test_task_done_and_join(void **state)
{
    (void)state;
    struct test_ring t;
    new_ring(&t, 4, 8, 1 << 20, 0);
    bool all = true;
    size_t len;
    int v = 1;

    assert_true(mpr__qring_all_done(&t.ring)); /* nothing put yet */
    assert_int_equal(mpr__qring_task_done(&t.ring, &all), MPR_ERR_VALUE);
    assert_int_equal(mpr__qring_put(&t.ring, &v, sizeof v), MPR_SUCCESS);
    assert_int_equal(mpr__qring_put(&t.ring, &v, sizeof v), MPR_SUCCESS);
    assert_false(mpr__qring_all_done(&t.ring));
    assert_int_equal(mpr__qring_task_done(&t.ring, &all), MPR_ERR_VALUE); /* none got */
    assert_int_equal(mpr__qring_get(&t.ring, &v, sizeof v, &len), MPR_SUCCESS);
    assert_int_equal(mpr__qring_task_done(&t.ring, &all), MPR_SUCCESS);
    assert_false(all);
    assert_int_equal(mpr__qring_task_done(&t.ring, &all), MPR_ERR_VALUE); /* one got, one done */
    assert_int_equal(mpr__qring_get(&t.ring, &v, sizeof v, &len), MPR_SUCCESS);
    assert_false(mpr__qring_all_done(&t.ring));
    assert_int_equal(mpr__qring_task_done(&t.ring, &all), MPR_SUCCESS);
    assert_true(all);
    assert_true(mpr__qring_all_done(&t.ring));
    free(t.mem);
}

/* ---- many producers and consumers ---------------------------------------- */

enum { PRODUCERS = 4, CONSUMERS = 4, PER_PRODUCER = 20000, BIG_EVERY = 7 };

struct item_head {
    uint32_t producer;
    uint32_t seq;
    uint32_t len;
    uint32_t sum;
};

struct mpmc {
    struct test_ring t;
    _Atomic uint32_t got[PRODUCERS][PER_PRODUCER];
    _Atomic int consumed;
    _Atomic int errors;
};

static uint32_t item_len(uint32_t producer, uint32_t seq)
{
    if (seq % BIG_EVERY == 0)
        return 48 + (producer * 977 + seq * 131) % 9000; /* arena, 1-3 blocks */
    return (uint32_t)sizeof(struct item_head) + (seq % 24);  /* inline */
}

static void fill_item(unsigned char *buf, uint32_t producer, uint32_t seq)
{
    struct item_head h = { producer, seq, item_len(producer, seq), 0 };
    for (uint32_t i = sizeof h; i < h.len; i++) {
        buf[i] = (unsigned char)(producer * 31 + seq * 17 + i);
        h.sum += buf[i];
    }
    memcpy(buf, &h, sizeof h);
}

struct producer_arg {
    struct mpmc *m;
    uint32_t id;
};

static void *producer_main(void *arg)
{
    struct mpmc *m = ((struct producer_arg *)arg)->m;
    uint32_t me = ((struct producer_arg *)arg)->id;
    static _Thread_local unsigned char buf[10000];
    for (uint32_t seq = 0; seq < PER_PRODUCER; seq++) {
        fill_item(buf, me, seq);
        struct mpr__qring_growth g;
        while (mpr__qring_put(&m->t.ring, buf, item_len(me, seq)) == MPR_ERR_FULL) {
            /* grow the arena as queue.c does (the memory is there already) */
            if (mpr__qring_may_grow(&m->t.ring, item_len(me, seq)) &&
                mpr__qring_grow_begin(&m->t.ring, 10, &g))
                mpr__qring_grow_end(&m->t.ring, &g);
            else
                sched_yield();
        }
    }
    return NULL;
}

static void *consumer_main(void *arg)
{
    struct mpmc *m = arg;
    static _Thread_local unsigned char buf[10000];
    int64_t last_seq[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++)
        last_seq[p] = -1;
    while (atomic_load(&m->consumed) < PRODUCERS * PER_PRODUCER) {
        size_t len;
        int rc = mpr__qring_get(&m->t.ring, buf, sizeof buf, &len);
        if (rc == MPR_ERR_EMPTY) {
            sched_yield();
            continue;
        }
        struct item_head h;
        memcpy(&h, buf, sizeof h);
        uint32_t sum = 0;
        for (uint32_t i = sizeof h; i < len; i++)
            sum += buf[i];
        if (rc != MPR_SUCCESS || h.producer >= PRODUCERS || h.seq >= PER_PRODUCER ||
            h.len != len || sum != h.sum || (int64_t)h.seq <= last_seq[h.producer]) {
            atomic_fetch_add(&m->errors, 1);
        } else {
            last_seq[h.producer] = h.seq; /* one producer's items arrive in order */
            atomic_fetch_add(&m->got[h.producer][h.seq], 1);
        }
        atomic_fetch_add(&m->consumed, 1);
    }
    return NULL;
}

static void run_mpmc(uint64_t capacity, uint64_t data_budget)
{
    struct mpmc *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    new_ring(&m->t, capacity, 10000, 0, data_budget);
    pthread_t prod[PRODUCERS], cons[CONSUMERS];
    struct producer_arg args[PRODUCERS];
    for (int c = 0; c < CONSUMERS; c++)
        assert_int_equal(pthread_create(&cons[c], NULL, consumer_main, m), 0);
    for (int p = 0; p < PRODUCERS; p++) {
        args[p] = (struct producer_arg){ m, (uint32_t)p };
        assert_int_equal(pthread_create(&prod[p], NULL, producer_main, &args[p]), 0);
    }
    for (int p = 0; p < PRODUCERS; p++)
        pthread_join(prod[p], NULL);
    for (int c = 0; c < CONSUMERS; c++)
        pthread_join(cons[c], NULL);

    assert_int_equal(atomic_load(&m->errors), 0);
    for (int p = 0; p < PRODUCERS; p++)
        for (int s = 0; s < PER_PRODUCER; s++)
            assert_int_equal(atomic_load(&m->got[p][s]), 1); /* exactly once */
    assert_int_equal(mpr__qring_count(&m->t.ring), 0);
    assert_int_equal(mpr__qring_free_blocks(&m->t.ring),
                     atomic_load(&m->t.ring.hdr->blocks_ready));
    free(m->t.mem);
    free(m);
}

static void test_mpmc_exactly_once_in_order(void **state)
{
    (void)state;
    run_mpmc(64, 1 << 20); /* the arena grows from 256 KiB to 1 MiB while they run */
}

static void test_mpmc_tiny_ring_and_arena(void **state)
{
    (void)state;
    run_mpmc(3, 4 * MPR__QRING_BLOCK_BYTES); /* constant contention for slots and blocks */
}

static void test_mpmc_capacity_one(void **state)
{
    (void)state;
    run_mpmc(1, 3 * MPR__QRING_BLOCK_BYTES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_inline_or_arena),
        cmocka_unit_test(test_fifo_full_empty),
        cmocka_unit_test(test_capacity_one),
        cmocka_unit_test(test_too_big_stays_first),
        cmocka_unit_test(test_arena_exhaustion_loses_nothing),
        cmocka_unit_test(test_arena_grows),
        cmocka_unit_test(test_arena_growth_fails),
        cmocka_unit_test(test_task_done_and_join),
        cmocka_unit_test(test_mpmc_exactly_once_in_order),
        cmocka_unit_test(test_mpmc_tiny_ring_and_arena),
        cmocka_unit_test(test_mpmc_capacity_one),
    };
    return cmocka_run_group_tests_name("queue_ring", tests, NULL, NULL);
}
