// SPDX-License-Identifier: GPL-2.0-or-later
// SilentDeletions (see silentdeletions.h). Runs on the owning registration's reader thread.
#include "platform/linux/silentdeletions.h"

#include "platform/requester.h"

#include <linux/rtnetlink.h>

#include <algorithm>
#include <iterator>

namespace ncv::platform {

namespace {

// The kernel sends RTM_NEWLINK (IFF_UP cleared) or RTM_DELADDR before it flushes the routes
// (NETDEV_DOWN notifiers run after rtmsg_ifinfo), and route dumps do not take the RTNL
// lock, so the confirming dump runs a little later and, while it still lists routes
// through the interface (a multipath route with another live hop, the local route of a
// kept address) or lists routes not held, once or twice more. Only the last one adds what
// it lists and the store lacks: earlier ones may run before the flush.
constexpr std::int64_t kCheckDelaysUs[] = {20000, 200000, 1000000};
// Dumps of one attempt set aside because events touched the link meanwhile, before the
// check is given up (each dump costs a walk of the link's routes).
constexpr int kMaxRaces = 8;

} // namespace

SilentDeletions::SilentDeletions(StateStore &store, Hooks hooks) : m_store(store), m_hooks(std::move(hooks)) { }

void SilentDeletions::configure(bool enabled, bool filteredDumps)
{
    m_enabled = enabled;
    m_filteredDumps = filteredDumps;
}

void SilentDeletions::noteTouch(const ChangeRecord &record)
{
    if (!m_watch.active || m_watch.touched)
        return;
    const Row &row = record.row();
    if (const auto *route = std::get_if<RouteRow>(&row)) {
        auto touches = [&](const RouteRow &r) {
            if (m_watch.nhId)
                return r.nhId == m_watch.nhId;
            return std::any_of(r.nextHops.begin(), r.nextHops.end(),
                               [&](const NextHop &hop) { return hop.ifIndex == m_watch.ifIndex; });
        };
        const auto *before = std::get_if<RouteRow>(&record.before);
        m_watch.touched = touches(*route) || (before && touches(*before));
    } else if (const auto *link = std::get_if<InterfaceRow>(&row)) {
        m_watch.touched = !m_watch.nhId && link->ifIndex == m_watch.ifIndex;
    } else if (const auto *address = std::get_if<AddressRow>(&row)) {
        m_watch.touched = !m_watch.nhId && address->ifIndex == m_watch.ifIndex;
    }
}

namespace {

/// "kernel (link d1 down)": what inferred records of a flush name as their requester.
std::uint32_t flushCause(SilentDeletions::Cause cause, const std::string &ifName, std::uint32_t ifIndex)
{
    const std::string link = ifName.empty() ? "ifindex " + std::to_string(ifIndex) : ifName;
    switch (cause) {
    case SilentDeletions::Cause::LinkDown: return RequesterTable::cause("kernel (link " + link + " down)");
    case SilentDeletions::Cause::LinkGone: return RequesterTable::cause("kernel (link " + link + " deleted)");
    case SilentDeletions::Cause::LastAddress:
        return RequesterTable::cause("kernel (last IPv4 address of " + link + " removed)");
    case SilentDeletions::Cause::CarrierLost: return RequesterTable::cause("kernel (link " + link + " lost carrier)");
    }
    return RequesterTable::kernel();
}

SilentDeletions::Flush flushOf(SilentDeletions::Cause cause, const std::string &ifName, std::uint32_t ifIndex,
                               IpAddress removed = {})
{
    return {cause, ifIndex, removed, flushCause(cause, ifName, ifIndex)};
}

} // namespace

std::optional<SilentDeletions::Flush> SilentDeletions::observe(const ChangeRecord &record)
{
    noteTouch(record);
    if (record.object == ObjectKind::Interface) {
        const auto *before = std::get_if<InterfaceRow>(&record.before);
        const auto *after = std::get_if<InterfaceRow>(&record.after);
        if (record.change == ChangeKind::Delete && before)
            return flushOf(Cause::LinkGone, before->name, before->ifIndex);
        if (record.change != ChangeKind::Parameter || !before || !after)
            return std::nullopt;
        if (before->adminUp && !after->adminUp)
            return flushOf(Cause::LinkDown, after->name, after->ifIndex);
        if (!before->adminUp && after->adminUp)
            m_deadWithoutAddress.erase(after->ifIndex); // NETDEV_UP: fib_sync_up revives its hops
        else if (after->adminUp && before->carrier && !after->carrier)
            return flushOf(Cause::CarrierLost, after->name, after->ifIndex);
        return std::nullopt;
    }
    if (record.object != ObjectKind::Address || record.family != Family::IPv4)
        return std::nullopt;
    if (const auto *removed = std::get_if<AddressRow>(&record.before);
        removed && (record.change == ChangeKind::Delete || record.change == ChangeKind::Expired)) {
        if (m_store.addressesOn(removed->ifIndex, Family::IPv4).empty()) {
            const InterfaceRow *link = m_store.findInterface(removed->ifIndex);
            return flushOf(Cause::LastAddress, link ? link->name : std::string(), removed->ifIndex, removed->address);
        }
    } else if (const auto *added = std::get_if<AddressRow>(&record.after); added && record.change == ChangeKind::Add) {
        m_deadWithoutAddress.erase(added->ifIndex); // fib_inetaddr_event NETDEV_UP: fib_sync_up
    }
    return std::nullopt;
}

bool SilentDeletions::isCandidate(const Check &check, const RouteRow &row)
{
    if (row.family() != Family::IPv4)
        return false;
    if (check.nhId)
        return row.nhId == check.nhId;
    return std::any_of(row.nextHops.begin(), row.nextHops.end(),
                       [&](const NextHop &hop) { return hop.ifIndex == check.ifIndex; });
}

bool SilentDeletions::hopDead(const NextHop &hop) const
{
    // An unknown interface counts as live: keeping a route wrongly is repaired by the
    // confirming dump's delete, deleting it wrongly only by its last attempt.
    const InterfaceRow *link = m_store.findInterface(hop.ifIndex);
    return (link && !link->adminUp) || m_deadWithoutAddress.count(hop.ifIndex) != 0;
}

void SilentDeletions::infer(const Flush &flush, std::int64_t timeUs)
{
    const std::uint32_t ifIndex = flush.ifIndex;
    const Cause cause = flush.cause;
    const std::uint32_t requester = flush.requester ? flush.requester : flushCause(cause, {}, ifIndex);
    m_cause = requester;
    if (cause == Cause::LinkGone) {
        m_deadWithoutAddress.erase(ifIndex);
        // Exact: no route can keep a next hop on a deleted link, and a dump filtered by its
        // index fails; a pending check of it has nothing left to confirm.
        std::erase_if(m_checks, [ifIndex](const Check &check) { return check.ifIndex == ifIndex; });
    }
    if (!m_enabled)
        return;
    auto onIf = [ifIndex](const NextHop &hop) { return hop.ifIndex == ifIndex; };
    PackedRouteList through; // a compact copy: the store changes while it is worked through
    const std::size_t held = m_store.routesWhere(
        [&](const RouteRow &row) {
            return row.family() == Family::IPv4 && std::any_of(row.nextHops.begin(), row.nextHops.end(), onIf);
        },
        &through);
    const bool force = cause == Cause::LinkGone || cause == Cause::LastAddress;
    bool nexthopObjects = false;
    ChangeRecord record;
    through.forEach([&](const RouteRow &row) {
        if (row.nhId != 0) {
            // Nexthop objects on the interface are removed, unannounced, on down, unregister
            // and carrier loss (not when an address goes): a route using one goes with it, a
            // group loses those members.
            if (cause == Cause::LastAddress)
                return;
            nexthopObjects = true;
            RouteRow after = row;
            std::erase_if(after.nextHops, onIf);
            if (after.nextHops.size() == 1)
                after.nextHops.front().weight = 1; // a single next hop has no weight
            const bool changed = after.nextHops.empty()
                ? m_store.remove(row, timeUs, Origin::Inferred, &record)
                : m_store.replaceRoute(row, after, timeUs, Origin::Inferred, &record);
            if (changed)
                emit(std::move(record));
            return;
        }
        if (cause == Cause::CarrierLost)
            return; // NETDEV_CHANGE only marks the next hops linkdown
        if (cause == Cause::LastAddress && row.prefSrc == flush.removedAddress)
            return; // the address's own routes (and, since Linux 6.6, its prefsrc routes) are announced
        if (!force && row.scope == RT_SCOPE_HOST)
            return; // host-scope next hops (local routes) survive a link down
        const bool dies = cause == Cause::LinkGone
            || std::all_of(row.nextHops.begin(), row.nextHops.end(),
                           [&](const NextHop &hop) { return onIf(hop) || hopDead(hop); });
        if (dies && m_store.remove(row, timeUs, Origin::Inferred, &record))
            emit(std::move(record));
    });
    if (cause == Cause::LastAddress)
        m_deadWithoutAddress.insert(ifIndex);
    if (held > 0
        && (cause == Cause::LinkDown || cause == Cause::LastAddress || (cause == Cause::CarrierLost && nexthopObjects)))
        schedule(ifIndex, 0, requester);
}

void SilentDeletions::nexthopDeleted(const NexthopRow &deleted, std::int64_t timeUs)
{
    if (!m_enabled)
        return;
    const std::uint32_t nhId = deleted.id;
    shrinkGroupRoutes(deleted, timeUs);
    PackedRouteList gone;
    m_store.routesWhere([nhId](const RouteRow &row) { return row.family() == Family::IPv4 && row.nhId == nhId; },
                        &gone);
    const std::uint32_t requester
        = RequesterTable::cause("kernel (nexthop object " + std::to_string(nhId) + " deleted)");
    m_cause = requester;
    ChangeRecord record;
    gone.forEach([&](const RouteRow &row) {
        if (m_store.remove(row, timeUs, Origin::Inferred, &record))
            emit(std::move(record));
    });
    schedule(0, nhId, requester);
}

void SilentDeletions::shrinkGroupRoutes(const NexthopRow &deleted, std::int64_t timeUs)
{
    if (deleted.isGroup())
        return; // groups are not members of groups
    // The groups it was in, while the store still lists them (the kernel announces each
    // shrunk group after the deletion). Without held nexthop objects (a registration without
    // NexthopsMask), a route with several next hops through an object other than this one
    // uses a group: a single nexthop object gives one.
    std::unordered_set<std::uint32_t> groups;
    const bool known = m_store.nexthopCount() > 0;
    if (known)
        for (const NexthopRow &row : m_store.nexthops())
            if (std::any_of(row.group.begin(), row.group.end(),
                            [&](const NexthopGroupMember &m) { return m.id == deleted.id; }))
                groups.insert(row.id);
    if (known && groups.empty())
        return;
    const auto isHop
        = [&](const NextHop &hop) { return hop.gateway == deleted.gateway && hop.ifIndex == deleted.ifIndex; };
    PackedRouteList through;
    m_store.routesWhere(
        [&](const RouteRow &row) {
            if (row.nhId == 0 || row.nhId == deleted.id)
                return false;
            if (known ? !groups.contains(row.nhId) : row.nextHops.size() < 2)
                return false;
            return std::any_of(row.nextHops.begin(), row.nextHops.end(), isHop);
        },
        &through);
    if (through.size() == 0)
        return;
    m_cause = RequesterTable::cause("kernel (nexthop object " + std::to_string(deleted.id) + " deleted)");
    ChangeRecord record;
    through.forEach([&](const RouteRow &row) {
        RouteRow after = row;
        after.nextHops.erase(std::find_if(after.nextHops.begin(), after.nextHops.end(), isHop));
        if (after.nextHops.empty())
            return; // the group goes too: its own RTM_DELNEXTHOP takes the routes
        // An IPv4 route through a one-member group is dumped as a single path (no weight);
        // IPv6 keeps the multipath form with the member's weight.
        if (after.nextHops.size() == 1 && row.family() == Family::IPv4)
            after.nextHops.front().weight = 1;
        if (m_store.replaceRoute(row, after, timeUs, Origin::Inferred, &record))
            emit(std::move(record));
    });
}

void SilentDeletions::schedule(std::uint32_t ifIndex, std::uint32_t nhId, std::uint32_t requester)
{
    for (Check &check : m_checks) {
        if (check.ifIndex == ifIndex && check.nhId == nhId) { // restart the schedule of a pending check
            check.attempt = 0;
            check.races = 0;
            check.dueUs = nowUs() + kCheckDelaysUs[0];
            check.requester = requester;
            return;
        }
    }
    m_checks.push_back({ifIndex, nhId, 0, nowUs() + kCheckDelaysUs[0], 0, requester});
}

int SilentDeletions::msUntilNextCheck() const
{
    if (m_checks.empty())
        return -1;
    std::int64_t due = m_checks.front().dueUs;
    for (const Check &check : m_checks)
        due = std::min(due, check.dueUs);
    const std::int64_t left = due - nowUs();
    return left <= 0 ? 0 : int((left + 999) / 1000);
}

void SilentDeletions::confirmRoute(const RouteRow &row)
{
    if (!m_confirming.check || !isCandidate(*m_confirming.check, row))
        return; // an unfiltered dump lists every route
    bool differs = false;
    const bool held = m_store.markRoute(row, &differs);
    if (!held)
        ++m_confirming.unheld;
    if (m_confirming.reconcile && (!held || differs))
        m_confirming.corrections.push(row); // applied once the dump is known not to have raced
}

void SilentDeletions::runDueChecks()
{
    const std::int64_t now = nowUs();
    std::vector<Check> due;
    for (auto it = m_checks.begin(); it != m_checks.end();) {
        if (it->dueUs <= now) {
            due.push_back(*it);
            it = m_checks.erase(it);
        } else {
            ++it;
        }
    }
    auto pending = [this](const Check &check) {
        return std::any_of(m_checks.begin(), m_checks.end(),
                           [&](const Check &c) { return c.ifIndex == check.ifIndex && c.nhId == check.nhId; });
    };
    for (Check &check : due) {
        // Catch up with the event stream first: its flushes are inferred at their own time,
        // and one of this link restarts the check (then the restarted one runs later).
        const bool caughtUp = m_hooks.drainEvents();
        if (pending(check))
            continue;
        // The dump marks the held candidates it lists (IPv4 routes with a next hop on the
        // interface, or using the deleted nexthop object); the unmarked ones are gone. (At a
        // million routes on one link: no copy of each candidate, no key set; the gone ones
        // wait in a PackedRouteList, ~25 bytes each.) A filtered dump is cheap and also finds
        // routes inferred gone that the kernel kept; an unfiltered one runs only while
        // candidates are held (after RTM_DELNEXTHOP none can be listed that the store lacks).
        auto candidate = [&check](const RouteRow &row) { return isCandidate(check, row); };
        const bool filtered = m_filteredDumps && !check.nhId;
        if (!filtered && !m_store.anyRoute(candidate))
            continue;
        const bool last = check.attempt + 1 >= int(std::size(kCheckDelaysUs));
        m_store.clearRouteMarks();
        m_confirming = Confirming {&check, last, 0, {}};
        m_watch = Watch {true, !caughtUp, check.ifIndex, check.nhId};
        std::string error;
        const DumpResult r = m_hooks.dumpIpv4Routes(filtered ? check.ifIndex : 0, error);
        const std::size_t unheld = m_confirming.unheld;
        PackedRouteList corrections = std::move(m_confirming.corrections);
        m_confirming = Confirming {};
        if (r == DumpResult::Cancelled) {
            m_watch = Watch {};
            return;
        }
        // Events that arrived meanwhile: if one touched the link, the dump may show a state
        // the stream has not reached (or has left): set it aside and dump again later.
        if (r == DumpResult::Ok && !m_hooks.drainEvents())
            m_watch.touched = true;
        const bool raced = m_watch.touched;
        m_watch = Watch {};
        if (r == DumpResult::Failed) {
            m_hooks.failed("confirming silent route deletions failed: " + error);
            continue;
        }
        if (raced) {
            if (!pending(check) && ++check.races < kMaxRaces) {
                check.dueUs = nowUs() + kCheckDelaysUs[check.attempt];
                m_checks.push_back(check);
            }
            continue;
        }
        PackedRouteList gone;
        const bool survivors = m_store.unmarkedRoutes(candidate, &gone) > 0;
        const std::int64_t t = nowUs();
        m_cause = check.requester; // what the dump confirms: the flush its check was made for
        ChangeRecord record;
        gone.forEach([&](const RouteRow &row) {
            if (m_store.remove(row, t, Origin::Inferred, &record))
                emit(std::move(record));
        });
        // The last attempt: a route inferred gone that the kernel kept, or one that differs.
        corrections.forEach([&](const RouteRow &row) {
            if (m_store.upsert(row, t, Origin::Inferred, &record))
                emit(std::move(record));
        });
        m_hooks.deliver();
        if (!last && (survivors || unheld > 0)) {
            ++check.attempt;
            check.races = 0;
            check.dueUs = nowUs() + kCheckDelaysUs[check.attempt];
            m_checks.push_back(check);
        }
    }
}

} // namespace ncv::platform
