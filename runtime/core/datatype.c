/*
 * datatype.c - element types and reduction operations.
 *
 * Every predefined (op, type) pair is one small loop over restrict
 * pointers, generated once by the macros below from the type lists, and
 * found through apply_table[op][type] (NULL: op not defined for the type).
 * Signed sums and products are computed in the matching unsigned type, so
 * overflow wraps instead of being undefined; types narrower than int use
 * unsigned int, where the promoted product cannot overflow.
 * User ops live in a small table of handles USER_OP_FIRST...
 */
#include <stddef.h>
#include <stdint.h>

#include "core/datatype.h"

/* The loops are meant to vectorise; -O2 of GCC 12 only does it when no
 * scalar tail remains, so ask for the usual cost model here. */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISE __attribute__((optimize("tree-loop-vectorize", "vect-cost-model=dynamic")))
#else
#define VECTORISE
#endif

/* X(name, id, T, U): U is the type sums and products are computed in. */
#define INTEGER_TYPES(X)                                                      \
    X(char, MPR_CHAR, char, unsigned)                                         \
    X(schar, MPR_SIGNED_CHAR, signed char, unsigned)                          \
    X(uchar, MPR_UNSIGNED_CHAR, unsigned char, unsigned)                      \
    X(short, MPR_SHORT, short, unsigned)                                      \
    X(ushort, MPR_UNSIGNED_SHORT, unsigned short, unsigned)                   \
    X(int, MPR_INT, int, unsigned)                                            \
    X(uint, MPR_UNSIGNED, unsigned, unsigned)                                 \
    X(long, MPR_LONG, long, unsigned long)                                    \
    X(ulong, MPR_UNSIGNED_LONG, unsigned long, unsigned long)                 \
    X(llong, MPR_LONG_LONG, long long, unsigned long long)                    \
    X(ullong, MPR_UNSIGNED_LONG_LONG, unsigned long long, unsigned long long) \
    X(int8, MPR_INT8, int8_t, unsigned)                                       \
    X(uint8, MPR_UINT8, uint8_t, unsigned)                                    \
    X(int16, MPR_INT16, int16_t, unsigned)                                    \
    X(uint16, MPR_UINT16, uint16_t, unsigned)                                 \
    X(int32, MPR_INT32, int32_t, uint32_t)                                    \
    X(uint32, MPR_UINT32, uint32_t, uint32_t)                                 \
    X(int64, MPR_INT64, int64_t, uint64_t)                                    \
    X(uint64, MPR_UINT64, uint64_t, uint64_t)                                 \
    X(size, MPR_SIZE_T, size_t, size_t)

#define FLOAT_TYPES(X)                                                        \
    X(float, MPR_FLOAT, float, float)                                         \
    X(double, MPR_DOUBLE, double, double)                                     \
    X(ldouble, MPR_LONG_DOUBLE, long double, long double)

#define BYTE_TYPES(X) X(byte, MPR_BYTE, uint8_t, unsigned)

/* Element expressions: x is the incoming value, y the one in inout. */
#define E_SUM(x, y, T, U) (T)((U)(x) + (U)(y))
#define E_PROD(x, y, T, U) (T)((U)(x) * (U)(y))
#define E_MIN(x, y, T, U) ((x) < (y) ? (x) : (y))
#define E_MAX(x, y, T, U) ((x) > (y) ? (x) : (y))
#define E_LAND(x, y, T, U) (T)((x) != 0 && (y) != 0)
#define E_LOR(x, y, T, U) (T)((x) != 0 || (y) != 0)
#define E_LXOR(x, y, T, U) (T)(((x) != 0) != ((y) != 0))
#define E_BAND(x, y, T, U) (T)((x) & (y))
#define E_BOR(x, y, T, U) (T)((x) | (y))
#define E_BXOR(x, y, T, U) (T)((x) ^ (y))

typedef void apply_fn(const void *in, void *inout, size_t count);

#define DEFINE_LOOP(opname, E, name, T, U)                                    \
    VECTORISE static void opname##_##name(const void *in_, void *inout_,      \
                                          size_t count)                       \
    {                                                                         \
        const T *restrict in = in_;                                           \
        T *restrict inout = inout_;                                           \
        for (size_t i = 0; i < count; i++)                                    \
            inout[i] = E(in[i], inout[i], T, U);                              \
    }

#define DEFINE_ARITH(name, id, T, U)                                          \
    DEFINE_LOOP(sum, E_SUM, name, T, U)                                       \
    DEFINE_LOOP(prod, E_PROD, name, T, U)                                     \
    DEFINE_LOOP(min, E_MIN, name, T, U)                                       \
    DEFINE_LOOP(max, E_MAX, name, T, U)
#define DEFINE_LOGICAL(name, id, T, U)                                        \
    DEFINE_LOOP(land, E_LAND, name, T, U)                                     \
    DEFINE_LOOP(lor, E_LOR, name, T, U)                                       \
    DEFINE_LOOP(lxor, E_LXOR, name, T, U)
#define DEFINE_BITWISE(name, id, T, U)                                        \
    DEFINE_LOOP(band, E_BAND, name, T, U)                                     \
    DEFINE_LOOP(bor, E_BOR, name, T, U)                                       \
    DEFINE_LOOP(bxor, E_BXOR, name, T, U)

INTEGER_TYPES(DEFINE_ARITH)
FLOAT_TYPES(DEFINE_ARITH)
INTEGER_TYPES(DEFINE_LOGICAL)
INTEGER_TYPES(DEFINE_BITWISE)
BYTE_TYPES(DEFINE_BITWISE)

#define NUM_OPS (MPR_BXOR + 1)
#define NUM_TYPES (MPR_SIZE_T + 1)

#define ENTRY_ARITH(name, id, T, U)                                           \
    [MPR_SUM][id] = sum_##name, [MPR_PROD][id] = prod_##name,                 \
    [MPR_MIN][id] = min_##name, [MPR_MAX][id] = max_##name,
#define ENTRY_LOGICAL(name, id, T, U)                                         \
    [MPR_LAND][id] = land_##name, [MPR_LOR][id] = lor_##name,                 \
    [MPR_LXOR][id] = lxor_##name,
#define ENTRY_BITWISE(name, id, T, U)                                         \
    [MPR_BAND][id] = band_##name, [MPR_BOR][id] = bor_##name,                 \
    [MPR_BXOR][id] = bxor_##name,

static apply_fn *const apply_table[NUM_OPS][NUM_TYPES] = {
    INTEGER_TYPES(ENTRY_ARITH)
    FLOAT_TYPES(ENTRY_ARITH)
    INTEGER_TYPES(ENTRY_LOGICAL)
    INTEGER_TYPES(ENTRY_BITWISE)
    BYTE_TYPES(ENTRY_BITWISE)
};

#define ENTRY_SIZE(name, id, T, U) [id] = sizeof(T),
static const size_t type_sizes[NUM_TYPES] = {
    INTEGER_TYPES(ENTRY_SIZE)
    FLOAT_TYPES(ENTRY_SIZE)
    BYTE_TYPES(ENTRY_SIZE)
};

int mpr__type_size(mpr_datatype type, size_t *size)
{
    if (type <= 0 || type >= NUM_TYPES || type_sizes[type] == 0)
        return MPR_ERR_ARG;
    *size = type_sizes[type];
    return MPR_SUCCESS;
}

int mpr_type_size(mpr_datatype datatype, size_t *size)
{
    if (!size)
        return MPR_ERR_ARG;
    return mpr__type_size(datatype, size);
}

/* ---- user ops ---- */

#define USER_OP_FIRST 64
#define USER_OP_MAX 64

static struct user_op {
    mpr_user_function *fn; /* NULL: slot free */
    bool commutative;
} user_ops[USER_OP_MAX];

static struct user_op *user_op_of(mpr_op op)
{
    if (op < USER_OP_FIRST || op >= USER_OP_FIRST + USER_OP_MAX)
        return NULL;
    struct user_op *u = &user_ops[op - USER_OP_FIRST];
    return u->fn ? u : NULL;
}

int mpr_op_create(mpr_user_function *fn, int commute, mpr_op *op)
{
    if (!fn || !op)
        return MPR_ERR_ARG;
    for (int i = 0; i < USER_OP_MAX; i++) {
        if (!user_ops[i].fn) {
            user_ops[i].fn = fn;
            user_ops[i].commutative = commute != 0;
            *op = USER_OP_FIRST + i;
            return MPR_SUCCESS;
        }
    }
    return MPR_ERR_NO_MEM;
}

int mpr_op_free(mpr_op *op)
{
    struct user_op *u = op ? user_op_of(*op) : NULL;
    if (!u)
        return MPR_ERR_ARG;
    u->fn = NULL;
    *op = MPR_OP_NULL;
    return MPR_SUCCESS;
}

int mpr__op_check(mpr_op op, mpr_datatype type, bool *commutative)
{
    size_t size;
    if (mpr__type_size(type, &size) != MPR_SUCCESS)
        return MPR_ERR_ARG;
    struct user_op *u = user_op_of(op);
    if (u) {
        *commutative = u->commutative;
        return MPR_SUCCESS;
    }
    if (op <= MPR_OP_NULL || op >= NUM_OPS || !apply_table[op][type])
        return MPR_ERR_ARG;
    *commutative = true;
    return MPR_SUCCESS;
}

void mpr__op_apply(mpr_op op, mpr_datatype type, const void *in, void *inout, size_t count)
{
    struct user_op *u = user_op_of(op);
    if (u)
        u->fn(in, inout, count, type);
    else
        apply_table[op][type](in, inout, count);
}
