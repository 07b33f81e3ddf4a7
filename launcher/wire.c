/*
 * wire.c - encoding and validated decoding of the daemon messages.
 */
#include "wire.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Building ---------------------------------------------------------- */

static bool reserve(struct mprun_wbuf *w, size_t more)
{
    size_t cap;
    char *grown;

    if (w->failed)
        return false;
    if (more > MPRUN_WIRE_FRAME_MAX || w->len + more > MPRUN_WIRE_FRAME_MAX) {
        w->failed = true;
        return false;
    }
    if (w->len + more <= w->cap)
        return true;
    cap = w->cap > 0 ? w->cap : 256;
    while (cap < w->len + more)
        cap *= 2;
    grown = realloc(w->data, cap);
    if (grown == NULL) {
        w->failed = true;
        return false;
    }
    w->data = grown;
    w->cap = cap;
    return true;
}

void mprun_wbuf_raw(struct mprun_wbuf *w, const void *data, size_t n)
{
    if (n == 0 || !reserve(w, n))
        return;
    memcpy(w->data + w->len, data, n);
    w->len += n;
}

void mprun_wbuf_u32(struct mprun_wbuf *w, uint32_t v)
{
    uint32_t be = htonl(v);

    mprun_wbuf_raw(w, &be, sizeof(be));
}

void mprun_wbuf_bytes(struct mprun_wbuf *w, const void *data, size_t n)
{
    if (n > MPRUN_WIRE_FRAME_MAX) {
        w->failed = true;
        return;
    }
    mprun_wbuf_u32(w, (uint32_t)n);
    mprun_wbuf_raw(w, data, n);
}

void mprun_wbuf_str(struct mprun_wbuf *w, const char *s)
{
    mprun_wbuf_bytes(w, s, strlen(s));
}

void mprun_wbuf_free(struct mprun_wbuf *w)
{
    free(w->data);
    memset(w, 0, sizeof(*w));
}

/* ---- Reading ----------------------------------------------------------- */

void mprun_rbuf_init(struct mprun_rbuf *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->off = 0;
    r->failed = false;
}

const void *mprun_rbuf_raw(struct mprun_rbuf *r, size_t n)
{
    const void *p;

    if (r->failed || n > r->len - r->off) {
        r->failed = true;
        return NULL;
    }
    p = r->data + r->off;
    r->off += n;
    return p;
}

uint32_t mprun_rbuf_u32(struct mprun_rbuf *r)
{
    const void *p = mprun_rbuf_raw(r, sizeof(uint32_t));
    uint32_t be;

    if (p == NULL)
        return 0;
    memcpy(&be, p, sizeof(be));
    return ntohl(be);
}

uint32_t mprun_rbuf_index(struct mprun_rbuf *r, uint32_t limit)
{
    uint32_t v = mprun_rbuf_u32(r);

    if (v >= limit) {
        r->failed = true;
        return 0;
    }
    return v;
}

const char *mprun_rbuf_bytes(struct mprun_rbuf *r, size_t max, size_t *n)
{
    uint32_t len = mprun_rbuf_u32(r);
    const char *p;

    *n = 0;
    if (len > max) {
        r->failed = true;
        return NULL;
    }
    p = mprun_rbuf_raw(r, len);
    if (p != NULL)
        *n = len;
    return p;
}

char *mprun_rbuf_str(struct mprun_rbuf *r, size_t max)
{
    size_t n;
    const char *p = mprun_rbuf_bytes(r, max, &n);
    char *s;

    if (r->failed)
        return NULL;
    if (n > 0 && memchr(p, '\0', n) != NULL) {
        r->failed = true;
        return NULL;
    }
    s = malloc(n + 1);
    if (s == NULL) {
        r->failed = true;
        return NULL;
    }
    if (n > 0)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

bool mprun_rbuf_done(const struct mprun_rbuf *r)
{
    return !r->failed && r->off == r->len;
}

static int decode_error(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s", what);
    return -1;
}

/* ---- HELLO ------------------------------------------------------------- */

void mprun_hello_encode(const struct mprun_hello *h, struct mprun_wbuf *w)
{
    mprun_wbuf_u32(w, MPRUN_WIRE_MAGIC);
    mprun_wbuf_u32(w, MPRUN_WIRE_VERSION);
    mprun_wbuf_u32(w, h->host);
    mprun_wbuf_raw(w, h->secret, MPRUN_WIRE_SECRET_LEN);
    mprun_wbuf_u32(w, h->pid);
    mprun_wbuf_str(w, h->host_name);
}

int mprun_hello_decode(const void *payload, size_t len, struct mprun_hello *h, char *err,
                       size_t errlen)
{
    struct mprun_rbuf r;
    const void *secret;

    memset(h, 0, sizeof(*h));
    mprun_rbuf_init(&r, payload, len);
    if (mprun_rbuf_u32(&r) != MPRUN_WIRE_MAGIC)
        return decode_error(err, errlen, "not an mprun daemon");
    if (mprun_rbuf_u32(&r) != MPRUN_WIRE_VERSION)
        return decode_error(err, errlen, "a daemon of another mprun version");
    h->host = mprun_rbuf_u32(&r);
    secret = mprun_rbuf_raw(&r, MPRUN_WIRE_SECRET_LEN);
    if (secret != NULL)
        memcpy(h->secret, secret, MPRUN_WIRE_SECRET_LEN);
    h->pid = mprun_rbuf_u32(&r);
    h->host_name = mprun_rbuf_str(&r, 255);
    if (!mprun_rbuf_done(&r) || h->host_name == NULL || h->host_name[0] == '\0') {
        mprun_hello_free(h);
        return decode_error(err, errlen, "a malformed greeting");
    }
    return 0;
}

void mprun_hello_free(struct mprun_hello *h)
{
    free(h->host_name);
    h->host_name = NULL;
}

/* ---- JOB --------------------------------------------------------------- */

static void encode_str_list(struct mprun_wbuf *w, char *const *list, uint32_t n)
{
    mprun_wbuf_u32(w, n);
    for (uint32_t i = 0; i < n; i++)
        mprun_wbuf_str(w, list[i]);
}

/* A NULL-terminated list of at least `min` strings. */
static char **decode_str_list(struct mprun_rbuf *r, uint32_t min, uint32_t max, size_t str_max,
                              uint32_t *count)
{
    uint32_t n = mprun_rbuf_u32(r);
    char **list;

    if (r->failed || n < min || n > max) {
        r->failed = true;
        return NULL;
    }
    list = calloc((size_t)n + 1, sizeof(*list));
    if (list == NULL) {
        r->failed = true;
        return NULL;
    }
    for (uint32_t i = 0; i < n && !r->failed; i++)
        list[i] = mprun_rbuf_str(r, str_max);
    *count = n;
    return list;
}

static void free_str_list(char **list)
{
    if (list == NULL)
        return;
    for (char **p = list; *p != NULL; p++)
        free(*p);
    free(list);
}

void mprun_job_desc_encode(const struct mprun_job_desc *d, struct mprun_wbuf *w)
{
    mprun_wbuf_str(w, d->nspace);
    mprun_wbuf_u32(w, d->nranks);
    mprun_wbuf_u32(w, d->nhosts);
    for (uint32_t h = 0; h < d->nhosts; h++) {
        mprun_wbuf_str(w, d->host_names[h]);
        mprun_wbuf_str(w, d->host_labels[h]);
    }
    for (uint32_t r = 0; r < d->nranks; r++)
        mprun_wbuf_u32(w, d->host_of_rank[r]);
    mprun_wbuf_u32(w, d->host);
    encode_str_list(w, d->argv, d->argc);
    encode_str_list(w, d->exports, d->nexports);
    mprun_wbuf_str(w, d->cwd);
    mprun_wbuf_u32(w, d->bind);
    mprun_wbuf_u32(w, d->map);
    mprun_wbuf_u32(w, (uint32_t)d->report_bindings | (uint32_t)d->slots_oversubscribed << 1 |
                          (uint32_t)d->stdin_to_rank0 << 2);
    mprun_wbuf_u32(w, d->heartbeat_ms);
}

/* Limits that keep a hostile frame from making us allocate without end;
 * the real ones (MPRUN_MAX_RANKS...) are checked by the daemon. */
#define JOB_MAX_RANKS (1u << 20)
#define JOB_MAX_HOSTS (1u << 16)

int mprun_job_desc_decode(const void *payload, size_t len, struct mprun_job_desc *d, char *err,
                          size_t errlen)
{
    struct mprun_rbuf r;
    uint32_t flags;

    memset(d, 0, sizeof(*d));
    mprun_rbuf_init(&r, payload, len);
    d->nspace = mprun_rbuf_str(&r, 200);
    d->nranks = mprun_rbuf_u32(&r);
    d->nhosts = mprun_rbuf_u32(&r);
    if (r.failed || d->nranks == 0 || d->nranks > JOB_MAX_RANKS || d->nhosts == 0 ||
        d->nhosts > JOB_MAX_HOSTS || d->nhosts > d->nranks)
        goto bad;
    d->host_names = calloc(d->nhosts + 1, sizeof(*d->host_names));
    d->host_labels = calloc(d->nhosts + 1, sizeof(*d->host_labels));
    d->host_of_rank = calloc(d->nranks, sizeof(*d->host_of_rank));
    if (d->host_names == NULL || d->host_labels == NULL || d->host_of_rank == NULL)
        goto bad;
    for (uint32_t h = 0; h < d->nhosts && !r.failed; h++) {
        d->host_names[h] = mprun_rbuf_str(&r, 255);
        d->host_labels[h] = mprun_rbuf_str(&r, 255);
    }
    for (uint32_t i = 0; i < d->nranks && !r.failed; i++)
        d->host_of_rank[i] = mprun_rbuf_index(&r, d->nhosts);
    d->host = mprun_rbuf_index(&r, d->nhosts);
    d->argv = decode_str_list(&r, 1, MPRUN_WIRE_LIST_MAX, MPRUN_WIRE_STRING_MAX, &d->argc);
    d->exports = decode_str_list(&r, 0, MPRUN_WIRE_LIST_MAX, MPRUN_WIRE_STRING_MAX, &d->nexports);
    d->cwd = mprun_rbuf_str(&r, 4096);
    d->bind = mprun_rbuf_u32(&r);
    d->map = mprun_rbuf_u32(&r);
    flags = mprun_rbuf_u32(&r);
    d->heartbeat_ms = mprun_rbuf_u32(&r);
    if (!mprun_rbuf_done(&r) || flags > 7 || d->argv[0][0] == '\0')
        goto bad;
    d->report_bindings = flags & 1;
    d->slots_oversubscribed = flags & 2;
    d->stdin_to_rank0 = flags & 4;
    for (uint32_t h = 0; h < d->nhosts; h++) {
        if (d->host_names[h][0] == '\0' || d->host_labels[h][0] == '\0')
            goto bad;
    }
    for (uint32_t i = 0; i < d->nexports; i++) {
        if (strchr(d->exports[i], '=') == NULL || d->exports[i][0] == '=')
            goto bad;
    }
    return 0;
bad:
    mprun_job_desc_free(d);
    return decode_error(err, errlen, "a malformed job description");
}

void mprun_job_desc_free(struct mprun_job_desc *d)
{
    free(d->nspace);
    free_str_list(d->host_names);
    free_str_list(d->host_labels);
    free(d->host_of_rank);
    free_str_list(d->argv);
    free_str_list(d->exports);
    free(d->cwd);
    memset(d, 0, sizeof(*d));
}

/* ---- FENCE, FENCE_DONE ------------------------------------------------- */

void mprun_fence_msg_encode(const struct mprun_fence_msg *m, struct mprun_wbuf *w)
{
    mprun_wbuf_u32(w, m->nprocs);
    for (uint32_t i = 0; i < m->nprocs; i++)
        mprun_wbuf_u32(w, m->procs[i]);
    mprun_wbuf_u32(w, (uint32_t)m->status);
    mprun_wbuf_bytes(w, m->data, m->ndata);
}

int mprun_fence_msg_decode(const void *payload, size_t len, struct mprun_fence_msg *m, char *err,
                           size_t errlen)
{
    struct mprun_rbuf r;

    memset(m, 0, sizeof(*m));
    mprun_rbuf_init(&r, payload, len);
    m->nprocs = mprun_rbuf_u32(&r);
    if (r.failed || m->nprocs == 0 || m->nprocs > MPRUN_FENCE_MAX_PROCS)
        return decode_error(err, errlen, "a malformed fence");
    m->decoded_procs = calloc(m->nprocs, sizeof(*m->decoded_procs));
    if (m->decoded_procs == NULL)
        return decode_error(err, errlen, "out of memory");
    for (uint32_t i = 0; i < m->nprocs; i++)
        m->decoded_procs[i] = mprun_rbuf_u32(&r);
    m->procs = m->decoded_procs;
    m->status = (int32_t)mprun_rbuf_u32(&r);
    m->data = mprun_rbuf_bytes(&r, MPRUN_WIRE_FRAME_MAX, &m->ndata);
    if (!mprun_rbuf_done(&r)) {
        mprun_fence_msg_free(m);
        return decode_error(err, errlen, "a malformed fence");
    }
    return 0;
}

void mprun_fence_msg_free(struct mprun_fence_msg *m)
{
    free(m->decoded_procs);
    m->decoded_procs = NULL;
    m->procs = NULL;
}

/* ---- Published names ---------------------------------------------------- */

void mprun_names_msg_encode(const struct mprun_names_request *r, struct mprun_wbuf *w)
{
    mprun_wbuf_u32(w, r->id);
    mprun_wbuf_u32(w, r->op);
    mprun_wbuf_u32(w, r->rank);
    mprun_wbuf_u32(w, r->wait ? 1 : 0);
    mprun_wbuf_u32(w, r->status);
    mprun_wbuf_u32(w, r->nentries);
    for (uint32_t i = 0; i < r->nentries; i++) {
        const struct mprun_names_entry *e = &r->entries[i];

        mprun_wbuf_u32(w, e->rank);
        mprun_wbuf_str(w, e->key);
        mprun_wbuf_u32(w, e->value != NULL ? 1 : 0);
        if (e->value != NULL)
            mprun_wbuf_bytes(w, e->value, e->nvalue);
    }
}

int mprun_names_msg_decode(const void *payload, size_t len, struct mprun_names_request *r,
                           char *err, size_t errlen)
{
    struct mprun_rbuf b;
    uint32_t wait;

    memset(r, 0, sizeof(*r));
    mprun_rbuf_init(&b, payload, len);
    r->id = mprun_rbuf_u32(&b);
    r->op = mprun_rbuf_u32(&b);
    r->rank = mprun_rbuf_u32(&b);
    wait = mprun_rbuf_u32(&b);
    r->status = mprun_rbuf_index(&b, MPRUN_NAMES_NOMEM + 1);
    r->nentries = mprun_rbuf_index(&b, MPRUN_NAMES_MAX_ENTRIES + 1);
    if (b.failed || wait > 1 || r->op < MPRUN_NAMES_PUBLISH || r->op > MPRUN_NAMES_UNPUBLISH)
        return decode_error(err, errlen, "a malformed names request");
    r->wait = wait != 0;
    r->entries = calloc(r->nentries > 0 ? r->nentries : 1, sizeof(*r->entries));
    if (r->entries == NULL) {
        r->nentries = 0;
        return decode_error(err, errlen, "out of memory");
    }
    for (uint32_t i = 0; i < r->nentries && !b.failed; i++) {
        struct mprun_names_entry *e = &r->entries[i];
        uint32_t has_value;

        e->rank = mprun_rbuf_u32(&b);
        e->key = mprun_rbuf_str(&b, MPRUN_NAMES_KEY_MAX);
        has_value = mprun_rbuf_index(&b, 2);
        if (has_value == 1 && !b.failed) {
            const char *value = mprun_rbuf_bytes(&b, MPRUN_WIRE_STRING_MAX, &e->nvalue);

            e->value = malloc(e->nvalue > 0 ? e->nvalue : 1);
            if (e->value == NULL)
                b.failed = true;
            else if (value != NULL && e->nvalue > 0)
                memcpy(e->value, value, e->nvalue);
        }
        if (e->key == NULL || e->key[0] == '\0')
            b.failed = true;
    }
    if (!mprun_rbuf_done(&b)) {
        mprun_names_request_clear(r);
        return decode_error(err, errlen, "a malformed names request");
    }
    return 0;
}

/* ---- Secret ------------------------------------------------------------ */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int mprun_hex_to_secret(const char *hex, uint8_t *secret)
{
    for (int i = 0; i < MPRUN_WIRE_SECRET_LEN; i++) {
        int hi = hex_digit(hex[2 * i]);
        int lo = hi >= 0 ? hex_digit(hex[2 * i + 1]) : -1;

        if (lo < 0)
            return -1;
        secret[i] = (uint8_t)(hi << 4 | lo);
    }
    return hex[2 * MPRUN_WIRE_SECRET_LEN] == '\0' ? 0 : -1;
}

void mprun_secret_to_hex(const uint8_t *secret, char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (int i = 0; i < MPRUN_WIRE_SECRET_LEN; i++) {
        hex[2 * i] = digits[secret[i] >> 4];
        hex[2 * i + 1] = digits[secret[i] & 15];
    }
    hex[2 * MPRUN_WIRE_SECRET_LEN] = '\0';
}

bool mprun_secret_equal(const uint8_t *a, const uint8_t *b)
{
    uint8_t diff = 0;

    for (int i = 0; i < MPRUN_WIRE_SECRET_LEN; i++)
        diff |= a[i] ^ b[i];
    return diff == 0;
}
