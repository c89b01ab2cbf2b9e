// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/diff.h"

#include "platform/rowfields.h"

namespace ncv::platform {

FieldMask diff(const InterfaceRow &before, const InterfaceRow &after)
{
    return diffRows(before, after);
}

FieldMask diff(const AddressRow &before, const AddressRow &after)
{
    return diffRows(before, after);
}

FieldMask diff(const RouteRow &before, const RouteRow &after)
{
    return diffRows(before, after);
}

FieldMask diff(const NeighborRow &before, const NeighborRow &after)
{
    return diffRows(before, after);
}

FieldMask diff(const RuleRow &before, const RuleRow &after)
{
    return diffRows(before, after); // every field is key: 0 (a rule is deleted and added, never changed)
}

FieldMask diff(const NexthopRow &before, const NexthopRow &after)
{
    return diffRows(before, after);
}

} // namespace ncv::platform
