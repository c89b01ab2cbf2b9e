// SPDX-License-Identifier: GPL-2.0-or-later
// lookupRoute() against the kernel: in a private network namespace a scenario adds and
// deletes policy rules, routes in several tables, a multipath route, blackhole /
// unreachable / prohibit / throw routes and a default route via a tunnel-like veth; after
// each step, for every query, the answer computed from the routes RtnetlinkSource
// delivers equals `ip -j route get ADDRESS [from A] [mark M]` (the route's type, table,
// gateway and device, or the same errno). The rules come from `ip -j rule show` here.
// Routes through nexthop objects are looked up with net.ipv4.nexthop_compat_mode = 0, where
// the kernel gives them with RTA_NH_ID alone: the objects say where they go.
#include "platform/format.h"
#include "platform/linux/rtnetlinksource.h"
#include "platform/routelookup.h"
#include "support/netns.h"
#include "support/recordcollector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <map>
#include <sys/socket.h>

using namespace ncv::platform;
using namespace Qt::StringLiterals;

namespace {

bool ip(const QString &args, QByteArray *out = nullptr, QByteArray *err = nullptr)
{
    QProcess p;
    p.start(u"ip"_s, QProcess::splitCommand(args));
    if (!p.waitForFinished(10000))
        return false;
    if (out)
        *out = p.readAllStandardOutput();
    const QByteArray e = p.readAllStandardError();
    if (err)
        *err = e;
    else if (p.exitCode() != 0)
        qWarning("ip %s: %s", qPrintable(args), e.constData());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

std::uint32_t tableNumber(const QString &name)
{
    if (name == u"main"_s)
        return 254;
    if (name == u"local"_s)
        return 255;
    if (name == u"default"_s)
        return 253;
    return name.toUInt();
}

// `ip -j rule show` of one family as the rules the lookup takes.
std::vector<PolicyRule> kernelRules(Family family)
{
    QByteArray out;
    if (!ip(family == Family::IPv4 ? u"-4 -j rule show"_s : u"-6 -j rule show"_s, &out))
        return {};
    std::vector<PolicyRule> rules;
    for (const QJsonValue &v : QJsonDocument::fromJson(out).array()) {
        const QJsonObject o = v.toObject();
        PolicyRule r;
        r.family = family;
        r.priority = std::uint32_t(o.value("priority"_L1).toInteger());
        if (o.value("src"_L1).toString() != u"all"_s) {
            r.source = IpAddress::parse(o.value("src"_L1).toString().toStdString());
            r.sourceLength = std::uint8_t(o.value("srclen"_L1).toInt(family == Family::IPv4 ? 32 : 128));
        }
        if (o.contains("dst"_L1)) {
            r.destination = IpAddress::parse(o.value("dst"_L1).toString().toStdString());
            r.destinationLength = std::uint8_t(o.value("dstlen"_L1).toInt(family == Family::IPv4 ? 32 : 128));
        }
        if (o.contains("tos"_L1))
            r.tos = std::uint8_t(o.value("tos"_L1).toString().toUInt(nullptr, 16));
        r.inputInterface = o.value("iif"_L1).toString().toStdString();
        r.outputInterface = o.value("oif"_L1).toString().toStdString();
        if (o.contains("fwmark"_L1)) {
            r.fwmark = o.value("fwmark"_L1).toString().toUInt(nullptr, 16);
            r.fwmask = o.contains("fwmask"_L1) ? o.value("fwmask"_L1).toString().toUInt(nullptr, 16) : 0xFFFFFFFFu;
        }
        if (o.contains("uid_start"_L1)) {
            r.hasUidRange = true;
            r.uidStart = std::uint32_t(o.value("uid_start"_L1).toInteger());
            r.uidEnd = std::uint32_t(o.value("uid_end"_L1).toInteger());
        }
        r.unmodelledSelector = o.contains("ipproto"_L1) || o.contains("sport"_L1) || o.contains("dport"_L1)
            || o.contains("l3mdev"_L1) || o.contains("tun_id"_L1);
        r.invert = o.contains("not"_L1);
        const QString action = o.value("action"_L1).toString();
        if (action == u"prohibit"_s)
            r.action = PolicyRule::Action::Prohibit;
        else if (action == u"unreachable"_s)
            r.action = PolicyRule::Action::Unreachable;
        else if (action == u"blackhole"_s)
            r.action = PolicyRule::Action::Blackhole;
        else if (o.contains("nop"_L1))
            r.action = PolicyRule::Action::Nop;
        else if (o.contains("goto"_L1)) {
            r.action = PolicyRule::Action::Goto;
            r.gotoPriority = std::uint32_t(o.value("goto"_L1).toInteger());
        }
        r.table = tableNumber(o.value("table"_L1).toString());
        if (o.contains("suppress_prefixlen"_L1))
            r.suppressPrefixLength = o.value("suppress_prefixlen"_L1).toInt();
        rules.push_back(r);
    }
    return rules;
}

struct Tables {
    std::vector<RouteRow> routes;
    NexthopObjects nexthops;
    std::map<std::uint32_t, QString> names; // ifindex -> name
};

// The routes and interface names as the source's snapshot delivers them now.
bool snapshot(Tables *t)
{
    ncv::test::Collector c; // before the source: destroyed after it
    RtnetlinkSource source;
    RegisterParams p;
    p.callback = &ncv::test::Collector::callback;
    p.callerContext = &c;
    p.addressFamily = AF_UNSPEC;
    p.objects = RoutesMask | InterfacesMask | NexthopsMask;
    Handle h = 0;
    if (!source.registerChanges(p, &h).ok() || !c.waitForSnapshot())
        return false;
    source.cancel(h);
    for (const ChangeRecord &r : c.records()) {
        if (const auto *route = std::get_if<RouteRow>(&r.after))
            t->routes.push_back(*route);
        else if (const auto *i = std::get_if<InterfaceRow>(&r.after))
            t->names[i->ifIndex] = QString::fromStdString(i->name);
        else if (const auto *h = std::get_if<NexthopRow>(&r.after))
            t->nexthops[h->id] = *h;
    }
    return true;
}

struct Query {
    QString destination;
    QString from;
    QString mark;
};

QString describe(const Query &q)
{
    QString text = q.destination;
    if (!q.from.isEmpty())
        text += u" from "_s + q.from;
    if (!q.mark.isEmpty())
        text += u" mark "_s + q.mark;
    return text;
}

// Compares lookupRoute() with `ip route get` for each query; returns the mismatches.
QStringList compareWithKernel(const QList<Query> &queries)
{
    Tables t;
    if (!snapshot(&t))
        return {u"no snapshot from the source"_s};
    const auto rules4 = kernelRules(Family::IPv4);
    const auto rules6 = kernelRules(Family::IPv6);
    QStringList problems;
    for (const Query &q : queries) {
        RouteQuery query;
        query.destination = IpAddress::parse(q.destination.toStdString());
        if (!q.from.isEmpty())
            query.source = IpAddress::parse(q.from.toStdString());
        if (!q.mark.isEmpty())
            query.fwmark = q.mark.toUInt(nullptr, 0);
        const bool v4 = query.destination.family == Family::IPv4;
        const RouteAnswer ours = lookupRoute(query, t.routes, v4 ? rules4 : rules6, &t.nexthops);

        QString args = (v4 ? u"-4 -j route get "_s : u"-6 -j route get "_s) + q.destination;
        if (!q.from.isEmpty())
            args += u" from "_s + q.from;
        if (!q.mark.isEmpty())
            args += u" mark "_s + q.mark;
        QByteArray out, err;
        const bool ok = ip(args, &out, &err);
        const QString oursText = QString::fromStdString(ours.text());
        if (!ok) {
            const QString expected = u"RTNETLINK answers: "_s + QString::fromLocal8Bit(std::strerror(ours.error()));
            if (ours.error() == 0 || !QString::fromLocal8Bit(err).contains(expected))
                problems << u"%1: kernel '%2', ours %3"_s.arg(describe(q), QString::fromLocal8Bit(err).trimmed(),
                                                              oursText);
            continue;
        }
        const QJsonObject k = QJsonDocument::fromJson(out).array().first().toObject();
        if (ours.outcome != RouteAnswer::Outcome::Route) {
            problems << u"%1: kernel %2, ours %3"_s.arg(describe(q), QString::fromUtf8(out).trimmed(), oursText);
            continue;
        }
        const QString type = k.value("type"_L1).toString(u"unicast"_s);
        const QString table = k.value("table"_L1).toString(u"main"_s);
        bool same = type == QString::fromStdString(routeTypeName(ours.route.type)) && tableNumber(table) == ours.table;
        if (same && type == u"unicast"_s) {
            // Any of a multipath route's next hops: the kernel picks one by a flow hash.
            const IpAddress gateway = IpAddress::parse(k.value("gateway"_L1).toString().toStdString());
            const QString dev = k.value("dev"_L1).toString();
            same = false;
            for (const NextHop &hop : ours.route.nextHops)
                same = same || (hop.gateway == gateway && t.names[hop.ifIndex] == dev);
        }
        if (!same)
            problems << u"%1: kernel %2, ours %3"_s.arg(describe(q), QString::fromUtf8(out).trimmed(), oursText);
    }
    return problems;
}

} // namespace

class TestRouteLookup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaultRulesMatchTheKernel();
    void answersEqualIpRouteGetThroughAScenario();
    void answersThroughNexthopObjectsWithoutCompatMode();
    void unitCases();
    void nexthopObjectCases();
};

void TestRouteLookup::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"no private network namespace: "_s + QString::fromStdString(ns.message)));
}

void TestRouteLookup::defaultRulesMatchTheKernel()
{
    // A fresh namespace holds the kernel's default rules: the same as defaultPolicyRules.
    for (const Family family : {Family::IPv4, Family::IPv6}) {
        const auto kernel = kernelRules(family);
        const auto ours = defaultPolicyRules(family);
        QCOMPARE(kernel.size(), ours.size());
        for (std::size_t i = 0; i < ours.size(); ++i) {
            QCOMPARE(kernel[i].priority, ours[i].priority);
            QCOMPARE(kernel[i].table, ours[i].table);
            QVERIFY(kernel[i].action == PolicyRule::Action::Lookup);
        }
    }
}

void TestRouteLookup::answersEqualIpRouteGetThroughAScenario()
{
    for (const char *cmd : {"link set lo up",
                            "link add a0 type veth peer name a1",
                            "link add b0 type veth peer name b1",
                            "link add t0 type veth peer name t1",
                            "link set a0 up",
                            "link set a1 up",
                            "link set b0 up",
                            "link set b1 up",
                            "link set t0 up",
                            "link set t1 up",
                            "addr add 10.9.0.1/24 dev a0",
                            "addr add 10.8.0.1/24 dev b0",
                            "addr add 10.7.0.1/30 dev t0",
                            "-6 addr add 2001:db8:9::1/64 dev a0 nodad",
                            "-6 addr add 2001:db8:8::1/64 dev b0 nodad",
                            "route add default via 10.9.0.2",
                            "route add 10.50.0.0/16 via 10.8.0.2 metric 10",
                            "route add 10.50.0.0/16 via 10.9.0.2 metric 5",
                            "route add 10.50.1.0/24 via 10.8.0.2",
                            "route add 10.60.0.0/16 nexthop via 10.9.0.2 nexthop via 10.8.0.2",
                            "route add blackhole 10.70.0.0/16",
                            "route add unreachable 10.71.0.0/16",
                            "route add prohibit 10.72.0.0/16",
                            "route add default via 10.7.0.2 dev t0 table 100",
                            "route add throw 10.73.0.0/16 table 100",
                            "route add 10.2.0.0/16 via 10.8.0.2 table 200",
                            "rule add from 10.8.0.1 lookup 100 pref 100",
                            "rule add fwmark 0x1/0xff lookup 200 pref 150",
                            "rule add to 10.80.0.0/16 lookup 100 pref 5210",
                            "rule add to 10.81.0.0/16 prohibit pref 5300",
                            "rule add to 10.82.0.0/16 unreachable pref 5310",
                            "rule add to 10.83.0.0/16 blackhole pref 5320",
                            "rule add to 10.84.0.0/16 goto 5400 pref 5330",
                            "rule add to 10.84.0.0/16 lookup 200 pref 5340",
                            "rule add lookup 100 pref 5400 iif a0",
                            "-6 route add default via 2001:db8:9::2 metric 1024",
                            "-6 route add 2001:db8:50::/48 via 2001:db8:8::2",
                            "-6 route add blackhole 2001:db8:70::/48",
                            "-6 route add prohibit 2001:db8:72::/48",
                            "-6 route add default via 2001:db8:8::2 table 100",
                            "-6 rule add from 2001:db8:8::1 lookup 100 pref 100"}) {
        QVERIFY2(ip(QString::fromLatin1(cmd)), cmd);
    }
    const QList<Query> queries {
        {u"8.8.8.8"_s, {}, {}},
        {u"10.50.0.5"_s, {}, {}},
        {u"10.50.1.5"_s, {}, {}},
        {u"10.60.0.1"_s, {}, {}},
        {u"10.70.0.1"_s, {}, {}},
        {u"10.71.0.1"_s, {}, {}},
        {u"10.72.0.1"_s, {}, {}},
        {u"10.9.0.1"_s, {}, {}},
        {u"10.9.0.255"_s, {}, {}},
        {u"10.9.0.7"_s, {}, {}},
        {u"1.1.1.1"_s, u"10.8.0.1"_s, {}},
        {u"10.73.0.1"_s, u"10.8.0.1"_s, {}},
        {u"10.2.0.5"_s, {}, u"0x1"_s},
        {u"10.2.0.5"_s, {}, u"0x101"_s},
        {u"10.2.0.5"_s, {}, u"0x2"_s},
        {u"10.80.0.5"_s, {}, {}},
        {u"10.81.0.5"_s, {}, {}},
        {u"10.82.0.5"_s, {}, {}},
        {u"10.83.0.5"_s, {}, {}},
        {u"10.84.0.5"_s, {}, {}},
        {u"2001:4860::1"_s, {}, {}},
        {u"2001:db8:50::1"_s, {}, {}},
        {u"2001:db8:70::1"_s, {}, {}},
        {u"2001:db8:72::1"_s, {}, {}},
        {u"2001:db8:9::1"_s, {}, {}},
        {u"2001:4860::1"_s, u"2001:db8:8::1"_s, {}},
    };
    QStringList problems = compareWithKernel(queries);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));

    // The answers change as rules and routes do.
    for (const char *cmd :
         {"rule del pref 100", "route del 10.50.0.0/16 via 10.9.0.2 metric 5", "route del 10.50.1.0/24",
          "rule add lookup main suppress_prefixlength 0 pref 90", "rule add not fwmark 0xca6c lookup 100 pref 95",
          "route del default via 10.9.0.2", "rule del pref 90", "route del default via 10.7.0.2 dev t0 table 100",
          "route replace 10.73.0.0/16 via 10.8.0.2 table 100", "-6 rule add to 2001:db8:50::/48 prohibit pref 80",
          "link set b0 down"}) {
        QVERIFY2(ip(QString::fromLatin1(cmd)), cmd);
        QList<Query> withMarks = queries;
        withMarks << Query {u"10.50.0.5"_s, {}, u"0xca6c"_s} << Query {u"8.8.8.8"_s, {}, u"0xca6c"_s};
        problems = compareWithKernel(withMarks);
        QVERIFY2(problems.isEmpty(), qPrintable(u"after 'ip %1':\n"_s.arg(QLatin1String(cmd)) + problems.join(u'\n')));
    }
}

void TestRouteLookup::answersThroughNexthopObjectsWithoutCompatMode()
{
    // Routes through nexthop objects and groups, IPv4 and IPv6, the objects changing under
    // them: the kernel says nothing of the routes, which it dumps with RTA_NH_ID alone.
    const std::string why = ncv::test::setNexthopCompatMode(false);
    if (!why.empty())
        QSKIP(why.c_str());
    const auto restore = qScopeGuard([] { ncv::test::setNexthopCompatMode(true); });
    for (const char *cmd : {"link add n0 type veth peer name n1",
                            "link add n2 type veth peer name n3",
                            "link set n0 up",
                            "link set n1 up",
                            "link set n2 up",
                            "link set n3 up",
                            "addr add 10.31.0.1/24 dev n0",
                            "addr add 10.32.0.1/24 dev n2",
                            "-6 addr add 2001:db8:31::1/64 dev n0 nodad",
                            "-6 addr add 2001:db8:32::1/64 dev n2 nodad",
                            "nexthop add id 31 via 10.31.0.2 dev n0",
                            "nexthop add id 32 via 10.32.0.2 dev n2",
                            "nexthop add id 33 blackhole",
                            "nexthop add id 40 group 31",
                            "nexthop add id 41 group 33",
                            "-6 nexthop add id 36 via 2001:db8:31::2 dev n0",
                            "-6 nexthop add id 37 via 2001:db8:32::2 dev n2",
                            "nexthop add id 46 group 36",
                            "route add 10.90.0.0/16 nhid 31",
                            "route add 10.91.0.0/16 nhid 40",
                            "route add 10.92.0.0/16 nhid 41",
                            "route add 10.93.0.0/16 nhid 32 table 100",
                            "rule add to 10.93.0.0/16 lookup 100 pref 900",
                            "-6 route add 2001:db8:90::/48 nhid 36",
                            "-6 route add 2001:db8:91::/48 nhid 46"}) {
        QVERIFY2(ip(QString::fromLatin1(cmd)), cmd);
    }
    QByteArray shown;
    QVERIFY(ip(u"route show 10.90.0.0/16"_s, &shown));
    QVERIFY2(!shown.contains("via"), shown.constData()); // compat mode off: the id alone
    const QList<Query> queries {{u"10.90.0.1"_s, {}, {}}, {u"10.91.0.1"_s, {}, {}},      {u"10.92.0.1"_s, {}, {}},
                                {u"10.93.0.1"_s, {}, {}}, {u"2001:db8:90::1"_s, {}, {}}, {u"2001:db8:91::1"_s, {}, {}}};
    QStringList problems = compareWithKernel(queries);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    for (const char *cmd :
         {"nexthop replace id 31 via 10.31.0.3 dev n0", "nexthop replace id 31 via 10.32.0.3 dev n2",
          "nexthop replace id 40 group 32", "nexthop replace id 41 group 31",
          "nexthop replace id 33 via 10.31.0.9 dev n0", "nexthop replace id 41 group 33",
          "nexthop replace id 32 blackhole", "-6 nexthop replace id 36 via 2001:db8:32::3 dev n2",
          "nexthop replace id 46 group 37", "-6 nexthop replace id 37 blackhole", "nexthop del id 40"}) {
        QVERIFY2(ip(QString::fromLatin1(cmd)), cmd);
        problems = compareWithKernel(queries);
        QVERIFY2(problems.isEmpty(), qPrintable(u"after 'ip %1':\n"_s.arg(QLatin1String(cmd)) + problems.join(u'\n')));
    }
    QVERIFY(ip(u"link del n0"_s));
    QVERIFY(ip(u"link del n2"_s));
    QVERIFY(ip(u"nexthop flush"_s));
    QVERIFY(ip(u"rule del pref 900"_s));
}

void TestRouteLookup::unitCases()
{
    // suppress_prefixlength, goto and throw without the kernel: what each decides.
    RouteRow wide;
    wide.destination = IpAddress::v4(0, 0, 0, 0);
    wide.prefixLength = 0;
    wide.nextHops = {NextHop {IpAddress::v4(192, 0, 2, 1), 2, 1}};
    RouteRow vpn = wide;
    vpn.table = 51820;
    vpn.nextHops = {NextHop {{}, 7, 1}};
    RouteRow narrow = wide;
    narrow.destination = IpAddress::v4(192, 0, 2, 0);
    narrow.prefixLength = 24;
    narrow.nextHops = {NextHop {{}, 2, 1}};
    const std::vector<RouteRow> routes {wide, vpn, narrow};
    // wg-quick: main without its default route, then the tunnel's table.
    std::vector<PolicyRule> rules = defaultPolicyRules(Family::IPv4);
    PolicyRule suppress;
    suppress.priority = 32764;
    suppress.table = 254;
    suppress.suppressPrefixLength = 0;
    PolicyRule tunnel;
    tunnel.priority = 32765;
    tunnel.table = 51820;
    tunnel.fwmark = 51820;
    tunnel.fwmask = 0xFFFFFFFFu;
    tunnel.invert = true;
    rules.push_back(suppress);
    rules.push_back(tunnel);
    RouteQuery q;
    q.destination = IpAddress::v4(198, 51, 100, 1);
    RouteAnswer a = lookupRoute(q, routes, rules);
    QCOMPARE(a.table, 51820u);
    QCOMPARE(a.rule.priority, 32765u);
    q.fwmark = 51820; // the tunnel's own packets: main's default route
    a = lookupRoute(q, routes, rules);
    QCOMPARE(a.table, 254u);
    QCOMPARE(a.rule.priority, 32766u);
    q.fwmark = 0;
    q.destination = IpAddress::v4(192, 0, 2, 9); // a longer prefix than 0 in main: not suppressed
    a = lookupRoute(q, routes, rules);
    QCOMPARE(a.table, 254u);
    QCOMPARE(a.route.prefixLength, std::uint8_t(24));
    QCOMPARE(a.rule.priority, 32764u);
    QVERIFY(a.sameChoice(lookupRoute(q, routes, rules)));
    RouteQuery elsewhere;
    elsewhere.destination = IpAddress::v4(8, 8, 8, 8);
    QVERIFY(!a.sameChoice(lookupRoute(elsewhere, routes, rules)));
    // No rule at all: no route.
    QVERIFY(lookupRoute(q, routes, {}).outcome == RouteAnswer::Outcome::NoRoute);
}

void TestRouteLookup::nexthopObjectCases()
{
    NexthopObjects objects;
    NexthopRow a;
    a.id = 1;
    a.family = Family::IPv4;
    a.gateway = IpAddress::v4(192, 0, 2, 1);
    a.ifIndex = 2;
    NexthopRow b = a;
    b.id = 2;
    b.gateway = IpAddress::v4(198, 51, 100, 1);
    b.ifIndex = 3;
    NexthopRow drop;
    drop.id = 3;
    drop.blackhole = true;
    NexthopRow group;
    group.id = 10;
    group.family = Family::Unspec;
    group.group = {{1, 1}, {2, 3}, {99, 1}}; // 99: not known, left out
    NexthopRow lone = group;
    lone.id = 11;
    lone.group = {{3, 1}};
    for (const NexthopRow &h : {a, b, drop, group, lone})
        objects[h.id] = h;

    std::vector<NextHop> hops {NextHop {IpAddress::v4(203, 0, 113, 1), 9, 1}};
    bool blackhole = true;
    QVERIFY(!resolveNexthopObject(4, objects, &hops, &blackhole)); // unknown: untouched
    QCOMPARE(hops.size(), std::size_t(1));
    QVERIFY(blackhole);
    QVERIFY(resolveNexthopObject(1, objects, &hops, &blackhole));
    QVERIFY(!blackhole);
    QVERIFY(hops == std::vector<NextHop>({NextHop {a.gateway, 2, 1}}));
    QVERIFY(resolveNexthopObject(10, objects, &hops, &blackhole));
    QVERIFY(!blackhole);
    QVERIFY(hops == std::vector<NextHop>({NextHop {a.gateway, 2, 1}, NextHop {b.gateway, 3, 3}}));
    QVERIFY(resolveNexthopObject(11, objects, &hops, &blackhole));
    QVERIFY(blackhole);
    QVERIFY(hops.empty());

    // A route naming object 10, as compat mode 0 gives it (no next hops), and one naming an
    // object that is not known.
    RouteRow route;
    route.destination = IpAddress::v4(10, 0, 0, 0);
    route.prefixLength = 8;
    route.nhId = 10;
    RouteRow other = route;
    other.destination = IpAddress::v4(10, 1, 0, 0);
    other.prefixLength = 16;
    other.nhId = 77;
    other.nextHops = {NextHop {IpAddress::v4(192, 0, 2, 7), 2, 1}};
    const std::vector<RouteRow> routes {route, other};
    const auto rules = defaultPolicyRules(Family::IPv4);
    RouteQuery q;
    q.destination = IpAddress::v4(10, 2, 3, 4);
    RouteAnswer answer = lookupRoute(q, routes, rules, &objects);
    QVERIFY(answer.outcome == RouteAnswer::Outcome::Route);
    QCOMPARE(answer.route.nextHops.size(), std::size_t(2));
    QVERIFY(lookupRoute(q, routes, rules).route.nextHops.empty()); // without the objects
    q.outputInterface = 3; // oif: the members' devices count
    QVERIFY(lookupRoute(q, routes, rules, &objects).outcome == RouteAnswer::Outcome::Route);
    q.outputInterface = 0;
    // The object changes: so does the answer.
    objects[10].group = {{3, 1}};
    const RouteAnswer dropped = lookupRoute(q, routes, rules, &objects);
    QVERIFY(dropped.outcome == RouteAnswer::Outcome::Blackhole);
    QCOMPARE(dropped.error(), EINVAL);
    QVERIFY(!dropped.sameChoice(answer));
    // An object that is not there: the route through it went with it; without objects
    // known the route answers as it came.
    q.destination = IpAddress::v4(10, 1, 3, 4);
    answer = lookupRoute(q, routes, rules, &objects);
    QCOMPARE(answer.route.prefixLength, std::uint8_t(8));
    answer = lookupRoute(q, routes, rules);
    QCOMPARE(answer.route.prefixLength, std::uint8_t(16));
    QVERIFY(answer.route.nextHops == other.nextHops);
}

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QCoreApplication app(argc, argv);
    TestRouteLookup test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_routelookup.moc"
