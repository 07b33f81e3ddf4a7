/*
 * net.c - the address a rank listens on, and the listening socket.
 *
 * In order: MPR_TCP_ADDR (an IPv4 or IPv6 address), MPR_TCP_IF (an
 * interface name: its IPv4 address, else a global IPv6 one), the address
 * the host name resolves to unless it is a loopback address (Debian maps
 * the host name to 127.0.1.1, which other hosts cannot reach), the first
 * non-loopback IPv4 interface that is up, and last 127.0.0.1. The port is
 * chosen by the kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/env.h"
#include "core/mpr_internal.h"

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return false;
}

static bool usable_ipv6(const struct sockaddr *sa)
{
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    return !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_LOOPBACK(a);
}

static socklen_t sockaddr_len(const struct sockaddr *sa)
{
    return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static void keep(struct sockaddr_storage *out, const struct sockaddr *sa)
{
    memset(out, 0, sizeof(*out));
    memcpy(out, sa, sockaddr_len(sa));
}

static int address_from_env_addr(const char *text, struct sockaddr_storage *out)
{
    struct sockaddr_in in = { .sin_family = AF_INET };
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
    if (inet_pton(AF_INET, text, &in.sin_addr) == 1) {
        keep(out, (struct sockaddr *)&in);
        return MPR_SUCCESS;
    }
    if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1) {
        keep(out, (struct sockaddr *)&in6);
        return MPR_SUCCESS;
    }
    mpr__log("MPR_TCP_ADDR=%s is not an IPv4 or IPv6 address", text);
    return MPR_ERR_ARG;
}

/* The IPv4 address of interface `name` (or, without one, a global IPv6
 * address); with name == NULL, the first non-loopback IPv4 interface up. */
static bool address_of_interface(const char *name, struct sockaddr_storage *out)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return false;
    const struct sockaddr *v4 = NULL, *v6 = NULL;
    for (struct ifaddrs *i = list; i; i = i->ifa_next) {
        const struct sockaddr *sa = i->ifa_addr;
        if (!sa || !(i->ifa_flags & IFF_UP))
            continue;
        if (name ? strcmp(i->ifa_name, name) != 0 : (i->ifa_flags & IFF_LOOPBACK) != 0)
            continue;
        if (sa->sa_family == AF_INET && !v4)
            v4 = sa;
        else if (sa->sa_family == AF_INET6 && name && !v6 && usable_ipv6(sa))
            v6 = sa;
    }
    const struct sockaddr *pick = v4 ? v4 : v6;
    if (pick)
        keep(out, pick);
    freeifaddrs(list);
    return pick != NULL;
}

static bool address_of_hostname(struct sockaddr_storage *out)
{
    char host[256];
    if (gethostname(host, sizeof(host)) != 0)
        return false;
    host[sizeof(host) - 1] = '\0';
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_ADDRCONFIG };
    struct addrinfo *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    const struct sockaddr *pick = NULL;
    for (struct addrinfo *ai = res; ai && !pick; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET && !is_loopback(ai->ai_addr))
            pick = ai->ai_addr;
    }
    for (struct addrinfo *ai = res; ai && !pick; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET6 && usable_ipv6(ai->ai_addr))
            pick = ai->ai_addr;
    }
    if (pick)
        keep(out, pick);
    freeaddrinfo(res);
    return pick != NULL;
}

static int choose_address(struct sockaddr_storage *out)
{
    const char *env = mpr__env_text("MPR_TCP_ADDR");
    if (env)
        return address_from_env_addr(env, out);
    env = mpr__env_text("MPR_TCP_IF");
    if (env) {
        if (address_of_interface(env, out))
            return MPR_SUCCESS;
        mpr__log("MPR_TCP_IF=%s: no such interface with an address that is up", env);
        return MPR_ERR_ARG;
    }
    if (address_of_hostname(out) || address_of_interface(NULL, out))
        return MPR_SUCCESS;
    struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    keep(out, (struct sockaddr *)&lo);
    return MPR_SUCCESS;
}

int mpr__net_listen(int *fd_out, struct sockaddr_storage *addr_out)
{
    struct sockaddr_storage addr;
    int rc = choose_address(&addr);
    if (rc != MPR_SUCCESS)
        return rc;
    struct sockaddr *sa = (struct sockaddr *)&addr;
    char text[INET6_ADDRSTRLEN] = "?";
    inet_ntop(sa->sa_family,
              sa->sa_family == AF_INET ? (void *)&((struct sockaddr_in *)sa)->sin_addr
                                       : (void *)&((struct sockaddr_in6 *)sa)->sin6_addr,
              text, sizeof(text));

    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        mpr__log("cannot create a TCP socket: %s", strerror(errno));
        return MPR_ERR_INTERNAL;
    }
    socklen_t len = sockaddr_len(sa);
    if (bind(fd, sa, len) != 0 || listen(fd, SOMAXCONN) != 0 ||
        getsockname(fd, sa, &len) != 0) {
        mpr__log("cannot listen on %s: %s", text, strerror(errno));
        close(fd);
        return MPR_ERR_INTERNAL;
    }
    *fd_out = fd;
    *addr_out = addr;
    return MPR_SUCCESS;
}
