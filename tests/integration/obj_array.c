/*
 * obj_array - the shared array and value, self-checking.
 *
 *   mprun -n N obj_array ROUNDS
 *
 * Every rank adds to a Value ROUNDS times under its lock (read, then write:
 * no update may be lost), adds to an int64 array with fetch_add, and
 * counts with a compare-and-swap loop; exactly one rank wins a CAS claim.
 * Ranges longer than one service request are written by one rank and read
 * by all; the pointer of ranks on the home host sees the same bytes.
 * Element types wrap as C's do, and bad arguments are refused: ranges out
 * of bounds, atomics on floating types, unrepresentable CAS values, types
 * or counts that differ between ranks.
 */
#include <math.h>
#include <sched.h>
#include <string.h>

#include "check.h"

#define BIG 300000 /* int32 elements: more than one 1 MiB service request */

static void check_bad_arguments(int size)
{
    mpr_array a = NULL;
    EXPECT(mpr_array_create(MPR_COMM_WORLD, MPR_INT, 4, NULL), MPR_ERR_ARG);
    EXPECT(mpr_array_create(NULL, MPR_INT, 4, &a), MPR_ERR_ARG);
    EXPECT(mpr_array_create(MPR_COMM_WORLD, 99, 4, &a), MPR_ERR_ARG);
    EXPECT(mpr_array_create(MPR_COMM_WORLD, MPR_DOUBLE, MPR_ARRAY_BYTES_MAX / 4, &a), MPR_ERR_ARG);
    EXPECT(mpr_value_create(MPR_COMM_WORLD, 0, &a), MPR_ERR_ARG);
    EXPECT(mpr_array_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_array_free(&a), MPR_ERR_ARG);
    EXPECT(mpr_array_read(NULL, 0, 0, NULL), MPR_ERR_ARG);
    EXPECT(mpr_array_fetch_add(NULL, 0, 1, NULL), MPR_ERR_ARG);
    CHECK(mpr_array_data(NULL) == NULL, "data of a NULL array");
    /* a count that differs between ranks: refused on every rank */
    if (size > 1) {
        EXPECT(mpr_array_create(MPR_COMM_WORLD, MPR_INT, 4 + (me == size - 1), &a), MPR_ERR_ARG);
        EXPECT(mpr_array_create(MPR_COMM_WORLD, me == 0 ? MPR_INT : MPR_UNSIGNED, 4, &a),
               MPR_ERR_ARG);
    }
}

static void check_value_under_lock(int size, int rounds)
{
    mpr_array v;
    mpr_lock lock = NULL;
    MUST(mpr_value_create(MPR_COMM_WORLD, MPR_INT, &v), MPR_SUCCESS);
    EXPECT(mpr_array_get_lock(v, NULL), MPR_ERR_ARG);
    EXPECT(mpr_array_get_lock(v, &lock), MPR_SUCCESS);
    size_t count = 0;
    mpr_datatype type = 0;
    EXPECT(mpr_array_size(v, &count), MPR_SUCCESS);
    EXPECT(mpr_array_type(v, &type), MPR_SUCCESS);
    CHECK(count == 1 && type == MPR_INT, "value of %zu elements of type %d", count, type);
    int x = -1;
    EXPECT(mpr_array_read(v, 0, 1, &x), MPR_SUCCESS);
    CHECK(x == 0, "a new value holds %d", x);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    for (int i = 0; i < rounds; i++) {
        MUST(mpr_lock_acquire(lock, 30), MPR_SUCCESS);
        EXPECT(mpr_array_read(v, 0, 1, &x), MPR_SUCCESS);
        if (i % 8 == 0)
            sched_yield(); /* widen the window a lost update would need */
        x++;
        EXPECT(mpr_array_write(v, 0, 1, &x), MPR_SUCCESS);
        EXPECT(mpr_lock_release(lock), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_array_read(v, 0, 1, &x), MPR_SUCCESS);
    CHECK(x == size * rounds, "value %d under the lock, wanted %d", x, size * rounds);
    int *direct = mpr_array_data(v);
    if (me == 0 || direct)
        CHECK(direct && *direct == x, "the pointer sees %d, read %d", direct ? *direct : -1, x);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_array_free(&v), MPR_SUCCESS);
    CHECK(v == NULL, "free did not clear the handle");
}

static void check_atomics(int size, int rounds)
{
    mpr_array a;
    MUST(mpr_array_create(MPR_COMM_WORLD, MPR_INT64, 3, &a), MPR_SUCCESS);
    int64_t old = 0;
    /* [0] fetch_add from every rank; [1] a CAS loop; [2] a claim */
    for (int i = 0; i < rounds; i++) {
        EXPECT(mpr_array_fetch_add(a, 0, 2, NULL), MPR_SUCCESS);
        int64_t seen = 0;
        EXPECT(mpr_array_read(a, 1, 1, &seen), MPR_SUCCESS);
        for (int tries = 0;; tries++) {
            int rc = mpr_array_compare_swap(a, 1, seen, seen + 1, &old);
            if (rc != MPR_SUCCESS) {
                failf(__LINE__, "compare_swap returned %s", mpr_error_name(rc));
                die();
            }
            if (old == seen)
                break;
            seen = old;
            if (tries % 16 == 15)
                sched_yield();
        }
    }
    EXPECT(mpr_array_compare_swap(a, 2, 0, me + 1, &old), MPR_SUCCESS);
    int won = old == 0;
    int winners = 0;
    MUST(mpr_allreduce(&won, &winners, 1, MPR_INT, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(winners == 1, "%d ranks won one compare_swap", winners);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    int64_t got[3];
    EXPECT(mpr_array_read(a, 0, 3, got), MPR_SUCCESS);
    CHECK(got[0] == 2LL * size * rounds, "fetch_add total %lld, wanted %lld", (long long)got[0],
          2LL * size * rounds);
    CHECK(got[1] == (int64_t)size * rounds, "CAS total %lld, wanted %lld", (long long)got[1],
          (long long)size * rounds);
    CHECK(got[2] >= 1 && got[2] <= size, "claimed by %lld", (long long)got[2]);
    EXPECT(mpr_array_fetch_add(a, 3, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_array_compare_swap(a, 3, 0, 1, NULL), MPR_ERR_ARG);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_array_free(&a), MPR_SUCCESS);
}

/* Wrap-around, sign and the limits of small types, checked by rank 0. */
static void check_types(void)
{
    mpr_array i8, u8, u16, d, ld;
    MUST(mpr_value_create(MPR_COMM_WORLD, MPR_INT8, &i8), MPR_SUCCESS);
    MUST(mpr_value_create(MPR_COMM_WORLD, MPR_UINT8, &u8), MPR_SUCCESS);
    MUST(mpr_array_create(MPR_COMM_WORLD, MPR_UNSIGNED_SHORT, 2, &u16), MPR_SUCCESS);
    MUST(mpr_array_create(MPR_COMM_WORLD, MPR_DOUBLE, 4, &d), MPR_SUCCESS);
    MUST(mpr_array_create(MPR_COMM_WORLD, MPR_LONG_DOUBLE, 2, &ld), MPR_SUCCESS);
    if (me == 0) {
        int64_t old = 0;
        EXPECT(mpr_array_fetch_add(i8, 0, 127, &old), MPR_SUCCESS);
        EXPECT(mpr_array_fetch_add(i8, 0, 1, &old), MPR_SUCCESS);
        CHECK(old == 127, "int8 held %lld, wanted 127", (long long)old);
        EXPECT(mpr_array_fetch_add(i8, 0, 0, &old), MPR_SUCCESS);
        CHECK(old == -128, "int8 127 + 1 gave %lld, wanted -128", (long long)old);
        EXPECT(mpr_array_compare_swap(i8, 0, -128, 200, NULL), MPR_ERR_ARG);
        EXPECT(mpr_array_compare_swap(i8, 0, -129, 0, NULL), MPR_ERR_ARG);
        EXPECT(mpr_array_compare_swap(i8, 0, -128, -5, &old), MPR_SUCCESS);
        CHECK(old == -128, "int8 CAS saw %lld", (long long)old);
        EXPECT(mpr_array_fetch_add(u8, 0, 250, NULL), MPR_SUCCESS);
        EXPECT(mpr_array_fetch_add(u8, 0, 10, &old), MPR_SUCCESS);
        EXPECT(mpr_array_fetch_add(u8, 0, -1, NULL), MPR_SUCCESS);
        uint8_t b = 0;
        EXPECT(mpr_array_read(u8, 0, 1, &b), MPR_SUCCESS);
        CHECK(old == 250 && b == 3, "uint8 250 + 10 - 1: old %lld, now %u", (long long)old, b);
        EXPECT(mpr_array_compare_swap(u8, 0, -1, 0, NULL), MPR_ERR_ARG);
        EXPECT(mpr_array_compare_swap(u8, 0, 3, 255, &old), MPR_SUCCESS);
        EXPECT(mpr_array_compare_swap(u16, 1, 0, 65535, &old), MPR_SUCCESS);
        EXPECT(mpr_array_fetch_add(u16, 1, 1, &old), MPR_SUCCESS);
        CHECK(old == 65535, "unsigned short held %lld", (long long)old);
        EXPECT(mpr_array_fetch_add(d, 0, 1, NULL), MPR_ERR_ARG);
        EXPECT(mpr_array_compare_swap(d, 0, 0, 1, NULL), MPR_ERR_ARG);
        double dv[4] = { 0.5, -1.25, 1e300, NAN };
        EXPECT(mpr_array_write(d, 0, 4, dv), MPR_SUCCESS);
        long double lv[2] = { 1.0L / 3, -2.5L };
        EXPECT(mpr_array_write(ld, 0, 2, lv), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    int8_t c = 0;
    uint8_t b = 0;
    uint16_t s[2] = { 9, 9 };
    double dv[4] = { 0 };
    long double lv[2] = { 0 };
    EXPECT(mpr_array_read(i8, 0, 1, &c), MPR_SUCCESS);
    EXPECT(mpr_array_read(u8, 0, 1, &b), MPR_SUCCESS);
    EXPECT(mpr_array_read(u16, 0, 2, s), MPR_SUCCESS);
    EXPECT(mpr_array_read(d, 1, 3, dv + 1), MPR_SUCCESS);
    EXPECT(mpr_array_read(ld, 0, 2, lv), MPR_SUCCESS);
    CHECK(c == -5 && b == 255 && s[0] == 0 && s[1] == 0, "int8 %d uint8 %u ushort %u %u", c, b,
          s[0], s[1]);
    CHECK(dv[1] == -1.25 && dv[2] == 1e300 && isnan(dv[3]), "doubles %g %g %g", dv[1], dv[2],
          dv[3]);
    CHECK(lv[0] == 1.0L / 3 && lv[1] == -2.5L, "long doubles %Lg %Lg", lv[0], lv[1]);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_array_free(&ld), MPR_SUCCESS);
    EXPECT(mpr_array_free(&d), MPR_SUCCESS);
    EXPECT(mpr_array_free(&u16), MPR_SUCCESS);
    EXPECT(mpr_array_free(&u8), MPR_SUCCESS);
    EXPECT(mpr_array_free(&i8), MPR_SUCCESS);
}

/* The last rank writes a range longer than a service request; all read. */
static void check_ranges(int size)
{
    mpr_array a;
    MUST(mpr_array_create(MPR_COMM_WORLD, MPR_INT32, BIG, &a), MPR_SUCCESS);
    int32_t *buf = malloc(BIG * sizeof(int32_t));
    if (!buf)
        die();
    if (me == size - 1) {
        for (int i = 0; i < BIG; i++)
            buf[i] = i * 7 - 3;
        EXPECT(mpr_array_write(a, 0, BIG, buf), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    memset(buf, 0, BIG * sizeof(int32_t));
    EXPECT(mpr_array_read(a, 0, BIG, buf), MPR_SUCCESS);
    int bad = 0;
    for (int i = 0; i < BIG; i++)
        bad += buf[i] != i * 7 - 3;
    CHECK(bad == 0, "%d of %d elements read wrong", bad, BIG);
    int32_t *direct = mpr_array_data(a);
    if (direct)
        CHECK(memcmp(direct, buf, BIG * sizeof(int32_t)) == 0, "the pointer sees other bytes");
    int32_t piece[3] = { 0 };
    EXPECT(mpr_array_read(a, BIG - 3, 3, piece), MPR_SUCCESS);
    CHECK(piece[2] == (BIG - 1) * 7 - 3, "last element %d", piece[2]);
    EXPECT(mpr_array_read(a, BIG - 2, 3, piece), MPR_ERR_ARG);
    EXPECT(mpr_array_read(a, BIG + 1, 0, piece), MPR_ERR_ARG);
    EXPECT(mpr_array_read(a, BIG, 0, NULL), MPR_SUCCESS);
    EXPECT(mpr_array_write(a, 0, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_array_write(a, (size_t)-1, 2, piece), MPR_ERR_ARG);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    free(buf);
    EXPECT(mpr_array_free(&a), MPR_SUCCESS);
}

int main(int argc, char **argv)
{
    int size;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int rounds = argc > 1 ? atoi(argv[1]) : 100;

    check_bad_arguments(size);
    check_value_under_lock(size, rounds);
    check_atomics(size, rounds);
    check_types();
    check_ranges(size);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
