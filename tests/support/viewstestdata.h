// SPDX-License-Identifier: GPL-2.0-or-later
// Realistic rows for the views tests and the screenshot program: a loopback, two
// ethernet-like interfaces, a veth pair end, their addresses and IPv4 / IPv6 routes.
#pragma once

#include "platform/types.h"
#include "support/manualsource.h"

#include <string>

namespace ncv::testdata {

using namespace ncv::platform;

inline InterfaceRow interfaceRow(std::uint32_t index, const std::string &name, const std::string &kind,
                                 std::uint32_t mtu, bool up = true)
{
    InterfaceRow r;
    r.ifIndex = index;
    r.name = name;
    r.kind = kind;
    r.mtu = mtu;
    r.adminUp = up;
    r.carrier = up;
    r.operState = up ? OperState::Up : OperState::Down;
    if (kind != "loopback") {
        r.macLength = 6;
        const std::uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, std::uint8_t(index)};
        std::copy(mac, mac + 6, r.mac.begin());
    }
    r.linkType = kind == "loopback" ? 772 : 1;
    return r;
}

inline AddressRow addressRow(std::uint32_t index, const std::string &address, std::uint8_t plen, std::uint8_t scope = 0,
                             std::uint32_t flags = AddrPermanent)
{
    AddressRow r;
    r.ifIndex = index;
    r.address = IpAddress::parse(address);
    r.prefixLength = plen;
    r.scope = scope;
    r.flags = flags;
    return r;
}

inline RouteRow routeRow(const std::string &destination, std::uint8_t plen, const std::string &gateway,
                         std::uint32_t ifIndex, std::uint32_t metric, std::uint8_t protocol = 4 /* static */,
                         std::uint32_t table = 254, std::uint8_t scope = 0)
{
    RouteRow r;
    r.destination = IpAddress::parse(destination);
    r.prefixLength = plen;
    r.protocol = protocol;
    r.table = table;
    r.metric = metric;
    r.scope = scope;
    NextHop hop;
    if (!gateway.empty())
        hop.gateway = IpAddress::parse(gateway);
    hop.ifIndex = ifIndex;
    r.nextHops.push_back(hop);
    return r;
}

/// Fills a source with a small machine: 4 interfaces, 7 addresses, 5 IPv4 + 4 IPv6 routes.
inline void populate(ManualSource &source)
{
    source.upsert(interfaceRow(1, "lo", "loopback", 65536));
    source.upsert(interfaceRow(2, "eth0", "ether", 1500));
    source.upsert(interfaceRow(3, "wlan0", "ether", 1500, false));
    source.upsert(interfaceRow(4, "veth-lab0", "veth", 1500));

    source.upsert(addressRow(1, "127.0.0.1", 8, 254));
    source.upsert(addressRow(1, "::1", 128, 254));
    source.upsert(addressRow(2, "192.168.1.20", 24));
    source.upsert(addressRow(2, "2001:db8:1::20", 64));
    source.upsert(addressRow(2, "fe80::5054:ff:fe12:3402", 64, 253));
    source.upsert(addressRow(4, "10.1.0.1", 24));
    source.upsert(addressRow(4, "fd00:1::1", 64));

    source.upsert(routeRow("0.0.0.0", 0, "192.168.1.1", 2, 100, 16 /* dhcp */));
    source.upsert(routeRow("192.168.1.0", 24, "", 2, 100, 2 /* kernel */, 254, 253));
    source.upsert(routeRow("10.1.0.0", 24, "", 4, 20, 2, 254, 253));
    source.upsert(routeRow("10.1.0.0", 16, "10.1.0.254", 4, 1024));
    source.upsert(routeRow("198.51.100.0", 24, "192.168.1.254", 2, 300));
    source.upsert(routeRow("::", 0, "fe80::1", 2, 1024, 9 /* ra */));
    source.upsert(routeRow("2001:db8:1::", 64, "", 2, 256, 2));
    source.upsert(routeRow("fd00:1::", 64, "", 4, 256, 2));
    source.upsert(routeRow("fe80::", 64, "", 2, 256, 2));
}

inline constexpr int kInterfaces = 4;
inline constexpr int kAddresses = 7;
inline constexpr int kIPv4Addresses = 3;
inline constexpr int kRoutes = 9;
inline constexpr int kIPv4Routes = 5;
inline constexpr int kIPv6Routes = 4;

} // namespace ncv::testdata
