// SPDX-License-Identifier: GPL-2.0-or-later
// RtnetlinkSource against the real kernel, inside a private network namespace entered at
// the start of main(). Changes are made with `ip` (iproute2); the records delivered by the
// source are asserted exactly (object, change, key, changed fields), in order.
//
// Ordering technique: after a change, the test waits for the records it expects, then
// sets a unique alias on lo (a "sync marker") and waits for that record. Everything
// delivered before the marker is the complete effect of the change, so the test can
// assert that nothing else (and no no-op) was delivered — without sleeping.
#include "platform/format.h"
#include "platform/linux/rtnetlinksource.h"
#include "platform/requester.h"
#include "platform/rowfields.h"
#include "platform/statestore.h"
#include "support/netns.h"
#include "support/recordcollector.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sys/socket.h>

using namespace ncv::platform;
using namespace Qt::StringLiterals;
using ncv::test::Collector;
using ncv::test::describe;
using ncv::test::describeAll;

namespace {

constexpr int kTimeoutMs = 5000;

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

bool runIp(const QStringList &args, QString *output = nullptr, bool quiet = false)
{
    QProcess p;
    p.start(u"ip"_s, args);
    if (!p.waitForFinished(kTimeoutMs) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (!quiet)
            qWarning().noquote() << "ip" << args.join(u' ') << "failed:" << p.readAllStandardError();
        return false;
    }
    if (output)
        *output = QString::fromUtf8(p.readAllStandardOutput());
    return true;
}

bool writeSysctl(const QString &path, const QByteArray &value)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    return f.write(value) == value.size();
}

/// True once `ip` reports the link operationally up (linkwatch runs asynchronously after
/// `ip link set up`; waiting for it keeps its late events out of the next registration).
bool waitIpShows(const QStringList &args, const QString &text);
bool waitOperUp(const QString &name)
{
    return waitIpShows({u"-o"_s, u"link"_s, u"show"_s, u"dev"_s, name}, u"state UP"_s);
}

/// True once the output of `ip args` contains text (polls; for asynchronous kernel work).
bool waitIpShows(const QStringList &args, const QString &text)
{
    QDeadlineTimer deadline(kTimeoutMs);
    while (!deadline.hasExpired()) {
        QString out;
        if (runIp(args, &out) && out.contains(text))
            return true;
        QThread::msleep(20);
    }
    return false;
}

/// Creates the veth pair ncv0/ncv1; with up, sets both up and waits for operstate up.
bool makeVethPair(bool up)
{
    if (!runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}))
        return false;
    if (!up)
        return true;
    return runIp({u"link"_s, u"set"_s, u"ncv1"_s, u"up"_s}) && runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s})
        && waitOperUp(u"ncv0"_s) && waitOperUp(u"ncv1"_s);
}

int g_syncCounter = 0;

/// Sets a unique alias on lo and returns, per collector, everything delivered before that
/// marker record (the marker itself is removed). False if a marker does not arrive.
bool syncAndTakeAll(const std::vector<std::pair<Collector *, std::vector<ChangeRecord> *>> &collectors)
{
    const std::string alias = "ncv-sync-" + std::to_string(++g_syncCounter);
    if (!runIp({u"link"_s, u"set"_s, u"dev"_s, u"lo"_s, u"alias"_s, q(alias)}))
        return false;
    auto isMarker = [alias](const ChangeRecord &r) {
        const auto *i = std::get_if<InterfaceRow>(&r.after);
        return r.object == ObjectKind::Interface && i && i->name == "lo" && i->alias == alias;
    };
    for (auto [c, before] : collectors) {
        if (!c->waitUntil([&](const auto &records) { return std::any_of(records.begin(), records.end(), isMarker); }))
            return false;
        *before = c->takeThrough(isMarker);
        before->pop_back();
    }
    return true;
}

bool syncAndTake(Collector &c, std::vector<ChangeRecord> *before)
{
    return syncAndTakeAll({{&c, before}});
}

QStringList detailsOf(const std::vector<ChangeRecord> &records)
{
    QStringList out;
    for (const auto &r : records)
        out << q(details(r));
    return out;
}

bool hasDescription(const std::vector<ChangeRecord> &records, const QString &text)
{
    return std::any_of(records.begin(), records.end(), [&](const ChangeRecord &r) { return describe(r) == text; });
}

/// Waits until every text in expected has been delivered, then syncs and returns all
/// records delivered before the marker in *got.
bool expectThenSync(Collector &c, const QStringList &expected, QStringList *got,
                    std::vector<ChangeRecord> *records = nullptr)
{
    const bool all = c.waitUntil([&](const auto &records) {
        for (const auto &e : expected)
            if (!hasDescription(records, e))
                return false;
        return true;
    });
    std::vector<ChangeRecord> before;
    const bool synced = syncAndTake(c, &before);
    *got = describeAll(before);
    if (!all || !synced || *got != expected) {
        qWarning().noquote() << "expected:" << expected;
        qWarning().noquote() << "got:     " << *got;
        for (const auto &r : before)
            qWarning().noquote() << "   " << q(summary(r));
    }
    if (records)
        *records = std::move(before);
    return synced;
}

// ---------------------------------------------------------------------------------------
// Route state comparison: the routes a collector's records describe (a replica built by
// replaying them) against what `ip -j route show table all` lists, as sets of normalized
// keys "dst table metric type [hops]" with hops "ifindex/gateway/weight" sorted.

QString hopsKey(std::vector<QString> hops)
{
    std::sort(hops.begin(), hops.end());
    QStringList list(hops.begin(), hops.end());
    return u'[' + list.join(u',') + u']';
}

QString routeKey(const RouteRow &r)
{
    std::vector<QString> hops;
    for (const NextHop &h : r.nextHops)
        hops.push_back(QString::number(h.ifIndex) + u'/'
                       + (h.gateway.isUnspecified() ? QString() : q(toString(h.gateway))) + u'/'
                       + QString::number(h.weight));
    return q(toCidr(r.destination, r.prefixLength)) + u' ' + QString::number(r.table) + u' ' + QString::number(r.metric)
        + u' ' + QString::number(r.type) + u' ' + hopsKey(hops);
}

/// Replays route records of one family into a set of keys.
std::set<QString> replicaRoutes(const std::vector<ChangeRecord> &records, Family family)
{
    std::set<QString> routes;
    for (const auto &r : records) {
        if (r.object != ObjectKind::Route || r.family != family)
            continue;
        if (const auto *b = std::get_if<RouteRow>(&r.before))
            routes.erase(routeKey(*b));
        if (const auto *a = std::get_if<RouteRow>(&r.after))
            routes.insert(routeKey(*a));
    }
    return routes;
}

QJsonArray ipJson(const QStringList &args)
{
    QString out;
    if (!runIp(QStringList {u"-j"_s} + args, &out))
        return {};
    return QJsonDocument::fromJson(out.toUtf8()).array();
}

/// The kernel's routes of one family, as keys (see routeKey).
std::set<QString> kernelRoutes(Family family)
{
    QHash<QString, int> ifIndex;
    for (const auto &v : ipJson({u"link"_s, u"show"_s}))
        ifIndex.insert(v.toObject().value(u"ifname"_s).toString(), v.toObject().value(u"ifindex"_s).toInt());
    static const QHash<QString, int> types
        = {{u"unicast"_s, 1},   {u"local"_s, 2},       {u"broadcast"_s, 3}, {u"anycast"_s, 4}, {u"multicast"_s, 5},
           {u"blackhole"_s, 6}, {u"unreachable"_s, 7}, {u"prohibit"_s, 8},  {u"throw"_s, 9}};
    std::set<QString> routes;
    const QJsonArray list
        = ipJson({family == Family::IPv4 ? u"-4"_s : u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"all"_s});
    for (const auto &v : list) {
        const QJsonObject o = v.toObject();
        QString dst = o.value(u"dst"_s).toString();
        if (dst == u"default"_s)
            dst = family == Family::IPv4 ? u"0.0.0.0/0"_s : u"::/0"_s;
        else if (!dst.contains(u'/'))
            dst += family == Family::IPv4 ? u"/32"_s : u"/128"_s;
        QString table = o.value(u"table"_s).toString(u"main"_s);
        table = table == u"main"_s  ? u"254"_s
            : table == u"local"_s   ? u"255"_s
            : table == u"default"_s ? u"253"_s
                                    : table;
        auto hop = [&](const QJsonObject &h) -> QString {
            return QString::number(ifIndex.value(h.value(u"dev"_s).toString())) + u'/'
                + h.value(u"gateway"_s).toString() + u'/' + QString::number(h.value(u"weight"_s).toInt(1));
        };
        std::vector<QString> hops;
        if (o.contains(u"nexthops"_s)) {
            for (const auto &h : o.value(u"nexthops"_s).toArray())
                hops.push_back(hop(h.toObject()));
        } else if (o.contains(u"dev"_s)) {
            hops.push_back(hop(o));
        }
        routes.insert(dst + u' ' + table + u' ' + QString::number(o.value(u"metric"_s).toInt(0)) + u' '
                      + QString::number(types.value(o.value(u"type"_s).toString(u"unicast"_s), 0)) + u' '
                      + hopsKey(hops));
    }
    return routes;
}

/// Logs the differences of two key sets (for failure messages).
void logDifference(const std::set<QString> &held, const std::set<QString> &kernel)
{
    int shown = 0;
    for (const auto &k : held)
        if (!kernel.count(k) && ++shown < 20)
            qWarning().noquote() << "  held only:  " << k;
    for (const auto &k : kernel)
        if (!held.count(k) && ++shown < 40)
            qWarning().noquote() << "  kernel only:" << k;
}

/// True when the IPv4 and IPv6 routes the records describe equal the kernel's tables now;
/// logs the differences otherwise.
bool replicaEqualsKernel(const std::vector<ChangeRecord> &records)
{
    const auto heldV4 = replicaRoutes(records, Family::IPv4), kernelV4 = kernelRoutes(Family::IPv4);
    const auto heldV6 = replicaRoutes(records, Family::IPv6), kernelV6 = kernelRoutes(Family::IPv6);
    logDifference(heldV4, kernelV4);
    logDifference(heldV6, kernelV6);
    return heldV4 == kernelV4 && heldV6 == kernelV6;
}

/// Replays collector's records into replicas of the IPv4 and IPv6 route tables until they
/// equal kernelV4 / kernelV6 or timeoutMs passes (checked every 250 ms). Returns whether
/// they converged; on failure logs the differences of the last replicas.
bool waitForReplicaToMatch(const Collector &collector, const std::set<QString> &kernelV4,
                           const std::set<QString> &kernelV6, int timeoutMs = 60000)
{
    std::set<QString> heldV4, heldV6;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const auto records = collector.records();
        heldV4 = replicaRoutes(records, Family::IPv4);
        heldV6 = replicaRoutes(records, Family::IPv6);
        if (heldV4 == kernelV4 && heldV6 == kernelV6)
            return true;
        QThread::msleep(250);
    }
    logDifference(heldV4, kernelV4);
    logDifference(heldV6, kernelV6);
    return false;
}

std::uint32_t ifIndexOf(const QString &name)
{
    const QJsonArray links = ipJson({u"link"_s, u"show"_s, u"dev"_s, name});
    return links.isEmpty() ? 0 : std::uint32_t(links.first().toObject().value(u"ifindex"_s).toInt());
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

/// Descriptions of the records with the given origin.
QStringList withOrigin(const std::vector<ChangeRecord> &records, Origin origin)
{
    QStringList out;
    for (const auto &r : records)
        if (r.origin == origin)
            out << describe(r);
    return out;
}

/// A neighbor as `ip -j neigh show` gives it: "ifindex dst lladdr STATE... flags".
QString neighborText(std::uint32_t ifIndex, const QString &dst, const QString &lladdr, const QString &state,
                     const QString &flags)
{
    return QString::number(ifIndex) + u' ' + dst + u" lladdr "_s + lladdr + u" state "_s + state + u" flags "_s + flags;
}

QString neighborText(const NeighborRow &n)
{
    std::string state, lladdr, flags;
    fieldtext::neighborState(state, n);
    fieldtext::lladdr(lladdr, n);
    NeighborRow shown = n;
    shown.flags &= NtfRouter | NtfProxy | NtfExtLearned; // the flags ip -j names
    fieldtext::neighborFlags(flags, shown);
    return neighborText(n.ifIndex, q(toString(n.address)), q(lladdr), q(state), q(flags));
}

/// True for a multicast neighbor address: the kernel makes those entries (NOARP, IPv6
/// ff02::16, ff02::1:ffXX:XXXX when MLD runs) without an RTM_NEWNEIGH, so only a dump shows
/// them; the comparisons with the kernel's table leave them out. Their deletion is
/// announced, and is an inferred add then the delete.
bool multicastNeighbor(const QString &dst)
{
    const IpAddress a = IpAddress::parse(dst.toStdString());
    return (a.family == Family::IPv6 && a.bytes[0] == 0xff)
        || (a.family == Family::IPv4 && (a.bytes[0] & 0xf0) == 0xe0);
}

/// The neighbors (normal and proxy entries) the kernel holds, as neighborText() gives them.
std::set<QString> kernelNeighbors()
{
    QHash<QString, int> ifIndex;
    for (const auto &v : ipJson({u"link"_s, u"show"_s}))
        ifIndex.insert(v.toObject().value(u"ifname"_s).toString(), v.toObject().value(u"ifindex"_s).toInt());
    std::set<QString> out;
    for (const QStringList &args :
         {QStringList {u"neigh"_s, u"show"_s, u"nud"_s, u"all"_s}, QStringList {u"neigh"_s, u"show"_s, u"proxy"_s}}) {
        for (const auto &v : ipJson(args)) {
            const QJsonObject o = v.toObject();
            if (multicastNeighbor(o.value(u"dst"_s).toString()))
                continue;
            QStringList states;
            for (const auto &s : o.value(u"state"_s).toArray())
                states << s.toString();
            QStringList flags;
            for (const QString &f : {u"router"_s, u"proxy"_s, u"extern_learn"_s})
                if (o.contains(f))
                    flags << f;
            out.insert(neighborText(std::uint32_t(ifIndex.value(o.value(u"dev"_s).toString())),
                                    o.value(u"dst"_s).toString(), o.value(u"lladdr"_s).toString(), states.join(u' '),
                                    flags.join(u' ')));
        }
    }
    return out;
}

/// The neighbors a stream of records leaves, by key (replica of the store).
struct NeighborReplica {
    std::map<std::string, QString> held;
    StateStore keys;
    void apply(const std::vector<ChangeRecord> &records)
    {
        for (const auto &r : records) {
            if (const auto *b = std::get_if<NeighborRow>(&r.before))
                held.erase(keys.key(*b));
            if (const auto *a = std::get_if<NeighborRow>(&r.after); a && !multicastNeighbor(q(toString(a->address))))
                held[keys.key(*a)] = neighborText(*a);
        }
    }
    std::set<QString> set() const
    {
        std::set<QString> out;
        for (const auto &[k, v] : held)
            out.insert(v);
        return out;
    }
};

/// A rule as `ip rule show` writes it, family first: "ipv4 100: from all fwmark 0x1 lookup 100".
QString ruleText(const RuleRow &r)
{
    std::string text = std::string(familyName(r.family)) + ' ' + std::to_string(r.priority) + ": ";
    appendAttributes(text, r);
    return q(text);
}

/// The rules the kernel holds (both families), from `ip -j rule show`, written in ip rule
/// show's words and order (iproute2 print_rule) as ruleText() writes ours.
std::set<QString> kernelRules()
{
    std::set<QString> out;
    for (const auto &[flag, family] : {std::pair {u"-4"_s, u"ipv4"_s}, std::pair {u"-6"_s, u"ipv6"_s}}) {
        for (const auto &v : ipJson({flag, u"rule"_s, u"show"_s})) {
            const QJsonObject o = v.toObject();
            QStringList w;
            const auto has = [&](const char *key) { return o.contains(QLatin1StringView(key)); };
            const auto text = [&](const char *key) {
                const QJsonValue value = o.value(QLatin1StringView(key));
                return value.isString() ? value.toString() : QString::number(value.toInteger());
            };
            const auto range = [&](const char *word, const char *single, const char *start, const char *end) {
                if (has(single))
                    w << QLatin1StringView(word) << text(single);
                else if (has(start))
                    w << QLatin1StringView(word) << text(start) + u'-' + text(end);
            };
            if (has("not"))
                w << u"not"_s;
            w << u"from"_s << text("src") + (has("srclen") ? u'/' + text("srclen") : QString());
            if (has("dst"))
                w << u"to"_s << text("dst") + (has("dstlen") ? u'/' + text("dstlen") : QString());
            if (has("tos"))
                w << u"tos"_s << text("tos");
            if (has("fwmark"))
                w << u"fwmark"_s << text("fwmark") + (has("fwmask") ? u'/' + text("fwmask") : QString());
            if (has("iif"))
                w << u"iif"_s << text("iif");
            if (has("oif"))
                w << u"oif"_s << text("oif");
            if (has("l3mdev"))
                w << u"lookup [l3mdev-table]"_s;
            if (has("uid_start"))
                w << u"uidrange"_s << text("uid_start") + u'-' + text("uid_end");
            if (has("ipproto"))
                w << u"ipproto"_s << text("ipproto");
            range("sport", "sport", "sport_start", "sport_end");
            range("dport", "dport", "dport_start", "dport_end");
            if (has("tun_id"))
                w << u"tun_id"_s << text("tun_id");
            if (has("table"))
                w << u"lookup"_s << text("table");
            if (has("suppress_prefixlen"))
                w << u"suppress_prefixlength"_s << text("suppress_prefixlen");
            if (has("suppress_ifgroup"))
                w << u"suppress_ifgroup"_s << text("suppress_ifgroup");
            if (has("goto"))
                w << u"goto"_s << text("goto");
            if (has("nop"))
                w << u"nop"_s;
            if (has("action"))
                w << text("action");
            if (has("protocol"))
                w << u"proto"_s << text("protocol");
            out.insert(family + u' ' + text("priority") + u": "_s + w.join(u' '));
        }
    }
    return out;
}

/// The rules a stream of records leaves (replica of the store), as ruleText() gives them.
struct RuleReplica {
    std::map<std::string, QString> held;
    StateStore keys;
    void apply(const std::vector<ChangeRecord> &records)
    {
        for (const auto &r : records) {
            if (const auto *b = std::get_if<RuleRow>(&r.before))
                held.erase(keys.key(*b));
            if (const auto *a = std::get_if<RuleRow>(&r.after))
                held[keys.key(*a)] = ruleText(*a);
        }
    }
    std::set<QString> set() const
    {
        std::set<QString> out;
        for (const auto &[k, v] : held)
            out.insert(v);
        return out;
    }
};

/// A nexthop object in the words and order of `ip nexthop show` (iproute2 print_nexthop),
/// the device by ifName (by index when "") and the scope left out: "id 1 via 10.1.0.2 dev
/// ncv0", "id 10 group 1/2,3 type resilient", "id 3 blackhole proto static onlink".
QString nexthopText(const NexthopRow &h, std::string_view ifName = {})
{
    std::string text = "id " + std::to_string(h.id);
    std::string attributes;
    appendAttributes(attributes, h, KnownFields::All, ifName);
    if (!attributes.empty())
        text += ' ' + attributes;
    return q(text);
}

/// A line of `ip nexthop show` without what our rows do not hold: the scope (nhmsg.nh_scope,
/// which the kernel derives) and a resilient group's timers and its unbalanced time
/// (NHA_RES_GROUP_*). "id 1 via 10.1.0.2 dev ncv0 scope link proto static" -> "id 1 via
/// 10.1.0.2 dev ncv0 proto static".
QString comparableIpNexthop(const QString &line)
{
    QStringList words = line.split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : {u"scope"_s, u"idle_timer"_s, u"unbalanced_timer"_s, u"unbalanced_time"_s}) {
        if (const qsizetype at = words.indexOf(word); at >= 0)
            words.remove(at, std::min<qsizetype>(2, words.size() - at));
    }
    if (const qsizetype at = words.indexOf(u"buckets"_s); at >= 0) // until buckets are read
        words.remove(at, std::min<qsizetype>(2, words.size() - at));
    return words.join(u' ');
}

/// The kernel's nexthop objects, as `ip nexthop show` writes them (comparableIpNexthop()).
std::set<QString> kernelNexthops()
{
    QString out;
    std::set<QString> set;
    if (!runIp({u"nexthop"_s, u"show"_s}, &out))
        return {u"ip nexthop show failed"_s};
    for (const QString &line : out.split(u'\n', Qt::SkipEmptyParts))
        set.insert(comparableIpNexthop(line));
    return set;
}

/// The nexthop objects a stream of records leaves, as nexthopText() gives them, each device
/// by the name the stream's interface records give it.
struct NexthopReplica {
    std::map<std::uint32_t, NexthopRow> held;
    std::map<std::uint32_t, std::string> names; // by ifindex
    void apply(const std::vector<ChangeRecord> &records)
    {
        for (const auto &r : records) {
            if (const auto *i = std::get_if<InterfaceRow>(&r.row())) {
                if (r.change == ChangeKind::Delete)
                    names.erase(i->ifIndex);
                else
                    names[i->ifIndex] = i->name;
            }
            if (const auto *b = std::get_if<NexthopRow>(&r.before))
                held.erase(b->id);
            if (const auto *a = std::get_if<NexthopRow>(&r.after))
                held[a->id] = *a;
        }
    }
    std::set<QString> set() const
    {
        std::set<QString> out;
        for (const auto &[id, h] : held) {
            const auto name = names.find(h.ifIndex);
            out.insert(nexthopText(h, name != names.end() ? std::string_view(name->second) : std::string_view()));
        }
        return out;
    }
};

struct Registration {
    Registration() = default;
    explicit Registration(const RtnetlinkSource::Options &options) : source(std::make_unique<RtnetlinkSource>(options))
    { }
    // The collector before the source: members go in reverse order, so the source (whose
    // destructor cancels its registrations and waits for their callbacks) goes first and
    // never delivers into a destroyed collector.
    Collector collector;
    std::unique_ptr<RtnetlinkSource> source = std::make_unique<RtnetlinkSource>();
    Handle handle = 0;
    Status status;

    Status start(int af, bool initial = false, std::uint32_t objects = AllObjectsMask)
    {
        RegisterParams p;
        p.objects = objects;
        p.addressFamily = af;
        p.callback = &Collector::callback;
        p.callerContext = &collector;
        p.initialNotification = initial;
        status = source->registerChanges(p, &handle);
        return status;
    }
};

} // namespace

class TestRtnetlinkSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void invalidParameters();
    void initialNotification();
    void noInitialNotification();
    void linkLifecycle();
    void ipv4Addresses();
    void ipv6Addresses();
    void routeReplaceAndMetric();
    void ipv6SamePrefixOnTwoInterfaces();
    void familyFilter();
    void cancelWhileBusy();
    void cancelInsideCallback();
    void receiveBufferIsReported();
    void destructorCancelsEverything();
    void overflowIsRecordedAndRepaired();
    void initialDumpStreamsWhileRoutesChange();
    void silentDeletionsAtScale();
    void silentDeletionsOnLinkDown();
    void silentDeletionsOnLinkDelete();
    void silentDeletionsOnLastIpv4Address();
    void noSilentDeletionsOnCarrierLoss();
    void silentDeletionsKeepMultipathWithLiveHop();
    void silentDeletionsInFastLinkFlaps_data();
    void silentDeletionsInFastLinkFlaps();
    void fastLinkFlapsKeepMultipathWithLiveHop();
    void routeExpiry();
    void routePreference();
    void addressExpiry();
    void routingEntities();
    void multipathIpv4();
    void multipathIpv6();
    void nexthopObjects();
    void nexthopObjectsFlushedWithTheirLink();
    void silentDeletionsForRoutesOnlyRegistration();
    void noOpMessages();
    void neighbors();
    void rules();
    void nexthops();
    void nexthopsRepairedByResync();

private:
    bool cleanLinks();
    bool setUpRoutedLink();
    void checkSilentDeletions(const QStringList &command, const QStringList &expectedInferred,
                              bool (TestRtnetlinkSource::*setUp)() = &TestRtnetlinkSource::setUpRoutedLink);
    bool setUpMultipathOverTwoLinks();
};

void TestRtnetlinkSource::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"platform tests need a private network namespace: "_s + q(ns.message)));
    qInfo().noquote() << "network namespace:" << q(ns.message);
    // No IPv6 link-local addresses on new links: keeps the records of link tests exact.
    QVERIFY(writeSysctl(u"/proc/sys/net/ipv6/conf/default/addr_gen_mode"_s, "1"));
}

bool TestRtnetlinkSource::cleanLinks()
{
    QString out;
    if (!runIp({u"-o"_s, u"link"_s, u"show"_s}, &out))
        return false;
    for (const QString &line : out.split(u'\n', Qt::SkipEmptyParts)) {
        const QString name = line.section(u':', 1, 1).trimmed().section(u'@', 0, 0);
        if (name.startsWith(u"ncv"_s))
            runIp({u"link"_s, u"del"_s, u"dev"_s, name}, nullptr, true); // the peer may be gone already
    }
    return true;
}

void TestRtnetlinkSource::init()
{
    QVERIFY(cleanLinks());
}
void TestRtnetlinkSource::cleanup()
{
    cleanLinks();
}

void TestRtnetlinkSource::invalidParameters()
{
    RtnetlinkSource source;
    Collector c;
    RegisterParams p;
    p.callback = &Collector::callback;
    p.callerContext = &c;
    Handle h = 99;

    p.addressFamily = 12345;
    Status s = source.registerChanges(p, &h);
    QCOMPARE(s.error, Error::InvalidParameter);
    QCOMPARE(h, Handle(0));
    QVERIFY(!s.message.empty());

    p.addressFamily = AF_INET;
    QCOMPARE(source.registerChanges(p, nullptr).error, Error::InvalidParameter);
    RegisterParams noCallback = p;
    noCallback.callback = nullptr;
    QCOMPARE(source.registerChanges(noCallback, &h).error, Error::InvalidParameter);
    RegisterParams noObjects = p;
    noObjects.objects = 0;
    QCOMPARE(source.registerChanges(noObjects, &h).error, Error::InvalidParameter);

    QCOMPARE(source.cancel(0).error, Error::InvalidParameter);
    QCOMPARE(source.cancel(12345).error, Error::InvalidHandle);

    s = source.registerChanges(p, &h);
    QVERIFY2(s.ok(), s.message.c_str());
    QVERIFY(h != 0);
    QVERIFY(c.waitForSnapshot());
    QVERIFY(source.cancel(h).ok());
    QCOMPARE(source.cancel(h).error, Error::InvalidHandle);
}

void TestRtnetlinkSource::initialNotification()
{
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"metric"_s, u"100"_s}));
    // Even with nodad the IPv6 address is completed by a work item (addrconf_dad_work),
    // which adds its local route after `ip addr add` returns: wait for it, so the snapshot
    // below and the `ip` listings compared with it see the same settled state.
    QVERIFY(waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:1::1 "_s));

    Registration reg;
    QVERIFY2(reg.start(AF_UNSPEC, true).ok(), reg.status.message.c_str());
    QVERIFY(reg.collector.waitForSnapshot());
    const auto records = reg.collector.records();
    // Initial rows, then exactly one SnapshotComplete, at the end.
    QVERIFY(records.size() > 1);
    QCOMPARE(records.back().change, ChangeKind::SnapshotComplete);
    for (std::size_t i = 0; i + 1 < records.size(); ++i) {
        QCOMPARE(records[i].change, ChangeKind::Initial);
        QVERIFY(!std::holds_alternative<std::monostate>(records[i].after));
        QVERIFY(std::holds_alternative<std::monostate>(records[i].before));
    }
    const QStringList texts = describeAll(records);
    QVERIFY2(texts.contains(u"interface initial lo"_s), qPrintable(texts.join(u'\n')));
    QVERIFY(texts.contains(u"interface initial ncv0"_s));
    QVERIFY(texts.contains(u"interface initial ncv1"_s));
    QVERIFY(texts.contains(u"address initial 10.1.0.1/24"_s));
    QVERIFY(texts.contains(u"address initial 2001:db8:1::1/64"_s));
    QVERIFY(texts.contains(u"route initial 10.9.0.0/24 table main metric 100 via 10.1.0.2"_s));

    // The snapshot holds exactly what `ip` shows: same number of links, addresses, routes.
    auto countLines = [](const QStringList &args) {
        QString out;
        if (!runIp(args, &out))
            return -1;
        return int(out.split(u'\n', Qt::SkipEmptyParts).size());
    };
    auto countKind = [&](ObjectKind k, Family f) {
        return int(std::count_if(records.begin(), records.end(), [&](const ChangeRecord &r) {
            return r.object == k && (f == Family::Unspec || r.family == f);
        }));
    };
    QCOMPARE(countKind(ObjectKind::Interface, Family::Unspec), countLines({u"-o"_s, u"link"_s, u"show"_s}));
    QCOMPARE(countKind(ObjectKind::Address, Family::IPv4), countLines({u"-o"_s, u"-4"_s, u"addr"_s, u"show"_s}));
    QCOMPARE(countKind(ObjectKind::Address, Family::IPv6), countLines({u"-o"_s, u"-6"_s, u"addr"_s, u"show"_s}));
    QCOMPARE(countKind(ObjectKind::Route, Family::IPv4),
             countLines({u"-4"_s, u"route"_s, u"show"_s, u"table"_s, u"all"_s}));
    QCOMPARE(countKind(ObjectKind::Route, Family::IPv6),
             countLines({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"all"_s}));

    // Nothing more (and no second SnapshotComplete) until the sync marker.
    reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; });
    std::vector<ChangeRecord> later;
    QVERIFY(syncAndTake(reg.collector, &later));
    QCOMPARE(describeAll(later), QStringList());
}

void TestRtnetlinkSource::noInitialNotification()
{
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC, false).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    const auto records = reg.collector.records();
    QCOMPARE(records.size(), std::size_t(1));
    QCOMPARE(records.front().change, ChangeKind::SnapshotComplete);
    QCOMPARE(records.front().object, ObjectKind::None);
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    std::vector<ChangeRecord> later;
    QVERIFY(syncAndTake(reg.collector, &later));
    QCOMPARE(describeAll(later), QStringList());
}

void TestRtnetlinkSource::linkLifecycle()
{
    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;
    std::vector<ChangeRecord> records;

    // Create: one add per end of the pair (the kernel registers the peer first).
    QVERIFY(makeVethPair(false));
    QVERIFY(expectThenSync(reg.collector, {u"interface add ncv1"_s, u"interface add ncv0"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface add ncv1"_s, u"interface add ncv0"_s}));
    const auto *added = std::get_if<InterfaceRow>(&records.back().after);
    QVERIFY(added);
    QCOMPARE(added->kind, std::string("veth"));
    QCOMPARE(added->mtu, 1500u);
    QCOMPARE(added->macLength, std::uint8_t(6));
    QVERIFY(!added->adminUp);

    // Up one end while the peer is down: admin up, operstate down -> lowerlayerdown, no carrier.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"interface parameter ncv0 [operstate,admin_up]"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface parameter ncv0 [operstate,admin_up]"_s}));
    QCOMPARE(detailsOf(records), QStringList({u"operstate down -> lowerlayerdown; admin_up down -> up"_s}));

    // Up the other end: ncv1 comes up with carrier at once (veth_open), then linkwatch
    // (asynchronous) moves the operstate of both ends to up.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv1"_s, u"up"_s}));
    const QStringList upBoth
        = {u"interface parameter ncv1 [operstate,admin_up,carrier]"_s, u"interface parameter ncv1 [operstate]"_s,
           u"interface parameter ncv0 [operstate,carrier]"_s};
    QVERIFY(expectThenSync(reg.collector, upBoth, &got, &records));
    QCOMPARE(got, upBoth);
    QCOMPARE(
        detailsOf(records),
        QStringList({u"operstate down -> lowerlayerdown; admin_up down -> up; carrier no -> yes"_s,
                     u"operstate lowerlayerdown -> up"_s, u"operstate lowerlayerdown -> up; carrier no -> yes"_s}));

    // No-op: already up. The kernel may still send RTM_NEWLINK; nothing shown changes.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s}));
    QVERIFY(expectThenSync(reg.collector, {}, &got));
    QCOMPARE(got, QStringList());

    // MTU: exactly the mtu field.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"mtu"_s, u"1400"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"interface parameter ncv0 [mtu]"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface parameter ncv0 [mtu]"_s}));
    QCOMPARE(detailsOf(records), QStringList({u"mtu 1500 -> 1400"_s}));

    // Same MTU again: no-op.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"mtu"_s, u"1400"_s}));
    QVERIFY(expectThenSync(reg.collector, {}, &got));
    QCOMPARE(got, QStringList());

    // Down: ncv0 loses admin up, carrier and operstate; the peer loses carrier.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"down"_s}));
    const QStringList down = {u"interface parameter ncv0 [operstate,admin_up,carrier]"_s,
                              u"interface parameter ncv1 [operstate,carrier]"_s};
    QVERIFY(expectThenSync(reg.collector, down, &got, &records));
    QCOMPARE(got, down);

    // Rename (the link must be down).
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"name"_s, u"ncvr0"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"interface parameter ncvr0 [name]"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface parameter ncvr0 [name]"_s}));
    QCOMPARE(detailsOf(records), QStringList({u"name ncv0 -> ncvr0"_s}));

    // Delete one end: the kernel first closes the peer that is still up (RTM_NEWLINK
    // without IFF_UP), then unregisters both.
    QVERIFY(runIp({u"link"_s, u"del"_s, u"ncvr0"_s}));
    const QStringList gone
        = {u"interface parameter ncv1 [operstate,admin_up]"_s, u"interface delete ncvr0"_s, u"interface delete ncv1"_s};
    QVERIFY(expectThenSync(reg.collector, gone, &got));
    QCOMPARE(got, gone);
}

void TestRtnetlinkSource::ipv4Addresses()
{
    QVERIFY(makeVethPair(true));
    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;

    // The order is the kernel's (6.x): the address, then its local, prefix and broadcast routes.
    std::vector<ChangeRecord> records;
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    const QStringList add
        = {u"address add 10.1.0.1/24"_s, u"route add 10.1.0.1/32 table local metric 0"_s,
           u"route add 10.1.0.0/24 table main metric 0"_s, u"route add 10.1.0.255/32 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, add, &got, &records));
    QCOMPARE(got, add);
    const auto *address = std::get_if<AddressRow>(&records[0].after);
    QVERIFY(address);
    QCOMPARE(records[0].family, Family::IPv4);
    QCOMPARE(address->label, std::string("ncv0"));
    QCOMPARE(address->scope, std::uint8_t(0)); // RT_SCOPE_UNIVERSE
    QVERIFY(address->flags & AddrPermanent);
    QCOMPARE(address->validLifetime, kInfiniteLifetime);
    QCOMPARE(address->validUntilUs, std::int64_t(0));
    const auto *local = std::get_if<RouteRow>(&records[1].after);
    QVERIFY(local);
    QCOMPARE(local->type, std::uint8_t(2)); // RTN_LOCAL
    QCOMPARE(local->protocol, std::uint8_t(2)); // RTPROT_KERNEL
    QCOMPARE(local->table, 255u);
    QVERIFY(local->prefSrc == IpAddress::v4(10, 1, 0, 1));
    const auto *prefix = std::get_if<RouteRow>(&records[2].after);
    QVERIFY(prefix);
    QCOMPARE(prefix->scope, std::uint8_t(253)); // RT_SCOPE_LINK
    QCOMPARE(prefix->nextHops.size(), std::size_t(1));
    QCOMPARE(prefix->nextHops[0].gateway.isUnspecified(), true);
    QCOMPARE(prefix->nextHops[0].ifIndex, address->ifIndex);
    QCOMPARE(std::get<RouteRow>(records[3].after).type, std::uint8_t(3)); // RTN_BROADCAST

    QVERIFY(runIp({u"addr"_s, u"del"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    const QStringList del
        = {u"address delete 10.1.0.1/24"_s, u"route delete 10.1.0.0/24 table main metric 0"_s,
           u"route delete 10.1.0.255/32 table local metric 0"_s, u"route delete 10.1.0.1/32 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, del, &got));
    QCOMPARE(got, del);
}

void TestRtnetlinkSource::ipv6Addresses()
{
    QVERIFY(makeVethPair(true));
    Registration reg;
    QVERIFY(reg.start(AF_INET6).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;
    std::vector<ChangeRecord> records;

    // IPv6 announces the prefix route before the address (kernel 6.x order).
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    const QStringList add = {u"route add 2001:db8:1::/64 table main metric 256"_s, u"address add 2001:db8:1::1/64"_s,
                             u"route add 2001:db8:1::1/128 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, add, &got, &records));
    QCOMPARE(got, add);
    const auto *address = std::get_if<AddressRow>(&records[1].after);
    QVERIFY(address);
    QCOMPARE(records[1].family, Family::IPv6);
    QVERIFY(address->flags & AddrNoDad);
    QVERIFY(address->flags & AddrPermanent);
    QVERIFY(!(address->flags & AddrTentative));
    QVERIFY(address->label.empty());

    QVERIFY(runIp({u"addr"_s, u"del"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s}));
    const QStringList del
        = {u"address delete 2001:db8:1::1/64"_s, u"route delete 2001:db8:1::1/128 table local metric 0"_s,
           u"route delete 2001:db8:1::/64 table main metric 256"_s};
    QVERIFY(expectThenSync(reg.collector, del, &got));
    QCOMPARE(got, del);

    // Lifetimes (noprefixroute: a prefix route of a finite address would outlive it).
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s, u"noprefixroute"_s}));
    const QStringList add2 = {u"address add 2001:db8:2::1/64"_s, u"route add 2001:db8:2::1/128 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, add2, &got));
    QCOMPARE(got, add2);
    // Forever -> finite: a parameter change (permanent flag and valid_lft going finite), held as
    // absolute expiry times.
    QVERIFY(runIp({u"addr"_s, u"change"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv0"_s, u"valid_lft"_s, u"300"_s,
                   u"preferred_lft"_s, u"200"_s, u"nodad"_s, u"noprefixroute"_s}));
    const QStringList finiteText = {u"address parameter 2001:db8:2::1/64 [flags,valid_lft]"_s};
    QVERIFY(expectThenSync(reg.collector, finiteText, &got, &records));
    QCOMPARE(got, finiteText);
    QCOMPARE(detailsOf(records),
             QStringList({u"flags nodad permanent noprefixroute -> nodad noprefixroute; valid_lft forever -> 300s"_s}));
    const auto &finite = std::get<AddressRow>(records[0].after);
    QVERIFY(finite.validLifetime <= 300 && finite.validLifetime >= 298);
    QVERIFY(finite.preferredLifetime <= 200 && finite.preferredLifetime >= 198);
    const std::int64_t now = nowUs();
    QVERIFY(finite.validUntilUs > now + 290 * 1000000LL && finite.validUntilUs <= now + 300 * 1000000LL);
    QVERIFY(finite.preferredUntilUs > now + 190 * 1000000LL && finite.preferredUntilUs <= now + 200 * 1000000LL);
    // A renewal (finite -> other finite) is not a change.
    QVERIFY(runIp({u"addr"_s, u"change"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv0"_s, u"valid_lft"_s, u"400"_s,
                   u"preferred_lft"_s, u"300"_s, u"nodad"_s, u"noprefixroute"_s}));
    QVERIFY(expectThenSync(reg.collector, {}, &got));
    QCOMPARE(got, QStringList());
}

void TestRtnetlinkSource::routeReplaceAndMetric()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;

    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"metric"_s, u"100"_s}));
    // The first route of its origin (proto boot) registers that routing entity first.
    const QStringList first
        = {u"entity registered boot"_s, u"route add 10.9.0.0/24 table main metric 100 via 10.1.0.2"_s};
    QVERIFY(expectThenSync(reg.collector, first, &got));
    QCOMPARE(got, first);

    // Same key (metric 100), other gateway: a parameter change of the next hops.
    QVERIFY(runIp({u"route"_s, u"replace"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.3"_s, u"metric"_s, u"100"_s}));
    QVERIFY(expectThenSync(reg.collector,
                           {u"route parameter 10.9.0.0/24 table main metric 100 via 10.1.0.3 [nexthops]"_s}, &got));
    QCOMPARE(got, QStringList({u"route parameter 10.9.0.0/24 table main metric 100 via 10.1.0.3 [nexthops]"_s}));

    // Other metric: on Linux the metric is part of the route's key, so replace ADDS a route.
    QVERIFY(runIp({u"route"_s, u"replace"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.3"_s, u"metric"_s, u"200"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route add 10.9.0.0/24 table main metric 200 via 10.1.0.3"_s}, &got));
    QCOMPARE(got, QStringList({u"route add 10.9.0.0/24 table main metric 200 via 10.1.0.3"_s}));
    QString out;
    QVERIFY(runIp({u"-4"_s, u"route"_s, u"show"_s, u"10.9.0.0/24"_s}, &out));
    QCOMPARE(out.split(u'\n', Qt::SkipEmptyParts).size(), 2);

    QVERIFY(runIp({u"route"_s, u"del"_s, u"10.9.0.0/24"_s, u"metric"_s, u"100"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route delete 10.9.0.0/24 table main metric 100 via 10.1.0.3"_s}, &got));
    QCOMPARE(got, QStringList({u"route delete 10.9.0.0/24 table main metric 100 via 10.1.0.3"_s}));
    QVERIFY(runIp({u"route"_s, u"del"_s, u"10.9.0.0/24"_s, u"metric"_s, u"200"_s}));
    const QStringList last
        = {u"route delete 10.9.0.0/24 table main metric 200 via 10.1.0.3"_s, u"entity deregistered boot"_s};
    QVERIFY(expectThenSync(reg.collector, last, &got));
    QCOMPARE(got, last);
}

void TestRtnetlinkSource::ipv6SamePrefixOnTwoInterfaces()
{
    // IPv6 keeps one route per device for the same prefix and metric (ff00::/8 multicast
    // on every up interface, fe80::/64 on every interface with a link-local address).
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv2"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv3"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv2"_s, u"up"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv3"_s, u"up"_s}));
    QVERIFY(waitOperUp(u"ncv2"_s));
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv0"_s, u"metric"_s, u"500"_s}));
    // `add` refuses (NLM_F_EXCL); `append` creates the second route, as the kernel does itself for ff00::/8.
    QVERIFY(
        runIp({u"-6"_s, u"route"_s, u"append"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv2"_s, u"metric"_s, u"500"_s}));
    QString out;
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"show"_s, u"2001:db8:77::/64"_s}, &out));
    QCOMPARE(out.split(u'\n', Qt::SkipEmptyParts).size(), 2); // the kernel holds two routes

    Registration reg;
    QVERIFY(reg.start(AF_INET6, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    auto records = reg.collector.records();
    const auto initial = std::count_if(records.begin(), records.end(), [](const ChangeRecord &r) {
        return r.change == ChangeKind::Initial && describe(r).startsWith(u"route initial 2001:db8:77::/64"_s);
    });
    QCOMPARE(initial, 2);
    reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; });

    // Deleting one of them must leave the other one held (a delete record for exactly it).
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"del"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv0"_s, u"metric"_s, u"500"_s}));
    std::vector<ChangeRecord> got;
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return !r.empty(); }));
    QVERIFY(syncAndTake(reg.collector, &got));
    QCOMPARE(got.size(), std::size_t(1));
    QCOMPARE(got[0].change, ChangeKind::Delete);
    QString link;
    QVERIFY(runIp({u"-o"_s, u"link"_s, u"show"_s, u"dev"_s, u"ncv0"_s}, &link));
    const std::uint32_t ncv0 = link.section(u':', 0, 0).toUInt();
    QCOMPARE(std::get<RouteRow>(got[0].before).outIfIndex(), ncv0);
    QStringList texts;
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"del"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv2"_s, u"metric"_s, u"500"_s}));
    const QStringList last = {u"route delete 2001:db8:77::/64 table main metric 500"_s, u"entity deregistered boot"_s};
    QVERIFY(expectThenSync(reg.collector, last, &texts));
    QCOMPARE(texts, last);
}

void TestRtnetlinkSource::familyFilter()
{
    QVERIFY(makeVethPair(true));
    Registration v4, v6;
    QVERIFY(v4.start(AF_INET, true).ok());
    QVERIFY(v6.start(AF_INET6, true).ok());
    QVERIFY(v4.collector.waitForSnapshot());
    QVERIFY(v6.collector.waitForSnapshot());

    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"2001:db8:9::/64"_s, u"via"_s, u"2001:db8:1::2"_s}));

    std::vector<ChangeRecord> r4, r6;
    QVERIFY(v4.collector.waitUntil(
        [](const auto &r) { return hasDescription(r, u"route add 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s); }));
    // The IPv6 address is announced by a work item (addrconf_dad_work), possibly after the route.
    QVERIFY(v6.collector.waitUntil([](const auto &r) {
        return hasDescription(r, u"route add 2001:db8:9::/64 table main metric 1024 via 2001:db8:1::2"_s)
            && hasDescription(r, u"address add 2001:db8:1::1/64"_s);
    }));
    QVERIFY(syncAndTakeAll({{&v4.collector, &r4}, {&v6.collector, &r6}}));
    QVERIFY(hasDescription(r4, u"address add 10.1.0.1/24"_s));
    QVERIFY(hasDescription(r6, u"address add 2001:db8:1::1/64"_s));
    QVERIFY(hasDescription(r4, u"interface initial lo"_s));
    QVERIFY(hasDescription(r6, u"interface initial lo"_s));
    for (const auto &r : r4)
        QVERIFY2(r.family != Family::IPv6, qPrintable(describe(r)));
    for (const auto &r : r6)
        QVERIFY2(r.family != Family::IPv4, qPrintable(describe(r)));
    // Both see every interface, with family unspec.
    QCOMPARE(
        std::count_if(r4.begin(), r4.end(), [](const ChangeRecord &r) { return r.object == ObjectKind::Interface; }),
        std::count_if(r6.begin(), r6.end(), [](const ChangeRecord &r) { return r.object == ObjectKind::Interface; }));
}

void TestRtnetlinkSource::cancelWhileBusy()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));

    // A burst of 2000 route additions from `ip -batch`, running while we cancel.
    QTemporaryFile batch;
    QVERIFY(batch.open());
    for (int i = 0; i < 2000; ++i)
        batch.write(QStringLiteral("route add 10.200.%1.%2/32 via 10.1.0.2\n").arg(i / 250).arg(i % 250).toUtf8());
    batch.flush();

    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    QProcess burst;
    burst.start(u"ip"_s, {u"-batch"_s, batch.fileName()});
    QVERIFY(burst.waitForStarted());
    // Cancel once events are flowing; each callback sleeps a little so one is likely
    // running when cancel is called.
    reg.collector.onBatch = [](std::span<const ChangeRecord>) { QThread::usleep(200); };
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return r.size() > 20; }));
    QVERIFY(reg.source->cancel(reg.handle).ok());
    reg.collector.markCancelled();
    const int batchesAtCancel = reg.collector.batches();
    QVERIFY(burst.waitForFinished(30000));
    QCOMPARE(burst.exitCode(), 0);
    // The sync marker on a second registration proves the remaining events were sent.
    Registration witness;
    QVERIFY(witness.start(AF_INET).ok());
    QVERIFY(witness.collector.waitForSnapshot());
    std::vector<ChangeRecord> dummy;
    QVERIFY(syncAndTake(witness.collector, &dummy));
    QVERIFY(!reg.collector.callbackAfterCancel());
    QCOMPARE(reg.collector.batches(), batchesAtCancel);
    QCOMPARE(reg.source->cancel(reg.handle).error, Error::InvalidHandle);
}

void TestRtnetlinkSource::cancelInsideCallback()
{
    Registration reg;
    std::atomic<int> callbacks {0};
    std::atomic<bool> cancelOk {false};
    std::atomic<int> cancelsDone {0};
    reg.collector.onBatch = [&](std::span<const ChangeRecord>) {
        ++callbacks;
        if (cancelsDone == 0) {
            // Runs on the reader thread: cancel must return without waiting for itself.
            cancelOk = reg.source->cancel(reg.handle).ok();
            ++cancelsDone;
        }
    };
    QVERIFY(reg.start(AF_UNSPEC, true).ok());
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return !r.empty(); }));
    QTRY_COMPARE_WITH_TIMEOUT(cancelsDone.load(), 1, kTimeoutMs);
    QVERIFY(cancelOk.load());

    // Changes after the deferred cancel reach a witness registration but not this one.
    Registration witness;
    QVERIFY(witness.start(AF_UNSPEC).ok());
    QVERIFY(witness.collector.waitForSnapshot());
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}));
    std::vector<ChangeRecord> seen;
    QVERIFY(witness.collector.waitUntil([](const auto &r) { return hasDescription(r, u"interface add ncv0"_s); }));
    QVERIFY(syncAndTake(witness.collector, &seen));
    QCOMPARE(callbacks.load(), 1);
    QCOMPARE(reg.source->cancel(reg.handle).error, Error::InvalidHandle);
    // Destroying the source now must not hang on the self-cancelled reader thread.
    reg.source.reset();
}

void TestRtnetlinkSource::receiveBufferIsReported()
{
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC).ok());
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QCOMPARE(stats.requestedReceiveBuffer, 32 * 1024 * 1024);
    QVERIFY(stats.effectiveReceiveBuffer > 0);
    if (stats.receiveBufferForced) // SO_RCVBUFFORCE: the kernel doubles the value it stores
        QCOMPARE(stats.effectiveReceiveBuffer, 2 * 32 * 1024 * 1024);
    QVERIFY(stats.eventSocketPortId != 0);
    QVERIFY(!reg.source->stats(reg.handle + 1000, &stats));
    QVERIFY(reg.collector.waitForSnapshot());
    QVERIFY(makeVethPair(false));
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return hasDescription(r, u"interface add ncv0"_s); }));
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QVERIFY(stats.messages >= 2);
    QVERIFY(stats.records >= 3); // SnapshotComplete + two adds
    QVERIFY(stats.batches >= 2);
    QCOMPARE(stats.gaps, std::uint64_t(0));
    QCOMPARE(stats.decodeErrors, std::uint64_t(0));
    QVERIFY(reg.source->cancel(reg.handle).ok());
    QVERIFY(!reg.source->stats(reg.handle, &stats));
}

void TestRtnetlinkSource::destructorCancelsEverything()
{
    Collector a, b;
    {
        RtnetlinkSource source;
        RegisterParams p;
        p.addressFamily = AF_UNSPEC;
        p.callback = &Collector::callback;
        Handle ha = 0, hb = 0;
        p.callerContext = &a;
        QVERIFY(source.registerChanges(p, &ha).ok());
        p.callerContext = &b;
        QVERIFY(source.registerChanges(p, &hb).ok());
        QVERIFY(ha != hb);
        QVERIFY(a.waitForSnapshot());
    } // destroyed with both registrations live (b may still be dumping)
    a.markCancelled();
    b.markCancelled();
    Registration witness;
    QVERIFY(witness.start(AF_UNSPEC).ok());
    QVERIFY(witness.collector.waitForSnapshot());
    std::vector<ChangeRecord> dummy;
    QVERIFY(makeVethPair(false));
    QVERIFY(witness.collector.waitUntil([](const auto &r) { return hasDescription(r, u"interface add ncv0"_s); }));
    QVERIFY(syncAndTake(witness.collector, &dummy));
    QVERIFY(!a.callbackAfterCancel());
    QVERIFY(!b.callbackAfterCancel());
}

void TestRtnetlinkSource::overflowIsRecordedAndRepaired()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    QVERIFY(waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:1::1 "_s));
    // A burst of 50,000 route additions in one `ip -batch`: 45,000 IPv4 and 5,000 IPv6.
    constexpr int kRoutesV4 = 45000, kRoutesV6 = 5000;
    QTemporaryFile batch;
    QVERIFY(batch.open());
    for (int i = 0; i < kRoutesV4; ++i)
        batch.write(QStringLiteral("route add 10.%1.%2.%3/32 via 10.1.0.2\n")
                        .arg(100 + i / 62500)
                        .arg((i / 250) % 250)
                        .arg(i % 250)
                        .toUtf8());
    for (int i = 0; i < kRoutesV6; ++i)
        batch.write(QStringLiteral("route add 2001:db8:f::%1/128 via 2001:db8:1::2\n").arg(i, 0, 16).toUtf8());
    batch.flush();

    // A tiny receive buffer and a slow consumer: the kernel must drop events (ENOBUFS).
    RtnetlinkSource::Options options;
    options.receiveBufferBytes = 4096;
    Registration reg(options);
    std::atomic<bool> slow {true};
    reg.collector.onBatch = [&](std::span<const ChangeRecord>) {
        if (slow.load())
            QThread::msleep(2);
    };
    QVERIFY(reg.start(AF_UNSPEC, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QVERIFY(stats.effectiveReceiveBuffer < 64 * 1024);

    QElapsedTimer burstTimer;
    burstTimer.start();
    QProcess burst;
    burst.start(u"ip"_s, {u"-batch"_s, batch.fileName()});
    QVERIFY(burst.waitForFinished(120000));
    QCOMPARE(burst.exitCode(), 0);
    const qint64 burstMs = burstTimer.elapsed();
    QVERIFY(reg.collector.waitUntil(
        [](const auto &records) {
            return std::any_of(records.begin(), records.end(),
                               [](const ChangeRecord &r) { return r.change == ChangeKind::Gap; });
        },
        20000));
    slow = false;

    // Replay the records into a replica of the route tables; after the resync(s) it must
    // equal the kernel's tables exactly (as sets of normalized keys).
    const std::set<QString> kernelV4 = kernelRoutes(Family::IPv4), kernelV6 = kernelRoutes(Family::IPv6);
    QVERIFY(int(kernelV4.size()) > kRoutesV4);
    QVERIFY(int(kernelV6.size()) > kRoutesV6);
    const bool converged = waitForReplicaToMatch(reg.collector, kernelV4, kernelV6);
    const qint64 convergedMs = burstTimer.elapsed();
    QVERIFY(reg.source->stats(reg.handle, &stats));
    const auto records = reg.collector.records();
    const auto gap = std::find_if(records.begin(), records.end(),
                                  [](const ChangeRecord &r) { return r.change == ChangeKind::Gap; });
    QVERIFY(gap != records.end());
    std::int64_t lastInferredUs = gap->timeUs;
    int inferred = 0, observed = 0;
    for (const auto &r : records) {
        if (r.object != ObjectKind::Route || r.change == ChangeKind::Initial)
            continue;
        if (r.origin == Origin::Inferred) {
            ++inferred;
            lastInferredUs = std::max(lastInferredUs, r.timeUs);
        } else {
            ++observed;
        }
    }
    qInfo().noquote() << "overflow: burst" << (kRoutesV4 + kRoutesV6) << "routes (" << kRoutesV4 << "IPv4," << kRoutesV6
                      << "IPv6) in" << burstMs << "ms; receive buffer" << stats.effectiveReceiveBuffer << "bytes";
    qInfo().noquote() << "overflow: gaps" << stats.gaps << "resyncs" << stats.resyncs << "dump restarts"
                      << stats.dumpRestarts << "; route records observed" << observed << "inferred" << inferred;
    qInfo().noquote() << "overflow: first gap to last inferred record" << (lastInferredUs - gap->timeUs) / 1000
                      << "ms; held == kernel after" << convergedMs << "ms from the burst start; kernel routes"
                      << kernelV4.size() << "IPv4" << kernelV6.size() << "IPv6";
    QVERIFY(converged);
    QVERIFY(stats.gaps >= 1);
    QVERIFY(stats.resyncs >= 1);
    QVERIFY(inferred > 0);
    QCOMPARE(gap->object, ObjectKind::Gap);
    QVERIFY(QString::fromStdString(gap->note).contains(u"ENOBUFS"_s));
    QCOMPARE(std::count_if(records.begin(), records.end(),
                           [](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; }),
             1);
}

// ---------------------------------------------------------------------------------------
// Silent deletions (ip-sysctl.rst skip_notify_on_dev_down): the kernel removes IPv4 routes
// without RTM_DELROUTE; the source infers them and confirms them with a dump.

/// ncv0/ncv1 up; 10.1.0.1/24 and 2001:db8:1::1/64 on ncv0; a gateway route, a device route
/// in table 100 and an IPv6 gateway route through ncv0.
bool TestRtnetlinkSource::setUpRoutedLink()
{
    return makeVethPair(true) && runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s})
        && runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s})
        && waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:1::1 "_s)
        && runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s})
        && runIp({u"route"_s, u"add"_s, u"10.8.0.0/24"_s, u"dev"_s, u"ncv0"_s, u"table"_s, u"100"_s})
        && runIp({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8:9::/64"_s, u"via"_s, u"2001:db8:1::2"_s});
}

void TestRtnetlinkSource::checkSilentDeletions(const QStringList &command, const QStringList &expectedInferred,
                                               bool (TestRtnetlinkSource::*setUp)())
{
    QVERIFY((this->*setUp)());
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    const std::size_t initialCount = reg.collector.records().size();

    QVERIFY(runIp(command));
    const bool arrived = reg.collector.waitUntil([&](const auto &records) {
        const std::vector<ChangeRecord> later(records.begin() + std::ptrdiff_t(initialCount), records.end());
        const QStringList inferred = withOrigin(later, Origin::Inferred);
        return std::all_of(expectedInferred.begin(), expectedInferred.end(),
                           [&](const QString &e) { return inferred.contains(e); });
    });
    // Candidates that survive the first confirming dump are checked again after 0.2 s and
    // 1 s; wait those out, so that no inferred delete can arrive after the sync marker.
    QThread::msleep(1500);
    std::vector<ChangeRecord> all;
    QVERIFY(syncAndTake(reg.collector, &all));
    const std::vector<ChangeRecord> later(all.begin() + std::ptrdiff_t(initialCount), all.end());
    const QStringList inferred = withOrigin(later, Origin::Inferred);
    if (!arrived || sorted(inferred) != sorted(expectedInferred)) {
        for (const auto &r : later)
            qWarning().noquote() << (r.origin == Origin::Inferred ? "  inferred:" : "  observed:") << describe(r);
    }
    QCOMPARE(sorted(inferred), sorted(expectedInferred));
    for (const auto &r : later) {
        if (r.origin == Origin::Inferred)
            QVERIFY2(r.change == ChangeKind::Delete || r.change == ChangeKind::Deregistered, qPrintable(describe(r)));
        // IPv6 is not affected: the kernel announces its IPv6 route deletions itself.
        if (r.object == ObjectKind::Route && r.family == Family::IPv6)
            QCOMPARE(r.origin, Origin::Observed);
    }
    // What the records describe equals the kernel's tables afterwards.
    QVERIFY(replicaEqualsKernel(all));
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QCOMPARE(stats.gaps, std::uint64_t(0));
}

void TestRtnetlinkSource::initialDumpStreamsWhileRoutesChange()
{
    // The initial route dump goes straight into the store and out in batches while it is
    // read (no full snapshot copy); routes added and deleted meanwhile come as
    // events (or through a repeated dump after NLM_F_DUMP_INTR). Replaying every record
    // must give exactly the kernel's tables.
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    QVERIFY(waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:1::1 "_s));
    constexpr int kPreloaded = 30000, kPreloadedV6 = 2000, kAdded = 20000, kDeleted = 5000;
    auto v4 = [](int base, int i) {
        return QStringLiteral("10.%1.%2.%3/32").arg(base + i / 62500).arg((i / 250) % 250).arg(i % 250);
    };
    QTemporaryFile preload, during;
    QVERIFY(preload.open());
    QVERIFY(during.open());
    for (int i = 0; i < kPreloaded; ++i)
        preload.write((u"route add "_s + v4(100, i) + u" via 10.1.0.2\n"_s).toUtf8());
    for (int i = 0; i < kPreloadedV6; ++i)
        preload.write(QStringLiteral("route add 2001:db8:e::%1/128 via 2001:db8:1::2\n").arg(i, 0, 16).toUtf8());
    for (int i = 0; i < kAdded; ++i) {
        during.write((u"route add "_s + v4(120, i) + u" via 10.1.0.2\n"_s).toUtf8());
        if (i < kDeleted)
            during.write((u"route del "_s + v4(100, i * 5) + u" via 10.1.0.2\n"_s).toUtf8());
    }
    preload.flush();
    during.flush();
    QProcess load;
    load.start(u"ip"_s, {u"-batch"_s, preload.fileName()});
    QVERIFY(load.waitForFinished(120000));
    QCOMPARE(load.exitCode(), 0);

    QProcess burst;
    burst.start(u"ip"_s, {u"-batch"_s, during.fileName()});
    QVERIFY(burst.waitForStarted());
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC, true).ok());
    QVERIFY(reg.collector.waitForSnapshot(60000));
    QVERIFY(burst.waitForFinished(120000));
    QCOMPARE(burst.exitCode(), 0);

    // Interfaces and addresses first, then the routes, in batches of at most 1024 records.
    {
        const auto records = reg.collector.records();
        const auto complete = std::find_if(records.begin(), records.end(), [](const ChangeRecord &r) {
            return r.change == ChangeKind::SnapshotComplete;
        });
        QVERIFY(complete != records.end());
        bool routesStarted = false, orderOk = true;
        int initialRoutes = 0;
        for (auto it = records.begin(); it != complete; ++it) {
            if (it->object == ObjectKind::Route && it->change == ChangeKind::Initial) {
                routesStarted = true;
                ++initialRoutes;
            } else if (routesStarted && it->change == ChangeKind::Initial
                       && (it->object == ObjectKind::Interface || it->object == ObjectKind::Address)) {
                orderOk = false;
            }
        }
        QVERIFY(orderOk);
        QVERIFY2(initialRoutes >= kPreloaded - kDeleted, qPrintable(QString::number(initialRoutes)));
        QVERIFY(reg.collector.batches() >= initialRoutes / 1024);
    }

    const std::set<QString> kernelV4 = kernelRoutes(Family::IPv4), kernelV6 = kernelRoutes(Family::IPv6);
    QVERIFY(int(kernelV4.size()) >= kPreloaded + kAdded - kDeleted);
    QVERIFY(int(kernelV6.size()) >= kPreloadedV6);
    const bool converged = waitForReplicaToMatch(reg.collector, kernelV4, kernelV6);
    QVERIFY(converged);
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    qInfo().noquote() << "streamed dump:" << kernelV4.size() << "IPv4 and" << kernelV6.size()
                      << "IPv6 routes; dump restarts" << stats.dumpRestarts << "gaps" << stats.gaps;
}

void TestRtnetlinkSource::silentDeletionsAtScale()
{
    // 20,000 IPv4 routes through ncv0 go silently when it goes down; the confirmation
    // delivers every one as an inferred delete, in batches of at most 1024 records.
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    constexpr int kRoutes = 20000;
    QTemporaryFile load;
    QVERIFY(load.open());
    for (int i = 0; i < kRoutes; ++i)
        load.write(QStringLiteral("route add 10.%1.%2.%3/32 via 10.1.0.2\n")
                       .arg(100 + i / 62500)
                       .arg((i / 250) % 250)
                       .arg(i % 250)
                       .toUtf8());
    load.flush();
    QProcess ip;
    ip.start(u"ip"_s, {u"-batch"_s, load.fileName()});
    QVERIFY(ip.waitForFinished(120000));
    QCOMPARE(ip.exitCode(), 0);

    Registration reg;
    std::atomic<std::size_t> largestBatch {0};
    reg.collector.onBatch = [&](std::span<const ChangeRecord> records) {
        if (records.size() > largestBatch.load())
            largestBatch.store(records.size());
    };
    QVERIFY(reg.start(AF_INET, false, RoutesMask).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"down"_s}));
    auto inferredDeletes = [](const std::vector<ChangeRecord> &records) {
        return int(std::count_if(records.begin(), records.end(), [](const ChangeRecord &r) {
            return r.object == ObjectKind::Route && r.change == ChangeKind::Delete && r.origin == Origin::Inferred;
        }));
    };
    // The routes via 10.1.0.2 plus the prefix and broadcast routes of 10.1.0.1/24.
    QVERIFY(
        reg.collector.waitUntil([&](const auto &records) { return inferredDeletes(records) >= kRoutes + 2; }, 30000));
    const std::set<QString> kernel = kernelRoutes(Family::IPv4);
    int stillViaNcv0 = 0;
    for (const QString &key : kernel)
        stillViaNcv0 += key.contains(u"/10.1.0.2/"_s);
    QCOMPARE(stillViaNcv0, 0);
    QCOMPARE(inferredDeletes(reg.collector.records()), kRoutes + 2);
    QVERIFY2(largestBatch.load() <= 1024 + 8, qPrintable(QString::number(largestBatch.load())));
}

void TestRtnetlinkSource::silentDeletionsOnLinkDown()
{
    // Admin down: the prefix and broadcast routes of 10.1.0.1/24 and every IPv4 route
    // through ncv0 go silently; the local route 10.1.0.1 stays (the address stays). They
    // are inferred when RTM_NEWLINK is read, before the kernel's announced IPv6 deletions,
    // so entity "boot" deregisters with the IPv6 route (observed).
    checkSilentDeletions({u"link"_s, u"set"_s, u"ncv0"_s, u"down"_s},
                         {u"route delete 10.1.0.0/24 table main metric 0"_s,
                          u"route delete 10.1.0.255/32 table local metric 0"_s,
                          u"route delete 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s,
                          u"route delete 10.8.0.0/24 table 100 metric 0"_s});
}

void TestRtnetlinkSource::silentDeletionsOnLinkDelete()
{
    checkSilentDeletions({u"link"_s, u"del"_s, u"ncv0"_s},
                         {u"route delete 10.1.0.0/24 table main metric 0"_s,
                          u"route delete 10.1.0.255/32 table local metric 0"_s,
                          u"route delete 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s,
                          u"route delete 10.8.0.0/24 table 100 metric 0"_s});
}

void TestRtnetlinkSource::silentDeletionsOnLastIpv4Address()
{
    // The address's own routes are announced (RTM_DELROUTE); the other IPv4 routes through
    // the device go silently. The IPv6 route keeps entity "boot" registered.
    checkSilentDeletions({u"addr"_s, u"del"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s},
                         {u"route delete 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s,
                          u"route delete 10.8.0.0/24 table 100 metric 0"_s});
}

void TestRtnetlinkSource::noSilentDeletionsOnCarrierLoss()
{
    // The peer going down takes ncv0's carrier: the kernel marks the routes "linkdown" but
    // keeps them (fib_sync_down_dev without force), so nothing is inferred.
    checkSilentDeletions({u"link"_s, u"set"_s, u"ncv1"_s, u"down"_s}, {});
}

bool TestRtnetlinkSource::setUpMultipathOverTwoLinks()
{
    return setUpRoutedLink()
        && runIp({u"link"_s, u"add"_s, u"ncv2"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv3"_s})
        && runIp({u"link"_s, u"set"_s, u"ncv3"_s, u"up"_s}) && runIp({u"link"_s, u"set"_s, u"ncv2"_s, u"up"_s})
        && waitOperUp(u"ncv2"_s) && runIp({u"addr"_s, u"add"_s, u"10.2.0.1/24"_s, u"dev"_s, u"ncv2"_s})
        && runIp({u"route"_s, u"add"_s, u"10.6.0.0/24"_s, u"proto"_s, u"static"_s, u"nexthop"_s, u"via"_s,
                  u"10.1.0.2"_s, u"dev"_s, u"ncv0"_s, u"nexthop"_s, u"via"_s, u"10.2.0.2"_s, u"dev"_s, u"ncv2"_s});
}

void TestRtnetlinkSource::silentDeletionsKeepMultipathWithLiveHop()
{
    // A multipath route with a next hop on another (up) link survives with a dead hop: the
    // confirming dump still lists it, so it is not deleted (it is checked again, and kept).
    checkSilentDeletions({u"link"_s, u"set"_s, u"ncv0"_s, u"down"_s},
                         {u"route delete 10.1.0.0/24 table main metric 0"_s,
                          u"route delete 10.1.0.255/32 table local metric 0"_s,
                          u"route delete 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s,
                          u"route delete 10.8.0.0/24 table 100 metric 0"_s},
                         &TestRtnetlinkSource::setUpMultipathOverTwoLinks);
}

// ---------------------------------------------------------------------------------------
// Fast link flaps: a flush is recorded when the message that caused it is read, however
// soon the link comes back (a confirming dump a few milliseconds later would already see the
// routes the kernel re-adds on up).

namespace {

/// Toggles dev down and up count times in one `ip -batch` (well under a millisecond each).
bool flapLink(const QString &dev, int count)
{
    QTemporaryFile batch;
    if (!batch.open())
        return false;
    for (int i = 0; i < count; ++i)
        batch.write((u"link set "_s + dev + u" down\nlink set "_s + dev + u" up\n"_s).toUtf8());
    batch.flush();
    QProcess ip;
    ip.start(u"ip"_s, {u"-batch"_s, batch.fileName()});
    return ip.waitForFinished(60000) && ip.exitStatus() == QProcess::NormalExit && ip.exitCode() == 0;
}

/// The interface record's admin state change: +1 up, -1 down, 0 none.
int adminChange(const ChangeRecord &r, std::uint32_t ifIndex)
{
    const auto *before = std::get_if<InterfaceRow>(&r.before);
    const auto *after = std::get_if<InterfaceRow>(&r.after);
    if (r.object != ObjectKind::Interface || r.change != ChangeKind::Parameter || !before || !after
        || after->ifIndex != ifIndex || before->adminUp == after->adminUp)
        return 0;
    return after->adminUp ? 1 : -1;
}

/// The history cut at each admin down of one link: the IPv4 route records between that
/// down and the next up (whileDown) and from that up to the next down (afterUp), each as
/// describe() plus " (inferred)" for inferred ones, sorted. inferredAtDown: every inferred
/// IPv4 route record of the flap carries the time of the down record.
struct Flap {
    QStringList whileDown, afterUp;
    bool sawUp = false;
    bool inferredAtDown = true;
};
std::vector<Flap> flapsOf(const std::vector<ChangeRecord> &records, std::uint32_t ifIndex, QStringList *beforeFirst)
{
    std::vector<Flap> flaps;
    std::int64_t downUs = 0;
    for (const ChangeRecord &r : records) {
        if (const int change = adminChange(r, ifIndex)) {
            if (change < 0) {
                flaps.emplace_back();
                downUs = r.timeUs;
            } else if (!flaps.empty()) {
                flaps.back().sawUp = true;
            }
            continue;
        }
        if (r.object != ObjectKind::Route || r.family != Family::IPv4)
            continue;
        const QString text = describe(r) + (r.origin == Origin::Inferred ? u" (inferred)"_s : QString());
        if (flaps.empty()) {
            *beforeFirst << text;
            continue;
        }
        Flap &flap = flaps.back();
        (flap.sawUp ? flap.afterUp : flap.whileDown) << text;
        if (r.origin == Origin::Inferred && r.timeUs != downUs)
            flap.inferredAtDown = false;
    }
    for (Flap &flap : flaps) {
        flap.whileDown.sort();
        flap.afterUp.sort();
    }
    return flaps;
}

/// Compares the flaps with the expected lists (the first and last may differ); logs the first mismatch.
bool flapsMatch(const std::vector<Flap> &flaps, const QStringList &firstDown, const QStringList &down,
                const QStringList &up, const QStringList &lastUp)
{
    for (std::size_t i = 0; i < flaps.size(); ++i) {
        const QStringList wantDown = sorted(i == 0 ? firstDown : down);
        const QStringList wantUp = sorted(i + 1 == flaps.size() ? lastUp : up);
        if (flaps[i].whileDown != wantDown || flaps[i].afterUp != wantUp || !flaps[i].inferredAtDown) {
            qWarning().noquote() << "flap" << i + 1 << "of" << flaps.size()
                                 << "inferred at its down:" << flaps[i].inferredAtDown;
            qWarning().noquote() << "  while down:" << flaps[i].whileDown << "expected" << wantDown;
            qWarning().noquote() << "  after up:  " << flaps[i].afterUp << "expected" << wantUp;
            return false;
        }
    }
    return true;
}

} // namespace

void TestRtnetlinkSource::silentDeletionsInFastLinkFlaps_data()
{
    QTest::addColumn<int>("consumerDelayMs");
    QTest::newRow("prompt consumer") << 0;
    // The callback sleeps on the reader thread, so events wait in the socket while the
    // confirming dumps fall due: a dump then shows the kernel flaps ahead of the stream.
    QTest::newRow("slow consumer") << 30;
}

void TestRtnetlinkSource::silentDeletionsInFastLinkFlaps()
{
    // A static route through ncv0, then 200 down/up toggles in a fraction of a second. On
    // every down the kernel flushes the IPv4 routes through ncv0 without RTM_DELROUTE (the
    // local route of the kept address stays); on every up it re-adds the address's prefix
    // and broadcast routes with RTM_NEWROUTE; the static route stays gone until added again.
    // The history must say exactly that, each flush at the time of its down.
    QFETCH(int, consumerDelayMs);
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.50.0.0/16"_s, u"via"_s, u"10.1.0.2"_s}));
    const std::uint32_t ncv0 = ifIndexOf(u"ncv0"_s);
    Registration reg;
    std::atomic<bool> slow {false};
    reg.collector.onBatch = [&](std::span<const ChangeRecord>) {
        if (slow.load())
            QThread::msleep(consumerDelayMs);
    };
    QVERIFY(reg.start(AF_UNSPEC, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    std::vector<ChangeRecord> all;
    QVERIFY(syncAndTake(reg.collector, &all));
    slow = consumerDelayMs > 0;

    constexpr int kFlaps = 200;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(flapLink(u"ncv0"_s, kFlaps));
    const qint64 flapMs = timer.elapsed();
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.50.0.0/16"_s, u"via"_s, u"10.1.0.2"_s}));
    const QString readded = u"route add 10.50.0.0/16 table main metric 0 via 10.1.0.2"_s;
    QVERIFY(reg.collector.waitUntil([&](const auto &records) { return hasDescription(records, readded); }, 60000));
    slow = false;
    QThread::msleep(1500); // the confirming dumps (20 ms, 0.2 s, 1 s after the last down) add nothing
    std::vector<ChangeRecord> changes;
    QVERIFY(syncAndTake(reg.collector, &changes));
    all.insert(all.end(), changes.begin(), changes.end());
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    qInfo().noquote() << kFlaps << "flaps in" << flapMs << "ms," << changes.size() << "records in" << stats.batches
                      << "batches so far";

    QStringList beforeFirst;
    const std::vector<Flap> flaps = flapsOf(changes, ncv0, &beforeFirst);
    QCOMPARE(beforeFirst, QStringList());
    QCOMPARE(int(flaps.size()), kFlaps);
    const QString prefix = u"route %1 10.1.0.0/24 table main metric 0"_s;
    const QString broadcast = u"route %1 10.1.0.255/32 table local metric 0"_s;
    const QString gone = u" (inferred)"_s;
    QVERIFY(flapsMatch(flaps,
                       {prefix.arg(u"delete"_s) + gone, broadcast.arg(u"delete"_s) + gone,
                        u"route delete 10.50.0.0/16 table main metric 0 via 10.1.0.2"_s + gone},
                       {prefix.arg(u"delete"_s) + gone, broadcast.arg(u"delete"_s) + gone},
                       {prefix.arg(u"add"_s), broadcast.arg(u"add"_s)},
                       {prefix.arg(u"add"_s), broadcast.arg(u"add"_s), readded}));
    // The origin's registration follows its routes: boot went with 10.50.0.0/16 and came back with it.
    const QStringList entities = [&] {
        QStringList out;
        for (const auto &r : changes)
            if (r.object == ObjectKind::Entity)
                out << describe(r) + (r.origin == Origin::Inferred ? gone : QString());
        return out;
    }();
    QCOMPARE(entities, QStringList({u"entity deregistered boot"_s + gone, u"entity registered boot"_s}));
    // IPv6 routes are announced by the kernel: nothing about them is inferred.
    for (const auto &r : changes)
        if (r.object == ObjectKind::Route && r.family == Family::IPv6)
            QCOMPARE(r.origin, Origin::Observed);

    QVERIFY(replicaEqualsKernel(all));
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QCOMPARE(stats.gaps, std::uint64_t(0));
}

void TestRtnetlinkSource::fastLinkFlapsKeepMultipathWithLiveHop()
{
    // Multipath routes with one next hop on ncv0 and one on ncv2, IPv4 and IPv6. While ncv0
    // flaps the kernel keeps both (the hop on ncv0 listed as `dead linkdown` while it is
    // down; the rows keep listing it, as the kernel does) and announces nothing about them:
    // no record may touch them. Once ncv2 goes down too, no hop is left: the IPv4 route goes
    // silently (inferred, at ncv2's down), the IPv6 one with RTM_DELROUTE.
    QVERIFY(setUpMultipathOverTwoLinks());
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv2"_s, u"nodad"_s}));
    QVERIFY(waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:2::1 "_s));
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8:6::/64"_s, u"nexthop"_s, u"via"_s, u"2001:db8:1::2"_s,
                   u"dev"_s, u"ncv0"_s, u"nexthop"_s, u"via"_s, u"2001:db8:2::2"_s, u"dev"_s, u"ncv2"_s}));
    const std::uint32_t ncv0 = ifIndexOf(u"ncv0"_s), ncv2 = ifIndexOf(u"ncv2"_s);
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    std::vector<ChangeRecord> all;
    QVERIFY(syncAndTake(reg.collector, &all));

    constexpr int kFlaps = 200;
    QVERIFY(flapLink(u"ncv0"_s, kFlaps));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"down"_s}));
    QVERIFY(waitIpShows({u"route"_s, u"show"_s, u"10.6.0.0/24"_s}, u"dead"_s));
    QVERIFY(waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"2001:db8:6::/64"_s}, u"dead"_s));
    auto downs = [ncv0](const std::vector<ChangeRecord> &records) {
        return std::count_if(records.begin(), records.end(),
                             [ncv0](const ChangeRecord &r) { return adminChange(r, ncv0) < 0; });
    };
    QVERIFY(reg.collector.waitUntil([&](const auto &records) { return downs(records) == kFlaps + 1; }));
    QThread::msleep(1500); // the confirming dumps find the multipath route listed and held
    std::vector<ChangeRecord> changes;
    QVERIFY(syncAndTake(reg.collector, &changes));
    all.insert(all.end(), changes.begin(), changes.end());

    auto touches = [](const ChangeRecord &r, const QString &prefix) {
        return r.object == ObjectKind::Route && q(keyText(r.row())).startsWith(prefix);
    };
    for (const auto &r : changes) {
        QVERIFY2(!touches(r, u"10.6.0.0/24"_s) && !touches(r, u"2001:db8:6::/64"_s), qPrintable(describe(r)));
        if (r.object == ObjectKind::Route && r.family == Family::IPv6)
            QCOMPARE(r.origin, Origin::Observed);
    }
    QStringList beforeFirst;
    const std::vector<Flap> flaps = flapsOf(changes, ncv0, &beforeFirst);
    QCOMPARE(beforeFirst, QStringList());
    QCOMPARE(int(flaps.size()), kFlaps + 1);
    const QString prefix = u"route %1 10.1.0.0/24 table main metric 0"_s;
    const QString broadcast = u"route %1 10.1.0.255/32 table local metric 0"_s;
    const QString gone = u" (inferred)"_s;
    QVERIFY(flapsMatch(flaps,
                       {prefix.arg(u"delete"_s) + gone, broadcast.arg(u"delete"_s) + gone,
                        u"route delete 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s + gone,
                        u"route delete 10.8.0.0/24 table 100 metric 0"_s + gone},
                       {prefix.arg(u"delete"_s) + gone, broadcast.arg(u"delete"_s) + gone},
                       {prefix.arg(u"add"_s), broadcast.arg(u"add"_s)}, {}));
    QVERIFY(flaps.back().sawUp == false);
    auto matchesKernel = [&] { return replicaEqualsKernel(all); };
    QVERIFY(matchesKernel());
    QVERIFY(std::any_of(all.begin(), all.end(), [&](const ChangeRecord &r) {
        return r.change == ChangeKind::Initial && touches(r, u"10.6.0.0/24"_s);
    }));

    // ncv2 down: the IPv4 multipath route has no live hop left.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv2"_s, u"down"_s}));
    const QString lastHop = u"route delete 10.6.0.0/24 table main metric 0 via 10.1.0.2;10.2.0.2"_s;
    QVERIFY(reg.collector.waitUntil([&](const auto &records) { return hasDescription(records, lastHop); }));
    QThread::msleep(1500);
    QVERIFY(syncAndTake(reg.collector, &changes));
    all.insert(all.end(), changes.begin(), changes.end());
    const auto down2 = std::find_if(changes.begin(), changes.end(),
                                    [ncv2](const ChangeRecord &r) { return adminChange(r, ncv2) < 0; });
    QVERIFY(down2 != changes.end());
    const auto deleted
        = std::find_if(changes.begin(), changes.end(), [&](const ChangeRecord &r) { return describe(r) == lastHop; });
    QVERIFY(deleted != changes.end());
    QCOMPARE(deleted->origin, Origin::Inferred);
    QCOMPARE(deleted->timeUs, down2->timeUs);
    QVERIFY(deleted > down2);
    QVERIFY(matchesKernel());
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QCOMPARE(stats.gaps, std::uint64_t(0));
}

// ---------------------------------------------------------------------------------------
// Expiry: the kernel's removal of a route / address whose lifetime ran out is `expired`.

void TestRtnetlinkSource::routeExpiry()
{
    // IPv6 routes with an expiry are removed by the fib6 garbage collector, which runs every
    // net.ipv6.route.gc_interval seconds (30 by default; only then, without traffic). Our
    // private namespace runs it every second.
    QVERIFY(writeSysctl(u"/proc/sys/net/ipv6/route/gc_interval"_s, "1"));
    QVERIFY(makeVethPair(true));
    Registration reg;
    QVERIFY(reg.start(AF_INET6).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });

    const std::int64_t before = nowUs();
    QElapsedTimer timer;
    timer.start();
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8:e::/64"_s, u"dev"_s, u"ncv0"_s, u"expires"_s, u"2"_s}));
    const QString added = u"route add 2001:db8:e::/64 table main metric 1024"_s;
    const QString expired = u"route expired 2001:db8:e::/64 table main metric 1024"_s;
    QVERIFY(reg.collector.waitUntil([&](const auto &r) { return hasDescription(r, added); }));
    const auto records = reg.collector.records();
    const auto add = std::find_if(records.begin(), records.end(), [&](const auto &r) { return describe(r) == added; });
    const std::int64_t expires = std::get<RouteRow>(add->after).expiresUs;
    QVERIFY2(expires >= before + 1000000 && expires <= nowUs() + 2100000,
             qPrintable(QString::number(expires - before)));

    QVERIFY(reg.collector.waitUntil([&](const auto &r) { return hasDescription(r, expired); }, 10000));
    const qint64 ms = timer.elapsed();
    qInfo() << "route with expires 2 reported expired after" << ms << "ms";
    QVERIFY(ms >= 1000);
    // The only route of its origin: its expiry also deregisters the entity "boot".
    const QStringList expected = {u"entity registered boot"_s, added, expired, u"entity deregistered boot"_s};
    QStringList got;
    QVERIFY(expectThenSync(reg.collector, expected, &got));
    QCOMPARE(got, expected);
}

// RTA_PREF (RFC 4191 route preference) from the real kernel: `ip -6 route add ... pref
// high` is a route with pref "high", as `ip -6 route show` prints it; changing it alone is
// a parameter change of "pref".
void TestRtnetlinkSource::routePreference()
{
    QVERIFY(makeVethPair(true));
    Registration reg;
    QVERIFY(reg.start(AF_INET6).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });

    QVERIFY(runIp({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8::/64"_s, u"dev"_s, u"ncv0"_s, u"pref"_s, u"high"_s}));
    QString shown;
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"show"_s, u"2001:db8::/64"_s}, &shown));
    QVERIFY2(shown.contains(u"pref high"_s), qPrintable(shown));
    const QString added = u"route add 2001:db8::/64 table main metric 1024"_s;
    QStringList got;
    std::vector<ChangeRecord> records;
    QVERIFY(expectThenSync(reg.collector, {u"entity registered boot"_s, added}, &got, &records));
    QCOMPARE(got, QStringList({u"entity registered boot"_s, added}));
    const RouteRow &route = std::get<RouteRow>(records.back().after);
    QCOMPARE(route.pref, std::uint8_t(1)); // ICMPV6_ROUTER_PREF_HIGH
    QVERIFY2(details(records.back()).ends_with(" pref high"), details(records.back()).c_str());
    const auto fields = fieldTexts(route);
    QVERIFY(std::find(fields.begin(), fields.end(), std::pair<std::string, std::string>("pref", "high"))
            != fields.end());

    QVERIFY(runIp({u"-6"_s, u"route"_s, u"change"_s, u"2001:db8::/64"_s, u"dev"_s, u"ncv0"_s, u"pref"_s, u"low"_s}));
    const QString changed = u"route parameter 2001:db8::/64 table main metric 1024 [pref]"_s;
    QVERIFY(expectThenSync(reg.collector, {changed}, &got, &records));
    QCOMPARE(got, QStringList({changed}));
    QCOMPARE(detailsOf(records), QStringList({u"pref high -> low"_s}));
    QCOMPARE(std::get<RouteRow>(records.back().after).pref, std::uint8_t(3)); // ICMPV6_ROUTER_PREF_LOW
}

void TestRtnetlinkSource::addressExpiry()
{
    QVERIFY(makeVethPair(true));
    Registration reg;
    QVERIFY(reg.start(AF_INET6, false, AddressesMask | InterfacesMask).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QElapsedTimer timer;
    timer.start();
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:5::1/64"_s, u"dev"_s, u"ncv0"_s, u"valid_lft"_s, u"2"_s,
                   u"preferred_lft"_s, u"1"_s, u"nodad"_s}));
    // add; after 1 s deprecated (flags); after 2 s removed by the addrconf verify work: expired.
    const QStringList expected = {u"address add 2001:db8:5::1/64"_s, u"address parameter 2001:db8:5::1/64 [flags]"_s,
                                  u"address expired 2001:db8:5::1/64"_s};
    QVERIFY(reg.collector.waitUntil(
        [&](const auto &r) { return hasDescription(r, u"address expired 2001:db8:5::1/64"_s); }, 10000));
    qInfo() << "address with valid_lft 2 reported expired after" << timer.elapsed() << "ms";
    QVERIFY(timer.elapsed() >= 1000);
    QStringList got;
    QVERIFY(expectThenSync(reg.collector, expected, &got));
    QCOMPARE(got, expected);
}

// ---------------------------------------------------------------------------------------
// Routing entities (RTM_ENTITY_REGISTERED / RTM_ENTITY_DEREGISTERED): route origins.

void TestRtnetlinkSource::routingEntities()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.30.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"proto"_s, u"static"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_INET, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());

    // Initial: after the initial routes, one entity per origin with its route count, then SnapshotComplete.
    auto records
        = reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; });
    std::map<std::uint32_t, std::uint64_t> routesPerOrigin, entityCounts;
    bool entitySeen = false;
    for (const auto &r : records) {
        if (r.object == ObjectKind::Route) {
            QVERIFY2(!entitySeen, "initial entities come after the initial routes");
            ++routesPerOrigin[std::get<RouteRow>(r.after).protocol];
        } else if (r.object == ObjectKind::Entity) {
            entitySeen = true;
            QCOMPARE(r.change, ChangeKind::Initial);
            QCOMPARE(r.family, Family::Unspec);
            const auto &e = std::get<EntityRow>(r.after);
            entityCounts[e.protocol] = e.routeCount;
        }
    }
    QCOMPARE(entityCounts, routesPerOrigin);
    QCOMPARE(entityCounts[4], std::uint64_t(1)); // RTPROT_STATIC: 10.30.0.0/24
    QVERIFY(entityCounts[2] >= 3); // RTPROT_KERNEL: local, prefix and broadcast routes

    QStringList got;
    std::vector<ChangeRecord> changes;
    const QString bird = u"via"_s;
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.20.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"proto"_s, u"bird"_s}));
    QStringList expected = {u"entity registered bird"_s, u"route add 10.20.0.0/24 table main metric 0 via 10.1.0.2"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got, &changes));
    QCOMPARE(got, expected);
    QCOMPARE(std::get<EntityRow>(changes[0].after).routeCount, std::uint64_t(1));
    QCOMPARE(std::get<EntityRow>(changes[0].after).protocol, 12u);

    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.21.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"proto"_s, u"bird"_s}));
    expected = {u"route add 10.21.0.0/24 table main metric 0 via 10.1.0.2"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got));
    QCOMPARE(got, expected);

    // A protocol change moves the route from one entity to the other.
    QVERIFY(runIp({u"route"_s, u"replace"_s, u"10.21.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"proto"_s, u"zebra"_s}));
    expected
        = {u"entity registered zebra"_s, u"route parameter 10.21.0.0/24 table main metric 0 via 10.1.0.2 [protocol]"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got));
    QCOMPARE(got, expected);

    QVERIFY(runIp({u"route"_s, u"del"_s, u"10.20.0.0/24"_s}));
    expected = {u"route delete 10.20.0.0/24 table main metric 0 via 10.1.0.2"_s, u"entity deregistered bird"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got, &changes));
    QCOMPARE(got, expected);
    QCOMPARE(std::get<EntityRow>(changes[1].before).routeCount, std::uint64_t(0));
    QCOMPARE(std::get<EntityRow>(changes[1].before).protocol, 12u);

    QVERIFY(runIp({u"route"_s, u"del"_s, u"10.21.0.0/24"_s}));
    expected = {u"route delete 10.21.0.0/24 table main metric 0 via 10.1.0.2"_s, u"entity deregistered zebra"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got));
    QCOMPARE(got, expected);
    Q_UNUSED(bird);
}

// ---------------------------------------------------------------------------------------
// Multipath: one row with all next hops; a change of next hops is a parameter change.

namespace {
bool setUpTwoLinks()
{
    return makeVethPair(true)
        && runIp({u"link"_s, u"add"_s, u"ncv2"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv3"_s})
        && runIp({u"link"_s, u"set"_s, u"ncv3"_s, u"up"_s}) && runIp({u"link"_s, u"set"_s, u"ncv2"_s, u"up"_s})
        && waitOperUp(u"ncv2"_s) && runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s})
        && runIp({u"addr"_s, u"add"_s, u"10.2.0.1/24"_s, u"dev"_s, u"ncv2"_s})
        && runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s})
        && runIp({u"addr"_s, u"add"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv2"_s, u"nodad"_s})
        && waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:1::1 "_s)
        && waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:2::1 "_s);
}

/// "ifindex/gateway/weight" of each next hop of the route in a record.
QStringList hopsOf(const ChangeRecord &r)
{
    QStringList out;
    for (const NextHop &h : std::get<RouteRow>(r.row()).nextHops)
        out << QString::number(h.ifIndex) + u'/' + q(toString(h.gateway)) + u'/' + QString::number(h.weight);
    out.sort();
    return out;
}
} // namespace

void TestRtnetlinkSource::multipathIpv4()
{
    QVERIFY(setUpTwoLinks());
    const QString i0 = QString::number(ifIndexOf(u"ncv0"_s)), i2 = QString::number(ifIndexOf(u"ncv2"_s));
    Registration reg;
    QVERIFY(reg.start(AF_INET, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    QStringList got;
    std::vector<ChangeRecord> changes;

    QVERIFY(
        runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"nexthop"_s, u"via"_s, u"10.1.0.2"_s, u"dev"_s, u"ncv0"_s,
               u"weight"_s, u"1"_s, u"nexthop"_s, u"via"_s, u"10.2.0.2"_s, u"dev"_s, u"ncv2"_s, u"weight"_s, u"2"_s}));
    QStringList expected
        = {u"entity registered boot"_s, u"route add 10.9.0.0/24 table main metric 0 via 10.1.0.2;10.2.0.2"_s};
    QVERIFY(reg.collector.waitUntil([&](const auto &r) { return hasDescription(r, expected.back()); }));
    QVERIFY(syncAndTake(reg.collector, &changes));
    auto all = changes;
    changes.erase(changes.begin(),
                  std::find_if(changes.begin(), changes.end(), [](const ChangeRecord &r) {
                      return r.change == ChangeKind::SnapshotComplete;
                  }) + 1);
    QCOMPARE(describeAll(changes), expected);
    QCOMPARE(hopsOf(changes[1]), QStringList({i0 + u"/10.1.0.2/1"_s, i2 + u"/10.2.0.2/2"_s}));

    QVERIFY(
        runIp({u"route"_s, u"replace"_s, u"10.9.0.0/24"_s, u"nexthop"_s, u"via"_s, u"10.1.0.3"_s, u"dev"_s, u"ncv0"_s,
               u"weight"_s, u"1"_s, u"nexthop"_s, u"via"_s, u"10.2.0.2"_s, u"dev"_s, u"ncv2"_s, u"weight"_s, u"3"_s}));
    expected = {u"route parameter 10.9.0.0/24 table main metric 0 via 10.1.0.3;10.2.0.2 [nexthops]"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got, &changes));
    QCOMPARE(got, expected);
    QCOMPARE(hopsOf(changes[0]), QStringList({i0 + u"/10.1.0.3/1"_s, i2 + u"/10.2.0.2/3"_s}));
    all.insert(all.end(), changes.begin(), changes.end());
    QVERIFY(replicaRoutes(all, Family::IPv4) == kernelRoutes(Family::IPv4));

    // Replace with a single next hop, then remove.
    QVERIFY(runIp({u"route"_s, u"replace"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.2.0.2"_s, u"dev"_s, u"ncv2"_s}));
    expected = {u"route parameter 10.9.0.0/24 table main metric 0 via 10.2.0.2 [nexthops]"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got, &changes));
    QCOMPARE(got, expected);
    all.insert(all.end(), changes.begin(), changes.end());
    QVERIFY(replicaRoutes(all, Family::IPv4) == kernelRoutes(Family::IPv4));

    QVERIFY(runIp({u"route"_s, u"del"_s, u"10.9.0.0/24"_s}));
    expected = {u"route delete 10.9.0.0/24 table main metric 0 via 10.2.0.2"_s, u"entity deregistered boot"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got, &changes));
    QCOMPARE(got, expected);
    all.insert(all.end(), changes.begin(), changes.end());
    QVERIFY(replicaRoutes(all, Family::IPv4) == kernelRoutes(Family::IPv4));
}

void TestRtnetlinkSource::multipathIpv6()
{
    QVERIFY(setUpTwoLinks());
    const QString i0 = QString::number(ifIndexOf(u"ncv0"_s)), i2 = QString::number(ifIndexOf(u"ncv2"_s));
    Registration reg;
    QVERIFY(reg.start(AF_INET6, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    std::vector<ChangeRecord> all;
    QVERIFY(syncAndTake(reg.collector, &all));
    QStringList got;
    std::vector<ChangeRecord> changes;
    // After each step the routes held equal `ip -6 route show table all` (next hops as sets).
    auto step = [&](const QStringList &args, const QStringList &expected, const QStringList &hops) {
        if (!runIp(args))
            return false;
        const bool synced = expectThenSync(reg.collector, expected, &got, &changes);
        all.insert(all.end(), changes.begin(), changes.end());
        const auto held = replicaRoutes(all, Family::IPv6), kernel = kernelRoutes(Family::IPv6);
        logDifference(held, kernel);
        const auto route = std::find_if(changes.begin(), changes.end(),
                                        [](const ChangeRecord &r) { return r.object == ObjectKind::Route; });
        const QStringList hopsGot = route == changes.end() ? QStringList() : hopsOf(*route);
        if (hopsGot != hops)
            qWarning() << "hops" << hopsGot << "expected" << hops;
        return synced && got == expected && held == kernel && hopsGot == hops;
    };
    const QString a = u"/2001:db8:1::2/"_s, b = u"/2001:db8:2::2/"_s, c = u"/2001:db8:1::3/"_s;
    // One message with RTA_MULTIPATH for the whole route.
    QVERIFY(step({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8:9::/64"_s, u"nexthop"_s, u"via"_s, u"2001:db8:1::2"_s,
                  u"dev"_s, u"ncv0"_s, u"weight"_s, u"1"_s, u"nexthop"_s, u"via"_s, u"2001:db8:2::2"_s, u"dev"_s,
                  u"ncv2"_s, u"weight"_s, u"2"_s},
                 {u"entity registered boot"_s,
                  u"route add 2001:db8:9::/64 table main metric 1024 via 2001:db8:1::2;2001:db8:2::2"_s},
                 {i0 + a + u'1', i2 + b + u'2'}));
    QCOMPARE(hopsOf(changes[1]), QStringList({i0 + a + u'1', i2 + b + u'2'}));
    // append: the kernel adds a sibling and announces the whole route (new sibling first).
    QVERIFY(step(
        {u"-6"_s, u"route"_s, u"append"_s, u"2001:db8:9::/64"_s, u"via"_s, u"2001:db8:1::3"_s, u"dev"_s, u"ncv0"_s},
        {u"route parameter 2001:db8:9::/64 table main metric 1024 via 2001:db8:1::2;2001:db8:1::3;2001:db8:2::2 [nexthops]"_s},
        {i0 + a + u'1', i0 + c + u'1', i2 + b + u'2'}));
    // replace: the whole route.
    QVERIFY(
        step({u"-6"_s, u"route"_s, u"replace"_s, u"2001:db8:9::/64"_s, u"nexthop"_s, u"via"_s, u"2001:db8:1::3"_s,
              u"dev"_s, u"ncv0"_s, u"weight"_s, u"1"_s, u"nexthop"_s, u"via"_s, u"2001:db8:2::2"_s, u"dev"_s, u"ncv2"_s,
              u"weight"_s, u"3"_s},
             {u"route parameter 2001:db8:9::/64 table main metric 1024 via 2001:db8:1::3;2001:db8:2::2 [nexthops]"_s},
             {i0 + c + u'1', i2 + b + u'3'}));
    // Deleting one sibling: the kernel announces only that next hop; the route keeps the other.
    QVERIFY(step(
        {u"-6"_s, u"route"_s, u"del"_s, u"2001:db8:9::/64"_s, u"via"_s, u"2001:db8:1::3"_s, u"dev"_s, u"ncv0"_s},
        {u"route parameter 2001:db8:9::/64 table main metric 1024 via 2001:db8:2::2 [nexthops]"_s}, {i2 + b + u'1'}));
    QVERIFY(step(
        {u"-6"_s, u"route"_s, u"del"_s, u"2001:db8:9::/64"_s},
        {u"route delete 2001:db8:9::/64 table main metric 1024 via 2001:db8:2::2"_s, u"entity deregistered boot"_s},
        {i2 + b + u'1'}));
    // A single route plus an appended sibling becomes one multipath route; deleting the
    // whole route (no next hop named) is one message for all siblings.
    QVERIFY(
        step({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8:8::/64"_s, u"via"_s, u"2001:db8:1::2"_s, u"dev"_s, u"ncv0"_s},
             {u"entity registered boot"_s, u"route add 2001:db8:8::/64 table main metric 1024 via 2001:db8:1::2"_s},
             {i0 + a + u'1'}));
    QVERIFY(step(
        {u"-6"_s, u"route"_s, u"append"_s, u"2001:db8:8::/64"_s, u"via"_s, u"2001:db8:2::2"_s, u"dev"_s, u"ncv2"_s},
        {u"route parameter 2001:db8:8::/64 table main metric 1024 via 2001:db8:1::2;2001:db8:2::2 [nexthops]"_s},
        {i0 + a + u'1', i2 + b + u'1'}));
    QVERIFY(step({u"-6"_s, u"route"_s, u"del"_s, u"2001:db8:8::/64"_s},
                 {u"route delete 2001:db8:8::/64 table main metric 1024 via 2001:db8:1::2;2001:db8:2::2"_s,
                  u"entity deregistered boot"_s},
                 {i0 + a + u'1', i2 + b + u'1'}));
}

void TestRtnetlinkSource::nexthopObjects()
{
    // Nexthop objects (RTA_NH_ID): with net.ipv4.nexthop_compat_mode = 1 (the default) the
    // kernel expands the object's gateway and device into route messages and announces
    // the routes again when the object changes, so the rows carry the resolved next hop.
    QVERIFY(setUpTwoLinks());
    const QString i0 = QString::number(ifIndexOf(u"ncv0"_s));
    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;
    std::vector<ChangeRecord> changes;
    QVERIFY(runIp({u"nexthop"_s, u"add"_s, u"id"_s, u"10"_s, u"via"_s, u"10.1.0.2"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.7.0.0/24"_s, u"nhid"_s, u"10"_s}));
    QStringList expected = {u"entity registered boot"_s, u"route add 10.7.0.0/24 table main metric 0 via 10.1.0.2"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got, &changes));
    QCOMPARE(got, expected);
    QCOMPARE(std::get<RouteRow>(changes[1].after).nhId, 10u);
    QCOMPARE(hopsOf(changes[1]), QStringList({i0 + u"/10.1.0.2/1"_s}));

    QVERIFY(runIp({u"nexthop"_s, u"replace"_s, u"id"_s, u"10"_s, u"via"_s, u"10.1.0.3"_s, u"dev"_s, u"ncv0"_s}));
    expected = {u"route parameter 10.7.0.0/24 table main metric 0 via 10.1.0.3 [nexthops]"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got));
    QCOMPARE(got, expected);
    // Deleting the object flushes its IPv4 routes without RTM_DELROUTE (RTM_DELNEXTHOP
    // only): an inferred delete, confirmed by a dump.
    QVERIFY(runIp({u"nexthop"_s, u"del"_s, u"id"_s, u"10"_s}));
    expected = {u"route delete 10.7.0.0/24 table main metric 0 via 10.1.0.3"_s, u"entity deregistered boot"_s};
    QVERIFY(expectThenSync(reg.collector, expected, &got, &changes));
    QCOMPARE(got, expected);
    QCOMPARE(changes[0].origin, Origin::Inferred);
}

void TestRtnetlinkSource::nexthopObjectsFlushedWithTheirLink()
{
    // The kernel removes the nexthop objects on a link when it loses its carrier or goes
    // down (nexthop_flush_dev), without RTM_DELNEXTHOP: an IPv4 route using one goes
    // unannounced, a route using a group keeps the members on other links (its next hops
    // change, unannounced). Routes without nexthop objects keep their (linkdown) hops.
    QVERIFY(setUpTwoLinks());
    QVERIFY(runIp({u"nexthop"_s, u"add"_s, u"id"_s, u"11"_s, u"via"_s, u"10.1.0.2"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"nexthop"_s, u"add"_s, u"id"_s, u"21"_s, u"via"_s, u"10.2.0.2"_s, u"dev"_s, u"ncv2"_s}));
    QVERIFY(runIp({u"nexthop"_s, u"add"_s, u"id"_s, u"31"_s, u"group"_s, u"11/21"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.30.0.0/24"_s, u"nhid"_s, u"11"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.31.0.0/24"_s, u"nhid"_s, u"31"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_INET, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    std::vector<ChangeRecord> all;
    QVERIFY(syncAndTake(reg.collector, &all));

    auto step = [&](const QStringList &command, const QStringList &expectedInferred) {
        if (!runIp(command))
            return false;
        const bool arrived = reg.collector.waitUntil([&](const auto &records) {
            const QStringList inferred = withOrigin(records, Origin::Inferred);
            return std::all_of(expectedInferred.begin(), expectedInferred.end(),
                               [&](const QString &e) { return inferred.contains(e); });
        });
        QThread::msleep(1500); // the confirming dumps
        std::vector<ChangeRecord> changes;
        if (!syncAndTake(reg.collector, &changes))
            return false;
        all.insert(all.end(), changes.begin(), changes.end());
        const QStringList inferred = withOrigin(changes, Origin::Inferred);
        const auto held = replicaRoutes(all, Family::IPv4), kernel = kernelRoutes(Family::IPv4);
        logDifference(held, kernel);
        if (!arrived || inferred != expectedInferred)
            qWarning().noquote() << "inferred:" << inferred << "expected:" << expectedInferred;
        return arrived && inferred == expectedInferred && held == kernel;
    };
    // ncv0 loses its carrier (its peer goes down).
    QVERIFY(step({u"link"_s, u"set"_s, u"ncv1"_s, u"down"_s},
                 {u"route delete 10.30.0.0/24 table main metric 0 via 10.1.0.2"_s,
                  u"route parameter 10.31.0.0/24 table main metric 0 via 10.2.0.2 [nexthops]"_s}));
    // ncv2 down: the group loses its last member, and the route with it.
    QVERIFY(
        step({u"link"_s, u"set"_s, u"ncv2"_s, u"down"_s},
             {u"route delete 10.2.0.0/24 table main metric 0"_s, u"route delete 10.2.0.255/32 table local metric 0"_s,
              u"route delete 10.31.0.0/24 table main metric 0 via 10.2.0.2"_s}));
    QVERIFY(waitIpShows({u"route"_s, u"show"_s, u"10.9.0.0/24"_s}, u"linkdown"_s)); // kept
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QCOMPARE(stats.gaps, std::uint64_t(0));
}

void TestRtnetlinkSource::silentDeletionsForRoutesOnlyRegistration()
{
    // A registration for IPv4 routes alone still follows the IPv4 addresses (without
    // delivering them): removing a link's last one flushes its routes.
    QVERIFY(setUpRoutedLink());
    Registration reg;
    QVERIFY(reg.start(AF_INET, true, RoutesMask).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    const std::size_t initialCount = reg.collector.records().size();
    QVERIFY(runIp({u"addr"_s, u"del"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    const QStringList expected = {u"route delete 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s,
                                  u"route delete 10.8.0.0/24 table 100 metric 0"_s, u"entity deregistered boot"_s};
    QVERIFY(reg.collector.waitUntil([&](const auto &records) {
        const QStringList inferred = withOrigin(records, Origin::Inferred);
        return inferred.contains(expected[0]) && inferred.contains(expected[1]);
    }));
    QThread::msleep(1500); // (no sync marker: interface records are not delivered here)
    const std::vector<ChangeRecord> all = reg.collector.records();
    const std::vector<ChangeRecord> changes(all.begin() + std::ptrdiff_t(initialCount), all.end());
    QCOMPARE(sorted(withOrigin(changes, Origin::Inferred)), sorted(expected));
    for (const auto &r : all)
        QVERIFY2(r.object == ObjectKind::Route || r.object == ObjectKind::Entity || r.object == ObjectKind::None,
                 qPrintable(describe(r)));
    QVERIFY(replicaRoutes(all, Family::IPv4) == kernelRoutes(Family::IPv4));
}

void TestRtnetlinkSource::noOpMessages()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s, u"valid_lft"_s, u"100"_s,
                   u"preferred_lft"_s, u"100"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    const std::uint64_t messagesBefore = stats.messages;
    QStringList got;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(runIp({u"link"_s, u"set"_s, u"dev"_s, u"ncv0"_s, u"up"_s}));
        // A renewed lifetime: the kernel sends RTM_NEWADDR; nothing shown changes.
        QVERIFY(runIp({u"addr"_s, u"replace"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s, u"valid_lft"_s,
                       QString::number(200 + i), u"preferred_lft"_s, QString::number(150 + i)}));
        QVERIFY(runIp({u"route"_s, u"replace"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s}));
    }
    QVERIFY(expectThenSync(reg.collector, {}, &got));
    QCOMPARE(got, QStringList());
    QVERIFY(reg.source->stats(reg.handle, &stats));
    qInfo() << "no-op messages received:" << (stats.messages - messagesBefore);
    QVERIFY(stats.messages - messagesBefore >= 3); // the kernel did send messages; none became a record
}

void TestRtnetlinkSource::neighbors()
{
    QVERIFY(makeVethPair(true));
    const auto neigh = [](const QStringList &args) { return runIp(QStringList {u"neigh"_s} + args); };
    // Proxy entries: the kernel announces neither their creation nor their flush with the
    // link, so they are known from the dump, and their flush is inferred.
    QVERIFY(neigh({u"add"_s, u"proxy"_s, u"10.9.0.50"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(neigh({u"add"_s, u"proxy"_s, u"2001:db8::50"_s, u"dev"_s, u"ncv0"_s}));
    // A normal entry for the same address as a proxy entry is another object.
    QVERIFY(neigh({u"add"_s, u"10.9.0.50"_s, u"lladdr"_s, u"02:00:00:00:00:50"_s, u"dev"_s, u"ncv0"_s, u"nud"_s,
                   u"permanent"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC, true, InterfacesMask | NeighborsMask).ok()); // interfaces: the sync marker
    QVERIFY(reg.collector.waitForSnapshot());
    NeighborReplica replica;
    replica.apply(
        reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; }));
    QVERIFY(replica.held.size() >= 3);
    QCOMPARE(replica.set(), kernelNeighbors());
    // `ip monitor neigh` beside: every line it prints must have its event.
    QProcess monitor;
    monitor.start(u"ip"_s, {u"-ts"_s, u"monitor"_s, u"neigh"_s});
    QVERIFY(monitor.waitForStarted());
    QTest::qWait(300); // subscribed
    std::vector<ChangeRecord> all;

    struct Step {
        QStringList command;
        QString expected; // the record the step must give (describe())
    };
    const std::vector<Step> steps {
        {{u"add"_s, u"10.9.0.2"_s, u"lladdr"_s, u"02:00:00:00:00:02"_s, u"dev"_s, u"ncv0"_s, u"nud"_s, u"permanent"_s},
         u"neighbor add 10.9.0.2"_s},
        {{u"add"_s, u"10.9.0.3"_s, u"lladdr"_s, u"02:00:00:00:00:03"_s, u"dev"_s, u"ncv0"_s, u"nud"_s, u"reachable"_s},
         u"neighbor add 10.9.0.3"_s},
        {{u"change"_s, u"10.9.0.3"_s, u"lladdr"_s, u"02:00:00:00:00:03"_s, u"dev"_s, u"ncv0"_s, u"nud"_s, u"stale"_s},
         u"neighbor parameter 10.9.0.3 [state]"_s},
        {{u"replace"_s, u"10.9.0.3"_s, u"lladdr"_s, u"02:00:00:00:00:04"_s, u"dev"_s, u"ncv0"_s, u"nud"_s, u"stale"_s},
         u"neighbor parameter 10.9.0.3 [lladdr]"_s},
        {{u"add"_s, u"2001:db8::2"_s, u"lladdr"_s, u"02:00:00:00:00:02"_s, u"dev"_s, u"ncv0"_s, u"nud"_s,
          u"permanent"_s, u"router"_s},
         u"neighbor add 2001:db8::2"_s},
        {{u"replace"_s, u"2001:db8::2"_s, u"lladdr"_s, u"02:00:00:00:00:02"_s, u"dev"_s, u"ncv0"_s, u"nud"_s,
          u"reachable"_s, u"router"_s},
         u"neighbor parameter 2001:db8::2 [state]"_s},
        {{u"del"_s, u"10.9.0.2"_s, u"dev"_s, u"ncv0"_s}, u"neighbor delete 10.9.0.2"_s},
    };
    for (const Step &step : steps) {
        QVERIFY2(neigh(step.command), qPrintable(step.command.join(u' ')));
        QVERIFY2(reg.collector.waitUntil([&](const auto &records) { return hasDescription(records, step.expected); }),
                 qPrintable(step.expected));
        std::vector<ChangeRecord> records;
        QVERIFY(syncAndTake(reg.collector, &records));
        replica.apply(records);
        all.insert(all.end(), records.begin(), records.end());
        const std::set<QString> kernel = kernelNeighbors();
        if (replica.set() != kernel)
            logDifference(replica.set(), kernel);
        QCOMPARE(replica.set(), kernel);
    }

    // Link down: the kernel announces the deletes of the normal entries and flushes the
    // proxy entries silently: those are inferred, named by their cause.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"down"_s}));
    QVERIFY(reg.collector.waitUntil([&](const auto &records) {
        return hasDescription(records, u"neighbor delete 10.9.0.50 proxy"_s)
            && hasDescription(records, u"neighbor delete 2001:db8::50 proxy"_s);
    }));
    std::vector<ChangeRecord> records;
    QVERIFY(syncAndTake(reg.collector, &records));
    replica.apply(records);
    int inferred = 0;
    for (const auto &r : records) {
        const auto *n = std::get_if<NeighborRow>(&r.before);
        if (n && n->isProxy()) {
            QCOMPARE(r.origin, Origin::Inferred);
            QCOMPARE(RequesterTable::get(r.requester).cause, std::string("kernel (link ncv0 down)"));
            ++inferred;
        } else if (n) {
            QCOMPARE(r.origin, Origin::Observed);
        }
    }
    QCOMPARE(inferred, 2);
    QCOMPARE(replica.set(), kernelNeighbors());
    all.insert(all.end(), records.begin(), records.end());

    QTest::qWait(200);
    monitor.terminate();
    QVERIFY(monitor.waitForFinished(5000));
    int lines = 0;
    int multicastDeletes = 0;
    for (const QString &line : QString::fromUtf8(monitor.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts)) {
        // "[2026-12-03T16:31:48.713098] Deleted 10.9.0.3 dev ncv0 lladdr ... STALE"
        QStringList words = line.section(u"] "_s, 1).split(u' ', Qt::SkipEmptyParts);
        const bool deleted = !words.isEmpty() && words.constFirst() == u"Deleted"_s;
        if (deleted)
            words.removeFirst();
        if (words.isEmpty())
            continue;
        ++lines;
        if (multicastNeighbor(words.constFirst())) {
            QVERIFY2(deleted, qPrintable(line)); // never announced but deleted
            ++multicastDeletes;
        }
        const IpAddress dst = IpAddress::parse(words.constFirst().toStdString());
        const bool found = std::any_of(all.begin(), all.end(), [&](const ChangeRecord &r) {
            const auto *n = std::get_if<NeighborRow>(&r.row());
            if (!n || n->address != dst)
                return false;
            return deleted ? r.change == ChangeKind::Delete
                           : r.change == ChangeKind::Add || r.change == ChangeKind::Parameter;
        });
        QVERIFY2(found, qPrintable(u"no event for: "_s + line));
    }
    QVERIFY(lines >= int(steps.size()));
    // Those the kernel made without a message after the dump: an inferred add before their
    // delete. Only they.
    int unannounced = 0;
    for (const ChangeRecord &r : all) {
        if (r.change != ChangeKind::Add || r.origin != Origin::Inferred)
            continue;
        const auto *n = std::get_if<NeighborRow>(&r.after);
        QVERIFY(n);
        QCOMPARE(RequesterTable::get(r.requester).cause, std::string("kernel (announced only at its deletion)"));
        QVERIFY(multicastNeighbor(QString::fromStdString(toString(n->address))));
        ++unannounced;
    }
    QVERIFY(unannounced <= multicastDeletes);
}

void TestRtnetlinkSource::rules()
{
    QVERIFY(makeVethPair(true));
    const auto rule = [](QStringList args) { // "-6" goes before "rule"
        args.insert(!args.isEmpty() && args.constFirst() == u"-6"_s ? 1 : 0, u"rule"_s);
        return runIp(args);
    };
    // One rule before the registration: it comes with the kernel's defaults from the dump.
    QVERIFY(rule({u"add"_s, u"from"_s, u"10.7.0.0/16"_s, u"lookup"_s, u"100"_s, u"pref"_s, u"1000"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC, true, InterfacesMask | RulesMask).ok()); // interfaces: the sync marker
    QVERIFY(reg.collector.waitForSnapshot());
    RuleReplica replica;
    const std::vector<ChangeRecord> initial
        = reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; });
    replica.apply(initial);
    // The kernel's defaults (IPv4 0 local, 32766 main, 32767 default; IPv6 0 local, 32766
    // main) and the rule added before, each an initial record.
    for (const QString &expected : {u"ipv4 0: from all lookup local"_s, u"ipv4 32766: from all lookup main"_s,
                                    u"ipv4 32767: from all lookup default"_s, u"ipv6 0: from all lookup local"_s,
                                    u"ipv6 32766: from all lookup main"_s, u"ipv4 1000: from 10.7.0.0/16 lookup 100"_s})
        QVERIFY2(replica.set().count(expected), qPrintable(expected));
    QVERIFY(std::all_of(initial.begin(), initial.end(), [](const ChangeRecord &r) {
        return r.object != ObjectKind::Rule || r.change == ChangeKind::Initial;
    }));
    QCOMPARE(replica.set(), kernelRules());

    // `ip monitor rule` beside: every line it prints must have its event.
    QProcess monitor;
    monitor.start(u"ip"_s, {u"-ts"_s, u"monitor"_s, u"rule"_s});
    QVERIFY(monitor.waitForStarted());
    QTest::qWait(300); // subscribed
    std::vector<ChangeRecord> all;
    struct Step {
        QStringList command;
        QString expected; // the record the step must give (describe())
    };
    const QString dev0 = u"ncv0"_s, dev1 = u"ncv1"_s;
    const std::vector<Step> steps {
        {{u"add"_s,       u"from"_s,     u"10.1.0.0/16"_s, u"to"_s,     u"10.2.0.1"_s, u"tos"_s,
          u"0x10"_s,      u"fwmark"_s,   u"0x1/0xff"_s,    u"iif"_s,    dev0,          u"oif"_s,
          dev1,           u"ipproto"_s,  u"tcp"_s,         u"sport"_s,  u"80"_s,       u"dport"_s,
          u"1000-2000"_s, u"uidrange"_s, u"1000-2000"_s,   u"lookup"_s, u"100"_s,      u"suppress_prefixlength"_s,
          u"0"_s,         u"pref"_s,     u"100"_s,         u"proto"_s,  u"static"_s},
         u"rule add 100: from 10.1.0.0/16 to 10.2.0.1 tos 0x10 fwmark 0x1/0xff iif ncv0 oif ncv1 uidrange "
         u"1000-2000 ipproto tcp sport 80 dport 1000-2000 lookup 100 suppress_prefixlength 0"_s},
        // The same priority and table with another selector: another rule.
        {{u"add"_s, u"fwmark"_s, u"0x2"_s, u"lookup"_s, u"100"_s, u"pref"_s, u"100"_s},
         u"rule add 100: from all fwmark 0x2 lookup 100"_s},
        {{u"add"_s, u"not"_s, u"from"_s, u"10.3.0.0/24"_s, u"goto"_s, u"32766"_s, u"pref"_s, u"200"_s},
         u"rule add 200: not from 10.3.0.0/24 goto 32766"_s},
        {{u"add"_s, u"to"_s, u"192.0.2.0/24"_s, u"blackhole"_s, u"pref"_s, u"300"_s},
         u"rule add 300: from all to 192.0.2.0/24 blackhole"_s},
        {{u"add"_s, u"iif"_s, u"lo"_s, u"unreachable"_s, u"pref"_s, u"301"_s},
         u"rule add 301: from all iif lo unreachable"_s},
        {{u"add"_s, u"oif"_s, dev0, u"prohibit"_s, u"pref"_s, u"302"_s}, u"rule add 302: from all oif ncv0 prohibit"_s},
        {{u"add"_s, u"nop"_s, u"pref"_s, u"303"_s}, u"rule add 303: from all nop"_s},
        {{u"-6"_s, u"add"_s, u"from"_s, u"2001:db8::/32"_s, u"to"_s, u"2001:db8:1::1"_s, u"ipproto"_s, u"udp"_s,
          u"dport"_s, u"53"_s, u"lookup"_s, u"main"_s, u"suppress_prefixlength"_s, u"0"_s, u"pref"_s, u"400"_s},
         u"rule add 400: from 2001:db8::/32 to 2001:db8:1::1 ipproto udp dport 53 lookup main "
         u"suppress_prefixlength 0"_s},
        {{u"-6"_s, u"add"_s, u"fwmark"_s, u"0x10"_s, u"unreachable"_s, u"pref"_s, u"401"_s},
         u"rule add 401: from all fwmark 0x10 unreachable"_s},
        // A "change" of a rule is a delete and an add: the kernel has no rule id.
        {{u"del"_s, u"fwmark"_s, u"0x2"_s, u"lookup"_s, u"100"_s, u"pref"_s, u"100"_s},
         u"rule delete 100: from all fwmark 0x2 lookup 100"_s},
        {{u"add"_s, u"fwmark"_s, u"0x2"_s, u"lookup"_s, u"101"_s, u"pref"_s, u"100"_s},
         u"rule add 100: from all fwmark 0x2 lookup 101"_s},
        {{u"del"_s, u"pref"_s, u"300"_s}, u"rule delete 300: from all to 192.0.2.0/24 blackhole"_s},
        {{u"-6"_s, u"del"_s, u"pref"_s, u"400"_s},
         u"rule delete 400: from 2001:db8::/32 to 2001:db8:1::1 ipproto udp dport 53 lookup main "
         u"suppress_prefixlength 0"_s},
        // A default rule goes like any other.
        {{u"-6"_s, u"del"_s, u"pref"_s, u"32766"_s}, u"rule delete 32766: from all lookup main"_s},
    };
    for (const Step &step : steps) {
        QVERIFY2(rule(step.command), qPrintable(step.command.join(u' ')));
        QVERIFY2(reg.collector.waitUntil([&](const auto &records) { return hasDescription(records, step.expected); }),
                 qPrintable(step.expected));
        std::vector<ChangeRecord> records;
        QVERIFY(syncAndTake(reg.collector, &records));
        for (const ChangeRecord &r : records)
            if (r.object == ObjectKind::Rule)
                QVERIFY2(r.change == ChangeKind::Add || r.change == ChangeKind::Delete, qPrintable(describe(r)));
        replica.apply(records);
        all.insert(all.end(), records.begin(), records.end());
        const std::set<QString> kernel = kernelRules();
        if (replica.set() != kernel)
            logDifference(replica.set(), kernel);
        QCOMPARE(replica.set(), kernel);
    }
    // proto static: in the attribute line as ip writes it, and by name in the details.
    const auto withProto = std::find_if(all.begin(), all.end(), [](const ChangeRecord &r) {
        const auto *u = std::get_if<RuleRow>(&r.after);
        return u && u->priority == 100 && u->protocol == 4;
    });
    QVERIFY(withProto != all.end());
    QVERIFY2(q(details(*withProto)).endsWith(u"suppress_prefixlength 0 proto static"_s),
             qPrintable(q(details(*withProto))));

    QTest::qWait(200);
    monitor.terminate();
    QVERIFY(monitor.waitForFinished(5000));
    int lines = 0;
    for (const QString &line : QString::fromUtf8(monitor.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts)) {
        // "[2026-12-04T16:31:48.713098] Deleted 300:	from all to 192.0.2.0/24 blackhole"
        QString text = line.section(u"] "_s, 1).trimmed();
        const bool deleted = text.startsWith(u"Deleted "_s);
        if (deleted)
            text = text.mid(8);
        text.replace(u'\t', u' ');
        ++lines;
        const bool found = std::any_of(all.begin(), all.end(), [&](const ChangeRecord &r) {
            const auto *u = std::get_if<RuleRow>(&r.row());
            if (!u || (deleted ? r.change != ChangeKind::Delete : r.change != ChangeKind::Add))
                return false;
            // ruleText() without its family: what ip writes.
            return ruleText(*u).section(u' ', 1) == text;
        });
        QVERIFY2(found, qPrintable(u"no event for: "_s + line));
    }
    QCOMPARE(lines, int(steps.size()));
}

/// Removes every nexthop object (the blackholes outlive the links the tests delete).
static void flushNexthops()
{
    runIp({u"nexthop"_s, u"flush"_s}, nullptr, true); // "Nothing to flush" is no failure
}

void TestRtnetlinkSource::nexthops()
{
    flushNexthops();
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    const auto nexthop = [](QStringList args) {
        args.prepend(u"nexthop"_s);
        return runIp(args);
    };
    // One object before the registration: it comes from the dump.
    QVERIFY(nexthop({u"add"_s, u"id"_s, u"5"_s, u"dev"_s, u"ncv1"_s, u"proto"_s, u"static"_s}));
    Registration reg;
    // Interfaces: the sync marker; routes: the route using a group.
    QVERIFY(reg.start(AF_UNSPEC, true, InterfacesMask | RoutesMask | NexthopsMask).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    NexthopReplica replica;
    const std::vector<ChangeRecord> initial
        = reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; });
    replica.apply(initial);
    const QString i0 = QString::number(ifIndexOf(u"ncv0"_s));
    QCOMPARE(replica.set(), std::set<QString>({u"id 5 dev ncv1 proto static"_s}));
    QCOMPARE(replica.set(), kernelNexthops());

    // `ip monitor nexthop` beside: every line it prints must have its event.
    QProcess monitor;
    monitor.start(u"ip"_s, {u"-ts"_s, u"monitor"_s, u"nexthop"_s});
    QVERIFY(monitor.waitForStarted());
    QTest::qWait(300); // subscribed
    std::vector<ChangeRecord> all;
    struct Step {
        QStringList command;
        QStringList expected; // records the step must give (describe(r, true))
    };
    const std::vector<Step> steps {
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"1"_s, u"via"_s, u"10.1.0.2"_s, u"dev"_s, u"ncv0"_s},
         {u"nexthop add id 1"_s}},
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"2"_s, u"dev"_s, u"ncv1"_s}, {u"nexthop add id 2"_s}},
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"3"_s, u"blackhole"_s}, {u"nexthop add id 3"_s}},
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"4"_s, u"via"_s, u"2001:db8::2"_s, u"dev"_s, u"ncv0"_s, u"onlink"_s},
         {u"nexthop add id 4"_s}},
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"10"_s, u"group"_s, u"1/2"_s}, {u"nexthop add id 10"_s}},
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"11"_s, u"group"_s, u"1,3/2"_s, u"type"_s, u"resilient"_s, u"buckets"_s,
          u"8"_s},
         {u"nexthop add id 11"_s}},
        // Replace changes the object in place: a parameter change of its gateway.
        {{u"nexthop"_s, u"replace"_s, u"id"_s, u"1"_s, u"via"_s, u"10.1.0.3"_s, u"dev"_s, u"ncv0"_s},
         {u"nexthop parameter id 1 [gateway]"_s}},
        {{u"route"_s, u"add"_s, u"192.0.2.0/24"_s, u"nhid"_s, u"10"_s},
         {u"route add 192.0.2.0/24 table main metric 0 via 10.1.0.3"_s}},
        // Deleting a member: the kernel announces the groups it leaves, not the routes
        // through them, which lose its next hop (inferred; the tables are compared below).
        {{u"nexthop"_s, u"del"_s, u"id"_s, u"2"_s},
         {u"nexthop delete id 2"_s, u"nexthop parameter id 10 [group]"_s, u"nexthop parameter id 11 [group]"_s}},
        // The same for IPv6: the route keeps the multipath form and the member's weight.
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"6"_s, u"via"_s, u"2001:db8::3"_s, u"dev"_s, u"ncv0"_s, u"onlink"_s},
         {u"nexthop add id 6"_s}},
        {{u"nexthop"_s, u"add"_s, u"id"_s, u"12"_s, u"group"_s, u"4,2/6"_s}, {u"nexthop add id 12"_s}},
        {{u"route"_s, u"add"_s, u"2001:db8:50::/48"_s, u"nhid"_s, u"12"_s}, {}},
        {{u"nexthop"_s, u"del"_s, u"id"_s, u"6"_s}, {u"nexthop delete id 6"_s, u"nexthop parameter id 12 [group]"_s}},
        // Deleting the link: the kernel removes its objects and the groups they empty
        // without a message (nexthop_flush_dev): inferred. The blackhole stays.
        {{u"link"_s, u"del"_s, u"ncv0"_s},
         {u"nexthop delete id 1 (inferred)"_s, u"nexthop delete id 4 (inferred)"_s, u"nexthop delete id 5 (inferred)"_s,
          u"nexthop delete id 10 (inferred)"_s, u"nexthop delete id 11 (inferred)"_s}},
    };
    for (const Step &step : steps) {
        QVERIFY2(runIp(step.command), qPrintable(step.command.join(u' ')));
        QVERIFY2(reg.collector.waitUntil([&](const auto &records) {
            const QStringList got = describeAll(records, true);
            return std::all_of(step.expected.begin(), step.expected.end(),
                               [&](const QString &e) { return got.contains(e); });
        }),
                 qPrintable(step.expected.join(u", "_s)));
        std::vector<ChangeRecord> records;
        QVERIFY(syncAndTake(reg.collector, &records));
        replica.apply(records);
        all.insert(all.end(), records.begin(), records.end());
        const std::set<QString> kernel = kernelNexthops();
        if (replica.set() != kernel)
            logDifference(replica.set(), kernel);
        QCOMPARE(replica.set(), kernel);
        // The routes too, with the next hops of the objects they use.
        std::vector<ChangeRecord> routes = initial;
        routes.insert(routes.end(), all.begin(), all.end());
        QVERIFY2(replicaEqualsKernel(routes), qPrintable(step.command.join(u' ')));
    }
    const auto shrunk = std::find_if(all.begin(), all.end(), [](const ChangeRecord &r) {
        const auto *row = std::get_if<RouteRow>(&r.after);
        return row && r.change == ChangeKind::Parameter && r.origin == Origin::Inferred && row->nhId == 10;
    });
    QVERIFY2(shrunk != all.end(), "no inferred change of the route through group 10");
    QVERIFY2(std::any_of(all.begin(), all.end(),
                         [](const ChangeRecord &r) {
                             const auto *row = std::get_if<RouteRow>(&r.after);
                             return row && r.change == ChangeKind::Parameter && r.origin == Origin::Inferred
                                 && row->nhId == 12;
                         }),
             "no inferred change of the IPv6 route through group 12");
    QCOMPARE(RequesterTable::get(shrunk->requester).cause, std::string("kernel (nexthop object 2 deleted)"));
    // The route names its nexthop object (RTA_NH_ID) in its details.
    const auto route = std::find_if(all.begin(), all.end(), [](const ChangeRecord &r) {
        const auto *row = std::get_if<RouteRow>(&r.after);
        return row && r.change == ChangeKind::Add && row->nhId == 10;
    });
    QVERIFY(route != all.end());
    const auto texts = fieldTexts(route->after);
    QVERIFY(std::find(texts.begin(), texts.end(), std::pair {std::string("nhid"), std::string("10")}) != texts.end());
    // Texts: the summary and the attribute line as ip nexthop writes them.
    const auto added = [&](std::uint32_t id) {
        return std::find_if(all.begin(), all.end(), [id](const ChangeRecord &r) {
            const auto *row = std::get_if<NexthopRow>(&r.after);
            return row && row->id == id && r.change == ChangeKind::Add;
        });
    };
    // The device by the name the writer knows (the event's if_name), by index without one.
    QCOMPARE(q(summary(*added(1), "ncv0")), u"add nexthop id 1 on ncv0 (via 10.1.0.2 dev ncv0)"_s);
    QCOMPARE(q(summary(*added(1))), u"add nexthop id 1 (via 10.1.0.2 dev "_s + i0 + u')');
    QCOMPARE(q(details(*added(3))), u"blackhole"_s);
    QCOMPARE(q(details(*added(4))), u"via 2001:db8::2 dev "_s + i0 + u" onlink"_s);
    std::string named;
    appendDetails(named, *added(4), KnownFields::All, "ncv0");
    QCOMPARE(q(named), u"via 2001:db8::2 dev ncv0 onlink"_s);
    QCOMPARE(q(details(*added(11))), u"group 1,3/2 type resilient"_s);

    QTest::qWait(200);
    monitor.terminate();
    QVERIFY(monitor.waitForFinished(5000));
    int lines = 0;
    for (const QString &line : QString::fromUtf8(monitor.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts)) {
        // "[2026-12-05T21:13:03.155312] Deleted id 2 dev v1 scope host"
        QString text = line.section(u"] "_s, 1).trimmed();
        const bool deleted = text.startsWith(u"Deleted "_s);
        if (deleted)
            text = text.mid(8);
        const QStringList words = text.split(u' ', Qt::SkipEmptyParts);
        QVERIFY2(words.size() >= 2 && words[0] == u"id"_s, qPrintable(line));
        const std::uint32_t id = words[1].toUInt();
        const int via = words.indexOf(u"via"_s);
        ++lines;
        const bool found = std::any_of(all.begin(), all.end(), [&](const ChangeRecord &r) {
            const auto *h = std::get_if<NexthopRow>(&r.row());
            if (!h || h->id != id || r.origin != Origin::Observed || (r.change == ChangeKind::Delete) != deleted)
                return false;
            return via < 0 || (via + 1 < words.size() && q(toString(h->gateway)) == words[via + 1]);
        });
        QVERIFY2(found, qPrintable(u"no event for: "_s + line));
    }
    QCOMPARE(lines, 14); // 8 adds, a replace, two deletes and the three groups they changed
    flushNexthops();
}

void TestRtnetlinkSource::nexthopsRepairedByResync()
{
    flushNexthops();
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    // A burst of nexthop changes in one `ip -batch`: adds, groups, replaces and deletes.
    constexpr int kObjects = 4000;
    QTemporaryFile batch;
    QVERIFY(batch.open());
    for (int id = 1; id <= kObjects; ++id)
        batch.write(QStringLiteral("nexthop add id %1 via 10.1.0.2 dev ncv0\n").arg(id).toUtf8());
    for (int id = 1; id <= 100; ++id)
        batch.write(
            QStringLiteral("nexthop add id %1 group %2/%3\n").arg(10000 + id).arg(2 * id).arg(2 * id + 1).toUtf8());
    for (int id = 1000; id < 1500; ++id)
        batch.write(QStringLiteral("nexthop replace id %1 via 10.1.0.3 dev ncv0\n").arg(id).toUtf8());
    for (int id = 1; id <= 150; ++id) // members of the first groups, and the first groups with them
        batch.write(QStringLiteral("nexthop del id %1\n").arg(id).toUtf8());
    batch.flush();

    // A tiny receive buffer and a consumer held still for the whole burst: the kernel must
    // drop events (ENOBUFS) however fast or slow the machine; the resync's dump of nexthop
    // objects repairs what was lost. (A merely slow consumer kept pace on a loaded machine,
    // where the burst itself was slowed down as much.)
    RtnetlinkSource::Options options;
    options.receiveBufferBytes = 4096;
    Registration reg(options);
    std::atomic<bool> hold {false};
    reg.collector.onBatch = [&](std::span<const ChangeRecord>) {
        QElapsedTimer held;
        held.start();
        while (hold.load() && held.elapsed() < 120000)
            QThread::msleep(1);
    };
    QVERIFY(reg.start(AF_UNSPEC, true, InterfacesMask | NexthopsMask).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    hold = true;
    QProcess burst;
    burst.start(u"ip"_s, {u"-batch"_s, batch.fileName()});
    const bool burstDone = burst.waitForFinished(120000);
    hold = false;
    QVERIFY(burstDone);
    QCOMPARE(burst.exitCode(), 0);
    QVERIFY(reg.collector.waitUntil(
        [](const auto &records) {
            return std::any_of(records.begin(), records.end(),
                               [](const ChangeRecord &r) { return r.change == ChangeKind::Gap; });
        },
        20000));
    const std::set<QString> kernel = kernelNexthops();
    QCOMPARE(int(kernel.size()), kObjects - 150 + 100 - 74); // groups 10001..10074 lost every member
    NexthopReplica replica;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 30000) {
        replica = NexthopReplica();
        replica.apply(reg.collector.records());
        if (replica.set() == kernel)
            break;
        QTest::qWait(100);
    }
    if (replica.set() != kernel)
        logDifference(replica.set(), kernel);
    QCOMPARE(replica.set(), kernel);
    // The resync's differences are inferred, named by it.
    const auto records = reg.collector.records();
    QVERIFY(std::any_of(records.begin(), records.end(), [](const ChangeRecord &r) {
        return r.object == ObjectKind::Nexthop && r.origin == Origin::Inferred;
    }));
    QVERIFY(runIp({u"link"_s, u"del"_s, u"ncv0"_s}));
    flushNexthops();
}

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QCoreApplication app(argc, argv);
    TestRtnetlinkSource test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_rtnetlinksource.moc"
