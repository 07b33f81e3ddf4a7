/*
 * datatype.h - element types and reduction operations (datatype.c).
 */
#ifndef MPR_DATATYPE_H
#define MPR_DATATYPE_H

#include <stdbool.h>
#include <stddef.h>

#include "mpr.h"

/* Size of one element; MPR_ERR_ARG for an unknown type. */
int mpr__type_size(mpr_datatype type, size_t *size);
/* MPR_SUCCESS if op is known and defined for type (sets *commutative),
 * else MPR_ERR_ARG. */
int mpr__op_check(mpr_op op, mpr_datatype type, bool *commutative);
/* inout[i] = in[i] op inout[i] for i < count; op already checked; in and
 * inout must not overlap. */
void mpr__op_apply(mpr_op op, mpr_datatype type, const void *in, void *inout, size_t count);

#endif /* MPR_DATATYPE_H */
