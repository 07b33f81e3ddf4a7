/*
 * binding.h - place ranks on this host's cores with hwloc: mapping, binding
 * masks, oversubscription, and the --report-bindings lines.
 *
 * The topology is loaded once, kept for the PMIx server (which would
 * otherwise discover it again, PCI devices included), and each child applies
 * its precomputed mask with sched_setaffinity between fork and exec:
 * async-signal-safe, where hwloc calls are not.
 */
#ifndef MPRUN_BINDING_H
#define MPRUN_BINDING_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

struct mprun_rank_binding {
    bool bound;
    cpu_set_t *mask;   /* CPU_ALLOC'd, mask_size bytes; NULL when not bound */
    size_t mask_size;
    char *cores_text;  /* logical core indexes, e.g. "0-1"; NULL when not bound */
    char *cpus_text;   /* OS cpu numbers (what sched_getaffinity shows) */
};

struct mprun_binding_plan {
    void *topology;      /* the hwloc_topology_t, lent to the PMIx server */
    int ncores;          /* cores usable by mprun (its own affinity) */
    bool oversubscribed; /* more ranks than usable cores */
    int nranks;
    struct mprun_rank_binding *ranks;
};

/* mprun_binding_plan_make - map and bind the nranks ranks of this host
 * (indexed from 0 here, whatever their ranks in the job). map slot and node
 * place by core inside the host. Returns 0, or -1 with a one-line reason
 * in err (the plan then needs no release). */
int mprun_binding_plan_make(int nranks, enum mprun_bind bind, enum mprun_map map,
                            struct mprun_binding_plan *plan, char *err, size_t errlen);

void mprun_binding_plan_free(struct mprun_binding_plan *plan);

/* hwloc_topology_init(topology: a hwloc_topology_t *) without the hwloc
 * plugins that find I/O devices and read XML: loading them costs more
 * than reading the topology. Also tuning.c's. */
int mprun_topology_init(void *topology);

/* mprun_binding_format_report - the --report-bindings line of this host's
 * index-th rank, job rank `rank`, e.g.
 * "mprun: rank 0 on host vm bound to cores 0 (cpus 0)\n", into buf. */
void mprun_binding_format_report(const struct mprun_binding_plan *plan, int index, int rank,
                                 const char *host, char *buf, size_t len);

/* mprun_binding_apply - in the child after fork: returns 0 or an errno. */
int mprun_binding_apply(const struct mprun_rank_binding *binding);

#endif
