// SPDX-License-Identifier: GPL-2.0-or-later
// Row factories shared by the model tests (Qt-free values).
#pragma once

#include "platform/types.h"

#include <string>

namespace ncvtest {

using namespace ncv::platform;

inline InterfaceRow iface(std::uint32_t ifIndex, const std::string &name, std::uint32_t mtu = 1500)
{
    InterfaceRow r;
    r.ifIndex = ifIndex;
    r.name = name;
    r.kind = "veth";
    r.operState = OperState::Up;
    r.adminUp = true;
    r.carrier = true;
    r.mtu = mtu;
    r.macLength = 6;
    r.mac = {0x02, 0x00, 0x00, 0x00, 0x00, std::uint8_t(ifIndex)};
    return r;
}

inline AddressRow address(std::uint32_t ifIndex, const char *addr, std::uint8_t plen)
{
    AddressRow r;
    r.ifIndex = ifIndex;
    r.address = IpAddress::parse(addr);
    r.prefixLength = plen;
    r.flags = AddrPermanent;
    return r;
}

inline RouteRow route(const std::string &dst, std::uint8_t plen, const char *gateway, std::uint32_t oif,
                      std::uint32_t metric = 0, std::uint32_t table = 254)
{
    RouteRow r;
    r.destination = IpAddress::parse(dst);
    r.prefixLength = plen;
    r.protocol = 4; // static
    r.table = table;
    r.metric = metric;
    NextHop hop;
    if (gateway)
        hop.gateway = IpAddress::parse(gateway);
    hop.ifIndex = oif;
    r.nextHops.push_back(hop);
    return r;
}

/// 10.<i/256>.<i%256>.0/24 via 192.0.2.1 dev 1
inline RouteRow numberedRoute(int i, const char *gateway = "192.0.2.1", std::uint32_t metric = 0)
{
    return route("10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0", 24, gateway, 1, metric);
}

} // namespace ncvtest
