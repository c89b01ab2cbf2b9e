// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the rtnetlink decoder on arbitrary bytes. The input is treated as one
// received datagram and walked exactly as RtnetlinkSource's reader thread walks one
// (messageOk / nextMessage); each decoded row goes through a StateStore and the
// EntityTracker, and every resulting record through the text forms, which must be valid
// UTF-8. Also decodes the whole input with the bounds-checking decode(data, len) entry
// point.
#include "platform/entitytracker.h"
#include "platform/format.h"
#include "platform/linux/decoder.h"
#include "platform/rowfields.h"
#include "platform/statestore.h"
#include "platform/textescape.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace ncv::platform;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // The reader's receive buffer is aligned; so is this copy.
    std::vector<std::uint32_t> buffer((size + 3) / 4 + 1);
    if (size)
        std::memcpy(buffer.data(), data, size);
    constexpr std::int64_t now = 1'700'000'000'000'000;
    netlink::DecodedMessage decoded;
    (void)netlink::decode(buffer.data(), size, now, decoded);

    StateStore store;
    EntityTracker entities;
    std::vector<ChangeRecord> records;
    std::size_t len = size;
    const auto *msg = reinterpret_cast<const nlmsghdr *>(buffer.data());
    for (; netlink::messageOk(msg, len); msg = netlink::nextMessage(msg, len)) {
        if (msg->nlmsg_type == RTM_NEWNEXTHOP || msg->nlmsg_type == RTM_DELNEXTHOP) {
            std::uint32_t id = 0;
            std::string reason;
            if (netlink::decodeNexthopId(msg, id, reason) == netlink::DecodeStatus::Ok)
                (void)store.anyRoute([id](const RouteRow &row) { return row.nhId == id; });
            // and on to the whole object (decode() below)
        }
        if (netlink::decode(msg, now, decoded) != netlink::DecodeStatus::Ok)
            continue;
        ChangeRecord record;
        bool produced = false;
        switch (decoded.object) {
        case ObjectKind::Interface:
            produced = decoded.isDelete ? store.remove(decoded.interface, now, Origin::Observed, &record)
                                        : store.upsert(decoded.interface, now, Origin::Observed, &record);
            break;
        case ObjectKind::Address:
            produced = decoded.isDelete ? store.remove(decoded.address, now, Origin::Observed, &record)
                                        : store.upsert(decoded.address, now, Origin::Observed, &record);
            (void)store.addressesOn(decoded.address.ifIndex, Family::IPv4);
            break;
        case ObjectKind::Route:
            produced = decoded.isDelete ? store.remove(decoded.route, now, Origin::Observed, &record)
                                        : store.upsert(decoded.route, now, Origin::Observed, &record,
                                                       (decoded.nlmsgFlags & NLM_F_REPLACE) != 0);
            (void)store.anyRoute(
                [&decoded](const RouteRow &row) { return row.outIfIndex() == decoded.route.outIfIndex(); });
            break;
        case ObjectKind::Nexthop:
            produced = decoded.isDelete ? store.remove(decoded.nexthop, now, Origin::Observed, &record)
                                        : store.upsert(decoded.nexthop, now, Origin::Observed, &record);
            (void)store.findNexthop(decoded.nexthop.id);
            break;
        case ObjectKind::Nsid:
            // No state: the record itself, whose texts are checked below like the others.
            if (decoded.nsid < 0)
                std::abort(); // the decoder refuses negative ids
            record.object = ObjectKind::Nsid;
            record.change = decoded.isDelete ? ChangeKind::Delete : ChangeKind::Add;
            record.nsid = decoded.nsid;
            produced = true;
            break;
        default: break;
        }
        if (produced)
            entities.process(std::move(record), records);
    }
    // A resync against an empty dump deletes everything held.
    store.reconcile({}, now + 1, Origin::Inferred, records);
    // Every text form is valid UTF-8, whatever bytes the names and aliases held.
    const auto utf8 = [](const std::string &text) {
        if (!isValidUtf8(text))
            std::abort();
    };
    for (const ChangeRecord &r : records) {
        utf8(summary(r, "if"));
        utf8(details(r));
        for (const auto &[name, value] : fieldTexts(r.row()))
            utf8(value);
        utf8(keyText(r.row()));
    }
    return 0;
}
