/*
 * test_cli - mprun's command-line parser: every option, every error path;
 * host lists and hostfiles, the local host, rank placement; and the
 * bounds-checked decoding of the daemons' messages and fence collection.
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

#include "cli.h"
#include "fence.h"
#include "hosts.h"
#include "names.h"
#include "wire.h"

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
    assert_false(p.opts.enable_recovery);
    assert_int_equal(p.opts.timeout_ms, 0);
    assert_int_equal(p.opts.nexports, 0);
    assert_false(p.opts.nranks_given);
    assert_int_equal(p.opts.nhost_lists, 0);
    assert_null(p.opts.hostfile);
    assert_null(p.opts.launch_agent);
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

    parse(&p, "--map-by", "slot", "prog", NULL);
    assert_int_equal(p.opts.map, MPRUN_MAP_SLOT);
    mprun_cli_free(&p.opts);
    parse(&p, "--map-by=node", "prog", NULL);
    assert_int_equal(p.opts.map, MPRUN_MAP_NODE);
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
    parse(&p, "--report-bindings", "--oversubscribe", "--tag-output", "--enable-recovery", "prog",
          NULL);
    assert_int_equal(p.rc, 0);
    assert_true(p.opts.report_bindings);
    assert_true(p.opts.oversubscribe);
    assert_true(p.opts.tag_output);
    assert_true(p.opts.enable_recovery);
    mprun_cli_free(&p.opts);

    parse(&p, "prog", "--enable-recovery", NULL);
    assert_int_equal(p.rc, 0);
    assert_false(p.opts.enable_recovery); /* the program's argument */
    mprun_cli_free(&p.opts);

    parse(&p, "--tag-output=yes", "prog", NULL);
    expect_error(&p, "option '--tag-output' takes no value");
    parse(&p, "--oversubscribe=1", "prog", NULL);
    expect_error(&p, "option '--oversubscribe' takes no value");
    parse(&p, "--enable-recovery=1", "prog", NULL);
    expect_error(&p, "option '--enable-recovery' takes no value");
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

/* --tuning-file, --no-tuning (not both), --tuning-path (an action: no
 * program needed). What mprun makes of them: tests/integration/tune.sh. */
static void test_tuning_options(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "prog", NULL);
    assert_null(p.opts.tuning_file);
    assert_false(p.opts.no_tuning);
    mprun_cli_free(&p.opts);
    parse(&p, "--tuning-file", "/x/t.conf", "-n", "2", "prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.opts.tuning_file, "/x/t.conf");
    mprun_cli_free(&p.opts);
    parse(&p, "--tuning-file=t.conf", "prog", NULL);
    assert_string_equal(p.opts.tuning_file, "t.conf");
    mprun_cli_free(&p.opts);
    parse(&p, "--no-tuning", "prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_true(p.opts.no_tuning);
    mprun_cli_free(&p.opts);
    parse(&p, "--tuning-path", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.action, MPRUN_ACTION_TUNING_PATH);
    mprun_cli_free(&p.opts);
    parse(&p, "--tuning-file", "", "prog", NULL);
    expect_error(&p, "invalid --tuning-file value ''");
    parse(&p, "--tuning-file", NULL);
    expect_error(&p, "needs a value");
    parse(&p, "--no-tuning", "--tuning-file", "t.conf", "prog", NULL);
    expect_error(&p, "--tuning-file and --no-tuning cannot be used together");
    parse(&p, "--no-tuning=1", "prog", NULL);
    expect_error(&p, "takes no value");
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
                            "--tag-output\0--timeout\0-x VAR\0--help\0--version\0--host\0"
                            "--hostfile\0--launch-agent\0MPRUN_LAUNCH_AGENT\0--enable-recovery\0";
         *word != '\0'; word += strlen(word) + 1) {
        if (strstr(text, word) == NULL)
            fail_msg("usage lacks %s", word);
    }
    free(text);
}

static void test_host_options(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "--host", "a:2,b", "--host=c", "-n", "3", "--launch-agent", "ssh -x", "prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.opts.nhost_lists, 2);
    assert_string_equal(p.opts.host_lists[0], "a:2,b");
    assert_string_equal(p.opts.host_lists[1], "c");
    assert_true(p.opts.nranks_given);
    assert_string_equal(p.opts.launch_agent, "ssh -x");
    mprun_cli_free(&p.opts);

    parse(&p, "--hostfile", "hosts.txt", "prog", NULL);
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.opts.hostfile, "hosts.txt");
    mprun_cli_free(&p.opts);

    parse(&p, "--host", "a", "--hostfile", "f", "prog", NULL);
    expect_error(&p, "--host and --hostfile cannot be used together");
    parse(&p, "--host", "", "prog", NULL);
    expect_error(&p, "invalid --host value ''");
    parse(&p, "--hostfile=", "prog", NULL);
    expect_error(&p, "invalid --hostfile value ''");
    parse(&p, "--launch-agent", "  ", "prog", NULL);
    expect_error(&p, "invalid --launch-agent value");
    parse(&p, "--host", NULL);
    expect_error(&p, "option '--host' needs a value");
}

/* ---- Host lists and hostfiles --------------------------------------- */

static void expect_host(const struct mprun_host_list *l, int i, const char *name, int slots)
{
    assert_true(i < l->nhosts);
    assert_string_equal(l->hosts[i].name, name);
    assert_int_equal(l->hosts[i].slots, slots);
}

static void test_host_list(void **state)
{
    struct mprun_host_list l = {0};
    char err[ERRLEN];

    (void)state;
    assert_int_equal(mprun_hosts_parse_list("h1:2,h2,node-3.example.org:16", &l, err, ERRLEN), 0);
    assert_int_equal(l.nhosts, 3);
    expect_host(&l, 0, "h1", 2);
    expect_host(&l, 1, "h2", 1);
    expect_host(&l, 2, "node-3.example.org", 16);
    /* A host listed again adds its slots; names compare without case. */
    assert_int_equal(mprun_hosts_parse_list("H2:3,10.0.0.1", &l, err, ERRLEN), 0);
    assert_int_equal(l.nhosts, 4);
    expect_host(&l, 1, "h2", 4);
    expect_host(&l, 3, "10.0.0.1", 1);
    assert_int_equal(mprun_hosts_total_slots(&l), 23);
    mprun_hosts_free(&l);
    assert_int_equal(l.nhosts, 0);
}

static void test_host_list_errors(void **state)
{
    static const struct {
        const char *text, *error;
    } bad[] = {
        {"h1,,h2", "an empty host name"},
        {",h1", "an empty host name"},
        {"h1,", "an empty host name"},
        {":2", "an empty host name"},
        {"h1:", "slots must be an integer from 1 to 4096"},
        {"h1:0", "slots must be"},
        {"h1:4097", "slots must be"},
        {"h1:-1", "slots must be"},
        {"h1:2x", "slots must be"},
        {"h1:99999999999", "slots must be"},
        {"-oProxyCommand=x", "a host name starting with '-'"},
        {"h 1", "a character not allowed in a host name"},
        {"h1;rm", "a character not allowed"},
        {"$(x)", "a character not allowed"},
        {"[::1]:2", "a character not allowed"},
    };
    char err[ERRLEN];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mprun_host_list l = {0};

        assert_int_equal(mprun_hosts_parse_list(bad[i].text, &l, err, ERRLEN), -1);
        if (strstr(err, bad[i].error) == NULL || strstr(err, "invalid --host value") == NULL)
            fail_msg("'%s': error '%s' lacks '%s'", bad[i].text, err, bad[i].error);
        mprun_hosts_free(&l);
    }
}

static void test_hostfile(void **state)
{
    const char *text = "# cluster\n"
                       "\n"
                       "node1 slots=4\n"
                       "   node2\t  slots=2   # the small one\n"
                       "node3#no slots\n"
                       "\t\n"
                       "node1 slots=2\n"
                       "node4"; /* no newline at the end */
    struct mprun_host_list l = {0};
    char err[ERRLEN];

    (void)state;
    assert_int_equal(mprun_hosts_parse_text(text, "hf", &l, err, ERRLEN), 0);
    assert_int_equal(l.nhosts, 4);
    expect_host(&l, 0, "node1", 6);
    expect_host(&l, 1, "node2", 2);
    expect_host(&l, 2, "node3", 1);
    expect_host(&l, 3, "node4", 1);
    mprun_hosts_free(&l);
}

static void test_hostfile_errors(void **state)
{
    static const struct {
        const char *text, *error;
    } bad[] = {
        {"node1\nnode2 slots=0\n", "hf:2: invalid 'slots=0': slots must be an integer from 1"},
        {"node1 slots=\n", "hf:1: unexpected 'slots='"},
        {"a\n\n# c\nnode1 slot=2\n", "hf:4: unexpected 'slot=2' (expected 'slots=N')"},
        {"node1 slots=2 slots=3\n", "hf:1: unexpected 'slots=3'"},
        {"node1 4\n", "hf:1: unexpected '4'"},
        {"ok\nbad|name\n", "hf:2: a character not allowed in a host name"},
        {"-x\n", "hf:1: a host name starting with '-'"},
        {"n slots=x\n", "hf:1: invalid 'slots=x'"},
        {"", "hf: no host in the file"},
        {"# only comments\n\n   \n", "hf: no host in the file"},
    };
    char err[ERRLEN];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mprun_host_list l = {0};

        assert_int_equal(mprun_hosts_parse_text(bad[i].text, "hf", &l, err, ERRLEN), -1);
        if (strstr(err, bad[i].error) == NULL)
            fail_msg("case %zu: error '%s' lacks '%s'", i, err, bad[i].error);
        assert_null(strchr(err, '\n'));
        mprun_hosts_free(&l);
    }
}

static void test_hostfile_read(void **state)
{
    char path[] = "/tmp/test_cli_hostfile_XXXXXX";
    struct mprun_host_list l = {0};
    char err[ERRLEN];
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "a slots=2\nb\n", 12), 12);
    close(fd);
    assert_int_equal(mprun_hosts_read_file(path, &l, err, ERRLEN), 0);
    assert_int_equal(l.nhosts, 2);
    expect_host(&l, 0, "a", 2);
    mprun_hosts_free(&l);
    unlink(path);
    assert_int_equal(mprun_hosts_read_file(path, &l, err, ERRLEN), -1);
    assert_non_null(strstr(err, "cannot read hostfile"));
    assert_non_null(strstr(err, "No such file or directory"));
}

static void test_local_host(void **state)
{
    char *addresses[] = {"192.168.7.5", "fe80::1"};
    struct mprun_local_identity id = {
        .short_name = "vm",
        .full_name = "vm.example.org",
        .addresses = addresses,
        .naddresses = 2,
    };
    struct mprun_host_list l = {0};
    char err[ERRLEN];

    (void)state;
    static const char *const local_names[] = {
        "vm", "VM", "vm.example.org", "localhost", "127.0.0.1", "127.1.2.3", "::1",
        "192.168.7.5", "fe80::1",
    };
    static const char *const other_names[] = {
        "vm2", "example", "192.168.7.6", "128.0.0.1", "localhost2", "vm.example",
    };

    for (size_t i = 0; i < sizeof(local_names) / sizeof(local_names[0]); i++) {
        if (!mprun_host_is_local(local_names[i], &id))
            fail_msg("'%s' should be this host", local_names[i]);
    }
    for (size_t i = 0; i < sizeof(other_names) / sizeof(other_names[0]); i++) {
        if (mprun_host_is_local(other_names[i], &id))
            fail_msg("'%s' should be another host", other_names[i]);
    }
    /* Every entry naming this host becomes one, the first of them. */
    assert_int_equal(mprun_hosts_parse_list("h1,localhost:2,h2:3,vm,127.0.0.1:4", &l, err, ERRLEN),
                     0);
    assert_int_equal(mprun_hosts_mark_local(&l, &id), 1);
    assert_int_equal(l.nhosts, 3);
    expect_host(&l, 0, "h1", 1);
    expect_host(&l, 1, "localhost", 7);
    assert_true(l.hosts[1].local);
    expect_host(&l, 2, "h2", 3);
    assert_false(l.hosts[2].local);
    mprun_hosts_free(&l);
    assert_int_equal(mprun_hosts_parse_list("h1,h2", &l, err, ERRLEN), 0);
    assert_int_equal(mprun_hosts_mark_local(&l, &id), -1);
    mprun_hosts_free(&l);
}

static void expect_placement(const char *hosts, int nranks, bool by_node, const char *want)
{
    struct mprun_host_list l = {0};
    char err[ERRLEN], got[256] = "";
    int host_of_rank[64];

    assert_int_equal(mprun_hosts_parse_list(hosts, &l, err, ERRLEN), 0);
    mprun_hosts_place(&l, nranks, by_node, host_of_rank);
    for (int r = 0; r < nranks; r++)
        got[r] = (char)('0' + host_of_rank[r]);
    got[nranks] = '\0';
    if (strcmp(got, want) != 0)
        fail_msg("%s, %d ranks by %s: %s, wanted %s", hosts, nranks, by_node ? "node" : "slot",
                 got, want);
    mprun_hosts_free(&l);
}

static void test_placement(void **state)
{
    (void)state;
    expect_placement("a:2,b:2", 4, false, "0011");
    expect_placement("a:2,b:2", 4, true, "0101");
    expect_placement("a:2,b:2", 3, false, "001");
    expect_placement("a:2,b:2", 3, true, "010");
    expect_placement("a:3,b:1,c:2", 6, false, "000122");
    expect_placement("a:3,b:1,c:2", 6, true, "012020");
    expect_placement("a:3,b:1,c:2", 2, false, "00");
    expect_placement("a,b,c", 1, true, "0");
    /* Oversubscribed: each host gets its slots, then one more in turn. */
    expect_placement("a:2,b:2", 6, false, "000111");
    expect_placement("a:2,b:2", 6, true, "010101");
    expect_placement("a:2,b:1", 5, false, "00011");
    expect_placement("a:2,b:1", 5, true, "01010");
    expect_placement("a", 5, false, "00000");
    expect_placement("a:1,b:1", 7, true, "0101010");
}

/* ---- The daemons' wire format ------------------------------------------ */

static void test_hello_round_trip(void **state)
{
    struct mprun_hello in = {.host = 3, .pid = 4242, .host_name = "node7"}, out;
    struct mprun_wbuf w = {0};
    char err[ERRLEN];

    (void)state;
    for (int i = 0; i < MPRUN_WIRE_SECRET_LEN; i++)
        in.secret[i] = (uint8_t)(i * 7);
    mprun_hello_encode(&in, &w);
    assert_false(w.failed);
    assert_true(w.len <= MPRUN_WIRE_HELLO_MAX);
    assert_int_equal(mprun_hello_decode(w.data, w.len, &out, err, ERRLEN), 0);
    assert_int_equal(out.host, 3);
    assert_int_equal(out.pid, 4242);
    assert_string_equal(out.host_name, "node7");
    assert_true(mprun_secret_equal(out.secret, in.secret));
    mprun_hello_free(&out);
    /* Every truncation, and one byte too many, is refused. */
    for (size_t len = 0; len < w.len; len++)
        assert_int_equal(mprun_hello_decode(w.data, len, &out, err, ERRLEN), -1);
    w.data = realloc(w.data, w.len + 1);
    assert_int_equal(mprun_hello_decode(w.data, w.len + 1, &out, err, ERRLEN), -1);
    /* Wrong magic, wrong version. */
    w.data[0] ^= 1;
    assert_int_equal(mprun_hello_decode(w.data, w.len, &out, err, ERRLEN), -1);
    assert_non_null(strstr(err, "not an mprun daemon"));
    w.data[0] ^= 1;
    w.data[7] ^= 2;
    assert_int_equal(mprun_hello_decode(w.data, w.len, &out, err, ERRLEN), -1);
    assert_non_null(strstr(err, "another mprun version"));
    mprun_wbuf_free(&w);
}

static void test_hello_hostile(void **state)
{
    struct mprun_wbuf w = {0};
    struct mprun_hello out;
    char err[ERRLEN];
    uint8_t secret[MPRUN_WIRE_SECRET_LEN] = {0};

    (void)state;
    /* A name length pointing past the frame, a name with a NUL, an empty name. */
    mprun_wbuf_u32(&w, MPRUN_WIRE_MAGIC);
    mprun_wbuf_u32(&w, MPRUN_WIRE_VERSION);
    mprun_wbuf_u32(&w, 0);
    mprun_wbuf_raw(&w, secret, sizeof(secret));
    mprun_wbuf_u32(&w, 1);
    mprun_wbuf_u32(&w, 0xffffffffu);
    assert_int_equal(mprun_hello_decode(w.data, w.len, &out, err, ERRLEN), -1);
    w.len -= 4;
    mprun_wbuf_bytes(&w, "a\0b", 3);
    assert_int_equal(mprun_hello_decode(w.data, w.len, &out, err, ERRLEN), -1);
    w.len -= 7;
    mprun_wbuf_bytes(&w, "", 0);
    assert_int_equal(mprun_hello_decode(w.data, w.len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
}

static void test_job_desc_round_trip(void **state)
{
    char *names[] = {"n0", "n1", NULL}, *labels[] = {"h0", "h1.example", NULL};
    char *argv[] = {"prog", "-x", "", "a b", NULL}, *exports[] = {"A=1", "B=", NULL};
    uint32_t host_of_rank[] = {0, 1, 1};
    struct mprun_job_desc in = {
        .nspace = "mprun-12",
        .nranks = 3,
        .nhosts = 2,
        .host_names = names,
        .host_labels = labels,
        .host_of_rank = host_of_rank,
        .host = 1,
        .argv = argv,
        .argc = 4,
        .exports = exports,
        .nexports = 2,
        .cwd = "/work",
        .bind = 2,
        .map = 4,
        .report_bindings = true,
        .stdin_to_rank0 = true,
        .heartbeat_ms = 30000,
    };
    struct mprun_job_desc out;
    struct mprun_wbuf w = {0};
    char err[ERRLEN];

    (void)state;
    mprun_job_desc_encode(&in, &w);
    assert_false(w.failed);
    assert_int_equal(mprun_job_desc_decode(w.data, w.len, &out, err, ERRLEN), 0);
    assert_string_equal(out.nspace, "mprun-12");
    assert_int_equal(out.nranks, 3);
    assert_string_equal(out.host_names[1], "n1");
    assert_string_equal(out.host_labels[1], "h1.example");
    assert_null(out.host_names[2]);
    assert_int_equal(out.host_of_rank[2], 1);
    assert_int_equal(out.host, 1);
    assert_int_equal(out.argc, 4);
    assert_string_equal(out.argv[2], "");
    assert_string_equal(out.argv[3], "a b");
    assert_null(out.argv[4]);
    assert_int_equal(out.nexports, 2);
    assert_string_equal(out.exports[1], "B=");
    assert_null(out.exports[2]);
    assert_string_equal(out.cwd, "/work");
    assert_int_equal(out.bind, 2);
    assert_int_equal(out.map, 4);
    assert_true(out.report_bindings);
    assert_false(out.slots_oversubscribed);
    assert_true(out.stdin_to_rank0);
    assert_int_equal(out.heartbeat_ms, 30000);
    mprun_job_desc_free(&out);
    for (size_t len = 0; len < w.len; len++)
        assert_int_equal(mprun_job_desc_decode(w.data, len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);

    /* A rank on a host that does not exist; an export without '='. */
    host_of_rank[2] = 2;
    mprun_job_desc_encode(&in, &w);
    assert_int_equal(mprun_job_desc_decode(w.data, w.len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
    host_of_rank[2] = 1;
    exports[1] = "B";
    mprun_job_desc_encode(&in, &w);
    assert_int_equal(mprun_job_desc_decode(w.data, w.len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
}

static void test_job_desc_hostile_counts(void **state)
{
    struct mprun_wbuf w = {0};
    struct mprun_job_desc out;
    char err[ERRLEN];

    (void)state;
    /* Counts that would make the decoder allocate without end. */
    mprun_wbuf_str(&w, "ns");
    mprun_wbuf_u32(&w, 0xffffffffu);
    mprun_wbuf_u32(&w, 1);
    assert_int_equal(mprun_job_desc_decode(w.data, w.len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
    mprun_wbuf_str(&w, "ns");
    mprun_wbuf_u32(&w, 2);
    mprun_wbuf_u32(&w, 3); /* more hosts than ranks */
    assert_int_equal(mprun_job_desc_decode(w.data, w.len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
}

static void test_fence_msg(void **state)
{
    uint32_t procs[] = {MPRUN_FENCE_ALL};
    struct mprun_fence_msg in = {.nprocs = 1, .procs = procs, .status = -25, .data = "blob",
                                 .ndata = 4}, out;
    struct mprun_wbuf w = {0};
    char err[ERRLEN];

    (void)state;
    mprun_fence_msg_encode(&in, &w);
    assert_int_equal(mprun_fence_msg_decode(w.data, w.len, &out, err, ERRLEN), 0);
    assert_int_equal(out.nprocs, 1);
    assert_int_equal(out.procs[0], MPRUN_FENCE_ALL);
    assert_int_equal(out.status, -25);
    assert_int_equal(out.ndata, 4);
    assert_memory_equal(out.data, "blob", 4);
    mprun_fence_msg_free(&out);
    for (size_t len = 0; len < w.len; len++)
        assert_int_equal(mprun_fence_msg_decode(w.data, len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
    in.nprocs = 0;
    mprun_fence_msg_encode(&in, &w);
    assert_int_equal(mprun_fence_msg_decode(w.data, w.len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
}

static void test_secret_hex(void **state)
{
    uint8_t secret[MPRUN_WIRE_SECRET_LEN], back[MPRUN_WIRE_SECRET_LEN];
    char hex[2 * MPRUN_WIRE_SECRET_LEN + 1];

    (void)state;
    for (int i = 0; i < MPRUN_WIRE_SECRET_LEN; i++)
        secret[i] = (uint8_t)(255 - i * 3);
    mprun_secret_to_hex(secret, hex);
    assert_int_equal(strlen(hex), 64);
    assert_int_equal(mprun_hex_to_secret(hex, back), 0);
    assert_true(mprun_secret_equal(secret, back));
    back[31] ^= 0x80;
    assert_false(mprun_secret_equal(secret, back));
    hex[10] = 'g';
    assert_int_equal(mprun_hex_to_secret(hex, back), -1);
    assert_int_equal(mprun_hex_to_secret("abcd", back), -1);
    memset(hex, 'a', 64);
    hex[64] = '\0';
    assert_int_equal(mprun_hex_to_secret(hex, back), 0);
    hex[63] = '\0';
    assert_int_equal(mprun_hex_to_secret(hex, back), -1);
}

/* ---- Fence collection -------------------------------------------------- */

static void test_fence_collect(void **state)
{
    int host_of_rank[] = {0, 0, 1, 2};
    uint32_t all[] = {MPRUN_FENCE_ALL}, some[] = {0, 2};
    struct mprun_fence f;
    struct mprun_fence_round *done;
    char err[ERRLEN];
    int token;

    (void)state;
    mprun_fence_init(&f, 3, 4, host_of_rank);
    /* Two fences over everyone: host 1 runs ahead into the second. */
    assert_int_equal(mprun_fence_join(&f, 1, 0, all, 1, 0, "B", 1, NULL, &done, err, ERRLEN), 0);
    assert_null(done);
    assert_int_equal(mprun_fence_join(&f, 1, 0, all, 1, 0, "b", 1, NULL, &done, err, ERRLEN), 0);
    assert_null(done);
    assert_int_equal(mprun_fence_join(&f, 0, 0, all, 1, 0, "A", 1, &token, &done, err, ERRLEN), 0);
    assert_null(done);
    assert_int_equal(mprun_fence_join(&f, 2, 0, all, 1, 0, "C", 1, NULL, &done, err, ERRLEN), 0);
    assert_non_null(done);
    assert_int_equal(done->status, 0);
    assert_int_equal(done->ndata, 3);
    assert_memory_equal(done->data, "BAC", 3);
    assert_ptr_equal(done->local_token, &token);
    assert_true(done->included[0] && done->included[1] && done->included[2]);
    mprun_fence_round_free(done);
    /* The second round: a failure anywhere is everyone's. */
    assert_int_equal(mprun_fence_join(&f, 0, 0, all, 1, 0, "a", 1, NULL, &done, err, ERRLEN), 0);
    assert_int_equal(mprun_fence_join(&f, 2, 0, all, 1, -46, "c", 1, NULL, &done, err, ERRLEN), 0);
    assert_non_null(done);
    assert_int_equal(done->status, -46);
    mprun_fence_round_free(done);
    assert_null(f.rounds);

    /* Ranks 0 and 2: hosts 0 and 1 only. */
    assert_int_equal(mprun_fence_join(&f, 1, 0, some, 2, 0, "y", 1, NULL, &done, err, ERRLEN), 0);
    assert_int_equal(mprun_fence_join(&f, 2, 0, some, 2, 0, "z", 1, NULL, &done, err, ERRLEN), -1);
    assert_non_null(strstr(err, "none of which runs there"));
    assert_int_equal(mprun_fence_join(&f, 0, 0, some, 2, 0, "x", 1, NULL, &done, err, ERRLEN), 0);
    assert_non_null(done);
    assert_false(done->included[2]);
    assert_memory_equal(done->data, "yx", 2);
    mprun_fence_round_free(done);

    /* A rank out of range. */
    uint32_t bad[] = {4};
    assert_int_equal(mprun_fence_join(&f, 0, 0, bad, 1, 0, NULL, 0, NULL, &done, err, ERRLEN), -1);
    assert_non_null(strstr(err, "rank 4 of a job of 4"));
    /* Left incomplete: freed with the collector. */
    assert_int_equal(mprun_fence_join(&f, 0, 0, all, 1, 0, "q", 1, NULL, &done, err, ERRLEN), 0);
    mprun_fence_free(&f, NULL);
    assert_null(f.rounds);
}

static void collect_round(void *ctx, struct mprun_fence_round *round)
{
    struct mprun_fence_round **slot = ctx;

    assert_null(*slot);
    *slot = round;
}

/* A host whose ranks all ended fails the rounds waiting for it, and those
 * to come; rounds it is not in are not touched. */
static void test_fence_host_gone(void **state)
{
    int host_of_rank[] = {0, 0, 1, 2};
    uint32_t all[] = {MPRUN_FENCE_ALL}, not2[] = {0, 2};
    struct mprun_fence f;
    struct mprun_fence_round *done, *delivered = NULL;
    char err[ERRLEN];

    (void)state;
    mprun_fence_init(&f, 3, 4, host_of_rank);
    assert_int_equal(mprun_fence_join(&f, 0, 0, all, 1, 0, "a", 1, NULL, &done, err, ERRLEN), 0);
    assert_int_equal(mprun_fence_join(&f, 1, 0, all, 1, 0, "b", 1, NULL, &done, err, ERRLEN), 0);
    assert_int_equal(mprun_fence_join(&f, 0, 0, not2, 2, 0, "x", 1, NULL, &done, err, ERRLEN), 0);
    mprun_fence_host_gone(&f, 2, -61, collect_round, &delivered);
    assert_non_null(delivered);
    assert_int_equal(delivered->status, -61);
    assert_int_equal(delivered->nprocs, 1);
    mprun_fence_round_free(delivered);
    delivered = NULL;
    /* Again: nothing more happens. */
    mprun_fence_host_gone(&f, 2, -61, collect_round, &delivered);
    assert_null(delivered);
    /* The round over ranks 0 and 2 (hosts 0 and 1) still waits for host 1. */
    assert_int_equal(mprun_fence_join(&f, 1, 0, not2, 2, 0, "y", 1, NULL, &done, err, ERRLEN), 0);
    assert_non_null(done);
    assert_int_equal(done->status, 0);
    mprun_fence_round_free(done);
    /* A later fence over everyone fails once hosts 0 and 1 are in. */
    assert_int_equal(mprun_fence_join(&f, 0, 0, all, 1, 0, "a", 1, NULL, &done, err, ERRLEN), 0);
    assert_null(done);
    assert_int_equal(mprun_fence_join(&f, 1, 0, all, 1, 0, "b", 1, NULL, &done, err, ERRLEN), 0);
    assert_non_null(done);
    assert_int_equal(done->status, -61);
    mprun_fence_round_free(done);
    assert_null(f.rounds);
    mprun_fence_free(&f, NULL);
}

/* The last reply the directory gave, copied. */
struct names_replies {
    int count, host;
    uint32_t id, status, nentries;
    uint32_t rank;
    char key[64], value[64];
};

static void keep_reply(void *ctx, int host, const struct mprun_names_request *reply)
{
    struct names_replies *got = ctx;

    got->count++;
    got->host = host;
    got->id = reply->id;
    got->status = reply->status;
    got->nentries = reply->nentries;
    got->key[0] = got->value[0] = '\0';
    if (reply->nentries > 0) {
        got->rank = reply->entries[0].rank;
        snprintf(got->key, sizeof(got->key), "%s", reply->entries[0].key);
        snprintf(got->value, sizeof(got->value), "%.*s", (int)reply->entries[0].nvalue,
                 reply->entries[0].value);
    }
}

static void names_ask(struct mprun_names *d, struct names_replies *got, int host, uint32_t id,
                      uint32_t op, uint32_t rank, bool wait, const char *k1, const char *v1,
                      const char *k2)
{
    struct mprun_names_entry e[2] = {
        {.key = (char *)k1, .value = (char *)v1, .nvalue = v1 != NULL ? strlen(v1) : 0},
        {.key = (char *)k2},
    };
    struct mprun_names_request req = {.id = id, .op = op, .rank = rank, .wait = wait,
                                      .nentries = k1 == NULL ? 0 : k2 == NULL ? 1 : 2,
                                      .entries = e};

    mprun_names_handle(d, host, &req, keep_reply, got);
}

static void test_names(void **state)
{
    struct mprun_names d;
    struct names_replies got = {0};

    (void)state;
    mprun_names_init(&d);
    names_ask(&d, &got, 0, 1, MPRUN_NAMES_PUBLISH, 1, false, "svc", "port-1", NULL);
    assert_int_equal(got.count, 1);
    assert_int_equal(got.id, 1);
    assert_int_equal(got.status, MPRUN_NAMES_OK);
    names_ask(&d, &got, 1, 2, MPRUN_NAMES_PUBLISH, 3, false, "svc", "port-3", NULL);
    assert_int_equal(got.status, MPRUN_NAMES_DUPLICATE);
    /* Found, with who published it. */
    names_ask(&d, &got, 2, 3, MPRUN_NAMES_LOOKUP, 4, false, "svc", NULL, NULL);
    assert_int_equal(got.host, 2);
    assert_int_equal(got.status, MPRUN_NAMES_OK);
    assert_int_equal(got.nentries, 1);
    assert_int_equal(got.rank, 1);
    assert_string_equal(got.value, "port-1");
    names_ask(&d, &got, 2, 4, MPRUN_NAMES_LOOKUP, 4, false, "nothing", NULL, NULL);
    assert_int_equal(got.status, MPRUN_NAMES_NOT_FOUND);
    names_ask(&d, &got, 2, 5, MPRUN_NAMES_LOOKUP, 4, false, "nothing", NULL, "svc");
    assert_int_equal(got.status, MPRUN_NAMES_PARTIAL);
    assert_int_equal(got.nentries, 1);
    /* A lookup that waits is answered by the publish that completes it. */
    got.count = 0;
    names_ask(&d, &got, 2, 6, MPRUN_NAMES_LOOKUP, 4, true, "late", NULL, "svc");
    assert_int_equal(got.count, 0);
    names_ask(&d, &got, 1, 7, MPRUN_NAMES_PUBLISH, 3, false, "late", "here", NULL);
    assert_int_equal(got.count, 2); /* the publish, then the waiting lookup */
    assert_int_equal(got.id, 6);
    assert_int_equal(got.host, 2);
    assert_int_equal(got.status, MPRUN_NAMES_OK);
    assert_int_equal(got.nentries, 2);
    /* Only the publisher unpublishes. */
    names_ask(&d, &got, 1, 8, MPRUN_NAMES_UNPUBLISH, 3, false, "svc", NULL, NULL);
    assert_int_equal(got.status, MPRUN_NAMES_NOT_FOUND);
    names_ask(&d, &got, 0, 9, MPRUN_NAMES_UNPUBLISH, 1, false, "svc", NULL, NULL);
    assert_int_equal(got.status, MPRUN_NAMES_OK);
    names_ask(&d, &got, 0, 10, MPRUN_NAMES_LOOKUP, 1, false, "svc", NULL, NULL);
    assert_int_equal(got.status, MPRUN_NAMES_NOT_FOUND);
    /* No keys: all of the rank's. */
    names_ask(&d, &got, 1, 11, MPRUN_NAMES_UNPUBLISH, 3, false, NULL, NULL, NULL);
    assert_int_equal(got.status, MPRUN_NAMES_OK);
    names_ask(&d, &got, 0, 12, MPRUN_NAMES_LOOKUP, 1, false, "late", NULL, NULL);
    assert_int_equal(got.status, MPRUN_NAMES_NOT_FOUND);
    /* The waiters of a lost host are dropped; others stay to the end. */
    got.count = 0;
    names_ask(&d, &got, 2, 13, MPRUN_NAMES_LOOKUP, 4, true, "never", NULL, NULL);
    names_ask(&d, &got, 1, 14, MPRUN_NAMES_LOOKUP, 3, true, "never", NULL, NULL);
    mprun_names_forget_host(&d, 2);
    names_ask(&d, &got, 0, 15, MPRUN_NAMES_PUBLISH, 1, false, "never", "now", NULL);
    assert_int_equal(got.count, 2);
    assert_int_equal(got.id, 14);
    names_ask(&d, &got, 1, 16, MPRUN_NAMES_LOOKUP, 3, true, "still-never", NULL, NULL);
    mprun_names_free(&d);
}

static void test_names_msg(void **state)
{
    struct mprun_names_entry e[2] = {
        {.rank = 7, .key = "a.key", .value = "\0\1\2", .nvalue = 3},
        {.key = "keyonly"},
    };
    struct mprun_names_request req = {.id = 42, .op = MPRUN_NAMES_LOOKUP, .rank = 3,
                                      .wait = true, .status = MPRUN_NAMES_PARTIAL,
                                      .nentries = 2, .entries = e};
    struct mprun_names_request out;
    struct mprun_wbuf w = {0};
    char err[ERRLEN];

    (void)state;
    mprun_names_msg_encode(&req, &w);
    assert_false(w.failed);
    assert_int_equal(mprun_names_msg_decode(w.data, w.len, &out, err, ERRLEN), 0);
    assert_int_equal(out.id, 42);
    assert_int_equal(out.op, MPRUN_NAMES_LOOKUP);
    assert_int_equal(out.rank, 3);
    assert_true(out.wait);
    assert_int_equal(out.status, MPRUN_NAMES_PARTIAL);
    assert_int_equal(out.nentries, 2);
    assert_int_equal(out.entries[0].rank, 7);
    assert_string_equal(out.entries[0].key, "a.key");
    assert_int_equal(out.entries[0].nvalue, 3);
    assert_memory_equal(out.entries[0].value, "\0\1\2", 3);
    assert_null(out.entries[1].value);
    mprun_names_request_clear(&out);
    /* Every truncation fails, and so does a byte too many. */
    for (size_t n = 0; n < w.len; n++)
        assert_int_equal(mprun_names_msg_decode(w.data, n, &out, err, ERRLEN), -1);
    mprun_wbuf_raw(&w, "x", 1);
    assert_int_equal(mprun_names_msg_decode(w.data, w.len, &out, err, ERRLEN), -1);
    mprun_wbuf_free(&w);
    /* An unknown operation. */
    req.op = 9;
    mprun_names_msg_encode(&req, &w);
    assert_int_equal(mprun_names_msg_decode(w.data, w.len, &out, err, ERRLEN), -1);
    assert_non_null(strstr(err, "malformed names request"));
    mprun_wbuf_free(&w);
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
        cmocka_unit_test(test_tuning_options),
        cmocka_unit_test(test_usage_text),
        cmocka_unit_test(test_small_error_buffer),
        cmocka_unit_test(test_host_options),
        cmocka_unit_test(test_host_list),
        cmocka_unit_test(test_host_list_errors),
        cmocka_unit_test(test_hostfile),
        cmocka_unit_test(test_hostfile_errors),
        cmocka_unit_test(test_hostfile_read),
        cmocka_unit_test(test_local_host),
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_hello_round_trip),
        cmocka_unit_test(test_hello_hostile),
        cmocka_unit_test(test_job_desc_round_trip),
        cmocka_unit_test(test_job_desc_hostile_counts),
        cmocka_unit_test(test_fence_msg),
        cmocka_unit_test(test_secret_hex),
        cmocka_unit_test(test_fence_collect),
        cmocka_unit_test(test_fence_host_gone),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_names_msg),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
