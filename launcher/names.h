/*
 * names.h - the job's directory of published data (PMIx_Publish, _Lookup,
 * _Unpublish), kept by the first mprun for the ranks of every host.
 *
 * Values are opaque bytes (a pmix_value_t as packed by the publisher's PMIx
 * server), so this file knows nothing of PMIx and is unit-tested alone. A
 * request comes from a host (the first mprun's own, or a daemon's over the
 * link) and is answered through a callback, at once or, for a lookup that
 * waits for keys not published yet, when they are.
 */
#ifndef MPRUN_NAMES_H
#define MPRUN_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPRUN_NAMES_KEY_MAX 511      /* bytes of a key (PMIx's own limit) */
#define MPRUN_NAMES_MAX_ENTRIES 4096 /* keys of one request */

enum mprun_names_op {
    MPRUN_NAMES_PUBLISH = 1, /* entries: key and value each */
    MPRUN_NAMES_LOOKUP,      /* entries: keys */
    MPRUN_NAMES_UNPUBLISH,   /* entries: keys; none: all the rank published */
};

enum mprun_names_status {
    MPRUN_NAMES_OK = 0,
    MPRUN_NAMES_NOT_FOUND, /* lookup: none of the keys; unpublish: none of them was ours */
    MPRUN_NAMES_PARTIAL,   /* lookup: some of the keys only (the entries found) */
    MPRUN_NAMES_DUPLICATE, /* publish: a key is published already: nothing done */
    MPRUN_NAMES_NOMEM,
};

struct mprun_names_entry {
    uint32_t rank; /* replies: who published it */
    char *key;
    char *value;   /* NULL in keys-only entries */
    size_t nvalue;
};

/* A request, or its reply (same id; status and the entries found). */
struct mprun_names_request {
    uint32_t id;     /* chosen by the asking host */
    uint32_t op;     /* enum mprun_names_op */
    uint32_t rank;   /* who asks */
    bool wait;       /* lookup: until every key is published */
    uint32_t status; /* replies: enum mprun_names_status */
    uint32_t nentries;
    struct mprun_names_entry *entries;
};

/* mprun_names_request_clear - free what the request holds (not itself). */
void mprun_names_request_clear(struct mprun_names_request *r);

struct mprun_names_item;
struct mprun_names_waiter;

struct mprun_names {
    struct mprun_names_item *items;
    struct mprun_names_waiter *waiters;
};

/* Called with each reply; it is valid during the call only. */
typedef void (*mprun_names_reply_fn)(void *ctx, int host,
                                     const struct mprun_names_request *reply);

void mprun_names_init(struct mprun_names *d);

/* mprun_names_handle - carry out req from host; its reply goes to reply
 * (now, or later for a lookup that waits). */
void mprun_names_handle(struct mprun_names *d, int host, const struct mprun_names_request *req,
                        mprun_names_reply_fn reply, void *ctx);

/* mprun_names_forget_host - drop the waiting lookups of a host that is gone. */
void mprun_names_forget_host(struct mprun_names *d, int host);

void mprun_names_free(struct mprun_names *d);

#endif
