// SPDX-License-Identifier: GPL-2.0-or-later
// Random rows for round-trip tests, made from the row descriptions (rowfields.h): every
// member with an entry gets a random value of its type, so a new field is covered without
// touching the tests. Values are canonical where the compact form is: address bytes past
// the family's length and MAC bytes past macLength are zero. Qt-free.
#pragma once

#include "platform/rowfields.h"

#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace ncvtest {

using Random = std::mt19937_64;

inline void randomValue(Random &g, ncv::platform::IpAddress &a)
{
    a = {};
    a.family = ncv::platform::Family(g() % 3);
    for (std::size_t i = 0; i < a.byteLength(); ++i)
        a.bytes[i] = std::uint8_t(g());
}
inline void randomValue(Random &g, std::string &s)
{
    s.resize(g() % 24);
    for (char &c : s)
        c = char(g()); // any bytes: the codec does not care about UTF-8
}
inline void randomValue(Random &g, std::vector<ncv::platform::NextHop> &hops)
{
    hops.resize(g() % 4);
    for (ncv::platform::NextHop &hop : hops) {
        randomValue(g, hop.gateway);
        hop.ifIndex = std::uint32_t(g());
        hop.weight = g() % 2 ? 1 : std::uint16_t(g()); // 1 has a shorter form
    }
}
inline void randomValue(Random &g, std::vector<ncv::platform::NexthopGroupMember> &group)
{
    group.resize(g() % 4);
    for (ncv::platform::NexthopGroupMember &m : group) {
        m.id = std::uint32_t(g());
        m.weight = g() % 2 ? 1 : std::uint32_t(g() % 65536 + 1); // 1..65536, as nexthop_grp holds them
    }
}
template<std::size_t N> void randomValue(Random &g, std::array<std::uint8_t, N> &bytes)
{
    for (std::uint8_t &b : bytes)
        b = std::uint8_t(g());
}
inline void randomValue(Random &g, ncv::platform::Family &f)
{
    f = ncv::platform::Family(g() % 3);
}
inline void randomValue(Random &g, ncv::platform::ProtocolSpace &s)
{
    s = ncv::platform::ProtocolSpace(g() % 2);
}
template<typename T> void randomValue(Random &g, T &v)
{
    if constexpr (std::is_same_v<T, bool>) {
        v = g() % 2;
    } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
        // Zero and all ones now and then (none, forever), small numbers often (one-byte
        // varints, named values), any value else.
        const std::uint64_t pick = g() % 8;
        const std::uint64_t raw = pick == 0 ? 0 : pick == 1 ? ~std::uint64_t(0) : pick < 5 ? g() % 300 : g();
        v = T(raw);
    } else {
        static_assert(sizeof(T) == 0, "give randomValue() an overload for this member type");
    }
}

/// A row with every described member random.
template<typename Row> Row randomRow(Random &g)
{
    Row row;
    std::apply(
        [&](const auto &...e) {
            (
                [&](const auto &entry) {
                    using E = std::remove_cvref_t<decltype(entry)>;
                    if constexpr (E::isMember)
                        randomValue(g, row.*(E::member));
                }(e),
                ...);
        },
        ncv::platform::Description<Row>::fields);
    if constexpr (std::is_same_v<Row, ncv::platform::InterfaceRow>) {
        for (std::size_t i = std::min<std::size_t>(row.macLength, row.mac.size()); i < row.mac.size(); ++i)
            row.mac[i] = 0;
    }
    if constexpr (std::is_same_v<Row, ncv::platform::NeighborRow>) {
        for (std::size_t i = std::min<std::size_t>(row.lladdrLength, row.lladdr.size()); i < row.lladdr.size(); ++i)
            row.lladdr[i] = 0;
    }
    return row;
}

/// Name of the first described member that differs between a and b, "" when none does.
template<typename Row> std::string firstDifference(const Row &a, const Row &b)
{
    std::string name;
    std::apply(
        [&](const auto &...e) {
            (
                [&](const auto &entry) {
                    using E = std::remove_cvref_t<decltype(entry)>;
                    if constexpr (E::isMember) {
                        if (name.empty() && !(a.*(E::member) == b.*(E::member)))
                            name = std::string(entry.info.name);
                    }
                }(e),
                ...);
        },
        ncv::platform::Description<Row>::fields);
    return name;
}

} // namespace ncvtest
