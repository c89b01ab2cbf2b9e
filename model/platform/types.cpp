// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/types.h"

#include <chrono>
#include <cstring>

namespace ncv::platform {

bool IpAddress::isUnspecified() const
{
    if (family == Family::Unspec)
        return true;
    for (std::size_t i = 0; i < byteLength(); ++i)
        if (bytes[i] != 0)
            return false;
    return true;
}

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
{
    IpAddress address;
    address.family = Family::IPv4;
    address.bytes[0] = a;
    address.bytes[1] = b;
    address.bytes[2] = c;
    address.bytes[3] = d;
    return address;
}

IpAddress IpAddress::fromBytes(Family family, const void *data, std::size_t len)
{
    IpAddress address;
    const std::size_t want = family == Family::IPv4 ? 4 : family == Family::IPv6 ? 16 : 0;
    if (want == 0 || len < want || !data)
        return address;
    address.family = family;
    std::memcpy(address.bytes.data(), data, want);
    return address;
}

namespace {

bool parseV4(const std::string &text, std::uint8_t out[4])
{
    int part = 0;
    unsigned value = 0;
    int digits = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : '\0';
        if (c >= '0' && c <= '9') {
            value = value * 10 + unsigned(c - '0');
            if (++digits > 3 || value > 255)
                return false;
        } else if (c == '.' || c == '\0') {
            if (digits == 0 || part > 3)
                return false;
            out[part++] = std::uint8_t(value);
            value = 0;
            digits = 0;
        } else {
            return false;
        }
    }
    return part == 4;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool parseV6(const std::string &text, std::uint8_t out[16])
{
    std::uint16_t groups[8] = {};
    int count = 0;
    int gapAt = -1;
    std::size_t i = 0;
    const std::size_t n = text.size();
    if (n == 0)
        return false;
    if (text.compare(0, 2, "::") == 0) {
        gapAt = 0;
        i = 2;
        if (i == n) {
            std::memset(out, 0, 16);
            return true;
        }
    } else if (text[0] == ':') {
        return false;
    }
    while (i < n) {
        // Embedded IPv4 in the last 32 bits.
        const std::size_t nextColon = text.find(':', i);
        const std::string piece = text.substr(i, nextColon == std::string::npos ? std::string::npos : nextColon - i);
        if (piece.find('.') != std::string::npos) {
            if (nextColon != std::string::npos || count > 6)
                return false;
            std::uint8_t v4[4];
            if (!parseV4(piece, v4))
                return false;
            groups[count++] = std::uint16_t((v4[0] << 8) | v4[1]);
            groups[count++] = std::uint16_t((v4[2] << 8) | v4[3]);
            i = n;
            break;
        }
        if (piece.empty() || piece.size() > 4 || count >= 8)
            return false;
        unsigned value = 0;
        for (char c : piece) {
            const int h = hexValue(c);
            if (h < 0)
                return false;
            value = value * 16 + unsigned(h);
        }
        groups[count++] = std::uint16_t(value);
        i += piece.size();
        if (i == n)
            break;
        // at ':'
        ++i;
        if (i < n && text[i] == ':') {
            if (gapAt >= 0)
                return false;
            gapAt = count;
            ++i;
            if (i == n)
                break;
        } else if (i == n) {
            return false; // trailing single ':'
        }
    }
    std::uint16_t full[8] = {};
    if (gapAt >= 0) {
        if (count > 7)
            return false;
        const int tail = count - gapAt;
        for (int k = 0; k < gapAt; ++k)
            full[k] = groups[k];
        for (int k = 0; k < tail; ++k)
            full[8 - tail + k] = groups[gapAt + k];
    } else {
        if (count != 8)
            return false;
        for (int k = 0; k < 8; ++k)
            full[k] = groups[k];
    }
    for (int k = 0; k < 8; ++k) {
        out[2 * k] = std::uint8_t(full[k] >> 8);
        out[2 * k + 1] = std::uint8_t(full[k] & 0xff);
    }
    return true;
}

} // namespace

IpAddress IpAddress::parse(const std::string &text)
{
    IpAddress address;
    if (text.find(':') != std::string::npos) {
        if (parseV6(text, address.bytes.data()))
            address.family = Family::IPv6;
        else
            address.bytes = {};
    } else if (parseV4(text, address.bytes.data())) {
        address.family = Family::IPv4;
    } else {
        address.bytes = {};
    }
    return address;
}

std::int64_t nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

ObjectKind objectKindOf(const Row &row)
{
    switch (row.index()) {
    case 1: return ObjectKind::Interface;
    case 2: return ObjectKind::Address;
    case 3: return ObjectKind::Route;
    case 4: return ObjectKind::Entity;
    case 5: return ObjectKind::Neighbor;
    case 6: return ObjectKind::Rule;
    case 7: return ObjectKind::Nexthop;
    default: return ObjectKind::None;
    }
}
static_assert(std::variant_size_v<Row> == 8, "objectKindOf() names every Row alternative");

Family rowFamily(const Row &row)
{
    if (const auto *i = std::get_if<InterfaceRow>(&row))
        return i->family;
    if (const auto *a = std::get_if<AddressRow>(&row))
        return a->address.family;
    if (const auto *r = std::get_if<RouteRow>(&row))
        return r->family();
    if (const auto *n = std::get_if<NeighborRow>(&row))
        return n->address.family;
    if (const auto *u = std::get_if<RuleRow>(&row))
        return u->family;
    if (const auto *h = std::get_if<NexthopRow>(&row))
        return h->family;
    return Family::Unspec;
}

} // namespace ncv::platform
