/*
 * test_blame - mprun's choice of the rank to name (launcher/blame.c): a
 * cause at once, reactors followed to their cause in any order of reports,
 * a reactor whose peer ended well, rings of reactors, a second cause while
 * the named rank is awaited, the wait's end, bad notes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "blame.h"

#define N 6

static struct mprun_blame b;

static int setup(void **state)
{
    (void)state;
    return mprun_blame_init(&b, N);
}

static int teardown(void **state)
{
    (void)state;
    mprun_blame_free(&b);
    return 0;
}

static int failed(int rank, int peer, int code, int64_t now)
{
    return mprun_blame_failed(&b, rank, peer, code, code == 137 ? "killed" : "exited", now);
}

static void test_cause_at_once(void **state)
{
    (void)state;
    assert_int_equal(mprun_blame_deadline(&b), INT64_MAX);
    assert_int_equal(failed(2, -1, 137, 10), 2);
    assert_string_equal(mprun_blame_line(&b, 2), "killed");
    assert_int_equal(mprun_blame_code(&b, 2), 137);
    /* Decided: nothing else is named. */
    assert_int_equal(failed(3, -1, 5, 11), -1);
    assert_int_equal(mprun_blame_expire(&b, 1 << 30, true), -1);
}

static void test_reactors_first(void **state)
{
    (void)state;
    assert_int_equal(failed(1, 0, 8, 100), -1);
    assert_int_equal(mprun_blame_deadline(&b), 100 + MPRUN_BLAME_WAIT_MS);
    assert_int_equal(failed(2, 0, 8, 101), -1);
    assert_int_equal(mprun_blame_expire(&b, 100 + MPRUN_BLAME_WAIT_MS - 1, false), -1);
    assert_int_equal(failed(0, -1, 137, 150), 0);
    assert_int_equal(mprun_blame_code(&b, 0), 137);
    assert_int_equal(mprun_blame_deadline(&b), INT64_MAX);
}

static void test_chain(void **state)
{
    (void)state;
    /* 3 saw 2 fail, 2 saw 4 fail, 4 failed on its own: heard 3, 2, 4. */
    assert_int_equal(failed(3, 2, 8, 0), -1);
    assert_int_equal(failed(2, 4, 8, 1), -1);
    assert_int_equal(failed(5, 2, 8, 2), -1);
    assert_int_equal(failed(4, -1, 5, 3), 4);
}

static void test_peer_ended_well(void **state)
{
    (void)state;
    /* 1 thought 0 failed, but 0 finalized and exited 0: 1 is the cause. */
    assert_int_equal(mprun_blame_ended_cleanly(&b, 3), -1);
    assert_int_equal(failed(1, 0, 8, 0), -1);
    assert_int_equal(mprun_blame_ended_cleanly(&b, 0), 1);
}

static void test_peer_ended_well_before(void **state)
{
    (void)state;
    assert_int_equal(mprun_blame_ended_cleanly(&b, 0), -1);
    assert_int_equal(failed(1, 0, 8, 0), 1);
}

static void test_ring(void **state)
{
    (void)state;
    assert_int_equal(failed(1, 2, 8, 0), -1);
    /* 2 names 1 back: no death behind them, the first one reported. */
    assert_int_equal(failed(2, 1, 9, 1), 1);
}

static void test_second_cause_waits(void **state)
{
    (void)state;
    /* The reactors name 0; 3 fails on its own meanwhile: 0 is preferred. */
    assert_int_equal(failed(1, 0, 8, 0), -1);
    assert_int_equal(failed(3, -1, 134, 1), -1);
    assert_int_equal(failed(0, -1, 137, 2), 0);
}

static void test_wait_ends_on_cause(void **state)
{
    (void)state;
    /* 0 is never heard of (its host lost): the cause that was seen. */
    assert_int_equal(failed(1, 0, 8, 0), -1);
    assert_int_equal(failed(3, -1, 134, 1), -1);
    assert_int_equal(mprun_blame_expire(&b, MPRUN_BLAME_WAIT_MS, false), 3);
}

static void test_wait_ends_on_nearest(void **state)
{
    (void)state;
    /* 1 saw 2 fail, 2 saw 0 fail, 0 is alive (a false alarm): 2. */
    assert_int_equal(failed(1, 2, 8, 0), -1);
    assert_int_equal(failed(2, 0, 8, 1), -1);
    assert_int_equal(mprun_blame_expire(&b, 5, true), 2);
}

static void test_bad_notes(void **state)
{
    (void)state;
    /* A note naming itself or no rank of the job: a cause. */
    assert_int_equal(failed(1, 1, 8, 0), 1);
}

static void test_bad_notes_range(void **state)
{
    (void)state;
    assert_int_equal(failed(1, N, 8, 0), 1);
    assert_int_equal(failed(-1, 0, 8, 0), -1);
}

static void test_repeat_failure(void **state)
{
    (void)state;
    /* An abort, then the same rank's end: the first counts. */
    assert_int_equal(failed(1, 0, 8, 0), -1);
    assert_int_equal(failed(1, -1, 137, 1), -1);
    assert_int_equal(failed(0, -1, 5, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cause_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reactors_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_ended_well, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_ended_well_before, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_cause_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_ends_on_cause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_ends_on_nearest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_notes_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_failure, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
