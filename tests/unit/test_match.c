/* test_match.c - unit tests of the matching queues and rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/match.h"
#include "mpr.h"

static struct mpr__match_item item(int source, int tag, uint32_t ctx)
{
    struct mpr__match_item m = { .source = source, .tag = tag, .ctx = ctx };
    return m;
}

static void test_rule(void **state)
{
    (void)state;
    struct mpr__match_item env = item(3, 7, 0);
    struct mpr__match_item exact = item(3, 7, 0), any_src = item(MPR_ANY_SOURCE, 7, 0),
                           any_tag = item(3, MPR_ANY_TAG, 0),
                           any_both = item(MPR_ANY_SOURCE, MPR_ANY_TAG, 0),
                           other_src = item(2, 7, 0), other_tag = item(3, 8, 0),
                           other_ctx = item(MPR_ANY_SOURCE, MPR_ANY_TAG, 1);
    assert_true(mpr__match_accepts(&exact, &env));
    assert_true(mpr__match_accepts(&any_src, &env));
    assert_true(mpr__match_accepts(&any_tag, &env));
    assert_true(mpr__match_accepts(&any_both, &env));
    assert_false(mpr__match_accepts(&other_src, &env));
    assert_false(mpr__match_accepts(&other_tag, &env));
    assert_false(mpr__match_accepts(&other_ctx, &env)); /* contexts never mix */
}

static void test_queue_fifo(void **state)
{
    (void)state;
    struct mpr__queue q;
    mpr__queue_init(&q);
    assert_true(mpr__queue_empty(&q));
    struct mpr__match_item a = item(0, 1, 0), b = item(0, 2, 0), c = item(0, 3, 0);
    mpr__queue_push(&q, &a.link);
    mpr__queue_push(&q, &b.link);
    mpr__queue_push(&q, &c.link);
    assert_int_equal(q.length, 3);
    mpr__queue_remove(&q, &b.link);
    assert_ptr_equal(mpr__queue_pop(&q), &a.link);
    assert_ptr_equal(mpr__queue_pop(&q), &c.link);
    assert_null(mpr__queue_pop(&q));
    assert_int_equal(q.length, 0);
}

static void test_posted_takes_first_match(void **state)
{
    (void)state;
    struct mpr__queue posted;
    mpr__queue_init(&posted);
    struct mpr__match_item r1 = item(1, 5, 0), r2 = item(MPR_ANY_SOURCE, 5, 0),
                           r3 = item(MPR_ANY_SOURCE, MPR_ANY_TAG, 0);
    mpr__queue_push(&posted, &r1.link);
    mpr__queue_push(&posted, &r2.link);
    mpr__queue_push(&posted, &r3.link);

    struct mpr__match_item env = item(2, 5, 0);
    assert_ptr_equal(mpr__match_take_posted(&posted, &env), &r2); /* r1 wants rank 1 */
    env = item(1, 5, 0);
    assert_ptr_equal(mpr__match_take_posted(&posted, &env), &r1);
    env = item(4, 9, 0);
    assert_ptr_equal(mpr__match_take_posted(&posted, &env), &r3);
    assert_null(mpr__match_take_posted(&posted, &env));
    assert_true(mpr__queue_empty(&posted));
}

static void test_unexpected_keeps_order(void **state)
{
    (void)state;
    struct mpr__queue unexpected;
    mpr__queue_init(&unexpected);
    struct mpr__match_item m[6] = { item(0, 1, 0), item(1, 1, 0), item(0, 2, 0),
                                    item(0, 1, 0), item(1, 2, 1), item(1, 2, 0) };
    for (int i = 0; i < 6; i++)
        mpr__queue_push(&unexpected, &m[i].link);

    struct mpr__match_item pat = item(0, 1, 0);
    assert_ptr_equal(mpr__match_find_unexpected(&unexpected, &pat, false), &m[0]); /* probe */
    assert_int_equal(unexpected.length, 6);
    assert_ptr_equal(mpr__match_find_unexpected(&unexpected, &pat, true), &m[0]);
    assert_ptr_equal(mpr__match_find_unexpected(&unexpected, &pat, true), &m[3]);
    pat = item(1, MPR_ANY_TAG, 0);
    assert_ptr_equal(mpr__match_find_unexpected(&unexpected, &pat, true), &m[1]);
    assert_ptr_equal(mpr__match_find_unexpected(&unexpected, &pat, true), &m[5]); /* m[4] is ctx 1 */
    pat = item(MPR_ANY_SOURCE, MPR_ANY_TAG, 1);
    assert_ptr_equal(mpr__match_find_unexpected(&unexpected, &pat, true), &m[4]);
    assert_null(mpr__match_find_unexpected(&unexpected, &pat, true));
    assert_int_equal(unexpected.length, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_queue_fifo),
        cmocka_unit_test(test_posted_takes_first_match),
        cmocka_unit_test(test_unexpected_keeps_order),
    };
    return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
