// SPDX-License-Identifier: GPL-2.0-or-later
// PackedRows<Row> (the live tables' row storage): random rows of every row type decode
// back equal after appends, rewrites at the same and at other lengths, erased ranges,
// compaction and swap, checked against a plain vector of the same rows; an IPv4 route
// takes a few dozen bytes.
#include "platform/packedrows.h"
#include "support/platformtest.h"
#include "support/randomrows.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace ncv::platform;
using namespace ncvtest;

namespace {

template<typename Row> void checkEqual(const PackedRows<Row> &packed, const std::vector<Row> &rows, const char *when)
{
    REQUIRE_EQ(packed.size(), rows.size());
    Row back;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        packed.decode(i, back);
        const std::string difference = firstDifference(rows[i], back);
        if (!difference.empty()) {
            FAIL_CHECK((std::string(when) + ": row " + std::to_string(i) + " differs in " + difference));
            return;
        }
    }
    std::size_t visited = 0;
    packed.forEach([&](std::size_t i, const Row &row) {
        CHECK_EQ(i, visited++);
        CHECK_EQ(firstDifference(rows[i], row), std::string());
    });
    CHECK_EQ(visited, rows.size());
}

template<typename Row> void checkSequence(std::uint64_t seed)
{
    Random g(seed);
    PackedRows<Row> packed;
    std::vector<Row> rows;
    for (int i = 0; i < 3000; ++i) {
        rows.push_back(randomRow<Row>(g));
        packed.push_back(rows.back());
    }
    checkEqual(packed, rows, "appended");

    // Rewrites: the same row again (same length, in place) and random rows (other lengths
    // move to the arena's end and leave dead bytes).
    for (std::size_t i = 0; i < rows.size(); i += 3)
        packed.assign(i, rows[i]);
    checkEqual(packed, rows, "rewritten in place");
    CHECK_EQ(packed.deadBytes(), 0u);
    for (std::size_t i = 0; i < rows.size(); i += 2) {
        rows[i] = randomRow<Row>(g);
        packed.assign(i, rows[i]);
    }
    checkEqual(packed, rows, "rewritten");

    // Erased ranges, last first as the sweep erases them, and some at the front.
    for (std::size_t first : {2500u, 1700u, 900u, 0u}) {
        const std::size_t last = first + 1 + g() % 200;
        packed.erase(first, last);
        rows.erase(rows.begin() + std::ptrdiff_t(first), rows.begin() + std::ptrdiff_t(last));
    }
    checkEqual(packed, rows, "after erase");

    // Compaction keeps every row and drops the dead bytes.
    packed.compact();
    CHECK_EQ(packed.deadBytes(), 0u);
    checkEqual(packed, rows, "compacted");

    // Churn: rewrites at other lengths until the arena compacts itself.
    for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            rows[i] = randomRow<Row>(g);
            packed.assign(i, rows[i]);
        }
        CHECK_LE(packed.deadBytes(), std::max<std::size_t>(packed.liveBytes(), std::size_t(256) << 10));
    }
    checkEqual(packed, rows, "after churn");

    // A whole state swapped in at once.
    PackedRows<Row> other;
    std::vector<Row> otherRows;
    for (int i = 0; i < 10; ++i) {
        otherRows.push_back(randomRow<Row>(g));
        other.push_back(otherRows.back());
    }
    packed.swap(other);
    checkEqual(packed, otherRows, "swapped in");
    checkEqual(other, rows, "swapped out");

    // Erasing every row frees the arena.
    other.erase(0, other.size());
    CHECK(other.empty());
    CHECK_EQ(other.liveBytes(), 0u);
    other.push_back(rows.front());
    CHECK_EQ(firstDifference(other.at(0), rows.front()), std::string());
}

} // namespace

TEST_CASE("random_rows_decode_back_equal")
{
    checkSequence<InterfaceRow>(11);
    checkSequence<AddressRow>(12);
    checkSequence<RouteRow>(13);
    checkSequence<EntityRow>(14);
}

TEST_CASE("an_ipv4_route_takes_a_few_dozen_bytes")
{
    PackedRows<RouteRow> packed;
    constexpr std::uint32_t n = 100'000;
    for (std::uint32_t i = 0; i < n; ++i) {
        RouteRow r;
        r.destination.family = Family::IPv4;
        r.destination.bytes = {20, std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i)};
        r.prefixLength = 32;
        r.protocol = 3;
        NextHop hop;
        hop.gateway.family = Family::IPv4;
        hop.gateway.bytes = {10, 9, 0, 2};
        hop.ifIndex = 2;
        r.nextHops.push_back(hop);
        packed.push_back(r);
    }
    const double perRow = double(packed.liveBytes()) / n;
    std::printf("PackedRows: %u IPv4 /32 routes: %.1f bytes per route in records, %.1f held\n", n, perRow,
                double(packed.memoryBytes()) / n);
    CHECK_LT(perRow, 32.0);
    CHECK_LT(double(packed.memoryBytes()) / n, 40.0);
    RouteRow back;
    packed.decode(n - 1, back);
    CHECK_EQ(back.destination.bytes[3], std::uint8_t((n - 1) & 0xFF));
    CHECK_EQ(back.nextHops.size(), 1u);
}
