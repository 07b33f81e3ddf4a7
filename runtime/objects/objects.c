/*
 * objects.c - the part every shared object needs: its segment, created
 * collectively, and waiting on a waitpoint in it (core/wait.c).
 *
 * Segments are named like the transport's (/dev/shm/mpr-<nspace>-obj-<n>),
 * so mprun's clean-up after a job removes any left by ranks that died
 * during creation; otherwise the name is gone as soon as every rank has
 * mapped it. The futexes are shared (not FUTEX_PRIVATE): the rank that
 * makes a condition true wakes the sleeper itself, with no other process
 * in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objects/objects.h"
#include "coll/coll_check.h"
#include "core/segment.h"
#include "core/net.h"

#define OBJ_MAGIC 0x6d70722d6f626a31ull /* "mpr-obj1" */

_Static_assert(sizeof(struct mpr__obj_header) <= MPR__OBJ_STATE_OFFSET, "header fits");

/* Objects this rank created as rank 0 of their communicator: with its
 * world rank, a name no other creation uses. */
static uint32_t objects_created;

/* ---- Creating and freeing ----------------------------------------------- */

/* Does a rank of comm run on another host than comm's rank 0? */
static bool comm_spans_hosts(mpr_comm comm)
{
    bool home_local = mpr__g.peers[mpr__world_rank(comm, 0)].local_index >= 0;
    for (int r = 1; r < comm->size; r++) {
        if ((mpr__g.peers[mpr__world_rank(comm, r)].local_index >= 0) != home_local)
            return true;
    }
    return false;
}

static void segment_name(char *out, size_t cap, int creator, uint32_t id)
{
    char suffix[40];
    snprintf(suffix, sizeof(suffix), "obj-%d-%u", creator, id);
    mpr__segment_name(out, cap, suffix);
}

static void format_header(struct mpr__obj_header *hdr, enum mpr__obj_kind kind, int nranks,
                          size_t bytes)
{
    hdr->kind = kind;
    hdr->nranks = (uint32_t)nranks;
    hdr->bytes = bytes;
    atomic_init(&hdr->attached, 0);
}

static void publish_header(struct mpr__obj_header *hdr)
{
    atomic_store_explicit((_Atomic uint64_t *)&hdr->magic, OBJ_MAGIC, memory_order_release);
}

static int open_segment(const char *name, size_t bytes, enum mpr__obj_kind kind, void **mem_out,
                        int *fd)
{
    void *mem;
    int rc = mpr__segment_open_fd(name, bytes, "a shared object", &mem, fd);
    if (rc != MPR_SUCCESS)
        return rc;
    struct mpr__obj_header *hdr = mem;
    if (atomic_load_explicit((_Atomic uint64_t *)&hdr->magic, memory_order_acquire) != OBJ_MAGIC ||
        hdr->kind != kind || hdr->bytes != bytes) {
        mpr__log("%s is not the shared object rank 0 created (were the "
                        "objects created in the same order on every rank?)", name);
        munmap(mem, bytes);
        if (fd && *fd >= 0)
            close(*fd);
        if (fd)
            *fd = -1;
        return MPR_ERR_SHM;
    }
    *mem_out = mem;
    return MPR_SUCCESS;
}

static void close_fd(struct mpr__obj *obj)
{
    if (obj->fd >= 0)
        close(obj->fd);
    obj->fd = -1;
}

static void fill_handle(struct mpr__obj *obj, void *mem, size_t bytes, mpr_comm comm)
{
    obj->hdr = mem;
    obj->state = (char *)mem + MPR__OBJ_STATE_OFFSET;
    obj->bytes = bytes;
    obj->comm = comm;
}

/* What MPR_CHECK=1 compares for the creation or freeing of an object. */
static enum mpr__coll_kind call_kind(enum mpr__obj_kind kind, bool create)
{
    static const enum mpr__coll_kind calls[][2] = {
        [MPR__OBJ_QUEUE] = { MPR__CALL_QUEUE_FREE, MPR__CALL_QUEUE_CREATE },
        [MPR__OBJ_EVENT] = { MPR__CALL_EVENT_FREE, MPR__CALL_EVENT_CREATE },
        [MPR__OBJ_SEMAPHORE] = { MPR__CALL_SEMAPHORE_FREE, MPR__CALL_SEMAPHORE_CREATE },
        [MPR__OBJ_LOCK] = { MPR__CALL_LOCK_FREE, MPR__CALL_LOCK_CREATE },
        [MPR__OBJ_RLOCK] = { MPR__CALL_RLOCK_FREE, MPR__CALL_RLOCK_CREATE },
        [MPR__OBJ_BARRIER] = { MPR__CALL_BARRIER_OBJECT_FREE, MPR__CALL_BARRIER_OBJECT_CREATE },
        [MPR__OBJ_CONDITION] = { MPR__CALL_CONDITION_FREE, MPR__CALL_CONDITION_CREATE },
        [MPR__OBJ_ARRAY] = { MPR__CALL_ARRAY_FREE, MPR__CALL_ARRAY_CREATE },
        [MPR__OBJ_DICT] = { MPR__CALL_DICT_FREE, MPR__CALL_DICT_CREATE },
        [MPR__OBJ_LIST] = { MPR__CALL_LIST_FREE, MPR__CALL_LIST_CREATE },
    };
    return calls[kind][create];
}

/* A communicator of one rank: nobody to share with, no name needed. */
static int create_private(mpr_comm comm, enum mpr__obj_kind kind, size_t bytes,
                          mpr__obj_format_fn format, const void *arg, struct mpr__obj *obj)
{
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        mpr__log("cannot map memory for a shared object: %s", strerror(errno));
        return MPR_ERR_NO_MEM;
    }
    format_header(mem, kind, 1, bytes);
    format((char *)mem + MPR__OBJ_STATE_OFFSET, bytes - MPR__OBJ_STATE_OFFSET, arg);
    publish_header(mem);
    fill_handle(obj, mem, bytes, comm);
    return MPR_SUCCESS;
}

int mpr__obj_create(mpr_comm comm, enum mpr__obj_kind kind, size_t state_bytes,
                    mpr__obj_format_fn format, const void *arg, struct mpr__obj *obj)
{
    obj->fd = -1;
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__coll_check_object(comm, call_kind(kind, true), 0)) != MPR_SUCCESS)
        return rc;
    obj->kind = kind;

    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t bytes = (MPR__OBJ_STATE_OFFSET + state_bytes + page - 1) / page * page;
    if (comm->size == 1) {
        if (obj->refuse)
            return obj->refuse;
        return create_private(comm, kind, bytes, format, arg, obj);
    }

    char name[NAME_MAX];
    obj->comm = comm;
    bool multihost = comm_spans_hosts(comm);
    bool home_host = mpr__g.peers[mpr__world_rank(comm, 0)].local_index >= 0;
    struct {
        int32_t rc;
        uint32_t id;
        uint64_t bytes;
        uint32_t service_id;
        uint32_t grows; /* keep the segment open to grow it */
        char endpoint[MPR__ENDPOINT_MAX]; /* the home's service, when multihost */
    } announce = { .rc = MPR_SUCCESS, .id = objects_created, .bytes = bytes,
                   .grows = obj->alloc_bytes != 0 };
    void *mem = NULL;
    int creator = mpr__world_rank(comm, 0);
    if (comm->rank == 0 && obj->refuse) {
        announce.rc = obj->refuse;
    } else if (comm->rank == 0) {
        segment_name(name, sizeof(name), creator, objects_created++);
        size_t allocated = bytes;
        if (obj->alloc_bytes)
            allocated = (MPR__OBJ_STATE_OFFSET + obj->alloc_bytes + page - 1) / page * page;
        announce.rc = mpr__segment_create_sparse(name, bytes, allocated, "a shared object", &mem,
                                                 obj->alloc_bytes ? &obj->fd : NULL);
        if (announce.rc == MPR_SUCCESS) {
            format_header(mem, kind, comm->size, bytes);
            format((char *)mem + MPR__OBJ_STATE_OFFSET, bytes - MPR__OBJ_STATE_OFFSET, arg);
            publish_header(mem);
            obj->hdr = mem;
            if (multihost)
                announce.rc = mpr__obj_service_register(obj, announce.endpoint,
                                                        sizeof(announce.endpoint),
                                                        &announce.service_id);
        }
    }
    rc = mpr_bcast(&announce, sizeof(announce), 0, comm);
    if (rc == MPR_SUCCESS)
        rc = announce.rc;
    if (rc != MPR_SUCCESS) {
        if (comm->rank == 0 && announce.service_id)
            mpr__obj_service_unregister(announce.service_id);
        if (mem) {
            munmap(mem, bytes);
            shm_unlink(name);
        }
        close_fd(obj);
        return rc;
    }
    bytes = (size_t)announce.bytes;
    obj->id = (uint64_t)creator << 32 | announce.id;
    segment_name(name, sizeof(name), creator, announce.id);
    announce.endpoint[sizeof(announce.endpoint) - 1] = '\0';

    int my_rc = MPR_SUCCESS;
    if (!home_host) {
        /* The home's service bumps `attached` for us. */
        my_rc = mpr__obj_remote_attach(obj, creator, announce.endpoint, announce.service_id, kind);
    } else if (comm->rank != 0) {
        my_rc = open_segment(name, bytes, kind, &mem, announce.grows ? &obj->fd : NULL);
        if (my_rc == MPR_SUCCESS) {
            struct mpr__obj_header *hdr = mem;
            if (atomic_fetch_add(&hdr->attached, 1) + 1 == (uint32_t)(comm->size - 1))
                shm_unlink(name); /* everyone has it mapped now */
        }
    }
    /* After the barrier every rank has tried to map it, so all read the same
     * count of those that succeeded and agree on the outcome. */
    rc = mpr_barrier(comm);
    if (comm->rank == 0)
        shm_unlink(name); /* gone already unless some rank failed to map it */
    if (multihost) {
        /* Ranks of other hosts cannot read the count: rank 0 says. */
        int32_t verdict = rc;
        if (comm->rank == 0 && verdict == MPR_SUCCESS &&
            atomic_load(&((struct mpr__obj_header *)mem)->attached) != (uint32_t)(comm->size - 1))
            verdict = MPR_ERR_SHM;
        int brc = mpr_bcast(&verdict, sizeof(verdict), 0, comm);
        rc = brc != MPR_SUCCESS ? brc : verdict;
        if (my_rc == MPR_SUCCESS && rc != MPR_SUCCESS)
            my_rc = rc;
        if (my_rc != MPR_SUCCESS) {
            if (obj->remote)
                mpr__obj_remote_detach(obj);
            if (comm->rank == 0)
                mpr__obj_service_unregister(announce.service_id);
            if (mem)
                munmap(mem, bytes);
            close_fd(obj);
            obj->hdr = NULL;
            return my_rc;
        }
        if (home_host)
            fill_handle(obj, mem, bytes, comm);
        else
            obj->comm = comm;
        obj->service_id = comm->rank == 0 ? announce.service_id : 0;
        return MPR_SUCCESS;
    }
    if (my_rc != MPR_SUCCESS)
        return my_rc;
    if (rc == MPR_SUCCESS &&
        atomic_load(&((struct mpr__obj_header *)mem)->attached) != (uint32_t)(comm->size - 1))
        rc = MPR_ERR_SHM; /* the rank that failed said why */
    if (rc != MPR_SUCCESS) {
        munmap(mem, bytes);
        close_fd(obj);
        return rc;
    }
    fill_handle(obj, mem, bytes, comm);
    return MPR_SUCCESS;
}

int mpr__obj_grow(const struct mpr__obj *obj, size_t offset, size_t bytes)
{
    if (obj->fd < 0)
        return 0; /* anonymous memory (one rank): pages come when touched */
    return mpr__segment_grow(obj->fd, MPR__OBJ_STATE_OFFSET + offset, bytes);
}

int mpr__obj_free(struct mpr__obj *obj)
{
    int rc = mpr__check_ready();
    if (rc == MPR_SUCCESS)
        rc = mpr__coll_check_object(obj->comm, call_kind(obj->kind, false), obj->id);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* nothing done: the object stays */
    if (rc == MPR_SUCCESS && obj->comm->size > 1)
        rc = mpr_barrier(obj->comm);
    /* After the barrier no rank has a call in flight on the object. After
     * mpr_finalize, the connections and the service are gone already. */
    bool live = mpr__g.initialized;
    if (obj->remote && live)
        mpr__obj_remote_detach(obj);
    if (obj->service_id && live)
        mpr__obj_service_unregister(obj->service_id);
    obj->remote = NULL;
    obj->service_id = 0;
    if (obj->hdr)
        munmap(obj->hdr, obj->bytes);
    close_fd(obj);
    obj->hdr = NULL;
    obj->state = NULL;
    return rc;
}

/* ---- Waiting and waking ------------------------------------------------- */

int mpr__obj_check_timeout(double timeout)
{
    return isnan(timeout) ? MPR_ERR_ARG : MPR_SUCCESS;
}

static bool comm_alive(const struct mpr__obj *obj)
{
    for (int r = 0; r < obj->comm->size; r++) {
        if (r != obj->comm->rank && mpr__peer_gone(mpr__world_rank(obj->comm, r)))
            return false;
    }
    return true;
}

struct obj_wait {
    const struct mpr__obj *obj;
    mpr__obj_attempt_fn attempt;
    void *arg;
    int not_ready;
    const struct mpr__obj_waiter *service;
};

static int obj_poll(void *arg)
{
    struct obj_wait *ow = arg;
    int rc = ow->attempt(ow->arg);
    return rc == ow->not_ready ? MPR__PENDING : rc;
}

static int obj_peers_ok(void *arg)
{
    struct obj_wait *ow = arg;
    if (ow->service)
        return ow->service->cancelled(ow->service->arg) ? MPR_ERR_PROC_FAILED : MPR_SUCCESS;
    mpr__liveness_watch_comm(ow->obj->comm); /* TCP peers never connected too */
    return comm_alive(ow->obj) ? MPR_SUCCESS : MPR_ERR_PROC_FAILED;
}

int mpr__obj_wait(const struct mpr__obj *obj, struct mpr__waitpoint *wp,
                  mpr__obj_attempt_fn attempt, void *arg, int not_ready, double timeout,
                  const struct mpr__obj_waiter *service)
{
    int rc = attempt(arg);
    if (rc != not_ready || timeout == 0)
        return rc;
    struct obj_wait ow = { obj, attempt, arg, not_ready, service };
    struct mpr__wait w = {
        .poll = obj_poll,
        .arg = &ow,
        .wp = wp,
        .deadline = timeout < 0 ? INFINITY : mpr_wtime() + timeout,
        .peers_ok = obj_peers_ok,
        .other_thread = service != NULL,
    };
    return mpr__wait(&w);
}
