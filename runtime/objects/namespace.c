/*
 * namespace.c - mpr_namespace_*: named fields shared by the ranks of a
 * communicator (Python's Manager().Namespace()), a dict (dict.c) whose
 * keys are the fields' names, with a type of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "core/mpr_internal.h"

#define FIELDS_MAX 4096
#define DATA_BYTES ((size_t)16 << 20)

struct mpr_namespace {
    mpr_dict dict;
};

int mpr_namespace_create(mpr_comm comm, mpr_namespace *ns)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!ns)
        return MPR_ERR_ARG;
    struct mpr_namespace *n = calloc(1, sizeof(*n));
    if (!n)
        return MPR_ERR_NO_MEM;
    rc = mpr_dict_create(comm, FIELDS_MAX, DATA_BYTES, &n->dict);
    if (rc != MPR_SUCCESS) {
        free(n);
        return rc;
    }
    *ns = n;
    return MPR_SUCCESS;
}

int mpr_namespace_free(mpr_namespace *ns)
{
    if (!ns || !*ns)
        return MPR_ERR_ARG;
    int rc = mpr_dict_free(&(*ns)->dict);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*ns);
    *ns = NULL;
    return rc;
}

/* The name's length, or 0 when it is not a name. */
static size_t name_length(mpr_namespace ns, const char *name)
{
    if (!ns || !name)
        return 0;
    size_t len = strnlen(name, MPR_NAMESPACE_NAME_MAX + 1);
    return len <= MPR_NAMESPACE_NAME_MAX ? len : 0;
}

/* A call with no name: not ready, or a bad argument. */
static int refused(void)
{
    int rc = mpr__check_ready();
    return rc != MPR_SUCCESS ? rc : MPR_ERR_ARG;
}

int mpr_namespace_set(mpr_namespace ns, const char *name, const void *value, size_t len)
{
    size_t nlen = name_length(ns, name);
    if (nlen == 0)
        return refused();
    return mpr_dict_set(ns->dict, name, nlen, value, len);
}

int mpr_namespace_get(mpr_namespace ns, const char *name, void *buf, size_t cap, size_t *len)
{
    size_t nlen = name_length(ns, name);
    if (nlen == 0)
        return refused();
    return mpr_dict_get(ns->dict, name, nlen, buf, cap, len);
}

int mpr_namespace_delete(mpr_namespace ns, const char *name)
{
    size_t nlen = name_length(ns, name);
    if (nlen == 0)
        return refused();
    return mpr_dict_delete(ns->dict, name, nlen);
}

int mpr_namespace_set_int(mpr_namespace ns, const char *name, int64_t value)
{
    return mpr_namespace_set(ns, name, &value, sizeof(value));
}

int mpr_namespace_get_int(mpr_namespace ns, const char *name, int64_t *value)
{
    if (!value)
        return MPR_ERR_ARG;
    int64_t v;
    size_t len = 0;
    int rc = mpr_namespace_get(ns, name, &v, sizeof(v), &len);
    if (rc == MPR_ERR_TRUNCATE || (rc == MPR_SUCCESS && len != sizeof(v)))
        return MPR_ERR_VALUE;
    if (rc == MPR_SUCCESS)
        *value = v;
    return rc;
}

int mpr_namespace_add(mpr_namespace ns, const char *name, int64_t delta, int64_t *result)
{
    size_t nlen = name_length(ns, name);
    if (nlen == 0)
        return refused();
    return mpr_dict_add(ns->dict, name, nlen, delta, result);
}
