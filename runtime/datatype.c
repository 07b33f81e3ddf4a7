/* datatype.c - element types and reduction operations (being written). */
#include "coll.h"
