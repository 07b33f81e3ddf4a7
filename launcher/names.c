/*
 * names.c - the job's directory of published data (see names.h). A job
 * publishes a handful of keys: lists are enough.
 */
#include "names.h"

#include <stdlib.h>
#include <string.h>

struct mprun_names_item {
    uint32_t rank;
    char *key;
    char *value;
    size_t nvalue;
    struct mprun_names_item *next;
};

struct mprun_names_waiter {
    int host;
    struct mprun_names_request req; /* a copy: id, rank and keys */
    mprun_names_reply_fn reply;
    void *ctx;
    struct mprun_names_waiter *next;
};

void mprun_names_request_clear(struct mprun_names_request *r)
{
    for (uint32_t i = 0; r->entries != NULL && i < r->nentries; i++) {
        free(r->entries[i].key);
        free(r->entries[i].value);
    }
    free(r->entries);
    r->entries = NULL;
    r->nentries = 0;
}

void mprun_names_init(struct mprun_names *d)
{
    memset(d, 0, sizeof(*d));
}

static struct mprun_names_item *find(struct mprun_names *d, const char *key)
{
    for (struct mprun_names_item *it = d->items; it != NULL; it = it->next) {
        if (strcmp(it->key, key) == 0)
            return it;
    }
    return NULL;
}

static void answer(mprun_names_reply_fn reply, void *ctx, int host,
                   const struct mprun_names_request *req, uint32_t status)
{
    struct mprun_names_request r = {.id = req->id, .op = req->op, .rank = req->rank,
                                    .status = status};

    reply(ctx, host, &r);
}

static void publish(struct mprun_names *d, const struct mprun_names_request *req,
                    uint32_t *status)
{
    for (uint32_t i = 0; i < req->nentries; i++) {
        bool twice = false;

        for (uint32_t j = 0; j < i && !twice; j++)
            twice = strcmp(req->entries[j].key, req->entries[i].key) == 0;
        if (twice || find(d, req->entries[i].key) != NULL) {
            *status = MPRUN_NAMES_DUPLICATE;
            return;
        }
    }
    for (uint32_t i = 0; i < req->nentries; i++) {
        const struct mprun_names_entry *e = &req->entries[i];
        struct mprun_names_item *it = calloc(1, sizeof(*it));

        if (it != NULL) {
            it->key = strdup(e->key);
            it->value = malloc(e->nvalue > 0 ? e->nvalue : 1);
        }
        if (it == NULL || it->key == NULL || it->value == NULL) {
            if (it != NULL) {
                free(it->key);
                free(it->value);
            }
            free(it);
            *status = MPRUN_NAMES_NOMEM; /* the first ones stay published */
            return;
        }
        if (e->nvalue > 0)
            memcpy(it->value, e->value, e->nvalue);
        it->nvalue = e->nvalue;
        it->rank = req->rank;
        it->next = d->items;
        d->items = it;
    }
    *status = MPRUN_NAMES_OK;
}

/* The entries found for req's keys into reply (which borrows the items'
 * strings); returns how many keys were missing, or -1 out of memory. */
static long collect(struct mprun_names *d, const struct mprun_names_request *req,
                    struct mprun_names_request *reply)
{
    long missing = 0;

    reply->entries = calloc(req->nentries > 0 ? req->nentries : 1, sizeof(*reply->entries));
    if (reply->entries == NULL)
        return -1;
    for (uint32_t i = 0; i < req->nentries; i++) {
        struct mprun_names_item *it = find(d, req->entries[i].key);

        if (it == NULL) {
            missing++;
            continue;
        }
        reply->entries[reply->nentries++] = (struct mprun_names_entry){
            .rank = it->rank, .key = it->key, .value = it->value, .nvalue = it->nvalue};
    }
    return missing;
}

/* Answer a lookup if it can be; returns false if it must wait. */
static bool try_lookup(struct mprun_names *d, int host, const struct mprun_names_request *req,
                       mprun_names_reply_fn reply, void *ctx)
{
    struct mprun_names_request r = {.id = req->id, .op = req->op, .rank = req->rank};
    long missing = collect(d, req, &r);

    if (missing > 0 && req->wait) {
        free(r.entries);
        return false;
    }
    if (missing < 0)
        r.status = MPRUN_NAMES_NOMEM;
    else if (missing == 0)
        r.status = MPRUN_NAMES_OK;
    else
        r.status = r.nentries > 0 ? MPRUN_NAMES_PARTIAL : MPRUN_NAMES_NOT_FOUND;
    reply(ctx, host, &r);
    free(r.entries); /* the strings are the items' */
    return true;
}

static int copy_keys(struct mprun_names_request *dst, const struct mprun_names_request *src)
{
    *dst = *src;
    dst->entries = calloc(src->nentries > 0 ? src->nentries : 1, sizeof(*dst->entries));
    if (dst->entries == NULL)
        return -1;
    for (uint32_t i = 0; i < src->nentries; i++) {
        dst->entries[i].key = strdup(src->entries[i].key);
        if (dst->entries[i].key == NULL) {
            mprun_names_request_clear(dst);
            return -1;
        }
    }
    return 0;
}

static void wait_for_keys(struct mprun_names *d, int host, const struct mprun_names_request *req,
                          mprun_names_reply_fn reply, void *ctx)
{
    struct mprun_names_waiter *w = calloc(1, sizeof(*w)), **tail = &d->waiters;

    if (w == NULL || copy_keys(&w->req, req) != 0) {
        free(w);
        answer(reply, ctx, host, req, MPRUN_NAMES_NOMEM);
        return;
    }
    w->host = host;
    w->reply = reply;
    w->ctx = ctx;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = w; /* oldest first */
}

/* After a publish: answer the waiting lookups that can be now. */
static void wake_waiters(struct mprun_names *d)
{
    struct mprun_names_waiter **link = &d->waiters;

    while (*link != NULL) {
        struct mprun_names_waiter *w = *link;

        if (!try_lookup(d, w->host, &w->req, w->reply, w->ctx)) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        mprun_names_request_clear(&w->req);
        free(w);
    }
}

static void remove_items(struct mprun_names *d, const struct mprun_names_request *req,
                         uint32_t *status)
{
    struct mprun_names_item **link = &d->items;
    bool removed = false;

    while (*link != NULL) {
        struct mprun_names_item *it = *link;
        bool named = req->nentries == 0;

        for (uint32_t i = 0; i < req->nentries && !named; i++)
            named = strcmp(req->entries[i].key, it->key) == 0;
        if (!named || it->rank != req->rank) {
            link = &it->next;
            continue;
        }
        *link = it->next;
        free(it->key);
        free(it->value);
        free(it);
        removed = true;
    }
    *status = removed || req->nentries == 0 ? MPRUN_NAMES_OK : MPRUN_NAMES_NOT_FOUND;
}

void mprun_names_handle(struct mprun_names *d, int host, const struct mprun_names_request *req,
                        mprun_names_reply_fn reply, void *ctx)
{
    uint32_t status = MPRUN_NAMES_NOT_FOUND;

    switch (req->op) {
    case MPRUN_NAMES_PUBLISH:
        publish(d, req, &status);
        answer(reply, ctx, host, req, status);
        if (status == MPRUN_NAMES_OK)
            wake_waiters(d);
        return;
    case MPRUN_NAMES_LOOKUP:
        if (!try_lookup(d, host, req, reply, ctx))
            wait_for_keys(d, host, req, reply, ctx);
        return;
    case MPRUN_NAMES_UNPUBLISH:
        remove_items(d, req, &status);
        answer(reply, ctx, host, req, status);
        return;
    default:
        answer(reply, ctx, host, req, MPRUN_NAMES_NOT_FOUND);
        return;
    }
}

void mprun_names_forget_host(struct mprun_names *d, int host)
{
    struct mprun_names_waiter **link = &d->waiters;

    while (*link != NULL) {
        struct mprun_names_waiter *w = *link;

        if (w->host != host) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        mprun_names_request_clear(&w->req);
        free(w);
    }
}

void mprun_names_free(struct mprun_names *d)
{
    while (d->items != NULL) {
        struct mprun_names_item *it = d->items;

        d->items = it->next;
        free(it->key);
        free(it->value);
        free(it);
    }
    while (d->waiters != NULL) {
        struct mprun_names_waiter *w = d->waiters;

        d->waiters = w->next;
        mprun_names_request_clear(&w->req);
        free(w);
    }
}
