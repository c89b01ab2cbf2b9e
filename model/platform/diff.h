// SPDX-License-Identifier: GPL-2.0-or-later
// diff(): what a Parameter change changed. Qt-free.
#pragma once

#include "platform/types.h"

namespace ncv::platform {

/// The fields (changedFields bits, rowfields.h) of the change from before to after: the
/// tracked fields whose values differ by their description's test (a lifetime counting
/// down, or an expiry that moves, is no change; going between finite and forever is).
/// 0 when nothing tracked differs.
FieldMask diff(const InterfaceRow &before, const InterfaceRow &after);
FieldMask diff(const AddressRow &before, const AddressRow &after);
FieldMask diff(const RouteRow &before, const RouteRow &after);
FieldMask diff(const NeighborRow &before, const NeighborRow &after);
FieldMask diff(const RuleRow &before, const RuleRow &after);
FieldMask diff(const NexthopRow &before, const NexthopRow &after);

} // namespace ncv::platform
