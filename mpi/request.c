/*
 * request.c - completing requests: MPI_Wait/Waitall/Waitany/Waitsome,
 * MPI_Test/Testall/Testany/Testsome, MPI_Request_free.
 *
 * A request has up to two libmpr parts (the data; an Issend's
 * acknowledgement). Receives in flight are kept on a list: every wait of
 * this layer waits for any of its own parts or of those receives
 * (mpr_waitany) and finishes whichever completes, so a receive is
 * unpacked and acknowledged as soon as it matched, whoever waits.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

#define STACK_PARTS 32

#define POOL_MAX 256

static struct mpi__request *pool; /* released requests, linked by next */
static int pooled;
static struct mpi__request *active; /* receives with their data part in flight */
unsigned long mpi__epoch;
static struct mpi__request *detached; /* freed by MPI_Request_free while in flight */

/* Requests are recycled: a bandwidth test makes one per message. */
MPI_Request mpi__request_alloc(void)
{
    MPI_Request r = pool;
    if (r) {
        pool = r->next;
        pooled--;
        memset(r, 0, sizeof(*r));
    } else {
        r = calloc(1, sizeof(*r));
    }
    return r;
}

void mpi__request_release(MPI_Request r)
{
    r->magic = 0;
    if (pooled >= POOL_MAX) {
        free(r);
        return;
    }
    r->next = pool;
    pool = r;
    pooled++;
}

void mpi__active_add(MPI_Request r)
{
    r->prev = NULL;
    r->next = active;
    if (active)
        active->prev = r;
    active = r;
}

bool mpi__active_any(void)
{
    return active != NULL;
}

static void active_remove(MPI_Request r)
{
    if (r->prev)
        r->prev->next = r->next;
    else if (active == r)
        active = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

void mpi__status_empty(MPI_Status *status, int source)
{
    if (status) {
        status->MPI_SOURCE = source;
        status->MPI_TAG = MPI_ANY_TAG;
        status->MPI_ERROR = MPI_SUCCESS;
        status->mpi__cancelled = 0;
        status->mpi__bytes = 0;
    }
}

static bool pending(MPI_Request r)
{
    return r->parts[0] != MPR_REQUEST_NULL || r->parts[1] != MPR_REQUEST_NULL;
}

/* Part i of r has completed with rc and status s (libmpr set it NULL). */
static void settle(MPI_Request r, int i, int rc, const mpr_status *s)
{
    r->part_rc[i] = mpi__from_mpr(rc);
    if (i != 0)
        return;
    r->data_status = *s;
    if (!r->recv) {
        free(r->tmp);
        r->tmp = NULL;
        return;
    }
    active_remove(r);
    if (r->freed) { /* MPI_Request_free'd in flight: nobody will ask */
        if (s->source >= 0 && rc != MPR_ERR_PROC_FAILED)
            mpi__sync_received(r->comm, s->source, s->tag);
        if (r->tmp)
            mpi__unpack(r->tmp, s->count < r->capacity ? s->count : r->capacity, r->ubuf,
                        r->count, r->type);
        free(r->tmp);
        mpi__request_release(r);
        return;
    }
    if (s->source >= 0 && rc != MPR_ERR_PROC_FAILED)
        mpi__sync_received(r->comm, s->source, s->tag);
    if (r->tmp) {
        size_t got = s->count < r->capacity ? s->count : r->capacity;
        mpi__unpack(r->tmp, got, r->ubuf, r->count, r->type);
        free(r->tmp);
        r->tmp = NULL;
    }
}

/*
 * Wait until a part of one of reqs[0..n) or of a receive in flight
 * completes, and settle every part that has. *which = the index in reqs
 * of a request a part of which completed, or -1 when only other receives
 * did. With extra (not NULL, n == 0) wait for that libmpr request too:
 * *which = 0 when it completed (its status in *xs, its result returned
 * negated when it failed).
 */
static int wait_parts(int n, MPI_Request reqs[], mpr_request *extra, mpr_status *xs, int *which)
{
    int cap = n + (extra ? 1 : 0);
    for (MPI_Request a = active; a; a = a->next)
        cap++;
    mpr_request stack_h[STACK_PARTS];
    MPI_Request stack_o[STACK_PARTS];
    int stack_p[STACK_PARTS], stack_i[STACK_PARTS], stack_r[STACK_PARTS];
    mpr_status stack_s[STACK_PARTS];
    mpr_request *h = stack_h;
    MPI_Request *owner = stack_o;
    int *part = stack_p, *idx = stack_i, *res = stack_r;
    mpr_status *sts = stack_s;
    if (cap > STACK_PARTS) {
        h = malloc(sizeof(*h) * (size_t)cap);
        owner = malloc(sizeof(*owner) * (size_t)cap);
        part = malloc(sizeof(*part) * (size_t)cap * 3);
        sts = malloc(sizeof(*sts) * (size_t)cap);
        if (!h || !owner || !part || !sts) {
            free(h); free(owner); free(part); free(sts);
            return MPI_ERR_NO_MEM;
        }
        idx = part + cap;
        res = part + 2 * cap;
    }
    int k = 0;
    if (extra) {
        h[k] = *extra;
        owner[k] = NULL;
        part[k++] = -1;
    }
    for (int i = 0; i < n; i++) {
        MPI_Request r = reqs[i];
        if (!r || !pending(r))
            continue;
        r->marked = true;
        int p = r->parts[0] ? 0 : 1;
        h[k] = r->parts[p];
        owner[k] = r;
        part[k++] = p;
    }
    for (MPI_Request a = active; a; a = a->next) {
        if (a->marked)
            continue;
        h[k] = a->parts[0];
        owner[k] = a;
        part[k++] = 0;
    }
    for (int i = 0; i < n; i++)
        if (reqs[i])
            reqs[i]->marked = false;
    int got = 0;
    int rc = mpr_waitsome(k, h, &got, idx, sts, res);
    mpi__epoch++;
    int result = MPI_SUCCESS;
    *which = -1;
    if (rc != MPR_SUCCESS || got <= 0) {
        result = mpi__from_mpr(rc);
        if (result == MPI_SUCCESS)
            result = MPI_ERR_INTERN;
        got = 0;
    }
    for (int j = 0; j < got; j++) {
        int e = idx[j];
        if (!owner[e]) {
            *extra = MPR_REQUEST_NULL;
            if (xs)
                *xs = sts[j];
            *which = 0;
            if (res[j] != MPR_SUCCESS)
                result = -mpi__from_mpr(res[j]);
            continue;
        }
        MPI_Request r = owner[e];
        bool mine = false;
        for (int i = 0; i < n && !mine; i++)
            mine = reqs[i] == r;
        r->parts[part[e]] = MPR_REQUEST_NULL;
        settle(r, part[e], res[j], &sts[j]);
        if (mine && *which < 0)
            for (int i = 0; i < n; i++)
                if (reqs[i] == r)
                    *which = i;
    }
    if (h != stack_h) {
        free(h); free(owner); free(part); free(sts);
    }
    return result;
}

int mpi__wait_mpr(mpr_request *req, mpr_status *status)
{
    if (!active)
        return mpi__from_mpr(mpr_wait(req, status));
    while (*req) {
        int which = -1;
        int rc = wait_parts(0, NULL, req, status, &which);
        if (rc < 0)
            return -rc; /* the awaited request completed with an error */
        if (rc != MPI_SUCCESS)
            return rc;
    }
    return MPI_SUCCESS;
}

/* r has no part in flight: fill status, free r. Returns r's error. */
static int complete(MPI_Request r, MPI_Status *status)
{
    int err = r->part_rc[0] != MPI_SUCCESS ? r->part_rc[0] : r->part_rc[1];
    if (status) {
        if (r->proc_null) {
            mpi__status_empty(status, r->recv ? MPI_PROC_NULL : MPI_ANY_SOURCE);
        } else if (r->recv) {
            status->MPI_SOURCE = r->data_status.source;
            status->MPI_TAG = r->data_status.tag;
            status->mpi__cancelled = 0;
            status->mpi__bytes = r->data_status.count < r->capacity ? r->data_status.count
                                                                   : r->capacity;
        } else {
            mpi__status_empty(status, MPI_ANY_SOURCE);
        }
        status->MPI_ERROR = err;
    }
    free(r->tmp);
    mpi__request_release(r);
    return err;
}

static bool request_ok(MPI_Request r)
{
    return r && r->magic == MPI__MAGIC_REQ;
}

/* Drive r's parts to completion (no error handler). */
static int drive(MPI_Request r)
{
    bool alone = !active || (active == r && !r->next);
    if (alone && r->parts[0] && !r->parts[1]) {
        mpr_status s = { 0 };
        int rc = mpr_wait(&r->parts[0], &s);
        mpi__epoch++;
        settle(r, 0, rc, &s);
        return MPI_SUCCESS;
    }
    while (pending(r)) {
        int which;
        int rc = wait_parts(1, &r, NULL, NULL, &which);
        if (rc != MPI_SUCCESS)
            return rc;
    }
    return MPI_SUCCESS;
}

int mpi__request_finish(MPI_Request *req, MPI_Status *status)
{
    int rc = drive(*req);
    if (rc != MPI_SUCCESS)
        return rc;
    rc = complete(*req, status);
    *req = MPI_REQUEST_NULL;
    return rc;
}

int MPI_Wait(MPI_Request *request, MPI_Status *status)
{
    int rc = mpi__ready();
    if (rc == MPI_SUCCESS && !request)
        rc = MPI_ERR_REQUEST;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Wait");
    if (*request == MPI_REQUEST_NULL) {
        mpi__status_empty(status, MPI_ANY_SOURCE);
        return MPI_SUCCESS;
    }
    if (!request_ok(*request))
        return mpi__error(NULL, MPI_ERR_REQUEST, "MPI_Wait");
    MPI_Comm comm = (*request)->comm;
    MPI__RET(comm, mpi__request_finish(request, status), "MPI_Wait");
}

static int check_array(int count, MPI_Request reqs[])
{
    int rc = mpi__ready();
    if (rc != MPI_SUCCESS)
        return rc;
    if (count < 0 || (count > 0 && !reqs))
        return MPI_ERR_ARG;
    for (int i = 0; i < count; i++)
        if (reqs[i] && !request_ok(reqs[i]))
            return MPI_ERR_REQUEST;
    return MPI_SUCCESS;
}

/* The first failing request's communicator names the handler. */
static MPI_Comm comm_of_array(int count, MPI_Request reqs[])
{
    for (int i = 0; i < count; i++)
        if (reqs[i])
            return reqs[i]->comm;
    return NULL;
}

int MPI_Waitall(int count, MPI_Request requests[], MPI_Status statuses[])
{
    int rc = check_array(count, requests);
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Waitall");
    MPI_Comm comm = comm_of_array(count, requests);
    int first = MPI_SUCCESS;
    for (int i = 0; statuses && i < count; i++)
        if (!requests[i])
            mpi__status_empty(&statuses[i], MPI_ANY_SOURCE);
    /* One wait over all of them (and the receives in flight) settles
     * every part that completed, whichever it waited for. */
    int left = 1;
    while (left) {
        left = 0;
        for (int i = 0; i < count && !left; i++)
            left = requests[i] && pending(requests[i]);
        int which;
        if (left && (rc = wait_parts(count, requests, NULL, NULL, &which)) != MPI_SUCCESS)
            return mpi__error(comm, rc, "MPI_Waitall");
    }
    for (int i = 0; i < count; i++) {
        if (!requests[i])
            continue;
        int one = complete(requests[i], statuses ? &statuses[i] : NULL);
        requests[i] = MPI_REQUEST_NULL;
        if (one != MPI_SUCCESS && first == MPI_SUCCESS)
            first = one;
    }
    if (first != MPI_SUCCESS && statuses)
        first = MPI_ERR_IN_STATUS;
    MPI__RET(comm, first, "MPI_Waitall");
}

/* Index of a request with nothing in flight, -1 if none, -2 if all NULL. */
static int find_done(int count, MPI_Request reqs[])
{
    bool any = false;
    for (int i = 0; i < count; i++) {
        if (!reqs[i])
            continue;
        any = true;
        if (!pending(reqs[i]))
            return i;
    }
    return any ? -1 : -2;
}

int MPI_Waitany(int count, MPI_Request requests[], int *index, MPI_Status *status)
{
    int rc = check_array(count, requests);
    if (rc == MPI_SUCCESS && !index)
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Waitany");
    MPI_Comm comm = comm_of_array(count, requests);
    int i;
    while ((i = find_done(count, requests)) == -1) {
        int which;
        if ((rc = wait_parts(count, requests, NULL, NULL, &which)) != MPI_SUCCESS)
            return mpi__error(comm, rc, "MPI_Waitany");
    }
    if (i == -2) {
        *index = MPI_UNDEFINED;
        mpi__status_empty(status, MPI_ANY_SOURCE);
        return MPI_SUCCESS;
    }
    *index = i;
    comm = requests[i]->comm;
    rc = complete(requests[i], status);
    requests[i] = MPI_REQUEST_NULL;
    MPI__RET(comm, rc, "MPI_Waitany");
}

/* Complete every request with nothing in flight; *outcount of them. */
static int harvest(int count, MPI_Request reqs[], int *outcount, int indices[],
                   MPI_Status statuses[])
{
    int n = 0, first = MPI_SUCCESS;
    for (int i = 0; i < count; i++) {
        if (!reqs[i] || pending(reqs[i]))
            continue;
        int one = complete(reqs[i], statuses ? &statuses[n] : NULL);
        reqs[i] = MPI_REQUEST_NULL;
        if (one != MPI_SUCCESS && first == MPI_SUCCESS)
            first = one;
        indices[n++] = i;
    }
    *outcount = n;
    return first != MPI_SUCCESS && statuses ? MPI_ERR_IN_STATUS : first;
}

int MPI_Waitsome(int incount, MPI_Request requests[], int *outcount, int indices[],
                 MPI_Status statuses[])
{
    int rc = check_array(incount, requests);
    if (rc == MPI_SUCCESS && (!outcount || (incount > 0 && !indices)))
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Waitsome");
    MPI_Comm comm = comm_of_array(incount, requests);
    int i;
    while ((i = find_done(incount, requests)) == -1) {
        int which;
        if ((rc = wait_parts(incount, requests, NULL, NULL, &which)) != MPI_SUCCESS)
            return mpi__error(comm, rc, "MPI_Waitsome");
    }
    if (i == -2) {
        *outcount = MPI_UNDEFINED;
        return MPI_SUCCESS;
    }
    MPI__RET(comm, harvest(incount, requests, outcount, indices, statuses), "MPI_Waitsome");
}

/* Without blocking: settle whatever parts of r have completed. */
static void poll(MPI_Request r)
{
    for (int i = 0; i < 2; i++) {
        if (!r->parts[i])
            continue;
        int flag = 0;
        mpr_status s = { 0 };
        int rc = mpr_test(&r->parts[i], &flag, &s);
        mpi__epoch++;
        if (flag) {
            bool gone = r->recv && r->freed && i == 0;
            settle(r, i, rc, &s);
            if (gone)
                return;
        } else
            break; /* the acknowledgement comes after the data */
    }
}

/* Without blocking: finish the receives in flight that have completed. */
static void poll_active(void)
{
    for (MPI_Request a = active, next; a; a = next) {
        next = a->next;
        poll(a);
    }
}

int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status)
{
    int rc = mpi__ready();
    if (rc == MPI_SUCCESS && (!request || !flag))
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS && *request && !request_ok(*request))
        rc = MPI_ERR_REQUEST;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Test");
    if (*request == MPI_REQUEST_NULL) {
        *flag = 1;
        mpi__status_empty(status, MPI_ANY_SOURCE);
        return MPI_SUCCESS;
    }
    MPI_Request r = *request;
    poll(r);
    if (pending(r)) {
        poll_active();
        *flag = 0;
        return MPI_SUCCESS;
    }
    *flag = 1;
    MPI_Comm comm = r->comm;
    rc = complete(r, status);
    *request = MPI_REQUEST_NULL;
    MPI__RET(comm, rc, "MPI_Test");
}

int MPI_Testall(int count, MPI_Request requests[], int *flag, MPI_Status statuses[])
{
    int rc = check_array(count, requests);
    if (rc == MPI_SUCCESS && !flag)
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Testall");
    MPI_Comm comm = comm_of_array(count, requests);
    bool all = true;
    for (int i = 0; i < count; i++) {
        if (!requests[i])
            continue;
        poll(requests[i]);
        if (pending(requests[i]))
            all = false;
    }
    if (!all) {
        poll_active();
        *flag = 0;
        return MPI_SUCCESS;
    }
    *flag = 1;
    int first = MPI_SUCCESS;
    for (int i = 0; i < count; i++) {
        if (!requests[i]) {
            if (statuses)
                mpi__status_empty(&statuses[i], MPI_ANY_SOURCE);
            continue;
        }
        int one = complete(requests[i], statuses ? &statuses[i] : NULL);
        requests[i] = MPI_REQUEST_NULL;
        if (one != MPI_SUCCESS && first == MPI_SUCCESS)
            first = one;
    }
    MPI__RET(comm, first != MPI_SUCCESS && statuses ? MPI_ERR_IN_STATUS : first, "MPI_Testall");
}

int MPI_Testany(int count, MPI_Request requests[], int *index, int *flag, MPI_Status *status)
{
    int rc = check_array(count, requests);
    if (rc == MPI_SUCCESS && (!index || !flag))
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Testany");
    for (int i = 0; i < count; i++)
        if (requests[i])
            poll(requests[i]);
    int i = find_done(count, requests);
    if (i == -2) {
        *flag = 1;
        *index = MPI_UNDEFINED;
        mpi__status_empty(status, MPI_ANY_SOURCE);
        return MPI_SUCCESS;
    }
    if (i == -1) {
        poll_active();
        *flag = 0;
        *index = MPI_UNDEFINED;
        return MPI_SUCCESS;
    }
    *flag = 1;
    *index = i;
    MPI_Comm comm = requests[i]->comm;
    rc = complete(requests[i], status);
    requests[i] = MPI_REQUEST_NULL;
    MPI__RET(comm, rc, "MPI_Testany");
}

int MPI_Testsome(int incount, MPI_Request requests[], int *outcount, int indices[],
                 MPI_Status statuses[])
{
    int rc = check_array(incount, requests);
    if (rc == MPI_SUCCESS && (!outcount || (incount > 0 && !indices)))
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Testsome");
    MPI_Comm comm = comm_of_array(incount, requests);
    for (int i = 0; i < incount; i++)
        if (requests[i])
            poll(requests[i]);
    if (find_done(incount, requests) == -2) {
        *outcount = MPI_UNDEFINED;
        return MPI_SUCCESS;
    }
    rc = harvest(incount, requests, outcount, indices, statuses);
    if (*outcount == 0)
        poll_active();
    MPI__RET(comm, rc, "MPI_Testsome");
}

/* Requests freed in flight finish on their own; reclaim those done. */
static void reclaim_detached(bool wait)
{
    for (MPI_Request *pp = &detached; *pp;) {
        MPI_Request r = *pp;
        if (wait)
            drive(r);
        else
            poll(r);
        if (!pending(r)) {
            *pp = r->next;
            r->next = NULL;
            complete(r, NULL);
        } else {
            pp = &r->next;
        }
    }
}

void mpi__requests_release_all(void)
{
    reclaim_detached(true);
}

int MPI_Request_free(MPI_Request *request)
{
    int rc = mpi__ready();
    if (rc == MPI_SUCCESS && (!request || !request_ok(*request)))
        rc = MPI_ERR_REQUEST;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Request_free");
    MPI_Request r = *request;
    *request = MPI_REQUEST_NULL;
    reclaim_detached(false);
    poll(r);
    if (!pending(r)) {
        complete(r, NULL);
        return MPI_SUCCESS;
    }
    if (r->recv) { /* it stays on the active list; settle() frees it */
        r->freed = true;
        return MPI_SUCCESS;
    }
    r->next = detached;
    detached = r;
    return MPI_SUCCESS;
}
