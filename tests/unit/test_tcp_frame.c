/*
 * test_tcp_frame - the TCP transport's wire format (runtime/transport/tcp/tcp_wire.c):
 * header and hello round trips, the byte layout, every rejected field of a
 * header in each phase, the hello checks, endpoint strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "mpr.h"
#include "transport/tcp/tcp_wire.h"

static const struct tcp_frame_rules open_rules = {
    .phase = TCP_PHASE_OPEN, .nranks = 4, .self = 1, .peer = 2, .eager_max = 32768,
};

static struct tcp_frame eager_frame(void)
{
    struct tcp_frame f = { .type = TCP_FRAME_EAGER, .src = 2, .tag = 7, .ctx = 1, .length = 100 };
    return f;
}

/* Does the check refuse f, with a reason mentioning `word`? */
static void assert_refused(const struct tcp_frame *f, const struct tcp_frame_rules *rules,
                           const char *word)
{
    char why[160] = "";
    assert_false(mpr__tcp_frame_check(f, rules, why, sizeof(why)));
    if (!strstr(why, word))
        fail_msg("reason \"%s\" does not mention \"%s\"", why, word);
}

static void test_roundtrip_and_layout(void **state)
{
    (void)state;
    struct tcp_frame f = { .type = TCP_FRAME_RTS, .src = 0x01020304, .tag = 0x11223344,
                           .ctx = 0xa0b0c0d0, .length = 0x0102030405060708ull,
                           .cookie = 0x1122334455667788ull };
    unsigned char b[TCP_FRAME_BYTES];
    mpr__tcp_frame_encode(&f, b);
    const unsigned char want[TCP_FRAME_BYTES] = {
        5, 0, 0, 0, 0x04, 0x03, 0x02, 0x01, 0x44, 0x33, 0x22, 0x11, 0xd0, 0xc0, 0xb0, 0xa0,
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
    };
    assert_memory_equal(b, want, sizeof(want));
    struct tcp_frame g;
    mpr__tcp_frame_decode(b, &g);
    assert_int_equal(g.type, f.type);
    assert_int_equal(g.src, f.src);
    assert_int_equal(g.tag, f.tag);
    assert_int_equal(g.ctx, f.ctx);
    assert_true(g.length == f.length);
    assert_true(g.cookie == f.cookie);
    assert_int_equal(g.flags, 0);
    assert_int_equal(g.reserved, 0);

    f.tag = -1; /* negative tags survive the trip (and are then refused) */
    mpr__tcp_frame_encode(&f, b);
    mpr__tcp_frame_decode(b, &g);
    assert_int_equal(g.tag, -1);
}

static void test_good_frames_pass(void **state)
{
    (void)state;
    char why[160];
    struct tcp_frame f = eager_frame();
    assert_true(mpr__tcp_frame_check(&f, &open_rules, why, sizeof(why)));
    f.length = 0;
    f.tag = 0;
    assert_true(mpr__tcp_frame_check(&f, &open_rules, why, sizeof(why)));
    f.length = 32768;
    f.tag = MPR_TAG_UB;
    assert_true(mpr__tcp_frame_check(&f, &open_rules, why, sizeof(why)));

    struct tcp_frame rts = { .type = TCP_FRAME_RTS, .src = 2, .tag = 3, .ctx = 0,
                             .length = 1ull << 40, .cookie = 99 };
    assert_true(mpr__tcp_frame_check(&rts, &open_rules, why, sizeof(why)));
    struct tcp_frame cts = { .type = TCP_FRAME_CTS, .src = 2, .length = 5, .cookie = 99 };
    assert_true(mpr__tcp_frame_check(&cts, &open_rules, why, sizeof(why)));
    struct tcp_frame data = { .type = TCP_FRAME_DATA, .src = 2, .length = 1ull << 33, .cookie = 1 };
    assert_true(mpr__tcp_frame_check(&data, &open_rules, why, sizeof(why)));
    struct tcp_frame bye = { .type = TCP_FRAME_BYE, .src = 2 };
    assert_true(mpr__tcp_frame_check(&bye, &open_rules, why, sizeof(why)));
    /* flow control's credit: bytes given back, no envelope, no transfer id */
    struct tcp_frame credit = { .type = TCP_FRAME_CREDIT, .src = 2, .length = 1u << 20 };
    assert_true(mpr__tcp_frame_check(&credit, &open_rules, why, sizeof(why)));
    credit.cookie = 5;
    assert_false(mpr__tcp_frame_check(&credit, &open_rules, why, sizeof(why)));
    credit.cookie = 0;
    credit.tag = 1;
    assert_false(mpr__tcp_frame_check(&credit, &open_rules, why, sizeof(why)));

    struct tcp_frame_rules hello_rules = { .phase = TCP_PHASE_HELLO, .nranks = 4, .self = 1 };
    struct tcp_frame hello = { .type = TCP_FRAME_HELLO, .src = 3, .length = TCP_HELLO_BYTES };
    assert_true(mpr__tcp_frame_check(&hello, &hello_rules, why, sizeof(why)));
    hello.src = 0;
    assert_true(mpr__tcp_frame_check(&hello, &hello_rules, why, sizeof(why)));

    struct tcp_frame_rules reply_rules = { .phase = TCP_PHASE_REPLY, .nranks = 4, .self = 1, .peer = 3 };
    struct tcp_frame accept = { .type = TCP_FRAME_ACCEPT, .src = 3 };
    struct tcp_frame dup = { .type = TCP_FRAME_DUPLICATE, .src = 3 };
    assert_true(mpr__tcp_frame_check(&accept, &reply_rules, why, sizeof(why)));
    assert_true(mpr__tcp_frame_check(&dup, &reply_rules, why, sizeof(why)));
}

static void test_bad_type(void **state)
{
    (void)state;
    struct tcp_frame f = eager_frame();
    f.type = 0;
    assert_refused(&f, &open_rules, "unknown frame type 0");
    f.type = TCP_FRAME_TYPE_MAX + 1;
    assert_refused(&f, &open_rules, "unknown frame type");
    f.type = 255;
    assert_refused(&f, &open_rules, "unknown frame type 255");
}

static void test_type_not_allowed_in_phase(void **state)
{
    (void)state;
    struct tcp_frame_rules hello_rules = { .phase = TCP_PHASE_HELLO, .nranks = 4, .self = 1 };
    struct tcp_frame f = eager_frame();
    assert_refused(&f, &hello_rules, "EAGER frame where a HELLO was expected");
    struct tcp_frame accept = { .type = TCP_FRAME_ACCEPT, .src = 2 };
    assert_refused(&accept, &hello_rules, "where a HELLO");

    struct tcp_frame_rules reply_rules = { .phase = TCP_PHASE_REPLY, .nranks = 4, .self = 1, .peer = 2 };
    assert_refused(&f, &reply_rules, "ACCEPT or DUPLICATE");
    struct tcp_frame hello = { .type = TCP_FRAME_HELLO, .src = 2, .length = TCP_HELLO_BYTES };
    assert_refused(&hello, &reply_rules, "HELLO frame");

    assert_refused(&hello, &open_rules, "message frame");
    accept.src = 2;
    assert_refused(&accept, &open_rules, "ACCEPT frame");
    struct tcp_frame dup = { .type = TCP_FRAME_DUPLICATE, .src = 2 };
    assert_refused(&dup, &open_rules, "DUPLICATE");
}

static void test_reserved_bits(void **state)
{
    (void)state;
    struct tcp_frame f = eager_frame();
    f.flags = 1;
    assert_refused(&f, &open_rules, "reserved");
    f.flags = 0;
    f.reserved = 0x8000;
    assert_refused(&f, &open_rules, "reserved");
}

static void test_bad_source(void **state)
{
    (void)state;
    struct tcp_frame f = eager_frame();
    f.src = 4;
    assert_refused(&f, &open_rules, "rank 4 out of range");
    f.src = UINT32_MAX;
    assert_refused(&f, &open_rules, "out of range");
    f.src = 3; /* in range, but not the rank at the other end */
    assert_refused(&f, &open_rules, "connection of rank 2");
    f.src = 1;
    assert_refused(&f, &open_rules, "connection of rank 2");

    struct tcp_frame_rules hello_rules = { .phase = TCP_PHASE_HELLO, .nranks = 4, .self = 1 };
    struct tcp_frame hello = { .type = TCP_FRAME_HELLO, .src = 1, .length = TCP_HELLO_BYTES };
    assert_refused(&hello, &hello_rules, "this rank");
    hello.src = 9;
    assert_refused(&hello, &hello_rules, "rank 9 out of range (job of 4 ranks)");
}

static void test_bad_tag_and_context(void **state)
{
    (void)state;
    struct tcp_frame f = eager_frame();
    f.tag = -1;
    assert_refused(&f, &open_rules, "tag -1 out of range");
    f.tag = MPR_TAG_UB + 1;
    assert_refused(&f, &open_rules, "out of range");
    f.tag = INT32_MIN;
    assert_refused(&f, &open_rules, "out of range");
    struct tcp_frame rts = { .type = TCP_FRAME_RTS, .src = 2, .tag = -5, .length = 1, .cookie = 1 };
    assert_refused(&rts, &open_rules, "tag -5");

    struct tcp_frame cts = { .type = TCP_FRAME_CTS, .src = 2, .tag = 1, .cookie = 1 };
    assert_refused(&cts, &open_rules, "tag or context set in a CTS");
    cts.tag = 0;
    cts.ctx = 1;
    assert_refused(&cts, &open_rules, "tag or context set");
    struct tcp_frame bye = { .type = TCP_FRAME_BYE, .src = 2, .ctx = 3 };
    assert_refused(&bye, &open_rules, "tag or context set in a BYE");
}

static void test_bad_length(void **state)
{
    (void)state;
    struct tcp_frame f = eager_frame();
    f.length = 32769; /* over the receiver's eager limit */
    assert_refused(&f, &open_rules, "length 32769 larger than allowed (32768)");
    f.length = UINT64_MAX;
    assert_refused(&f, &open_rules, "larger than allowed");

    struct tcp_frame_rules generous = open_rules;
    generous.eager_max = UINT64_MAX; /* never more than TCP_EAGER_MAX, whatever is asked */
    f.length = TCP_EAGER_MAX + 1ull;
    assert_refused(&f, &generous, "larger than allowed");
    f.length = TCP_EAGER_MAX;
    char why[160];
    assert_true(mpr__tcp_frame_check(&f, &generous, why, sizeof(why)));

    struct tcp_frame bye = { .type = TCP_FRAME_BYE, .src = 2, .length = 1 };
    assert_refused(&bye, &open_rules, "length 1 larger than allowed (0)");

    struct tcp_frame_rules hello_rules = { .phase = TCP_PHASE_HELLO, .nranks = 4, .self = 1 };
    struct tcp_frame hello = { .type = TCP_FRAME_HELLO, .src = 2, .length = 1ull << 60 };
    assert_refused(&hello, &hello_rules, "larger than allowed");
    hello.length = TCP_HELLO_BYTES - 1;
    assert_refused(&hello, &hello_rules, "HELLO of length 31");

    struct tcp_frame_rules reply_rules = { .phase = TCP_PHASE_REPLY, .nranks = 4, .self = 1, .peer = 2 };
    struct tcp_frame accept = { .type = TCP_FRAME_ACCEPT, .src = 2, .length = 8 };
    assert_refused(&accept, &reply_rules, "larger than allowed");
}

static void test_bad_cookie(void **state)
{
    (void)state;
    struct tcp_frame rts = { .type = TCP_FRAME_RTS, .src = 2, .length = 100000 };
    assert_refused(&rts, &open_rules, "no transfer id in a RTS");
    struct tcp_frame cts = { .type = TCP_FRAME_CTS, .src = 2, .length = 1 };
    assert_refused(&cts, &open_rules, "no transfer id in a CTS");
    struct tcp_frame data = { .type = TCP_FRAME_DATA, .src = 2, .length = 1 };
    assert_refused(&data, &open_rules, "no transfer id in a DATA");
    struct tcp_frame f = eager_frame();
    f.cookie = 5;
    assert_refused(&f, &open_rules, "transfer id set in a EAGER");
}

static struct tcp_hello good_hello(void)
{
    struct tcp_hello h = { .magic = TCP_HELLO_MAGIC, .version = TCP_WIRE_VERSION, .target = 1 };
    for (int i = 0; i < TCP_SECRET_BYTES; i++)
        h.secret[i] = (uint8_t)(0xa0 + i);
    return h;
}

static void test_hello(void **state)
{
    (void)state;
    struct tcp_hello h = good_hello(), g;
    unsigned char b[TCP_HELLO_BYTES];
    mpr__tcp_hello_encode(&h, b);
    assert_memory_equal(b, "mpr-tcp1", 8);
    mpr__tcp_hello_decode(b, &g);
    assert_true(g.magic == h.magic);
    assert_int_equal(g.version, h.version);
    assert_int_equal(g.target, h.target);
    assert_memory_equal(g.secret, h.secret, TCP_SECRET_BYTES);

    uint8_t secret[TCP_SECRET_BYTES];
    memcpy(secret, h.secret, sizeof(secret));
    char why[160] = "";
    assert_true(mpr__tcp_hello_check(&h, 1, secret, why, sizeof(why)));

    struct tcp_hello bad = h;
    bad.magic ^= 1;
    assert_false(mpr__tcp_hello_check(&bad, 1, secret, why, sizeof(why)));
    assert_non_null(strstr(why, "magic"));
    bad = h;
    bad.version = 2;
    assert_false(mpr__tcp_hello_check(&bad, 1, secret, why, sizeof(why)));
    assert_non_null(strstr(why, "version 2"));
    assert_false(mpr__tcp_hello_check(&h, 0, secret, why, sizeof(why)));
    assert_non_null(strstr(why, "meant for rank 1"));
    for (int i = 0; i < TCP_SECRET_BYTES; i++) {
        bad = h;
        bad.secret[i] ^= 0x80;
        assert_false(mpr__tcp_hello_check(&bad, 1, secret, why, sizeof(why)));
        assert_string_equal(why, "wrong secret");
    }
}

/* A hello is refused at its first wrong byte before the secret; src and the
 * secret are never judged byte by byte. */
static void test_hello_prefix(void **state)
{
    (void)state;
    struct tcp_frame f = { .type = TCP_FRAME_HELLO, .src = 3, .length = TCP_HELLO_BYTES };
    struct tcp_hello h = good_hello();
    unsigned char b[TCP_HELLO_TOTAL];
    mpr__tcp_frame_encode(&f, b);
    mpr__tcp_hello_encode(&h, b + TCP_FRAME_BYTES);
    char why[160] = "";
    for (size_t len = 0; len <= TCP_HELLO_TOTAL; len++)
        assert_true(mpr__tcp_hello_prefix_check(b, len, 1, why, sizeof(why)));
    assert_false(mpr__tcp_hello_prefix_check(b, TCP_HELLO_SECRET_AT, 2, why, sizeof(why)));
    assert_non_null(strstr(why, "byte 44"));
    for (size_t i = 0; i < TCP_HELLO_TOTAL; i++) {
        unsigned char c[TCP_HELLO_TOTAL];
        memcpy(c, b, sizeof(c));
        c[i] ^= 0x40;
        bool judged = (i < 4 || i >= 8) && i < TCP_HELLO_SECRET_AT;
        assert_int_equal(mpr__tcp_hello_prefix_check(c, i, 1, why, sizeof(why)), true);
        assert_int_equal(mpr__tcp_hello_prefix_check(c, i + 1, 1, why, sizeof(why)), !judged);
    }
    const char *garbage = "GET / HTTP/1.0\r\n";
    assert_false(mpr__tcp_hello_prefix_check((const unsigned char *)garbage, 1, 1, why, sizeof(why)));
    assert_non_null(strstr(why, "byte 0 of a hello is 0x47, not 0x01"));
}

static void test_endpoint_roundtrip(void **state)
{
    (void)state;
    uint8_t secret[TCP_SECRET_BYTES], got[TCP_SECRET_BYTES];
    for (int i = 0; i < TCP_SECRET_BYTES; i++)
        secret[i] = (uint8_t)(i * 17);
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(40123) };
    inet_pton(AF_INET, "192.0.2.7", &in.sin_addr);
    char text[TCP_ENDPOINT_MAX];
    assert_true(mpr__endpoint_format((struct sockaddr *)&in, secret, text, sizeof(text)));
    assert_string_equal(text, "v1 192.0.2.7 40123 00112233445566778899aabbccddeeff");

    struct sockaddr_storage addr;
    socklen_t len;
    assert_true(mpr__endpoint_parse(text, &addr, &len, got));
    assert_int_equal(len, sizeof(struct sockaddr_in));
    struct sockaddr_in *back = (struct sockaddr_in *)&addr;
    assert_int_equal(back->sin_family, AF_INET);
    assert_int_equal(ntohs(back->sin_port), 40123);
    assert_int_equal(back->sin_addr.s_addr, in.sin_addr.s_addr);
    assert_memory_equal(got, secret, sizeof(secret));

    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(7) };
    inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
    assert_true(mpr__endpoint_format((struct sockaddr *)&in6, secret, text, sizeof(text)));
    assert_true(mpr__endpoint_parse(text, &addr, &len, got));
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(((struct sockaddr_in6 *)&addr)->sin6_family, AF_INET6);

    char tiny[10];
    assert_false(mpr__endpoint_format((struct sockaddr *)&in, secret, tiny, sizeof(tiny)));
}

static void test_endpoint_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "v1",
        "v2 192.0.2.7 40123 00112233445566778899aabbccddeeff",
        "v1 192.0.2.7 0 00112233445566778899aabbccddeeff",
        "v1 192.0.2.7 65536 00112233445566778899aabbccddeeff",
        "v1 192.0.2.7 123456 00112233445566778899aabbccddeeff",
        "v1 192.0.2.7 -1 00112233445566778899aabbccddeeff",
        "v1 192.0.2.300 40123 00112233445566778899aabbccddeeff",
        "v1 host 40123 00112233445566778899aabbccddeeff",
        "v1 192.0.2.7 40123 00112233445566778899aabbccddee",
        "v1 192.0.2.7 40123 00112233445566778899aabbccddeeff00",
        "v1 192.0.2.7 40123 0011223344556677889XaabbccddeefF",
        "v1 192.0.2.7 40123 00112233445566778899AABBCCDDEEFF",
        "v1 192.0.2.7 40123 00112233445566778899aabbccddeeff trailing",
    };
    uint8_t secret[TCP_SECRET_BYTES] = { 0 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sockaddr_storage addr;
        socklen_t len = 12345;
        if (mpr__endpoint_parse(bad[i], &addr, &len, secret))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(len, 12345); /* outputs untouched */
        for (int j = 0; j < TCP_SECRET_BYTES; j++)
            assert_int_equal(secret[j], 0);
    }
    char longer[300];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    struct sockaddr_storage addr;
    socklen_t len;
    assert_false(mpr__endpoint_parse(longer, &addr, &len, secret));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_and_layout),
        cmocka_unit_test(test_good_frames_pass),
        cmocka_unit_test(test_bad_type),
        cmocka_unit_test(test_type_not_allowed_in_phase),
        cmocka_unit_test(test_reserved_bits),
        cmocka_unit_test(test_bad_source),
        cmocka_unit_test(test_bad_tag_and_context),
        cmocka_unit_test(test_bad_length),
        cmocka_unit_test(test_bad_cookie),
        cmocka_unit_test(test_hello),
        cmocka_unit_test(test_hello_prefix),
        cmocka_unit_test(test_endpoint_roundtrip),
        cmocka_unit_test(test_endpoint_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
