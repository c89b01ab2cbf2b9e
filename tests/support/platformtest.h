// SPDX-License-Identifier: GPL-2.0-or-later
// The harness of the Qt-free platform tests: doctest (Debian's doctest-dev, header-only, so
// the tests also build with MinGW-w64 and run under Wine, where there is no Qt). The main()
// is in support/doctestmain.cpp. SKIP(reason) ends the current case with a message, for the
// checks that need a system they do not have (doctest has no run-time skip).
#pragma once

#include <doctest.h>

#include <string>

#define SKIP(reason)                                                                                                   \
    do {                                                                                                               \
        MESSAGE("SKIPPED: " << std::string(reason));                                                                   \
        return;                                                                                                        \
    } while (0)
