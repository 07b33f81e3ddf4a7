/*
 * cli.h - mprun's command line, parsed into a struct with no side effects
 * (no output, no environment lookups), so every rule is unit-testable.
 */
#ifndef MPRUN_CLI_H
#define MPRUN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MPRUN_MAX_RANKS 4096
/* Longest --timeout accepted: ten years, far beyond any real job. */
#define MPRUN_MAX_TIMEOUT_S 315360000.0

/* Exit code for every error in the command line or in the program named. */
#define MPRUN_EXIT_USAGE 2

enum mprun_action {
    MPRUN_ACTION_RUN,
    MPRUN_ACTION_HELP,
    MPRUN_ACTION_VERSION,
    MPRUN_ACTION_TUNING_PATH, /* print where mpr-tune writes this host's file */
};

enum mprun_bind {
    MPRUN_BIND_DEFAULT, /* core while ranks fit on the cores, else none */
    MPRUN_BIND_NONE,
    MPRUN_BIND_CORE,
    MPRUN_BIND_SOCKET,
    MPRUN_BIND_NUMA,
};

/* slot and node place ranks on hosts (by core inside each host); core,
 * socket and numa place them inside a host, and fill hosts as slot does. */
enum mprun_map {
    MPRUN_MAP_CORE,
    MPRUN_MAP_SOCKET,
    MPRUN_MAP_NUMA,
    MPRUN_MAP_SLOT,
    MPRUN_MAP_NODE,
};

struct mprun_options {
    enum mprun_action action;
    int nranks;                /* 1..MPRUN_MAX_RANKS, default 1 (or the hosts'
                                  slots: see nranks_given) */
    bool nranks_given;         /* -n was on the command line */
    enum mprun_bind bind;
    enum mprun_map map;
    bool report_bindings;
    bool oversubscribe;        /* silence the oversubscription warning */
    bool tag_output;
    bool enable_recovery;      /* a failed rank does not stop the others */
    long timeout_ms;           /* 0: no timeout */
    const char *timeout_text;  /* --timeout as the user wrote it, for messages */
    const char **exports;      /* -x values as given: "VAR" or "VAR=value" */
    int nexports;
    const char **host_lists;   /* --host values as given, "h1[:slots],h2..." */
    int nhost_lists;
    const char *hostfile;      /* --hostfile, NULL if not given */
    const char *launch_agent;  /* --launch-agent, NULL if not given */
    const char *tuning_file;   /* --tuning-file, NULL if not given */
    bool no_tuning;            /* --no-tuning: the ranks read no tuning file */
    char **prog_argv;          /* program and its arguments, NULL-terminated,
                                  pointing into the argv given to the parser */
};

/*
 * mprun_cli_parse - parse argv (argv[0] is mprun itself) into *opts.
 * Returns 0, or -1 with a one-line description (no "mprun: " prefix, no
 * newline) in err. *opts must be released with mprun_cli_free either way.
 */
int mprun_cli_parse(int argc, char **argv, struct mprun_options *opts,
                    char *err, size_t errlen);

void mprun_cli_free(struct mprun_options *opts);

/* mprun_cli_print_usage - the --help text. */
void mprun_cli_print_usage(FILE *out);

/* mprun_cli_export_name_length - length of the VAR part of a -x value. */
size_t mprun_cli_export_name_length(const char *export);

/* Format an error message into err (errlen bytes; nothing if 0); returns -1
 * so parsers can `return mprun_set_error(...)`. */
int mprun_set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
