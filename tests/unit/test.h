/* A small unit-test harness: TEST(name) { ... CHECK(...); } and TEST_MAIN. Each test binary
 * prints PASS/FAIL per test and a closing "N passed, N failed" line that tests/run-tests.sh
 * adds up. */
#ifndef BPFHOST_TEST_H
#define BPFHOST_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

#define TEST_MAX 1024
extern struct test_case test_cases[TEST_MAX];
extern int test_case_count;
extern int test_failed_checks;

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        if (test_case_count < TEST_MAX)                                                            \
            test_cases[test_case_count++] = (struct test_case){#name, name};                       \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test_failed_checks++;                                                                  \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);             \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                               \
        if (check_a_ != check_b_) {                                                                \
            test_failed_checks++;                                                                  \
            fprintf(stderr, "  %s:%d: %s == %s failed: 0x%" PRIx64 " != 0x%" PRIx64 "\n",          \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_);                               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {                                \
            test_failed_checks++;                                                                  \
            fprintf(stderr, "  %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__,   \
                    #a, #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");       \
        }                                                                                          \
    } while (0)

/* Substring check, for error messages. */
#define CHECK_CONTAINS(haystack, needle)                                                           \
    do {                                                                                           \
        const char *check_h_ = (haystack), *check_n_ = (needle);                                   \
        if (!check_h_ || !strstr(check_h_, check_n_)) {                                            \
            test_failed_checks++;                                                                  \
            fprintf(stderr, "  %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__,       \
                    check_h_ ? check_h_ : "(null)", check_n_);                                     \
        }                                                                                          \
    } while (0)

#define TEST_MAIN                                                                                  \
    struct test_case test_cases[TEST_MAX];                                                         \
    int test_case_count;                                                                           \
    int test_failed_checks;                                                                        \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        int passed = 0, failed = 0;                                                                \
        for (int i = 0; i < test_case_count; i++) {                                                \
            if (argc > 1 && !strstr(test_cases[i].name, argv[1]))                                  \
                continue;                                                                          \
            int before = test_failed_checks;                                                       \
            test_cases[i].fn();                                                                    \
            if (test_failed_checks == before) {                                                    \
                passed++;                                                                          \
                printf("PASS %s\n", test_cases[i].name);                                           \
            } else {                                                                               \
                failed++;                                                                          \
                printf("FAIL %s\n", test_cases[i].name);                                           \
            }                                                                                      \
        }                                                                                          \
        printf("%d passed, %d failed\n", passed, failed);                                          \
        return failed ? 1 : 0;                                                                     \
    }

#endif
