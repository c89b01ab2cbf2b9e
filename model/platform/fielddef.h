// SPDX-License-Identifier: GPL-2.0-or-later
// The machinery behind rowfields.h, where every field of every row type is described
// once. Qt-free and header-only: the descriptions are constexpr tuples, so the loops over
// them (encode, decode, diff) unroll at compile time into the code one would write by hand.
//
// A field entry says:
//   name     the standard term ("metric", "operstate"): details panel, changed_fields, diff
//   source   where the value comes from ("RTA_PRIORITY, u32 / MIB_IPFORWARD_ROW2.Metric")
//   codec    how the member is written into the compact byte form (ValueCodec below) shared
//            by the event history and PackedRouteTable; derived entries (a table column
//            computed from other members) have none
//   text     how it is written as text (details panel, diff, attribute line, CSV), and
//            optionally another text for the table cell and for the diff
//   compare  the table's sort order (and sortKey, the 64-bit key of 1M-row sorts)
//   reads    the fields the table cell is made from (the member itself by default): a
//            filter scan decodes only those (locateFields / decodeFields below)
//   flags    shown in the details panel, tracked by diff(), a table column, ...
// The bit of a field in ChangeRecord::changedFields is its position in its row type's list.
#pragma once

#include "platform/types.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ncv::platform {

// ---------------------------------------------------------------------------------------
// Compact byte form: a row is [header bytes][each coded field's body, in description order].
// Fields of a few bits (families, booleans, ProtocolSpace) go into the header, least
// significant bits first; unsigned integers are LEB128 varints (u8: one raw byte), signed
// ones zigzag varints, addresses their real length (4 / 16 / 0 bytes; the family is in the
// header), strings a varint length and their bytes.
namespace compact {

/// Writers get a pointer into a buffer made big enough beforehand (maxSize()) and return
/// the end of what they wrote: no bounds check and no growth per byte.
inline constexpr std::size_t kMaxVarint = 10;
inline char *putVarint(char *p, std::uint64_t v)
{
    while (v >= 0x80) {
        *p++ = char(std::uint8_t(v) | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}
inline char *putBytes(char *p, const void *data, std::size_t n)
{
    std::memcpy(p, data, n);
    return p + n;
}
/// Appends up to max bytes to out through write(char *) -> end.
template<typename F> void append(std::string &out, std::size_t max, F write)
{
    const std::size_t at = out.size();
    out.resize(at + max);
    char *end = write(out.data() + at);
    out.resize(std::size_t(end - out.data()));
}
inline std::uint64_t zigzag(std::int64_t v)
{
    return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v)
{
    return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
}

/// Reads the compact form. Checked: every read is bounds-checked and malformed input sets
/// ok = false (later reads return zeros); for bytes from outside. Trusted: no checks; for
/// bytes this process wrote itself (PackedRouteTable's arena).
template<bool Checked> struct Reader {
    static constexpr bool checked = Checked;
    const std::uint8_t *p = nullptr;
    const std::uint8_t *end = nullptr;
    bool ok = true;

    std::uint8_t byte()
    {
        if constexpr (Checked) {
            if (p >= end) {
                ok = false;
                return 0;
            }
        }
        return *p++;
    }
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if constexpr (Checked) {
                if (p >= end) {
                    ok = false;
                    return 0;
                }
            }
            const std::uint8_t b = *p++;
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        if constexpr (Checked)
            ok = false;
        return v;
    }
    /// The next n bytes, or nullptr (ok = false) when fewer are left.
    const std::uint8_t *take(std::size_t n)
    {
        if constexpr (Checked) {
            if (!ok || n > std::size_t(end - p)) {
                ok = false;
                return nullptr;
            }
        }
        const std::uint8_t *at = p;
        p += n;
        return at;
    }
    /// A count of items of at least one byte each (more than the bytes left fails).
    std::size_t count()
    {
        const std::uint64_t n = varint();
        if constexpr (Checked) {
            if (!ok || n > std::uint64_t(end - p)) {
                ok = false;
                return 0;
            }
        }
        return std::size_t(n);
    }
    void fail() { ok = false; }
};
using CheckedReader = Reader<true>;
using TrustedReader = Reader<false>;

/// Trusted reads without a Reader (bytes this process wrote): the end of the varint at p.
inline const std::uint8_t *skipVarint(const std::uint8_t *p)
{
    while (*p++ & 0x80) { }
    return p;
}
/// Reads the varint at p into v; returns its end.
inline const std::uint8_t *readVarint(const std::uint8_t *p, std::uint64_t &v)
{
    v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        const std::uint8_t b = *p++;
        v |= std::uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    return p;
}

} // namespace compact

/// How a value of type T is written in the compact form. `bits` of it go into the row's
/// header (head() gives them, get() receives them back); put() / get() write and read the
/// rest, put() at most maxSize() bytes. A member of a type without a ValueCodec needs an
/// entry with its own codec.
template<typename T> struct ValueCodec;

template<typename T>
requires(std::is_integral_v<T> &&std::is_unsigned_v<T> && !std::is_same_v<T, bool>) struct ValueCodec<T> {
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(T) { return sizeof(T) == 1 ? 1 : compact::kMaxVarint; }
    static char *put(char *p, T v)
    {
        if constexpr (sizeof(T) == 1) {
            *p = char(v);
            return p + 1;
        } else {
            return compact::putVarint(p, v);
        }
    }
    template<typename In> static void get(In &in, T &v, std::uint32_t)
    {
        if constexpr (sizeof(T) == 1)
            v = in.byte();
        else
            v = T(in.varint());
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t)
    {
        return sizeof(T) == 1 ? p + 1 : compact::skipVarint(p);
    }
};

template<> struct ValueCodec<std::int64_t> {
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(std::int64_t) { return compact::kMaxVarint; }
    static char *put(char *p, std::int64_t v) { return compact::putVarint(p, compact::zigzag(v)); }
    template<typename In> static void get(In &in, std::int64_t &v, std::uint32_t)
    {
        v = compact::unzigzag(in.varint());
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t) { return compact::skipVarint(p); }
};

template<> struct ValueCodec<std::int32_t> {
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(std::int32_t) { return compact::kMaxVarint; }
    static char *put(char *p, std::int32_t v) { return compact::putVarint(p, compact::zigzag(v)); }
    template<typename In> static void get(In &in, std::int32_t &v, std::uint32_t)
    {
        v = std::int32_t(compact::unzigzag(in.varint()));
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t) { return compact::skipVarint(p); }
};

template<> struct ValueCodec<bool> {
    static constexpr unsigned bits = 1;
    static std::uint32_t head(bool v) { return v ? 1 : 0; }
    static std::size_t maxSize(bool) { return 0; }
    static char *put(char *p, bool) { return p; }
    template<typename In> static void get(In &, bool &v, std::uint32_t head) { v = head != 0; }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t) { return p; }
};

/// Family::Unspec / IPv4 / IPv6 in two header bits (3 is malformed).
template<> struct ValueCodec<Family> {
    static constexpr unsigned bits = 2;
    static std::uint32_t head(Family v) { return std::uint32_t(v) & 3; }
    static std::size_t maxSize(Family) { return 0; }
    static char *put(char *p, Family) { return p; }
    template<typename In> static void get(In &in, Family &v, std::uint32_t head)
    {
        if (In::checked && head > std::uint32_t(Family::IPv6))
            in.fail();
        v = Family(head);
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t) { return p; }
};

/// ProtocolSpace in one header bit (two spaces exist; a third needs a second bit).
template<> struct ValueCodec<ProtocolSpace> {
    static constexpr unsigned bits = 1;
    static std::uint32_t head(ProtocolSpace v) { return std::uint32_t(v) & 1; }
    static std::size_t maxSize(ProtocolSpace) { return 0; }
    static char *put(char *p, ProtocolSpace) { return p; }
    template<typename In> static void get(In &, ProtocolSpace &v, std::uint32_t head) { v = ProtocolSpace(head); }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t) { return p; }
};

template<> struct ValueCodec<OperState> {
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(OperState) { return 1; }
    static char *put(char *p, OperState v)
    {
        *p = char(v);
        return p + 1;
    }
    template<typename In> static void get(In &in, OperState &v, std::uint32_t) { v = OperState(in.byte()); }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t) { return p + 1; }
};

template<> struct ValueCodec<std::string> {
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(const std::string &v) { return compact::kMaxVarint + v.size(); }
    static char *put(char *p, const std::string &v)
    {
        return compact::putBytes(compact::putVarint(p, v.size()), v.data(), v.size());
    }
    template<typename In> static void get(In &in, std::string &v, std::uint32_t)
    {
        const std::size_t n = in.count();
        if (const std::uint8_t *p = in.take(n))
            v.assign(reinterpret_cast<const char *>(p), n);
        else
            v.clear();
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t)
    {
        std::uint64_t n = 0;
        p = compact::readVarint(p, n);
        return p + n;
    }
};

/// The family in two header bits, then the address at its real length.
template<> struct ValueCodec<IpAddress> {
    static constexpr unsigned bits = 2;
    static std::uint32_t head(const IpAddress &v) { return std::uint32_t(v.family) & 3; }
    static std::size_t maxSize(const IpAddress &) { return 16; }
    static char *put(char *p, const IpAddress &v) { return compact::putBytes(p, v.bytes.data(), v.byteLength()); }
    template<typename In> static void get(In &in, IpAddress &v, std::uint32_t head)
    {
        ValueCodec<Family>::get(in, v.family, head);
        v.bytes = {};
        const std::size_t n = v.byteLength();
        if (const std::uint8_t *p = in.take(n))
            std::memcpy(v.bytes.data(), p, n);
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t head)
    {
        return p + (head == std::uint32_t(Family::IPv4) ? 4 : head == std::uint32_t(Family::IPv6) ? 16 : 0);
    }
};

/// Next hops: varint count, then per hop one byte (gateway family | 0x80 when the weight is
/// 1), the gateway at its real length, varint ifindex, and varint weight unless it is 1.
template<> struct ValueCodec<std::vector<NextHop>> {
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(const std::vector<NextHop> &hops)
    {
        return compact::kMaxVarint + hops.size() * (1 + 16 + 5 + 3);
    }
    static char *put(char *p, const std::vector<NextHop> &hops)
    {
        p = compact::putVarint(p, hops.size());
        for (const NextHop &hop : hops) {
            *p++ = char((unsigned(hop.gateway.family) & 3) | (hop.weight == 1 ? 0x80 : 0));
            p = ValueCodec<IpAddress>::put(p, hop.gateway);
            p = compact::putVarint(p, hop.ifIndex);
            if (hop.weight != 1)
                p = compact::putVarint(p, hop.weight);
        }
        return p;
    }
    template<typename In> static void get(In &in, std::vector<NextHop> &hops, std::uint32_t)
    {
        hops.resize(in.count()); // keeps the vector's capacity
        for (NextHop &hop : hops) {
            const std::uint8_t h = in.byte();
            ValueCodec<IpAddress>::get(in, hop.gateway, h & 3);
            hop.ifIndex = std::uint32_t(in.varint());
            hop.weight = (h & 0x80) ? std::uint16_t(1) : std::uint16_t(in.varint());
            if (In::checked && (h & 0x7c))
                in.fail();
        }
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t)
    {
        std::uint64_t n = 0;
        p = compact::readVarint(p, n);
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint8_t h = *p++;
            p = compact::skipVarint(ValueCodec<IpAddress>::skip(p, h & 3));
            if (!(h & 0x80))
                p = compact::skipVarint(p);
        }
        return p;
    }
};

// ---------------------------------------------------------------------------------------

/// The fixed CSV columns (csvwriter.h) a field can fill; its text goes there.
enum class CsvColumn : std::uint8_t { None = 0, IfIndex, Destination, Gateway, Metric, Protocol, Table };

enum FieldFlag : std::uint32_t {
    InDetails = 1u << 0, ///< a line of the details panel (fieldTexts)
    Tracked = 1u << 1, ///< a difference is a Parameter change (diff() sets its bit)
    InAttributes = 1u << 2, ///< written in the attribute line (details of add / delete records)
    NumberColumn = 1u << 3, ///< a number: right-aligned table column
    InterfaceIndexes = 1u << 4, ///< holds interface indexes: tables show the interfaces' names
    SortByText = 1u << 5, ///< tables sort by the text (names), not by the value
    /// The cell text is a function of the sortKey when that is exact (a filter scan that
    /// meets the same key again, e.g. a shared gateway, reuses its answer).
    TextByKey = 1u << 6,
    /// Free text (an alias): written after the other fields of the attribute line, where
    /// whatever it holds cannot be mistaken for the next field.
    FreeText = 1u << 7,
    /// The cell is "address/prefix length" (appendCidr()) of the two fields it reads, an
    /// IpAddress member then the one-byte member right after it: a filter writes IPv4
    /// cells straight from the compact bytes (columnCidr).
    CidrText = 1u << 8,
    /// A row of our CSV export gives its value (its own column, if_name, family, or what
    /// such a column reads): a recording converted from a CSV export knows this field and
    /// no other (knownFields(), KnownFields::CsvRow).
    InCsvRow = 1u << 9,
};

/// One field of row type Row, as the generic code uses it at run time (by index). Text
/// functions append to out and never allocate beyond out's growth.
template<typename Row> struct FieldInfo {
    using Text = void (*)(std::string &out, const Row &row);
    std::string_view name; ///< the standard term
    std::string_view source; ///< OS origin, type and unit of the value
    std::string_view header; ///< table column title; "" = no column
    std::string_view attr; ///< attribute line: the word before the value ("" = the value alone)
    std::string_view markedBy; ///< space-separated names whose change also marks this column
    /// Every character the table cell can hold, all lower-case ("" = any): filters skip the
    /// column for needles with other characters, and match it without case folding.
    std::string_view charset;
    std::uint32_t flags = InDetails | Tracked;
    CsvColumn csv = CsvColumn::None;
    Text text = nullptr; ///< details panel, attribute line, diff, CSV
    Text cell = nullptr; ///< table cell; nullptr = text
    Text diffText = nullptr; ///< "before -> after" of diff details; nullptr = text
    /// The text in the texts written as `ip` writes them (the attribute line, the CSV
    /// cells) when it names an interface, as `ip` does ("dev veth0"): ifName is the name of
    /// the row's interface (rowIfIndex()) where the writer knows it, "" or a placeholder
    /// with a space ("if 3") where not. nullptr = text.
    void (*namedText)(std::string &out, const Row &row, std::string_view ifName) = nullptr;
    bool (*absent)(const Row &) = nullptr; ///< true: left out of the details panel and attribute line
    bool (*usual)(const Row &) = nullptr; ///< true: left out of the attribute line
    bool (*differs)(const Row &, const Row &) = nullptr; ///< Tracked: what counts as a change
    int (*compare)(const Row &, const Row &) = nullptr; ///< sort order; nullptr = by text
    std::uint64_t (*sortKey)(const Row &, bool &exact) = nullptr; ///< consistent with compare
    /// When the cell text depends only on a value 0..255 of the row: that value, else -1;
    /// smallText gives the cell text of such a value (a filter then answers once per value).
    int (*small)(const Row &) = nullptr;
    void (*smallText)(std::string &out, unsigned value) = nullptr;
    /// small() never gives -1 (a one-byte member): a filter that no value's text matches
    /// can leave the field out.
    bool smallAlways = false;
    /// InterfaceIndexes: up to max interface indexes into out; returns how many the row has.
    std::size_t (*ifIndexes)(const Row &, std::uint32_t *out, std::size_t max) = nullptr;
    /// The fields (space-separated names of entries with a codec) whose values the cell
    /// text, small() and ifIndexes() read; "*" = any member. A filter decodes just these
    /// and reuses its answer while their bytes repeat (columnReads, decodeFields).
    std::string_view reads = "*";

    bool has(std::uint32_t flag) const { return (flags & flag) != 0; }
};

namespace fielddetail {

template<typename> struct MemberOf;
template<typename C, typename T> struct MemberOf<T C::*> {
    using Class = C;
    using Type = T;
};

template<typename T> int cmp(const T &a, const T &b)
{
    return a < b ? -1 : b < a ? 1 : 0;
}

void appendUnsigned(std::string &out, std::uint64_t v);
void appendSigned(std::string &out, std::int64_t v);

/// Decimal texts of 0..255 ("0".."255"), each padded to 4 bytes: IPv4 addresses are
/// written a million times in a filter pass or an export.
struct OctetTexts {
    std::array<std::array<char, 4>, 256> text {};
    std::array<std::uint8_t, 256> length {};
    constexpr OctetTexts()
    {
        for (unsigned v = 0; v < 256; ++v) {
            unsigned n = 0;
            if (v >= 100)
                text[v][n++] = char('0' + v / 100);
            if (v >= 10)
                text[v][n++] = char('0' + v / 10 % 10);
            text[v][n++] = char('0' + v % 10);
            length[v] = std::uint8_t(n);
        }
    }
};
inline constexpr OctetTexts kOctetTexts;
/// Writes the decimal text of v at p (4 bytes written, room for them needed); returns the end.
inline char *writeOctet(char *p, std::uint8_t v)
{
    std::memcpy(p, kOctetTexts.text[v].data(), 4);
    return p + kOctetTexts.length[v];
}
/// Writes the dotted quad of the 4 bytes at a (16 bytes written: room for them needed);
/// returns the end of its 7-15 characters.
inline char *writeIpv4(char *p, const std::uint8_t *a)
{
    p = writeOctet(p, a[0]);
    *p++ = '.';
    p = writeOctet(p, a[1]);
    *p++ = '.';
    p = writeOctet(p, a[2]);
    *p++ = '.';
    return writeOctet(p, a[3]);
}
void appendAddress(std::string &out, const IpAddress &a); ///< toString(a), "" for Unspec
void appendCidr(std::string &out, const IpAddress &a, unsigned prefixLength); ///< toCidr()
int compareAddress(const IpAddress &a, const IpAddress &b);
/// Family in bits 48..55, the first 6 address bytes in bits 0..47: the order of
/// compareAddress(), exact when the address has at most 6 bytes (IPv4).
std::uint64_t addressBits(const IpAddress &a, bool &exact);

/// Functions made from a member pointer M: the defaults of field<M>().
template<auto M> struct Ops {
    using Row = typename MemberOf<decltype(M)>::Class;
    using T = typename MemberOf<decltype(M)>::Type;
    static constexpr bool unsignedNumber = std::is_integral_v<T> && std::is_unsigned_v<T> && !std::is_same_v<T, bool>;

    static void text(std::string &out, const Row &r)
    {
        const T &v = r.*M;
        if constexpr (std::is_same_v<T, bool>)
            out += v ? "yes" : "no";
        else if constexpr (unsignedNumber)
            appendUnsigned(out, v);
        else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::int32_t>)
            appendSigned(out, v);
        else if constexpr (std::is_enum_v<T>)
            appendUnsigned(out, std::uint64_t(v));
        else if constexpr (std::is_same_v<T, std::string>)
            out += v;
        else if constexpr (std::is_same_v<T, IpAddress>)
            appendAddress(out, v);
        else
            static_assert(sizeof(T) == 0, "give this field a text");
    }
    /// Numbers, "" for 0.
    static void nonZero(std::string &out, const Row &r)
    {
        if (r.*M != 0)
            appendUnsigned(out, r.*M);
    }
    template<auto Fn> static void named(std::string &out, const Row &r) { out += Fn(r.*M); }
    template<const auto &Table> static void tabled(std::string &out, const Row &r)
    {
        smallTabled<Table>(out, unsigned(r.*M));
    }
    static bool differs(const Row &a, const Row &b) { return !(a.*M == b.*M); }
    static bool isZero(const Row &r) { return r.*M == T {}; }
    static int compare(const Row &a, const Row &b)
    {
        if constexpr (std::is_same_v<T, IpAddress>)
            return compareAddress(a.*M, b.*M);
        else
            return cmp(a.*M, b.*M);
    }
    static std::uint64_t valueKey(const Row &r, bool &exact)
    {
        if constexpr (std::is_same_v<T, IpAddress>) {
            return addressBits(r.*M, exact);
        } else {
            exact = true;
            return std::uint64_t(r.*M);
        }
    }
    static int small(const Row &r)
    {
        if constexpr (sizeof(T) == 1)
            return int(std::uint8_t(r.*M));
        else
            return r.*M <= 255 ? int(r.*M) : -1;
    }
    // The texts of small values, as text(), named<Fn>, tabled<Table>, nonZero write them.
    static void smallNumber(std::string &out, unsigned v) { appendUnsigned(out, v); }
    static void smallNonZero(std::string &out, unsigned v)
    {
        if (v != 0)
            appendUnsigned(out, v);
    }
    template<auto Fn> static void smallNamed(std::string &out, unsigned v) { out += Fn(T(v)); }
    template<const auto &Table> static void smallTabled(std::string &out, unsigned v)
    {
        if (const auto *named = Table.find(v))
            out += named->name;
        else
            appendUnsigned(out, v);
    }
};

} // namespace fielddetail

/// Compact-form codec of a member: its ValueCodec.
template<auto M> struct MemberCodec {
    using Row = typename fielddetail::MemberOf<decltype(M)>::Class;
    using T = typename fielddetail::MemberOf<decltype(M)>::Type;
    static constexpr unsigned bits = ValueCodec<T>::bits;
    static std::uint32_t head(const Row &r)
    {
        if constexpr (bits > 0)
            return ValueCodec<T>::head(r.*M);
        else
            return 0;
    }
    static std::size_t maxSize(const Row &r) { return ValueCodec<T>::maxSize(r.*M); }
    static char *put(char *p, const Row &r) { return ValueCodec<T>::put(p, r.*M); }
    template<typename In> static void get(In &in, Row &r, std::uint32_t head) { ValueCodec<T>::get(in, r.*M, head); }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t head) { return ValueCodec<T>::skip(p, head); }
};

/// No bytes: derived entries, and members written by another entry's codec.
struct NoCodec {
    static constexpr unsigned bits = 0;
    template<typename Row> static std::uint32_t head(const Row &) { return 0; }
    template<typename Row> static std::size_t maxSize(const Row &) { return 0; }
    template<typename Row> static char *put(char *p, const Row &) { return p; }
    template<typename In, typename Row> static void get(In &, Row &, std::uint32_t) { }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t) { return p; }
};

/// Names of some values of a number ("low", "medium", "high"; "" shows a value as nothing);
/// other values show as numbers.
struct ValueName {
    std::uint32_t value;
    std::string_view name;
};
template<std::size_t N> struct NameTable {
    std::array<ValueName, N> names;
    /// The entry of value, nullptr when the table does not name it.
    constexpr const ValueName *find(std::uint32_t value) const
    {
        for (const ValueName &n : names)
            if (n.value == value)
                return &n;
        return nullptr;
    }
};
template<typename... V> NameTable(V...) -> NameTable<sizeof...(V)>;

/// One entry of a description: FieldInfo plus, in its type, the member and its codec.
/// The builder calls return a changed copy, so an entry reads as one expression:
///   field<&RouteRow::metric>("metric", "RTA_PRIORITY, u32").column("Metric").attr("metric")
template<typename Row, typename C, auto M = nullptr> struct FieldEntry {
    using RowType = Row;
    using Codec = C;
    static constexpr bool isMember = !std::is_same_v<decltype(M), std::nullptr_t>;
    static constexpr auto member = M; ///< the member pointer (nullptr for derived entries)
    FieldInfo<Row> info;

    /// A column of the row type's table, titled header.
    constexpr FieldEntry column(std::string_view header) const
    {
        return with([&](auto &i) { i.header = header; });
    }
    /// A right-aligned number column.
    constexpr FieldEntry numberColumn(std::string_view header) const
    {
        return with([&](auto &i) {
            i.header = header;
            i.flags |= NumberColumn;
        });
    }
    /// Part of the object's identity (a different value is another object): not diffed.
    constexpr FieldEntry key() const
    {
        return with([](auto &i) { i.flags &= ~std::uint32_t(Tracked); });
    }
    /// Shown, but a change of it alone is no Parameter change.
    constexpr FieldEntry untracked() const { return key(); }
    /// Neither shown in the details panel nor diffed (raw values, absolute times).
    constexpr FieldEntry hidden() const
    {
        return with([](auto &i) { i.flags &= ~std::uint32_t(InDetails | Tracked); });
    }
    /// Written in the attribute line, after word (none: the value alone). Fields with an
    /// empty text are left out.
    constexpr FieldEntry attr(std::string_view word = {}) const
    {
        return with([&](auto &i) {
            i.flags |= InAttributes;
            i.attr = word;
        });
    }
    /// Written in a fixed CSV column (and so known from a CSV row: InCsvRow).
    constexpr FieldEntry csv(CsvColumn column) const
    {
        return with([&](auto &i) {
            i.csv = column;
            i.flags |= InCsvRow;
        });
    }
    /// Known from a CSV row without a column of its own (see InCsvRow).
    constexpr FieldEntry inCsvRow() const
    {
        return with([](auto &i) { i.flags |= InCsvRow; });
    }
    constexpr FieldEntry markedBy(std::string_view names) const
    {
        return with([&](auto &i) { i.markedBy = names; });
    }
    constexpr FieldEntry charset(std::string_view chars) const
    {
        return with([&](auto &i) { i.charset = chars; });
    }
    constexpr FieldEntry sortByText() const
    {
        return with([](auto &i) { i.flags |= SortByText; });
    }
    /// The cell text depends on the exact sortKey only (see TextByKey); give it after text().
    constexpr FieldEntry textByKey() const
    {
        return with([](auto &i) { i.flags |= TextByKey; });
    }
    constexpr FieldEntry flags(std::uint32_t add) const
    {
        return with([&](auto &i) { i.flags |= add; });
    }

    /// The text (it may depend on other members: the per-value shortcut `small`, the
    /// charset and reads are dropped; give them again after this call where they hold).
    constexpr FieldEntry text(typename FieldInfo<Row>::Text fn) const
    {
        return with([&](auto &i) {
            i.text = fn;
            i.small = nullptr;
            i.smallText = nullptr;
            i.smallAlways = false;
            i.charset = {};
            i.reads = "*";
            i.flags &= ~std::uint32_t(TextByKey);
        });
    }
    /// Another text for the table cell (drops `small`, the charset and reads as text() does).
    constexpr FieldEntry cell(typename FieldInfo<Row>::Text fn) const
    {
        return with([&](auto &i) {
            i.cell = fn;
            i.small = nullptr;
            i.smallText = nullptr;
            i.smallAlways = false;
            i.charset = {};
            i.reads = "*";
            i.flags &= ~std::uint32_t(TextByKey);
        });
    }
    constexpr FieldEntry diffText(typename FieldInfo<Row>::Text fn) const
    {
        return with([&](auto &i) { i.diffText = fn; });
    }
    /// The text with the row's interface by name (FieldInfo::namedText).
    constexpr FieldEntry namedText(void (*fn)(std::string &, const Row &, std::string_view)) const
    {
        return with([&](auto &i) { i.namedText = fn; });
    }
    constexpr FieldEntry absentWhen(bool (*fn)(const Row &)) const
    {
        return with([&](auto &i) { i.absent = fn; });
    }
    constexpr FieldEntry usualWhen(bool (*fn)(const Row &)) const
    {
        return with([&](auto &i) { i.usual = fn; });
    }
    constexpr FieldEntry differs(bool (*fn)(const Row &, const Row &)) const
    {
        return with([&](auto &i) { i.differs = fn; });
    }
    constexpr FieldEntry compare(int (*fn)(const Row &, const Row &)) const
    {
        return with([&](auto &i) { i.compare = fn; });
    }
    constexpr FieldEntry sortKey(std::uint64_t (*fn)(const Row &, bool &)) const
    {
        return with([&](auto &i) { i.sortKey = fn; });
    }
    /// The cell text depends on value(row) when it is 0..255 only; text(out, value) writes it.
    constexpr FieldEntry small(int (*value)(const Row &), void (*text)(std::string &, unsigned)) const
    {
        return with([&](auto &i) {
            i.small = value;
            i.smallText = text;
            i.smallAlways = false;
        });
    }
    /// small() never gives -1 (give it after small()).
    constexpr FieldEntry alwaysSmall() const
    {
        return with([](auto &i) { i.smallAlways = true; });
    }
    /// The fields the cell reads (see FieldInfo::reads; give it after text() and cell()).
    constexpr FieldEntry reads(std::string_view names) const
    {
        return with([&](auto &i) { i.reads = names; });
    }
    /// Its value is an interface index (or several): tables show the names.
    constexpr FieldEntry interfaces(std::size_t (*fn)(const Row &, std::uint32_t *, std::size_t)) const
    {
        return with([&](auto &i) {
            i.ifIndexes = fn;
            i.flags |= InterfaceIndexes;
        });
    }

    // Member entries only.
    /// Text Fn(value) (std::string or std::string_view), e.g. scopeName.
    template<auto Fn> constexpr FieldEntry names() const
    {
        return with([](auto &i) {
            i.text = &fielddetail::Ops<M>::template named<Fn>;
            i.smallText = &fielddetail::Ops<M>::template smallNamed<Fn>;
            i.charset = {};
        });
    }
    /// Text from a NameTable; values it does not name show as numbers.
    template<const auto &Table> constexpr FieldEntry nameTable() const
    {
        return with([](auto &i) {
            i.text = &fielddetail::Ops<M>::template tabled<Table>;
            i.smallText = &fielddetail::Ops<M>::template smallTabled<Table>;
            i.charset = {};
        });
    }
    /// The number, "" when 0.
    constexpr FieldEntry nonZero() const
    {
        return with([](auto &i) {
            i.text = &fielddetail::Ops<M>::nonZero;
            i.smallText = &fielddetail::Ops<M>::smallNonZero;
        });
    }
    /// Left out of the details panel and attribute line when 0 / unspecified.
    constexpr FieldEntry absentWhenZero() const
    {
        return with([](auto &i) { i.absent = &fielddetail::Ops<M>::isZero; });
    }
    /// Written by another entry's codec (e.g. a length next to its bytes).
    constexpr FieldEntry<Row, NoCodec, M> codedElsewhere() const { return {info}; }
    template<typename C2> constexpr FieldEntry<Row, C2, M> codec() const { return {info}; }

private:
    template<typename F> constexpr FieldEntry with(F change) const
    {
        FieldEntry copy = *this;
        change(copy.info);
        return copy;
    }
};

/// An entry for member M, with the defaults for its type: text (numbers, yes/no, strings,
/// addresses), value comparison, and != as the change test.
template<auto M> constexpr auto field(std::string_view name, std::string_view source)
{
    using Ops = fielddetail::Ops<M>;
    using T = typename Ops::T;
    FieldEntry<typename Ops::Row, MemberCodec<M>, M> e;
    e.info.name = name;
    e.info.source = source;
    e.info.reads = name; // the default texts read the member alone
    if constexpr (std::is_arithmetic_v<
                      T> || std::is_enum_v<T> || std::is_same_v<T, std::string> || std::is_same_v<T, IpAddress>)
        e.info.text = &Ops::text;
    e.info.differs = &Ops::differs;
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_same_v<T, IpAddress>) {
        e.info.compare = &Ops::compare;
        e.info.sortKey = &Ops::valueKey;
        e.info.flags |= TextByKey;
    }
    if constexpr (Ops::unsignedNumber || std::is_enum_v<T>) {
        e.info.small = &Ops::small;
        e.info.smallText = &Ops::smallNumber;
        e.info.smallAlways = sizeof(T) == 1;
    }
    if constexpr (Ops::unsignedNumber)
        e.info.charset = "0123456789";
    return e;
}

/// An entry computed from other members (a table column, a CSV cell): no codec, not diffed
/// (the members it comes from are).
template<typename Row> constexpr auto derived(std::string_view name, std::string_view source)
{
    FieldEntry<Row, NoCodec> e;
    e.info.name = name;
    e.info.source = source;
    e.info.flags = 0;
    return e;
}

/// The description of a row type: specialised in rowfields.h with
///   static constexpr auto fields = std::tuple {field<...>(...), ...};
template<typename Row> struct Description;

template<typename Row> inline constexpr std::size_t fieldCount = std::tuple_size_v<decltype(Description<Row>::fields)>;

/// The fields of Row as FieldInfo, by index (the bit of a field in changedFields).
template<typename Row>
inline constexpr std::array<FieldInfo<Row>, fieldCount<Row>> fieldInfos
    = std::apply([](const auto &...e) { return std::array<FieldInfo<Row>, fieldCount<Row>> {e.info...}; },
                 Description<Row>::fields);

/// Index of the field called name (a compile-time error when there is none).
template<typename Row> consteval int fieldIndex(std::string_view name)
{
    for (std::size_t i = 0; i < fieldInfos<Row>.size(); ++i)
        if (fieldInfos<Row>[i].name == name)
            return int(i);
    throw "no field of that name";
}
/// The changedFields bit of the field called name.
template<typename Row> consteval FieldMask fieldBit(std::string_view name)
{
    return FieldMask(1) << fieldIndex<Row>(name);
}

/// Number of table columns of Row, and the field shown in each.
template<typename Row>
inline constexpr std::size_t columnCount = [] {
    std::size_t n = 0;
    for (const auto &info : fieldInfos<Row>)
        n += info.header.empty() ? 0 : 1;
    return n;
}();
template<typename Row>
inline constexpr std::array<std::uint8_t, columnCount<Row>> columnFields = [] {
    std::array<std::uint8_t, columnCount<Row>> out {};
    std::size_t c = 0;
    for (std::size_t i = 0; i < fieldInfos<Row>.size(); ++i)
        if (!fieldInfos<Row>[i].header.empty())
            out[c++] = std::uint8_t(i);
    return out;
}();

/// The field bits of a space-separated list of field names of Row (a compile-time error,
/// with why, when a name is no field).
template<typename Row> constexpr FieldMask fieldBitsOf(std::string_view names, const char *why)
{
    FieldMask bits = 0;
    while (!names.empty()) {
        const std::size_t space = names.find(' ');
        const std::string_view name = names.substr(0, space);
        names = space == std::string_view::npos ? std::string_view() : names.substr(space + 1);
        bool found = false;
        for (std::size_t i = 0; i < fieldInfos<Row>.size(); ++i) {
            if (fieldInfos<Row>[i].name == name) {
                bits |= FieldMask(1) << i;
                found = true;
            }
        }
        if (!found)
            throw why;
    }
    return bits;
}

/// Per column, the changedFields bits that mark it: its own field's and those it is markedBy.
template<typename Row>
inline constexpr std::array<FieldMask, columnCount<Row>> columnMarks = [] {
    std::array<FieldMask, columnCount<Row>> out {};
    for (std::size_t c = 0; c < columnFields<Row>.size(); ++c)
        out[c] = (FieldMask(1) << columnFields<Row>[c])
            | fieldBitsOf<Row>(fieldInfos<Row>[columnFields<Row>[c]].markedBy, "markedBy names no field");
    return out;
}();

/// Bits of all fields: FieldInfo::reads "*".
inline constexpr FieldMask kAnyField = ~FieldMask(0);

/// The fields of Row that a row of our CSV export gives (InCsvRow).
template<typename Row>
inline constexpr FieldMask csvRowFields = [] {
    FieldMask out = 0;
    for (std::size_t i = 0; i < fieldInfos<Row>.size(); ++i)
        if (fieldInfos<Row>[i].flags & InCsvRow)
            out |= FieldMask(1) << i;
    return out;
}();

/// Per column, the fields its cell reads (FieldInfo::reads as field bits; kAnyField for "*").
template<typename Row>
inline constexpr std::array<FieldMask, columnCount<Row>> columnReads = [] {
    std::array<FieldMask, columnCount<Row>> out {};
    for (std::size_t c = 0; c < columnFields<Row>.size(); ++c) {
        const std::string_view reads = fieldInfos<Row>[columnFields<Row>[c]].reads;
        out[c] = reads == "*" ? kAnyField : fieldBitsOf<Row>(reads, "reads names no field");
    }
    return out;
}();

namespace fielddetail {
/// What a field's codec writes, for filters that read the compact bytes themselves:
/// 1 an IpAddress member (family in two header bits, then 0, 4 or 16 bytes), 2 a one-byte
/// unsigned member (one byte), 0 anything else.
template<typename E> constexpr int codecShape()
{
    if constexpr (!E::isMember) {
        return 0;
    } else {
        using T = typename MemberOf<std::remove_cv_t<decltype(E::member)>>::Type;
        if constexpr (!std::is_same_v<typename E::Codec, MemberCodec<E::member>>)
            return 0;
        else if constexpr (std::is_same_v<T, IpAddress>)
            return 1;
        else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T> && sizeof(T) == 1 && !std::is_same_v<T, bool>)
            return 2;
        else
            return 0;
    }
}
template<typename Row>
inline constexpr std::array<int, fieldCount<Row>> codecShapes = [] {
    std::array<int, fieldCount<Row>> out {};
    std::size_t i = 0;
    std::apply([&](const auto &...e) { ((out[i++] = codecShape<std::remove_cvref_t<decltype(e)>>()), ...); },
               Description<Row>::fields);
    return out;
}();
} // namespace fielddetail

/// Per column, whether it is a CidrText column (a compile-time error when such a column does
/// not read an IpAddress member and the one-byte member right after it).
template<typename Row>
inline constexpr std::array<bool, columnCount<Row>> columnCidr = [] {
    std::array<bool, columnCount<Row>> out {};
    for (std::size_t c = 0; c < columnFields<Row>.size(); ++c) {
        if (!(fieldInfos<Row>[columnFields<Row>[c]].flags & CidrText))
            continue;
        const FieldMask reads = columnReads<Row>[c];
        const int first = reads == kAnyField || reads == 0 ? -1 : std::countr_zero(reads);
        if (first < 0 || first + 1 >= int(fieldCount<Row>) || reads != (FieldMask(3) << first)
            || fielddetail::codecShapes<Row>[std::size_t(first)] != 1
            || fielddetail::codecShapes<Row>[std::size_t(first) + 1] != 2)
            throw "a CidrText column reads an IpAddress member and the one-byte member after it";
        out[c] = true;
    }
    return out;
}();

/// Table column of the field called name (a compile-time error when it is no column).
template<typename Row> consteval int columnOf(std::string_view name)
{
    const int field = fieldIndex<Row>(name);
    for (std::size_t c = 0; c < columnFields<Row>.size(); ++c)
        if (columnFields<Row>[c] == field)
            return int(c);
    throw "that field is no column";
}

namespace fielddetail {

template<typename Row, typename F> void forEachEntry(F &&f)
{
    std::apply([&](const auto &...e) { (f(e), ...); }, Description<Row>::fields);
}
/// Calls f(std::integral_constant<std::size_t, I>) for each field index I.
template<typename Row, typename F> void forEachIndex(F &&f)
{
    [&]<std::size_t... I>(std::index_sequence<I...>)
    {
        (f(std::integral_constant<std::size_t, I> {}), ...);
    }
    (std::make_index_sequence<fieldCount<Row>> {});
}

/// How many members an aggregate has (the most initializers T{...} accepts).
struct AnyValue {
    template<typename T> operator T() const;
};
template<typename T, typename... A> consteval std::size_t aggregateMembers()
{
    if constexpr (requires { T {std::declval<A>()..., std::declval<AnyValue>()}; })
        return aggregateMembers<T, A..., AnyValue>();
    else
        return sizeof...(A);
}
template<typename Row> consteval std::size_t describedMembers()
{
    std::size_t n = 0;
    std::apply([&](const auto &...e) { ((n += std::remove_cvref_t<decltype(e)>::isMember ? 1 : 0), ...); },
               Description<Row>::fields);
    return n;
}
template<typename Row> consteval unsigned headerBits()
{
    unsigned n = 0;
    std::apply([&](const auto &...e) { ((n += std::remove_cvref_t<decltype(e)>::Codec::bits), ...); },
               Description<Row>::fields);
    return n;
}

} // namespace fielddetail

/// True when every member of Row has an entry (checked by static_assert in rowfields.h).
template<typename Row>
inline constexpr bool everyMemberDescribed
    = fielddetail::aggregateMembers<Row>() == fielddetail::describedMembers<Row>();

/// Most bytes encodeRow() writes for row.
template<typename Row> std::size_t maxEncodedSize(const Row &row)
{
    std::size_t n = (fielddetail::headerBits<Row>() + 7) / 8;
    fielddetail::forEachEntry<Row>([&](const auto &e) {
        using C = typename std::remove_cvref_t<decltype(e)>::Codec;
        n += C::maxSize(row);
    });
    return n;
}

/// Writes row in the compact form at p (room for maxEncodedSize(row) bytes); returns the end.
template<typename Row> char *encodeRow(const Row &row, char *p)
{
    constexpr unsigned bits = fielddetail::headerBits<Row>();
    static_assert(bits <= 32);
    if constexpr (bits > 0) {
        std::uint32_t head = 0;
        unsigned shift = 0;
        fielddetail::forEachEntry<Row>([&](const auto &e) {
            using C = typename std::remove_cvref_t<decltype(e)>::Codec;
            if constexpr (C::bits > 0) {
                head |= C::head(row) << shift;
                shift += C::bits;
            }
        });
        for (unsigned i = 0; i < (bits + 7) / 8; ++i)
            *p++ = char(std::uint8_t(head >> (8 * i)));
    }
    fielddetail::forEachEntry<Row>([&](const auto &e) {
        using C = typename std::remove_cvref_t<decltype(e)>::Codec;
        p = C::put(p, row);
    });
    return p;
}

/// Appends row in the compact form.
template<typename Row> void encodeRow(const Row &row, std::string &out)
{
    compact::append(out, maxEncodedSize(row), [&](char *p) { return encodeRow(row, p); });
}

/// Reads one row written by encodeRow() into row (every member; vectors keep their capacity).
/// With a CheckedReader, in.ok tells whether the bytes were well-formed.
template<typename Row, typename In> void decodeRow(In &input, Row &row)
{
    // A local copy: the row's byte members may alias anything, so stores to them would
    // otherwise make the compiler write the read position back to memory after each field.
    // Member by member: a whole-struct copy loads what the caller has just stored field by
    // field in one vector load, which stalls (store forwarding).
    In in;
    in.p = input.p;
    in.end = input.end;
    in.ok = input.ok;
    constexpr unsigned bits = fielddetail::headerBits<Row>();
    std::uint32_t head = 0;
    if constexpr (bits > 0) {
        for (unsigned i = 0; i < (bits + 7) / 8; ++i)
            head |= std::uint32_t(in.byte()) << (8 * i);
        if (In::checked && bits < 32 && (head >> bits) != 0)
            in.fail();
    }
    unsigned shift = 0;
    fielddetail::forEachEntry<Row>([&](const auto &e) {
        using C = typename std::remove_cvref_t<decltype(e)>::Codec;
        if constexpr (C::bits > 0) {
            C::get(in, row, (head >> shift) & ((std::uint32_t(1) << C::bits) - 1));
            shift += C::bits;
        } else {
            C::get(in, row, 0);
        }
    });
    input.p = in.p;
    input.ok = in.ok;
}

/// Where the fields of one compact record lie (trusted bytes, e.g. a PackedRows record):
/// the header, and where each field's bytes start; field i is [at[i], at[i + 1]) (empty
/// for fields without a codec and those wholly in the header). locateFields() fills it,
/// decodeFields() decodes some fields from it.
template<typename Row> struct FieldLayout {
    std::uint32_t head;
    std::array<const std::uint8_t *, fieldCount<Row> + 1> at; // left uninitialised: set by locateFields()
};

namespace fielddetail {
/// Per field: its first header bit and its header bit mask (at that position).
template<typename Row>
inline constexpr std::array<std::uint32_t, fieldCount<Row>> headShifts = [] {
    std::array<std::uint32_t, fieldCount<Row>> out {};
    unsigned shift = 0, i = 0;
    std::apply(
        [&](const auto &...e) { ((out[i++] = shift, shift += std::remove_cvref_t<decltype(e)>::Codec::bits), ...); },
        Description<Row>::fields);
    return out;
}();
template<typename Row>
inline constexpr std::array<std::uint32_t, fieldCount<Row>> headMasks = [] {
    std::array<std::uint32_t, fieldCount<Row>> out {};
    unsigned i = 0;
    std::apply(
        [&](const auto &...e) {
            ((out[i] = ((std::uint32_t(1) << std::remove_cvref_t<decltype(e)>::Codec::bits) - 1) << headShifts<Row>[i],
              ++i),
             ...);
        },
        Description<Row>::fields);
    return out;
}();
template<typename Row, std::size_t I> void decodeOne(const FieldLayout<Row> &layout, Row &row)
{
    using C = typename std::remove_cvref_t<decltype(std::get<I>(Description<Row>::fields))>::Codec;
    compact::TrustedReader in {layout.at[I], nullptr};
    C::get(in, row, (layout.head & headMasks<Row>[I]) >> headShifts<Row>[I]);
}
template<typename Row> inline constexpr auto decoders = []<std::size_t... I>(std::index_sequence<I...>)
{
    return std::array<void (*)(const FieldLayout<Row> &, Row &), sizeof...(I)> {&decodeOne<Row, I>...};
}
(std::make_index_sequence<fieldCount<Row>> {});
} // namespace fielddetail

/// Header bits of the fields in mask.
template<typename Row> constexpr std::uint32_t headBitsOf(FieldMask mask)
{
    std::uint32_t bits = 0;
    for (std::size_t i = 0; i < fieldCount<Row>; ++i)
        if (mask & (FieldMask(1) << i))
            bits |= fielddetail::headMasks<Row>[i];
    return bits;
}

/// Finds the fields [0, count) of the record body at p (written by encodeRow(); trusted):
/// sets layout.head and layout.at[0..count] (where field count starts; the end for all).
template<typename Row>
void locateFields(const std::uint8_t *p, FieldLayout<Row> &layout, std::size_t count = fieldCount<Row>)
{
    constexpr unsigned bits = fielddetail::headerBits<Row>();
    std::uint32_t head = 0;
    for (unsigned i = 0; i < (bits + 7) / 8; ++i)
        head |= std::uint32_t(*p++) << (8 * i);
    layout.head = head;
    count = std::min(count, fieldCount<Row>);
    if (count > 0) {
        // One step per field, until field count (&& stops the fold).
        [&]<std::size_t... I>(std::index_sequence<I...>)
        {
            ([&] {
                using C = typename std::remove_cvref_t<decltype(std::get<I>(Description<Row>::fields))>::Codec;
                layout.at[I] = p;
                p = C::skip(p, (head & fielddetail::headMasks<Row>[I]) >> fielddetail::headShifts<Row>[I]);
                return I + 1 < count;
            }()
             && ...);
        }
        (std::make_index_sequence<fieldCount<Row>> {});
    }
    layout.at[count] = p;
}

/// Decodes the fields in mask (located by locateFields()) into row; other members keep
/// their values.
template<typename Row> void decodeFields(const FieldLayout<Row> &layout, FieldMask mask, Row &row)
{
    while (mask) {
        const unsigned i = unsigned(std::countr_zero(mask));
        mask &= mask - 1;
        fielddetail::decoders<Row>[i](layout, row);
    }
}

/// The changedFields bits of the Tracked fields that differ from before to after.
template<typename Row> FieldMask diffRows(const Row &before, const Row &after)
{
    FieldMask mask = 0;
    fielddetail::forEachIndex<Row>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        constexpr const FieldInfo<Row> &info = std::get<i>(Description<Row>::fields).info;
        if constexpr ((info.flags & Tracked) != 0) {
            constexpr auto differs = info.differs; // a constant: called directly, inlined
            if (differs(before, after))
                mask |= FieldMask(1) << i;
        }
    });
    return mask;
}

} // namespace ncv::platform
