// SPDX-License-Identifier: GPL-2.0-or-later
// main() of every platform test: doctest's own (filters, --success, -tc=name...).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest.h>
