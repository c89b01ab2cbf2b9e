#include "platform/source.h"

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

bool matchesFilter(const ChangeRecord &record, std::uint32_t objects, Family family)
{
    switch (record.object) {
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
    }
    return family == Family::Unspec || record.family == Family::Unspec || record.family == family;
}

} // namespace ncv::platform
