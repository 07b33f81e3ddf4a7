/*
 * binding.c - map ranks onto cores and compute each rank's binding mask.
 *
 * Only the cores mprun may run on count (its own affinity intersected with
 * the topology's allowed cpus), so "taskset -c 1 mprun ..." places every
 * rank on cpu 1. Mapping by core gives rank r the (r mod ncores)-th usable
 * core; mapping by socket or numa deals ranks round-robin over those domains
 * and, inside a domain, over its cores. The binding then takes the mapped
 * core, or the whole socket / numa node that holds it.
 */
#include "binding.h"

#include <errno.h>
#include <hwloc.h>
#include <hwloc/glibc-sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A socket or numa node with the usable cores it holds. */
struct domain {
    hwloc_obj_t obj;
    int ncores;
    int *cores; /* indexes into the usable-core array */
};

struct placement {
    hwloc_topology_t topo;
    hwloc_bitmap_t usable_cpus;
    hwloc_obj_t *cores; /* usable cores (or PUs where hwloc shows no cores) */
    int ncores;
    struct domain *domains;
    int ndomains;
};

/* hwloc's plugins only find I/O devices and read XML, which placement does
 * not use, and loading them (libxml2, OpenCL, GL) costs milliseconds. */
#define UNNEEDED_HWLOC_PLUGINS                                                     \
    "hwloc_pci,hwloc_opencl,hwloc_gl,hwloc_xml_libxml,hwloc_cuda,hwloc_nvml,"      \
    "hwloc_rsmi,hwloc_levelzero"

int mprun_topology_init(void *topology)
{
    hwloc_topology_t *topo = topology;
    bool set_here = getenv("HWLOC_PLUGINS_BLACKLIST") == NULL;
    int rc;

    if (set_here)
        setenv("HWLOC_PLUGINS_BLACKLIST", UNNEEDED_HWLOC_PLUGINS, 1);
    rc = hwloc_topology_init(topo);
    if (set_here)
        unsetenv("HWLOC_PLUGINS_BLACKLIST"); /* not for the ranks */
    return rc;
}

static int load_topology(struct placement *pl, char *err, size_t errlen)
{
    hwloc_bitmap_t bound;

    if (mprun_topology_init(&pl->topo) != 0) {
        snprintf(err, errlen, "cannot initialise hwloc: %s", strerror(errno));
        return -1;
    }
    /* Caches and I/O devices are not needed for placement: skip their discovery. */
    hwloc_topology_set_cache_types_filter(pl->topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_icache_types_filter(pl->topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_io_types_filter(pl->topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    /* The x86 backend moves mprun onto every cpu in turn to run cpuid; the
     * Linux sysfs backend alone finds cores, sockets and numa nodes. */
    hwloc_topology_set_components(pl->topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
    if (hwloc_topology_load(pl->topo) != 0) {
        snprintf(err, errlen, "cannot read the hardware topology: %s", strerror(errno));
        hwloc_topology_destroy(pl->topo);
        pl->topo = NULL;
        return -1;
    }
    pl->usable_cpus = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(pl->topo));
    bound = hwloc_bitmap_alloc();
    if (pl->usable_cpus == NULL || bound == NULL) {
        hwloc_bitmap_free(bound);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (hwloc_get_cpubind(pl->topo, bound, HWLOC_CPUBIND_PROCESS) == 0)
        hwloc_bitmap_and(pl->usable_cpus, pl->usable_cpus, bound);
    hwloc_bitmap_free(bound);
    if (hwloc_bitmap_iszero(pl->usable_cpus)) {
        snprintf(err, errlen, "no usable cpu found in mprun's affinity");
        return -1;
    }
    return 0;
}

static int collect_usable_cores(struct placement *pl, char *err, size_t errlen)
{
    hwloc_obj_type_t type = HWLOC_OBJ_CORE;
    int total = hwloc_get_nbobjs_by_type(pl->topo, type);

    if (total <= 0) {
        type = HWLOC_OBJ_PU;
        total = hwloc_get_nbobjs_by_type(pl->topo, type);
    }
    pl->cores = calloc((size_t)(total > 0 ? total : 1), sizeof(*pl->cores));
    if (pl->cores == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < total; i++) {
        hwloc_obj_t obj = hwloc_get_obj_by_type(pl->topo, type, (unsigned)i);

        if (obj != NULL && hwloc_bitmap_intersects(obj->cpuset, pl->usable_cpus))
            pl->cores[pl->ncores++] = obj;
    }
    if (pl->ncores == 0) {
        snprintf(err, errlen, "no usable core found in mprun's affinity");
        return -1;
    }
    return 0;
}

/* Group the usable cores by socket or numa node; a core outside every such
 * object (odd topologies) goes to a domain of its own. */
static int collect_domains(struct placement *pl, hwloc_obj_type_t type, char *err,
                           size_t errlen)
{
    int nobjs = hwloc_get_nbobjs_by_type(pl->topo, type);
    int max_domains = (nobjs > 0 ? nobjs : 0) + pl->ncores;

    pl->domains = calloc((size_t)max_domains, sizeof(*pl->domains));
    if (pl->domains == NULL)
        goto nomem;
    for (int c = 0; c < pl->ncores; c++) {
        hwloc_obj_t home = NULL;
        struct domain *d = NULL;

        for (int i = 0; i < nobjs && home == NULL; i++) {
            hwloc_obj_t obj = hwloc_get_obj_by_type(pl->topo, type, (unsigned)i);

            if (obj != NULL && hwloc_bitmap_isincluded(pl->cores[c]->cpuset, obj->cpuset))
                home = obj;
        }
        for (int i = 0; i < pl->ndomains && home != NULL && d == NULL; i++) {
            if (pl->domains[i].obj == home)
                d = &pl->domains[i];
        }
        if (d == NULL) {
            d = &pl->domains[pl->ndomains++];
            d->obj = home;
            d->cores = calloc((size_t)pl->ncores, sizeof(*d->cores));
            if (d->cores == NULL)
                goto nomem;
        }
        d->cores[d->ncores++] = c;
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

static void placement_release(struct placement *pl)
{
    for (int i = 0; i < pl->ndomains; i++)
        free(pl->domains[i].cores);
    free(pl->domains);
    free(pl->cores);
    hwloc_bitmap_free(pl->usable_cpus);
    if (pl->topo != NULL)
        hwloc_topology_destroy(pl->topo);
}

static bool maps_by_domain(enum mprun_map map)
{
    return map == MPRUN_MAP_SOCKET || map == MPRUN_MAP_NUMA;
}

static int mapped_core(const struct placement *pl, enum mprun_map map, int rank)
{
    const struct domain *d;

    if (!maps_by_domain(map))
        return rank % pl->ncores;
    d = &pl->domains[rank % pl->ndomains];
    return d->cores[(rank / pl->ndomains) % d->ncores];
}

/* The object whose cpus a rank mapped to core c is bound to. */
static hwloc_const_cpuset_t binding_cpuset(const struct placement *pl, enum mprun_bind bind,
                                           int c)
{
    hwloc_obj_type_t type = bind == MPRUN_BIND_SOCKET ? HWLOC_OBJ_PACKAGE : HWLOC_OBJ_NUMANODE;
    int nobjs;

    if (bind == MPRUN_BIND_CORE)
        return pl->cores[c]->cpuset;
    nobjs = hwloc_get_nbobjs_by_type(pl->topo, type);
    for (int i = 0; i < nobjs; i++) {
        hwloc_obj_t obj = hwloc_get_obj_by_type(pl->topo, type, (unsigned)i);

        if (obj != NULL && hwloc_bitmap_isincluded(pl->cores[c]->cpuset, obj->cpuset))
            return obj->cpuset;
    }
    return pl->usable_cpus;
}

static int describe_cores(const struct placement *pl, hwloc_const_bitmap_t cpus, char **text)
{
    hwloc_bitmap_t indexes = hwloc_bitmap_alloc();
    int rc;

    if (indexes == NULL)
        return -1;
    for (int c = 0; c < pl->ncores; c++) {
        if (hwloc_bitmap_intersects(pl->cores[c]->cpuset, cpus))
            hwloc_bitmap_set(indexes, pl->cores[c]->logical_index);
    }
    rc = hwloc_bitmap_list_asprintf(text, indexes);
    hwloc_bitmap_free(indexes);
    return rc < 0 ? -1 : 0;
}

static int bind_rank(const struct placement *pl, hwloc_const_cpuset_t target,
                     struct mprun_rank_binding *rb)
{
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    int last = hwloc_bitmap_last(hwloc_topology_get_complete_cpuset(pl->topo));
    int rc = -1;

    if (cpus == NULL)
        return -1;
    hwloc_bitmap_and(cpus, target, pl->usable_cpus);
    rb->mask = CPU_ALLOC(last + 1);
    if (rb->mask == NULL)
        goto out;
    rb->mask_size = CPU_ALLOC_SIZE(last + 1);
    if (hwloc_cpuset_to_glibc_sched_affinity(pl->topo, cpus, rb->mask, rb->mask_size) != 0)
        goto out;
    if (hwloc_bitmap_list_asprintf(&rb->cpus_text, cpus) < 0)
        goto out;
    if (describe_cores(pl, cpus, &rb->cores_text) != 0)
        goto out;
    rb->bound = true;
    rc = 0;
out:
    hwloc_bitmap_free(cpus);
    return rc;
}

int mprun_binding_plan_make(int nranks, enum mprun_bind bind, enum mprun_map map,
                            struct mprun_binding_plan *plan, char *err, size_t errlen)
{
    struct placement pl = {0};
    int rc = -1;

    memset(plan, 0, sizeof(*plan));
    if (load_topology(&pl, err, errlen) != 0 || collect_usable_cores(&pl, err, errlen) != 0)
        goto out;
    if (maps_by_domain(map) &&
        collect_domains(&pl, map == MPRUN_MAP_SOCKET ? HWLOC_OBJ_PACKAGE : HWLOC_OBJ_NUMANODE,
                        err, errlen) != 0)
        goto out;

    plan->ncores = pl.ncores;
    plan->nranks = nranks;
    plan->oversubscribed = nranks > pl.ncores;
    if (bind == MPRUN_BIND_DEFAULT)
        bind = plan->oversubscribed ? MPRUN_BIND_NONE : MPRUN_BIND_CORE;
    plan->ranks = calloc((size_t)(nranks > 0 ? nranks : 1), sizeof(*plan->ranks));
    if (plan->ranks == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (int r = 0; r < nranks && bind != MPRUN_BIND_NONE; r++) {
        hwloc_const_cpuset_t target = binding_cpuset(&pl, bind, mapped_core(&pl, map, r));

        if (bind_rank(&pl, target, &plan->ranks[r]) != 0) {
            snprintf(err, errlen, "cannot compute the binding of rank %d: out of memory", r);
            mprun_binding_plan_free(plan); /* the topology is still pl's */
            goto out;
        }
    }
    plan->topology = pl.topo;
    pl.topo = NULL;
    rc = 0;
out:
    placement_release(&pl);
    return rc;
}

void mprun_binding_plan_free(struct mprun_binding_plan *plan)
{
    if (plan->ranks != NULL) {
        for (int r = 0; r < plan->nranks; r++) {
            if (plan->ranks[r].mask != NULL)
                CPU_FREE(plan->ranks[r].mask);
            free(plan->ranks[r].cores_text);
            free(plan->ranks[r].cpus_text);
        }
    }
    free(plan->ranks);
    if (plan->topology != NULL)
        hwloc_topology_destroy(plan->topology);
    memset(plan, 0, sizeof(*plan));
}

void mprun_binding_format_report(const struct mprun_binding_plan *plan, int index, int rank,
                                 const char *host, char *buf, size_t len)
{
    const struct mprun_rank_binding *rb = &plan->ranks[index];

    if (rb->bound)
        snprintf(buf, len, "mprun: rank %d on host %s bound to cores %s (cpus %s)\n", rank,
                 host, rb->cores_text, rb->cpus_text);
    else
        snprintf(buf, len, "mprun: rank %d on host %s not bound\n", rank, host);
}

int mprun_binding_apply(const struct mprun_rank_binding *binding)
{
    if (!binding->bound)
        return 0;
    if (sched_setaffinity(0, binding->mask_size, binding->mask) != 0)
        return errno;
    return 0;
}
