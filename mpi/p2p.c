/*
 * p2p.c - point-to-point: send modes, receive, probe, and the Ssend
 * handshake.
 *
 * Ssend/Issend are synchronous: before its data the sender sends a note
 * on the communicator's hidden twin naming the message by its count (the
 * n-th message it sent to that rank with that tag), and completes only
 * when the receiver acknowledges. The receiver counts what it receives
 * per (source, tag); when it receives the n-th message, a note for n (it
 * came first: libmpr delivers a peer's messages in order) is answered.
 * Messages of one sender and tag are matched in order, so the counts
 * agree.
 *
 * Requests in flight are completed by whichever wait sees them first
 * (request.c): every blocking call of this layer also finishes the
 * receives posted earlier, so a receive that matched an Issend is
 * acknowledged even while its owner waits for something else.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

static int check_args(const void *buf, int count, MPI_Datatype type, int peer,
                      bool any_source, int tag, bool any_tag, MPI_Comm comm)
{
    int rc = mpi__check_comm(comm);
    if (rc != MPI_SUCCESS)
        return rc;
    if (count < 0)
        return MPI_ERR_COUNT;
    if ((rc = mpi__check_type(type)) != MPI_SUCCESS)
        return rc;
    if (!((tag >= 0 && tag <= MPI__TAG_UB) || (any_tag && tag == MPI_ANY_TAG)))
        return MPI_ERR_TAG;
    if (!(peer == MPI_PROC_NULL || (peer >= 0 && peer < comm->size) ||
          (any_source && peer == MPI_ANY_SOURCE)))
        return MPI_ERR_RANK;
    if (!buf && count > 0 && type->size > 0)
        return MPI_ERR_BUFFER;
    return MPI_SUCCESS;
}

static MPI_Request request_new(MPI_Comm comm, bool recv)
{
    MPI_Request r = mpi__request_alloc();
    if (r) {
        r->magic = MPI__MAGIC_REQ;
        r->comm = comm;
        r->recv = recv;
    }
    return r;
}

/* Start a send; with out NULL, finish it before returning. */
static int send_start(const void *buf, int count, MPI_Datatype type, int dest, int tag,
                      MPI_Comm comm, bool sync, MPI_Request *out)
{
    if (dest == MPI_PROC_NULL) {
        if (!out)
            return MPI_SUCCESS;
        MPI_Request r = request_new(comm, false);
        if (!r)
            return MPI_ERR_NO_MEM;
        r->proc_null = true;
        *out = r;
        return MPI_SUCCESS;
    }
    size_t bytes = mpi__bytes(count, type);
    const void *data = buf;
    void *tmp = NULL;
    if (!type->contiguous && bytes > 0) {
        if (!(tmp = malloc(bytes)))
            return MPI_ERR_NO_MEM;
        mpi__pack(buf, count, type, tmp);
        data = tmp;
    }
    uint32_t seq = mpi__seqmap_bump(&comm->sent, dest, tag);
    int rc = MPI_SUCCESS;
    MPI_Request r = NULL;
    /* A blocking send waits in request.c too while receives are in flight,
     * so they are finished (and acknowledged) meanwhile. */
    if (out || sync || mpi__active_any()) {
        if (!(r = request_new(comm, false))) {
            free(tmp);
            return MPI_ERR_NO_MEM;
        }
        r->tmp = tmp;
    }
    if (sync) {
        rc = mpi__from_mpr(mpr_send(&seq, sizeof(seq), dest, tag, comm->sys));
        if (rc == MPI_SUCCESS)
            rc = mpi__from_mpr(mpr_irecv(&r->ack, sizeof(r->ack), dest, MPI__TAG_ACK | tag,
                                         comm->sys, &r->parts[1]));
    }
    if (rc == MPI_SUCCESS && r)
        rc = mpi__from_mpr(mpr_isend(data, bytes, dest, tag, comm->comm, &r->parts[0]));
    else if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_send(data, bytes, dest, tag, comm->comm));
    if (rc != MPI_SUCCESS) {
        if (r) {
            for (int i = 0; i < 2; i++)
                if (r->parts[i])
                    mpr_wait(&r->parts[i], MPR_STATUS_IGNORE);
            mpi__request_release(r);
        }
        free(tmp);
        return rc;
    }
    if (!r) {
        free(tmp);
        return MPI_SUCCESS;
    }
    if (out) {
        *out = r;
        return MPI_SUCCESS;
    }
    return mpi__request_finish(&r, MPI_STATUS_IGNORE);
}

static int recv_start(void *buf, int count, MPI_Datatype type, int source, int tag,
                      MPI_Comm comm, MPI_Request *out)
{
    MPI_Request r = request_new(comm, true);
    if (!r)
        return MPI_ERR_NO_MEM;
    if (source == MPI_PROC_NULL) {
        r->proc_null = true;
        *out = r;
        return MPI_SUCCESS;
    }
    size_t bytes = mpi__bytes(count, type);
    void *data = buf;
    if (!type->contiguous && bytes > 0) {
        if (!(r->tmp = malloc(bytes))) {
            mpi__request_release(r);
            return MPI_ERR_NO_MEM;
        }
        data = r->tmp;
        r->ubuf = buf;
        r->count = count;
        r->type = type;
    }
    int rc = mpr_irecv(data, bytes, source == MPI_ANY_SOURCE ? MPR_ANY_SOURCE : source,
                       tag == MPI_ANY_TAG ? MPR_ANY_TAG : tag, comm->comm, &r->parts[0]);
    if (rc != MPR_SUCCESS) {
        free(r->tmp);
        mpi__request_release(r);
        return mpi__from_mpr(rc);
    }
    r->capacity = bytes;
    mpi__active_add(r);
    *out = r;
    return MPI_SUCCESS;
}

/* The receiver's side of the handshake: (source, tag) has just been
 * received on comm; acknowledge it if its sender waits for that. */
void mpi__sync_received(MPI_Comm comm, int source, int tag)
{
    uint32_t n = mpi__seqmap_bump(&comm->received, source, tag);
    /* Notes come before their messages: when the hidden twin holds no
     * message at all, none of the receives completed together with this
     * one was synchronous, and one look serves the whole batch. */
    if (!comm->notes && comm->quiet_epoch != mpi__epoch) {
        int any = 1;
        if (mpr_iprobe(MPR_ANY_SOURCE, MPR_ANY_TAG, comm->sys, &any, MPR_STATUS_IGNORE) == MPR_SUCCESS &&
            !any)
            comm->quiet_epoch = mpi__epoch;
    }
    if (!comm->notes && comm->quiet_epoch == mpi__epoch)
        return;
    struct mpi__sync_note **pp = &comm->notes;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->peer == source && (*pp)->tag == tag)
            break;
    uint32_t seq;
    if (*pp) {
        if ((*pp)->seq != n)
            return; /* the oldest note is for a later message */
        struct mpi__sync_note *hit = *pp;
        *pp = hit->next;
        free(hit);
        seq = n;
    } else {
        int flag = 0;
        if (mpr_iprobe(source, tag, comm->sys, &flag, MPR_STATUS_IGNORE) != MPR_SUCCESS || !flag)
            return;
        if (mpr_recv(&seq, sizeof(seq), source, tag, comm->sys, MPR_STATUS_IGNORE) != MPR_SUCCESS)
            return;
        if (seq != n) {
            struct mpi__sync_note *keep = malloc(sizeof(*keep));
            if (keep) {
                *keep = (struct mpi__sync_note){ .next = NULL, .peer = source, .tag = tag, .seq = seq };
                *pp = keep; /* pp is the list's end */
            }
            return;
        }
    }
    mpr_send(&seq, sizeof(seq), source, MPI__TAG_ACK | tag, comm->sys);
}

/* ---- the calls ---- */

/*
 * Every send mode but the buffered one: a ready send is a standard send
 * here, the synchronous modes wait for the receiver's acknowledgement.
 * Immediate modes start it and hand back *request; the others (request
 * NULL) finish it.
 */
static int send_mode(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                     MPI_Comm comm, bool sync, bool immediate, MPI_Request *request)
{
    int rc = check_args(buf, count, datatype, dest, false, tag, false, comm);
    if (rc == MPI_SUCCESS && immediate && !request)
        rc = MPI_ERR_REQUEST;
    if (rc == MPI_SUCCESS)
        rc = send_start(buf, count, datatype, dest, tag, comm, sync, request);
    return rc;
}

int MPI_Send(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    MPI__RET(comm, send_mode(buf, count, datatype, dest, tag, comm, false, false, NULL),
             "MPI_Send");
}

int MPI_Rsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    MPI__RET(comm, send_mode(buf, count, datatype, dest, tag, comm, false, false, NULL),
             "MPI_Rsend");
}

int MPI_Ssend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    MPI__RET(comm, send_mode(buf, count, datatype, dest, tag, comm, true, false, NULL),
             "MPI_Ssend");
}

int MPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
              MPI_Comm comm, MPI_Request *request)
{
    MPI__RET(comm, send_mode(buf, count, datatype, dest, tag, comm, false, true, request),
             "MPI_Isend");
}

int MPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, MPI_Request *request)
{
    MPI__RET(comm, send_mode(buf, count, datatype, dest, tag, comm, false, true, request),
             "MPI_Irsend");
}

int MPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, MPI_Request *request)
{
    MPI__RET(comm, send_mode(buf, count, datatype, dest, tag, comm, true, true, request),
             "MPI_Issend");
}

int MPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
              MPI_Comm comm, MPI_Request *request)
{
    int rc = check_args(buf, count, datatype, source, true, tag, true, comm);
    if (rc == MPI_SUCCESS && !request)
        rc = MPI_ERR_REQUEST;
    if (rc == MPI_SUCCESS)
        rc = recv_start(buf, count, datatype, source, tag, comm, request);
    MPI__RET(comm, rc, "MPI_Irecv");
}

int MPI_Recv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
             MPI_Status *status)
{
    int rc = check_args(buf, count, datatype, source, true, tag, true, comm);
    MPI_Request r = NULL;
    if (rc == MPI_SUCCESS)
        rc = recv_start(buf, count, datatype, source, tag, comm, &r);
    if (rc == MPI_SUCCESS)
        rc = mpi__request_finish(&r, status);
    MPI__RET(comm, rc, "MPI_Recv");
}

/* Post the receive, start the send, finish both (arguments checked). A
 * send that failed to start is the error; then the receive's, the send's. */
static int exchange(const void *sendbuf, int sendcount, MPI_Datatype sendtype, int dest,
                    int sendtag, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                    int source, int recvtag, MPI_Comm comm, MPI_Status *status)
{
    MPI_Request rr = NULL, sr = NULL;
    int rc = recv_start(recvbuf, recvcount, recvtype, source, recvtag, comm, &rr);
    if (rc != MPI_SUCCESS)
        return rc;
    rc = send_start(sendbuf, sendcount, sendtype, dest, sendtag, comm, false, &sr);
    int rrc = mpi__request_finish(&rr, status);
    if (rc == MPI_SUCCESS) {
        rc = mpi__request_finish(&sr, MPI_STATUS_IGNORE);
        if (rrc != MPI_SUCCESS)
            rc = rrc;
    }
    return rc;
}

int MPI_Sendrecv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, int dest,
                 int sendtag, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                 int source, int recvtag, MPI_Comm comm, MPI_Status *status)
{
    int rc = check_args(sendbuf, sendcount, sendtype, dest, false, sendtag, false, comm);
    if (rc == MPI_SUCCESS)
        rc = check_args(recvbuf, recvcount, recvtype, source, true, recvtag, true, comm);
    if (rc == MPI_SUCCESS)
        rc = exchange(sendbuf, sendcount, sendtype, dest, sendtag, recvbuf, recvcount, recvtype,
                      source, recvtag, comm, status);
    MPI__RET(comm, rc, "MPI_Sendrecv");
}

int MPI_Sendrecv_replace(void *buf, int count, MPI_Datatype datatype, int dest, int sendtag,
                         int source, int recvtag, MPI_Comm comm, MPI_Status *status)
{
    int rc = check_args(buf, count, datatype, dest, false, sendtag, false, comm);
    if (rc == MPI_SUCCESS)
        rc = check_args(buf, count, datatype, source, true, recvtag, true, comm);
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, "MPI_Sendrecv_replace");
    size_t bytes = mpi__bytes(count, datatype);
    void *copy = malloc(bytes ? bytes : 1);
    if (!copy)
        return mpi__error(comm, MPI_ERR_NO_MEM, "MPI_Sendrecv_replace");
    mpi__pack(buf, count, datatype, copy);
    rc = exchange(copy, (int)bytes, MPI_BYTE, dest, sendtag, buf, count, datatype, source,
                  recvtag, comm, status);
    free(copy);
    MPI__RET(comm, rc, "MPI_Sendrecv_replace");
}

static void probe_status(const mpr_status *s, MPI_Status *status)
{
    if (status) {
        status->MPI_SOURCE = s->source;
        status->MPI_TAG = s->tag;
        status->MPI_ERROR = MPI_SUCCESS;
        status->mpi__cancelled = 0;
        status->mpi__bytes = s->count;
    }
}

int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status *status)
{
    int rc = check_args(NULL, 0, MPI_BYTE, source, true, tag, true, comm);
    if (rc == MPI_SUCCESS && source == MPI_PROC_NULL) {
        mpi__status_empty(status, MPI_PROC_NULL);
        return MPI_SUCCESS;
    }
    mpr_status s;
    if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_probe(source == MPI_ANY_SOURCE ? MPR_ANY_SOURCE : source,
                                     tag == MPI_ANY_TAG ? MPR_ANY_TAG : tag, comm->comm, &s));
    if (rc == MPI_SUCCESS)
        probe_status(&s, status);
    MPI__RET(comm, rc, "MPI_Probe");
}

int MPI_Iprobe(int source, int tag, MPI_Comm comm, int *flag, MPI_Status *status)
{
    int rc = check_args(NULL, 0, MPI_BYTE, source, true, tag, true, comm);
    if (rc == MPI_SUCCESS && !flag)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS && source == MPI_PROC_NULL) {
        *flag = 1;
        mpi__status_empty(status, MPI_PROC_NULL);
        return MPI_SUCCESS;
    }
    mpr_status s;
    if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_iprobe(source == MPI_ANY_SOURCE ? MPR_ANY_SOURCE : source,
                                      tag == MPI_ANY_TAG ? MPR_ANY_TAG : tag, comm->comm, flag, &s));
    if (rc == MPI_SUCCESS && *flag)
        probe_status(&s, status);
    MPI__RET(comm, rc, "MPI_Iprobe");
}

int MPI_Get_count(const MPI_Status *status, MPI_Datatype datatype, int *count)
{
    int rc = status && count ? mpi__check_type(datatype) : MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Get_count");
    if (datatype->size == 0)
        *count = 0;
    else if (status->mpi__bytes % datatype->size)
        *count = MPI_UNDEFINED;
    else
        *count = (int)(status->mpi__bytes / datatype->size);
    return MPI_SUCCESS;
}

int MPI_Get_elements(const MPI_Status *status, MPI_Datatype datatype, int *count)
{
    int rc = status && count ? mpi__check_type(datatype) : MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Get_elements");
    if (datatype->prim && datatype->prim->size > 0 && status->mpi__bytes % datatype->prim->size == 0)
        *count = (int)(status->mpi__bytes / datatype->prim->size);
    else
        return MPI_Get_count(status, datatype, count);
    return MPI_SUCCESS;
}

/* ---- buffered sends ----
 * Bsend copies the message and sends the copy; the attached buffer's size
 * bounds what copies may be in flight (each costs its bytes plus
 * MPI_BSEND_OVERHEAD), as in MPI. */
struct bsend {
    struct bsend *next;
    mpr_request req;
    size_t charge;
};
static struct {
    void *buffer;
    size_t size, used;
    struct bsend *inflight;
} bsend_state;

static void bsend_reclaim(bool wait)
{
    struct bsend **pp = &bsend_state.inflight;
    while (*pp) {
        struct bsend *b = *pp;
        int flag = 1;
        if (wait)
            mpi__wait_mpr(&b->req, MPR_STATUS_IGNORE);
        else
            mpr_test(&b->req, &flag, MPR_STATUS_IGNORE);
        if (flag && !b->req) {
            bsend_state.used -= b->charge;
            *pp = b->next;
            free(b);
        } else {
            pp = &b->next;
        }
    }
}

void mpi__bsend_release_all(void)
{
    bsend_reclaim(true);
}

int MPI_Buffer_attach(void *buffer, int size)
{
    int rc = mpi__ready();
    if (rc == MPI_SUCCESS && (size < 0 || (!buffer && size > 0)))
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS && bsend_state.buffer)
        rc = MPI_ERR_BUFFER; /* one buffer at a time */
    if (rc == MPI_SUCCESS) {
        bsend_state.buffer = buffer;
        bsend_state.size = (size_t)size;
    }
    MPI__RET(NULL, rc, "MPI_Buffer_attach");
}

int MPI_Buffer_detach(void *buffer_addr, int *size)
{
    int rc = mpi__ready();
    if (rc == MPI_SUCCESS && (!buffer_addr || !size))
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Buffer_detach");
    bsend_reclaim(true); /* detach waits for the buffered messages to leave */
    *(void **)buffer_addr = bsend_state.buffer;
    *size = (int)bsend_state.size;
    bsend_state.buffer = NULL;
    bsend_state.size = 0;
    return MPI_SUCCESS;
}

int MPI_Bsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    int rc = check_args(buf, count, datatype, dest, false, tag, false, comm);
    if (rc != MPI_SUCCESS || dest == MPI_PROC_NULL)
        MPI__RET(comm, rc, "MPI_Bsend");
    size_t bytes = mpi__bytes(count, datatype);
    size_t charge = bytes + MPI_BSEND_OVERHEAD;
    bsend_reclaim(false);
    if (bsend_state.used + charge > bsend_state.size)
        return mpi__error(comm, MPI_ERR_BUFFER, "MPI_Bsend");
    struct bsend *b = malloc(sizeof(*b) + bytes);
    if (!b)
        return mpi__error(comm, MPI_ERR_NO_MEM, "MPI_Bsend");
    mpi__pack(buf, count, datatype, b + 1);
    mpi__seqmap_bump(&comm->sent, dest, tag);
    rc = mpi__from_mpr(mpr_isend(b + 1, bytes, dest, tag, comm->comm, &b->req));
    if (rc != MPI_SUCCESS) {
        free(b);
        return mpi__error(comm, rc, "MPI_Bsend");
    }
    b->charge = charge;
    b->next = bsend_state.inflight;
    bsend_state.inflight = b;
    bsend_state.used += charge;
    return MPI_SUCCESS;
}

int MPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, MPI_Request *request)
{
    if (!request)
        return mpi__error(comm, MPI_ERR_REQUEST, "MPI_Ibsend");
    int rc = MPI_Bsend(buf, count, datatype, dest, tag, comm);
    if (rc != MPI_SUCCESS)
        return rc;
    /* the copy is made: the request is complete at once */
    MPI_Request r = request_new(comm, false);
    if (!r)
        return mpi__error(comm, MPI_ERR_NO_MEM, "MPI_Ibsend");
    r->proc_null = true;
    *request = r;
    return MPI_SUCCESS;
}
