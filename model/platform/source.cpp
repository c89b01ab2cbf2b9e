// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/source.h"
#include "platform/registrationtable.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2def.h>
#else
#include <sys/socket.h>
#endif

namespace ncv::platform {

bool familyFromAf(int addressFamily, Family *family)
{
    switch (addressFamily) {
    case AF_UNSPEC: *family = Family::Unspec; return true;
    case AF_INET: *family = Family::IPv4; return true;
    case AF_INET6: *family = Family::IPv6; return true;
    default: return false;
    }
}

int afFromFamily(Family family)
{
    switch (family) {
    case Family::IPv4: return AF_INET;
    case Family::IPv6: return AF_INET6;
    case Family::Unspec: break;
    }
    return AF_UNSPEC;
}

Status checkRegisterParams(const RegisterParams &params, Handle *handle, Family *family, std::string_view api)
{
    const auto invalid = [api](const std::string &what) {
        return Status::failure(Error::InvalidParameter, std::string(api) + ": " + what + " (STATUS_INVALID_PARAMETER)");
    };
    if (!handle)
        return invalid("null handle pointer");
    *handle = 0;
    if (!params.callback)
        return invalid("null callback");
    if ((params.objects & EveryObjectMask) == 0)
        return invalid("no object kinds requested");
    if (!familyFromAf(params.addressFamily, family))
        return invalid("address family " + std::to_string(params.addressFamily) + " is not AF_INET ("
                       + std::to_string(AF_INET) + "), AF_INET6 (" + std::to_string(AF_INET6) + ") or AF_UNSPEC ("
                       + std::to_string(AF_UNSPEC) + ")");
    return Status::success();
}

bool matchesFilter(const ChangeRecord &record, std::uint32_t objects, Family family)
{
    return matchesFilter(record.object, record.family, objects, family);
}

bool matchesFilter(ObjectKind object, Family rowFamily, std::uint32_t objects, Family family)
{
    switch (object) {
    case ObjectKind::None:
    case ObjectKind::Gap: return true; // markers always pass
    case ObjectKind::Interface:
        if (!(objects & InterfacesMask))
            return false;
        break;
    case ObjectKind::Address:
        if (!(objects & AddressesMask))
            return false;
        break;
    case ObjectKind::Route:
    case ObjectKind::Entity:
        if (!(objects & RoutesMask))
            return false;
        break;
    case ObjectKind::Rule:
        if (!(objects & RulesMask))
            return false;
        break;
    case ObjectKind::Neighbor:
        if (!(objects & NeighborsMask))
            return false;
        break;
    case ObjectKind::Nexthop:
        if (!(objects & NexthopsMask))
            return false;
        break;
    case ObjectKind::Nsid:
        if (!(objects & NsidsMask))
            return false;
        break;
    }
    return family == Family::Unspec || rowFamily == Family::Unspec || rowFamily == family;
}

} // namespace ncv::platform
