/*
 * coll_reduce - mpr_reduce and mpr_allreduce checked against a serial
 * computation of the same values (small integers, so floating-point
 * results are exact). One part per run:
 *
 *   mprun -n N coll_reduce types    every type with every op it supports
 *                                   (and MPR_ERR_ARG for those it does not)
 *   mprun -n N coll_reduce roots    every root, counts 0, 1, 7, 1023, in place
 *   mprun -n N coll_reduce large    1 MiB+ reductions
 *   mprun -n N coll_reduce userop   user ops: non-commutative 2x2 matrix
 *                                   product (rank order), commutative sum
 *   mprun -n N coll_reduce split    roots and userop on odd/even halves of
 *                                   the world, ranked in reverse
 *   mprun -n N coll_reduce scan     scan, exscan, reduce_scatter_block
 *   mprun -n N coll_reduce errors   bad arguments, a truncating mismatch
 *                                   (refused everywhere with MPR_CHECK=1)
 *
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { GUARD = 16, GUARDBYTE = 0x5a };

static mpr_comm comm; /* the communicator under test */
static int crank, csize;

/* X(id, C type, kind): b = bytes only, s = signed, u = unsigned, f = floating */
#define CHAR_KIND (CHAR_MIN < 0 ? 's' : 'u')
#define TYPES(X)                                                              \
    X(MPR_BYTE, uint8_t, 'b')                                                 \
    X(MPR_CHAR, char, CHAR_KIND)                                              \
    X(MPR_SIGNED_CHAR, signed char, 's')                                      \
    X(MPR_UNSIGNED_CHAR, unsigned char, 'u')                                  \
    X(MPR_SHORT, short, 's')                                                  \
    X(MPR_UNSIGNED_SHORT, unsigned short, 'u')                                \
    X(MPR_INT, int, 's')                                                      \
    X(MPR_UNSIGNED, unsigned, 'u')                                            \
    X(MPR_LONG, long, 's')                                                    \
    X(MPR_UNSIGNED_LONG, unsigned long, 'u')                                  \
    X(MPR_LONG_LONG, long long, 's')                                          \
    X(MPR_UNSIGNED_LONG_LONG, unsigned long long, 'u')                        \
    X(MPR_INT8, int8_t, 's')                                                  \
    X(MPR_UINT8, uint8_t, 'u')                                                \
    X(MPR_INT16, int16_t, 's')                                                \
    X(MPR_UINT16, uint16_t, 'u')                                              \
    X(MPR_INT32, int32_t, 's')                                                \
    X(MPR_UINT32, uint32_t, 'u')                                              \
    X(MPR_INT64, int64_t, 's')                                                \
    X(MPR_UINT64, uint64_t, 'u')                                              \
    X(MPR_FLOAT, float, 'f')                                                  \
    X(MPR_DOUBLE, double, 'f')                                                \
    X(MPR_LONG_DOUBLE, long double, 'f')                                      \
    X(MPR_SIZE_T, size_t, 'u')

struct type {
    mpr_datatype id;
    const char *name;
    size_t size;
    char kind;
};
#define TYPE_ENTRY(id, T, k) { id, #id, sizeof(T), k },
static const struct type types[] = { TYPES(TYPE_ENTRY) };
#define NTYPES (int)(sizeof(types) / sizeof(types[0]))

static void put(mpr_datatype t, void *buf, size_t i, long long v)
{
    switch (t) {
#define PUT(id, T, k)                                                         \
    case id:                                                                  \
        ((T *)buf)[i] = (T)v;                                                 \
        break;
        TYPES(PUT)
    }
}

static long long get(mpr_datatype t, const void *buf, size_t i)
{
    switch (t) {
#define GET(id, T, k)                                                         \
    case id:                                                                  \
        return (long long)((const T *)buf)[i];
        TYPES(GET)
    }
    return LLONG_MIN;
}

static const char *op_names[] = { "NULL", "SUM", "PROD", "MIN", "MAX", "LAND",
                                  "LOR", "LXOR", "BAND", "BOR", "BXOR" };

static bool supported(mpr_op op, char kind)
{
    if (op <= MPR_MAX)
        return kind != 'b';
    if (op <= MPR_LXOR)
        return kind == 's' || kind == 'u';
    return kind != 'f';
}

/* Rank r's element i: small enough that every result fits every type. */
static long long value(mpr_op op, char kind, int r, size_t i)
{
    bool sign = kind == 's' || kind == 'f';
    long long v;
    switch (op) {
    case MPR_PROD:
        v = (r + (long long)i) % 4 == 0 ? 2 : 1;
        return sign && (r + i) % 5 == 0 ? -v : v;
    case MPR_LAND: case MPR_LOR: case MPR_LXOR:
        return (i >> (r % 10)) & 1 ? r % 3 + 1 : 0;
    case MPR_BAND: case MPR_BOR: case MPR_BXOR:
        return (long long)((i * 5 + (size_t)r * 3) % 128);
    default:
        v = (long long)(((size_t)r * 7 + i * 3) % 11);
        return sign ? v - 5 : v;
    }
}

static long long fold(mpr_op op, long long a, long long b)
{
    switch (op) {
    case MPR_SUM: return a + b;
    case MPR_PROD: return a * b;
    case MPR_MIN: return a < b ? a : b;
    case MPR_MAX: return a > b ? a : b;
    case MPR_LAND: return a && b;
    case MPR_LOR: return a || b;
    case MPR_LXOR: return !a != !b;
    case MPR_BAND: return a & b;
    case MPR_BOR: return a | b;
    default: return a ^ b;
    }
}

/* One reduce (root >= 0) or allreduce (root < 0), checked. */
static void check_one(const struct type *t, mpr_op op, size_t count, int root, bool in_place)
{
    size_t bytes = count * t->size;
    unsigned char *send = xmalloc(bytes), *recv = xmalloc(bytes + GUARD);
    for (size_t i = 0; i < count; i++)
        put(t->id, send, i, value(op, t->kind, crank, i));
    memset(recv, GUARDBYTE, bytes + GUARD);
    bool gets = root < 0 || crank == root;
    const void *sbuf = send;
    if (in_place && gets) {
        memcpy(recv, send, bytes);
        sbuf = MPR_IN_PLACE;
    }
    int rc = root < 0 ? mpr_allreduce(sbuf, recv, count, t->id, op, comm)
                      : mpr_reduce(sbuf, gets ? recv : NULL, count, t->id, op, root, comm);
    if (rc != MPR_SUCCESS) {
        failf(__LINE__, "%s %s %s count %zu root %d%s returned %s", root < 0 ? "allreduce" : "reduce",
              t->name, op_names[op], count, root, in_place ? " in place" : "", mpr_error_name(rc));
        die();
    }
    for (size_t i = 0; gets && i < count; i++) {
        long long want = value(op, t->kind, 0, i);
        for (int r = 1; r < csize; r++)
            want = fold(op, want, value(op, t->kind, r, i));
        long long got = get(t->id, recv, i);
        if (got != want) {
            failf(__LINE__, "%s %s %s count %zu root %d%s: element %zu is %lld, wanted %lld",
                  root < 0 ? "allreduce" : "reduce", t->name, op_names[op], count, root,
                  in_place ? " in place" : "", i, got, want);
            break;
        }
    }
    for (size_t i = 0; i < GUARD; i++)
        if (recv[bytes + i] != GUARDBYTE) {
            failf(__LINE__, "%s %s count %zu wrote past the buffer", t->name, op_names[op], count);
            break;
        }
    free(send);
    free(recv);
}

static const struct type *type_of(mpr_datatype id)
{
    for (int i = 0; i < NTYPES; i++)
        if (types[i].id == id)
            return &types[i];
    return NULL;
}

static void part_types(void)
{
    for (int t = 0; t < NTYPES; t++) {
        size_t size = 0;
        EXPECT(mpr_type_size(types[t].id, &size), MPR_SUCCESS);
        CHECK(size == types[t].size, "%s: size %zu, wanted %zu", types[t].name, size, types[t].size);
        for (mpr_op op = MPR_SUM; op <= MPR_BXOR; op++) {
            if (!supported(op, types[t].kind)) {
                char buf[64] = { 0 }, out[64];
                EXPECT(mpr_allreduce(buf, out, 1, types[t].id, op, comm), MPR_ERR_ARG);
                EXPECT(mpr_reduce(buf, out, 1, types[t].id, op, 0, comm), MPR_ERR_ARG);
                continue;
            }
            check_one(&types[t], op, 7, -1, false);
            check_one(&types[t], op, 1023, -1, (t + op) % 2);
            check_one(&types[t], op, 7, (t + op) % csize, false);
        }
    }
}

static void part_roots(void)
{
    static const size_t counts[] = { 0, 1, 7, 1023 };
    for (int c = 0; c < 4; c++) {
        for (int root = 0; root < csize; root++) {
            check_one(type_of(MPR_INT), MPR_SUM, counts[c], root, false);
            check_one(type_of(MPR_DOUBLE), MPR_MAX, counts[c], root, true);
        }
        check_one(type_of(MPR_INT), MPR_SUM, counts[c], -1, false);
        check_one(type_of(MPR_FLOAT), MPR_MIN, counts[c], -1, true);
    }
}

static void part_large(void)
{
    size_t big = ((size_t)1 << 20) / sizeof(int) + 3;
    check_one(type_of(MPR_INT), MPR_SUM, big, -1, false);
    check_one(type_of(MPR_DOUBLE), MPR_SUM, ((size_t)1 << 20) / sizeof(double) + 1, -1, true);
    check_one(type_of(MPR_UNSIGNED_CHAR), MPR_BXOR, ((size_t)1 << 20) + 5, -1, false);
    check_one(type_of(MPR_INT), MPR_MAX, big, csize - 1, false);
    check_one(type_of(MPR_LONG), MPR_SUM, ((size_t)1 << 20) / sizeof(long), 0, true);
}

/* ---- user ops ---- */

/* inout = in x inout for 2x2 matrices of uint32 (mod 2^32): not commutative. */
static void matmul(const void *in_, void *inout_, size_t count, mpr_datatype type)
{
    const uint32_t *a = in_;
    uint32_t *b = inout_;
    if (type != MPR_UINT32 || count % 4) {
        failf(__LINE__, "matmul called with type %d count %zu", type, count);
        return;
    }
    for (size_t k = 0; k < count; k += 4) {
        uint32_t r0 = a[k] * b[k] + a[k + 1] * b[k + 2], r1 = a[k] * b[k + 1] + a[k + 1] * b[k + 3];
        uint32_t r2 = a[k + 2] * b[k] + a[k + 3] * b[k + 2];
        uint32_t r3 = a[k + 2] * b[k + 1] + a[k + 3] * b[k + 3];
        b[k] = r0, b[k + 1] = r1, b[k + 2] = r2, b[k + 3] = r3;
    }
}

static void my_sum(const void *in_, void *inout_, size_t count, mpr_datatype type)
{
    const int *a = in_;
    int *b = inout_;
    (void)type;
    for (size_t i = 0; i < count; i++)
        b[i] += a[i];
}

static void matrix_of(int r, size_t k, uint32_t m[4])
{
    m[0] = 1, m[1] = (uint32_t)r + 1, m[2] = (uint32_t)(k % 3) + 1, m[3] = (uint32_t)(r % 2);
}

static void check_matmul(mpr_op op, size_t nmat, int root, bool in_place)
{
    size_t count = 4 * nmat, bytes = count * 4;
    uint32_t *send = xmalloc(bytes), *recv = xmalloc(bytes), *want = xmalloc(bytes);
    for (size_t k = 0; k < nmat; k++) {
        matrix_of(crank, k, send + 4 * k);
        matrix_of(csize - 1, k, want + 4 * k);
        for (int r = csize - 2; r >= 0; r--) {
            uint32_t m[4];
            matrix_of(r, k, m);
            matmul(m, want + 4 * k, 4, MPR_UINT32);
        }
    }
    bool gets = root < 0 || crank == root;
    const void *sbuf = send;
    if (in_place && gets) {
        memcpy(recv, send, bytes);
        sbuf = MPR_IN_PLACE;
    }
    int rc = root < 0 ? mpr_allreduce(sbuf, recv, count, MPR_UINT32, op, comm)
                      : mpr_reduce(sbuf, recv, count, MPR_UINT32, op, root, comm);
    if (rc != MPR_SUCCESS) {
        failf(__LINE__, "matmul reduce root %d returned %s", root, mpr_error_name(rc));
        die();
    }
    if (gets && memcmp(recv, want, bytes) != 0)
        failf(__LINE__, "matmul %s of %zu matrices root %d%s: not the product in rank order",
              root < 0 ? "allreduce" : "reduce", nmat, root, in_place ? " in place" : "");
    free(send);
    free(recv);
    free(want);
}

static void part_userop(bool large)
{
    mpr_op mat, sum;
    MUST(mpr_op_create(matmul, 0, &mat), MPR_SUCCESS);
    MUST(mpr_op_create(my_sum, 1, &sum), MPR_SUCCESS);
    CHECK(mat != sum && mat > MPR_BXOR, "user ops %d %d", mat, sum);
    static const size_t nmats[] = { 1, 7 };
    for (int n = 0; n < 2; n++) {
        for (int root = 0; root < csize; root++)
            check_matmul(mat, nmats[n], root, root % 2);
        check_matmul(mat, nmats[n], -1, false);
        check_matmul(mat, nmats[n], -1, true);
    }
    if (large)
        check_matmul(mat, (size_t)1 << 16, -1, false); /* 1 MiB */

    size_t count = large ? (size_t)1 << 18 : 1023;
    int *in = xmalloc(count * sizeof(int)), *out = xmalloc(count * sizeof(int));
    for (size_t i = 0; i < count; i++)
        in[i] = crank * 3 + (int)(i % 5);
    MUST(mpr_allreduce(in, out, count, MPR_INT, sum, comm), MPR_SUCCESS);
    for (size_t i = 0; i < count; i++) {
        int want = 3 * csize * (csize - 1) / 2 + csize * (int)(i % 5);
        if (out[i] != want) {
            failf(__LINE__, "user sum element %zu is %d, wanted %d", i, out[i], want);
            break;
        }
    }
    free(in);
    free(out);

    EXPECT(mpr_op_free(&mat), MPR_SUCCESS);
    CHECK(mat == MPR_OP_NULL, "op_free left %d", mat);
    EXPECT(mpr_op_free(&sum), MPR_SUCCESS);
}

static void part_op_table(void)
{
    mpr_op ops[200];
    int n = 0, rc;
    while (n < 200 && (rc = mpr_op_create(my_sum, 1, &ops[n])) == MPR_SUCCESS)
        n++;
    CHECK(n >= 16 && n < 200 && rc == MPR_ERR_NO_MEM, "created %d user ops, then %s", n,
          mpr_error_name(rc));
    for (int i = 0; i < n; i++)
        EXPECT(mpr_op_free(&ops[i]), MPR_SUCCESS);
    mpr_op stale = ops[0], pre = MPR_SUM, null = MPR_OP_NULL;
    EXPECT(mpr_op_free(&stale), MPR_ERR_ARG);
    EXPECT(mpr_op_free(&pre), MPR_ERR_ARG);
    EXPECT(mpr_op_free(&null), MPR_ERR_ARG);
    EXPECT(mpr_op_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_op_create(NULL, 1, &stale), MPR_ERR_ARG);
    EXPECT(mpr_op_create(my_sum, 1, NULL), MPR_ERR_ARG);
    int x = 1, y;
    EXPECT(mpr_allreduce(&x, &y, 1, MPR_INT, stale, comm), MPR_ERR_ARG);
}


/* ---- scan, exscan, reduce_scatter_block ---- */

enum { SCAN, EXSCAN, RSB };
static const char *scan_names[] = { "scan", "exscan", "reduce_scatter_block" };

static void check_scan(int which, const struct type *t, mpr_op op, size_t count, bool in_place)
{
    size_t n = which == RSB ? count * (size_t)csize : count, bytes = n * t->size;
    unsigned char *send = xmalloc(bytes), *recv = xmalloc(bytes + GUARD);
    for (size_t i = 0; i < n; i++)
        put(t->id, send, i, value(op, t->kind, crank, i));
    memset(recv, GUARDBYTE, bytes + GUARD);
    const void *sbuf = send;
    if (in_place) {
        memcpy(recv, send, bytes);
        sbuf = MPR_IN_PLACE;
    }
    int rc = which == SCAN     ? mpr_scan(sbuf, recv, count, t->id, op, comm)
             : which == EXSCAN ? mpr_exscan(sbuf, recv, count, t->id, op, comm)
                               : mpr_reduce_scatter_block(sbuf, recv, count, t->id, op, comm);
    if (rc != MPR_SUCCESS) {
        failf(__LINE__, "%s %s count %zu returned %s", scan_names[which], t->name, count,
              mpr_error_name(rc));
        die();
    }
    int upto = which == SCAN ? crank + 1 : which == EXSCAN ? crank : csize;
    for (size_t i = 0; upto > 0 && i < count; i++) {
        size_t at = which == RSB ? (size_t)crank * count + i : i;
        long long want = value(op, t->kind, 0, at);
        for (int r = 1; r < upto; r++)
            want = fold(op, want, value(op, t->kind, r, at));
        long long got = get(t->id, recv, i);
        if (got != want) {
            failf(__LINE__, "%s %s %s count %zu%s: element %zu is %lld, wanted %lld",
                  scan_names[which], t->name, op_names[op], count, in_place ? " in place" : "",
                  i, got, want);
            break;
        }
    }
    if (which == EXSCAN && crank == 0 && !in_place)
        for (size_t i = 0; i < bytes; i++)
            if (recv[i] != GUARDBYTE) {
                failf(__LINE__, "exscan wrote rank 0's recvbuf");
                break;
            }
    for (size_t i = 0; i < GUARD; i++)
        if (recv[bytes + i] != GUARDBYTE) {
            failf(__LINE__, "%s count %zu wrote past the buffer", scan_names[which], count);
            break;
        }
    free(send);
    free(recv);
}

/* Matrices k of rank r multiplied over ranks [from, to). */
static void matrix_product(size_t k, int from, int to, uint32_t out[4])
{
    matrix_of(to - 1, k, out);
    for (int r = to - 2; r >= from; r--) {
        uint32_t m[4];
        matrix_of(r, k, m);
        matmul(m, out, 4, MPR_UINT32);
    }
}

static void check_scan_matmul(int which, mpr_op mat, size_t nmat)
{
    size_t nall = which == RSB ? nmat * (size_t)csize : nmat;
    uint32_t *send = xmalloc(nall * 16), *recv = xmalloc(nall * 16);
    for (size_t k = 0; k < nall; k++)
        matrix_of(crank, k, send + 4 * k);
    int rc = which == SCAN     ? mpr_scan(send, recv, 4 * nmat, MPR_UINT32, mat, comm)
             : which == EXSCAN ? mpr_exscan(send, recv, 4 * nmat, MPR_UINT32, mat, comm)
                               : mpr_reduce_scatter_block(send, recv, 4 * nmat, MPR_UINT32, mat, comm);
    if (rc != MPR_SUCCESS) {
        failf(__LINE__, "%s matmul returned %s", scan_names[which], mpr_error_name(rc));
        die();
    }
    int upto = which == SCAN ? crank + 1 : which == EXSCAN ? crank : csize;
    for (size_t k = 0; upto > 0 && k < nmat; k++) {
        uint32_t want[4];
        matrix_product(which == RSB ? (size_t)crank * nmat + k : k, 0, upto, want);
        if (memcmp(want, recv + 4 * k, 16) != 0) {
            failf(__LINE__, "%s matmul of %zu: matrix %zu not the product in rank order",
                  scan_names[which], nmat, k);
            break;
        }
    }
    free(send);
    free(recv);
}

static void part_scan(void)
{
    static const size_t counts[] = { 0, 1, 7, 1023 };
    mpr_op mat;
    MUST(mpr_op_create(matmul, 0, &mat), MPR_SUCCESS);
    for (int which = SCAN; which <= RSB; which++) {
        for (int c = 0; c < 4; c++) {
            check_scan(which, type_of(MPR_INT), MPR_SUM, counts[c], false);
            check_scan(which, type_of(MPR_DOUBLE), MPR_MAX, counts[c], true);
            check_scan(which, type_of(MPR_UNSIGNED_SHORT), MPR_BXOR, counts[c], c % 2);
        }
        check_scan(which, type_of(MPR_LONG), MPR_SUM, ((size_t)1 << 17) + 1, false);
        check_scan_matmul(which, mat, 1);
        check_scan_matmul(which, mat, 5);
    }
    int a[2] = { 0 }, b[2];
    EXPECT(mpr_scan(a, b, 1, MPR_BYTE, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_exscan(NULL, b, 1, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_scan(a, MPR_IN_PLACE, 1, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce_scatter_block(a, NULL, 1, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce_scatter_block(a, b, 1, MPR_INT, MPR_OP_NULL, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce_scatter_block(a, b, 1, MPR_INT, MPR_SUM, MPR_COMM_NULL), MPR_ERR_ARG);
    EXPECT(mpr_op_free(&mat), MPR_SUCCESS);
}

static void part_errors(void)
{
    int a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[9];
    size_t sz;
    EXPECT(mpr_type_size(0, &sz), MPR_ERR_ARG);
    EXPECT(mpr_type_size(MPR_SIZE_T + 1, &sz), MPR_ERR_ARG);
    EXPECT(mpr_type_size(MPR_INT, NULL), MPR_ERR_ARG);
    /* unknown type or op, op not for the type */
    EXPECT(mpr_allreduce(a, b, 1, 0, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, 1, 99, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce(a, b, 1, -3, MPR_SUM, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, 1, MPR_INT, MPR_OP_NULL, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, 1, MPR_INT, 11, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, 1, MPR_INT, 64, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce(a, b, 1, MPR_INT, 1000, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, 1, MPR_BYTE, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, 1, MPR_DOUBLE, MPR_BAND, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce(a, b, 1, MPR_FLOAT, MPR_LXOR, 0, comm), MPR_ERR_ARG);
    /* buffers, roots, communicator */
    EXPECT(mpr_allreduce(NULL, b, 1, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, NULL, 1, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, MPR_IN_PLACE, 1, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(MPR_IN_PLACE, NULL, 1, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce(NULL, b, 1, MPR_INT, MPR_SUM, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce(a, b, 1, MPR_INT, MPR_SUM, -1, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce(a, b, 1, MPR_INT, MPR_SUM, csize, comm), MPR_ERR_ARG);
    EXPECT(mpr_reduce(a, MPR_IN_PLACE, 1, MPR_INT, MPR_SUM, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, SIZE_MAX / 2, MPR_INT, MPR_SUM, comm), MPR_ERR_ARG);
    EXPECT(mpr_allreduce(a, b, 1, MPR_INT, MPR_SUM, MPR_COMM_NULL), MPR_ERR_ARG);
    EXPECT(mpr_reduce(a, b, 1, MPR_INT, MPR_SUM, 0, MPR_COMM_NULL), MPR_ERR_ARG);
    if (crank != 0) {
        EXPECT(mpr_reduce(MPR_IN_PLACE, b, 1, MPR_INT, MPR_SUM, 0, comm), MPR_ERR_ARG);
    } else {
        EXPECT(mpr_reduce(a, NULL, 1, MPR_INT, MPR_SUM, 0, comm), MPR_ERR_ARG);
    }
    /* what is fine: count 0 with NULL buffers, NULL recvbuf off root */
    EXPECT(mpr_allreduce(NULL, NULL, 0, MPR_INT, MPR_SUM, comm), MPR_SUCCESS);
    EXPECT(mpr_reduce(NULL, NULL, 0, MPR_DOUBLE, MPR_PROD, csize - 1, comm), MPR_SUCCESS);
    EXPECT(mpr_reduce(a, crank == 0 ? b : NULL, 8, MPR_INT, MPR_SUM, 0, comm), MPR_SUCCESS);
    if (crank == 0)
        CHECK(b[7] == 8 * csize, "reduce: %d, wanted %d", b[7], 8 * csize);

    /* rank 1 passes one element more than the others: whoever receives
     * from it (rank 0 in the tree and linear algorithms) reports
     * MPR_ERR_TRUNCATE, the others succeed, nobody hangs */
    if (csize >= 2 && coll_checking()) { /* refused on every rank before anything moves */
        EXPECT(mpr_reduce(a, b, crank == 1 ? 8 : 7, MPR_INT, MPR_SUM, 0, comm),
               MPR_ERR_COLL_MISMATCH);
    } else if (csize >= 2) {
        int rc = mpr_reduce(a, b, crank == 1 ? 8 : 7, MPR_INT, MPR_SUM, 0, comm);
        CHECK(rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE, "mismatched reduce returned %s",
              mpr_error_name(rc));
        const char *forced = getenv("MPR_COLL_REDUCE");
        bool tree = !forced || strcmp(forced, "rabenseifner") != 0;
        if (tree)
            CHECK(rc == (crank == 0 ? MPR_ERR_TRUNCATE : MPR_SUCCESS),
                  "mismatched reduce returned %s on rank %d", mpr_error_name(rc), crank);
        int truncated = rc == MPR_ERR_TRUNCATE, any = 0;
        EXPECT(mpr_allreduce(&truncated, &any, 1, MPR_INT, MPR_MAX, comm), MPR_SUCCESS);
        CHECK(any == 1, "no rank reported the mismatched reduce");
    }
    EXPECT(mpr_barrier(comm), MPR_SUCCESS);
    EXPECT(mpr_allreduce(a, b, 8, MPR_INT, MPR_SUM, comm), MPR_SUCCESS);
    CHECK(b[0] == csize && b[7] == 8 * csize, "allreduce after errors: %d %d", b[0], b[7]);
}

int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "roots";
    int flag = 0;
    EXPECT(mpr_initialized(&flag), MPR_SUCCESS);
    int x = 1, y;
    EXPECT(mpr_allreduce(&x, &y, 1, MPR_INT, MPR_SUM, MPR_COMM_WORLD), MPR_ERR_NOT_INIT);
    size_t dsize = 0; /* types and ops work before mpr_init */
    EXPECT(mpr_type_size(MPR_DOUBLE, &dsize), MPR_SUCCESS);
    CHECK(dsize == sizeof(double), "MPR_DOUBLE size %zu", dsize);
    mpr_op early;
    EXPECT(mpr_op_create(my_sum, 1, &early), MPR_SUCCESS);
    EXPECT(mpr_op_free(&early), MPR_SUCCESS);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    comm = MPR_COMM_WORLD;
    crank = me;
    MUST(mpr_comm_size(comm, &csize), MPR_SUCCESS);

    if (strcmp(part, "types") == 0) {
        part_types();
    } else if (strcmp(part, "roots") == 0) {
        part_roots();
    } else if (strcmp(part, "large") == 0) {
        part_large();
        part_userop(true);
    } else if (strcmp(part, "userop") == 0) {
        part_userop(false);
        part_op_table();
    } else if (strcmp(part, "split") == 0) {
        mpr_comm half;
        MUST(mpr_comm_split(MPR_COMM_WORLD, me % 2, -me, &half), MPR_SUCCESS);
        comm = half;
        MUST(mpr_comm_rank(comm, &crank), MPR_SUCCESS);
        MUST(mpr_comm_size(comm, &csize), MPR_SUCCESS);
        part_roots();
        part_userop(false);
        comm = MPR_COMM_WORLD;
        EXPECT(mpr_comm_free(&half), MPR_SUCCESS);
        MUST(mpr_comm_rank(comm, &crank), MPR_SUCCESS);
        MUST(mpr_comm_size(comm, &csize), MPR_SUCCESS);
        part_userop(false);
    } else if (strcmp(part, "scan") == 0) {
        part_scan();
    } else if (strcmp(part, "errors") == 0) {
        part_errors();
    } else {
        failf(__LINE__, "unknown part %s", part);
    }
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    EXPECT(mpr_allreduce(&x, &y, 1, MPR_INT, MPR_SUM, MPR_COMM_WORLD), MPR_ERR_FINALIZED);
    return failures ? 1 : 0;
}
