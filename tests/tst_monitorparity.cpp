// SPDX-License-Identifier: GPL-2.0-or-later
// End to end, real kernel: every line `ip -ts -o monitor all` prints has its event in
// `netchangeview --headless --netns all --stream`. Both watch the named namespace "mon"
// (`ip netns add`, on a tmpfs /run of a private mount namespace) while a scenario runs
// there: a veth pair, addresses, routes, IPv4 and IPv6 rules added and deleted, neighbors
// added, replaced and changed through PERMANENT, REACHABLE and STALE and deleted, nexthop
// objects added, replaced, grouped and deleted, a link set down, and a namespace "nsm"
// created with a veth peer in it (which makes mon assign it an nsid: the [NSID] lines, an
// nsid event each) and destroyed. Each monitor line is parsed (iproute2's ipmonitor.c prefixes, "Deleted") into
// an object kind, add/change or delete, and the fields it shows; it matches an event of
// that kind in mon with those fields (an add or parameter event's after row, a delete's
// before row), each event matching one line at most. The lines NetChangeView has no event
// for by design are counted as known differences, each kind with its reason:
// [NETCONF] (per-device sysctl settings are not tracked) and a line repeating the
// state its object's last event shows (`ip addr replace` of the same address: updates that
// change nothing shown are dropped, by design). A summary table goes to
// the test output. NetChangeView runs in a PID namespace of its own, so the /proc scan of
// --netns all finds the namespaces of this test only, never those of other tests.
#include "support/headlessrun.h"
#include "support/mountns.h"
#include "support/netns.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

bool run(const QString &program, const QStringList &args, QByteArray *out = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("%s %s failed: %s", qPrintable(program), qPrintable(args.join(u' ')),
                 p.readAllStandardError().constData());
        return false;
    }
    if (out)
        *out = p.readAllStandardOutput();
    return true;
}

/// `ip ARGS` (split on spaces).
bool ip(const QString &args)
{
    return run(u"ip"_s, args.split(u' ', Qt::SkipEmptyParts));
}

/// One event of the stream (namespaces mon and nsm only).
struct Event {
    QString ns, object, change, origin, process;
    QJsonObject before, after;
    qint64 nsid = -1; ///< an nsid event's id ("nsid"), else -1
    bool used = false;
    int matchOrder = 0; ///< 1, 2, 3... in the order lines matched events; 0 = unused

    /// The row a line about this event shows: before for a delete, else after.
    const QJsonObject &row() const { return change == u"delete"_s ? before : after; }
    QString field(const QString &name) const { return row().value(name).toString(); }
};

/// One `ip -ts -o monitor all` line: "[2026-12-06T00:14:13.376025] [NEIGH]Deleted 10.50.0.2 dev v0 FAILED".
struct MonitorLine {
    QString text; ///< the whole line
    QString kind; ///< LINK, ADDR, ROUTE, NEIGH, RULE, NEXTHOP, NSID, NETCONF... ("" when unparsed)
    bool deleted = false;
    QStringList words; ///< after the kind and "Deleted", split on blanks ("\" continuation marks dropped)
};

MonitorLine parseMonitorLine(const QString &text)
{
    static const QRegularExpression re(uR"(^\[[0-9T:.\-]+\] \[([A-Z]+)\](.*)$)"_s);
    MonitorLine line;
    line.text = text;
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return line;
    line.kind = m.captured(1);
    QString body = m.captured(2).trimmed();
    if (body.startsWith(u"Deleted "_s)) {
        line.deleted = true;
        body = body.mid(8);
    }
    for (const QString &w : body.split(QRegularExpression(uR"(\s+)"_s), Qt::SkipEmptyParts)) {
        if (w != u"\\"_s)
            line.words << (w.endsWith(u'\\') ? w.chopped(1) : w);
    }
    return line;
}

/// The word after key in words ("" when key is not there).
QString after(const QStringList &words, const QString &key, qsizetype from = 0)
{
    const qsizetype i = words.indexOf(key, from);
    return i >= 0 && i + 1 < words.size() ? words[i + 1] : QString();
}

/// "10.50.0.2" -> "10.50.0.2/32", "fd50::1" -> "fd50::1/128", "default" -> the family's /0.
QString withPrefix(const QString &dst, bool v6)
{
    if (dst == u"default"_s)
        return v6 ? u"::/0"_s : u"0.0.0.0/0"_s;
    return dst.contains(u'/') ? dst : dst + (dst.contains(u':') ? u"/128"_s : u"/32"_s);
}

/// The gateways of a NetChangeView nexthops text ("via 10.50.0.2 dev 3 weight 1, via ...").
QStringList gatewaysOf(const QString &nexthops)
{
    QStringList gws;
    const QStringList w = nexthops.split(QRegularExpression(uR"([\s,]+)"_s), Qt::SkipEmptyParts);
    for (qsizetype i = 0; i + 1 < w.size(); ++i) {
        if (w[i] == u"via"_s)
            gws << w[i + 1];
    }
    gws.sort();
    return gws;
}

/// How one monitor line fared.
enum class Outcome { Matched, KnownDifference, Unmatched };

class Matcher {
public:
    Matcher(QList<Event> &events, QHash<QString, QString> ifindexByName)
        : m_events(events), m_ifindex(std::move(ifindexByName))
    { }

    /// Matches line to an unused event of mon (marking it used), or says why it has none.
    Outcome match(const MonitorLine &line, QString *why)
    {
        const QString &k = line.kind;
        if (k == u"NETCONF"_s) {
            *why = u"per-device settings (forwarding, rp_filter...) are not tracked"_s;
            return Outcome::KnownDifference;
        }
        std::function<bool(const Event &)> fits;
        QString object;
        if (k == u"LINK"_s)
            object = u"interface"_s, fits = linkFits(line);
        else if (k == u"ADDR"_s)
            object = u"address"_s, fits = addressFits(line);
        else if (k == u"ROUTE"_s)
            object = u"route"_s, fits = routeFits(line);
        else if (k == u"NEIGH"_s)
            object = u"neighbor"_s, fits = neighborFits(line);
        else if (k == u"RULE"_s)
            object = u"rule"_s, fits = ruleFits(line);
        else if (k == u"NEXTHOP"_s)
            object = u"nexthop"_s, fits = nexthopFits(line);
        else if (k == u"NSID"_s)
            object = u"nsid"_s, fits = nsidFits(line);
        if (!fits) {
            *why = u"a line of a kind this test does not know"_s;
            return Outcome::Unmatched;
        }
        const auto kindFits = [&](const Event &e) {
            return e.ns == u"mon"_s && e.object == object
                && (line.deleted ? e.change == u"delete"_s : (e.change == u"add"_s || e.change == u"parameter"_s));
        };
        for (Event &e : m_events) {
            if (!e.used && kindFits(e) && fits(e)) {
                e.used = true;
                e.matchOrder = ++m_matched;
                *why = e.object + u' ' + e.change + u' ' + e.origin + u" (" + e.process + u')';
                return Outcome::Matched;
            }
        }
        // The same state sent again (`ip addr replace`, `ip nexthop replace` with nothing
        // new): the object's last matched event already shows every field of the line.
        const Event *last = nullptr;
        for (const Event &e : m_events) {
            if (e.used && kindFits(e) && fits(e) && (!last || e.matchOrder > last->matchOrder))
                last = &e;
        }
        const bool latest = last && std::none_of(m_events.begin(), m_events.end(), [&](const Event &e) {
                                return e.used && e.ns == last->ns && e.object == last->object
                                    && e.matchOrder > last->matchOrder && identity(e) == identity(*last);
                            });
        if (!line.deleted && latest) {
            *why = u"the same state again: no event, as updates that change nothing shown are dropped"_s;
            return Outcome::KnownDifference;
        }
        *why = u"no unused "_s + object + (line.deleted ? u" delete"_s : u" add/parameter"_s)
            + u" event in mon with these fields"_s;
        return Outcome::Unmatched;
    }

private:
    /// What identifies an event's object, as NetChangeView keys it (statestore.h).
    static QString identity(const Event &e)
    {
        QStringList parts;
        if (e.object == u"interface"_s || e.object == u"nexthop"_s)
            parts << e.field(u"ifindex"_s) << e.field(u"id"_s);
        else if (e.object == u"address"_s || e.object == u"neighbor"_s)
            parts << e.field(u"ifindex"_s) << e.field(u"address"_s);
        else if (e.object == u"route"_s)
            parts << e.field(u"destination"_s) << e.field(u"table"_s) << e.field(u"metric"_s) << e.field(u"tos"_s);
        else // a rule: every field
            parts << QString::fromUtf8(QJsonDocument(e.row()).toJson(QJsonDocument::Compact));
        return parts.join(u'|');
    }

    QString ifindexOf(const QString &dev) const { return m_ifindex.value(dev, u"?"_s + dev); }

    static std::function<bool(const Event &)> nsidFits(const MonitorLine &line)
    {
        // "nsid 0 (iproute2 netns name: nsm)", "Deleted nsid 0 (iproute2 netns name: nsm)":
        // mon gave namespace nsm the id 0, or took it back. The message holds the id only
        // (ip looks the name up itself), and so does the event.
        bool ok = false;
        const qint64 id = after(line.words, u"nsid"_s).toLongLong(&ok);
        return [=](const Event &e) { return ok && e.nsid == id; };
    }

    std::function<bool(const Event &)> linkFits(const MonitorLine &line) const
    {
        // "3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default ..."
        const QStringList &w = line.words;
        const QString index = w.value(0).chopped(1);
        const QString name = w.value(1).section(u'@', 0, 0).remove(u':');
        const QStringList flags = w.value(2).mid(1).chopped(1).split(u',');
        const QString admin = flags.contains(u"UP"_s) ? u"up"_s : u"down"_s;
        const QString mtu = after(w, u"mtu"_s);
        const QString state = after(w, u"state"_s).toLower();
        const bool deleted = line.deleted;
        return [=](const Event &e) {
            if (e.field(u"ifindex"_s) != index || e.field(u"name"_s) != name)
                return false;
            return deleted
                || (e.field(u"admin_up"_s) == admin && e.field(u"mtu"_s) == mtu && e.field(u"operstate"_s) == state);
        };
    }

    std::function<bool(const Event &)> addressFits(const MonitorLine &line) const
    {
        // "3: v0    inet 10.50.0.1/24 scope global v0 valid_lft forever preferred_lft forever"
        const QStringList &w = line.words;
        const QString index = w.value(0).chopped(1);
        const QString family = w.value(2) == u"inet6"_s ? u"ipv6"_s : u"ipv4"_s;
        const QString address = w.value(3);
        return [=](const Event &e) {
            return e.field(u"ifindex"_s) == index && e.field(u"family"_s) == family && e.field(u"address"_s) == address;
        };
    }

    std::function<bool(const Event &)> routeFits(const MonitorLine &line) const
    {
        // "[type] DST [nhid N] [via GW] [dev D] [table T] proto P [scope S] [src A] [metric M]
        //  [pref P] [nexthop via GW dev D weight W]..."
        static const QSet<QString> types = {u"local"_s,     u"broadcast"_s, u"multicast"_s, u"unreachable"_s,
                                            u"blackhole"_s, u"prohibit"_s,  u"anycast"_s,   u"throw"_s};
        QStringList w = line.words;
        QString type = u"unicast"_s;
        if (!w.isEmpty() && types.contains(w.front()))
            type = w.takeFirst();
        const bool v6 = std::any_of(w.begin(), w.end(), [](const QString &s) { return s.contains(u':'); });
        const QString dst = withPrefix(w.value(0), v6);
        const QString table = w.contains(u"table"_s) ? after(w, u"table"_s) : u"main"_s;
        const QString metric = w.contains(u"metric"_s) ? after(w, u"metric"_s) : u"0"_s;
        const QString nhid = after(w, u"nhid"_s);
        QStringList gateways;
        QStringList devices;
        for (qsizetype i = 0; i + 1 < w.size(); ++i) {
            if (w[i] == u"via"_s)
                gateways << w[i + 1];
            else if (w[i] == u"dev"_s)
                devices << w[i + 1];
        }
        gateways.sort();
        return [=, this](const Event &e) {
            if (e.field(u"destination"_s) != dst || e.field(u"table"_s) != table || e.field(u"metric"_s) != metric
                || e.field(u"type"_s) != type || e.field(u"nhid"_s) != nhid)
                return false;
            const QString hops = e.field(u"nexthops"_s);
            if (gatewaysOf(hops) != gateways)
                return false;
            // Each device as ip names it ("dev v0"): by name on the route's interface, by
            // index for the other hops of a multipath route (their names are not written).
            QStringList ours;
            const QStringList words = QString(hops).replace(u',', u' ').split(u' ', Qt::SkipEmptyParts);
            for (qsizetype i = 0; i + 1 < words.size(); ++i)
                if (words[i] == u"dev"_s)
                    ours << words[i + 1];
            return std::all_of(devices.begin(), devices.end(),
                               [&](const QString &d) { return ours.contains(d) || ours.contains(ifindexOf(d)); });
        };
    }

    std::function<bool(const Event &)> neighborFits(const MonitorLine &line) const
    {
        // "10.50.0.2 dev v0 lladdr 02:00:00:00:00:02 PERMANENT", "Deleted fd50::2 dev v0 FAILED",
        // "10.50.0.9 dev v0 proxy"
        const QStringList &w = line.words;
        const bool proxy = w.contains(u"proxy"_s);
        const QString address = w.value(0) + (proxy ? u" proxy"_s : QString());
        const QString index = ifindexOf(after(w, u"dev"_s));
        const QString lladdr = after(w, u"lladdr"_s);
        QStringList states;
        for (const QString &s : w) {
            if (s.size() > 1 && s == s.toUpper() && s.front().isLetter())
                states << s;
        }
        states.sort();
        const bool deleted = line.deleted;
        return [=](const Event &e) {
            if (e.field(u"address"_s) != address || e.field(u"ifindex"_s) != index)
                return false;
            if (deleted)
                return true; // the entry by its key; a deletion's state is the kernel's last
            QStringList shown = e.field(u"state"_s).split(u' ', Qt::SkipEmptyParts);
            shown.sort();
            return e.field(u"lladdr"_s) == lladdr && (proxy || shown == states);
        };
    }

    std::function<bool(const Event &)> ruleFits(const MonitorLine &line) const
    {
        // "1000:	from 10.50.0.0/24 lookup 100", "1001:	from all fwmark 0x5 lookup 101"
        // (no family: "from all" is either)
        const QStringList &w = line.words;
        const QString priority = w.value(0).chopped(1);
        QMap<QString, QString> fields; // NetChangeView's field name -> ip's word
        fields[u"from"_s] = after(w, u"from"_s);
        fields[u"to"_s] = after(w, u"to"_s);
        fields[u"fwmark"_s] = after(w, u"fwmark"_s);
        fields[u"iif"_s] = after(w, u"iif"_s);
        fields[u"oif"_s] = after(w, u"oif"_s);
        fields[u"table"_s] = after(w, u"lookup"_s);
        return [=](const Event &e) {
            if (e.field(u"priority"_s) != priority)
                return false;
            for (auto it = fields.begin(); it != fields.end(); ++it) {
                if (e.field(it.key()) != it.value())
                    return false;
            }
            return true;
        };
    }

    std::function<bool(const Event &)> nexthopFits(const MonitorLine &line) const
    {
        // "id 11 via 10.50.0.2 dev v0 scope link", "id 20 group 11/12", "id 30 blackhole"
        const QStringList &w = line.words;
        const QString id = after(w, u"id"_s);
        const QString gateway = after(w, u"via"_s);
        const QString device = w.contains(u"dev"_s) ? ifindexOf(after(w, u"dev"_s)) : QString();
        const QString group = after(w, u"group"_s);
        const QString blackhole = w.contains(u"blackhole"_s) ? u"blackhole"_s : QString();
        return [=](const Event &e) {
            return e.field(u"id"_s) == id && e.field(u"gateway"_s) == gateway && e.field(u"ifindex"_s) == device
                && e.field(u"group"_s) == group && e.field(u"blackhole"_s) == blackhole;
        };
    }

    QList<Event> &m_events;
    QHash<QString, QString> m_ifindex; ///< interface name in mon -> ifindex text
    int m_matched = 0;
};

} // namespace

class TestMonitorParity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void everyMonitorLineHasItsEvent();

private:
    QString m_binary = QStringLiteral(NCV_APP_BINARY);
    QTemporaryDir m_dir;
    std::unique_ptr<ncv::test::TmpfsMount> m_run;
};

void TestMonitorParity::initTestCase()
{
    std::string whyNot;
    m_run = ncv::test::privateRunForNamedNetns(whyNot);
    if (!m_run)
        QSKIP(whyNot.c_str());
    QVERIFY(QFileInfo::exists(m_binary));
    QVERIFY(m_dir.isValid());
}

void TestMonitorParity::everyMonitorLineHasItsEvent()
{
    // mon exists before both start: its lo and default rules are the snapshot. `ip netns add`
    // makes /run/netns a shared mount, so the names bound later reach the recorder's mount
    // namespace (a slave of this one).
    QVERIFY(ip(u"netns add mon"_s));
    const auto removeMon = qScopeGuard([] { ip(u"netns del mon"_s); });
    QVERIFY(ip(u"-n mon link set lo up"_s));
    if (!ip(u"-n mon nexthop add id 99 blackhole"_s))
        QSKIP("this kernel has no nexthop objects");
    QVERIFY(ip(u"-n mon nexthop del id 99"_s));

    const QString streamPath = m_dir.filePath(u"parity.jsonl"_s);
    QProcess recorder;
    recorder.start(u"unshare"_s,
                   {u"--pid"_s, u"--fork"_s, u"--mount-proc"_s, u"--propagation"_s, u"slave"_s, m_binary,
                    u"--headless"_s, u"--netns"_s, u"all"_s, u"--stream"_s, streamPath});
    QVERIFY(recorder.waitForStarted());
    // unshare --fork waits for its child and ignores SIGTERM: the recorder is its child
    // (from /proc/PID/task/PID/children, else the process whose parent unshare is).
    const auto recorderPid = [&recorder]() -> qint64 {
        const qint64 parent = recorder.processId();
        QFile children(u"/proc/%1/task/%1/children"_s.arg(parent));
        if (children.open(QIODevice::ReadOnly))
            return children.readAll().trimmed().toLongLong();
        const QStringList pids = QDir(u"/proc"_s).entryList({u"[0-9]*"_s}, QDir::Dirs);
        for (const QString &pid : pids) {
            QFile stat(u"/proc/"_s + pid + u"/stat"_s);
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> fields = stat.readAll().split(')').value(1).split(' ');
            if (fields.value(2).toLongLong() == parent) // " S PPID ...": state, then parent
                return pid.toLongLong();
        }
        return 0;
    };
    const auto stopRecorder = qScopeGuard([&] {
        if (recorder.state() == QProcess::NotRunning)
            return;
        if (const qint64 pid = recorderPid())
            ::kill(pid_t(pid), SIGKILL);
        recorder.waitForFinished(10000);
    });
    QByteArray err;
    QVERIFY2(ncv::test::readUntilReady(recorder, err, 60000), err.constData());

    QProcess monitor;
    monitor.start(u"ip"_s, {u"-n"_s, u"mon"_s, u"-ts"_s, u"-o"_s, u"monitor"_s, u"all"_s});
    QVERIFY(monitor.waitForStarted());
    const auto stopMonitor = qScopeGuard([&monitor] {
        monitor.kill();
        monitor.waitForFinished(5000);
    });
    QByteArray monitored;
    const auto waitForLine = [&](const QByteArray &needle, int ms) {
        QDeadlineTimer deadline(ms);
        while (!monitored.contains(needle) && !deadline.hasExpired()) {
            monitor.waitForReadyRead(100);
            monitored += monitor.readAllStandardOutput();
        }
        return monitored.contains(needle);
    };
    // ip monitor listens once it prints the first change: lo's MTU, changed until it does.
    bool listening = false;
    for (int i = 0; i < 50 && !listening; ++i) {
        QVERIFY(ip(u"-n mon link set lo mtu %1"_s.arg(i % 2 ? 65536 : 65535)));
        listening = waitForLine("[LINK]1: lo", 200);
    }
    QVERIFY2(listening, "ip monitor printed nothing");

    const QString I = u"-n mon "_s;
    const QStringList scenario = {
        // Links, addresses, routes.
        u"link add v0 type veth peer name v1"_s,
        u"link set v0 up"_s,
        u"link set v1 up"_s,
        u"addr add 10.50.0.1/24 dev v0"_s,
        u"addr replace 10.50.0.1/24 dev v0"_s, // the same again: the kernel announces it anyway
        u"-6 addr add fd50::1/64 dev v0 nodad"_s,
        u"route add 10.51.0.0/16 via 10.50.0.2"_s,
        u"-6 route add fd51::/64 via fd50::2"_s,
        // Rules, both families, added and deleted.
        u"rule add from 10.50.0.0/24 lookup 100 pref 1000"_s,
        u"-6 rule add from fd50::/64 lookup 100 pref 1000"_s,
        u"-6 rule add fwmark 5 lookup 101 pref 1001"_s,
        u"rule add to 10.52.0.0/16 iif v0 lookup main pref 1002"_s,
        // Neighbors: PERMANENT -> REACHABLE -> STALE, a new lladdr, deleted; IPv6 likewise.
        u"neigh add 10.50.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent"_s,
        u"neigh replace 10.50.0.2 lladdr 02:00:00:00:00:02 dev v0 nud reachable"_s,
        u"neigh change 10.50.0.2 dev v0 nud stale"_s,
        u"neigh change 10.50.0.2 lladdr 02:00:00:00:00:03 dev v0 nud stale"_s,
        u"neigh add 10.50.0.3 lladdr 02:00:00:00:00:13 dev v0 nud reachable"_s,
        u"neigh del 10.50.0.2 dev v0"_s,
        u"-6 neigh add fd50::2 lladdr 02:00:00:00:00:04 dev v0 nud reachable"_s,
        u"-6 neigh change fd50::2 lladdr 02:00:00:00:00:05 dev v0 nud permanent"_s,
        u"-6 neigh replace fd50::2 lladdr 02:00:00:00:00:05 dev v0 nud stale"_s,
        u"-6 neigh del fd50::2 dev v0"_s,
        // Nexthop objects: added, replaced, a group, a route through it, members deleted.
        u"nexthop add id 11 via 10.50.0.2 dev v0"_s,
        u"nexthop add id 12 via 10.50.0.3 dev v0"_s,
        u"nexthop replace id 12 via 10.50.0.4 dev v0"_s,
        u"nexthop replace id 12 via 10.50.0.4 dev v0"_s, // the same again, announced again
        u"nexthop add id 13 via fd50::2 dev v0"_s,
        u"nexthop add id 14 blackhole"_s,
        u"nexthop add id 20 group 11/12"_s,
        u"nexthop replace id 20 group 11,2/12"_s,
        u"route add 10.52.0.0/16 nhid 20"_s,
        u"nexthop del id 11"_s,
        u"nexthop del id 20"_s,
        u"nexthop del id 12"_s,
        u"nexthop del id 13"_s,
        u"nexthop del id 14"_s,
        u"rule del from 10.50.0.0/24 lookup 100 pref 1000"_s,
        u"-6 rule del from fd50::/64 lookup 100 pref 1000"_s,
        u"-6 rule del fwmark 5 lookup 101 pref 1001"_s,
        u"rule del to 10.52.0.0/16 iif v0 lookup main pref 1002"_s,
        u"route del 10.51.0.0/16 via 10.50.0.2"_s,
        // A link down: its IPv6 routes and its neighbors go (the multicast NOARP entries
        // the kernel made without a message among them).
        u"link set v1 down"_s,
    };
    for (const QString &step : scenario)
        QVERIFY2(ip(I + step), qPrintable(step));
    // A namespace created: a veth peer in it makes mon assign it an nsid ([NSID]).
    QVERIFY(ip(u"netns add nsm"_s));
    QVERIFY(ip(I + u"link add vx type veth peer name vy netns nsm"_s));
    QVERIFY(ip(I + u"link set vx up"_s));
    QVERIFY(ip(u"-n nsm link set vy up"_s));
    QVERIFY(ip(I + u"addr add 10.60.0.1/24 dev vx"_s));
    QVERIFY(waitForLine("[NSID]nsid", 5000));
    // Seen by the recorder (inotify, a settle delay) before it is destroyed.
    QVERIFY2(waitForLine("vx    inet 10.60.0.1/24", 5000), monitored.constData());
    QElapsedTimer t;
    t.start();
    const auto streamHas = [&](const QByteArray &needle) {
        QFile stream(streamPath);
        return stream.open(QIODevice::ReadOnly) && stream.readAll().contains(needle);
    };
    while (!streamHas("namespace nsm created") && t.elapsed() < 10000)
        QTest::qWait(100);
    QVERIFY(streamHas("namespace nsm created"));
    QVERIFY(ip(u"netns del nsm"_s));
    QVERIFY(waitForLine("[LINK]Deleted 4: vx", 10000));

    // Quiet for a second (late lines: IPv6 duplicate address detection ending), then ip
    // monitor stops first: every line it printed was read by the recorder too, which gets
    // a second to stream it.
    for (qsizetype size = -1; size != monitored.size();) {
        size = monitored.size();
        waitForLine("\x01", 1000); // none: reads for a second
    }
    monitor.terminate();
    QVERIFY(monitor.waitForFinished(5000));
    monitored += monitor.readAllStandardOutput();
    t.restart();
    while (!streamHas("namespace nsm destroyed") && t.elapsed() < 10000)
        QTest::qWait(100);
    QTest::qWait(1000);
    const qint64 pid = recorderPid();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGTERM), 0);
    QVERIFY(recorder.waitForFinished(30000));
    err += recorder.readAllStandardError();
    QVERIFY2(recorder.exitStatus() == QProcess::NormalExit && recorder.exitCode() == 0, err.constData());

    // The events of mon and nsm, and mon's interface names (to read "dev v0").
    QList<Event> events;
    QHash<QString, QString> ifindexByName;
    QFile stream(streamPath);
    QVERIFY(stream.open(QIODevice::ReadOnly));
    while (!stream.atEnd()) {
        const QByteArray line = stream.readLine();
        if (!line.contains("\"namespace\":\"mon\"") && !line.contains("\"namespace\":\"nsm\""))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        Event e;
        e.ns = o.value(u"namespace"_s).toString();
        e.object = o.value(u"object"_s).toString();
        e.change = o.value(u"change"_s).toString();
        e.origin = o.value(u"origin"_s).toString();
        e.process = o.value(u"process"_s).toString();
        e.before = o.value(u"before"_s).toObject();
        e.after = o.value(u"after"_s).toObject();
        e.nsid = o.value(u"nsid"_s).toInteger(-1);
        QVERIFY2(e.object != u"gap"_s, line.constData()); // nothing may be lost
        if (e.ns == u"mon"_s && e.object == u"interface"_s)
            ifindexByName.insert(e.field(u"name"_s), e.field(u"ifindex"_s));
        if (e.change != u"initial"_s)
            events << e;
    }

    // Each line to its event, in order; a summary by kind.
    struct Count {
        int lines = 0, matched = 0, known = 0, unmatched = 0;
    };
    QMap<QString, Count> counts;
    QStringList unmatched;
    QStringList known;
    Matcher matcher(events, ifindexByName);
    int total = 0;
    for (const QByteArray &raw : monitored.split('\n')) {
        if (raw.trimmed().isEmpty())
            continue;
        const MonitorLine line = parseMonitorLine(QString::fromUtf8(raw));
        const QString kind = line.kind.isEmpty() ? u"(unparsed)"_s : line.kind;
        Count &c = counts[kind];
        ++c.lines;
        ++total;
        QString why;
        switch (matcher.match(line, &why)) {
        case Outcome::Matched: ++c.matched; break;
        case Outcome::KnownDifference:
            ++c.known;
            known << line.text + u"\n      -> "_s + why;
            break;
        case Outcome::Unmatched:
            ++c.unmatched;
            unmatched << line.text + u"\n      -> "_s + why;
            break;
        }
    }
    QString table = u"\n  %1 %2 %3 %4 %5\n"_s.arg(u"kind"_s, -9)
                        .arg(u"ip monitor lines"_s, 17)
                        .arg(u"matched"_s, 8)
                        .arg(u"known difference"_s, 17)
                        .arg(u"unmatched"_s, 10);
    Count sum;
    for (auto it = counts.begin(); it != counts.end(); ++it) {
        table += u"  %1 %2 %3 %4 %5\n"_s.arg(it.key(), -9)
                     .arg(it->lines, 17)
                     .arg(it->matched, 8)
                     .arg(it->known, 17)
                     .arg(it->unmatched, 10);
        sum.lines += it->lines;
        sum.matched += it->matched;
        sum.known += it->known;
        sum.unmatched += it->unmatched;
    }
    table += u"  %1 %2 %3 %4 %5"_s.arg(u"total"_s, -9)
                 .arg(sum.lines, 17)
                 .arg(sum.matched, 8)
                 .arg(sum.known, 17)
                 .arg(sum.unmatched, 10);
    qInfo().noquote() << "ip -ts -o monitor all against netchangeview --stream (namespace mon):" << table;
    qInfo().noquote() << "known differences:\n   " << known.join(u"\n    "_s);
    QVERIFY2(unmatched.isEmpty(), qPrintable(u"lines without their event:\n    "_s + unmatched.join(u"\n    "_s)));

    // The scenario did what it is for: each kind of line is there, and the events for them.
    for (const QString &kind : {u"LINK"_s, u"ADDR"_s, u"ROUTE"_s, u"NEIGH"_s, u"RULE"_s, u"NEXTHOP"_s, u"NSID"_s})
        QVERIFY2(counts.value(kind).lines > 0, qPrintable(kind));
    // `ip addr replace` and `ip nexthop replace` of the same state: announced, no event.
    QCOMPARE(known.filter(u"the same state again"_s).size(), 2);
    QCOMPARE(counts.value(u"ADDR"_s).known + counts.value(u"NEXTHOP"_s).known, 2);
    QCOMPARE(counts.value(u"RULE"_s).lines, 8);
    const auto usedEvents = [&](const QString &object, const QString &change, const QString &field,
                                const QString &value) {
        return std::count_if(events.begin(), events.end(), [&](const Event &e) {
            return e.used && e.object == object && e.change == change && (field.isEmpty() || e.field(field) == value);
        });
    };
    QCOMPARE(usedEvents(u"rule"_s, u"add"_s, u"family"_s, u"ipv4"_s), 2);
    QCOMPARE(usedEvents(u"rule"_s, u"add"_s, u"family"_s, u"ipv6"_s), 2);
    QCOMPARE(usedEvents(u"rule"_s, u"delete"_s, QString(), QString()), 4);
    for (const QString &state : {u"PERMANENT"_s, u"REACHABLE"_s, u"STALE"_s, u"FAILED"_s})
        QVERIFY2(usedEvents(u"neighbor"_s, u"parameter"_s, u"state"_s, state)
                         + usedEvents(u"neighbor"_s, u"add"_s, u"state"_s, state)
                     >= 2,
                 qPrintable(state));
    QVERIFY(usedEvents(u"neighbor"_s, u"delete"_s, QString(), QString()) >= 3);
    QCOMPARE(usedEvents(u"nexthop"_s, u"add"_s, QString(), QString()), 5);
    QCOMPARE(usedEvents(u"nexthop"_s, u"parameter"_s, QString(), QString()), 3); // replace 12, replace 20, 20 shrunk
    QCOMPARE(usedEvents(u"nexthop"_s, u"delete"_s, QString(), QString()), 5);
    // nsm's id in mon: assigned, then removed with nsm, an nsid event each; and nsm itself,
    // created and destroyed, each with its event in nsm.
    QCOMPARE(counts.value(u"NSID"_s).lines, 2);
    QCOMPARE(counts.value(u"NSID"_s).matched, 2);
    QCOMPARE(usedEvents(u"nsid"_s, u"add"_s, QString(), QString()), 1);
    QCOMPARE(usedEvents(u"nsid"_s, u"delete"_s, QString(), QString()), 1);
    for (const QString &what : {u"namespace nsm created"_s, u"namespace nsm destroyed"_s})
        QVERIFY2(std::any_of(events.begin(), events.end(),
                             [&](const Event &e) {
                                 return e.ns == u"nsm"_s && e.origin == u"inferred"_s && e.process == what;
                             }),
                 qPrintable(what));
    // What the kernel announced only at its deletion: an inferred add, then the delete.
    QVERIFY(std::any_of(events.begin(), events.end(), [](const Event &e) {
        return e.object == u"neighbor"_s && e.change == u"add"_s && e.origin == u"inferred"_s
            && e.process == u"kernel (announced only at its deletion)"_s && e.field(u"state"_s).contains(u"NOARP"_s);
    }));
    QVERIFY(total > 80);
}

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    ncv::test::enterPrivateMountNamespace();
    QCoreApplication app(argc, argv);
    TestMonitorParity test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_monitorparity.moc"
