/*
 * coll_tune.c - the tuning file: rules written by mpr-tune (or by hand)
 * that pick each collective's algorithm by communicator size and message
 * size, read once at mpr_init from MPR_TUNING_FILE (format: coll.h).
 * MPR_COLL_<NAME> still wins over a rule (coll_util.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll/coll.h"
#include "core/env.h"

#define TUNE_FORMAT "1"
/* A file of rules is small (mpr-tune writes tens of lines); this bounds
 * what a wrong path (a log, a binary) costs before it is refused. */
#define TUNE_MAX_BYTES (1 << 20)

static struct mpr__tune *loaded;
static bool debug_choices; /* MPR_TUNING_DEBUG=1 */

static int refuse(char *why, size_t whylen, int line, const char *fmt, ...)
    MPR__PRINTF(4, 5);
static int refuse(char *why, size_t whylen, int line, const char *fmt, ...)
{
    int n = snprintf(why, whylen, "line %d: ", line);
    if (n >= 0 && (size_t)n < whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why + n, whylen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return MPR_ERR_ARG;
}

/* A whole number, all digits (no sign, no spaces), at most max. */
static bool parse_count(const char *text, size_t len, unsigned long long max,
                        unsigned long long *out)
{
    unsigned long long v = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)text[i]))
            return false;
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* "65536", "64K", "4M", "1G" */
static bool parse_bytes(const char *text, size_t *out)
{
    size_t len = strlen(text);
    unsigned shift = 0;
    if (len > 0 && strchr("KMG", text[len - 1])) {
        shift = text[len - 1] == 'K' ? 10 : text[len - 1] == 'M' ? 20 : 30;
        len--;
    }
    unsigned long long v;
    if (!parse_count(text, len, (unsigned long long)(SIZE_MAX >> shift), &v))
        return false;
    *out = (size_t)v << shift;
    return true;
}

/* "4" or "3-8", each 1..INT_MAX, the first no larger */
static bool parse_ranks(const char *text, int *lo, int *hi)
{
    const char *dash = strchr(text, '-');
    size_t first_len = dash ? (size_t)(dash - text) : strlen(text);
    unsigned long long a, b;
    if (!parse_count(text, first_len, 0x7fffffff, &a))
        return false;
    b = a;
    if (dash && !parse_count(dash + 1, strlen(dash + 1), 0x7fffffff, &b))
        return false;
    if (a < 1 || b < a)
        return false;
    *lo = (int)a;
    *hi = (int)b;
    return true;
}

/* Split line (modified in place) into at most max words. */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    for (char *p = line; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (n == max)
            return max + 1;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

/* "name=value": value if word starts with name=, else NULL */
static const char *field(const char *word, const char *name)
{
    size_t n = strlen(name);
    return strncmp(word, name, n) == 0 && word[n] == '=' ? word + n + 1 : NULL;
}

static int parse_header(char **w, int n, int line, char *why, size_t whylen)
{
    if (n < 1 || strcmp(w[0], "mpr-tuning") != 0)
        return refuse(why, whylen, line,
                      "expected the header 'mpr-tuning " TUNE_FORMAT " key=<hex> mpr=<version>'");
    if (n != 4 || strcmp(w[1], TUNE_FORMAT) != 0 || !field(w[2], "key") || !field(w[3], "mpr"))
        return refuse(why, whylen, line,
                      "the header must be 'mpr-tuning " TUNE_FORMAT " key=<hex> mpr=<version>'");
    const char *key = field(w[2], "key");
    if (!*key || strspn(key, "0123456789abcdef") != strlen(key) || !*field(w[3], "mpr"))
        return refuse(why, whylen, line, "the header's key must be lower-case hex and mpr a version");
    return MPR_SUCCESS;
}

static int parse_rule(char **w, int n, int line, struct mpr__tune_rule *r, char *why,
                      size_t whylen)
{
    memset(r, 0, sizeof(*r));
    r->line = line;
    if ((r->coll = mpr__coll_id(w[0])) < 0 || strspn(w[0], "abcdefghijklmnopqrstuvwxyz") !=
                                                  strlen(w[0]))
        return refuse(why, whylen, line,
                      "unknown collective '%s' (known: barrier, bcast, gather, scatter, "
                      "allgather, alltoall, reduce, allreduce)",
                      w[0]);
    const char *ranks = NULL, *from = NULL, *alg = NULL;
    for (int i = 1; i < n; i++) {
        const char *v;
        const char **slot = (v = field(w[i], "ranks")) ? &ranks
                            : (v = field(w[i], "from")) ? &from
                            : (v = field(w[i], "alg"))  ? &alg
                                                        : NULL;
        if (!slot)
            return refuse(why, whylen, line, "'%s' is not ranks=, from= or alg=", w[i]);
        if (*slot)
            return refuse(why, whylen, line, "'%.*s' given twice", (int)(v - w[i] - 1), w[i]);
        *slot = v;
    }
    if (!ranks || !from || !alg)
        return refuse(why, whylen, line, "a rule needs ranks=, from= and alg=");
    if (!parse_ranks(ranks, &r->min_ranks, &r->max_ranks))
        return refuse(why, whylen, line, "ranks=%s is not N or A-B (1 <= A <= B)", ranks);
    if (!parse_bytes(from, &r->from))
        return refuse(why, whylen, line, "from=%s is not a size in bytes (K, M, G allowed)", from);
    const char *const *names = mpr__coll_alg_names(r->coll);
    for (int i = 0; names[i]; i++) {
        if (strcmp(alg, names[i]) == 0) {
            r->alg = i == 0 ? NULL : names[i]; /* names[0] is "auto" */
            return MPR_SUCCESS;
        }
    }
    char known[256] = "";
    for (int i = 0; names[i]; i++)
        snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
                 names[i]);
    return refuse(why, whylen, line, "%s has no algorithm '%s' (known: %s)", w[0], alg, known);
}

/* Two rules for one call would make the file's meaning depend on order. */
static int check_overlap(const struct mpr__tune *t, const struct mpr__tune_rule *r, char *why,
                         size_t whylen)
{
    for (int i = 0; i < t->nrules; i++) {
        const struct mpr__tune_rule *o = &t->rules[i];
        if (o->coll == r->coll && o->from == r->from && o->min_ranks <= r->max_ranks &&
            r->min_ranks <= o->max_ranks)
            return refuse(why, whylen, r->line, "same collective, ranks and from as line %d",
                          o->line);
    }
    return MPR_SUCCESS;
}

int mpr__tune_parse(const char *text, struct mpr__tune **out, char *why, size_t whylen)
{
    struct mpr__tune *t = calloc(1, sizeof(*t));
    char *copy = strdup(text);
    int rc = MPR_SUCCESS, cap = 0, lineno = 0;
    bool header = false;
    if (!t || !copy) {
        rc = MPR_ERR_NO_MEM;
        goto free_all;
    }
    for (char *line = copy, *next; line && rc == MPR_SUCCESS; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        char *w[8];
        int n = split_words(line, w, 7);
        if (n == 0)
            continue;
        if (!header) {
            rc = parse_header(w, n, lineno, why, whylen);
            header = true;
            continue;
        }
        if (n > 7) {
            rc = refuse(why, whylen, lineno, "too many words");
            break;
        }
        if (t->nrules == cap) {
            int ncap = cap ? 2 * cap : 16;
            struct mpr__tune_rule *grown = realloc(t->rules, (size_t)ncap * sizeof(*grown));
            if (!grown) {
                rc = MPR_ERR_NO_MEM;
                break;
            }
            t->rules = grown;
            cap = ncap;
        }
        struct mpr__tune_rule *r = &t->rules[t->nrules];
        rc = parse_rule(w, n, lineno, r, why, whylen);
        if (rc == MPR_SUCCESS)
            rc = check_overlap(t, r, why, whylen);
        if (rc == MPR_SUCCESS)
            t->nrules++;
    }
    if (rc == MPR_SUCCESS && !header)
        rc = refuse(why, whylen, 1,
                    "no header 'mpr-tuning " TUNE_FORMAT " key=<hex> mpr=<version>'");
free_all:
    free(copy);
    if (rc != MPR_SUCCESS) {
        mpr__tune_free(t);
        return rc;
    }
    *out = t;
    return MPR_SUCCESS;
}

struct mpr__tune_rule *mpr__tune_lookup(const struct mpr__tune *t, int coll, int comm_size,
                                        size_t bytes)
{
    struct mpr__tune_rule *best = NULL;
    for (int i = 0; t && i < t->nrules; i++) {
        struct mpr__tune_rule *r = &t->rules[i];
        if (r->coll == coll && r->min_ranks <= comm_size && comm_size <= r->max_ranks &&
            r->from <= bytes && (!best || r->from > best->from))
            best = r;
    }
    return best;
}

void mpr__tune_free(struct mpr__tune *t)
{
    if (!t)
        return;
    free(t->rules);
    free(t);
}

static int read_text(const char *path, char **out, char *why, size_t whylen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen, "cannot open it: %s", strerror(errno));
        return MPR_ERR_ARG;
    }
    char *text = malloc(TUNE_MAX_BYTES + 1);
    if (!text) {
        fclose(f);
        return MPR_ERR_NO_MEM;
    }
    size_t n = fread(text, 1, TUNE_MAX_BYTES + 1, f);
    int failed = ferror(f);
    fclose(f);
    const char *what = failed ? "cannot read it"
                       : n > TUNE_MAX_BYTES ? "longer than 1 MiB: not a tuning file"
                       : memchr(text, '\0', n) ? "holds a NUL byte: not a tuning file"
                                               : NULL;
    if (what) {
        snprintf(why, whylen, "%s", what);
        free(text);
        return MPR_ERR_ARG;
    }
    text[n] = '\0';
    *out = text;
    return MPR_SUCCESS;
}

int mpr__coll_tune_load(void)
{
    static const char *const flag[] = { "0", "1", NULL };
    int debug;
    int rc = mpr__env_name("MPR_TUNING_DEBUG", flag, 0, &debug);
    if (rc != MPR_SUCCESS)
        return rc;
    debug_choices = debug == 1;
    const char *path = getenv("MPR_TUNING_FILE");
    if (!path || !*path)
        return MPR_SUCCESS;
    char why[256], *text = NULL;
    struct mpr__tune *t = NULL;
    rc = read_text(path, &text, why, sizeof(why));
    if (rc == MPR_SUCCESS) {
        rc = mpr__tune_parse(text, &t, why, sizeof(why));
        free(text);
    }
    if (rc == MPR_ERR_ARG)
        return mpr__env_refuse("MPR_TUNING_FILE", path, why);
    if (rc != MPR_SUCCESS)
        return rc;
    mpr__tune_free(loaded);
    loaded = t;
    return MPR_SUCCESS;
}

void mpr__coll_tune_announce(void)
{
    if (debug_choices && loaded)
        mpr__log_rank0("tuning: %d rules from %s", loaded->nrules, getenv("MPR_TUNING_FILE"));
}

void mpr__coll_tune_release(void)
{
    mpr__tune_free(loaded);
    loaded = NULL;
}

const char *mpr__coll_tuned(int coll, int comm_size, size_t bytes)
{
    if (!loaded)
        return NULL;
    struct mpr__tune_rule *r = mpr__tune_lookup(loaded, coll, comm_size, bytes);
    if (!r)
        return NULL;
    if (debug_choices && !r->said) {
        r->said = true;
        const char *const *names = mpr__coll_alg_names(coll);
        mpr__log_rank0("tuning: line %d: %s on %d ranks from %zu bytes: %s", r->line,
                       mpr__coll_name(coll), comm_size, r->from, r->alg ? r->alg : names[0]);
    }
    return r->alg;
}
