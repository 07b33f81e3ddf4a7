/*
 * tuning.c - the tuning file for this host (tuning.h): its key, its
 * default place, and what mprun hands the ranks.
 */
#include <dirent.h>
#include <errno.h>
#include <hwloc.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binding.h"
#include "tuning.h"

static uint64_t fnv1a(uint64_t h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static const char *info_or_empty(hwloc_obj_t obj, const char *name)
{
    const char *v = obj ? hwloc_obj_get_info_by_name(obj, name) : NULL;
    return v ? v : "";
}

int mprun_tuning_key(char *key, size_t keylen, char *err, size_t errlen)
{
    hwloc_topology_t topo;
    static const hwloc_obj_type_t counted[] = { HWLOC_OBJ_PACKAGE, HWLOC_OBJ_CORE, HWLOC_OBJ_PU,
                                                HWLOC_OBJ_NUMANODE };
    static const hwloc_obj_type_t caches[] = { HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,
                                               HWLOC_OBJ_L3CACHE };
    static const char *const cpu_infos[] = { "CPUVendor", "CPUFamilyNumber", "CPUModelNumber",
                                             "CPUModel" };
    char part[256];
    uint64_t h = 0xcbf29ce484222325ULL;

    if (mprun_topology_init(&topo) != 0) {
        snprintf(err, errlen, "cannot initialise hwloc: %s", strerror(errno));
        return -1;
    }
    hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    /* sysfs and /proc/cpuinfo say it all; the x86 backend would move us
     * onto every cpu in turn (binding.c) */
    hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
    if (hwloc_topology_load(topo) != 0) {
        snprintf(err, errlen, "cannot read the hardware topology: %s", strerror(errno));
        hwloc_topology_destroy(topo);
        return -1;
    }
    hwloc_obj_t package = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    for (size_t i = 0; i < sizeof(cpu_infos) / sizeof(cpu_infos[0]); i++) {
        snprintf(part, sizeof(part), "%s=%s;", cpu_infos[i], info_or_empty(package, cpu_infos[i]));
        h = fnv1a(h, part);
    }
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
        snprintf(part, sizeof(part), "%s=%d;", hwloc_obj_type_string(counted[i]),
                 hwloc_get_nbobjs_by_type(topo, counted[i]));
        h = fnv1a(h, part);
    }
    for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
        hwloc_obj_t c = hwloc_get_obj_by_type(topo, caches[i], 0);
        snprintf(part, sizeof(part), "%s=%d*%" PRIu64 ";", hwloc_obj_type_string(caches[i]),
                 hwloc_get_nbobjs_by_type(topo, caches[i]), c ? (uint64_t)c->attr->cache.size : 0);
        h = fnv1a(h, part);
    }
    hwloc_topology_destroy(topo);
    snprintf(key, keylen, "%016" PRIx64, h);
    return 0;
}

int mprun_tuning_dir(char *dir, size_t len, char *err, size_t errlen)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;

    /* XDG: a relative value is to be ignored */
    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(dir, len, "%s/mpr", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(dir, len, "%s/.cache/mpr", home);
    else {
        snprintf(err, errlen, "neither XDG_CACHE_HOME nor HOME is set");
        return -1;
    }
    if (n < 0 || (size_t)n >= len) {
        snprintf(err, errlen, "the cache folder's path is too long");
        return -1;
    }
    return 0;
}

int mprun_tuning_default_path(char *path, size_t len, char *err, size_t errlen)
{
    char dir[PATH_MAX], key[32];

    if (mprun_tuning_dir(dir, sizeof(dir), err, errlen) != 0 ||
        mprun_tuning_key(key, sizeof(key), err, errlen) != 0)
        return -1;
    int n = snprintf(path, len, "%s/tuning-%s.conf", dir, key);
    if (n < 0 || (size_t)n >= len) {
        snprintf(err, errlen, "the tuning file's path is too long");
        return -1;
    }
    return 0;
}

/* Any tuning file in dir at all? Spares reading the topology (a few ms
 * of every launch) when mpr-tune never ran. */
static bool any_tuning_file(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool found = false;

    if (d == NULL)
        return false;
    while (!found && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        found = strncmp(e->d_name, "tuning-", 7) == 0 && n > 12 &&
                strcmp(e->d_name + n - 5, ".conf") == 0;
    }
    closedir(d);
    return found;
}

static char *entry(const char *value)
{
    size_t n = strlen("MPR_TUNING_FILE=") + strlen(value) + 1;
    char *e = malloc(n);

    if (e != NULL)
        snprintf(e, n, "MPR_TUNING_FILE=%s", value);
    return e;
}

char *mprun_tuning_export(const struct mprun_options *opts, bool this_host_only)
{
    char dir[PATH_MAX], path[PATH_MAX], err[256];

    if (opts->no_tuning)
        return entry("");
    if (opts->tuning_file != NULL) {
        /* ranks on other hosts need not start where mprun did */
        char *abs = realpath(opts->tuning_file, NULL);
        char *e = entry(abs != NULL ? abs : opts->tuning_file);
        free(abs);
        return e;
    }
    if (getenv("MPR_TUNING_FILE") != NULL || !this_host_only)
        return NULL;
    for (int i = 0; i < opts->nexports; i++) {
        if (mprun_cli_export_name_length(opts->exports[i]) == strlen("MPR_TUNING_FILE") &&
            strncmp(opts->exports[i], "MPR_TUNING_FILE", strlen("MPR_TUNING_FILE")) == 0)
            return NULL; /* -x MPR_TUNING_FILE[=...] */
    }
    if (mprun_tuning_dir(dir, sizeof(dir), err, sizeof(err)) != 0 || !any_tuning_file(dir) ||
        mprun_tuning_default_path(path, sizeof(path), err, sizeof(err)) != 0 ||
        access(path, R_OK) != 0)
        return NULL;
    return entry(path);
}
