/*
 * datatype.c - the predefined datatypes and the derived ones (contiguous,
 * vector, hvector, indexed, struct, resized), flattened into byte blocks;
 * packing and unpacking of non-contiguous data.
 */
#include <complex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mpi_internal.h"

struct pair_float_int { float v; int i; };
struct pair_double_int { double v; int i; };
struct pair_long_int { long v; int i; };
struct pair_2int { int v; int i; };
struct pair_short_int { short v; int i; };
struct pair_ldouble_int { long double v; int i; };

#define BASIC(var, ctype, k, m)                                                          \
    struct mpi__datatype mpi__type_##var = {                                             \
        .magic = MPI__MAGIC_TYPE, .predefined = true, .committed = true,                 \
        .name = #ctype, .size = sizeof(ctype), .align = _Alignof(ctype), .lb = 0,        \
        .extent = sizeof(ctype),                                                         \
        .true_lb = 0, .true_ub = sizeof(ctype), .nblocks = 1,                            \
        .blocks = &mpi__type_##var.one, .contiguous = true,                              \
        .prim = &mpi__type_##var, .nprim = 1, .kind = k, .mpr = m,                       \
        .one = { 0, sizeof(ctype) } };

BASIC(char, char, MPI__K_CHAR, MPR_CHAR)
BASIC(signed_char, signed char, MPI__K_SCHAR, MPR_SIGNED_CHAR)
BASIC(unsigned_char, unsigned char, MPI__K_UCHAR, MPR_UNSIGNED_CHAR)
BASIC(byte, uint8_t, MPI__K_BYTE, MPR_BYTE)
BASIC(packed, uint8_t, MPI__K_BYTE, MPR_BYTE)
BASIC(wchar, wchar_t, MPI__K_WCHAR, 0)
BASIC(short, short, MPI__K_SHORT, MPR_SHORT)
BASIC(unsigned_short, unsigned short, MPI__K_USHORT, MPR_UNSIGNED_SHORT)
BASIC(int, int, MPI__K_INT, MPR_INT)
BASIC(unsigned, unsigned, MPI__K_UINT, MPR_UNSIGNED)
BASIC(long, long, MPI__K_LONG, MPR_LONG)
BASIC(unsigned_long, unsigned long, MPI__K_ULONG, MPR_UNSIGNED_LONG)
BASIC(long_long, long long, MPI__K_LLONG, MPR_LONG_LONG)
BASIC(unsigned_long_long, unsigned long long, MPI__K_ULLONG, MPR_UNSIGNED_LONG_LONG)
BASIC(float, float, MPI__K_FLOAT, MPR_FLOAT)
BASIC(double, double, MPI__K_DOUBLE, MPR_DOUBLE)
BASIC(long_double, long double, MPI__K_LDOUBLE, MPR_LONG_DOUBLE)
BASIC(int8, int8_t, MPI__K_INT8, MPR_INT8)
BASIC(uint8, uint8_t, MPI__K_UINT8, MPR_UINT8)
BASIC(int16, int16_t, MPI__K_INT16, MPR_INT16)
BASIC(uint16, uint16_t, MPI__K_UINT16, MPR_UINT16)
BASIC(int32, int32_t, MPI__K_INT32, MPR_INT32)
BASIC(uint32, uint32_t, MPI__K_UINT32, MPR_UINT32)
BASIC(int64, int64_t, MPI__K_INT64, MPR_INT64)
BASIC(uint64, uint64_t, MPI__K_UINT64, MPR_UINT64)
BASIC(c_bool, _Bool, MPI__K_BOOL, 0)
BASIC(aint, MPI_Aint, MPI__K_LONG, MPR_LONG)
BASIC(offset, MPI_Offset, MPI__K_LLONG, MPR_LONG_LONG)
BASIC(count, MPI_Count, MPI__K_LLONG, MPR_LONG_LONG)
BASIC(c_float_complex, float _Complex, MPI__K_CFLOAT, 0)
BASIC(c_double_complex, double _Complex, MPI__K_CDOUBLE, 0)
BASIC(c_long_double_complex, long double _Complex, MPI__K_CLDOUBLE, 0)

/* A (value, int) pair: two blocks unless they touch; the extent includes
 * the padding of the C struct. */
#define PAIR(var, st, k)                                                                   \
    static struct mpi__block pair_blocks_##var[2] = {                                           \
        { 0, sizeof(((struct st *)0)->v) }, { offsetof(struct st, i), sizeof(int) } };      \
    struct mpi__datatype mpi__type_##var = {                                               \
        .magic = MPI__MAGIC_TYPE, .predefined = true, .committed = true, .name = #var,     \
        .size = sizeof(((struct st *)0)->v) + sizeof(int), .align = _Alignof(struct st),  \
        .lb = 0,                                                                           \
        .extent = sizeof(struct st), .true_lb = 0,                                         \
        .true_ub = offsetof(struct st, i) + sizeof(int),                                   \
        .nblocks = sizeof(((struct st *)0)->v) == offsetof(struct st, i) ? 1 : 2,          \
        .blocks = pair_blocks_##var, .contiguous = false, .prim = &mpi__type_##var, .nprim = 1, \
        .kind = k, .mpr = 0 };

PAIR(float_int, pair_float_int, MPI__K_FLOAT_INT)
PAIR(double_int, pair_double_int, MPI__K_DOUBLE_INT)
PAIR(long_int, pair_long_int, MPI__K_LONG_INT)
PAIR(2int, pair_2int, MPI__K_2INT)
PAIR(short_int, pair_short_int, MPI__K_SHORT_INT)
PAIR(long_double_int, pair_ldouble_int, MPI__K_LDOUBLE_INT)

/* A pair whose two blocks touch is one block; fix them at first use. */
static void pairs_settle(void)
{
    static bool done;
    if (done)
        return;
    struct mpi__datatype *pairs[] = { MPI_FLOAT_INT, MPI_DOUBLE_INT, MPI_LONG_INT,
                                      MPI_2INT, MPI_SHORT_INT, MPI_LONG_DOUBLE_INT };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
        if (pairs[i]->nblocks == 1)
            pairs[i]->blocks[0].len = pairs[i]->size;
    done = true;
}

int mpi__check_type(MPI_Datatype type)
{
    if (!type || type->magic != MPI__MAGIC_TYPE || !type->committed)
        return MPI_ERR_TYPE;
    pairs_settle();
    return MPI_SUCCESS;
}

size_t mpi__bytes(int count, MPI_Datatype type)
{
    return (size_t)count * type->size;
}

void mpi__pack(const void *buf, int count, MPI_Datatype type, void *out)
{
    const char *in = buf;
    char *o = out;
    if (type->contiguous) {
        memcpy(o, in, (size_t)count * type->size);
        return;
    }
    for (int e = 0; e < count; e++) {
        const char *base = in + (MPI_Aint)e * type->extent;
        for (int b = 0; b < type->nblocks; b++) {
            memcpy(o, base + type->blocks[b].disp, type->blocks[b].len);
            o += type->blocks[b].len;
        }
    }
}

void mpi__unpack(const void *packed, size_t bytes, void *buf, int count, MPI_Datatype type)
{
    const char *p = packed;
    char *out = buf;
    if (type->contiguous) {
        size_t n = (size_t)count * type->size;
        memcpy(out, p, bytes < n ? bytes : n);
        return;
    }
    for (int e = 0; e < count && bytes > 0; e++) {
        char *base = out + (MPI_Aint)e * type->extent;
        for (int b = 0; b < type->nblocks && bytes > 0; b++) {
            size_t n = type->blocks[b].len < bytes ? type->blocks[b].len : bytes;
            memcpy(base + type->blocks[b].disp, p, n);
            p += n;
            bytes -= n;
        }
    }
}

/* ---- derived datatypes ---- */

/*
 * The general constructor: count entries, entry i being blocklens[i]
 * elements of types[i] starting at byte disps[i]. Every MPI constructor
 * is this one with its own arguments.
 */
static int build(int count, const int blocklens[], const MPI_Aint disps[],
                 const MPI_Datatype types[], bool pad_to_align, MPI_Datatype *out)
{
    size_t nblocks = 0, size = 0, nprim = 0;
    MPI_Datatype prim = NULL;
    bool homogeneous = true, any = false;
    MPI_Aint lb = 0, ub = 0, tlb = 0, tub = 0;
    size_t align = 1;
    for (int i = 0; i < count; i++) {
        MPI_Datatype t = types[i];
        if (!t || t->magic != MPI__MAGIC_TYPE)
            return MPI_ERR_TYPE;
        if (blocklens[i] < 0)
            return MPI_ERR_COUNT;
        if (blocklens[i] == 0)
            continue;
        if (t->predefined)
            pairs_settle();
        nblocks += (size_t)blocklens[i] * (size_t)t->nblocks;
        size += (size_t)blocklens[i] * t->size;
        MPI_Aint l = disps[i] + t->lb, u = disps[i] + t->lb + blocklens[i] * t->extent;
        MPI_Aint tl = disps[i] + t->true_lb,
                 tu = disps[i] + (blocklens[i] - 1) * t->extent + t->true_ub;
        if (!any || l < lb) lb = l;
        if (!any || u > ub) ub = u;
        if (!any || tl < tlb) tlb = tl;
        if (!any || tu > tub) tub = tu;
        if (t->align > align)
            align = t->align;
        if (!t->prim || (prim && prim != t->prim))
            homogeneous = false;
        prim = t->prim;
        nprim += (size_t)blocklens[i] * t->nprim;
        any = true;
    }
    struct mpi__datatype *nt = calloc(1, sizeof(*nt));
    struct mpi__block *blocks = calloc(nblocks ? nblocks : 1, sizeof(*blocks));
    if (!nt || !blocks) {
        free(nt);
        free(blocks);
        return MPI_ERR_NO_MEM;
    }
    int n = 0;
    for (int i = 0; i < count; i++) {
        MPI_Datatype t = types[i];
        for (int j = 0; j < blocklens[i]; j++) {
            for (int b = 0; b < t->nblocks; b++) {
                MPI_Aint d = disps[i] + j * t->extent + t->blocks[b].disp;
                if (n > 0 && blocks[n - 1].disp + (MPI_Aint)blocks[n - 1].len == d) {
                    blocks[n - 1].len += t->blocks[b].len;
                } else {
                    blocks[n].disp = d;
                    blocks[n].len = t->blocks[b].len;
                    n++;
                }
            }
        }
    }
    MPI_Aint extent = ub - lb;
    if (pad_to_align && extent % (MPI_Aint)align)
        extent += (MPI_Aint)align - extent % (MPI_Aint)align;
    nt->magic = MPI__MAGIC_TYPE;
    nt->name = "derived";
    nt->size = size;
    nt->align = align;
    nt->lb = lb;
    nt->extent = extent;
    nt->true_lb = tlb;
    nt->true_ub = tub;
    nt->nblocks = n;
    nt->blocks = blocks;
    nt->contiguous = (n == 1 && blocks[0].disp == 0 && (MPI_Aint)blocks[0].len == extent && lb == 0) ||
                     (n == 0 && extent == 0);
    nt->prim = homogeneous && any ? prim : NULL;
    nt->nprim = nt->prim ? nprim : 0;
    *out = nt;
    return MPI_SUCCESS;
}

static int check_old(MPI_Datatype t)
{
    int rc = mpi__ready();
    if (rc != MPI_SUCCESS)
        return rc;
    return t && t->magic == MPI__MAGIC_TYPE ? MPI_SUCCESS : MPI_ERR_TYPE;
}

int MPI_Type_contiguous(int count, MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    int rc = check_old(oldtype);
    if (rc == MPI_SUCCESS && count < 0)
        rc = MPI_ERR_COUNT;
    if (rc == MPI_SUCCESS && !newtype)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS) {
        MPI_Aint disp = 0;
        rc = build(1, &count, &disp, &oldtype, false, newtype);
    }
    MPI__RET(NULL, rc, "MPI_Type_contiguous");
}

static int hvector(int count, int blocklength, MPI_Aint stride_bytes, MPI_Datatype oldtype,
                   MPI_Datatype *newtype)
{
    int rc = check_old(oldtype);
    if (rc == MPI_SUCCESS && (count < 0 || blocklength < 0))
        rc = MPI_ERR_COUNT;
    if (rc == MPI_SUCCESS && !newtype)
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return rc;
    int *lens = malloc(sizeof(int) * (size_t)(count ? count : 1));
    MPI_Aint *disps = malloc(sizeof(MPI_Aint) * (size_t)(count ? count : 1));
    MPI_Datatype *types = malloc(sizeof(MPI_Datatype) * (size_t)(count ? count : 1));
    if (!lens || !disps || !types) {
        rc = MPI_ERR_NO_MEM;
    } else {
        for (int i = 0; i < count; i++) {
            lens[i] = blocklength;
            disps[i] = i * stride_bytes;
            types[i] = oldtype;
        }
        rc = build(count, lens, disps, types, false, newtype);
    }
    free(lens);
    free(disps);
    free(types);
    return rc;
}

int MPI_Type_vector(int count, int blocklength, int stride, MPI_Datatype oldtype,
                    MPI_Datatype *newtype)
{
    int rc = check_old(oldtype);
    if (rc == MPI_SUCCESS)
        rc = hvector(count, blocklength, (MPI_Aint)stride * oldtype->extent, oldtype, newtype);
    MPI__RET(NULL, rc, "MPI_Type_vector");
}

int MPI_Type_create_hvector(int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype,
                            MPI_Datatype *newtype)
{
    MPI__RET(NULL, hvector(count, blocklength, stride, oldtype, newtype),
             "MPI_Type_create_hvector");
}

int MPI_Type_indexed(int count, const int blocklengths[], const int displacements[],
                     MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    int rc = check_old(oldtype);
    if (rc == MPI_SUCCESS && count < 0)
        rc = MPI_ERR_COUNT;
    if (rc == MPI_SUCCESS && (!newtype || (count > 0 && (!blocklengths || !displacements))))
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Type_indexed");
    MPI_Aint *disps = malloc(sizeof(MPI_Aint) * (size_t)(count ? count : 1));
    MPI_Datatype *types = malloc(sizeof(MPI_Datatype) * (size_t)(count ? count : 1));
    if (!disps || !types) {
        rc = MPI_ERR_NO_MEM;
    } else {
        for (int i = 0; i < count; i++) {
            disps[i] = (MPI_Aint)displacements[i] * oldtype->extent;
            types[i] = oldtype;
        }
        rc = build(count, blocklengths, disps, types, false, newtype);
    }
    free(disps);
    free(types);
    MPI__RET(NULL, rc, "MPI_Type_indexed");
}

int MPI_Type_create_struct(int count, const int blocklengths[], const MPI_Aint displacements[],
                           const MPI_Datatype types[], MPI_Datatype *newtype)
{
    int rc = mpi__ready();
    if (rc == MPI_SUCCESS && count < 0)
        rc = MPI_ERR_COUNT;
    if (rc == MPI_SUCCESS && (!newtype || (count > 0 && (!blocklengths || !displacements || !types))))
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        rc = build(count, blocklengths, displacements, types, true, newtype);
    MPI__RET(NULL, rc, "MPI_Type_create_struct");
}

int MPI_Type_create_resized(MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent,
                            MPI_Datatype *newtype)
{
    int rc = check_old(oldtype);
    if (rc == MPI_SUCCESS && !newtype)
        rc = MPI_ERR_ARG;
    int one = 1;
    MPI_Aint zero = 0;
    if (rc == MPI_SUCCESS)
        rc = build(1, &one, &zero, &oldtype, false, newtype);
    if (rc == MPI_SUCCESS) {
        MPI_Datatype t = *newtype;
        t->lb = lb;
        t->extent = extent;
        t->contiguous = t->nblocks == 1 && t->blocks[0].disp == 0 && lb == 0 &&
                        (MPI_Aint)t->blocks[0].len == extent;
    }
    MPI__RET(NULL, rc, "MPI_Type_create_resized");
}

int MPI_Type_commit(MPI_Datatype *datatype)
{
    int rc = datatype ? check_old(*datatype) : MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        (*datatype)->committed = true;
    MPI__RET(NULL, rc, "MPI_Type_commit");
}

int MPI_Type_free(MPI_Datatype *datatype)
{
    int rc = datatype ? check_old(*datatype) : MPI_ERR_ARG;
    if (rc == MPI_SUCCESS && (*datatype)->predefined)
        rc = MPI_ERR_TYPE;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Type_free");
    (*datatype)->magic = 0;
    free((*datatype)->blocks);
    free(*datatype);
    *datatype = MPI_DATATYPE_NULL;
    return MPI_SUCCESS;
}

int MPI_Type_size(MPI_Datatype datatype, int *size)
{
    int rc = check_old(datatype);
    if (rc == MPI_SUCCESS && !size)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS) {
        pairs_settle();
        *size = (int)datatype->size;
    }
    MPI__RET(NULL, rc, "MPI_Type_size");
}

int MPI_Type_get_extent(MPI_Datatype datatype, MPI_Aint *lb, MPI_Aint *extent)
{
    int rc = check_old(datatype);
    if (rc == MPI_SUCCESS && (!lb || !extent))
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS) {
        *lb = datatype->lb;
        *extent = datatype->extent;
    }
    MPI__RET(NULL, rc, "MPI_Type_get_extent");
}

int MPI_Type_get_true_extent(MPI_Datatype datatype, MPI_Aint *true_lb, MPI_Aint *true_extent)
{
    int rc = check_old(datatype);
    if (rc == MPI_SUCCESS && (!true_lb || !true_extent))
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS) {
        *true_lb = datatype->true_lb;
        *true_extent = datatype->true_ub - datatype->true_lb;
    }
    MPI__RET(NULL, rc, "MPI_Type_get_true_extent");
}

int MPI_Get_address(const void *location, MPI_Aint *address)
{
    if (!address)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Get_address");
    *address = (MPI_Aint)(intptr_t)location;
    return MPI_SUCCESS;
}
