/*
 * pmix_server.c - the PMIx server embedded in mprun (OpenPMIx server API).
 *
 * The module callbacks run on libpmix's progress thread. They never block
 * and never call back into libpmix: an abort or a fence becomes an event on
 * a mutex-protected queue, the eventfd wakes mprun's main loop, and the main
 * loop completes the event. docs/ARCHITECTURE.md (mprun section) tells
 * which facts of OpenPMIx 4.2.2 shaped the choices here.
 */
#include "pmix_server_private.h"

#include <dlfcn.h>
#include <errno.h>
#include <pmix.h>
#include <pmix_server.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>


static struct {
    bool started;
    bool registered;
    int eventfd;
    pmix_nspace_t nspace;
    pthread_mutex_t lock; /* guards the queue and the eventfd counter */
    struct mprun_pmix_event *head, *tail;
    struct mprun_pmix_completion *open_fences; /* main thread only */
    uint8_t *connected; /* per rank of the job, set (atomically) by client_connected */
    uint8_t *finalized; /* per rank of the job, set (atomically) by client_finalized */
    int nranks;
    /* Main thread only: */
    uint8_t *local;     /* per rank: it runs on this host */
    uint8_t *done;      /* per local rank: finalized or ended */
    int nlocal_running; /* local ranks not done */
    struct mprun_pmix_completion *held; /* per rank: its PMIx_Finalize, not answered yet */
    bool (*exited)(void *ctx, int rank);
    void *exited_ctx;
} server = {
    .eventfd = -1,
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

/* ---- Callbacks (libpmix's thread) ----------------------------------- */

void mprun_pmix__queue_event(struct mprun_pmix_event *ev)
{
    uint64_t one = 1;

    pthread_mutex_lock(&server.lock);
    if (server.tail != NULL)
        server.tail->next = ev;
    else
        server.head = ev;
    server.tail = ev;
    if (write(server.eventfd, &one, sizeof(one)) < 0) {
        /* The counter cannot overflow with one write per event; nothing to do. */
    }
    pthread_mutex_unlock(&server.lock);
}

struct mprun_pmix_event *mprun_pmix__new_event(enum mprun_pmix_event_kind kind)
{
    struct mprun_pmix_event *ev = calloc(1, sizeof(*ev));

    if (ev == NULL)
        return NULL;
    ev->completion = calloc(1, sizeof(*ev->completion));
    if (ev->completion == NULL) {
        free(ev);
        return NULL;
    }
    ev->kind = kind;
    return ev;
}

/* Called once libpmix has read the client's whole connection request. */
static pmix_status_t on_client_connected(const pmix_proc_t *proc, void *server_object,
                                         pmix_op_cbfunc_t cbfunc, void *cbdata)
{
    (void)server_object, (void)cbfunc, (void)cbdata;
    if (server.connected != NULL && proc->rank < (pmix_rank_t)server.nranks)
        __atomic_store_n(&server.connected[proc->rank], 1, __ATOMIC_RELEASE);
    return PMIX_SUCCESS;
}

/* The client stays in PMIx_Finalize until the main thread answers, which
 * it does once every rank of this host has finalized or ended (see
 * hold_finalize). */
static pmix_status_t on_client_finalized(const pmix_proc_t *proc, void *server_object,
                                         pmix_op_cbfunc_t cbfunc, void *cbdata)
{
    struct mprun_pmix_event *ev;

    (void)server_object;
    if (server.finalized == NULL || proc->rank >= (pmix_rank_t)server.nranks)
        return PMIX_OPERATION_SUCCEEDED;
    __atomic_store_n(&server.finalized[proc->rank], 1, __ATOMIC_RELEASE);
    ev = mprun_pmix__new_event(MPRUN_PMIX_FINALIZED);
    if (ev == NULL)
        return PMIX_OPERATION_SUCCEEDED; /* released at once */
    ev->rank = (int)proc->rank;
    ev->completion->op_cbfunc = cbfunc;
    ev->completion->cbdata = cbdata;
    mprun_pmix__queue_event(ev);
    return PMIX_SUCCESS;
}

/* The whole job ends whatever procs the client named: that is mpr_abort's
 * contract. cbfunc is never called: the client stays blocked in PMIx_Abort
 * until mprun kills it. */
static pmix_status_t on_abort(const pmix_proc_t *proc, void *server_object, int status,
                              const char msg[], pmix_proc_t procs[], size_t nprocs,
                              pmix_op_cbfunc_t cbfunc, void *cbdata)
{
    struct mprun_pmix_event *ev = mprun_pmix__new_event(MPRUN_PMIX_ABORT);

    (void)server_object, (void)procs, (void)nprocs, (void)cbfunc, (void)cbdata;
    if (ev == NULL)
        return PMIX_ERR_NOMEM;
    ev->rank = (int)proc->rank;
    ev->status = status;
    ev->message = msg != NULL ? strdup(msg) : NULL;
    mprun_pmix__queue_event(ev);
    return PMIX_SUCCESS;
}

/* The participants as ranks of our namespace; a wildcard means all. */
static pmix_status_t copy_participants(struct mprun_pmix_event *ev, const pmix_proc_t procs[],
                                       size_t nprocs)
{
    if (nprocs == 0 || nprocs > UINT32_MAX / 2)
        return PMIX_ERR_BAD_PARAM;
    ev->procs = calloc(nprocs, sizeof(*ev->procs));
    if (ev->procs == NULL)
        return PMIX_ERR_NOMEM;
    for (size_t i = 0; i < nprocs; i++) {
        if (!PMIX_CHECK_NSPACE(procs[i].nspace, server.nspace))
            return PMIX_ERR_NOT_SUPPORTED; /* fences span our one job only */
        if (procs[i].rank == PMIX_RANK_WILDCARD) {
            ev->procs[0] = UINT32_MAX;
            ev->nprocs = 1;
            return PMIX_SUCCESS;
        }
        ev->procs[ev->nprocs++] = procs[i].rank;
    }
    return PMIX_SUCCESS;
}

static pmix_status_t on_fence(const pmix_proc_t procs[], size_t nprocs,
                              const pmix_info_t info[], size_t ninfo, char *data,
                              size_t ndata, pmix_modex_cbfunc_t cbfunc, void *cbdata)
{
    struct mprun_pmix_event *ev = mprun_pmix__new_event(MPRUN_PMIX_FENCE);
    pmix_status_t rc;

    if (ev == NULL) {
        free(data); /* ours whatever we answer */
        return PMIX_ERR_NOMEM;
    }
    rc = copy_participants(ev, procs, nprocs);
    if (rc != PMIX_SUCCESS) {
        free(data);
        mprun_pmix_event_free(ev);
        return rc;
    }
    ev->status = PMIX_SUCCESS;
    for (size_t i = 0; i < ninfo; i++) {
        if (PMIX_CHECK_KEY(&info[i], PMIX_LOCAL_COLLECTIVE_STATUS))
            ev->status = info[i].value.data.status;
    }
    ev->data = data; /* libpmix hands the blob over to us */
    ev->ndata = ndata;
    ev->completion->modex_cbfunc = cbfunc;
    ev->completion->cbdata = cbdata;
    mprun_pmix__queue_event(ev);
    return PMIX_SUCCESS;
}

const char *mprun_pmix__nspace(void)
{
    return server.nspace; /* set before any rank starts, never changed after */
}

/* Members left NULL are answered PMIX_ERR_NOT_SUPPORTED by libpmix at once. */
static pmix_server_module_t module = {
    .client_connected = on_client_connected,
    .client_finalized = on_client_finalized,
    .abort = on_abort,
    .fence_nb = on_fence,
    .direct_modex = NULL,
    .publish = mprun_pmix__on_publish,
    .lookup = mprun_pmix__on_lookup,
    .unpublish = mprun_pmix__on_unpublish,
    .query = mprun_pmix__on_query,
    .log = mprun_pmix__on_log,
};

/* ---- Main loop side ------------------------------------------------- */

static void pmix_failure(char *err, size_t errlen, const char *what, pmix_status_t rc)
{
    snprintf(err, errlen, "%s: %s", what, PMIx_Error_string(rc));
}

int mprun_pmix_start(const char *tmpdir, const char *host, uint32_t nodeid,
                     void *hwloc_topology, char *err, size_t errlen)
{
    pmix_info_t info[5];
    size_t ninfo = 4;
    pmix_topology_t topology = {.source = "hwloc", .topology = hwloc_topology};
    pmix_status_t rc;

    server.eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (server.eventfd < 0) {
        snprintf(err, errlen, "cannot create an eventfd: %s", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < 5; i++)
        PMIX_INFO_CONSTRUCT(&info[i]);
    PMIx_Info_load(&info[0], PMIX_SERVER_TMPDIR, tmpdir, PMIX_STRING);
    PMIx_Info_load(&info[1], PMIX_SYSTEM_TMPDIR, tmpdir, PMIX_STRING);
    PMIx_Info_load(&info[2], PMIX_HOSTNAME, host, PMIX_STRING);
    PMIx_Info_load(&info[3], PMIX_NODEID, &nodeid, PMIX_UINT32);
    if (hwloc_topology != NULL) {
        /* Set by hand, not loaded: loading would copy the topology, and
         * destructing the info would destroy what it points to. */
        PMIX_LOAD_KEY(info[4].key, PMIX_TOPOLOGY2);
        info[4].value.type = PMIX_TOPO;
        info[4].value.data.topo = &topology;
        ninfo = 5;
    }
    rc = PMIx_server_init(&module, info, ninfo);
    for (size_t i = 0; i < 4; i++)
        PMIX_INFO_DESTRUCT(&info[i]);
    if (rc != PMIX_SUCCESS) {
        pmix_failure(err, errlen, "cannot start the PMIx server", rc);
        close(server.eventfd);
        server.eventfd = -1;
        return -1;
    }
    server.started = true;
    return server.eventfd;
}

/* Info lists record their first failure so building code stays linear. */
struct info_list {
    void *list;
    pmix_status_t rc;
};

static void info_list_start(struct info_list *l)
{
    l->list = PMIx_Info_list_start();
    l->rc = l->list != NULL ? PMIX_SUCCESS : PMIX_ERR_NOMEM;
}

static void info_add(struct info_list *l, const char *key, const void *value,
                     pmix_data_type_t type)
{
    if (l->rc == PMIX_SUCCESS)
        l->rc = PMIx_Info_list_add(l->list, key, value, type);
}

static void info_add_u32(struct info_list *l, const char *key, uint32_t value)
{
    info_add(l, key, &value, PMIX_UINT32);
}

/* Close `inner` and add it to `outer` as one array-valued key. */
static void info_add_list(struct info_list *outer, const char *key, struct info_list *inner)
{
    pmix_data_array_t array;

    if (inner->rc == PMIX_SUCCESS)
        inner->rc = PMIx_Info_list_convert(inner->list, &array);
    if (inner->list != NULL)
        PMIx_Info_list_release(inner->list);
    if (inner->rc != PMIX_SUCCESS) {
        if (outer->rc == PMIX_SUCCESS)
            outer->rc = inner->rc;
        return;
    }
    info_add(outer, key, &array, PMIX_DATA_ARRAY);
    PMIx_Data_array_destruct(&array);
}

/* A growing string for the "host1,host2" and "0,1;2,3" map inputs. */
struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void text_append(struct text *t, const char *s)
{
    size_t n = strlen(s);

    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->cap > 0 ? t->cap : 64);
        char *grown;

        while (cap < t->len + n + 1)
            cap *= 2;
        grown = realloc(t->buf, cap);
        if (grown == NULL) {
            t->failed = true;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
}

static void text_append_int(struct text *t, int value)
{
    char digits[16];

    snprintf(digits, sizeof(digits), "%d", value);
    text_append(t, digits);
}

/* The comma-separated ranks on host h, e.g. "0,1,2". */
static void append_ranks_of_host(struct text *t, const struct mprun_layout *layout, int h)
{
    bool first = true;

    for (int r = 0; r < layout->nranks; r++) {
        if (layout->host_of_rank[r] != h)
            continue;
        if (!first)
            text_append(t, ",");
        text_append_int(t, r);
        first = false;
    }
}

static pmix_status_t make_maps(const struct mprun_layout *layout, char **node_map,
                               char **proc_map)
{
    struct text hosts = {0}, ppn = {0};
    pmix_status_t rc = PMIX_ERR_NOMEM;

    *node_map = *proc_map = NULL;
    for (int h = 0; h < layout->nhosts; h++) {
        if (h > 0) {
            text_append(&hosts, ",");
            text_append(&ppn, ";");
        }
        text_append(&hosts, layout->hosts[h]);
        append_ranks_of_host(&ppn, layout, h);
    }
    if (!hosts.failed && !ppn.failed) {
        rc = PMIx_generate_regex(hosts.buf, node_map);
        if (rc == PMIX_SUCCESS)
            rc = PMIx_generate_ppn(ppn.buf, proc_map);
    }
    free(hosts.buf);
    free(ppn.buf);
    return rc;
}

static void add_host_info(struct info_list *job, const struct mprun_layout *layout, int h)
{
    struct info_list node;
    struct text peers = {0};
    uint32_t nlocal = 0;
    pmix_rank_t leader = PMIX_RANK_UNDEF;

    for (int r = 0; r < layout->nranks; r++) {
        if (layout->host_of_rank[r] == h) {
            if (nlocal++ == 0)
                leader = (pmix_rank_t)r;
        }
    }
    append_ranks_of_host(&peers, layout, h);
    info_list_start(&node);
    info_add(&node, PMIX_HOSTNAME, layout->hosts[h], PMIX_STRING);
    info_add_u32(&node, PMIX_NODEID, (uint32_t)h);
    info_add_u32(&node, PMIX_LOCAL_SIZE, nlocal);
    info_add_u32(&node, PMIX_NODE_SIZE, nlocal);
    info_add(&node, PMIX_LOCALLDR, &leader, PMIX_PROC_RANK);
    if (peers.failed)
        node.rc = PMIX_ERR_NOMEM;
    else
        info_add(&node, PMIX_LOCAL_PEERS, peers.buf != NULL ? peers.buf : "", PMIX_STRING);
    free(peers.buf);
    info_add_list(job, PMIX_NODE_INFO_ARRAY, &node);
}

static void add_rank_info(struct info_list *job, const struct mprun_layout *layout, int r,
                          uint16_t local_rank)
{
    struct info_list proc;
    pmix_rank_t rank = (pmix_rank_t)r;
    int h = layout->host_of_rank[r];

    info_list_start(&proc);
    info_add(&proc, PMIX_RANK, &rank, PMIX_PROC_RANK); /* must come first */
    info_add(&proc, PMIX_GLOBAL_RANK, &rank, PMIX_PROC_RANK);
    info_add(&proc, PMIX_APP_RANK, &rank, PMIX_PROC_RANK);
    info_add_u32(&proc, PMIX_APPNUM, 0);
    info_add(&proc, PMIX_LOCAL_RANK, &local_rank, PMIX_UINT16);
    info_add(&proc, PMIX_NODE_RANK, &local_rank, PMIX_UINT16);
    info_add_u32(&proc, PMIX_NODEID, (uint32_t)h);
    info_add(&proc, PMIX_HOSTNAME, layout->hosts[h], PMIX_STRING);
    info_add_list(job, PMIX_PROC_DATA, &proc);
}

/* What PMIx_Query_info is answered from (pmix_requests.c). */
static void set_job_facts(const struct mprun_layout *layout, int nlocal)
{
    struct mprun_pmix_job_facts facts = {
        .nranks = (uint32_t)layout->nranks,
        .nhosts = (uint32_t)layout->nhosts,
        .nlocal = (uint32_t)nlocal,
    };
    struct text peers = {0};

    append_ranks_of_host(&peers, layout, layout->local_host);
    facts.local_peers = peers.failed ? NULL : peers.buf;
    if (peers.failed)
        free(peers.buf);
    mprun_pmix__set_job_facts(&facts);
}

int mprun_pmix_register_job(const char *nspace, const struct mprun_layout *layout,
                            char *err, size_t errlen)
{
    struct info_list job;
    pmix_data_array_t array = {0};
    char *node_map = NULL, *proc_map = NULL;
    uint16_t *next_local_rank;
    uint32_t size = (uint32_t)layout->nranks;
    int nlocal = 0;
    pmix_status_t rc;

    next_local_rank = calloc((size_t)layout->nhosts, sizeof(*next_local_rank));
    if (next_local_rank == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = make_maps(layout, &node_map, &proc_map);
    if (rc != PMIX_SUCCESS) {
        pmix_failure(err, errlen, "cannot build the PMIx process map", rc);
        goto out;
    }
    info_list_start(&job);
    info_add(&job, PMIX_NSPACE, nspace, PMIX_STRING);
    info_add(&job, PMIX_JOBID, nspace, PMIX_STRING);
    info_add_u32(&job, PMIX_JOB_SIZE, size);
    info_add_u32(&job, PMIX_UNIV_SIZE, size);
    info_add_u32(&job, PMIX_MAX_PROCS, size);
    info_add_u32(&job, PMIX_JOB_NUM_APPS, 1);
    info_add_u32(&job, PMIX_NUM_NODES, (uint32_t)layout->nhosts);
    info_add(&job, PMIX_NODE_MAP, node_map, PMIX_REGEX);
    info_add(&job, PMIX_PROC_MAP, proc_map, PMIX_REGEX);
    for (int h = 0; h < layout->nhosts; h++)
        add_host_info(&job, layout, h);
    for (int r = 0; r < layout->nranks; r++) {
        int h = layout->host_of_rank[r];

        add_rank_info(&job, layout, r, next_local_rank[h]++);
        if (h == layout->local_host)
            nlocal++;
    }
    if (job.rc == PMIX_SUCCESS)
        job.rc = PMIx_Info_list_convert(job.list, &array);
    if (job.list != NULL)
        PMIx_Info_list_release(job.list);
    rc = job.rc;
    if (rc != PMIX_SUCCESS) {
        pmix_failure(err, errlen, "cannot describe the job to PMIx", rc);
        goto out;
    }

    snprintf(server.nspace, sizeof(server.nspace), "%s", nspace);
    server.connected = calloc((size_t)layout->nranks, sizeof(*server.connected));
    server.finalized = calloc((size_t)layout->nranks, sizeof(*server.finalized));
    server.local = calloc((size_t)layout->nranks, sizeof(*server.local));
    server.done = calloc((size_t)layout->nranks, sizeof(*server.done));
    server.held = calloc((size_t)layout->nranks, sizeof(*server.held));
    if (server.connected == NULL || server.finalized == NULL || server.local == NULL ||
        server.done == NULL || server.held == NULL) {
        PMIx_Data_array_destruct(&array);
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    server.nranks = layout->nranks;
    for (int r = 0; r < layout->nranks; r++)
        server.local[r] = layout->host_of_rank[r] == layout->local_host;
    server.nlocal_running = nlocal;
    set_job_facts(layout, nlocal);
    rc = PMIx_server_register_nspace(server.nspace, nlocal, (pmix_info_t *)array.array,
                                     array.size, NULL, NULL);
    PMIx_Data_array_destruct(&array);
    if (rc != PMIX_SUCCESS && rc != PMIX_OPERATION_SUCCEEDED) {
        pmix_failure(err, errlen, "cannot register the job with PMIx", rc);
        goto out;
    }
    server.registered = true;
out:
    free(node_map);
    free(proc_map);
    free(next_local_rank);
    return server.registered ? 0 : -1;
}

int mprun_pmix_setup_rank(int rank, char ***env, char *err, size_t errlen)
{
    pmix_proc_t proc;
    pmix_status_t rc;

    PMIX_LOAD_PROCID(&proc, server.nspace, (pmix_rank_t)rank);
    rc = PMIx_server_register_client(&proc, geteuid(), getegid(), NULL, NULL, NULL);
    if (rc != PMIX_SUCCESS && rc != PMIX_OPERATION_SUCCEEDED) {
        pmix_failure(err, errlen, "cannot register a rank with PMIx", rc);
        return -1;
    }
    rc = PMIx_server_setup_fork(&proc, env);
    if (rc != PMIX_SUCCESS) {
        pmix_failure(err, errlen, "cannot prepare a rank's PMIx environment", rc);
        return -1;
    }
    return 0;
}

bool mprun_pmix_rank_connected(int rank)
{
    return server.connected != NULL && rank >= 0 && rank < server.nranks &&
           __atomic_load_n(&server.connected[rank], __ATOMIC_ACQUIRE) != 0;
}

bool mprun_pmix_rank_left_unfinalized(int rank)
{
    return mprun_pmix_rank_connected(rank) &&
           __atomic_load_n(&server.finalized[rank], __ATOMIC_ACQUIRE) == 0;
}

/*
 * Finalizing ranks are held in PMIx_Finalize until every rank of this host
 * has finalized or ended. libpmix 4.2.2 counts a rank that finalized and
 * disconnected as a participant still to come in any later fence over it:
 * released at once, rank 0 leaving made ranks 1-3 entering a fence after
 * that hang forever. Held, it stays connected; should the others never
 * finalize, libpmix's client gives up waiting after 2 s and disconnects,
 * which libpmix takes for a lost rank: a fence waiting for it completes
 * with an error, later ones no longer wait for it, and fence_nb (every
 * fence reaches it: see mprun_env_prepare_launcher) fails those that name
 * it.
 */
static void release_held_finalizes(void)
{
    for (int r = 0; r < server.nranks; r++) {
        struct mprun_pmix_completion *held = &server.held[r];
        pmix_op_cbfunc_t cbfunc = held->op_cbfunc;

        if (cbfunc == NULL)
            continue;
        held->op_cbfunc = NULL;
        cbfunc(PMIX_SUCCESS, held->cbdata);
    }
}

static void mark_done(int rank)
{
    if (server.done == NULL || rank < 0 || rank >= server.nranks || !server.local[rank] ||
        server.done[rank])
        return;
    server.done[rank] = 1;
    if (--server.nlocal_running == 0)
        release_held_finalizes();
}

static void hold_finalize(struct mprun_pmix_event *ev)
{
    if (server.held != NULL && ev->rank >= 0 && ev->rank < server.nranks &&
        server.held[ev->rank].op_cbfunc == NULL) {
        server.held[ev->rank] = *ev->completion;
        mark_done(ev->rank);
    } else {
        ev->completion->op_cbfunc(PMIX_SUCCESS, ev->completion->cbdata);
    }
    mprun_pmix_event_free(ev);
}

void mprun_pmix_rank_ended(int rank)
{
    mark_done(rank);
}

void mprun_pmix_set_exit_check(bool (*exited)(void *ctx, int rank), void *ctx)
{
    server.exited = exited;
    server.exited_ctx = ctx;
}

static bool rank_gone(int rank)
{
    return server.local[rank] &&
           (server.done[rank] || (server.exited != NULL && server.exited(server.exited_ctx, rank)));
}

/* A participant of this host that finalized or ended can never join. */
static bool participant_gone(const struct mprun_pmix_event *ev)
{
    if (server.done == NULL)
        return false;
    if (ev->procs[0] == UINT32_MAX) {
        for (int r = 0; r < server.nranks; r++) {
            if (rank_gone(r))
                return true;
        }
        return false;
    }
    for (uint32_t i = 0; i < ev->nprocs; i++) {
        if (ev->procs[i] < (uint32_t)server.nranks && rank_gone((int)ev->procs[i]))
            return true;
    }
    return false;
}

static struct mprun_pmix_event *pop_event(void)
{
    struct mprun_pmix_event *ev;
    uint64_t count;

    pthread_mutex_lock(&server.lock);
    ev = server.head;
    if (ev != NULL) {
        server.head = ev->next;
        if (server.head == NULL)
            server.tail = NULL;
        ev->next = NULL;
    } else if (server.eventfd >= 0 && read(server.eventfd, &count, sizeof(count)) < 0) {
        /* EAGAIN: already clear. */
    }
    pthread_mutex_unlock(&server.lock);
    return ev;
}

struct mprun_pmix_event *mprun_pmix_take_event(void)
{
    struct mprun_pmix_event *ev;

    while ((ev = pop_event()) != NULL) {
        if (ev->kind == MPRUN_PMIX_FINALIZED)
            hold_finalize(ev);
        else if (!mprun_pmix__take_request(ev))
            break;
    }
    if (ev != NULL && ev->kind == MPRUN_PMIX_FENCE) {
        if (ev->status == PMIX_SUCCESS && participant_gone(ev))
            ev->status = PMIX_ERR_LOST_CONNECTION;
        struct mprun_pmix_completion *c = ev->completion;

        c->owner = ev;
        c->next = server.open_fences;
        if (c->next != NULL)
            c->next->prev = c;
        server.open_fences = c;
    }
    return ev;
}

static void forget_open_fence(struct mprun_pmix_completion *c)
{
    if (c->owner == NULL)
        return;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        server.open_fences = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->owner = NULL;
}

static void release_fence_data(void *data)
{
    free(data);
}

void mprun_pmix_complete_fence(struct mprun_pmix_event *ev, int status, char *data,
                               size_t ndata)
{
    forget_open_fence(ev->completion);
    if (ev->completion->modex_cbfunc != NULL)
        ev->completion->modex_cbfunc(status, data, ndata, ev->completion->cbdata,
                                     release_fence_data, data);
    else
        free(data);
    ev->completion->modex_cbfunc = NULL;
}

void mprun_pmix_event_free(struct mprun_pmix_event *ev)
{
    if (ev == NULL)
        return;
    if (ev->completion != NULL)
        forget_open_fence(ev->completion);
    free(ev->procs);
    if (ev->completion != NULL && ev->completion->queries != NULL)
        PMIX_QUERY_FREE(ev->completion->queries, ev->completion->nqueries);
    if (ev->names != NULL) {
        mprun_names_request_clear(ev->names);
        free(ev->names);
    }
    free(ev->completion);
    free(ev->message);
    free(ev->data);
    free(ev);
}

/* Answer what is still open, so finalize finds it complete: fences queued
 * or waiting for other hosts fail, held finalizes are released. Fences the
 * main loop holds stay allocated: their owner frees them. */
static void answer_pending_requests(void)
{
    struct mprun_pmix_event *ev;

    while (server.open_fences != NULL)
        mprun_pmix_complete_fence(server.open_fences->owner, PMIX_ERR_LOST_CONNECTION, NULL,
                                  0);
    while ((ev = mprun_pmix_take_event()) != NULL) {
        if (ev->kind == MPRUN_PMIX_FENCE)
            mprun_pmix_complete_fence(ev, PMIX_ERR_LOST_CONNECTION, NULL, 0);
        mprun_pmix_event_free(ev);
    }
    mprun_pmix__answer_open_requests(PMIX_ERR_LOST_CONNECTION);
    if (server.held != NULL)
        release_held_finalizes();
}

/* libpmix 4.2.2 closes a client's socket before removing its events when it
 * finalizes with clients still connected, and libevent then prints
 * "[warn] Epoll MOD(1) on fd N failed" on our stderr. Those messages say
 * nothing to a user: silence libevent, found at run time since mprun does
 * not link it itself. */
static void drop_libevent_message(int severity, const char *msg)
{
    (void)severity, (void)msg;
}

static void silence_libevent(void)
{
    void (*set_log_callback)(void (*)(int, const char *));
    void *sym = dlsym(RTLD_DEFAULT, "event_set_log_callback");

    if (sym != NULL) {
        memcpy(&set_log_callback, &sym, sizeof(sym));
        set_log_callback(drop_libevent_message);
    }
}

void mprun_pmix_stop(void)
{
    if (!server.started)
        return;
    answer_pending_requests();
    silence_libevent();
    if (server.registered)
        PMIx_server_deregister_nspace(server.nspace, NULL, NULL);
    server.registered = false;
    mprun_pmix_gate_close(); /* finalize joins the listener thread */
    PMIx_server_finalize();
    server.started = false;
    /* Callbacks cannot run any more: drop what arrived meanwhile. */
    while (server.head != NULL) {
        struct mprun_pmix_event *ev = server.head;

        server.head = ev->next;
        mprun_pmix_event_free(ev);
    }
    server.tail = NULL;
    close(server.eventfd);
    server.eventfd = -1;
    free(server.connected);
    server.connected = NULL;
    free(server.finalized);
    server.finalized = NULL;
    free(server.local);
    server.local = NULL;
    free(server.done);
    server.done = NULL;
    free(server.held);
    server.held = NULL;
    server.exited = NULL;
    mprun_pmix__requests_reset();
    server.nranks = 0;
}
