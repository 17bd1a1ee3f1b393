#include "test.h"
#include "verifier/zone.h"

/* Soundness against concrete states: a few integer vectors, each operation applied to them
 * and to the zone; every surviving vector must satisfy the zone. */
enum { VARS = 4, POINTS = 6 };
static uint64_t rng_state = 0xda3e39cb94b95bdbull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int64_t small(void) { return (int64_t)(next_random() % 41) - 20; }

struct point {
    bool alive;
    int64_t v[ZONE_VARS + 1]; /* v[0] is the zero node */
};

static bool satisfies(const struct zone *z, const struct point *p)
{
    if (z->empty)
        return false;
    for (unsigned i = 0; i <= ZONE_VARS; i++)
        for (unsigned j = 0; j <= ZONE_VARS; j++)
            if (z->m[i][j] != ZONE_NONE && p->v[i] - p->v[j] > z->m[i][j])
                return false;
    return true;
}

/* The zone of exactly one point. */
static void zone_of(struct zone *z, const struct point *p)
{
    zone_init(z);
    for (unsigned x = 1; x <= VARS; x++)
        zone_assign(z, x, ZONE_ZERO, p->v[x]);
}

TEST(operations_keep_every_concrete_state)
{
    for (int round = 0; round < 3000; round++) {
        struct point pts[POINTS] = {0};
        struct zone z;
        zone_init(&z);
        for (int k = 0; k < POINTS; k++) {
            pts[k].alive = true;
            for (unsigned x = 1; x <= VARS; x++)
                pts[k].v[x] = small();
            struct zone one;
            zone_of(&one, &pts[k]);
            if (k == 0)
                z = one;
            else
                zone_join(&z, &one);
        }
        for (int step = 0; step < 8; step++) {
            unsigned x = 1 + (unsigned)(next_random() % VARS), y = (unsigned)(next_random() % (VARS + 1));
            int64_t c = small();
            switch (next_random() % 4) {
            case 0: /* x := y + c */
                zone_assign(&z, x, y, c);
                for (int k = 0; k < POINTS; k++)
                    pts[k].v[x] = pts[k].v[y] + c;
                break;
            case 1: /* assume x - y <= c: states that violate it are gone */
                zone_add(&z, x, y, c);
                for (int k = 0; k < POINTS; k++)
                    pts[k].alive &= pts[k].v[x] - pts[k].v[y] <= c;
                break;
            case 2: { /* x := anything in [c, c + 5] */
                zone_assign_range(&z, x, c, c + 5);
                for (int k = 0; k < POINTS; k++)
                    pts[k].v[x] = c + (int64_t)(next_random() % 6);
                break;
            }
            default:
                zone_forget(&z, x);
                for (int k = 0; k < POINTS; k++)
                    pts[k].v[x] = small() * 1000;
                break;
            }
            for (int k = 0; k < POINTS; k++)
                if (pts[k].alive && !satisfies(&z, &pts[k])) {
                    CHECK(!"a concrete state left the zone");
                    return;
                }
        }
        /* joins and widenings contain both sides; meets keep common states */
        struct zone other, joined = z, widened = z;
        struct point q = {.alive = true};
        for (unsigned x = 1; x <= VARS; x++)
            q.v[x] = small();
        zone_of(&other, &q);
        zone_join(&joined, &other);
        zone_widen(&widened, &other);
        CHECK(zone_leq(&z, &joined) && zone_leq(&other, &joined));
        CHECK(zone_leq(&z, &widened));
        CHECK(satisfies(&joined, &q) && satisfies(&widened, &q));
        struct zone met = z;
        bool nonempty = zone_meet(&met, &other);
        CHECK_EQ(nonempty, satisfies(&z, &q));
    }
}

/* for (i = 0; i < n; i++) with n unknown in [1, 1000]: intervals alone lose i < n at the
 * head once i is widened; the zone keeps i - n <= 0 there and i - n <= -1 in the body. */
TEST(loop_counter_stays_below_its_bound)
{
    enum { I = 1, N = 2 };
    struct zone head;
    zone_init(&head);
    zone_assign_range(&head, N, 1, 1000);
    zone_assign(&head, I, ZONE_ZERO, 0);
    for (int round = 0; round < 10; round++) {
        struct zone body = head;
        CHECK(zone_add(&body, I, N, -1)); /* i < n */
        zone_assign(&body, I, I, 1);      /* i++ */
        struct zone next = head;
        if (round >= 2)
            zone_widen(&next, &body);
        else
            zone_join(&next, &body);
        if (zone_leq(&next, &head))
            break;
        head = next;
    }
    CHECK_EQ(zone_max_difference(&head, I, N), 0); /* i <= n at the head */
    struct zone body = head;
    CHECK(zone_add(&body, I, N, -1));
    int64_t hi = 0, lo = 0;
    CHECK(zone_upper(&body, I, &hi));
    CHECK_EQ(hi, 999); /* i < n <= 1000 */
    CHECK(zone_lower(&body, I, &lo));
    CHECK_EQ(lo, 0);
}

TEST(contradictions_and_shifts)
{
    enum { A = 1, B = 2 };
    struct zone z;
    zone_init(&z);
    CHECK(zone_add(&z, A, B, 3));       /* a - b <= 3 */
    CHECK(!zone_add(&z, B, A, -4));     /* b - a <= -4: a - b >= 4, no state */
    CHECK(z.empty);
    CHECK(zone_leq(&z, &z));
    zone_init(&z);
    zone_assign_range(&z, A, 10, 20);
    zone_assign(&z, B, A, 5);           /* b = a + 5 */
    int64_t hi = 0, lo = 0;
    CHECK(zone_upper(&z, B, &hi) && zone_lower(&z, B, &lo));
    CHECK_EQ(lo, 15);
    CHECK_EQ(hi, 25);
    zone_assign(&z, A, A, -10);         /* a -= 10: b - a = 15 now */
    CHECK_EQ(zone_max_difference(&z, B, A), 15);
    CHECK_EQ(zone_max_difference(&z, A, B), -15);
    zone_forget(&z, A);
    CHECK_EQ(zone_max_difference(&z, B, A), ZONE_NONE);
    CHECK(!zone_upper(&z, A, &hi));
    /* bounds near the extremes do not overflow */
    zone_init(&z);
    zone_assign_range(&z, A, INT64_MIN, INT64_MAX - 1);
    zone_assign(&z, B, A, INT64_MAX - 1);
    CHECK(!z.empty);
    zone_assign(&z, B, B, INT64_MIN);
    CHECK_EQ(zone_max_difference(&z, B, A), ZONE_NONE);
}

TEST_MAIN
