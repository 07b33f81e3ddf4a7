/*
 * test_tune.c - the tuning file (runtime/coll/coll_tune.c): its parser,
 * the lookup of a rule by collective, ranks and bytes (at the boundaries),
 * the refusal of malformed lines, and the precedence MPR_COLL_<NAME> >
 * file rule > built-in choice (mpr__coll_choice, coll_util.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "coll/coll.h"

struct mpr__state mpr__g;

/* coll_util.c's exchanges are not under test here. */
int mpr__send_start(const void *buf, size_t len, int dest, int tag, const struct mpr_comm *comm, uint32_t ctx,
                    struct mpr_request **out)
{
    (void)buf, (void)len, (void)dest, (void)tag, (void)comm, (void)ctx, (void)out;
    return MPR_ERR_UNSUPPORTED;
}
int mpr__send_start_copied_by(const void *buf, size_t len, int dest, int tag,
                              const struct mpr_comm *comm, uint32_t ctx, enum mpr__copier copier,
                              struct mpr_request **out)
{
    (void)buf, (void)len, (void)dest, (void)tag, (void)comm, (void)ctx, (void)copier, (void)out;
    return MPR_ERR_UNSUPPORTED;
}
int mpr__recv_start(void *buf, size_t len, int source, int tag, const struct mpr_comm *comm, uint32_t ctx,
                    struct mpr_request **out)
{
    (void)buf, (void)len, (void)source, (void)tag, (void)comm, (void)ctx, (void)out;
    return MPR_ERR_UNSUPPORTED;
}
int mpr__wait_request(struct mpr_request *req, mpr_status *status)
{
    (void)req, (void)status;
    return MPR_ERR_UNSUPPORTED;
}

#define HEADER "mpr-tuning 1 key=0123abcd mpr=0.1\n"

static struct mpr__tune *parse_ok(const char *text)
{
    struct mpr__tune *t = NULL;
    char why[256] = "";
    int rc = mpr__tune_parse(text, &t, why, sizeof(why));
    if (rc != MPR_SUCCESS)
        fail_msg("refused: %s", why);
    return t;
}

/* The text is refused, and why names the line. */
static void refused(const char *text, int line)
{
    struct mpr__tune *t = NULL;
    char why[256] = "", want[32];
    assert_int_equal(mpr__tune_parse(text, &t, why, sizeof(why)), MPR_ERR_ARG);
    assert_null(t);
    snprintf(want, sizeof(want), "line %d: ", line);
    if (strncmp(why, want, strlen(want)) != 0)
        fail_msg("'%s' does not start with '%s'", why, want);
}

static const char *alg_of(const struct mpr__tune *t, int coll, int size, size_t bytes)
{
    struct mpr__tune_rule *r = mpr__tune_lookup(t, coll, size, bytes);
    return r ? (r->alg ? r->alg : "auto") : "none";
}

static void test_rules_and_boundaries(void **state)
{
    (void)state;
    struct mpr__tune *t = parse_ok("# written by hand\n"
                                   "\n" HEADER
                                   "bcast ranks=4 from=0 alg=binomial\n"
                                   "bcast ranks=4 from=65536 alg=chain   # big ones\n"
                                   "bcast ranks=4 from=4M alg=auto\n"
                                   "  bcast\tranks=2-3 from=1K alg=shm\r\n"
                                   "allreduce alg=ring from=16K ranks=3\n"
                                   "barrier ranks=8 from=0 alg=dissemination\n");
    assert_int_equal(t->nrules, 6);
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 4, 0), "binomial");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 4, 65535), "binomial");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 4, 65536), "chain");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 4, (4u << 20) - 1), "chain");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 4, 4u << 20), "auto");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 4, SIZE_MAX - 1), "auto");
    /* ranks: exact and ranges; sizes below the first from: no rule */
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 5, 65536), "none");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 1, 65536), "none");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 2, 1023), "none");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 2, 1024), "shm");
    assert_string_equal(alg_of(t, MPR__COLL_BCAST, 3, 1 << 30), "shm");
    assert_string_equal(alg_of(t, MPR__COLL_ALLREDUCE, 3, 16384), "ring");
    assert_string_equal(alg_of(t, MPR__COLL_ALLREDUCE, 3, 16383), "none");
    assert_string_equal(alg_of(t, MPR__COLL_ALLREDUCE, 4, 16384), "none");
    assert_string_equal(alg_of(t, MPR__COLL_REDUCE, 3, 16384), "none");
    assert_string_equal(alg_of(t, MPR__COLL_BARRIER, 8, 0), "dissemination");
    assert_int_equal(mpr__tune_lookup(t, MPR__COLL_BCAST, 4, 70000)->line, 5);
    mpr__tune_free(t);
    /* a header and nothing else: no rule at all */
    t = parse_ok(HEADER);
    assert_int_equal(t->nrules, 0);
    assert_null(mpr__tune_lookup(t, MPR__COLL_BCAST, 2, 1));
    mpr__tune_free(t);
}

static void test_every_name_accepted(void **state)
{
    (void)state;
    for (int c = 0; c < MPR__COLL_COUNT; c++) {
        const char *const *names = mpr__coll_alg_names(c);
        for (int a = 0; names[a]; a++) {
            char text[256];
            snprintf(text, sizeof(text), HEADER "%s ranks=3 from=8 alg=%s\n", mpr__coll_name(c),
                     names[a]);
            struct mpr__tune *t = parse_ok(text);
            const char *got = alg_of(t, c, 3, 8);
            assert_string_equal(got, names[a]);
            mpr__tune_free(t);
        }
    }
}

static void test_malformed_refused(void **state)
{
    (void)state;
    refused("", 1);
    refused("# only a comment\n", 1);
    refused("bcast ranks=4 from=0 alg=chain\n", 1); /* no header first */
    refused("mpr-tuning 2 key=ab mpr=0.1\n", 1);
    refused("mpr-tuning 1 key=XYZ mpr=0.1\n", 1);
    refused("mpr-tuning 1 key=ab\n", 1);
    refused(HEADER "bcastt ranks=4 from=0 alg=chain\n", 2);
    refused(HEADER "BCAST ranks=4 from=0 alg=chain\n", 2);
    refused(HEADER "bcast ranks=4 from=0 alg=chian\n", 2);
    refused(HEADER "bcast ranks=4 from=0 alg=Chain\n", 2);
    refused(HEADER "gather ranks=4 from=0 alg=ring\n", 2); /* allgather's, not gather's */
    refused(HEADER "bcast ranks=4 from=0\n", 2);
    refused(HEADER "bcast ranks=4 alg=chain\n", 2);
    refused(HEADER "bcast from=0 alg=chain\n", 2);
    refused(HEADER "bcast ranks=0 from=0 alg=chain\n", 2);
    refused(HEADER "bcast ranks=4-3 from=0 alg=chain\n", 2);
    refused(HEADER "bcast ranks=-4 from=0 alg=chain\n", 2);
    refused(HEADER "bcast ranks=4x from=0 alg=chain\n", 2);
    refused(HEADER "bcast ranks=99999999999 from=0 alg=chain\n", 2);
    refused(HEADER "bcast ranks=4 from=-1 alg=chain\n", 2);
    refused(HEADER "bcast ranks=4 from=1T alg=chain\n", 2);
    refused(HEADER "bcast ranks=4 from=64KB alg=chain\n", 2);
    refused(HEADER "bcast ranks=4 from= alg=chain\n", 2);
    refused(HEADER "bcast ranks=4 from=99999999999999999999 alg=chain\n", 2);
    refused(HEADER "bcast ranks=4 from=0 alg=chain speed=fast\n", 2);
    refused(HEADER "bcast ranks=4 ranks=5 from=0 alg=chain\n", 2);
    refused(HEADER "\n# gap\nbcast ranks=4 from=0 alg=chain\nbcast ranks=3-5 from=0 alg=shm\n",
            5); /* the same call twice */
    refused(HEADER "bcast ranks=4 from=0 alg=chain\nbcast ranks=4 from=0 alg=chain\n", 3);
}

static char tmpdir[] = "/tmp/test_tune.XXXXXX";

static char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_load_and_precedence(void **state)
{
    (void)state;
    static const char *const bcast_algs[] = { "shm", "binomial", "chain", "hier", NULL };
    assert_non_null(mkdtemp(tmpdir));
    unsetenv("MPR_COLL_BCAST");
    unsetenv("MPR_TUNING_DEBUG");

    /* no file: the built-in choice, tuned or not */
    unsetenv("MPR_TUNING_FILE");
    assert_int_equal(mpr__coll_tune_load(), MPR_SUCCESS);
    struct mpr__coll_choice c0 = { .name = "BCAST", .algs = bcast_algs };
    assert_int_equal(mpr__coll_choice(&c0, 4, 100000), -1);
    setenv("MPR_TUNING_FILE", "", 1);
    assert_int_equal(mpr__coll_tune_load(), MPR_SUCCESS);
    assert_null(mpr__coll_tuned(MPR__COLL_BCAST, 4, 100000));

    setenv("MPR_TUNING_FILE",
           write_file("good.conf", HEADER "bcast ranks=4 from=64K alg=chain\n"
                                          "bcast ranks=4 from=1M alg=auto\n"),
           1);
    assert_int_equal(mpr__coll_tune_load(), MPR_SUCCESS);
    struct mpr__coll_choice c1 = { .name = "BCAST", .algs = bcast_algs };
    assert_int_equal(mpr__coll_choice(&c1, 4, 65536), 2);       /* file: chain */
    assert_int_equal(mpr__coll_choice(&c1, 4, 65535), -1);      /* below: built-in */
    assert_int_equal(mpr__coll_choice(&c1, 4, 1 << 20), -1);    /* auto: built-in */
    assert_int_equal(mpr__coll_choice(&c1, 3, 65536), -1);      /* other size: built-in */
    assert_int_equal(mpr__coll_choice(&c1, 4, MPR__COLL_ANY_BYTES), -1); /* v variants */
    assert_false(mpr__coll_is_forced(&c1));

    /* MPR_COLL_BCAST wins over the file; "auto" forces nothing */
    setenv("MPR_COLL_BCAST", "binomial", 1);
    struct mpr__coll_choice c2 = { .name = "BCAST", .algs = bcast_algs };
    assert_int_equal(mpr__coll_choice(&c2, 4, 65536), 1);
    assert_int_equal(mpr__coll_choice(&c2, 4, 1), 1);
    assert_true(mpr__coll_is_forced(&c2));
    setenv("MPR_COLL_BCAST", "auto", 1);
    struct mpr__coll_choice c3 = { .name = "BCAST", .algs = bcast_algs };
    assert_int_equal(mpr__coll_choice(&c3, 4, 65536), 2);
    assert_false(mpr__coll_is_forced(&c3));
    unsetenv("MPR_COLL_BCAST");

    /* refused files: MPR_ERR_ARG; the rules loaded before stay */
    setenv("MPR_TUNING_FILE", write_file("bad.conf", HEADER "bcast ranks=4 from=0 alg=x\n"), 1);
    assert_int_equal(mpr__coll_tune_load(), MPR_ERR_ARG);
    setenv("MPR_TUNING_FILE", "/nonexistent/mpr-tuning.conf", 1);
    assert_int_equal(mpr__coll_tune_load(), MPR_ERR_ARG);
    setenv("MPR_TUNING_FILE", tmpdir, 1); /* a directory */
    assert_int_equal(mpr__coll_tune_load(), MPR_ERR_ARG);
    setenv("MPR_TUNING_DEBUG", "yes", 1);
    assert_int_equal(mpr__coll_tune_load(), MPR_ERR_ARG);
    unsetenv("MPR_TUNING_DEBUG");

    mpr__coll_tune_release();
    assert_null(mpr__coll_tuned(MPR__COLL_BCAST, 4, 65536));
    unsetenv("MPR_TUNING_FILE");
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_and_boundaries),
        cmocka_unit_test(test_every_name_accepted),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test(test_load_and_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
