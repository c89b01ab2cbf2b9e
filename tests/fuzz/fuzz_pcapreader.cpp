// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the nlmon capture reader (PcapReader, with libpcap under it and the
// classifier, state store and silent deletions it drives) on arbitrary bytes given as a
// file (fmemopen). Each delivered record goes through the text forms, which must be valid
// UTF-8; the counts must add up. Seeds: pcap and pcapng captures of real kernel messages
// (veth / address / route / link down changes in a private namespace, tst_pcapreader).
#include "platform/format.h"
#include "platform/linux/pcapreader.h"
#include "platform/textescape.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace ncv::platform;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    (void)PcapReader::captureFormat(data, size);
    if (size == 0)
        return 0; // fmemopen refuses an empty buffer
    std::FILE *f = fmemopen(const_cast<std::uint8_t *>(data), size, "rb");
    if (!f)
        return 0;
    std::uint64_t records = 0;
    PcapReader reader([&](std::span<const ChangeRecord> batch) {
        for (const ChangeRecord &r : batch) {
            const std::string text = summary(r) + '|' + details(r);
            if (!isValidUtf8(text))
                std::abort();
            records += r.change != ChangeKind::SnapshotComplete;
        }
    });
    std::string error;
    const bool ok = reader.readStream(f, &error);
    const PcapStats &s = reader.stats();
    if ((!ok && error.empty()) || s.records != records || s.routePackets > s.packets
        || s.requests + s.dumpMessages + s.laterDumpMessages + s.eventMessages > s.messages)
        std::abort();
    (void)s.untrackedSummary();
    (void)s.otherFamiliesSummary();
    return 0;
}
