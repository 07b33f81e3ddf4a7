/*
 * hosts.c - host lists, hostfiles, the local host, rank placement.
 */
#include "hosts.h"
#include "cli.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* A hostfile larger than this is certainly not a hostfile. */
#define HOSTFILE_MAX_BYTES (4 * 1024 * 1024)


/* Host names travel on the launch agent's command line, through a shell:
 * letters, digits, '.', '-' and '_' only, and no leading '-' (ssh would
 * take it for an option). */
static const char *host_name_problem(const char *name, size_t len)
{
    if (len == 0)
        return "an empty host name";
    if (len > MPRUN_HOST_NAME_MAX)
        return "a host name longer than 255 characters";
    if (name[0] == '-')
        return "a host name starting with '-'";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!isalnum(c) && c != '.' && c != '-' && c != '_')
            return "a character not allowed in a host name";
    }
    return NULL;
}

/* Digits only, 1..MPRUN_MAX_SLOTS. */
static int parse_slots(const char *text, size_t len, int *slots)
{
    long value = 0;

    if (len == 0 || len > 5)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)text[i]))
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    if (value < 1 || value > MPRUN_MAX_SLOTS)
        return -1;
    *slots = (int)value;
    return 0;
}

/* Add a host, or more slots to a host listed already. */
static int add_host(struct mprun_host_list *list, const char *name, size_t len, int slots,
                    char *err, size_t errlen)
{
    struct mprun_host *grown;

    for (int i = 0; i < list->nhosts; i++) {
        struct mprun_host *h = &list->hosts[i];

        if (strlen(h->name) == len && strncasecmp(h->name, name, len) == 0) {
            h->slots = h->slots + slots > MPRUN_MAX_SLOTS ? MPRUN_MAX_SLOTS : h->slots + slots;
            return 0;
        }
    }
    if (list->nhosts >= MPRUN_MAX_HOSTS)
        return mprun_set_error(err, errlen, "more than %d hosts", MPRUN_MAX_HOSTS);
    grown = realloc(list->hosts, (size_t)(list->nhosts + 1) * sizeof(*grown));
    if (grown == NULL)
        return mprun_set_error(err, errlen, "out of memory");
    list->hosts = grown;
    grown[list->nhosts].name = strndup(name, len);
    if (grown[list->nhosts].name == NULL)
        return mprun_set_error(err, errlen, "out of memory");
    grown[list->nhosts].slots = slots;
    grown[list->nhosts].local = false;
    list->nhosts++;
    return 0;
}

int mprun_hosts_parse_list(const char *text, struct mprun_host_list *list, char *err, size_t errlen)
{
    const char *p = text;

    for (;;) {
        const char *end = strchrnul(p, ',');
        const char *colon = memchr(p, ':', (size_t)(end - p));
        size_t name_len = (size_t)((colon != NULL ? colon : end) - p);
        const char *problem = host_name_problem(p, name_len);
        int slots = 1;

        if (problem != NULL)
            return mprun_set_error(err, errlen, "invalid --host value '%s': %s", text, problem);
        if (colon != NULL && parse_slots(colon + 1, (size_t)(end - colon - 1), &slots) != 0)
            return mprun_set_error(err, errlen,
                             "invalid --host value '%s': slots must be an integer from 1 to %d",
                             text, MPRUN_MAX_SLOTS);
        if (add_host(list, p, name_len, slots, err, errlen) != 0)
            return -1;
        if (*end == '\0')
            return 0;
        p = end + 1;
    }
}

/* Split off the next blank-separated word of [*p, end). */
static bool next_word(const char **p, const char *end, const char **word, size_t *len)
{
    while (*p < end && isspace((unsigned char)**p))
        (*p)++;
    if (*p >= end)
        return false;
    *word = *p;
    while (*p < end && !isspace((unsigned char)**p))
        (*p)++;
    *len = (size_t)(*p - *word);
    return true;
}

static int parse_hostfile_line(const char *line, const char *end, const char *filename, int lineno,
                               struct mprun_host_list *list, char *err, size_t errlen)
{
    const char *comment = memchr(line, '#', (size_t)(end - line));
    const char *p = line, *name, *word;
    size_t name_len, len;
    const char *problem;
    int slots = 1;
    bool slots_seen = false;

    if (comment != NULL)
        end = comment;
    if (!next_word(&p, end, &name, &name_len))
        return 0; /* blank or comment only */
    problem = host_name_problem(name, name_len);
    if (problem != NULL)
        return mprun_set_error(err, errlen, "%s:%d: %s", filename, lineno, problem);
    while (next_word(&p, end, &word, &len)) {
        if (len > 6 && strncmp(word, "slots=", 6) == 0 && !slots_seen) {
            if (parse_slots(word + 6, len - 6, &slots) != 0)
                return mprun_set_error(
                    err, errlen, "%s:%d: invalid '%.*s': slots must be an integer from 1 to %d",
                    filename, lineno, (int)(len > 64 ? 64 : len), word, MPRUN_MAX_SLOTS);
            slots_seen = true;
        } else {
            return mprun_set_error(err, errlen, "%s:%d: unexpected '%.*s' (expected 'slots=N')", filename,
                             lineno, (int)(len > 64 ? 64 : len), word);
        }
    }
    if (add_host(list, name, name_len, slots, err, errlen) != 0) {
        char reason[128];

        snprintf(reason, sizeof(reason), "%s", err);
        return mprun_set_error(err, errlen, "%s:%d: %s", filename, lineno, reason);
    }
    return 0;
}

int mprun_hosts_parse_text(const char *text, const char *filename, struct mprun_host_list *list,
                           char *err, size_t errlen)
{
    int lineno = 1;

    for (const char *line = text; *line != '\0'; lineno++) {
        const char *end = strchrnul(line, '\n');

        if (parse_hostfile_line(line, end, filename, lineno, list, err, errlen) != 0)
            return -1;
        if (*end == '\0')
            break;
        line = end + 1;
    }
    if (list->nhosts == 0)
        return mprun_set_error(err, errlen, "%s: no host in the file", filename);
    return 0;
}

int mprun_hosts_read_file(const char *path, struct mprun_host_list *list, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    char *text;
    size_t n;
    int rc;

    if (f == NULL)
        return mprun_set_error(err, errlen, "cannot read hostfile '%s': %s", path, strerror(errno));
    text = malloc(HOSTFILE_MAX_BYTES + 1);
    if (text == NULL) {
        fclose(f);
        return mprun_set_error(err, errlen, "out of memory");
    }
    n = fread(text, 1, HOSTFILE_MAX_BYTES + 1, f);
    if (ferror(f) || n > HOSTFILE_MAX_BYTES) {
        rc = mprun_set_error(err, errlen, "cannot read hostfile '%s': %s", path,
                       ferror(f) ? strerror(errno) : "larger than 4 MiB");
    } else if (memchr(text, '\0', n) != NULL) {
        rc = mprun_set_error(err, errlen, "hostfile '%s' is not a text file", path);
    } else {
        text[n] = '\0';
        rc = mprun_hosts_parse_text(text, path, list, err, errlen);
    }
    free(text);
    fclose(f);
    return rc;
}

void mprun_hosts_free(struct mprun_host_list *list)
{
    for (int i = 0; i < list->nhosts; i++)
        free(list->hosts[i].name);
    free(list->hosts);
    list->hosts = NULL;
    list->nhosts = 0;
}

int mprun_hosts_total_slots(const struct mprun_host_list *list)
{
    long total = 0;

    for (int i = 0; i < list->nhosts; i++)
        total += list->hosts[i].slots;
    return total > INT_MAX ? INT_MAX : (int)total;
}

/* ---- This machine ------------------------------------------------------ */

static int add_address(struct mprun_local_identity *id, const char *text)
{
    char **grown = realloc(id->addresses, (size_t)(id->naddresses + 1) * sizeof(*grown));

    if (grown == NULL)
        return -1;
    id->addresses = grown;
    grown[id->naddresses] = strdup(text);
    if (grown[id->naddresses] == NULL)
        return -1;
    id->naddresses++;
    return 0;
}

int mprun_local_identity_load(struct mprun_local_identity *id)
{
    struct ifaddrs *ifs = NULL;
    char *dot;
    int rc = 0;

    memset(id, 0, sizeof(*id));
    if (gethostname(id->full_name, sizeof(id->full_name)) != 0)
        snprintf(id->full_name, sizeof(id->full_name), "localhost");
    id->full_name[sizeof(id->full_name) - 1] = '\0';
    snprintf(id->short_name, sizeof(id->short_name), "%s", id->full_name);
    dot = strchr(id->short_name, '.');
    if (dot != NULL)
        *dot = '\0';
    if (getifaddrs(&ifs) != 0)
        return 0; /* names alone, then */
    for (struct ifaddrs *ifa = ifs; ifa != NULL && rc == 0; ifa = ifa->ifa_next) {
        char text[INET6_ADDRSTRLEN];
        const void *addr;

        if (ifa->ifa_addr == NULL)
            continue;
        if (ifa->ifa_addr->sa_family == AF_INET)
            addr = &((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr;
        else if (ifa->ifa_addr->sa_family == AF_INET6)
            addr = &((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr;
        else
            continue;
        if (inet_ntop(ifa->ifa_addr->sa_family, addr, text, sizeof(text)) != NULL)
            rc = add_address(id, text);
    }
    freeifaddrs(ifs);
    return rc;
}

void mprun_local_identity_free(struct mprun_local_identity *id)
{
    for (int i = 0; i < id->naddresses; i++)
        free(id->addresses[i]);
    free(id->addresses);
    id->addresses = NULL;
    id->naddresses = 0;
}

void mprun_short_host_name(char *host, size_t len)
{
    char *dot;
    bool numeric = true;

    if (gethostname(host, len) != 0 || host[0] == '\0')
        snprintf(host, len, "localhost");
    host[len - 1] = '\0';
    for (const char *p = host; *p != '\0' && numeric; p++)
        numeric = (*p >= '0' && *p <= '9') || *p == '.';
    /* Keep an address whole; cut a name at its domain, as libpmix does. */
    dot = strchr(host, '.');
    if (!numeric && dot != NULL)
        *dot = '\0';
}

static bool is_loopback_address(const char *name)
{
    struct in_addr a4;

    if (inet_pton(AF_INET, name, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return strcmp(name, "::1") == 0;
}

bool mprun_host_is_local(const char *name, const struct mprun_local_identity *id)
{
    if (strcasecmp(name, "localhost") == 0 || strcasecmp(name, id->short_name) == 0 ||
        strcasecmp(name, id->full_name) == 0 || is_loopback_address(name))
        return true;
    for (int i = 0; i < id->naddresses; i++) {
        if (strcasecmp(name, id->addresses[i]) == 0)
            return true;
    }
    return false;
}

int mprun_hosts_mark_local(struct mprun_host_list *list, const struct mprun_local_identity *id)
{
    int first = -1, kept = 0;

    for (int i = 0; i < list->nhosts; i++) {
        struct mprun_host *h = &list->hosts[i];

        if (!mprun_host_is_local(h->name, id)) {
            list->hosts[kept++] = *h;
            continue;
        }
        if (first < 0) {
            h->local = true;
            first = kept;
            list->hosts[kept++] = *h;
        } else {
            struct mprun_host *f = &list->hosts[first];

            f->slots =
                f->slots + h->slots > MPRUN_MAX_SLOTS ? MPRUN_MAX_SLOTS : f->slots + h->slots;
            free(h->name);
        }
    }
    list->nhosts = kept;
    return first;
}

/* ---- Placement --------------------------------------------------------- */

void mprun_hosts_place(const struct mprun_host_list *list, int nranks, bool by_node,
                       int *host_of_rank)
{
    int nhosts = list->nhosts;
    int capacity[MPRUN_MAX_HOSTS];
    int used[MPRUN_MAX_HOSTS];
    int extra = nranks - mprun_hosts_total_slots(list);
    int h = 0;

    for (int i = 0; i < nhosts; i++) {
        capacity[i] = list->hosts[i].slots;
        used[i] = 0;
    }
    /* Oversubscribed: deal the extra ranks one per host, in list order. */
    for (int i = 0; extra > 0; i = (i + 1) % nhosts, extra--)
        capacity[i]++;
    for (int r = 0; r < nranks; r++) {
        if (by_node) {
            while (used[h] >= capacity[h])
                h = (h + 1) % nhosts;
            host_of_rank[r] = h;
            used[h]++;
            h = (h + 1) % nhosts;
        } else {
            while (used[h] >= capacity[h])
                h++;
            host_of_rank[r] = h;
            used[h]++;
        }
    }
}
