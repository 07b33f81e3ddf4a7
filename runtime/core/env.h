/*
 * env.h - the MPR_* settings in the environment, read strictly.
 *
 * Each reader gives *out the value of the variable, or `fallback` when it
 * is unset or empty, and returns MPR_SUCCESS. A value that is set but not
 * allowed (not a number, out of range, not one of the names) is refused:
 * one line on stderr names the variable and what it may be (the same line
 * from every rank that reads it), and the reader returns
 * MPR_ERR_ARG, which fails mpr_init. README.md lists the variables.
 *
 * The core's and the transports' variables are in one table in env.c
 * (their ranges are there); mpr__env_check_all checks them all at the
 * start, also those read later or only by a transport this job does not
 * use. Upper layers use the helpers with explicit ranges.
 */
#ifndef MPR_ENV_H
#define MPR_ENV_H

#include <stdbool.h>

/* Readers of the table's variables (the range or names come from it). */
int mpr__env_number(const char *name, long long fallback, long long *out);
int mpr__env_seconds(const char *name, double fallback, double *out);
/* *out is the index of the value among the variable's names. */
int mpr__env_choice(const char *name, int fallback, int *out);
/* A table variable that is 0 or 1. */
int mpr__env_flag(const char *name, bool fallback, bool *out);
/* A text variable of the table (an address, an interface), or NULL when
 * unset or empty; mpr__env_check_all has checked it. */
const char *mpr__env_text(const char *name);
/* Check every variable of the table. */
int mpr__env_check_all(void);

/* Helpers with explicit rules. A whole number from min to max; with
 * `bytes`, a K, M or G suffix multiplies by 2^10, 2^20, 2^30. */
int mpr__env_ll(const char *name, long long min, long long max, long long fallback, bool bytes,
                long long *out);
/* One of `names` (NULL-terminated). */
int mpr__env_name(const char *name, const char *const *names, int fallback, int *out);
/* A value refused by a check of the caller's: the one line, MPR_ERR_ARG. */
int mpr__env_refuse(const char *name, const char *value, const char *allowed);

#endif /* MPR_ENV_H */
