/*
 * op.c - reduction operations: the predefined ones (MPI_MAX .. MPI_BXOR
 * on libmpr where it has them, and kernels of their own for the types and
 * ops libmpr lacks: MAXLOC/MINLOC on the pair types, complex, bool,
 * wchar), and user ops made by MPI_Op_create.
 */
#include <complex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mpi_internal.h"

struct mpi__op mpi__op_max = { .builtin = MPR_MAX, .commute = true };
struct mpi__op mpi__op_min = { .builtin = MPR_MIN, .commute = true };
struct mpi__op mpi__op_sum = { .builtin = MPR_SUM, .commute = true };
struct mpi__op mpi__op_prod = { .builtin = MPR_PROD, .commute = true };
struct mpi__op mpi__op_land = { .builtin = MPR_LAND, .commute = true };
struct mpi__op mpi__op_band = { .builtin = MPR_BAND, .commute = true };
struct mpi__op mpi__op_lor = { .builtin = MPR_LOR, .commute = true };
struct mpi__op mpi__op_bor = { .builtin = MPR_BOR, .commute = true };
struct mpi__op mpi__op_lxor = { .builtin = MPR_LXOR, .commute = true };
struct mpi__op mpi__op_bxor = { .builtin = MPR_BXOR, .commute = true };
struct mpi__op mpi__op_maxloc = { .builtin = MPI__OP_MAXLOC, .commute = true };
struct mpi__op mpi__op_minloc = { .builtin = MPI__OP_MINLOC, .commute = true };

static bool is_pair(enum mpi__kind k)
{
    return k >= MPI__K_FLOAT_INT && k <= MPI__K_LDOUBLE_INT;
}
static bool is_float(enum mpi__kind k)
{
    return k == MPI__K_FLOAT || k == MPI__K_DOUBLE || k == MPI__K_LDOUBLE;
}
static bool is_complex(enum mpi__kind k)
{
    return k == MPI__K_CFLOAT || k == MPI__K_CDOUBLE || k == MPI__K_CLDOUBLE;
}
static bool is_integer(enum mpi__kind k)
{
    return k >= MPI__K_CHAR && k <= MPI__K_WCHAR;
}

/* Whether predefined op may reduce elements made of prim. */
static bool op_fits(int op, enum mpi__kind k)
{
    switch (op) {
    case MPR_MAX: case MPR_MIN: return is_integer(k) || is_float(k);
    case MPR_SUM: case MPR_PROD: return is_integer(k) || is_float(k) || is_complex(k);
    case MPR_LAND: case MPR_LOR: case MPR_LXOR: return is_integer(k) || k == MPI__K_BOOL;
    case MPR_BAND: case MPR_BOR: case MPR_BXOR: return is_integer(k) || k == MPI__K_BYTE;
    case MPI__OP_MAXLOC: case MPI__OP_MINLOC: return is_pair(k);
    default: return false;
    }
}

int mpi__check_op(MPI_Op op, MPI_Datatype type)
{
    if (!op)
        return MPI_ERR_OP;
    if (op->fn)
        return MPI_SUCCESS;
    if (!type->prim || !op_fits(op->builtin, type->prim->kind))
        return MPI_ERR_OP;
    return MPI_SUCCESS;
}

bool mpi__op_native(MPI_Op op, MPI_Datatype type, mpr_op *mop)
{
    if (op->fn || op->builtin > MPR_BXOR || !type->predefined || !type->mpr)
        return false;
    enum mpi__kind k = type->kind;
    if (type == MPI_BYTE && !(op->builtin >= MPR_BAND)) /* libmpr: bitwise only on bytes */
        return false;
    if (is_float(k) && op->builtin >= MPR_LAND)
        return false;
    *mop = op->builtin;
    return true;
}

#define ARITH(T, a, b, op)                                                     \
    switch (op) {                                                              \
    case MPR_MAX: if (a > b) b = a; break;                                     \
    case MPR_MIN: if (a < b) b = a; break;                                     \
    case MPR_SUM: b = b + a; break;                                            \
    case MPR_PROD: b = b * a; break;                                           \
    }
#define LOGIC(T, a, b, op)                                                     \
    switch (op) {                                                              \
    case MPR_LAND: b = (T)((a != 0) && (b != 0)); break;                       \
    case MPR_LOR: b = (T)((a != 0) || (b != 0)); break;                        \
    case MPR_LXOR: b = (T)((a != 0) != (b != 0)); break;                       \
    }
#define BITS(T, a, b, op)                                                      \
    switch (op) {                                                              \
    case MPR_BAND: b = (T)(a & b); break;                                      \
    case MPR_BOR: b = (T)(a | b); break;                                       \
    case MPR_BXOR: b = (T)(a ^ b); break;                                      \
    }
#define INT_KERNEL(T)                                                          \
    for (size_t i = 0; i < n; i++) {                                           \
        T a, b;                                                                \
        memcpy(&a, (const char *)in + i * sizeof(T), sizeof(T));               \
        memcpy(&b, (char *)inout + i * sizeof(T), sizeof(T));                  \
        ARITH(T, a, b, op) LOGIC(T, a, b, op) BITS(T, a, b, op)                \
        memcpy((char *)inout + i * sizeof(T), &b, sizeof(T));                  \
    }                                                                          \
    return;
#define BOOL_KERNEL(T)                                                         \
    for (size_t i = 0; i < n; i++) {                                           \
        T a, b;                                                                \
        memcpy(&a, (const char *)in + i * sizeof(T), sizeof(T));               \
        memcpy(&b, (char *)inout + i * sizeof(T), sizeof(T));                  \
        LOGIC(T, a, b, op)                                                     \
        memcpy((char *)inout + i * sizeof(T), &b, sizeof(T));                  \
    }                                                                          \
    return;
#define FLOAT_KERNEL(T)                                                        \
    for (size_t i = 0; i < n; i++) {                                           \
        T a, b;                                                                \
        memcpy(&a, (const char *)in + i * sizeof(T), sizeof(T));               \
        memcpy(&b, (char *)inout + i * sizeof(T), sizeof(T));                  \
        ARITH(T, a, b, op)                                                     \
        memcpy((char *)inout + i * sizeof(T), &b, sizeof(T));                  \
    }                                                                          \
    return;
#define COMPLEX_KERNEL(T)                                                      \
    for (size_t i = 0; i < n; i++) {                                           \
        T a, b;                                                                \
        memcpy(&a, (const char *)in + i * sizeof(T), sizeof(T));               \
        memcpy(&b, (char *)inout + i * sizeof(T), sizeof(T));                  \
        b = op == MPR_SUM ? b + a : b * a;                                     \
        memcpy((char *)inout + i * sizeof(T), &b, sizeof(T));                  \
    }                                                                          \
    return;
/* Packed pairs: the value, then the int right after it. MAXLOC keeps the
 * larger value; on a tie the smaller index. */
#define PAIR_KERNEL(T)                                                         \
    for (size_t i = 0; i < n; i++) {                                           \
        const char *pa = (const char *)in + i * (sizeof(T) + sizeof(int));     \
        char *pb = (char *)inout + i * (sizeof(T) + sizeof(int));              \
        T va, vb;                                                              \
        int ia, ib;                                                            \
        memcpy(&va, pa, sizeof(T));                                            \
        memcpy(&ia, pa + sizeof(T), sizeof(int));                              \
        memcpy(&vb, pb, sizeof(T));                                            \
        memcpy(&ib, pb + sizeof(T), sizeof(int));                              \
        bool take = op == MPI__OP_MAXLOC ? va > vb : va < vb;                  \
        if (take || (va == vb && ia < ib)) {                                   \
            memcpy(pb, &va, sizeof(T));                                        \
            memcpy(pb + sizeof(T), &ia, sizeof(int));                          \
        }                                                                      \
    }                                                                          \
    return;

/* inout = in op inout over n packed prims of kind k. */
static void kernel(int op, enum mpi__kind k, const void *in, void *inout, size_t n)
{
    switch (k) {
    case MPI__K_CHAR: INT_KERNEL(char)
    case MPI__K_SCHAR: INT_KERNEL(signed char)
    case MPI__K_UCHAR: INT_KERNEL(unsigned char)
    case MPI__K_BYTE: INT_KERNEL(uint8_t)
    case MPI__K_SHORT: INT_KERNEL(short)
    case MPI__K_USHORT: INT_KERNEL(unsigned short)
    case MPI__K_INT: INT_KERNEL(int)
    case MPI__K_UINT: INT_KERNEL(unsigned)
    case MPI__K_LONG: INT_KERNEL(long)
    case MPI__K_ULONG: INT_KERNEL(unsigned long)
    case MPI__K_LLONG: INT_KERNEL(long long)
    case MPI__K_ULLONG: INT_KERNEL(unsigned long long)
    case MPI__K_INT8: INT_KERNEL(int8_t)
    case MPI__K_UINT8: INT_KERNEL(uint8_t)
    case MPI__K_INT16: INT_KERNEL(int16_t)
    case MPI__K_UINT16: INT_KERNEL(uint16_t)
    case MPI__K_INT32: INT_KERNEL(int32_t)
    case MPI__K_UINT32: INT_KERNEL(uint32_t)
    case MPI__K_INT64: INT_KERNEL(int64_t)
    case MPI__K_UINT64: INT_KERNEL(uint64_t)
    case MPI__K_WCHAR: INT_KERNEL(wchar_t)
    case MPI__K_BOOL: BOOL_KERNEL(_Bool)
    case MPI__K_FLOAT: FLOAT_KERNEL(float)
    case MPI__K_DOUBLE: FLOAT_KERNEL(double)
    case MPI__K_LDOUBLE: FLOAT_KERNEL(long double)
    case MPI__K_CFLOAT: COMPLEX_KERNEL(float _Complex)
    case MPI__K_CDOUBLE: COMPLEX_KERNEL(double _Complex)
    case MPI__K_CLDOUBLE: COMPLEX_KERNEL(long double _Complex)
    case MPI__K_FLOAT_INT: PAIR_KERNEL(float)
    case MPI__K_DOUBLE_INT: PAIR_KERNEL(double)
    case MPI__K_LONG_INT: PAIR_KERNEL(long)
    case MPI__K_2INT: PAIR_KERNEL(int)
    case MPI__K_SHORT_INT: PAIR_KERNEL(short)
    case MPI__K_LDOUBLE_INT: PAIR_KERNEL(long double)
    case MPI__K_NONE: return;
    }
}

/* User layout of count elements of type: a buffer to unpack into. */
static void *layout_alloc(int count, MPI_Datatype type, char **mem)
{
    size_t span = count > 0 ? (size_t)(type->true_ub - type->true_lb) +
                                  (size_t)(count - 1) * (size_t)type->extent
                            : 0;
    *mem = malloc(span ? span : 1);
    return *mem ? *mem - type->true_lb : NULL;
}

/* inout = in op inout for count elements of type, both PACKED. */
void mpi__op_apply(MPI_Op op, MPI_Datatype type, const void *in, void *inout, int count)
{
    if (!op->fn) {
        kernel(op->builtin, type->prim->kind, in, inout, (size_t)count * type->nprim);
        return;
    }
    if (type->contiguous) {
        op->fn((void *)in, inout, &count, &type);
        return;
    }
    char *mem_in, *mem_io;
    char *lin = layout_alloc(count, type, &mem_in);
    char *lio = layout_alloc(count, type, &mem_io);
    if (lin && lio) {
        mpi__unpack(in, (size_t)count * type->size, lin, count, type);
        mpi__unpack(inout, (size_t)count * type->size, lio, count, type);
        op->fn(lin, lio, &count, &type);
        mpi__pack(lio, count, type, inout);
    }
    free(mem_in);
    free(mem_io);
}

int MPI_Op_create(MPI_User_function *user_fn, int commute, MPI_Op *op)
{
    if (!user_fn || !op)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Op_create");
    struct mpi__op *o = calloc(1, sizeof(*o));
    if (!o)
        return mpi__error(NULL, MPI_ERR_NO_MEM, "MPI_Op_create");
    o->fn = user_fn;
    o->commute = commute != 0;
    *op = o;
    return MPI_SUCCESS;
}

int MPI_Op_free(MPI_Op *op)
{
    if (!op || !*op || !(*op)->fn)
        return mpi__error(NULL, MPI_ERR_OP, "MPI_Op_free");
    free(*op);
    *op = MPI_OP_NULL;
    return MPI_SUCCESS;
}
