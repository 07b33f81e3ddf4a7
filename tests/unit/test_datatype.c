/* test_datatype.c - unit tests of the element types and reduction ops
 * (runtime/core/datatype.c) without a job: which pairs exist, what the edge
 * values give, user ops and their handles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <limits.h>

#include "coll/coll.h"

static void test_sizes(void **state)
{
    (void)state;
    size_t s = 0;
    assert_int_equal(mpr_type_size(MPR_LONG_DOUBLE, &s), MPR_SUCCESS);
    assert_int_equal(s, sizeof(long double));
    assert_int_equal(mpr_type_size(MPR_SIZE_T, &s), MPR_SUCCESS);
    assert_int_equal(s, sizeof(size_t));
    assert_int_equal(mpr_type_size(MPR_BYTE, &s), MPR_SUCCESS);
    assert_int_equal(s, 1);
    assert_int_equal(mpr_type_size(0, &s), MPR_ERR_ARG);
    assert_int_equal(mpr_type_size(MPR_SIZE_T + 1, &s), MPR_ERR_ARG);
    assert_int_equal(mpr_type_size(-1, &s), MPR_ERR_ARG);
    assert_int_equal(mpr_type_size(MPR_INT, NULL), MPR_ERR_ARG);
}

static void test_which_pairs(void **state)
{
    (void)state;
    bool c = false;
    assert_int_equal(mpr__op_check(MPR_SUM, MPR_INT, &c), MPR_SUCCESS);
    assert_true(c);
    assert_int_equal(mpr__op_check(MPR_MAX, MPR_LONG_DOUBLE, &c), MPR_SUCCESS);
    assert_int_equal(mpr__op_check(MPR_BXOR, MPR_BYTE, &c), MPR_SUCCESS);
    assert_int_equal(mpr__op_check(MPR_LXOR, MPR_SIZE_T, &c), MPR_SUCCESS);
    assert_int_equal(mpr__op_check(MPR_SUM, MPR_BYTE, &c), MPR_ERR_ARG);
    assert_int_equal(mpr__op_check(MPR_LAND, MPR_BYTE, &c), MPR_ERR_ARG);
    assert_int_equal(mpr__op_check(MPR_BAND, MPR_FLOAT, &c), MPR_ERR_ARG);
    assert_int_equal(mpr__op_check(MPR_LOR, MPR_DOUBLE, &c), MPR_ERR_ARG);
    assert_int_equal(mpr__op_check(MPR_OP_NULL, MPR_INT, &c), MPR_ERR_ARG);
    assert_int_equal(mpr__op_check(MPR_BXOR + 1, MPR_INT, &c), MPR_ERR_ARG);
    assert_int_equal(mpr__op_check(MPR_SUM, 0, &c), MPR_ERR_ARG);
    assert_int_equal(mpr__op_check(MPR_SUM, 25, &c), MPR_ERR_ARG);
}

static void test_edge_values(void **state)
{
    (void)state;
    int in[4] = { INT_MAX, -3, 0, 7 }, io[4] = { 1, 5, -9, 7 };
    mpr__op_apply(MPR_SUM, MPR_INT, in, io, 4); /* wraps, not undefined */
    assert_int_equal(io[0], INT_MIN);
    assert_int_equal(io[1], 2);
    assert_int_equal(io[2], -9);

    int64_t a[2] = { INT64_MIN, -2 }, b[2] = { -1, 3 };
    mpr__op_apply(MPR_PROD, MPR_INT64, a, b, 2);
    assert_true(b[0] == INT64_MIN && b[1] == -6);

    unsigned short us[2] = { 65535, 300 }, ut[2] = { 65535, 2 };
    mpr__op_apply(MPR_PROD, MPR_UNSIGNED_SHORT, us, ut, 2);
    assert_int_equal(ut[0], 1); /* 65535^2 mod 2^16 */
    assert_int_equal(ut[1], 600);

    signed char sc[3] = { -128, 5, 0 }, sd[3] = { 127, -5, 0 };
    mpr__op_apply(MPR_MIN, MPR_SIGNED_CHAR, sc, sd, 3);
    assert_true(sd[0] == -128 && sd[1] == -5 && sd[2] == 0);

    double x[3] = { -0.5, 1e300, -DBL_MAX }, y[3] = { 0.25, -1e300, 3.0 };
    mpr__op_apply(MPR_MAX, MPR_DOUBLE, x, y, 3);
    assert_true(y[0] == 0.25 && y[1] == 1e300 && y[2] == 3.0);

    long l[4] = { 0, 0, 5, -1 }, m[4] = { 0, 3, 0, 2 };
    mpr__op_apply(MPR_LXOR, MPR_LONG, l, m, 4);
    assert_true(m[0] == 0 && m[1] == 1 && m[2] == 1 && m[3] == 0);
    long n[2] = { 4, 0 }, o[2] = { -7, 9 };
    mpr__op_apply(MPR_LAND, MPR_LONG, n, o, 2);
    assert_true(o[0] == 1 && o[1] == 0);

    uint8_t p[2] = { 0xf0, 0xff }, q[2] = { 0x3c, 0x0f };
    mpr__op_apply(MPR_BXOR, MPR_BYTE, p, q, 2);
    assert_true(q[0] == 0xcc && q[1] == 0xf0);
}

static void test_long_arrays(void **state)
{
    (void)state;
    enum { N = 1037 }; /* vector loop plus a tail */
    static float f[N], g[N];
    static uint32_t u[N], v[N];
    for (int i = 0; i < N; i++) {
        f[i] = (float)(i % 17), g[i] = (float)(i % 5);
        u[i] = (uint32_t)i * 2654435761u, v[i] = (uint32_t)i;
    }
    mpr__op_apply(MPR_SUM, MPR_FLOAT, f, g, N);
    mpr__op_apply(MPR_BAND, MPR_UINT32, u, v, N);
    for (int i = 0; i < N; i++) {
        assert_true(g[i] == (float)(i % 17 + i % 5));
        assert_true(v[i] == (((uint32_t)i * 2654435761u) & (uint32_t)i));
    }
}

/* inout = in - inout: neither commutative nor associative, but it shows
 * which argument is which. */
static void minus(const void *in, void *inout, size_t count, mpr_datatype type)
{
    assert_int_equal(type, MPR_INT);
    for (size_t i = 0; i < count; i++)
        ((int *)inout)[i] = ((const int *)in)[i] - ((int *)inout)[i];
}

static void test_user_ops(void **state)
{
    (void)state;
    mpr_op op = MPR_OP_NULL, op2 = MPR_OP_NULL;
    assert_int_equal(mpr_op_create(minus, 0, &op), MPR_SUCCESS);
    assert_true(op > MPR_BXOR);
    bool c = true;
    assert_int_equal(mpr__op_check(op, MPR_INT, &c), MPR_SUCCESS);
    assert_false(c);
    assert_int_equal(mpr__op_check(op, 0, &c), MPR_ERR_ARG); /* types still checked */
    int in[2] = { 10, 1 }, io[2] = { 3, 4 };
    mpr__op_apply(op, MPR_INT, in, io, 2);
    assert_true(io[0] == 7 && io[1] == -3);

    assert_int_equal(mpr_op_create(minus, 1, &op2), MPR_SUCCESS);
    assert_int_not_equal(op, op2);
    assert_int_equal(mpr__op_check(op2, MPR_DOUBLE, &c), MPR_SUCCESS);
    assert_true(c);
    mpr_op old = op;
    assert_int_equal(mpr_op_free(&op), MPR_SUCCESS);
    assert_int_equal(op, MPR_OP_NULL);
    assert_int_equal(mpr__op_check(old, MPR_INT, &c), MPR_ERR_ARG);
    assert_int_equal(mpr_op_free(&old), MPR_ERR_ARG);
    assert_int_equal(mpr_op_create(minus, 0, &op), MPR_SUCCESS);
    assert_int_equal(op, old); /* the freed handle is used again */
    assert_int_equal(mpr_op_free(&op), MPR_SUCCESS);
    assert_int_equal(mpr_op_free(&op2), MPR_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_which_pairs),
        cmocka_unit_test(test_edge_values),
        cmocka_unit_test(test_long_arrays),
        cmocka_unit_test(test_user_ops),
    };
    return cmocka_run_group_tests_name("datatype", tests, NULL, NULL);
}
