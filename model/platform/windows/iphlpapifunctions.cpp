// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/windows/iphlpapifunctions.h"

namespace ncv::platform::win {

bool runningUnderWine()
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

IphlpApiFunctions IphlpApiFunctions::system()
{
    IphlpApiFunctions f;
    f.notifyIpInterfaceChange = &NotifyIpInterfaceChange;
    f.notifyUnicastIpAddressChange = &NotifyUnicastIpAddressChange;
    f.notifyRouteChange2 = &NotifyRouteChange2;
    f.cancelMibChangeNotify2 = &CancelMibChangeNotify2;
    if (HMODULE iphlpapi = GetModuleHandleW(L"iphlpapi.dll")) {
        // Through void (*)(): the one function type every other converts to without a warning.
        const auto proc = reinterpret_cast<void (*)()>(GetProcAddress(iphlpapi, "NotifyStableUnicastIpAddressTable"));
        f.notifyStableUnicastIpAddressTable = reinterpret_cast<decltype(f.notifyStableUnicastIpAddressTable)>(proc);
    }
    f.getIfTable2 = &GetIfTable2;
    f.getIpInterfaceTable = &GetIpInterfaceTable;
    f.getUnicastIpAddressTable = &GetUnicastIpAddressTable;
    f.getIpForwardTable2 = &GetIpForwardTable2;
    f.getIpNetTable2 = &GetIpNetTable2;
    f.freeMibTable = &FreeMibTable;
    f.getIfEntry2 = &GetIfEntry2;
    f.getUnicastIpAddressEntry = &GetUnicastIpAddressEntry;
    if (!runningUnderWine()) {
        f.getIpInterfaceEntry = &GetIpInterfaceEntry;
        f.getIpForwardEntry2 = &GetIpForwardEntry2;
    }
    return f;
}

} // namespace ncv::platform::win
