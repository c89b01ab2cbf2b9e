// SPDX-License-Identifier: GPL-2.0-or-later
// A row in the compact form as its difference from another row of its kind: only the
// fields whose compact form differs are written (the recording's events, recordingformat.h,
// against the row their key columns describe). Qt-free, header-only, built on the descriptions of rowfields.h.
#pragma once

#include "platform/rowfields.h"

#include <cstdint>
#include <string>

namespace ncv::platform {

/// The bits (by description index, as FieldMask) of the fields that have a codec: the ones
/// encodeRowDelta() may write.
template<typename Row> consteval std::uint64_t codedFieldBits()
{
    std::uint64_t bits = 0;
    std::size_t i = 0;
    std::apply(
        [&](const auto &...e) {
            ((bits
              |= std::is_same_v<typename std::remove_cvref_t<decltype(e)>::Codec, NoCodec> ? 0 : std::uint64_t(1) << i,
              ++i),
             ...);
        },
        Description<Row>::fields);
    return bits;
}

/// Appends the fields of row whose compact form differs from that of ref: a varint with
/// their bits (description index, as FieldMask), then for each of them in order one byte
/// of its header bits (fields that have some) and its body as encodeRow() writes it. A row
/// equal to ref is one byte. decodeRowDelta() reads it back onto a copy of ref.
template<typename Row> void encodeRowDelta(const Row &row, const Row &ref, std::string &out)
{
    static_assert(fieldCount<Row> <= 64);
    thread_local std::string mine, theirs, bodies;
    std::uint64_t mask = 0;
    bodies.clear();
    fielddetail::forEachIndex<Row>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using C = typename std::remove_cvref_t<decltype(std::get<i>(Description<Row>::fields))>::Codec;
        if constexpr (!std::is_same_v<C, NoCodec>) {
            static_assert(C::bits <= 8, "a field's header bits fit in one byte");
            mine.clear();
            theirs.clear();
            compact::append(mine, C::maxSize(row) + 1, [&](char *p) {
                if constexpr (C::bits > 0)
                    *p++ = char(C::head(row));
                return C::put(p, row);
            });
            compact::append(theirs, C::maxSize(ref) + 1, [&](char *p) {
                if constexpr (C::bits > 0)
                    *p++ = char(C::head(ref));
                return C::put(p, ref);
            });
            if (mine != theirs) {
                mask |= std::uint64_t(1) << i;
                bodies += mine;
            }
        }
    });
    compact::append(out, compact::kMaxVarint, [mask](char *p) { return compact::putVarint(p, mask); });
    out += bodies;
}

/// Reads what encodeRowDelta() wrote onto row, which holds ref (the fields not written keep
/// its values). With a CheckedReader, in.ok tells whether the bytes were well-formed.
template<typename Row, typename In> void decodeRowDelta(In &in, Row &row)
{
    const std::uint64_t mask = in.varint();
    if (In::checked && (mask & ~codedFieldBits<Row>()) != 0) {
        in.fail();
        return;
    }
    fielddetail::forEachIndex<Row>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using C = typename std::remove_cvref_t<decltype(std::get<i>(Description<Row>::fields))>::Codec;
        if constexpr (!std::is_same_v<C, NoCodec>) {
            if (!(mask & (std::uint64_t(1) << i)))
                return;
            std::uint32_t head = 0;
            if constexpr (C::bits > 0) {
                head = in.byte();
                if (In::checked && (head >> C::bits) != 0)
                    in.fail();
            }
            C::get(in, row, head);
        }
    });
}

} // namespace ncv::platform
