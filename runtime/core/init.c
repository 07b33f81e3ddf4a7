/* init.c - start and end of a rank, identity queries, clocks, abort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coll/coll_check.h"
#include "core/mpr_internal.h"
#include "objects/objects.h" /* the object service and its connections end with the library */

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
    const char *env = getenv("MPR_OVERSUBSCRIBED");
    if (env)
        return strcmp(env, "0") != 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 && mpr__g.local_size > cores;
}

/* Shared memory between the ranks of a host, TCP to other hosts, or TCP
 * to everyone with MPR_TRANSPORT=tcp. Every rank decides alike (all see
 * the same job size, MPR_TRANSPORT, and more ranks than their host holds
 * exactly when the job spans hosts), so all agree on the kind of fence. */
static void choose_transports(void)
{
    const char *env = getenv("MPR_TRANSPORT");
    bool force_tcp = env && strcmp(env, "tcp") == 0;
    if (env && *env && !force_tcp && strcmp(env, "auto") != 0 && mpr__g.rank == 0)
        fprintf(stderr, "mpr: MPR_TRANSPORT=%s ignored: use auto or tcp\n", env);
    mpr__g.use_shm = !force_tcp && mpr__g.local_size > 1;
    mpr__g.use_tcp = mpr__g.size > 1 && (force_tcp || mpr__g.size > mpr__g.local_size);
}

static int build_peer_table(void)
{
    mpr__g.peers = calloc((size_t)mpr__g.size, sizeof(*mpr__g.peers));
    if (!mpr__g.peers)
        return MPR_ERR_NO_MEM;
    for (int r = 0; r < mpr__g.size; r++) {
        mpr__g.peers[r].local_index = -1;
        mpr__g.peers[r].tp = &mpr__tcp_transport;
    }
    for (int i = 0; i < mpr__g.local_size; i++) {
        struct mpr__peer *p = &mpr__g.peers[mpr__g.local_ranks[i]];
        p->local_index = i;
        if (mpr__g.use_shm)
            p->tp = &mpr__shm_transport;
    }
    mpr__g.peers[mpr__g.rank].tp = &mpr__self_transport;
    mpr__g.peers[mpr__g.rank].pid = getpid();
    return MPR_SUCCESS;
}

static void release_state(void)
{
    mpr__obj_remote_close_all();
    mpr__obj_service_shutdown();
    mpr__coll_comm_free(MPR_COMM_WORLD);
    mpr__shm_fini();
    mpr__tcp_fini();
    mpr__wireup_fini();
    struct mpr__qlink *l;
    while ((l = mpr__queue_pop(&mpr__g.unexpected)) != NULL) {
        struct mpr__msg *msg = mpr__container_of(l, struct mpr__msg, match.link);
        free(msg->data);
        free(msg);
    }
    mpr__requests_release_all();
    free(mpr__g.peers);
    free(mpr__g.local_ranks);
    mpr__g.peers = NULL;
    mpr__g.local_ranks = NULL;
}

int mpr_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (mpr__g.finalized)
        return MPR_ERR_FINALIZED;
    if (mpr__g.initialized)
        return MPR_ERR_ALREADY_INIT;

    mpr__queue_init(&mpr__g.posted);
    mpr__queue_init(&mpr__g.unexpected);
    if (gethostname(mpr__g.hostname, sizeof(mpr__g.hostname)) != 0)
        strcpy(mpr__g.hostname, "localhost");
    mpr__g.hostname[sizeof(mpr__g.hostname) - 1] = '\0';
    char *dot = strchr(mpr__g.hostname, '.');
    if (dot)
        *dot = '\0';

    char tcp_endpoint[MPR__ENDPOINT_MAX];
    int rc = mpr__wireup_init();
    mpr__g.oversubscribed = host_oversubscribed();
    if (rc == MPR_SUCCESS)
        choose_transports();
    if (rc == MPR_SUCCESS && mpr__g.use_shm)
        rc = mpr__shm_init();
    if (rc == MPR_SUCCESS && mpr__g.use_tcp)
        rc = mpr__tcp_init(tcp_endpoint, sizeof(tcp_endpoint));
    if (rc == MPR_SUCCESS)
        rc = mpr__wireup_fence(mpr__g.use_tcp ? tcp_endpoint : NULL);
    if (rc == MPR_SUCCESS)
        rc = build_peer_table();
    if (rc == MPR_SUCCESS && mpr__g.use_shm)
        rc = mpr__shm_connect();
    if (rc != MPR_SUCCESS) {
        release_state();
        return rc;
    }
    mpr__progress_configure();
    mpr__comm_world_setup();
    mpr__g.initialized = true;
    return MPR_SUCCESS;
}

int mpr_finalize(void)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__coll_check_finalize()) == MPR_ERR_COLL_MISMATCH)
        return rc; /* MPR_CHECK=1: a rank is in a collective instead; still initialized */
    /* Peers learn that nothing more comes from this rank (so a peer still
     * waiting for it in a collective or a receive fails instead of
     * hanging); the barrier, on a context of its own that no user call
     * matches, drains this rank's queued sends (they precede its messages). */
    mpr__finalize_announce();
    rc = mpr__barrier_ctx(MPR_COMM_WORLD, MPR__CTX_FINALIZE);
    mpr__finalize_notices_wait();
    release_state();
    mpr__g.initialized = false;
    mpr__g.finalized = true;
    return rc;
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
