// SPDX-License-Identifier: GPL-2.0-or-later
// The net changes between two states of the tables (two moments of a recording): the
// objects added, removed and changed from one to the other, each with its row before and
// after. Not the events in between: an address added and removed again between the two
// moments is not a change. Objects are matched by the key the store keys them by
// (StateStore::key); a changed object is one whose described fields differ
// (platform::diff, the fields whose change is a `parameter` change). Plain functions,
// any thread.
#pragma once

#include "model/recording/recordstate.h"
#include "platform/types.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace ncv {

struct StateChange {
    enum Kind { Added, Removed, Changed };
    Kind kind = Added;
    platform::ObjectKind object = platform::ObjectKind::None;
    platform::Row before; ///< the row in the first state (monostate when Added)
    platform::Row after; ///< the row in the second state (monostate when Removed)
    platform::FieldMask changedFields = 0; ///< Changed: the fields that differ (rowfields.h bits)
    /// The name of before's / after's interface (platform::rowIfIndex) in the state the row
    /// is from, "" when it has none or that state does not hold it: the attributes name the
    /// device as `ip` does ("dev veth0", a nexthop's).
    std::string beforeIfName;
    std::string afterIfName;

    const platform::Row &row() const { return std::holds_alternative<std::monostate>(after) ? before : after; }
};

/// "added", "removed", "changed".
QString stateChangeKindName(StateChange::Kind kind);

/// The changes from `from` to `to`: interfaces, then addresses, then routes, each in key
/// order. Memory: one key and one row copy per object of `from` while it runs.
std::vector<StateChange> diffStates(const recording::RecordState &from, const recording::RecordState &to,
                                    platform::StateStore::KeyScheme scheme = platform::StateStore::KeyScheme::Linux);

/// Text cells of one change, as the dialog and the CSV show them: key ("eth0",
/// "192.0.2.1/24", "10.0.0.0/8"), changed fields ("mtu;operstate"), and the row's
/// attributes before and after ("" for a side that does not exist). known: the fields the
/// rows hold (a recording converted from a CSV export: only the CSV's); the attributes
/// leave the others out.
QString stateChangeKey(const StateChange &change);
QString stateChangeFields(const StateChange &change);
QString stateChangeBefore(const StateChange &change, platform::KnownFields known = platform::KnownFields::All);
QString stateChangeAfter(const StateChange &change, platform::KnownFields known = platform::KnownFields::All);
/// A Changed change's fields as "mtu 1500 -> 9000; operstate down -> up" (the event log's
/// form, platform::appendChanges); "" for Added and Removed.
QString stateChangeChanges(const StateChange &change, platform::KnownFields known = platform::KnownFields::All);
/// What one side of a change shows when space is short: for Changed, only the changed
/// fields of that side's row, "mtu 1500; operstate down"; else stateChangeBefore/After.
QString stateChangeBeforeBrief(const StateChange &change, platform::KnownFields known = platform::KnownFields::All);
QString stateChangeAfterBrief(const StateChange &change, platform::KnownFields known = platform::KnownFields::All);

/// CSV (UTF-8, header row, RFC 4180 quoting) of changes from fromUs to toUs, columns
/// from_utc,to_utc,change,object,family,key,changed_fields,before,after.
QByteArray stateDiffCsv(const std::vector<StateChange> &changes, qint64 fromUs, qint64 toUs,
                        platform::KnownFields known = platform::KnownFields::All);

} // namespace ncv
