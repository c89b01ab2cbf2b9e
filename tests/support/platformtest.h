// SPDX-License-Identifier: GPL-2.0-or-later
// The harness of the Qt-free platform tests: doctest (Debian's doctest-dev, header-only, so
// the tests also build with MinGW-w64 and run under Wine, where there is no Qt). The main()
// is in support/doctestmain.cpp. SKIP(reason) ends the current case with a message, for the
// checks that need a system they do not have (doctest has no run-time skip).
// REQUIRE_NAMESPACE() (Linux) moves the test process into a private network namespace on
// first use (support/netns.h) or skips the case when it cannot.
#pragma once

#include <doctest.h>
#ifdef __linux__
#include "support/netns.h"
#endif

#include <string>

#define SKIP(reason)                                                                                                   \
    do {                                                                                                               \
        MESSAGE("SKIPPED: " << std::string(reason));                                                                   \
        return;                                                                                                        \
    } while (0)

#ifdef __linux__
#define REQUIRE_NAMESPACE()                                                                                            \
    do {                                                                                                               \
        const auto &ns = ncv::test::enterPrivateNetworkNamespace();                                                    \
        if (!ns.entered)                                                                                               \
            SKIP("needs a private network namespace: " + ns.message);                                                  \
    } while (0)
#endif
