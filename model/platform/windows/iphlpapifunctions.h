// SPDX-License-Identifier: GPL-2.0-or-later
// IphlpApiFunctions: the IP Helper calls the Windows backend makes, as a table of
// function pointers so tests can put fakes in (error injection, rows the real API under
// Wine cannot produce). system() holds the real iphlpapi.dll functions. Qt-free.
#pragma once

// clang-format off
#include <winsock2.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>
// clang-format on

namespace ncv::platform::win {

struct IphlpApiFunctions {
    DWORD(WINAPI *notifyIpInterfaceChange)
    (ADDRESS_FAMILY, PIPINTERFACE_CHANGE_CALLBACK, PVOID, BOOLEAN, HANDLE *) = nullptr;
    DWORD(WINAPI *notifyUnicastIpAddressChange)
    (ADDRESS_FAMILY, PUNICAST_IPADDRESS_CHANGE_CALLBACK, PVOID, BOOLEAN, HANDLE *) = nullptr;
    DWORD(WINAPI *notifyRouteChange2)(ADDRESS_FAMILY, PIPFORWARD_CHANGE_CALLBACK, PVOID, BOOLEAN, HANDLE *) = nullptr;
    DWORD(WINAPI *cancelMibChangeNotify2)(HANDLE) = nullptr;
    /// NotifyStableUnicastIpAddressTable: the unicast address table once no address is in
    /// duplicate address detection any more (NO_ERROR: *table holds it now; ERROR_IO_PENDING:
    /// the callback gets it later, or CancelMibChangeNotify2 on the handle cancels the
    /// request). nullptr = not available (Wine 8 does not export it): the initial addresses
    /// come from GetUnicastIpAddressTable.
    DWORD(WINAPI *notifyStableUnicastIpAddressTable)
    (ADDRESS_FAMILY, PMIB_UNICASTIPADDRESS_TABLE *, PSTABLE_UNICAST_IPADDRESS_TABLE_CALLBACK, PVOID, HANDLE *)
        = nullptr;

    DWORD(WINAPI *getIfTable2)(PMIB_IF_TABLE2 *) = nullptr;
    DWORD(WINAPI *getIpInterfaceTable)(ADDRESS_FAMILY, PMIB_IPINTERFACE_TABLE *) = nullptr;
    DWORD(WINAPI *getUnicastIpAddressTable)(ADDRESS_FAMILY, PMIB_UNICASTIPADDRESS_TABLE *) = nullptr;
    DWORD(WINAPI *getIpForwardTable2)(ADDRESS_FAMILY, PMIB_IPFORWARD_TABLE2 *) = nullptr;
    /// The neighbor (ARP / NDP) cache. There is no Notify call for it: it is polled.
    DWORD(WINAPI *getIpNetTable2)(ADDRESS_FAMILY, PMIB_IPNET_TABLE2 *) = nullptr;
    VOID(WINAPI *freeMibTable)(PVOID) = nullptr;

    /// Re-reads of one row (a notification's row may be incomplete). nullptr = not
    /// available: the row the notification handed over is used as it is.
    DWORD(WINAPI *getIfEntry2)(PMIB_IF_ROW2) = nullptr;
    DWORD(WINAPI *getIpInterfaceEntry)(PMIB_IPINTERFACE_ROW) = nullptr;
    DWORD(WINAPI *getUnicastIpAddressEntry)(PMIB_UNICASTIPADDRESS_ROW) = nullptr;
    DWORD(WINAPI *getIpForwardEntry2)(PMIB_IPFORWARD_ROW2) = nullptr;

    /// The real iphlpapi.dll functions; notifyStableUnicastIpAddressTable is looked up at
    /// run time (GetProcAddress), so the program still starts where it is missing. Under Wine (ntdll exports
    /// wine_get_version), getIpInterfaceEntry and getIpForwardEntry2 are left null: Wine 8 exports them as
    /// unimplemented stubs that abort the process when called.
    static IphlpApiFunctions system();
};

/// True when running under Wine (ntdll exports wine_get_version).
bool runningUnderWine();

} // namespace ncv::platform::win
