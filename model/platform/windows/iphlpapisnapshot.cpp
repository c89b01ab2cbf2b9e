// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/windows/iphlpapisnapshot.h"

#include "platform/windows/iphlpapiconvert.h"
#include "platform/windows/win32status.h"

#include <set>
#include <unordered_map>

namespace ncv::platform::win {

namespace {

// Frees a MIB table with FreeMibTable when it goes out of scope.
template<typename T> class MibTable {
public:
    explicit MibTable(const IphlpApiFunctions &api) : m_api(api) { }
    ~MibTable()
    {
        if (m_table && m_api.freeMibTable)
            m_api.freeMibTable(m_table);
    }
    MibTable(const MibTable &) = delete;
    MibTable &operator=(const MibTable &) = delete;
    T **out() { return &m_table; }
    T *get() const { return m_table; }

private:
    const IphlpApiFunctions &m_api;
    T *m_table = nullptr;
};

Status missing(const char *call)
{
    return Status::failure(Error::NotSupported, std::string(call) + ": not available");
}

} // namespace

Status readSnapshot(const IphlpApiFunctions &api, std::uint32_t objects, int addressFamily, std::int64_t timeUs,
                    Snapshot *out, SnapshotInfo *info)
{
    if (!out)
        return Status::failure(Error::InvalidParameter, "readSnapshot: null output");
    Family family;
    if (!familyFromAf(addressFamily, &family))
        return Status::failure(Error::InvalidParameter,
                               "readSnapshot: address family " + std::to_string(addressFamily)
                                   + " is not AF_INET, AF_INET6 or AF_UNSPEC");
    *out = Snapshot {};
    SnapshotInfo localInfo;
    const auto af = static_cast<ADDRESS_FAMILY>(addressFamily);

    if (objects & InterfacesMask) {
        if (!api.getIfTable2)
            return missing("GetIfTable2");
        MibTable<MIB_IF_TABLE2> ifTable(api);
        if (DWORD rc = api.getIfTable2(ifTable.out()); rc != NO_ERROR && rc != ERROR_NOT_FOUND)
            return statusFromWin32("GetIfTable2", rc);
        std::unordered_map<std::uint64_t, InterfaceRow> byLuid;
        std::vector<std::uint64_t> order;
        for (ULONG i = 0; ifTable.get() && i < ifTable.get()->NumEntries; ++i) {
            InterfaceRow row = interfaceFromIfRow(ifTable.get()->Table[i]);
            if (byLuid.emplace(row.luid, row).second)
                order.push_back(row.luid);
        }

        MibTable<MIB_IPINTERFACE_TABLE> ipTable(api);
        const DWORD rc = api.getIpInterfaceTable ? api.getIpInterfaceTable(af, ipTable.out()) : ERROR_NOT_SUPPORTED;
        if (rc == ERROR_NOT_SUPPORTED) {
            localInfo.interfacesFromIfTableOnly = true;
            for (std::uint64_t luid : order)
                out->interfaces.push_back(byLuid[luid]);
        } else if (rc != NO_ERROR && rc != ERROR_NOT_FOUND) {
            return statusFromWin32("GetIpInterfaceTable", rc);
        } else {
            for (ULONG i = 0; ipTable.get() && i < ipTable.get()->NumEntries; ++i) {
                const MIB_IPINTERFACE_ROW &ipRow = ipTable.get()->Table[i];
                auto it = byLuid.find(ipRow.InterfaceLuid.Value);
                out->interfaces.push_back(mergeIpInterface(it != byLuid.end() ? it->second : InterfaceRow {}, ipRow));
            }
        }
    }

    if (objects & AddressesMask) {
        if (!api.getUnicastIpAddressTable)
            return missing("GetUnicastIpAddressTable");
        MibTable<MIB_UNICASTIPADDRESS_TABLE> table(api);
        if (DWORD rc = api.getUnicastIpAddressTable(af, table.out()); rc != NO_ERROR && rc != ERROR_NOT_FOUND)
            return statusFromWin32("GetUnicastIpAddressTable", rc);
        for (ULONG i = 0; table.get() && i < table.get()->NumEntries; ++i)
            out->addresses.push_back(addressFromMib(table.get()->Table[i], timeUs));
    }

    if (objects & RoutesMask) {
        if (!api.getIpForwardTable2)
            return missing("GetIpForwardTable2");
        MibTable<MIB_IPFORWARD_TABLE2> table(api);
        if (DWORD rc = api.getIpForwardTable2(af, table.out()); rc != NO_ERROR && rc != ERROR_NOT_FOUND)
            return statusFromWin32("GetIpForwardTable2", rc);
        for (ULONG i = 0; table.get() && i < table.get()->NumEntries; ++i)
            out->routes.push_back(routeFromMib(table.get()->Table[i], timeUs));
    }

    if (objects & NeighborsMask) {
        if (!api.getIpNetTable2)
            return missing("GetIpNetTable2");
        // Family by family: AF_UNSPEC fails as a whole where one family's table is missing
        // (Wine 8 answers ERROR_INVALID_FUNCTION for AF_INET6, and for AF_UNSPEC after
        // filling in the IPv4 rows), and one missing table should not hide the other.
        std::vector<ADDRESS_FAMILY> families;
        if (af == AF_UNSPEC)
            families = {AF_INET, AF_INET6};
        else
            families = {af};
        for (const ADDRESS_FAMILY f : families) {
            MibTable<MIB_IPNET_TABLE2> table(api);
            const DWORD rc = api.getIpNetTable2(f, table.out());
            const char *call = f == AF_INET ? "GetIpNetTable2(AF_INET)" : "GetIpNetTable2(AF_INET6)";
            if (rc == ERROR_INVALID_FUNCTION || rc == ERROR_NOT_SUPPORTED) {
                if (!localInfo.neighborsUnavailable.empty())
                    localInfo.neighborsUnavailable += "; ";
                localInfo.neighborsUnavailable += statusFromWin32(call, rc).message;
                continue;
            }
            if (rc != NO_ERROR && rc != ERROR_NOT_FOUND)
                return statusFromWin32(call, rc);
            for (ULONG i = 0; rc == NO_ERROR && table.get() && i < table.get()->NumEntries; ++i)
                out->neighbors.push_back(neighborFromMib(table.get()->Table[i]));
        }
    }

    if (info)
        *info = localInfo;
    return Status::success();
}

void pollingDiff(StateStore &store, const Snapshot &next, std::int64_t timeUs, std::uint32_t objects, Family family,
                 std::vector<ChangeRecord> &out)
{
    std::vector<ChangeRecord> all;
    store.reconcile(next, timeUs, Origin::Inferred, all);
    for (ChangeRecord &record : all) {
        if (matchesFilter(record, objects, family))
            out.push_back(std::move(record));
    }
}

void neighborPollingDiff(StateStore &store, const std::vector<NeighborRow> &next, std::int64_t timeUs, Family family,
                         std::vector<ChangeRecord> &out)
{
    std::set<std::string> listed;
    ChangeRecord record;
    for (const NeighborRow &row : next) {
        if (family != Family::Unspec && row.address.family != family)
            continue;
        listed.insert(store.key(row));
        if (store.upsert(row, timeUs, Origin::Inferred, &record))
            out.push_back(std::move(record));
    }
    std::vector<NeighborRow> gone;
    store.image(NeighborsMask, family).forEach({}, {}, {}, [&](const NeighborRow &held) {
        if (!listed.count(store.key(held)))
            gone.push_back(held);
    });
    for (const NeighborRow &row : gone) {
        if (store.remove(row, timeUs, Origin::Inferred, &record))
            out.push_back(std::move(record));
    }
}

} // namespace ncv::platform::win
