// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/rowkey.h"

#include "platform/rowfields.h"

#include <cstring>

namespace ncv {

namespace {

class KeyBuilder {
public:
    explicit KeyBuilder(std::uint8_t tag) { put(&tag, 1); }
    void put(const void *data, std::size_t len)
    {
        std::memcpy(m_key.bytes.data() + m_key.length, data, len);
        m_key.length = std::uint8_t(m_key.length + len);
    }
    template<typename T> void value(T v) { put(&v, sizeof v); }
    void address(const platform::IpAddress &a)
    {
        value(std::uint8_t(a.family));
        put(a.bytes.data(), a.byteLength());
    }
    RowKey key() const { return m_key; }

private:
    RowKey m_key;
};

} // namespace

std::size_t RowKeyHash::operator()(const RowKey &key) const noexcept
{
    // FNV-1a over the used bytes.
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < key.length; ++i) {
        h ^= key.bytes[i];
        h *= 1099511628211ull;
    }
    return std::size_t(h ^ (h >> 32));
}

RowKey rowKey(const platform::InterfaceRow &row)
{
    KeyBuilder b(1);
    b.value(row.ifIndex);
    b.value(row.luid);
    b.value(std::uint8_t(row.family));
    return b.key();
}

RowKey rowKey(const platform::AddressRow &row)
{
    KeyBuilder b(2);
    b.value(row.ifIndex);
    b.value(row.luid);
    b.address(row.address);
    b.value(row.prefixLength);
    return b.key();
}

RowKey rowKey(const platform::RouteRow &row)
{
    // 1 + 17 + 1 + 1 + 4 + 4 + 8 + 4 + 17 = 57 bytes at most.
    KeyBuilder b(3);
    b.address(row.destination);
    b.value(row.prefixLength);
    b.value(row.tos);
    b.value(row.table);
    b.value(row.metric);
    b.value(row.luid);
    // Both schemes identify a single-path route by its next hop too (Windows always; Linux
    // because the kernel keeps fe80::/64 once per device and `ip route append` adds more).
    if (row.nextHops.size() == 1) {
        b.value(row.nextHops.front().ifIndex);
        b.address(row.nextHops.front().gateway);
    }
    return b.key();
}

RowKey rowKey(const platform::NeighborRow &row)
{
    KeyBuilder b(5);
    b.value(row.ifIndex);
    b.value(row.luid);
    b.address(row.address);
    b.value(std::uint8_t(row.isProxy() ? 1 : 0));
    return b.key();
}

RowKey rowKey(const platform::NexthopRow &row)
{
    KeyBuilder b(7);
    b.value(row.id);
    return b.key();
}

RowKey rowKey(const platform::RuleRow &row)
{
    // Every field is the rule's identity: its compact form, which is lossless, when it
    // fits; else (long interface names, IPv6 prefixes) the family, the priority and two
    // independent 64-bit hashes of it.
    std::string encoded;
    platform::encodeRow(row, encoded);
    if (encoded.size() + 1 <= RowKey {}.bytes.size()) {
        KeyBuilder b(6);
        b.put(encoded.data(), encoded.size());
        return b.key();
    }
    std::uint64_t fnv = 1469598103934665603ull, mix = 0x9E3779B97F4A7C15ull;
    for (const char c : encoded) {
        fnv = (fnv ^ std::uint8_t(c)) * 1099511628211ull;
        mix = (mix ^ std::uint8_t(c)) * 0xBF58476D1CE4E5B9ull;
        mix ^= mix >> 31;
    }
    KeyBuilder b(7);
    b.value(std::uint8_t(row.family));
    b.value(row.priority);
    b.value(fnv);
    b.value(mix);
    return b.key();
}

RowKey rowKey(const platform::EntityRow &row)
{
    KeyBuilder b(4);
    b.value(std::uint8_t(row.protocolSpace));
    b.value(row.protocol);
    return b.key();
}

} // namespace ncv
