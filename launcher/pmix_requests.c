/*
 * pmix_requests.c - the PMIx calls mprun serves besides the wire-up:
 * PMIx_Publish, _Lookup and _Unpublish (through the job's directory, which
 * the first mprun keeps: names.c), PMIx_Query_info (what mprun knows of the
 * job) and PMIx_Log (a line on mprun's stderr). Every other call has no
 * module function, and libpmix answers it PMIX_ERR_NOT_SUPPORTED at once.
 *
 * As in pmix_server.c, callbacks only copy what they were given into an
 * event; the main thread answers, once the directory replied for the names
 * (a lookup with PMIX_WAIT may be answered much later).
 */
#include "pmix_server_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* A names request taken by the main thread, until its reply. */
struct open_request {
    uint32_t id, op;
    pmix_op_cbfunc_t op_cbfunc;
    pmix_lookup_cbfunc_t lookup_cbfunc;
    void *cbdata;
    struct open_request *next;
};

#define LOG_LINE_MAX 4096 /* bytes of a PMIx_Log line kept */

static uint32_t next_id; /* atomically, on libpmix's thread */
static struct open_request *open_requests; /* main thread */
static struct mprun_pmix_job_facts facts;  /* main thread */

/* ---- Callbacks (libpmix's thread) ----------------------------------- */

/* Keys of PMIx_Publish's info that direct it rather than being published. */
static bool is_directive(const char *key)
{
    static const char *const directives[] = {PMIX_RANGE, PMIX_PERSISTENCE, PMIX_USERID,
                                             PMIX_GRPID, PMIX_TIMEOUT, PMIX_WAIT};

    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
        if (strcmp(key, directives[i]) == 0)
            return true;
    }
    return false;
}

/* A value as bytes libpmix can turn back into it on any host. */
static int pack_value(const pmix_value_t *value, struct mprun_names_entry *e)
{
    pmix_data_buffer_t buf;
    pmix_byte_object_t bo = {0};
    pmix_status_t rc;

    PMIX_DATA_BUFFER_CONSTRUCT(&buf);
    rc = PMIx_Data_pack(NULL, &buf, (void *)value, 1, PMIX_VALUE);
    if (rc == PMIX_SUCCESS)
        rc = PMIx_Data_unload(&buf, &bo);
    PMIX_DATA_BUFFER_DESTRUCT(&buf);
    if (rc != PMIX_SUCCESS)
        return -1;
    e->value = bo.bytes; /* malloc'd by libpmix: ours now */
    e->nvalue = bo.size;
    if (e->value == NULL)
        e->value = calloc(1, 1);
    return e->value != NULL ? 0 : -1;
}

static struct mprun_pmix_event *names_event(const pmix_proc_t *proc, uint32_t op, size_t n)
{
    struct mprun_pmix_event *ev = mprun_pmix__new_event(MPRUN_PMIX_NAMES);

    if (ev == NULL)
        return NULL;
    ev->names = calloc(1, sizeof(*ev->names));
    if (ev->names != NULL)
        ev->names->entries = calloc(n > 0 ? n : 1, sizeof(*ev->names->entries));
    if (ev->names == NULL || ev->names->entries == NULL || n > MPRUN_NAMES_MAX_ENTRIES) {
        mprun_pmix_event_free(ev);
        return NULL;
    }
    ev->rank = (int)proc->rank;
    ev->names->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
    ev->names->op = op;
    ev->names->rank = proc->rank;
    return ev;
}

static bool fits(const char *key)
{
    return key[0] != '\0' && strlen(key) <= MPRUN_NAMES_KEY_MAX;
}

pmix_status_t mprun_pmix__on_publish(const pmix_proc_t *proc, const pmix_info_t info[],
                                     size_t ninfo, pmix_op_cbfunc_t cbfunc, void *cbdata)
{
    struct mprun_pmix_event *ev;

    if (!PMIX_CHECK_NSPACE(proc->nspace, mprun_pmix__nspace()))
        return PMIX_ERR_NOT_SUPPORTED;
    ev = names_event(proc, MPRUN_NAMES_PUBLISH, ninfo);
    if (ev == NULL)
        return PMIX_ERR_NOMEM;
    for (size_t i = 0; i < ninfo; i++) {
        struct mprun_names_entry *e = &ev->names->entries[ev->names->nentries];

        if (is_directive(info[i].key))
            continue;
        if (!fits(info[i].key)) {
            mprun_pmix_event_free(ev);
            return PMIX_ERR_BAD_PARAM;
        }
        e->key = strdup(info[i].key);
        ev->names->nentries++;
        if (e->key == NULL || pack_value(&info[i].value, e) != 0) {
            mprun_pmix_event_free(ev);
            return PMIX_ERR_NOMEM;
        }
    }
    if (ev->names->nentries == 0) {
        mprun_pmix_event_free(ev);
        return PMIX_ERR_BAD_PARAM;
    }
    ev->completion->op_cbfunc = cbfunc;
    ev->completion->cbdata = cbdata;
    mprun_pmix__queue_event(ev);
    return PMIX_SUCCESS;
}

static struct mprun_pmix_event *keys_event(const pmix_proc_t *proc, uint32_t op, char **keys,
                                           pmix_status_t *rc)
{
    size_t n = 0;
    struct mprun_pmix_event *ev;

    *rc = PMIX_ERR_NOMEM;
    if (!PMIX_CHECK_NSPACE(proc->nspace, mprun_pmix__nspace())) {
        *rc = PMIX_ERR_NOT_SUPPORTED;
        return NULL;
    }
    while (keys != NULL && keys[n] != NULL)
        n++;
    ev = names_event(proc, op, n);
    if (ev == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!fits(keys[i])) {
            *rc = PMIX_ERR_BAD_PARAM;
            mprun_pmix_event_free(ev);
            return NULL;
        }
        ev->names->entries[i].key = strdup(keys[i]);
        ev->names->nentries++;
        if (ev->names->entries[i].key == NULL) {
            mprun_pmix_event_free(ev);
            return NULL;
        }
    }
    return ev;
}

pmix_status_t mprun_pmix__on_lookup(const pmix_proc_t *proc, char **keys,
                                    const pmix_info_t info[], size_t ninfo,
                                    pmix_lookup_cbfunc_t cbfunc, void *cbdata)
{
    pmix_status_t rc;
    struct mprun_pmix_event *ev = keys_event(proc, MPRUN_NAMES_LOOKUP, keys, &rc);

    if (ev == NULL)
        return rc;
    if (ev->names->nentries == 0) {
        mprun_pmix_event_free(ev);
        return PMIX_ERR_BAD_PARAM;
    }
    for (size_t i = 0; i < ninfo; i++) {
        if (PMIX_CHECK_KEY(&info[i], PMIX_WAIT))
            ev->names->wait = PMIX_INFO_TRUE(&info[i]);
    }
    ev->completion->lookup_cbfunc = cbfunc;
    ev->completion->cbdata = cbdata;
    mprun_pmix__queue_event(ev);
    return PMIX_SUCCESS;
}

pmix_status_t mprun_pmix__on_unpublish(const pmix_proc_t *proc, char **keys,
                                       const pmix_info_t info[], size_t ninfo,
                                       pmix_op_cbfunc_t cbfunc, void *cbdata)
{
    pmix_status_t rc;
    struct mprun_pmix_event *ev = keys_event(proc, MPRUN_NAMES_UNPUBLISH, keys, &rc);

    (void)info, (void)ninfo;
    if (ev == NULL)
        return rc;
    ev->completion->op_cbfunc = cbfunc;
    ev->completion->cbdata = cbdata;
    mprun_pmix__queue_event(ev);
    return PMIX_SUCCESS;
}

pmix_status_t mprun_pmix__on_query(pmix_proc_t *proc, pmix_query_t *queries, size_t nqueries,
                                   pmix_info_cbfunc_t cbfunc, void *cbdata)
{
    struct mprun_pmix_event *ev;

    if (nqueries == 0 || queries == NULL)
        return PMIX_ERR_BAD_PARAM;
    ev = mprun_pmix__new_event(MPRUN_PMIX_QUERY);
    if (ev == NULL)
        return PMIX_ERR_NOMEM;
    ev->rank = (int)proc->rank;
    PMIX_QUERY_CREATE(ev->completion->queries, nqueries);
    if (ev->completion->queries == NULL) {
        mprun_pmix_event_free(ev);
        return PMIX_ERR_NOMEM;
    }
    ev->completion->nqueries = nqueries;
    for (size_t q = 0; q < nqueries; q++) {
        size_t nkeys = 0;

        while (queries[q].keys != NULL && queries[q].keys[nkeys] != NULL)
            nkeys++;
        ev->completion->queries[q].keys = calloc(nkeys + 1, sizeof(char *));
        if (ev->completion->queries[q].keys == NULL) {
            mprun_pmix_event_free(ev);
            return PMIX_ERR_NOMEM;
        }
        for (size_t k = 0; k < nkeys; k++)
            ev->completion->queries[q].keys[k] = strdup(queries[q].keys[k]);
    }
    ev->completion->info_cbfunc = cbfunc;
    ev->completion->cbdata = cbdata;
    mprun_pmix__queue_event(ev);
    return PMIX_SUCCESS;
}

/* The data's strings, on one line: "a; b". */
static char *log_text(const pmix_info_t data[], size_t ndata)
{
    size_t len = 0;
    char *text;

    for (size_t i = 0; i < ndata; i++) {
        if (data[i].value.type == PMIX_STRING && data[i].value.data.string != NULL)
            len += strlen(data[i].value.data.string) + 2;
    }
    if (len == 0)
        return NULL;
    text = malloc(len + 1);
    if (text == NULL)
        return NULL;
    text[0] = '\0';
    for (size_t i = 0; i < ndata; i++) {
        if (data[i].value.type != PMIX_STRING || data[i].value.data.string == NULL)
            continue;
        if (text[0] != '\0')
            strcat(text, "; ");
        strcat(text, data[i].value.data.string);
    }
    len = strlen(text);
    if (len > LOG_LINE_MAX) /* one line, not a flood */
        text[len = LOG_LINE_MAX] = '\0';
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    for (char *p = text; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
    return text;
}

void mprun_pmix__on_log(const pmix_proc_t *client, const pmix_info_t data[], size_t ndata,
                        const pmix_info_t directives[], size_t ndirs, pmix_op_cbfunc_t cbfunc,
                        void *cbdata)
{
    struct mprun_pmix_event *ev = mprun_pmix__new_event(MPRUN_PMIX_LOG);

    (void)directives, (void)ndirs;
    if (ev != NULL)
        ev->message = log_text(data, ndata);
    if (ev == NULL || ev->message == NULL) {
        mprun_pmix_event_free(ev);
        if (cbfunc != NULL)
            cbfunc(ev == NULL ? PMIX_ERR_NOMEM : PMIX_ERR_BAD_PARAM, cbdata);
        return;
    }
    ev->rank = (int)client->rank;
    ev->completion->op_cbfunc = cbfunc;
    ev->completion->cbdata = cbdata;
    mprun_pmix__queue_event(ev);
}

/* ---- Main thread ---------------------------------------------------- */

void mprun_pmix__set_job_facts(const struct mprun_pmix_job_facts *f)
{
    free(facts.local_peers);
    facts = *f;
}

struct query_results {
    pmix_info_t *info;
    size_t ninfo;
};

static void free_query_results(void *cbdata)
{
    struct query_results *r = cbdata;

    PMIX_INFO_FREE(r->info, r->ninfo);
    free(r);
}

/* One key: true if answered into *out. */
static bool answer_key(const char *key, pmix_info_t *out)
{
    if (strcmp(key, PMIX_QUERY_NAMESPACES) == 0 || strcmp(key, PMIX_NSPACE) == 0) {
        PMIx_Info_load(out, key, mprun_pmix__nspace(), PMIX_STRING);
    } else if (strcmp(key, PMIX_JOB_SIZE) == 0 || strcmp(key, PMIX_UNIV_SIZE) == 0 ||
               strcmp(key, PMIX_MAX_PROCS) == 0) {
        PMIx_Info_load(out, key, &facts.nranks, PMIX_UINT32);
    } else if (strcmp(key, PMIX_NUM_NODES) == 0) {
        PMIx_Info_load(out, key, &facts.nhosts, PMIX_UINT32);
    } else if (strcmp(key, PMIX_LOCAL_SIZE) == 0 || strcmp(key, PMIX_NODE_SIZE) == 0) {
        PMIx_Info_load(out, key, &facts.nlocal, PMIX_UINT32);
    } else if (strcmp(key, PMIX_LOCAL_PEERS) == 0 && facts.local_peers != NULL) {
        PMIx_Info_load(out, key, facts.local_peers, PMIX_STRING);
    } else {
        return false;
    }
    return true;
}

/* Every key mprun knows is answered; the others are not found, at once. */
static void answer_query(struct mprun_pmix_event *ev)
{
    struct mprun_pmix_completion *c = ev->completion;
    struct query_results *r = calloc(1, sizeof(*r));
    size_t nkeys = 0, nfound = 0;
    pmix_status_t status;

    for (size_t q = 0; q < c->nqueries; q++) {
        for (size_t k = 0; c->queries[q].keys[k] != NULL; k++)
            nkeys++;
    }
    if (r != NULL && nkeys > 0) {
        PMIX_INFO_CREATE(r->info, nkeys);
        r->ninfo = nkeys;
    }
    if (r == NULL || (nkeys > 0 && r->info == NULL)) {
        free(r);
        c->info_cbfunc(PMIX_ERR_NOMEM, NULL, 0, c->cbdata, NULL, NULL);
        return;
    }
    for (size_t q = 0; q < c->nqueries; q++) {
        for (size_t k = 0; c->queries[q].keys[k] != NULL; k++) {
            if (answer_key(c->queries[q].keys[k], &r->info[nfound]))
                nfound++;
        }
    }
    if (nfound == 0)
        status = PMIX_ERR_NOT_FOUND;
    else
        status = nfound == nkeys ? PMIX_SUCCESS : PMIX_ERR_PARTIAL_SUCCESS;
    c->info_cbfunc(status, nfound > 0 ? r->info : NULL, nfound, c->cbdata, free_query_results, r);
}

bool mprun_pmix__take_request(struct mprun_pmix_event *ev)
{
    struct mprun_pmix_completion *c = ev->completion;
    struct open_request *o;

    switch (ev->kind) {
    case MPRUN_PMIX_QUERY:
        answer_query(ev);
        mprun_pmix_event_free(ev);
        return true;
    case MPRUN_PMIX_LOG:
        if (c->op_cbfunc != NULL)
            c->op_cbfunc(PMIX_SUCCESS, c->cbdata); /* the text is ours */
        c->op_cbfunc = NULL;
        return false;
    case MPRUN_PMIX_NAMES:
        o = calloc(1, sizeof(*o));
        if (o == NULL) {
            if (c->lookup_cbfunc != NULL)
                c->lookup_cbfunc(PMIX_ERR_NOMEM, NULL, 0, c->cbdata);
            else if (c->op_cbfunc != NULL)
                c->op_cbfunc(PMIX_ERR_NOMEM, c->cbdata);
            mprun_pmix_event_free(ev);
            return true;
        }
        o->id = ev->names->id;
        o->op = ev->names->op;
        o->op_cbfunc = c->op_cbfunc;
        o->lookup_cbfunc = c->lookup_cbfunc;
        o->cbdata = c->cbdata;
        o->next = open_requests;
        open_requests = o;
        return false;
    default:
        return false;
    }
}

static pmix_status_t pmix_status_of(uint32_t status)
{
    switch (status) {
    case MPRUN_NAMES_OK:
        return PMIX_SUCCESS;
    case MPRUN_NAMES_NOT_FOUND:
        return PMIX_ERR_NOT_FOUND;
    case MPRUN_NAMES_PARTIAL:
        return PMIX_ERR_PARTIAL_SUCCESS;
    case MPRUN_NAMES_DUPLICATE:
        return PMIX_ERR_DUPLICATE_KEY;
    default:
        return PMIX_ERR_NOMEM;
    }
}

static int unpack_value(const struct mprun_names_entry *e, pmix_value_t *value)
{
    pmix_data_buffer_t buf;
    pmix_byte_object_t bo;
    int32_t count = 1;
    pmix_status_t rc;

    bo.bytes = malloc(e->nvalue > 0 ? e->nvalue : 1);
    bo.size = e->nvalue;
    if (bo.bytes == NULL)
        return -1;
    memcpy(bo.bytes, e->value, e->nvalue);
    PMIX_DATA_BUFFER_CONSTRUCT(&buf);
    rc = PMIx_Data_load(&buf, &bo); /* takes the bytes */
    if (rc == PMIX_SUCCESS)
        rc = PMIx_Data_unpack(NULL, &buf, value, &count, PMIX_VALUE);
    PMIX_DATA_BUFFER_DESTRUCT(&buf);
    return rc == PMIX_SUCCESS ? 0 : -1;
}

static void answer_lookup(const struct open_request *o, const struct mprun_names_request *reply)
{
    pmix_pdata_t *pdata = NULL;
    pmix_status_t status = pmix_status_of(reply->status);
    size_t n = 0;

    if (reply->nentries > 0) {
        PMIX_PDATA_CREATE(pdata, reply->nentries);
        if (pdata == NULL)
            status = PMIX_ERR_NOMEM;
    }
    for (uint32_t i = 0; pdata != NULL && i < reply->nentries; i++) {
        const struct mprun_names_entry *e = &reply->entries[i];

        if (e->value == NULL || unpack_value(e, &pdata[n].value) != 0) {
            status = PMIX_ERR_UNPACK_FAILURE;
            break;
        }
        PMIX_LOAD_PROCID(&pdata[n].proc, mprun_pmix__nspace(), e->rank);
        PMIX_LOAD_KEY(pdata[n].key, e->key);
        n++;
    }
    o->lookup_cbfunc(status, status == PMIX_SUCCESS || status == PMIX_ERR_PARTIAL_SUCCESS ? pdata
                                                                                         : NULL,
                     status == PMIX_SUCCESS || status == PMIX_ERR_PARTIAL_SUCCESS ? n : 0,
                     o->cbdata);
    if (pdata != NULL)
        PMIX_PDATA_FREE(pdata, reply->nentries);
}

static void answer_open(const struct open_request *o, pmix_status_t status,
                        const struct mprun_names_request *reply)
{
    if (o->op == MPRUN_NAMES_LOOKUP) {
        if (reply != NULL)
            answer_lookup(o, reply);
        else if (o->lookup_cbfunc != NULL)
            o->lookup_cbfunc(status, NULL, 0, o->cbdata);
    } else if (o->op_cbfunc != NULL) {
        o->op_cbfunc(status, o->cbdata);
    }
}

void mprun_pmix_complete_names(const struct mprun_names_request *reply)
{
    struct open_request **link = &open_requests;

    while (*link != NULL && (*link)->id != reply->id)
        link = &(*link)->next;
    if (*link == NULL)
        return; /* answered already (the server stopped) */
    struct open_request *o = *link;

    *link = o->next;
    answer_open(o, pmix_status_of(reply->status), reply);
    free(o);
}

void mprun_pmix__answer_open_requests(pmix_status_t status)
{
    while (open_requests != NULL) {
        struct open_request *o = open_requests;

        open_requests = o->next;
        answer_open(o, status, NULL);
        free(o);
    }
}

void mprun_pmix__requests_reset(void)
{
    mprun_pmix__answer_open_requests(PMIX_ERR_LOST_CONNECTION);
    free(facts.local_peers);
    memset(&facts, 0, sizeof(facts));
}
