// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/eventcodec.h"

#include "platform/rowfields.h"

#include <algorithm>

namespace ncv::eventcodec {

using namespace platform;

namespace {

using Reader = compact::CheckedReader;

/// Set in the origin byte when the requester and port id varints follow the family byte
/// (records without them, and format 1 recordings, lack the bit).
constexpr unsigned kHasRequester = 0x80;
/// Set in the origin byte when the namespace varint follows (ChangeRecord::netns != 0):
/// records of the program's own namespace, the only one watched by default, are as long
/// as before.
constexpr unsigned kHasNetns = 0x20;

std::size_t maxRowSize(const Row &row)
{
    return 1
        + std::visit(
               [](const auto &r) -> std::size_t {
                   if constexpr (std::is_same_v<std::remove_cvref_t<decltype(r)>, std::monostate>)
                       return 0;
                   else
                       return maxEncodedSize(r);
               },
               row);
}

char *putRow(char *p, const Row &row)
{
    *p++ = char(row.index());
    return std::visit(
        [p](const auto &r) {
            if constexpr (std::is_same_v<std::remove_cvref_t<decltype(r)>, std::monostate>)
                return p;
            else
                return encodeRow(r, p);
        },
        row);
}

/// Decodes into the row already held when it is of the same type (its vectors and strings
/// keep their capacity), else into a new one.
template<typename R> void readInto(Reader &in, Row &row)
{
    if (auto *held = std::get_if<R>(&row))
        decodeRow(in, *held);
    else
        decodeRow(in, row.emplace<R>());
}

void readRow(Reader &in, Row &row)
{
    const bool known = withRowIndex(in.byte(), [&](auto type) {
        using R = typename decltype(type)::type;
        if constexpr (std::is_same_v<R, std::monostate>)
            row = std::monostate {};
        else
            readInto<R>(in, row);
    });
    if (!known)
        in.fail();
}

// In the origin byte: a sub-microsecond time follows the family byte (before the requester).
constexpr unsigned kSubUsFlag = 0x40;

Reader reader(const char *data, const char *end)
{
    return Reader {reinterpret_cast<const std::uint8_t *>(data), reinterpret_cast<const std::uint8_t *>(end)};
}

} // namespace

void encode(const ChangeRecord &r, std::string &out)
{
    const bool requester = r.requester != 0 || r.portId != 0;
    const std::size_t max = 4 + 5 * compact::kMaxVarint + maxRowSize(r.before) + maxRowSize(r.after)
        + ValueCodec<std::string>::maxSize(r.note) + compact::kMaxVarint;
    compact::append(out, max, [&r, requester](char *p) {
        *p++ = char(r.object);
        *p++ = char(r.change);
        // Sub-microsecond time and requester: flags in the origin byte, varints after the
        // family. Records without them (microsecond sources, dump rows) are as long as before.
        *p++ = char(unsigned(r.origin) | (r.timeSubUsNs != 0 ? kSubUsFlag : 0u) | (requester ? kHasRequester : 0u)
                    | (r.netns != 0 ? kHasNetns : 0u));
        *p++ = char(r.family);
        if (r.timeSubUsNs != 0)
            p = compact::putVarint(p, r.timeSubUsNs);
        if (requester) {
            p = compact::putVarint(p, r.requester);
            p = compact::putVarint(p, r.portId);
        }
        if (r.netns != 0)
            p = compact::putVarint(p, r.netns);
        p = compact::putVarint(p, r.changedFields);
        p = putRow(p, r.before);
        p = putRow(p, r.after);
        p = ValueCodec<std::string>::put(p, r.note);
        if (r.object == ObjectKind::Nsid)
            p = compact::putVarint(p, std::uint32_t(r.nsid));
        return p;
    });
}

const char *decode(const char *data, const char *end, ChangeRecord *r)
{
    Reader in = reader(data, end);
    r->object = ObjectKind(in.byte());
    r->change = ChangeKind(in.byte());
    const unsigned origin = in.byte();
    r->origin = Origin(origin & ~(kSubUsFlag | kHasRequester | kHasNetns));
    r->family = Family(in.byte());
    r->timeSubUsNs = (origin & kSubUsFlag) != 0 ? std::uint16_t(std::min<std::uint64_t>(in.varint(), 999)) : 0;
    r->requester = 0;
    r->portId = 0;
    if (origin & kHasRequester) {
        r->requester = std::uint32_t(in.varint());
        r->portId = std::uint32_t(in.varint());
    }
    r->netns = (origin & kHasNetns) != 0 ? std::uint32_t(in.varint()) : 0;
    r->changedFields = FieldMask(in.varint());
    readRow(in, r->before);
    if (in.ok)
        readRow(in, r->after);
    if (in.ok)
        ValueCodec<std::string>::get(in, r->note, 0);
    r->nsid = -1;
    if (in.ok && r->object == ObjectKind::Nsid)
        r->nsid = std::int32_t(std::uint32_t(in.varint()));
    return in.ok ? reinterpret_cast<const char *>(in.p) : nullptr;
}

bool peekHead(const char *data, const char *end, Head *out)
{
    Reader in = reader(data, end);
    out->object = ObjectKind(in.byte());
    out->change = ChangeKind(in.byte());
    const unsigned origin = in.byte();
    in.byte(); // family
    if (origin & kSubUsFlag)
        in.varint();
    out->requester = 0;
    if (origin & kHasRequester) {
        out->requester = std::uint32_t(in.varint());
        in.varint(); // portId
    }
    out->netns = (origin & kHasNetns) != 0 ? std::uint32_t(in.varint()) : 0;
    return in.ok;
}

const char *peek(const char *data, const char *end, Peek *out)
{
    thread_local ChangeRecord scratch;
    const char *next = decode(data, end, &scratch);
    out->object = scratch.object;
    out->change = scratch.change;
    out->ifIndex = next ? rowIfIndex(scratch.row()) : 0;
    out->netns = next ? scratch.netns : 0;
    out->requester = next ? scratch.requester : 0;
    return next;
}

} // namespace ncv::eventcodec
