// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/statediff.h"

#include "model/export/csvwriter.h"
#include "platform/diff.h"
#include "platform/format.h"
#include "platform/rowfields.h"
#include "platform/statestore.h"

#include <map>
#include <string>
#include <type_traits>

namespace ncv {

using namespace platform;

namespace {

ObjectKind objectOf(const Row &row)
{
    return objectKindOf(row) == ObjectKind::Entity ? ObjectKind::None : objectKindOf(row);
}

Family familyOfRow(const Row &row)
{
    return rowFamily(row);
}

/// The object kind first, so the map orders interfaces, addresses, routes and keys of
/// different kinds never meet.
std::string keyOf(const StateStore &keys, const Row &row)
{
    std::string key(1, char('0' + row.index()));
    std::visit(
        [&](const auto &r) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (!std::is_same_v<R, std::monostate> && !std::is_same_v<R, EntityRow>)
                key += keys.key(r);
        },
        row);
    return key;
}

FieldMask rowDiff(const Row &before, const Row &after)
{
    return std::visit(
        [&](const auto &b) -> FieldMask {
            using R = std::decay_t<decltype(b)>;
            if constexpr (!std::is_same_v<R, std::monostate> && !std::is_same_v<R, EntityRow>) {
                if (const auto *a = std::get_if<R>(&after))
                    return platform::diff(b, *a);
            }
            return 0;
        },
        before);
}

QString attributes(const Row &row, KnownFields known, std::string_view ifName)
{
    if (std::holds_alternative<std::monostate>(row))
        return QString();
    std::string out;
    appendAttributes(out, row, known, ifName);
    return QString::fromStdString(out);
}

/// The changed fields of row, "mtu 1500; operstate down" (fields without a value: "-").
/// ifName: the name of row's interface in its state.
QString changedValues(const StateChange &change, const Row &row, KnownFields known, std::string_view ifName)
{
    const FieldMask mask = change.changedFields & knownFields(change.object, known);
    std::map<std::string, std::string> texts;
    for (auto &[name, text] : fieldTexts(row, known, ifName))
        texts[name] = std::move(text);
    std::string out;
    for (int bit = 0; bit < 32; ++bit) {
        if (!(mask & (FieldMask(1) << bit)))
            continue;
        const std::string name(fieldName(change.object, bit));
        if (!out.empty())
            out += "; ";
        out += name;
        out += ' ';
        const auto it = texts.find(name);
        out += it == texts.end() || it->second.empty() ? std::string("-") : it->second;
    }
    return QString::fromStdString(out);
}

} // namespace

QString stateChangeKindName(StateChange::Kind kind)
{
    switch (kind) {
    case StateChange::Added: return QStringLiteral("added");
    case StateChange::Removed: return QStringLiteral("removed");
    case StateChange::Changed: return QStringLiteral("changed");
    }
    return QString();
}

std::vector<StateChange> diffStates(const recording::RecordState &from, const recording::RecordState &to,
                                    StateStore::KeyScheme scheme)
{
    const StateStore keys(scheme);
    const auto ifNameIn = [](const recording::RecordState &state, const Row &row) {
        const std::uint32_t ifIndex = std::holds_alternative<InterfaceRow>(row) ? 0 : rowIfIndex(row);
        const InterfaceRow *interface = ifIndex != 0 ? state.interface(ifIndex) : nullptr;
        return interface ? interface->name : std::string();
    };
    std::map<std::string, Row> before;
    from.forEach([&](const Row &row) { before.emplace(keyOf(keys, row), row); });
    std::map<std::string, StateChange> changes;
    to.forEach([&](const Row &row) {
        std::string key = keyOf(keys, row);
        const auto it = before.find(key);
        if (it == before.end()) {
            changes.emplace(std::move(key),
                            StateChange {StateChange::Added, objectOf(row), {}, row, 0, {}, ifNameIn(to, row)});
            return;
        }
        const FieldMask mask = rowDiff(it->second, row);
        if (mask != 0)
            changes.emplace(std::move(key),
                            StateChange {StateChange::Changed, objectOf(row), it->second, row, mask,
                                         ifNameIn(from, it->second), ifNameIn(to, row)});
        before.erase(it);
    });
    for (auto &[key, row] : before)
        changes.emplace(key, StateChange {StateChange::Removed, objectOf(row), row, {}, 0, ifNameIn(from, row), {}});
    std::vector<StateChange> out;
    out.reserve(changes.size());
    for (auto &[key, change] : changes)
        out.push_back(std::move(change));
    return out;
}

QString stateChangeKey(const StateChange &change)
{
    return QString::fromStdString(keyText(change.row()));
}

QString stateChangeFields(const StateChange &change)
{
    return change.kind == StateChange::Changed ? QString::fromStdString(fieldList(change.object, change.changedFields))
                                               : QString();
}

QString stateChangeBefore(const StateChange &change, KnownFields known)
{
    return attributes(change.before, known, change.beforeIfName);
}

QString stateChangeAfter(const StateChange &change, KnownFields known)
{
    return attributes(change.after, known, change.afterIfName);
}

QString stateChangeChanges(const StateChange &change, KnownFields known)
{
    if (change.kind != StateChange::Changed)
        return QString();
    ChangeRecord record;
    record.object = change.object;
    record.change = ChangeKind::Parameter;
    record.changedFields = change.changedFields;
    record.before = change.before;
    record.after = change.after;
    std::string out;
    // Each side with the name its own state gives the interface (a rename between them).
    appendChanges(out, record, known, change.beforeIfName, change.afterIfName);
    return QString::fromStdString(out);
}

QString stateChangeBeforeBrief(const StateChange &change, KnownFields known)
{
    return change.kind == StateChange::Changed ? changedValues(change, change.before, known, change.beforeIfName)
                                               : stateChangeBefore(change, known);
}

QString stateChangeAfterBrief(const StateChange &change, KnownFields known)
{
    return change.kind == StateChange::Changed ? changedValues(change, change.after, known, change.afterIfName)
                                               : stateChangeAfter(change, known);
}

QByteArray stateDiffCsv(const std::vector<StateChange> &changes, qint64 fromUs, qint64 toUs, KnownFields known)
{
    QByteArray out = "from_utc,to_utc,change,object,family,key,changed_fields,before,after\r\n";
    const QByteArray from = csv::isoTimeUtc(fromUs);
    const QByteArray to = csv::isoTimeUtc(toUs);
    for (const StateChange &c : changes) {
        out += from + ',' + to + ',' + csv::cell(stateChangeKindName(c.kind)) + ',' + csv::cell(objectName(c.object))
            + ',' + csv::cell(familyName(familyOfRow(c.row()))) + ',' + csv::cell(stateChangeKey(c)) + ','
            + csv::cell(stateChangeFields(c)) + ',' + csv::cell(stateChangeBefore(c, known)) + ','
            + csv::cell(stateChangeAfter(c, known)) + "\r\n";
    }
    return out;
}

} // namespace ncv
