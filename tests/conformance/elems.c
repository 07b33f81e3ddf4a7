/*
 * elems.c - typed elements of the reductions: each rank's input element k
 * as a function of a key, the reference combination of two elements, and
 * the two user ops (a non-commutative 2x2 matrix product, a commutative
 * a + b + 1).
 *
 * Integers are combined modulo 2^bits as libmpr does. Floating inputs are
 * chosen so that every combination is exact in float (small integers for
 * sums, +-1/2, +-1, +-2 for products, values with few significant bits for
 * min/max): any order of combination then gives the same bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

enum tclass { T_SIGNED, T_UNSIGNED, T_FLOAT, T_BYTE };

static const struct tdesc {
    mpr_datatype t;
    enum tclass cls;
} tdescs[] = {
    { MPR_BYTE, T_BYTE },
    { MPR_CHAR, T_SIGNED }, /* signed on this ABI (x86-64, as mpr.h says) */
    { MPR_SIGNED_CHAR, T_SIGNED },
    { MPR_UNSIGNED_CHAR, T_UNSIGNED },
    { MPR_SHORT, T_SIGNED },
    { MPR_UNSIGNED_SHORT, T_UNSIGNED },
    { MPR_INT, T_SIGNED },
    { MPR_UNSIGNED, T_UNSIGNED },
    { MPR_LONG, T_SIGNED },
    { MPR_UNSIGNED_LONG, T_UNSIGNED },
    { MPR_LONG_LONG, T_SIGNED },
    { MPR_UNSIGNED_LONG_LONG, T_UNSIGNED },
    { MPR_INT8, T_SIGNED },
    { MPR_UINT8, T_UNSIGNED },
    { MPR_INT16, T_SIGNED },
    { MPR_UINT16, T_UNSIGNED },
    { MPR_INT32, T_SIGNED },
    { MPR_UINT32, T_UNSIGNED },
    { MPR_INT64, T_SIGNED },
    { MPR_UINT64, T_UNSIGNED },
    { MPR_FLOAT, T_FLOAT },
    { MPR_DOUBLE, T_FLOAT },
    { MPR_LONG_DOUBLE, T_FLOAT },
    { MPR_SIZE_T, T_UNSIGNED },
};
#define NTYPES (sizeof(tdescs) / sizeof(tdescs[0]))

static size_t sizes[MPR_SIZE_T + 1];
static enum tclass classes[MPR_SIZE_T + 1];
static mpr_op matrix_op, plus1_op;

size_t type_size(mpr_datatype t)
{
    return sizes[t];
}

bool type_is_float(mpr_datatype t)
{
    return classes[t] == T_FLOAT;
}

/* ---- integers modulo 2^bits ---- */

static uint64_t width_mask(size_t w)
{
    return w >= 8 ? ~0ull : (1ull << (8 * w)) - 1;
}

/* the value reduced to the type: truncated, sign-extended when signed */
static uint64_t normalize(mpr_datatype t, uint64_t v)
{
    size_t w = sizes[t];
    if (w >= 8)
        return v;
    v &= width_mask(w);
    uint64_t sign = 1ull << (8 * w - 1);
    if (classes[t] == T_SIGNED && (v & sign))
        v |= ~width_mask(w);
    return v;
}

/* 2x2 matrices of entries of 2w bits packed in a w-byte element:
 * [[e0, e1], [e2, e3]], entry i at bits [i*2w, (i+1)*2w). */
static uint64_t matrix_mul(uint64_t a, uint64_t b, size_t w)
{
    unsigned bits = 2 * (unsigned)w;
    uint64_t m = bits >= 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t x[4], y[4], z[4];
    for (int i = 0; i < 4; i++) {
        x[i] = (a >> (i * bits)) & m;
        y[i] = (b >> (i * bits)) & m;
    }
    z[0] = x[0] * y[0] + x[1] * y[2];
    z[1] = x[0] * y[1] + x[1] * y[3];
    z[2] = x[2] * y[0] + x[3] * y[2];
    z[3] = x[2] * y[1] + x[3] * y[3];
    uint64_t r = 0;
    for (int i = 0; i < 4; i++)
        r |= (z[i] & m) << (i * bits);
    return r;
}

static uint64_t load_bits(const void *p, size_t w)
{
    uint64_t v = 0;
    memcpy(&v, p, w); /* little-endian */
    return v;
}

static long double load_float(mpr_datatype t, const void *p)
{
    if (t == MPR_FLOAT) {
        float f;
        memcpy(&f, p, sizeof(f));
        return f;
    }
    if (t == MPR_DOUBLE) {
        double d;
        memcpy(&d, p, sizeof(d));
        return d;
    }
    long double l;
    memcpy(&l, p, sizeof(l));
    return l;
}

static void store_float(mpr_datatype t, void *p, long double v)
{
    if (t == MPR_FLOAT) {
        float f = (float)v;
        memcpy(p, &f, sizeof(f));
    } else if (t == MPR_DOUBLE) {
        double d = (double)v;
        memcpy(p, &d, sizeof(d));
    } else {
        memset(p, 0, sizeof(long double)); /* padding bytes defined */
        memcpy(p, &v, sizeof(v));
    }
}

/* ---- the user ops: inout[i] = in[i] op inout[i], in from lower ranks ---- */

static void matrix_fn(const void *in, void *inout, size_t count, mpr_datatype t)
{
    size_t w;
    if (mpr_type_size(t, &w) != MPR_SUCCESS || w > 8)
        abort();
    const char *a = in;
    char *b = inout;
    for (size_t i = 0; i < count; i++) {
        uint64_t r = matrix_mul(load_bits(a + i * w, w), load_bits(b + i * w, w), w);
        memcpy(b + i * w, &r, w);
    }
}

static void plus1_fn(const void *in, void *inout, size_t count, mpr_datatype t)
{
    size_t w;
    if (mpr_type_size(t, &w) != MPR_SUCCESS)
        abort();
    const char *a = in;
    char *b = inout;
    for (size_t i = 0; i < count; i++) {
        if (t == MPR_FLOAT || t == MPR_DOUBLE || t == MPR_LONG_DOUBLE) {
            store_float(t, b + i * w, load_float(t, a + i * w) + load_float(t, b + i * w) + 1);
        } else {
            uint64_t r = load_bits(a + i * w, w) + load_bits(b + i * w, w) + 1;
            memcpy(b + i * w, &r, w);
        }
    }
}

void elems_init(void)
{
    for (size_t i = 0; i < NTYPES; i++) {
        if (mpr_type_size(tdescs[i].t, &sizes[tdescs[i].t]) != MPR_SUCCESS) {
            fprintf(stderr, "conform: mpr_type_size(%d) failed\n", tdescs[i].t);
            exit(1);
        }
        classes[tdescs[i].t] = tdescs[i].cls;
    }
    if (mpr_op_create(matrix_fn, 0, &matrix_op) != MPR_SUCCESS ||
        mpr_op_create(plus1_fn, 1, &plus1_op) != MPR_SUCCESS) {
        fprintf(stderr, "conform: mpr_op_create failed\n");
        exit(1);
    }
}

mpr_op elems_mpr_op(int op)
{
    return op == OP_MATRIX ? matrix_op : op == OP_PLUS1 ? plus1_op : op;
}

bool op_commutes(int op)
{
    return op != OP_MATRIX;
}

static bool pair_valid(enum tclass cls, int op)
{
    switch (op) {
    case MPR_SUM:
    case MPR_PROD:
    case MPR_MIN:
    case MPR_MAX:
        return cls != T_BYTE;
    case MPR_LAND:
    case MPR_LOR:
    case MPR_LXOR:
        return cls == T_SIGNED || cls == T_UNSIGNED;
    case MPR_BAND:
    case MPR_BOR:
    case MPR_BXOR:
        return cls != T_FLOAT;
    case OP_MATRIX:
        return cls != T_FLOAT;
    case OP_PLUS1:
        return true;
    }
    return false;
}

int valid_pairs(mpr_datatype types[], int ops[], int max)
{
    static const int all_ops[] = { MPR_SUM,  MPR_PROD, MPR_MIN,  MPR_MAX,   MPR_LAND, MPR_LOR,
                                   MPR_LXOR, MPR_BAND, MPR_BOR,  MPR_BXOR,  OP_MATRIX, OP_PLUS1 };
    int n = 0;
    for (size_t o = 0; o < sizeof(all_ops) / sizeof(all_ops[0]); o++)
        for (size_t i = 0; i < NTYPES; i++)
            if (pair_valid(tdescs[i].cls, all_ops[o]) && n < max) {
                types[n] = tdescs[i].t;
                ops[n++] = all_ops[o];
            }
    return n;
}

/* ---- inputs and the reference ---- */

static uint64_t nonzero(mpr_datatype t, uint64_t h)
{
    uint64_t v = normalize(t, h);
    return v ? v : 1;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

struct elem elem_input(mpr_datatype t, int op, uint64_t key, size_t k)
{
    uint64_t h = stream_word(key, k);
    struct elem e = { 0, 0 };
    if (classes[t] == T_FLOAT) {
        switch (op) {
        case MPR_PROD: {
            static const long double factors[] = { 0.5L, -0.5L, 1, -1, 2, -2 };
            e.f = factors[h % 6];
            break;
        }
        case MPR_MIN:
        case MPR_MAX:
            e.f = ((long double)(int64_t)(h % 200001) - 100000) / 64;
            break;
        default: /* SUM, PLUS1 */
            e.f = (long double)((int64_t)(h % 33) - 16);
        }
        return e;
    }
    uint64_t v = h;
    switch (op) {
    case MPR_PROD:
        v = h | 1; /* odd: products do not collapse to 0 */
        break;
    case MPR_LAND: /* mostly true, so the result is not always 0 */
        v = (h >> 60) == 0 ? 0 : nonzero(t, h);
        break;
    case MPR_LOR: /* mostly false */
        v = (h >> 60) == 0 ? nonzero(t, h) : 0;
        break;
    case MPR_LXOR:
        v = (h >> 63) ? nonzero(t, h) : 0;
        break;
    case MPR_BAND: /* bits mostly set */
        v = h | rotl(h, 17) | rotl(h, 31);
        break;
    case MPR_BOR: /* bits mostly clear */
        v = h & rotl(h, 17) & rotl(h, 31);
        break;
    }
    e.i = normalize(t, v);
    return e;
}

struct elem elem_combine(mpr_datatype t, int op, struct elem a, struct elem b)
{
    struct elem r = { 0, 0 };
    if (classes[t] == T_FLOAT) {
        switch (op) {
        case MPR_SUM:
            r.f = a.f + b.f;
            break;
        case MPR_PROD:
            r.f = a.f * b.f;
            break;
        case MPR_MIN:
            r.f = a.f < b.f ? a.f : b.f;
            break;
        case MPR_MAX:
            r.f = a.f > b.f ? a.f : b.f;
            break;
        case OP_PLUS1:
            r.f = a.f + b.f + 1;
            break;
        default:
            abort();
        }
        return r;
    }
    bool is_signed = classes[t] == T_SIGNED;
    uint64_t x = a.i, y = b.i, v;
    switch (op) {
    case MPR_SUM:
        v = x + y;
        break;
    case MPR_PROD:
        v = x * y;
        break;
    case MPR_MIN:
        v = is_signed ? ((int64_t)x < (int64_t)y ? x : y) : (x < y ? x : y);
        break;
    case MPR_MAX:
        v = is_signed ? ((int64_t)x > (int64_t)y ? x : y) : (x > y ? x : y);
        break;
    case MPR_LAND:
        v = x != 0 && y != 0;
        break;
    case MPR_LOR:
        v = x != 0 || y != 0;
        break;
    case MPR_LXOR:
        v = (x != 0) != (y != 0);
        break;
    case MPR_BAND:
        v = x & y;
        break;
    case MPR_BOR:
        v = x | y;
        break;
    case MPR_BXOR:
        v = x ^ y;
        break;
    case OP_MATRIX:
        v = matrix_mul(x, y, sizes[t]);
        break;
    case OP_PLUS1:
        v = x + y + 1;
        break;
    default:
        abort();
    }
    r.i = normalize(t, v);
    return r;
}

void elem_store(mpr_datatype t, void *p, struct elem v)
{
    if (classes[t] == T_FLOAT)
        store_float(t, p, v.f);
    else
        memcpy(p, &v.i, sizes[t]);
}

struct elem elem_load(mpr_datatype t, const void *p)
{
    struct elem e = { 0, 0 };
    if (classes[t] == T_FLOAT)
        e.f = load_float(t, p);
    else
        e.i = normalize(t, load_bits(p, sizes[t]));
    return e;
}

bool elem_equal(mpr_datatype t, struct elem a, struct elem b)
{
    return classes[t] == T_FLOAT ? a.f == b.f : a.i == b.i;
}

void elem_format(mpr_datatype t, struct elem v, char *out, size_t len)
{
    if (classes[t] == T_FLOAT)
        snprintf(out, len, "%.6Lg", v.f);
    else if (classes[t] == T_SIGNED)
        snprintf(out, len, "%lld", (long long)v.i);
    else
        snprintf(out, len, "0x%llx", (unsigned long long)v.i);
}
