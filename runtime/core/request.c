/* request.c - request allocation (a free list) and completion. */
#include <stdlib.h>
#include <string.h>

#include "core/mpr_internal.h"

struct mpr_request *mpr__request_alloc(enum mpr__req_kind kind)
{
    struct mpr_request *req = mpr__g.free_requests;
    if (req)
        mpr__g.free_requests = req->next_free;
    else if (!(req = malloc(sizeof(*req))))
        return NULL;
    mpr__request_zero(req);
    req->kind = kind;
    return req;
}

void mpr__request_free(struct mpr_request *req)
{
    req->next_free = mpr__g.free_requests;
    mpr__g.free_requests = req;
}

void mpr__request_complete(struct mpr_request *req, int error)
{
    req->error = error;
    req->status.error = error;
    req->done = true;
}

void mpr__requests_release_all(void)
{
    struct mpr_request *req;
    while ((req = mpr__g.free_requests) != NULL) {
        mpr__g.free_requests = req->next_free;
        free(req);
    }
}
