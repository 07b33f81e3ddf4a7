/* init.c - the core's start and end of a rank, identity queries, clocks,
 * abort. runtime/lifecycle.c runs the layers' parts in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/env.h"
#include "core/mpr_internal.h"

struct mpr__state mpr__g;

int mpr__check_ready(void)
{
    if (mpr__g.finalized)
        return MPR_ERR_FINALIZED;
    if (!mpr__g.initialized)
        return MPR_ERR_NOT_INIT;
    return MPR_SUCCESS;
}

static bool host_oversubscribed(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    bool more_ranks = cores > 0 && mpr__g.local_size > cores;
    bool set;
    return mpr__env_flag("MPR_OVERSUBSCRIBED", more_ranks, &set) == MPR_SUCCESS ? set : more_ranks;
}

static int build_peer_table(void)
{
    mpr__g.peers = calloc((size_t)mpr__g.size, sizeof(*mpr__g.peers));
    if (!mpr__g.peers)
        return MPR_ERR_NO_MEM;
    for (int r = 0; r < mpr__g.size; r++)
        mpr__g.peers[r].local_index = -1;
    for (int i = 0; i < mpr__g.local_size; i++)
        mpr__g.peers[mpr__g.local_ranks[i]].local_index = i;
    for (int r = 0; r < mpr__g.size; r++)
        mpr__g.peers[r].tp = mpr__transport_for(r);
    mpr__g.peers[mpr__g.rank].pid = getpid();
    return MPR_SUCCESS;
}

/* The transports' own setup, then the fence that publishes endpoints. */
static int start_transports(void)
{
    mpr__g.ntps = mpr__transports_select(mpr__g.tps);
    char endpoint[MPR__ENDPOINT_MAX] = "";
    const char *publisher = NULL;
    for (int i = 0; i < mpr__g.ntps; i++) {
        const struct mpr__transport *t = mpr__g.tps[i];
        if (!t->init)
            continue;
        int rc = t->init(endpoint, sizeof(endpoint));
        if (rc != MPR_SUCCESS)
            return rc;
        if (endpoint[0] && !publisher)
            publisher = t->name;
    }
    int rc = mpr__wireup_fence(publisher, publisher ? endpoint : NULL);
    if (rc == MPR_SUCCESS)
        rc = build_peer_table();
    for (int i = 0; rc == MPR_SUCCESS && i < mpr__g.ntps; i++)
        if (mpr__g.tps[i]->connect)
            rc = mpr__g.tps[i]->connect();
    return rc;
}

void mpr__core_release(void)
{
    for (int i = mpr__g.ntps - 1; i >= 0; i--)
        if (mpr__g.tps[i]->fini)
            mpr__g.tps[i]->fini();
    mpr__g.ntps = 0;
    mpr__wireup_fini();
    struct mpr__qlink *l;
    while ((l = mpr__queue_pop(&mpr__g.unexpected)) != NULL) {
        struct mpr__msg *msg = mpr__container_of(l, struct mpr__msg, match.link);
        mpr__msgbuf_free(msg->data, msg->len);
        free(msg);
    }
    mpr__msgbuf_release_all();
    mpr__requests_release_all();
    free(mpr__g.peers);
    free(mpr__g.local_ranks);
    mpr__g.peers = NULL;
    mpr__g.local_ranks = NULL;
}

int mpr__core_start(void)
{
    mpr__output_configure();
    mpr__failure_note_configure();
    mpr__queue_init(&mpr__g.posted);
    mpr__queue_init(&mpr__g.unexpected);
    if (gethostname(mpr__g.hostname, sizeof(mpr__g.hostname)) != 0)
        strcpy(mpr__g.hostname, "localhost");
    mpr__g.hostname[sizeof(mpr__g.hostname) - 1] = '\0';
    char *dot = strchr(mpr__g.hostname, '.');
    if (dot)
        *dot = '\0';

    int rc = mpr__env_check_all();
    if (rc == MPR_SUCCESS)
        rc = mpr__flow_configure();
    if (rc != MPR_SUCCESS)
        return rc;
    rc = mpr__wireup_init();
    mpr__g.oversubscribed = host_oversubscribed();
    if (rc == MPR_SUCCESS)
        rc = start_transports();
    if (rc != MPR_SUCCESS) {
        mpr__core_release();
        return rc;
    }
    mpr__wait_configure();
    mpr__comm_world_setup();
    return MPR_SUCCESS;
}

int mpr_initialized(int *flag)
{
    if (!flag)
        return MPR_ERR_ARG;
    *flag = mpr__g.initialized;
    return MPR_SUCCESS;
}

int mpr_finalized(int *flag)
{
    if (!flag)
        return MPR_ERR_ARG;
    *flag = mpr__g.finalized;
    return MPR_SUCCESS;
}

int mpr_abort(mpr_comm comm, int code)
{
    if (comm == NULL)
        return MPR_ERR_ARG;
    fflush(stdout);
    fflush(stderr);
    char msg[64];
    snprintf(msg, sizeof(msg), "mpr_abort called with code %d", code);
    mpr__wireup_abort(code & 0xff, msg);
    _exit(code & 0xff);
}

int mpr_comm_rank(mpr_comm comm, int *rank)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS || !rank)
        return MPR_ERR_ARG;
    *rank = comm->rank;
    return MPR_SUCCESS;
}

int mpr_comm_size(mpr_comm comm, int *size)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS || !size)
        return MPR_ERR_ARG;
    *size = comm->size;
    return MPR_SUCCESS;
}

double mpr_wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double mpr_wtick(void)
{
    struct timespec ts;
    clock_getres(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int mpr_get_processor_name(char *name, size_t len)
{
    if (!name || len == 0)
        return MPR_ERR_ARG;
    char host[MPR__HOSTNAME_MAX];
    if (mpr__g.hostname[0]) {
        snprintf(name, len, "%s", mpr__g.hostname);
        return MPR_SUCCESS;
    }
    if (gethostname(host, sizeof(host)) != 0)
        strcpy(host, "localhost");
    host[sizeof(host) - 1] = '\0';
    snprintf(name, len, "%s", host);
    return MPR_SUCCESS;
}
