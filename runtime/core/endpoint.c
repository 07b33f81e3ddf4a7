/*
 * endpoint.c - the text a listening rank publishes so others can reach it:
 * "v1 <ip> <port> <secret in hex>". The TCP transport and the object
 * service both publish one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/net.h"

bool mpr__endpoint_format(const struct sockaddr *addr, const uint8_t secret[MPR__SECRET_BYTES],
                              char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned port;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        port = ntohs(in->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
    } else {
        return false;
    }
    char hex[2 * MPR__SECRET_BYTES + 1];
    for (int i = 0; i < MPR__SECRET_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", secret[i]);
    int n = snprintf(out, cap, "v1 %s %u %s", ip, port, hex);
    return n > 0 && (size_t)n < cap;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool mpr__endpoint_parse(const char *text, struct sockaddr_storage *addr, socklen_t *addr_len,
                             uint8_t secret[MPR__SECRET_BYTES])
{
    char ip[INET6_ADDRSTRLEN], hex[2 * MPR__SECRET_BYTES + 2];
    unsigned port;
    int used = 0;
    if (strlen(text) >= MPR__ENDPOINT_MAX ||
        sscanf(text, "v1 %45s %5u %33s%n", ip, &port, hex, &used) != 3 ||
        text[used] != '\0' || port == 0 || port > 65535 ||
        strlen(hex) != 2 * MPR__SECRET_BYTES)
        return false;
    uint8_t key[MPR__SECRET_BYTES];
    for (int i = 0; i < MPR__SECRET_BYTES; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    struct sockaddr_storage a;
    memset(&a, 0, sizeof(a));
    socklen_t len;
    struct sockaddr_in *in = (struct sockaddr_in *)&a;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a;
    if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        len = sizeof(*in);
    } else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof(*in6);
    } else {
        return false;
    }
    *addr = a;
    *addr_len = len;
    memcpy(secret, key, MPR__SECRET_BYTES);
    return true;
}
