// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the Windows backend's pure parts, cross-built with MinGW-w64 and run under
// Wine: MIB row conversion (from rows built here and from the real tables), the Win32
// error mapping for every documented code, and the polling diff of two snapshots.
#include "platform/format.h"
#include "platform/rowfields.h"
#include "platform/windows/iphlpapiconvert.h"
#include "platform/windows/iphlpapifunctions.h"
#include "platform/windows/iphlpapisnapshot.h"
#include "platform/windows/win32status.h"
#include "support/platformtest.h"

#include <algorithm>
#include <cstring>

using namespace ncv::platform;
using namespace ncv::platform::win;

namespace {

SOCKADDR_INET v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
{
    return sockaddrFromAddress(IpAddress::v4(a, b, c, d));
}

// Copies a NUL-terminated wide string into a fixed WCHAR array (no CRT "unsafe" calls, so
// MSVC /W4 /WX builds it too).
template<std::size_t N> void copyWide(WCHAR (&target)[N], const wchar_t *text)
{
    std::size_t i = 0;
    for (; i + 1 < N && text[i]; ++i)
        target[i] = text[i];
    target[i] = 0;
}

SOCKADDR_INET v6(const char *text)
{
    return sockaddrFromAddress(IpAddress::parse(text));
}

MIB_IPFORWARD_ROW2 routeRow(SOCKADDR_INET destination, UINT8 prefixLength, SOCKADDR_INET nextHop, ULONG metric,
                            ULONG protocol)
{
    MIB_IPFORWARD_ROW2 row;
    std::memset(&row, 0, sizeof row);
    row.InterfaceLuid.Value = 0x18000001000000ull;
    row.InterfaceIndex = 1;
    row.DestinationPrefix.Prefix = destination;
    row.DestinationPrefix.PrefixLength = prefixLength;
    row.NextHop = nextHop;
    row.Metric = metric;
    row.Protocol = static_cast<NL_ROUTE_PROTOCOL>(protocol);
    row.ValidLifetime = 0xFFFFFFFFu;
    row.PreferredLifetime = 0xFFFFFFFFu;
    return row;
}

} // namespace

TEST_CASE("routeConversionFromBuiltRows")
{
    const std::int64_t now = 1'700'000'000'000'000;
    MIB_IPFORWARD_ROW2 row = routeRow(v4(198, 51, 100, 0), 24, v4(192, 0, 2, 1), 25, MIB_IPPROTO_NT_STATIC);
    RouteRow route = routeFromMib(row, now);
    CHECK_EQ(route.pref, kNoRoutePref); // Windows has no route preference
    CHECK_EQ(toCidr(route.destination, route.prefixLength), std::string("198.51.100.0/24"));
    CHECK_EQ(route.metric, 25u);
    CHECK_EQ(route.protocol, 10006u);
    CHECK(route.protocolSpace == ProtocolSpace::MibIpProto);
    CHECK_EQ(protocolName(route.protocol, route.protocolSpace), std::string("nt-static"));
    CHECK_EQ(route.luid, 0x18000001000000ull);
    CHECK_EQ(route.table, 0u);
    CHECK_EQ(route.expiresUs, std::int64_t(0));
    CHECK_EQ(route.nextHops.size(), std::size_t(1));
    CHECK_EQ(toString(route.nextHops.front().gateway), std::string("192.0.2.1"));
    CHECK_EQ(route.nextHops.front().ifIndex, 1u);
    CHECK_EQ(gatewayList(route), std::string("192.0.2.1"));

    // IPv6 on-link route learnt from a router advertisement, with a finite lifetime.
    MIB_IPFORWARD_ROW2 row6 = routeRow(v6("2001:db8:1::"), 64, v6("::"), 256, RouteProtocolOther);
    row6.DestinationPrefix.Prefix.Ipv6.sin6_family = AF_INET6;
    row6.NextHop.si_family = AF_INET6;
    row6.ValidLifetime = 1800;
    RouteRow route6 = routeFromMib(row6, now);
    CHECK_EQ(toCidr(route6.destination, route6.prefixLength), std::string("2001:db8:1::/64"));
    CHECK(route6.family() == Family::IPv6);
    CHECK(route6.nextHops.front().gateway.isUnspecified());
    CHECK_EQ(gatewayList(route6), std::string(""));
    CHECK_EQ(route6.expiresUs, now + std::int64_t(1800) * 1000000);
    CHECK_EQ(protocolName(route6.protocol, route6.protocolSpace), std::string("other"));

    // Every NL_ROUTE_PROTOCOL value survives unchanged.
    for (ULONG p : {1ul, 2ul, 3ul, 4ul, 13ul, 14ul, 19ul, 10002ul, 10006ul, 10007ul}) {
        row.Protocol = static_cast<NL_ROUTE_PROTOCOL>(p);
        CHECK_EQ(routeFromMib(row, now).protocol, std::uint32_t(p));
    }
    row.Protocol = static_cast<NL_ROUTE_PROTOCOL>(MIB_IPPROTO_NETMGMT);
    CHECK_EQ(protocolName(routeFromMib(row, now).protocol, ProtocolSpace::MibIpProto), std::string("netmgmt"));
}

TEST_CASE("addressConversionFromBuiltRows")
{
    const std::int64_t now = 1'700'000'000'000'000;
    MIB_UNICASTIPADDRESS_ROW row;
    std::memset(&row, 0, sizeof row);
    row.Address = v6("fe80::1234");
    row.InterfaceLuid.Value = 0x6000004000000ull;
    row.InterfaceIndex = 4;
    row.OnLinkPrefixLength = 64;
    row.PrefixOrigin = IpPrefixOriginRouterAdvertisement;
    row.SuffixOrigin = IpSuffixOriginRandom;
    row.DadState = IpDadStateTentative;
    row.ValidLifetime = 600;
    row.PreferredLifetime = 0xFFFFFFFFu;
    AddressRow a = addressFromMib(row, now);
    CHECK_EQ(toString(a.address), std::string("fe80::1234"));
    CHECK_EQ(a.prefixLength, 64);
    CHECK_EQ(a.ifIndex, 4u);
    CHECK_EQ(a.luid, 0x6000004000000ull);
    CHECK_EQ(a.scope, 253);
    CHECK_EQ(a.flags, std::uint32_t(AddrTentative | AddrSecondary));
    CHECK_EQ(a.validLifetime, 600u);
    CHECK_EQ(a.validUntilUs, now + std::int64_t(600) * 1000000);
    CHECK_EQ(a.preferredLifetime, kInfiniteLifetime);
    CHECK_EQ(a.preferredUntilUs, std::int64_t(0));

    // DAD states -> flags.
    CHECK_EQ(addressFlagsFromMib(IpDadStatePreferred, IpPrefixOriginDhcp, IpSuffixOriginDhcp), 0u);
    CHECK_EQ(addressFlagsFromMib(IpDadStateDuplicate, IpPrefixOriginDhcp, IpSuffixOriginDhcp),
             std::uint32_t(AddrDadFailed));
    CHECK_EQ(
        addressFlagsFromMib(IpDadStateDeprecated, IpPrefixOriginRouterAdvertisement, IpSuffixOriginLinkLayerAddress),
        std::uint32_t(AddrDeprecated));
    CHECK_EQ(addressFlagsFromMib(IpDadStatePreferred, IpPrefixOriginManual, IpSuffixOriginManual),
             std::uint32_t(AddrPermanent));

    // Scopes from the address class.
    CHECK_EQ(scopeFromAddress(IpAddress::v4(127, 0, 0, 1)), 254);
    CHECK_EQ(scopeFromAddress(IpAddress::v4(169, 254, 3, 4)), 253);
    CHECK_EQ(scopeFromAddress(IpAddress::v4(192, 0, 2, 1)), 0);
    CHECK_EQ(scopeFromAddress(IpAddress::parse("::1")), 254);
    CHECK_EQ(scopeFromAddress(IpAddress::parse("2001:db8::1")), 0);
}

TEST_CASE("interfaceConversionFromBuiltRows")
{
    MIB_IF_ROW2 row;
    std::memset(&row, 0, sizeof row);
    row.InterfaceLuid.Value = 0x6000007000000ull;
    row.InterfaceIndex = 7;
    copyWide(row.Alias, L"Ethernet \u00e9t\u00e9 2");
    copyWide(row.Description, L"Intel(R) Ethernet Connection");
    row.Type = 6;
    row.Mtu = 1500;
    row.OperStatus = IfOperStatusUp;
    row.AdminStatus = NET_IF_ADMIN_STATUS_UP;
    row.MediaConnectState = MediaConnectStateConnected;
    row.PhysicalAddressLength = 6;
    const BYTE mac[6] = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03};
    std::memcpy(row.PhysicalAddress, mac, 6);
    InterfaceRow i = interfaceFromIfRow(row);
    CHECK_EQ(i.ifIndex, 7u);
    CHECK_EQ(i.luid, 0x6000007000000ull);
    CHECK_EQ(i.name, std::string("Ethernet \xc3\xa9t\xc3\xa9 2"));
    CHECK_EQ(i.alias, std::string("Intel(R) Ethernet Connection"));
    CHECK_EQ(i.kind, std::string("ethernet"));
    CHECK_EQ(i.linkType, 6u);
    CHECK(i.operState == OperState::Up);
    CHECK(i.adminUp);
    CHECK(i.carrier);
    CHECK_EQ(i.mtu, 1500u);
    CHECK_EQ(macText(i.mac.data(), i.macLength), std::string("00:15:5d:01:02:03"));
    CHECK(i.family == Family::Unspec);

    MIB_IPINTERFACE_ROW ip;
    std::memset(&ip, 0, sizeof ip);
    ip.Family = AF_INET6;
    ip.InterfaceLuid = row.InterfaceLuid;
    ip.InterfaceIndex = 7;
    ip.NlMtu = 1280;
    InterfaceRow merged = mergeIpInterface(i, ip);
    CHECK(merged.family == Family::IPv6);
    CHECK_EQ(merged.mtu, 1280u);
    CHECK_EQ(merged.name, i.name);

    // IF_OPER_STATUS -> OperState, every value.
    CHECK(operStateFromIfOper(IfOperStatusDown) == OperState::Down);
    CHECK(operStateFromIfOper(IfOperStatusTesting) == OperState::Testing);
    CHECK(operStateFromIfOper(IfOperStatusUnknown) == OperState::Unknown);
    CHECK(operStateFromIfOper(IfOperStatusDormant) == OperState::Dormant);
    CHECK(operStateFromIfOper(IfOperStatusNotPresent) == OperState::NotPresent);
    CHECK(operStateFromIfOper(IfOperStatusLowerLayerDown) == OperState::LowerLayerDown);
    CHECK_EQ(ifTypeName(24), std::string("loopback"));
    CHECK_EQ(ifTypeName(71), std::string("wifi"));
    CHECK_EQ(ifTypeName(999), std::string("iftype 999"));
}

// The premises the backend relies on about Wine 8, checked rather than assumed.
TEST_CASE("wineFacts")
{
    if (!runningUnderWine())
        SKIP("not running under Wine");
    PMIB_IPINTERFACE_TABLE table = nullptr;
    CHECK_EQ(GetIpInterfaceTable(AF_UNSPEC, &table), DWORD(ERROR_NOT_SUPPORTED));
    if (table)
        FreeMibTable(table);
    HANDLE handle = reinterpret_cast<HANDLE>(1);
    CHECK_EQ(NotifyRouteChange2(AF_UNSPEC, nullptr, nullptr, FALSE, &handle), DWORD(NO_ERROR));
    CHECK(handle == nullptr); // a stub: no handle, never notifies
    handle = reinterpret_cast<HANDLE>(1);
    CHECK_EQ(NotifyIpInterfaceChange(AF_UNSPEC, nullptr, nullptr, FALSE, &handle), DWORD(NO_ERROR));
    CHECK(handle == nullptr);
    // NotifyUnicastIpAddressChange: only the initial notification, synchronously, inside the call.
    struct Seen {
        DWORD thread = 0;
        int calls = 0;
        MIB_NOTIFICATION_TYPE type = MibAddInstance;
        bool nullRow = false;
    } seen;
    auto callback = [](PVOID context, PMIB_UNICASTIPADDRESS_ROW row, MIB_NOTIFICATION_TYPE type) {
        auto *s = static_cast<Seen *>(context);
        s->thread = GetCurrentThreadId();
        ++s->calls;
        s->type = type;
        s->nullRow = row == nullptr;
    };
    handle = reinterpret_cast<HANDLE>(1);
    CHECK_EQ(NotifyUnicastIpAddressChange(AF_UNSPEC, callback, &seen, TRUE, &handle), DWORD(NO_ERROR));
    CHECK(handle == nullptr);
    CHECK_EQ(seen.calls, 1);
    CHECK(seen.type == MibInitialNotification);
    CHECK(seen.nullRow);
    CHECK_EQ(seen.thread, GetCurrentThreadId());
    // No IPv6 routes (Wine's nsi does not enumerate them).
    PMIB_IPFORWARD_TABLE2 routes6 = nullptr;
    const DWORD rc6 = GetIpForwardTable2(AF_INET6, &routes6);
    CHECK((rc6 == NO_ERROR || rc6 == ERROR_NOT_FOUND));
    CHECK((routes6 == nullptr || routes6->NumEntries == 0));
    if (routes6)
        FreeMibTable(routes6);
    const IphlpApiFunctions api = IphlpApiFunctions::system();
    CHECK((api.getIpForwardEntry2 == nullptr)); // unimplemented in Wine 8: calling it aborts
    CHECK((api.getIpInterfaceEntry == nullptr)); // likewise
    CHECK((api.getUnicastIpAddressEntry != nullptr));
}

TEST_CASE("snapshotFromTheRealApi")
{
    const IphlpApiFunctions api = IphlpApiFunctions::system();
    Snapshot snapshot;
    SnapshotInfo info;
    const std::int64_t now = nowUs();
    const Status status = readSnapshot(api, AllObjectsMask, AF_UNSPEC, now, &snapshot, &info);
    CHECK(status.ok());
    if (!status.ok()) {
        std::fprintf(stderr, "  %s\n", status.message.c_str());
        return;
    }

    // Interfaces: compare with GetIfTable2 directly.
    PMIB_IF_TABLE2 ifTable = nullptr;
    CHECK_EQ(GetIfTable2(&ifTable), DWORD(NO_ERROR));
    const MIB_IF_ROW2 *loopbackIf = nullptr;
    for (ULONG i = 0; ifTable && i < ifTable->NumEntries; ++i) {
        if (ifTable->Table[i].Type == 24)
            loopbackIf = &ifTable->Table[i];
    }
    CHECK(loopbackIf != nullptr);
    if (info.interfacesFromIfTableOnly)
        CHECK_EQ(snapshot.interfaces.size(), std::size_t(ifTable->NumEntries));
    const InterfaceRow *lo = nullptr;
    for (const InterfaceRow &row : snapshot.interfaces) {
        if (loopbackIf && row.luid == loopbackIf->InterfaceLuid.Value)
            lo = &row;
    }
    CHECK(lo != nullptr);
    if (lo && loopbackIf) {
        CHECK_EQ(lo->ifIndex, std::uint32_t(loopbackIf->InterfaceIndex));
        CHECK_EQ(lo->kind, std::string("loopback"));
        CHECK_EQ(lo->name, utf8FromWide(loopbackIf->Alias, IF_MAX_STRING_SIZE + 1));
        CHECK(!lo->name.empty());
        CHECK(lo->operState == OperState::Up);
        CHECK(lo->mtu > 0);
        NET_IFINDEX index = 0;
        CHECK_EQ(ConvertInterfaceLuidToIndex(&loopbackIf->InterfaceLuid, &index), DWORD(NO_ERROR));
        CHECK_EQ(lo->ifIndex, std::uint32_t(index));
    }

    // Addresses: same count as GetUnicastIpAddressTable; 127.0.0.1/8 on the loopback.
    PMIB_UNICASTIPADDRESS_TABLE addrTable = nullptr;
    CHECK_EQ(GetUnicastIpAddressTable(AF_UNSPEC, &addrTable), DWORD(NO_ERROR));
    CHECK_EQ(snapshot.addresses.size(), std::size_t(addrTable ? addrTable->NumEntries : 0));
    auto loAddr = std::find_if(snapshot.addresses.begin(), snapshot.addresses.end(),
                               [](const AddressRow &a) { return a.address == IpAddress::v4(127, 0, 0, 1); });
    CHECK(loAddr != snapshot.addresses.end());
    if (loAddr != snapshot.addresses.end() && lo) {
        CHECK_EQ(loAddr->prefixLength, 8);
        CHECK_EQ(loAddr->scope, 254);
        CHECK_EQ(loAddr->luid, lo->luid);
        CHECK_EQ(loAddr->ifIndex, lo->ifIndex);
    }

    // Routes: one row per MIB_IPFORWARD_ROW2, every field as the API reported it.
    PMIB_IPFORWARD_TABLE2 routeTable = nullptr;
    CHECK_EQ(GetIpForwardTable2(AF_UNSPEC, &routeTable), DWORD(NO_ERROR));
    CHECK_EQ(snapshot.routes.size(), std::size_t(routeTable ? routeTable->NumEntries : 0));
    for (ULONG i = 0; routeTable && i < routeTable->NumEntries && i < snapshot.routes.size(); ++i) {
        const MIB_IPFORWARD_ROW2 &raw = routeTable->Table[i];
        const RouteRow &route = snapshot.routes[i];
        CHECK((route.destination == addressFromSockaddr(raw.DestinationPrefix.Prefix)));
        CHECK_EQ(route.prefixLength, raw.DestinationPrefix.PrefixLength);
        CHECK_EQ(route.metric, std::uint32_t(raw.Metric));
        CHECK_EQ(route.protocol, std::uint32_t(raw.Protocol));
        CHECK(route.protocolSpace == ProtocolSpace::MibIpProto);
        CHECK_EQ(route.luid, std::uint64_t(raw.InterfaceLuid.Value));
        CHECK_EQ(route.outIfIndex(), std::uint32_t(raw.InterfaceIndex));
        std::fprintf(stderr, "  route %s via '%s' if %u metric %u proto %s\n",
                     toCidr(route.destination, route.prefixLength).c_str(), gatewayList(route).c_str(),
                     route.outIfIndex(), route.metric, protocolName(route.protocol, route.protocolSpace).c_str());
    }
    std::fprintf(stderr, "  %zu interfaces, %zu addresses, %zu routes%s\n", snapshot.interfaces.size(),
                 snapshot.addresses.size(), snapshot.routes.size(),
                 info.interfacesFromIfTableOnly ? " (interfaces from GetIfTable2 only)" : "");
    if (ifTable)
        FreeMibTable(ifTable);
    if (addrTable)
        FreeMibTable(addrTable);
    if (routeTable)
        FreeMibTable(routeTable);

    // Family filter: AF_INET gives only IPv4 addresses and routes.
    Snapshot v4only;
    CHECK(readSnapshot(api, AddressesMask | RoutesMask, AF_INET, now, &v4only).ok());
    for (const AddressRow &a : v4only.addresses)
        CHECK(a.address.family == Family::IPv4);
    for (const RouteRow &r : v4only.routes)
        CHECK(r.family() == Family::IPv4);
    CHECK(v4only.interfaces.empty());

    // Bad family.
    CHECK(readSnapshot(api, AllObjectsMask, 77, now, &v4only).error == Error::InvalidParameter);
}

TEST_CASE("errorMappingEveryDocumentedCode")
{
    struct Expect {
        std::uint32_t code;
        Error error;
        const char *name;
    };
    const Expect cases[] = {
        {ERROR_INVALID_HANDLE, Error::InvalidHandle, "ERROR_INVALID_HANDLE (6)"},
        {0xC0000008u, Error::InvalidHandle, "STATUS_INVALID_HANDLE (0xC0000008)"},
        {ERROR_INVALID_PARAMETER, Error::InvalidParameter, "ERROR_INVALID_PARAMETER (87)"},
        {0xC000000Du, Error::InvalidParameter, "STATUS_INVALID_PARAMETER (0xC000000D)"},
        {ERROR_NOT_ENOUGH_MEMORY, Error::NotEnoughMemory, "ERROR_NOT_ENOUGH_MEMORY (8)"},
        {ERROR_OUTOFMEMORY, Error::NotEnoughMemory, "ERROR_OUTOFMEMORY (14)"},
        {0xC0000017u, Error::NotEnoughMemory, "STATUS_NOT_ENOUGH_MEMORY (0xC0000017)"},
        {0xC000009Au, Error::NotEnoughMemory, "STATUS_INSUFFICIENT_RESOURCES (0xC000009A)"},
        {ERROR_NOT_SUPPORTED, Error::NotSupported, "ERROR_NOT_SUPPORTED (50)"},
        {0xC00000BBu, Error::NotSupported, "STATUS_NOT_SUPPORTED (0xC00000BB)"},
        {ERROR_NOT_FOUND, Error::Os, "ERROR_NOT_FOUND (1168)"},
        {ERROR_FILE_NOT_FOUND, Error::Os, "ERROR_FILE_NOT_FOUND (2)"},
        {ERROR_ACCESS_DENIED, Error::Os, "ERROR_ACCESS_DENIED (5)"},
        {ERROR_INSUFFICIENT_BUFFER, Error::Os, "ERROR_INSUFFICIENT_BUFFER (122)"},
        {ERROR_OBJECT_ALREADY_EXISTS, Error::Os, "ERROR_OBJECT_ALREADY_EXISTS (5010)"},
    };
    for (const Expect &e : cases) {
        const Status s = statusFromWin32("NotifyRouteChange2", e.code);
        CHECK(!s.ok());
        CHECK(s.error == e.error);
        CHECK_EQ(s.osCode, static_cast<long>(static_cast<std::int32_t>(e.code)));
        const std::string prefix = std::string("NotifyRouteChange2: ") + e.name;
        CHECK_EQ(s.message.substr(0, prefix.size()), prefix);
        std::fprintf(stderr, "  %s\n", s.message.c_str());
    }
    // FormatMessage text where the system has it (Wine has the common Win32 ones).
    const Status invalidHandle = statusFromWin32("CancelMibChangeNotify2", ERROR_INVALID_HANDLE);
    CHECK_EQ(invalidHandle.message.find('\n'), std::string::npos);
    CHECK(invalidHandle.message.size() > std::string("CancelMibChangeNotify2: ERROR_INVALID_HANDLE (6)").size());
    CHECK_EQ(invalidHandle.message.substr(invalidHandle.message.size() - win32MessageText(6).size()),
             win32MessageText(6));
    CHECK(!win32MessageText(ERROR_NOT_ENOUGH_MEMORY).empty());
    // Success and an unknown code.
    CHECK(statusFromWin32("GetIpForwardTable2", NO_ERROR).ok());
    const Status other = statusFromWin32("GetIfTable2", 0x12345u);
    CHECK(other.error == Error::Os);
    CHECK_EQ(other.message.substr(0, 29), std::string("GetIfTable2: error 74565"));
    CHECK_EQ(other.osCode, 0x12345l);
}

TEST_CASE("pollingDiffOfTwoSnapshots")
{
    const IphlpApiFunctions api = IphlpApiFunctions::system();
    Snapshot first;
    CHECK(readSnapshot(api, AllObjectsMask, AF_UNSPEC, nowUs(), &first).ok());
    CHECK(!first.interfaces.empty());
    CHECK(!first.addresses.empty());

    StateStore store(StateStore::KeyScheme::Windows);
    std::vector<ChangeRecord> records;
    pollingDiff(store, first, nowUs(), AllObjectsMask, Family::Unspec, records);
    CHECK_EQ(records.size(), first.interfaces.size() + first.addresses.size() + first.routes.size());
    for (const ChangeRecord &r : records) {
        CHECK(r.change == ChangeKind::Add);
        CHECK(r.origin == Origin::Inferred);
    }

    // Same tables again (lifetimes re-read a second later): nothing.
    Snapshot again;
    CHECK(readSnapshot(api, AllObjectsMask, AF_UNSPEC, nowUs() + 1000000, &again).ok());
    records.clear();
    pollingDiff(store, again, nowUs(), AllObjectsMask, Family::Unspec, records);
    CHECK_EQ(records.size(), std::size_t(0));

    // Second snapshot: MTU changed, an address gone, a route added, a route's metric changed.
    Snapshot second = first;
    second.interfaces.front().mtu += 100;
    const AddressRow removed = second.addresses.back();
    second.addresses.pop_back();
    RouteRow added
        = routeFromMib(routeRow(v4(198, 51, 100, 0), 24, v4(127, 0, 0, 2), 5, RouteProtocolNetMgmt), nowUs());
    added.luid = second.interfaces.front().luid;
    second.routes.push_back(added);
    const bool haveRoute = first.routes.size() > 0;
    if (haveRoute)
        second.routes.front().metric += 7;
    records.clear();
    pollingDiff(store, second, nowUs(), AllObjectsMask, Family::Unspec, records);
    CHECK_EQ(records.size(), std::size_t(haveRoute ? 4 : 3));
    int seen = 0;
    for (const ChangeRecord &r : records) {
        CHECK(r.origin == Origin::Inferred);
        if (r.object == ObjectKind::Interface) {
            CHECK(r.change == ChangeKind::Parameter);
            CHECK_EQ(r.changedFields, fieldBit<InterfaceRow>("mtu"));
            CHECK_EQ(std::get<InterfaceRow>(r.after).mtu, std::get<InterfaceRow>(r.before).mtu + 100);
            seen |= 1;
        } else if (r.object == ObjectKind::Address) {
            CHECK(r.change == ChangeKind::Delete);
            CHECK((std::get<AddressRow>(r.before).address == removed.address));
            seen |= 2;
        } else if (r.object == ObjectKind::Route && r.change == ChangeKind::Add) {
            CHECK_EQ(toCidr(std::get<RouteRow>(r.after).destination, 24), std::string("198.51.100.0/24"));
            seen |= 4;
        } else if (r.object == ObjectKind::Route && r.change == ChangeKind::Parameter) {
            CHECK_EQ(r.changedFields, fieldBit<RouteRow>("metric"));
            CHECK_EQ(fieldList(r.object, r.changedFields), std::string("metric"));
            seen |= 8;
        }
    }
    CHECK_EQ(seen, haveRoute ? 15 : 7);

    // The family filter applies to what is emitted (interfaces pass every family).
    records.clear();
    pollingDiff(store, first, nowUs(), AllObjectsMask, Family::IPv6, records);
    bool sawInterface = false;
    for (const ChangeRecord &r : records) {
        sawInterface = sawInterface || r.object == ObjectKind::Interface;
        if (r.object == ObjectKind::Address)
            CHECK(std::get<AddressRow>(r.row()).address.family == Family::IPv6);
        if (r.object == ObjectKind::Route)
            CHECK(std::get<RouteRow>(r.row()).family() == Family::IPv6); // the IPv4 route changes are filtered out
    }
    CHECK(sawInterface);
}
