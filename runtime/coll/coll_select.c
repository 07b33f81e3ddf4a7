/* coll_select.c - algorithms forced through the environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll/coll.h"

const char *mpr__coll_forced(const char *name)
{
    char var[64];
    snprintf(var, sizeof(var), "MPR_COLL_%s", name);
    const char *value = getenv(var);
    return value && *value && strcmp(value, "auto") != 0 ? value : NULL;
}
