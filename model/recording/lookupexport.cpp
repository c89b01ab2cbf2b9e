// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/lookupexport.h"

#include "model/export/csvwriter.h"
#include "model/export/outputfile.h"
#include "model/recording/recordingexport.h"
#include "model/recording/recordstate.h"
#include "platform/format.h"
#include "platform/statestore.h"

#include <QIODevice>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

namespace ncv::recording {

using namespace ncv::platform;

bool parseRouteQuery(const RouteQueryText &text, RouteQuery *query, RouteQueryField *field, QString *why)
{
    *query = {};
    *field = RouteQueryField::None;
    const auto refuse = [&](RouteQueryField f, const QString &w) {
        *field = f;
        *why = w;
        return false;
    };
    const QString destination = text.destination.trimmed();
    query->destination = IpAddress::parse(destination.toStdString());
    if (query->destination.family == Family::Unspec)
        return refuse(RouteQueryField::Destination,
                      destination.isEmpty() ? QStringLiteral("is empty")
                                            : QStringLiteral("is not an IPv4 or IPv6 address"));
    const QString source = text.source.trimmed();
    if (!source.isEmpty()) {
        query->source = IpAddress::parse(source.toStdString());
        if (query->source.family == Family::Unspec)
            return refuse(RouteQueryField::Source, QStringLiteral("is not an IPv4 or IPv6 address"));
        if (query->source.family != query->destination.family)
            return refuse(RouteQueryField::Source,
                          QStringLiteral("is not of the destination's family (%1)").arg(destination));
    }
    const QString mark = text.fwmark.trimmed();
    if (!mark.isEmpty()) {
        bool ok = false;
        const bool hex = mark.startsWith(QLatin1String("0x"), Qt::CaseInsensitive);
        if (!hex && mark.size() > 1 && mark.startsWith(QLatin1Char('0')))
            return refuse(RouteQueryField::Fwmark,
                          QStringLiteral("has a leading 0 (ip would read it as octal): write it in decimal or 0x hex"));
        // Digits only: toULongLong() would take a sign or spaces.
        const QString digits = hex ? mark.mid(2) : mark;
        const bool plain = !digits.isEmpty() && std::all_of(digits.begin(), digits.end(), [hex](QChar c) {
            return c.isDigit() || (hex && QStringLiteral("abcdefABCDEF").contains(c));
        });
        const qulonglong value = plain ? digits.toULongLong(&ok, hex ? 16 : 10) : 0;
        if (!plain || !ok || value > 0xFFFFFFFFull)
            return refuse(RouteQueryField::Fwmark, QStringLiteral("is not a 32-bit number (decimal, or hex with 0x)"));
        query->fwmark = std::uint32_t(value);
    }
    const QString iif = text.inputInterface.trimmed();
    if (!iif.isEmpty()) {
        // IFNAMSIZ (16) with its NUL; the kernel's dev_valid_name() refuses '/', ':' and spaces.
        if (iif.toUtf8().size() > 15 || iif.contains(QLatin1Char('/')) || iif.contains(QLatin1Char(':'))
            || iif.contains(QLatin1Char(' ')) || iif == QLatin1String(".") || iif == QLatin1String(".."))
            return refuse(RouteQueryField::InputInterface,
                          QStringLiteral("is not an interface name (at most 15 bytes, no '/', ':' or spaces)"));
        query->inputInterface = iif.toStdString();
    }
    return true;
}

namespace {

// A route's identity: what the kernel tells two routes apart by (Linux: table, prefix, TOS,
// metric; Windows: interface LUID and next hop with the prefix).
using RouteKey
    = std::tuple<std::uint32_t, IpAddress, std::uint8_t, std::uint8_t, std::uint32_t, std::uint64_t, IpAddress>;

RouteKey keyOf(const RouteRow &r)
{
    const bool windows = r.protocolSpace == ProtocolSpace::MibIpProto;
    return {r.table,
            r.destination,
            r.prefixLength,
            r.tos,
            windows ? 0 : r.metric,
            r.luid,
            windows && !r.nextHops.empty() ? r.nextHops.front().gateway : IpAddress()};
}

} // namespace

void describeAnswer(LookupChange &c, const std::map<std::uint32_t, std::string> &names)
{
    const RouteAnswer &a = c.answer;
    const auto join = [&](bool gateways) {
        std::string out;
        if (!a.hasRoute || a.outcome != RouteAnswer::Outcome::Route)
            return out;
        bool first = true;
        for (const NextHop &hop : a.route.nextHops) {
            if (!first)
                out += ';';
            first = false;
            if (gateways) {
                if (!hop.gateway.isUnspecified())
                    out += toString(hop.gateway);
            } else {
                const auto it = names.find(hop.ifIndex);
                out += it != names.end() ? it->second : "if " + std::to_string(hop.ifIndex);
            }
        }
        return out;
    };
    switch (a.outcome) {
    case RouteAnswer::Outcome::Route: c.outcome = routeTypeName(a.route.type); break;
    case RouteAnswer::Outcome::NoRoute: c.outcome = "no route"; break;
    case RouteAnswer::Outcome::Blackhole: c.outcome = "blackhole"; break;
    case RouteAnswer::Outcome::Unreachable: c.outcome = "unreachable"; break;
    case RouteAnswer::Outcome::Prohibit: c.outcome = "prohibit"; break;
    }
    c.table = a.hasRoute ? tableName(a.table) : std::string();
    c.rule = a.hasRule ? std::to_string(a.rule.priority) : std::string();
    c.route = a.hasRoute ? toCidr(a.route.destination, a.route.prefixLength) : std::string();
    c.metric = a.hasRoute ? std::to_string(a.route.metric) : std::string();
    c.gateway = join(true);
    c.ifName = join(false);
}

QByteArray lookupCsvLine(const RouteQuery &q, const LookupChange &c, bool nanoseconds)
{
    QByteArray line = isoTime(c.timeUs, nanoseconds, c.timeSubUsNs).toUtf8();
    for (const std::string &cell :
         {toString(q.destination), q.source.isUnspecified() ? std::string() : toString(q.source),
          q.fwmark != 0 ? std::to_string(q.fwmark) : std::string(), c.outcome, c.table, c.rule, c.route, c.metric,
          c.gateway, c.ifName, c.cause}) {
        line += ',';
        line += csv::cell(std::string_view(cell));
    }
    line += "\r\n";
    return line;
}

// The pass's state between events: the covering routes, interface names, rules and
// nexthop objects of the namespace looked up in, and the changes so far.
struct LookupTracker::State {
    RouteQuery query;
    std::uint32_t netns = 0;
    std::int64_t fromUs = 0;
    std::map<RouteKey, RouteRow> covering;
    std::map<std::uint32_t, std::string> names;
    std::map<std::string, RuleRow> held; // the recorded rules of the destination's family, by key
    NexthopObjects nexthops; // every recorded nexthop object: routes through them go where they say
    bool recordedNexthops = false; // a recording made before they were recorded has none
    bool recordedRules = false; // any rule at the start, or a rule event later
    std::vector<PolicyRule> rules;
    std::vector<RouteRow> candidates; // scratch
    bool started = false; // the start's row is out
    bool startedAtEnd = false; // ... pushed by finish(): undone by a later initial row
    std::uint64_t lastSeq = 0;
    std::vector<LookupChange> changes;

    void takeRules()
    {
        rules.clear();
        if (!recordedRules) {
            rules = defaultPolicyRules(query.destination.family);
            return;
        }
        for (const auto &[key, u] : held)
            rules.push_back(policyRuleOf(u));
    }
    RouteAnswer answer()
    {
        candidates.clear();
        for (const auto &[key, route] : covering)
            candidates.push_back(route);
        return lookupRoute(query, candidates, rules, recordedNexthops ? &nexthops : nullptr);
    }
    void start()
    {
        started = true;
        LookupChange c;
        c.timeUs = fromUs;
        c.answer = answer();
        c.cause = "state at start";
        describeAnswer(c, names);
        changes.push_back(std::move(c));
    }
};

LookupTracker::LookupTracker() = default;
LookupTracker::~LookupTracker() = default;
LookupTracker::LookupTracker(LookupTracker &&) noexcept = default;
LookupTracker &LookupTracker::operator=(LookupTracker &&) noexcept = default;
LookupTracker::LookupTracker(const LookupTracker &other)
    : m_state(other.m_state ? std::make_unique<State>(*other.m_state) : nullptr)
{ }
LookupTracker &LookupTracker::operator=(const LookupTracker &other)
{
    if (this != &other)
        m_state = other.m_state ? std::make_unique<State>(*other.m_state) : nullptr;
    return *this;
}

bool LookupTracker::isValid() const
{
    return m_state != nullptr;
}

const std::vector<LookupChange> &LookupTracker::changes() const
{
    static const std::vector<LookupChange> none;
    return m_state ? m_state->changes : none;
}

std::uint64_t LookupTracker::lastSeq() const
{
    return m_state ? m_state->lastSeq : 0;
}

const RouteQuery *LookupTracker::query() const
{
    return m_state ? &m_state->query : nullptr;
}

std::uint32_t LookupTracker::netns() const
{
    return m_state ? m_state->netns : 0;
}

std::int64_t LookupTracker::fromUs() const
{
    return m_state ? m_state->fromUs : 0;
}

bool LookupTracker::begin(RecordingReader &reader, const RouteQuery &query, std::int64_t fromUs, std::uint32_t netns,
                          QString *error, const std::atomic<bool> *cancel)
{
    m_state.reset();
    if (query.destination.isUnspecified() && query.destination.family == Family::Unspec) {
        *error = QStringLiteral("no destination address to look up");
        return false;
    }
    // The tables of every namespace apart; the lookup is made in netns's alone (ifindex 2 and
    // 10.0.0.0/8 may be in every one).
    const RecordingInfo &info = reader.info();
    NamespaceStates states(info.keyScheme());
    if (!reader.stateAt(fromUs, &states, error, cancel))
        return false;
    auto st = std::make_unique<State>();
    st->query = query;
    st->netns = netns;
    st->fromUs = fromUs;
    const RecordState none(info.keyScheme());
    const RecordState *found = states.find(netns);
    const RecordState &state = found ? *found : none;
    const StateStore ruleKeys(StateStore::KeyScheme::Linux);
    const Family family = query.destination.family;
    state.forEach([&](const InterfaceRow &i) { st->names[i.ifIndex] = i.name; }, [](const AddressRow &) {},
                  [&](const RouteRow &r) {
                      if (prefixCovers(r, query.destination))
                          st->covering.emplace(keyOf(r), r);
                  },
                  [](const NeighborRow &) {},
                  [&](const RuleRow &u) {
                      if (u.family == family)
                          st->held.emplace(ruleKeys.key(u), u);
                  },
                  [&](const NexthopRow &h) {
                      st->recordedNexthops = true;
                      st->nexthops.insert_or_assign(h.id, h);
                  });
    // A recording with rules (any at the start, or a rule event later) follows them; one
    // without is looked up through the kernel's defaults.
    st->recordedRules = !st->held.empty();
    st->takeRules();
    m_state = std::move(st);
    return true;
}

void LookupTracker::apply(const RecordedEvent &e)
{
    State &st = *m_state;
    st.lastSeq = std::max(st.lastSeq, e.seq);
    const ChangeRecord &r = e.record;
    if (r.netns != st.netns)
        return; // another namespace's change
    if (st.startedAtEnd) {
        // finish() wrote the start's row before the initial rows were all in: they belong
        // to the start (as a pass over the whole file would have them), not changes of it.
        st.startedAtEnd = false;
        if (r.change == ChangeKind::Initial) {
            st.changes.clear();
            st.started = false;
        }
    }
    if (!st.started && r.change != ChangeKind::Initial)
        st.start();
    // The answer again after an event that can change it: a row when it did.
    const auto reconsider = [&] {
        if (!st.started)
            return;
        RouteAnswer next = st.answer();
        if (next.sameChoice(st.changes.back().answer))
            return;
        LookupChange c;
        c.timeUs = r.timeUs;
        c.timeSubUsNs = r.timeSubUsNs;
        c.seq = e.seq;
        c.answer = std::move(next);
        c.cause = summary(r, e.ifName.toStdString());
        describeAnswer(c, st.names);
        st.changes.push_back(std::move(c));
    };
    const Family family = st.query.destination.family;
    if (r.object == ObjectKind::Interface) {
        if (const auto *i = std::get_if<InterfaceRow>(&r.after))
            st.names[i->ifIndex] = i->name;
        return;
    }
    if (r.object == ObjectKind::Rule) {
        const auto *before = std::get_if<RuleRow>(&r.before);
        const auto *after = std::get_if<RuleRow>(&r.after);
        if ((before ? before->family : after ? after->family : Family::Unspec) != family)
            return;
        const StateStore ruleKeys(StateStore::KeyScheme::Linux);
        st.recordedRules = true;
        if (before)
            st.held.erase(ruleKeys.key(*before));
        if (after && r.change != ChangeKind::Delete)
            st.held.insert_or_assign(ruleKeys.key(*after), *after);
        st.takeRules();
        reconsider();
        return;
    }
    if (r.object == ObjectKind::Nexthop) {
        // The kernel does not announce the routes through an object that changes:
        // the answer changes with the object.
        st.recordedNexthops = true;
        if (const auto *before = std::get_if<NexthopRow>(&r.before))
            st.nexthops.erase(before->id);
        if (const auto *after = std::get_if<NexthopRow>(&r.after);
            after && r.change != ChangeKind::Delete && r.change != ChangeKind::Expired)
            st.nexthops.insert_or_assign(after->id, *after);
        reconsider();
        return;
    }
    if (r.object != ObjectKind::Route)
        return;
    const auto *before = std::get_if<RouteRow>(&r.before);
    const auto *after = std::get_if<RouteRow>(&r.after);
    const bool beforeCovers = before && prefixCovers(*before, st.query.destination);
    const bool afterCovers = after && prefixCovers(*after, st.query.destination);
    if (!beforeCovers && !afterCovers)
        return;
    if (before)
        st.covering.erase(keyOf(*before));
    if (after && r.change != ChangeKind::Delete && r.change != ChangeKind::Expired && afterCovers)
        st.covering.insert_or_assign(keyOf(*after), *after);
    reconsider();
}

void LookupTracker::finish()
{
    if (!m_state->started) {
        m_state->start();
        m_state->startedAtEnd = true;
    }
}

bool LookupTracker::read(RecordingReader &reader, std::int64_t toUs, QString *error, const std::atomic<bool> *cancel,
                         std::atomic<int> *progress)
{
    const RecordingInfo &info = reader.info();
    const std::int64_t fromUs = m_state->fromUs;
    toUs = std::min(toUs, info.endUs);
    const auto cancelled = [cancel] { return cancel && cancel->load(); };
    std::uint64_t firstSeq = 0, lastSeq = 0;
    reader.sequenceRange(fromUs + 1, toUs, &firstSeq, &lastSeq);
    firstSeq = std::max<std::uint64_t>({firstSeq, info.firstSeq, m_state->lastSeq + 1});
    lastSeq = std::min<std::uint64_t>(lastSeq, info.lastSeq);
    std::int64_t seen = 0;
    QString readError;
    bool read = true;
    if (firstSeq <= lastSeq) {
        const std::uint64_t from = firstSeq;
        read = reader.forEachEvent(
            firstSeq, lastSeq, fromUs + 1, toUs,
            [&](const RecordedEvent &e) {
                if ((++seen & 0xfff) == 0) {
                    if (cancelled())
                        return false;
                    if (progress && lastSeq > from)
                        progress->store(int(std::min<std::uint64_t>(1000, (e.seq - from) * 1000 / (lastSeq - from))));
                }
                apply(e);
                return true;
            },
            &readError);
    }
    if (cancelled()) {
        *error = QStringLiteral("cancelled");
        return false;
    }
    if (!read) {
        *error = readError;
        return false;
    }
    finish();
    if (progress)
        progress->store(1000);
    return true;
}

bool lookupHistory(RecordingReader &reader, const RouteQuery &query, std::int64_t fromUs, std::int64_t toUs,
                   std::vector<LookupChange> *out, QString *error, std::uint32_t netns, const std::atomic<bool> *cancel,
                   std::atomic<int> *progress)
{
    out->clear();
    const RecordingInfo &info = reader.info();
    fromUs = std::max(fromUs, info.startUs);
    LookupTracker tracker;
    if (!tracker.begin(reader, query, fromUs, netns, error, cancel)
        || !tracker.read(reader, toUs, error, cancel, progress))
        return false;
    *out = tracker.changes();
    return true;
}

bool exportLookup(RecordingReader &reader, const RouteQuery &query, std::int64_t fromUs, std::int64_t toUs,
                  const QString &path, std::int64_t *rows, QString *error, std::uint32_t netns)
{
    const QString name = OutputFile::displayName(path);
    std::vector<LookupChange> changes;
    if (!lookupHistory(reader, query, fromUs, toUs, &changes, error, netns))
        return false;
    const bool nanoseconds = reader.info().nanosecondTimes();
    QByteArray buffer = QByteArray(kLookupHeaderLine) + "\r\n";
    for (const LookupChange &c : changes)
        buffer += lookupCsvLine(query, c, nanoseconds);

    OutputFile file;
    QString reason;
    if (!file.open(path, &reason)) {
        *error = QStringLiteral("cannot write %1: %2").arg(name, reason);
        return false;
    }
    bool ok = true;
    qint64 done = 0;
    while (ok && done < buffer.size()) {
        const qint64 w = file.device()->write(buffer.constData() + done, buffer.size() - done);
        ok = w > 0;
        done += std::max<qint64>(w, 0);
    }
    if (!ok) {
        reason = file.device()->errorString();
        file.cancel();
        *error = QStringLiteral("cannot write %1: %2").arg(name, reason);
        return false;
    }
    if (!file.commit(&reason)) {
        *error = QStringLiteral("cannot write %1: %2").arg(name, reason);
        return false;
    }
    *rows = std::int64_t(changes.size());
    return true;
}

} // namespace ncv::recording
