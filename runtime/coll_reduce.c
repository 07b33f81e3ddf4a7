/* coll_reduce.c - reduce and allreduce (being written). */
#include "coll.h"
