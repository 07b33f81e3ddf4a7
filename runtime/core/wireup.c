/*
 * wireup.c - the PMIx client side: who we are, who shares our host, and a
 * fence so that every rank's endpoint exists before anyone uses it.
 * Only standard PMIx calls, so ranks run under any PMIx launcher.
 */
#include <pmix.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mpr_internal.h"

static bool pmix_up;
static pmix_proc_t self_proc;

static int get_job_value(const char *key, pmix_value_t **val)
{
    pmix_proc_t job;
    PMIX_LOAD_PROCID(&job, self_proc.nspace, PMIX_RANK_WILDCARD);
    return PMIx_Get(&job, key, NULL, 0, val);
}

static int parse_local_peers(const char *list)
{
    int count = 1;
    for (const char *p = list; *p; p++)
        count += *p == ',';
    mpr__g.local_ranks = calloc((size_t)count, sizeof(int));
    if (!mpr__g.local_ranks)
        return MPR_ERR_NO_MEM;
    int n = 0;
    const char *p = list;
    while (*p && n < count) {
        char *end;
        long r = strtol(p, &end, 10);
        if (end == p || r < 0 || r >= mpr__g.size)
            return MPR_ERR_PMIX;
        if (r == mpr__g.rank)
            mpr__g.local_index = n;
        mpr__g.local_ranks[n++] = (int)r;
        p = *end == ',' ? end + 1 : end;
    }
    mpr__g.local_size = n;
    return mpr__g.local_index >= 0 ? MPR_SUCCESS : MPR_ERR_PMIX;
}

static int become_singleton(void)
{
    mpr__g.singleton = true;
    mpr__g.rank = 0;
    mpr__g.rank_known = true;
    mpr__g.size = 1;
    mpr__g.local_index = 0;
    mpr__g.local_size = 1;
    mpr__g.local_ranks = calloc(1, sizeof(int));
    snprintf(mpr__g.nspace, sizeof(mpr__g.nspace), "singleton-%d", (int)getpid());
    return mpr__g.local_ranks ? MPR_SUCCESS : MPR_ERR_NO_MEM;
}

int mpr__wireup_init(void)
{
    if (!getenv("PMIX_NAMESPACE") && !getenv("PMIX_SERVER_URI41") &&
        !getenv("PMIX_SERVER_URI4") && !getenv("PMIX_SERVER_URI3") &&
        !getenv("PMIX_SERVER_URI2"))
        return become_singleton(); /* no launcher: skip the PMIx start-up cost */

    pmix_status_t st = PMIx_Init(&self_proc, NULL, 0);
    if (st == PMIX_ERR_UNREACH && !getenv("PMIX_NAMESPACE")) {
        PMIx_Finalize(NULL, 0);
        return become_singleton();
    }
    /* Launched (a namespace was given) but the server is out of reach: an
     * error, not a job of one (and libpmix 4.2 may crash in PMIx_Finalize
     * after such a failed connection). */
    if (st != PMIX_SUCCESS) {
        mpr__log("PMIx_Init failed: %s", PMIx_Error_string(st));
        return MPR_ERR_PMIX;
    }
    pmix_up = true;
    mpr__g.rank = (int)self_proc.rank;
    mpr__g.rank_known = true;
    snprintf(mpr__g.nspace, sizeof(mpr__g.nspace), "%s", self_proc.nspace);

    pmix_value_t *val = NULL;
    st = get_job_value(PMIX_JOB_SIZE, &val);
    if (st != PMIX_SUCCESS || val->type != PMIX_UINT32) {
        mpr__log("cannot get the job size from PMIx: %s", PMIx_Error_string(st));
        if (val)
            PMIX_VALUE_RELEASE(val);
        return MPR_ERR_PMIX;
    }
    mpr__g.size = (int)val->data.uint32;
    PMIX_VALUE_RELEASE(val);

    val = NULL;
    mpr__g.local_index = -1;
    st = get_job_value(PMIX_LOCAL_PEERS, &val);
    if (st != PMIX_SUCCESS || val->type != PMIX_STRING || !val->data.string) {
        mpr__log("cannot get the local peers from PMIx: %s", PMIx_Error_string(st));
        if (val)
            PMIX_VALUE_RELEASE(val);
        return MPR_ERR_PMIX;
    }
    int rc = parse_local_peers(val->data.string);
    PMIX_VALUE_RELEASE(val);
    if (rc != MPR_SUCCESS)
        mpr__log("PMIx gave a local peer list without this rank");
    return rc;
}

static pmix_status_t put_string(const char *key, const char *text)
{
    pmix_value_t value;
    PMIX_VALUE_LOAD(&value, text, PMIX_STRING);
    pmix_status_t st = PMIx_Put(PMIX_GLOBAL, key, &value);
    PMIX_VALUE_DESTRUCT(&value);
    return st;
}

/* A transport's endpoint goes under "mpr.<transport>". */
static void endpoint_key(char *key, size_t cap, const char *transport)
{
    snprintf(key, cap, "mpr.%s", transport);
}

int mpr__wireup_fence(const char *transport, const char *transport_endpoint)
{
    if (!pmix_up)
        return MPR_SUCCESS;
    char endpoint[MPR__HOSTNAME_MAX + 32];
    snprintf(endpoint, sizeof(endpoint), "%s %d", mpr__g.hostname, (int)getpid());
    pmix_status_t st = put_string("mpr.endpoint", endpoint);
    char key[PMIX_MAX_KEYLEN + 1];
    if (st == PMIX_SUCCESS && transport_endpoint) {
        endpoint_key(key, sizeof(key), transport);
        st = put_string(key, transport_endpoint);
    }
    if (st == PMIX_SUCCESS)
        st = PMIx_Commit();
    if (st == PMIX_SUCCESS) {
        /* With endpoints to find (TCP), collect everyone's data now: one
         * collective and then every Get of a peer's endpoint is answered
         * locally. */
        pmix_info_t info;
        bool collect = transport_endpoint != NULL;
        PMIX_INFO_LOAD(&info, PMIX_COLLECT_DATA, &collect, PMIX_BOOL);
        st = PMIx_Fence(NULL, 0, collect ? &info : NULL, collect ? 1 : 0);
        PMIX_INFO_DESTRUCT(&info);
    }
    if (st != PMIX_SUCCESS) {
        mpr__log("PMIx fence failed: %s", PMIx_Error_string(st));
        return MPR_ERR_PMIX;
    }
    return MPR_SUCCESS;
}

int mpr__wireup_get_endpoint(const char *transport, int rank, char *out, size_t cap)
{
    if (!pmix_up)
        return MPR_ERR_PMIX;
    pmix_proc_t peer;
    PMIX_LOAD_PROCID(&peer, self_proc.nspace, (pmix_rank_t)rank);
    pmix_value_t *val = NULL;
    char key[PMIX_MAX_KEYLEN + 1];
    endpoint_key(key, sizeof(key), transport);
    pmix_status_t st = PMIx_Get(&peer, key, NULL, 0, &val);
    int rc = MPR_SUCCESS;
    if (st != PMIX_SUCCESS || val->type != PMIX_STRING || !val->data.string ||
        strlen(val->data.string) >= cap) {
        mpr__log("cannot get the %s endpoint of rank %d from PMIx: %s", transport, rank,
                 st != PMIX_SUCCESS ? PMIx_Error_string(st) : "not a short string");
        rc = MPR_ERR_PMIX;
    } else {
        strcpy(out, val->data.string);
    }
    if (val)
        PMIX_VALUE_RELEASE(val);
    return rc;
}

void mpr__wireup_fini(void)
{
    if (pmix_up)
        PMIx_Finalize(NULL, 0);
    pmix_up = false;
}

void mpr__wireup_abort(int code, const char *msg)
{
    if (pmix_up)
        PMIx_Abort(code, msg, NULL, 0);
}

void mpr__wireup_fail_job(const char *fmt, ...)
{
    char why[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    mpr__log("%s; ending the job", why);
    fflush(stdout);
    mpr__wireup_abort(MPR__WIREUP_FAILED_EXIT, why);
    _exit(MPR__WIREUP_FAILED_EXIT);
}
