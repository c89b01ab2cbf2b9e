// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_bench hot N [R]: see hotpaths.cpp.
#pragma once

#include <QString>

/// part: "" for all, else store, codec, csv, table or filter.
int benchHotPaths(qint64 n, int repeats, const QString &part = {});
