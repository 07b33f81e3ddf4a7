/*
 * tuning.h - which tuning file the ranks read (MPR_TUNING_FILE, see
 * runtime/coll/coll_tune.c): the key of this host's hardware, the place
 * mpr-tune writes its file for that key, and mprun's choice for a job.
 */
#ifndef MPRUN_TUNING_H
#define MPRUN_TUNING_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* A short hex digest of what makes two machines differ for collectives
 * (CPU vendor, family, model and name; packages, cores, PUs, NUMA nodes;
 * the sizes and counts of the L1d, L2 and L3 caches), from hwloc.
 * Returns 0, or -1 with a reason in err. */
int mprun_tuning_key(char *key, size_t keylen, char *err, size_t errlen);

/* The folder of the tuning files: $XDG_CACHE_HOME/mpr, else
 * $HOME/.cache/mpr. Returns 0, or -1 with a reason in err. */
int mprun_tuning_dir(char *dir, size_t len, char *err, size_t errlen);

/* dir/tuning-<key>.conf for this host. Returns 0, or -1 with a reason. */
int mprun_tuning_default_path(char *path, size_t len, char *err, size_t errlen);

/* The MPR_TUNING_FILE=... entry the ranks get, malloc'd, or NULL for
 * "leave their environment alone": --no-tuning gives an empty value,
 * --tuning-file its (absolute) path; else, when MPR_TUNING_FILE is unset,
 * the job runs on this host alone and this host's default file exists,
 * that file. (Other hosts may differ in kind: a job across hosts uses a
 * file only when one is named.) */
char *mprun_tuning_export(const struct mprun_options *opts, bool this_host_only);

#endif
