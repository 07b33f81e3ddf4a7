/*
 * cli.c - parse mprun's command line.
 *
 * Options come first; the first argument that is not an option (or the one
 * after "--") is the program, and everything after it belongs to the program.
 * Long options take their value as "--opt value" or "--opt=value".
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum option_id {
    OPT_NP,
    OPT_BIND_TO,
    OPT_MAP_BY,
    OPT_REPORT_BINDINGS,
    OPT_OVERSUBSCRIBE,
    OPT_TAG_OUTPUT,
    OPT_ENABLE_RECOVERY,
    OPT_TIMEOUT,
    OPT_EXPORT,
    OPT_HOST,
    OPT_HOSTFILE,
    OPT_LAUNCH_AGENT,
    OPT_TUNING_FILE,
    OPT_NO_TUNING,
    OPT_TUNING_PATH,
    OPT_HELP,
    OPT_VERSION,
};

struct option_spec {
    const char *name; /* as written on the command line, dashes included */
    enum option_id id;
    bool takes_value;
};

/* "-n" and "-x" also accept their value glued on ("-n4", "-xFOO"). */
static const struct option_spec option_specs[] = {
    {"-n", OPT_NP, true},
    {"-np", OPT_NP, true},
    {"--np", OPT_NP, true},
    {"--bind-to", OPT_BIND_TO, true},
    {"--map-by", OPT_MAP_BY, true},
    {"--report-bindings", OPT_REPORT_BINDINGS, false},
    {"--oversubscribe", OPT_OVERSUBSCRIBE, false},
    {"--tag-output", OPT_TAG_OUTPUT, false},
    {"--enable-recovery", OPT_ENABLE_RECOVERY, false},
    {"--timeout", OPT_TIMEOUT, true},
    {"-x", OPT_EXPORT, true},
    {"--host", OPT_HOST, true},
    {"--hostfile", OPT_HOSTFILE, true},
    {"--launch-agent", OPT_LAUNCH_AGENT, true},
    {"--tuning-file", OPT_TUNING_FILE, true},
    {"--no-tuning", OPT_NO_TUNING, false},
    {"--tuning-path", OPT_TUNING_PATH, false},
    {"-h", OPT_HELP, false},
    {"--help", OPT_HELP, false},
    {"--version", OPT_VERSION, false},
};

int mprun_set_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const struct option_spec *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(option_specs) / sizeof(option_specs[0]); i++) {
        if (strlen(option_specs[i].name) == len &&
            strncmp(option_specs[i].name, name, len) == 0)
            return &option_specs[i];
    }
    return NULL;
}

static int parse_nranks(const char *text, int *nranks, char *err, size_t errlen)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno != 0 ||
        value < 1 || value > MPRUN_MAX_RANKS)
        return mprun_set_error(err, errlen,
                         "invalid number of ranks '%s': expected an integer from 1 to %d",
                         text, MPRUN_MAX_RANKS);
    *nranks = (int)value;
    return 0;
}

/* Seconds as digits with an optional fraction ("10", "2.5", ".5"): no sign,
 * exponent, hex, inf or nan, whatever strtod would take. */
static bool is_plain_decimal(const char *text)
{
    size_t digits = 0, dots = 0;

    for (const char *p = text; *p != '\0'; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p == '.')
            dots++;
        else
            return false;
    }
    return digits > 0 && dots <= 1;
}

static int parse_timeout(const char *text, long *timeout_ms, char *err, size_t errlen)
{
    double seconds = is_plain_decimal(text) ? strtod(text, NULL) : -1.0;

    if (seconds <= 0.0 || seconds > MPRUN_MAX_TIMEOUT_S)
        return mprun_set_error(err, errlen,
                         "invalid --timeout value '%s': expected a positive number of seconds",
                         text);
    *timeout_ms = (long)(seconds * 1000.0 + 0.5);
    if (*timeout_ms < 1)
        *timeout_ms = 1;
    return 0;
}

static int parse_bind(const char *text, enum mprun_bind *bind, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        enum mprun_bind bind;
    } names[] = {
        {"core", MPRUN_BIND_CORE},
        {"socket", MPRUN_BIND_SOCKET},
        {"numa", MPRUN_BIND_NUMA},
        {"none", MPRUN_BIND_NONE},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(text, names[i].name) == 0) {
            *bind = names[i].bind;
            return 0;
        }
    }
    return mprun_set_error(err, errlen,
                     "invalid --bind-to value '%s': expected core, socket, numa or none",
                     text);
}

static int parse_map(const char *text, enum mprun_map *map, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        enum mprun_map map;
    } names[] = {
        {"core", MPRUN_MAP_CORE},
        {"socket", MPRUN_MAP_SOCKET},
        {"numa", MPRUN_MAP_NUMA},
        {"slot", MPRUN_MAP_SLOT},
        {"node", MPRUN_MAP_NODE},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(text, names[i].name) == 0) {
            *map = names[i].map;
            return 0;
        }
    }
    return mprun_set_error(err, errlen,
                     "invalid --map-by value '%s': expected slot, node, core, socket or numa",
                     text);
}

size_t mprun_cli_export_name_length(const char *export)
{
    const char *eq = strchr(export, '=');

    return eq != NULL ? (size_t)(eq - export) : strlen(export);
}

/* A -x value names a variable the way a shell would accept it. */
static int parse_export(const char *text, struct mprun_options *opts, char *err,
                        size_t errlen)
{
    size_t name_len = mprun_cli_export_name_length(text);
    bool valid = name_len > 0 && !isdigit((unsigned char)text[0]);

    for (size_t i = 0; valid && i < name_len; i++)
        valid = isalnum((unsigned char)text[i]) || text[i] == '_';
    if (!valid)
        return mprun_set_error(err, errlen,
                         "invalid -x value '%s': expected VAR or VAR=value", text);
    opts->exports[opts->nexports++] = text;
    return 0;
}

static int apply_option(const struct option_spec *spec, const char *value,
                        struct mprun_options *opts, char *err, size_t errlen)
{
    switch (spec->id) {
    case OPT_NP:
        opts->nranks_given = true;
        return parse_nranks(value, &opts->nranks, err, errlen);
    case OPT_BIND_TO:
        return parse_bind(value, &opts->bind, err, errlen);
    case OPT_MAP_BY:
        return parse_map(value, &opts->map, err, errlen);
    case OPT_REPORT_BINDINGS:
        opts->report_bindings = true;
        return 0;
    case OPT_OVERSUBSCRIBE:
        opts->oversubscribe = true;
        return 0;
    case OPT_TAG_OUTPUT:
        opts->tag_output = true;
        return 0;
    case OPT_ENABLE_RECOVERY:
        opts->enable_recovery = true;
        return 0;
    case OPT_TIMEOUT:
        if (parse_timeout(value, &opts->timeout_ms, err, errlen) != 0)
            return -1;
        opts->timeout_text = value;
        return 0;
    case OPT_EXPORT:
        return parse_export(value, opts, err, errlen);
    case OPT_HOST:
        if (value[0] == '\0')
            return mprun_set_error(err, errlen, "invalid --host value '': expected h1[:slots],...");
        opts->host_lists[opts->nhost_lists++] = value;
        return 0;
    case OPT_HOSTFILE:
        if (value[0] == '\0')
            return mprun_set_error(err, errlen, "invalid --hostfile value '': expected a file");
        opts->hostfile = value;
        return 0;
    case OPT_LAUNCH_AGENT:
        if (value[strspn(value, " \t")] == '\0')
            return mprun_set_error(err, errlen, "invalid --launch-agent value '%s': expected a command",
                             value);
        opts->launch_agent = value;
        return 0;
    case OPT_TUNING_FILE:
        if (value[0] == '\0')
            return mprun_set_error(err, errlen, "invalid --tuning-file value '': expected a file");
        opts->tuning_file = value;
        return 0;
    case OPT_NO_TUNING:
        opts->no_tuning = true;
        return 0;
    case OPT_TUNING_PATH:
        opts->action = MPRUN_ACTION_TUNING_PATH;
        return 0;
    case OPT_HELP:
        opts->action = MPRUN_ACTION_HELP;
        return 0;
    case OPT_VERSION:
        opts->action = MPRUN_ACTION_VERSION;
        return 0;
    }
    return mprun_set_error(err, errlen, "internal error: unhandled option %s", spec->name);
}

/*
 * Split one option argument into its spec and inline value:
 * "--opt=value", "-n4"/"-xVAR" (short options with a glued value), or a bare name.
 */
static const struct option_spec *lookup_option(const char *arg, const char **inline_value)
{
    const struct option_spec *spec;
    const char *eq;

    *inline_value = NULL;
    spec = find_option(arg, strlen(arg));
    if (spec != NULL)
        return spec;
    if (arg[1] == '-') {
        eq = strchr(arg, '=');
        if (eq == NULL)
            return NULL;
        spec = find_option(arg, (size_t)(eq - arg));
        if (spec != NULL)
            *inline_value = eq + 1;
        return spec;
    }
    if (arg[1] == 'n' || arg[1] == 'x') {
        spec = find_option(arg, 2);
        *inline_value = arg + 2;
        return spec;
    }
    return NULL;
}

int mprun_cli_parse(int argc, char **argv, struct mprun_options *opts, char *err,
                    size_t errlen)
{
    int i;

    memset(opts, 0, sizeof(*opts));
    opts->action = MPRUN_ACTION_RUN;
    opts->nranks = 1;
    opts->bind = MPRUN_BIND_DEFAULT;
    opts->map = MPRUN_MAP_CORE;
    opts->exports = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*opts->exports));
    opts->host_lists = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*opts->host_lists));
    if (opts->exports == NULL || opts->host_lists == NULL)
        return mprun_set_error(err, errlen, "out of memory");

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const struct option_spec *spec;
        const char *value;

        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break;
        spec = lookup_option(arg, &value);
        if (spec == NULL)
            return mprun_set_error(err, errlen, "unknown option '%s'", arg);
        if (!spec->takes_value && value != NULL)
            return mprun_set_error(err, errlen, "option '%s' takes no value", spec->name);
        if (spec->takes_value && value == NULL) {
            if (i + 1 >= argc)
                return mprun_set_error(err, errlen, "option '%s' needs a value", spec->name);
            value = argv[++i];
        }
        if (apply_option(spec, value, opts, err, errlen) != 0)
            return -1;
        if (opts->action != MPRUN_ACTION_RUN)
            return 0;
    }
    if (opts->hostfile != NULL && opts->nhost_lists > 0)
        return mprun_set_error(err, errlen, "--host and --hostfile cannot be used together");
    if (opts->tuning_file != NULL && opts->no_tuning)
        return mprun_set_error(err, errlen, "--tuning-file and --no-tuning cannot be used together");
    if (i >= argc)
        return mprun_set_error(err, errlen, "no program to run");
    opts->prog_argv = &argv[i];
    return 0;
}

void mprun_cli_free(struct mprun_options *opts)
{
    free(opts->exports);
    opts->exports = NULL;
    opts->nexports = 0;
    free(opts->host_lists);
    opts->host_lists = NULL;
    opts->nhost_lists = 0;
}

void mprun_cli_print_usage(FILE *out)
{
    fprintf(out,
            "Usage: mprun [options] program [arguments]\n"
            "Start ranks of a program on this host or on several hosts, wired up through\n"
            "PMIx.\n"
            "\n"
            "Options (they end at the program's name or at '--'):\n"
            "  -n, -np, --np N      start N ranks (1..%d; default 1, or with hosts\n"
            "                       their total number of slots)\n"
            "  --host H[:S],...     run on these hosts, with S slots each (default 1);\n"
            "                       may be repeated\n"
            "  --hostfile FILE      run on the hosts of FILE: one per line, 'host' or\n"
            "                       'host slots=S'; '#' starts a comment\n"
            "  --launch-agent CMD   start the daemon of each other host with\n"
            "                       'CMD HOST MPRUN --daemon ...' (default: the variable\n"
            "                       MPRUN_LAUNCH_AGENT, else ssh); mprun must have the\n"
            "                       same path on every host\n"
            "  --map-by WHAT        slot: fill each host's slots in order (default);\n"
            "                       node: deal ranks round-robin over the hosts;\n"
            "                       core, socket, numa: inside each host, round-robin\n"
            "                       over cores, sockets or numa nodes (default: core)\n"
            "  --bind-to WHAT       bind each rank to a core, socket, numa node or none\n"
            "                       (default: core while ranks <= cores, else none)\n"
            "  --report-bindings    print where each rank is bound, on stderr\n"
            "  --oversubscribe      allow more ranks than cores (or slots) without a\n"
            "                       warning\n"
            "  --tag-output         prefix every output line with '[rank] '\n"
            "  --enable-recovery    a failed rank does not end the job: the others run\n"
            "                       on (and may see the failure); each failure is\n"
            "                       named, and the exit status is the first one's\n"
            "  -x VAR[=VALUE]       export VAR (from mprun's environment, or VALUE)\n"
            "  --timeout SECS       stop the job after SECS seconds (exit code 124)\n"
            "  --tuning-file FILE   the ranks choose collective algorithms by FILE's\n"
            "                       rules (MPR_TUNING_FILE; mpr-tune writes them);\n"
            "                       default: this host's file from mpr-tune, if there\n"
            "                       is one and the job runs on this host alone\n"
            "  --no-tuning          the built-in choices only, whatever the files\n"
            "  --tuning-path        print where this host's tuning file belongs, exit\n"
            "  -h, --help           print this help and exit\n"
            "  --version            print the version and exit\n"
            "\n"
            "Rank 0 reads mprun's standard input; the others read /dev/null.\n"
            "SIGINT, SIGTERM and SIGHUP are forwarded to every rank.\n"
            "\n"
            "Exit status:\n"
            "  0        every rank exited with 0\n"
            "  C        the first rank that failed exited with C, or aborted with C\n"
            "  1        a rank that called mpr_init (PMIx_Init) exited without\n"
            "           mpr_finalize (PMIx_Finalize)\n"
            "  128+S    the first rank that failed was killed by signal S, or\n"
            "           mprun was stopped by signal S\n"
            "  124      --timeout expired\n"
            "  127      the program could not be executed\n"
            "  %d        bad command line or program not found\n"
            "  1        mprun itself failed (e.g. the PMIx server did not start, or\n"
            "           a host's daemon could not be started or was lost)\n",
            MPRUN_MAX_RANKS, MPRUN_EXIT_USAGE);
}
