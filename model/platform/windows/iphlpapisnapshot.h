// SPDX-License-Identifier: GPL-2.0-or-later
// Table snapshots for the Windows backend (GetIfTable2 + GetIpInterfaceTable merged by
// LUID, GetUnicastIpAddressTable, GetIpForwardTable2, GetIpNetTable2) and the polling diffs
// used when notifications are not available (and always for neighbors: no Notify call). Qt-free; runs on the caller's
// or the dispatcher thread.
#pragma once

#include "platform/source.h"
#include "platform/statestore.h"
#include "platform/windows/iphlpapifunctions.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ncv::platform::win {

struct SnapshotInfo {
    /// GetIpInterfaceTable returned ERROR_NOT_SUPPORTED (Wine 8): interfaces come from
    /// GetIfTable2 alone, one row per LUID with Family::Unspec and MIB_IF_ROW2.Mtu.
    bool interfacesFromIfTableOnly = false;
    /// The neighbor tables GetIpNetTable2 does not have (ERROR_INVALID_FUNCTION or
    /// ERROR_NOT_SUPPORTED for a family: Wine 8's AF_INET6), as Status messages joined by
    /// "; "; those families have no neighbors. Empty when every table was read.
    std::string neighborsUnavailable;
};

/// Reads the tables for the requested objects (ObjectMask bits) and family
/// (AF_INET / AF_INET6 / AF_UNSPEC). Interfaces: one row per (LUID, family) from
/// GetIpInterfaceTable merged with the MIB_IF_ROW2 of the same LUID (name, alias, type,
/// oper status, MAC), or one row per LUID from GetIfTable2 when GetIpInterfaceTable is
/// not supported. ERROR_NOT_FOUND from a table call means "no entries".
/// Errors: a Status from statusFromWin32 naming the failing call.
Status readSnapshot(const IphlpApiFunctions &api, std::uint32_t objects, int addressFamily, std::int64_t timeUs,
                    Snapshot *out, SnapshotInfo *info = nullptr);

/// The polling diff: makes store equal to next and appends one Origin::Inferred record
/// per difference (Add / Parameter with changedFields / Delete) that passes the
/// registration's object mask and family.
void pollingDiff(StateStore &store, const Snapshot &next, std::int64_t timeUs, std::uint32_t objects, Family family,
                 std::vector<ChangeRecord> &out);

/// The neighbor poll of a registration whose other objects come from notifications: makes
/// the store's neighbors (of family, Unspec = both) equal to next (GetIpNetTable2's rows),
/// appending one Origin::Inferred Add / Parameter / Delete record per difference. The
/// store's interfaces, addresses and routes are not touched.
void neighborPollingDiff(StateStore &store, const std::vector<NeighborRow> &next, std::int64_t timeUs, Family family,
                         std::vector<ChangeRecord> &out);

} // namespace ncv::platform::win
