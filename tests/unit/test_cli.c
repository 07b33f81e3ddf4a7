/*
 * test_cli - mprun's command-line parser: every option, every error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

#define ERRLEN 256

struct parsed {
    struct mprun_options opts;
    char err[ERRLEN];
    int rc;
};

/* Parse a NULL-terminated list of arguments after "mprun". The argv array
 * is static so prog_argv stays valid after the call. */
static void parse(struct parsed *p, const char *first, ...)
{
    static char *argv[64];
    int argc = 0;
    va_list ap;

    argv[argc++] = "mprun";
    va_start(ap, first);
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *)) {
        assert_true(argc < 63);
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;
    memset(p->err, 0, sizeof(p->err));
    p->rc = mprun_cli_parse(argc, argv, &p->opts, p->err, sizeof(p->err));
}

static void expect_error(struct parsed *p, const char *fragment)
{
    assert_int_equal(p->rc, -1);
    if (strstr(p->err, fragment) == NULL)
        fail_msg("error '%s' lacks '%s'", p->err, fragment);
    assert_null(strchr(p->err, '\n'));
    mprun_cli_free(&p->opts);
}

static void test_defaults(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "./prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.action, MPRUN_ACTION_RUN);
    assert_int_equal(p.opts.nranks, 1);
    assert_int_equal(p.opts.bind, MPRUN_BIND_DEFAULT);
    assert_int_equal(p.opts.map, MPRUN_MAP_CORE);
    assert_false(p.opts.report_bindings);
    assert_false(p.opts.oversubscribe);
    assert_false(p.opts.tag_output);
    assert_int_equal(p.opts.timeout_ms, 0);
    assert_int_equal(p.opts.nexports, 0);
    assert_string_equal(p.opts.prog_argv[0], "./prog");
    assert_null(p.opts.prog_argv[1]);
    mprun_cli_free(&p.opts);
}

static void test_nranks_forms(void **state)
{
    static const char *forms[][2] = {
        {"-n", "4"}, {"-np", "4"}, {"--np", "4"}, {"-n4", NULL}, {"--np=4", NULL},
    };
    struct parsed p;

    (void)state;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        if (forms[i][1] != NULL)
            parse(&p, forms[i][0], forms[i][1], "prog", NULL);
        else
            parse(&p, forms[i][0], "prog", NULL);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.opts.nranks, 4);
        assert_string_equal(p.opts.prog_argv[0], "prog");
        mprun_cli_free(&p.opts);
    }
    parse(&p, "-n", "2", "-n", "3", "prog", NULL); /* the last one wins */
    assert_int_equal(p.opts.nranks, 3);
    mprun_cli_free(&p.opts);
    parse(&p, "-n", "4096", "prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.nranks, MPRUN_MAX_RANKS);
    mprun_cli_free(&p.opts);
}

static void test_nranks_invalid(void **state)
{
    static const char *bad[] = {"0", "-1", "abc", "4x", "", " 4", "+4", "4097",
                                "99999999999999999999", "1.5", "0x10"};
    struct parsed p;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parse(&p, "-n", bad[i], "prog", NULL);
        expect_error(&p, "invalid number of ranks");
    }
    parse(&p, "-nx", "prog", NULL);
    expect_error(&p, "invalid number of ranks 'x'");
    parse(&p, "-n", NULL);
    expect_error(&p, "option '-n' needs a value");
    parse(&p, "-np", NULL);
    expect_error(&p, "option '-np' needs a value");
    parse(&p, "--np", NULL);
    expect_error(&p, "option '--np' needs a value");
}

static void test_bind_to(void **state)
{
    static const struct {
        const char *name;
        enum mprun_bind bind;
    } cases[] = {
        {"core", MPRUN_BIND_CORE},
        {"socket", MPRUN_BIND_SOCKET},
        {"numa", MPRUN_BIND_NUMA},
        {"none", MPRUN_BIND_NONE},
    };
    struct parsed p;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        parse(&p, "--bind-to", cases[i].name, "prog", NULL);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.opts.bind, cases[i].bind);
        mprun_cli_free(&p.opts);
    }
    parse(&p, "--bind-to=socket", "prog", NULL);
    assert_int_equal(p.opts.bind, MPRUN_BIND_SOCKET);
    mprun_cli_free(&p.opts);

    parse(&p, "--bind-to", "cores", "prog", NULL);
    expect_error(&p, "invalid --bind-to value 'cores'");
    parse(&p, "--bind-to", "", "prog", NULL);
    expect_error(&p, "invalid --bind-to value ''");
    parse(&p, "--bind-to", NULL);
    expect_error(&p, "option '--bind-to' needs a value");
}

static void test_map_by(void **state)
{
    static const struct {
        const char *name;
        enum mprun_map map;
    } cases[] = {
        {"core", MPRUN_MAP_CORE},
        {"socket", MPRUN_MAP_SOCKET},
        {"numa", MPRUN_MAP_NUMA},
    };
    struct parsed p;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        parse(&p, "--map-by", cases[i].name, "prog", NULL);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.opts.map, cases[i].map);
        mprun_cli_free(&p.opts);
    }
    parse(&p, "--map-by=numa", "prog", NULL);
    assert_int_equal(p.opts.map, MPRUN_MAP_NUMA);
    mprun_cli_free(&p.opts);

    parse(&p, "--map-by", "none", "prog", NULL);
    expect_error(&p, "invalid --map-by value 'none'");
    parse(&p, "--map-by", NULL);
    expect_error(&p, "option '--map-by' needs a value");
}

static void test_flags(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "--report-bindings", "--oversubscribe", "--tag-output", "prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_true(p.opts.report_bindings);
    assert_true(p.opts.oversubscribe);
    assert_true(p.opts.tag_output);
    mprun_cli_free(&p.opts);

    parse(&p, "--tag-output=yes", "prog", NULL);
    expect_error(&p, "option '--tag-output' takes no value");
    parse(&p, "--oversubscribe=1", "prog", NULL);
    expect_error(&p, "option '--oversubscribe' takes no value");
}

static void test_timeout(void **state)
{
    static const struct {
        const char *text;
        long ms;
    } good[] = {
        {"10", 10000}, {"2.5", 2500}, {".5", 500}, {"3.", 3000}, {"0.0001", 1},
        {"0.001", 1}, {"86400", 86400000},
    };
    static const char *bad[] = {"0", "0.0", "-1", "abc", "", "1e3", "inf", "nan",
                                "1.2.3", "0x10", "5s", " 5", "999999999999"};
    struct parsed p;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        parse(&p, "--timeout", good[i].text, "prog", NULL);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.opts.timeout_ms, good[i].ms);
        assert_string_equal(p.opts.timeout_text, good[i].text);
        mprun_cli_free(&p.opts);
    }
    parse(&p, "--timeout=7", "prog", NULL);
    assert_int_equal(p.opts.timeout_ms, 7000);
    mprun_cli_free(&p.opts);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parse(&p, "--timeout", bad[i], "prog", NULL);
        expect_error(&p, "invalid --timeout value");
    }
    parse(&p, "--timeout", NULL);
    expect_error(&p, "option '--timeout' needs a value");
}

static void test_exports(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "-x", "HOME", "-x", "FOO=bar", "-xA_1=", "--", "prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.nexports, 3);
    assert_string_equal(p.opts.exports[0], "HOME");
    assert_string_equal(p.opts.exports[1], "FOO=bar");
    assert_string_equal(p.opts.exports[2], "A_1=");
    assert_int_equal(mprun_cli_export_name_length(p.opts.exports[0]), 4);
    assert_int_equal(mprun_cli_export_name_length(p.opts.exports[1]), 3);
    assert_int_equal(mprun_cli_export_name_length(p.opts.exports[2]), 3);
    mprun_cli_free(&p.opts);

    parse(&p, "-x", "X=a=b", "prog", NULL); /* the value may hold '=' */
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.opts.exports[0], "X=a=b");
    assert_int_equal(mprun_cli_export_name_length(p.opts.exports[0]), 1);
    mprun_cli_free(&p.opts);

    parse(&p, "-x", "=value", "prog", NULL);
    expect_error(&p, "invalid -x value '=value'");
    parse(&p, "-x", "", "prog", NULL);
    expect_error(&p, "invalid -x value ''");
    parse(&p, "-x", "1ABC", "prog", NULL);
    expect_error(&p, "invalid -x value '1ABC'");
    parse(&p, "-x", "A-B=1", "prog", NULL);
    expect_error(&p, "invalid -x value 'A-B=1'");
    parse(&p, "-x", NULL);
    expect_error(&p, "option '-x' needs a value");
}

static void test_program_and_its_arguments(void **state)
{
    struct parsed p;

    (void)state;
    /* Options end at the program: what follows is the program's. */
    parse(&p, "-n", "2", "prog", "-n", "5", "--help", "--bogus", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.nranks, 2);
    assert_int_equal(p.opts.action, MPRUN_ACTION_RUN);
    assert_string_equal(p.opts.prog_argv[0], "prog");
    assert_string_equal(p.opts.prog_argv[1], "-n");
    assert_string_equal(p.opts.prog_argv[3], "--help");
    assert_string_equal(p.opts.prog_argv[4], "--bogus");
    assert_null(p.opts.prog_argv[5]);
    mprun_cli_free(&p.opts);

    /* "--" ends options, so a program may start with a dash. */
    parse(&p, "-n", "2", "--", "-weird", "x", NULL);
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.opts.prog_argv[0], "-weird");
    assert_string_equal(p.opts.prog_argv[1], "x");
    mprun_cli_free(&p.opts);

    /* A lone "-" is not an option. */
    parse(&p, "-", NULL);
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.opts.prog_argv[0], "-");
    mprun_cli_free(&p.opts);
}

static void test_missing_program(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, NULL, NULL);
    expect_error(&p, "no program to run");
    parse(&p, "-n", "2", NULL);
    expect_error(&p, "no program to run");
    parse(&p, "-n", "2", "--", NULL);
    expect_error(&p, "no program to run");
    parse(&p, "--tag-output", NULL);
    expect_error(&p, "no program to run");
}

static void test_unknown_options(void **state)
{
    static const char *bad[] = {"-z", "--bogus", "--np4", "-N", "--bind", "-bind-to",
                                "--report-binding", "--=x", "---"};
    struct parsed p;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parse(&p, bad[i], "prog", NULL);
        expect_error(&p, "unknown option");
        assert_non_null(strstr(p.err, bad[i]));
    }
}

static void test_help_and_version(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "--help", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.action, MPRUN_ACTION_HELP);
    mprun_cli_free(&p.opts);
    parse(&p, "-h", NULL);
    assert_int_equal(p.opts.action, MPRUN_ACTION_HELP);
    mprun_cli_free(&p.opts);
    parse(&p, "-n", "3", "--help", "--bogus", NULL); /* help wins over what follows */
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.action, MPRUN_ACTION_HELP);
    mprun_cli_free(&p.opts);
    parse(&p, "--version", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.action, MPRUN_ACTION_VERSION);
    mprun_cli_free(&p.opts);
    parse(&p, "--bogus", "--help", NULL); /* but not over what precedes */
    expect_error(&p, "unknown option '--bogus'");
    parse(&p, "--help=1", NULL);
    expect_error(&p, "takes no value");
}

static void test_usage_text(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    mprun_cli_print_usage(f);
    fclose(f);
    for (const char *word = "--bind-to\0--map-by\0--report-bindings\0--oversubscribe\0"
                            "--tag-output\0--timeout\0-x VAR\0--help\0--version\0";
         *word != '\0'; word += strlen(word) + 1) {
        if (strstr(text, word) == NULL)
            fail_msg("usage lacks %s", word);
    }
    free(text);
}

static void test_small_error_buffer(void **state)
{
    char *argv[] = {"mprun", "--bind-to", "something-long", "prog", NULL};
    struct mprun_options opts;
    char err[8];

    (void)state;
    assert_int_equal(mprun_cli_parse(4, argv, &opts, err, sizeof(err)), -1);
    assert_int_equal(strlen(err), sizeof(err) - 1); /* truncated, terminated */
    mprun_cli_free(&opts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_nranks_forms),
        cmocka_unit_test(test_nranks_invalid),
        cmocka_unit_test(test_bind_to),
        cmocka_unit_test(test_map_by),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_program_and_its_arguments),
        cmocka_unit_test(test_missing_program),
        cmocka_unit_test(test_unknown_options),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_usage_text),
        cmocka_unit_test(test_small_error_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
