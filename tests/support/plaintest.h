// Minimal Qt-free test harness for the platform layer (it must build with MinGW-w64
// and run under Wine, where no Qt is available). Each TEST_CASE is one test; a failed
// CHECK marks it failed and the run ends with "N passed, N failed".
//
//   TEST_CASE(name) { CHECK(cond); CHECK_EQ(a, b); }
//   NCV_PLAIN_TEST_MAIN()
#pragma once

#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace plaintest {

struct Case {
    const char *name;
    std::function<void()> body;
};

inline std::vector<Case> &registry()
{
    static std::vector<Case> cases;
    return cases;
}
inline bool &currentFailed()
{
    static bool failed = false;
    return failed;
}
inline bool &currentSkipped()
{
    static bool skipped = false;
    return skipped;
}

struct Registrar {
    Registrar(const char *name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

inline void fail(const char *file, int line, const std::string &what)
{
    std::fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, what.c_str());
    currentFailed() = true;
}

template<typename T> std::string show(const T &value)
{
    if constexpr (requires(std::ostream & os, const T &v) { os << v; }) {
        std::ostringstream os;
        os << value;
        return os.str();
    } else {
        return "<value>";
    }
}

/// Runs all cases, or only those whose name contains argv[1]. Returns the exit code.
inline int runAll(int argc, char **argv)
{
    int passed = 0, failed = 0, skipped = 0;
    for (const Case &c : registry()) {
        if (argc > 1 && !std::strstr(c.name, argv[1]))
            continue;
        currentFailed() = false;
        currentSkipped() = false;
        std::fprintf(stderr, "RUN  %s\n", c.name);
        try {
            c.body();
        } catch (const std::exception &e) {
            fail(__FILE__, __LINE__, std::string("exception: ") + e.what());
        } catch (...) {
            fail(__FILE__, __LINE__, "unknown exception");
        }
        if (currentSkipped() && !currentFailed()) {
            ++skipped;
            std::fprintf(stderr, "SKIP %s\n", c.name);
        } else if (currentFailed()) {
            ++failed;
            std::fprintf(stderr, "FAIL %s\n", c.name);
        } else {
            ++passed;
            std::fprintf(stderr, "PASS %s\n", c.name);
        }
    }
    std::fflush(stderr);
    if (skipped)
        std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed + skipped > 0 ? 0 : 1;
}

} // namespace plaintest

#define PLAINTEST_CAT2(a, b) a##b
#define PLAINTEST_CAT(a, b) PLAINTEST_CAT2(a, b)
#define TEST_CASE(name)                                                                                                \
    static void PLAINTEST_CAT(plaintest_fn_, name)();                                                                  \
    static plaintest::Registrar PLAINTEST_CAT(plaintest_reg_, name)(#name, &PLAINTEST_CAT(plaintest_fn_, name));       \
    static void PLAINTEST_CAT(plaintest_fn_, name)()

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            plaintest::fail(__FILE__, __LINE__, "CHECK(" #cond ")");                                                   \
    } while (0)

#define CHECK_EQ(actual, expected)                                                                                     \
    do {                                                                                                               \
        const auto &plaintest_a = (actual);                                                                            \
        const auto &plaintest_e = (expected);                                                                          \
        if (!(plaintest_a == plaintest_e))                                                                             \
            plaintest::fail(__FILE__, __LINE__,                                                                        \
                            std::string(#actual " == " #expected ": got ") + plaintest::show(plaintest_a)              \
                                + ", expected " + plaintest::show(plaintest_e));                                       \
    } while (0)

/// Marks the current case skipped (with a reason printed) and returns from it.
#define SKIP(reason)                                                                                                   \
    do {                                                                                                               \
        std::fprintf(stderr, "  SKIP: %s\n", std::string(reason).c_str());                                             \
        plaintest::currentSkipped() = true;                                                                            \
        return;                                                                                                        \
    } while (0)

#define NCV_PLAIN_TEST_MAIN()                                                                                          \
    int main(int argc, char **argv)                                                                                    \
    {                                                                                                                  \
        return plaintest::runAll(argc, argv);                                                                          \
    }
