// SPDX-License-Identifier: GPL-2.0-or-later
// Not a test: fills a MainWindow from a ManualSource with realistic rows and a few
// seconds of live changes, selects a parameter event and saves QWidget::grab() as PNG.
// Usage: ncv_screenshot [out.png] [width height [tab]]
//   (tab: 0 interfaces, 1 addresses, 2 routes, 3 entities, 5 neighbors, 6 rules; 4 = routes filtered to the
//   selected entity "bgp"; 7 = routes with the timeline's By filter on tailscaled). Also saves the diagnostics
//   window as <out>-diagnostics.png.
// Or: ncv_screenshot out.png width height ssh://HOST [SECONDS]: a remote host's window.
// Or: ncv_screenshot out.png width height RECORDING: the recording's window with a history
//   of 1000 events (so the event log reads a long recording from the file), the log
//   scrolled to the middle and the middle row selected (the time cursor follows it).
// Recovery content: a gap (red band on the timeline) followed by inferred events, routing
// entities, a route counting down to its expiry and an expired route.
// Then the live window's Compare over the whole run (Time > Compare Selected Range): the
// dialog as <out>-compare-dialog.png and the screen (the window with the dialog over it;
// a real display such as Xvfb) as <out>-compare.png.
#include "model/history/eventhistory.h"
#include "model/history/eventlogmodel.h"
#include "model/notificationmodel.h"
#include "model/remotesource.h"
#include "model/tables/entitytablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "platform/requester.h"
#include "support/viewstestdata.h"
#include "views/detailspanel.h"
#include "views/diagnosticsdialog.h"
#include "views/eventpane.h"
#include "views/mainwindow.h"
#include "views/requesterfilterbox.h"
#include "views/statediffdialog.h"
#include "views/tablesection.h"
#include "views/tablespage.h"
#include "views/timelinechartview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHeaderView>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

using namespace ncv;
using namespace ncv::testdata;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // never touch the real settings
    const QStringList args = app.arguments();
    const QString out = args.size() > 1 ? args.at(1) : QStringLiteral("netchangeview-screenshot.png");
    const int width = args.size() > 3 ? args.at(2).toInt() : 1280;
    const int height = args.size() > 3 ? args.at(3).toInt() : 860;
    const int tab = args.size() > 4 ? args.at(4).toInt() : 2;
    if (args.size() > 4 && args.at(4).startsWith(QLatin1String("ssh://"))) {
        // A remote host's window (NETCHANGEVIEW_SSH names the ssh to run), after the
        // snapshot and args.at(5) seconds (default 3) of its live changes.
        QTemporaryDir config;
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, config.path());
        RemoteHost host;
        QString error;
        if (!RemoteHost::parse(args.at(4), &host, &error))
            qFatal("%s", qPrintable(error));
        MainWindow *window = MainWindow::openRemoteWindow(host, platform::afUnspec(), MainWindow::LiveRecording::Off);
        window->resize(width, height);
        window->show();
        const int ms = args.size() > 5 ? int(args.at(5).toDouble() * 1000) : 3000;
        QElapsedTimer settle;
        settle.start();
        while (settle.elapsed() < ms)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        const bool saved = window->grab().save(out);
        delete window;
        return saved ? 0 : 1;
    }
    if (args.size() > 4 && QFileInfo(args.at(4)).isFile()) {
        QTemporaryDir config;
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, config.path());
        QString error;
        std::unique_ptr<MainWindow> window(MainWindow::openRecordingWindow(args.at(4), nullptr, &error, 1000));
        if (!window)
            qFatal("open: %s", qPrintable(error));
        window->resize(width, height);
        window->show();
        QCoreApplication::processEvents();
        TableSection *events = window->eventPane()->eventsSection();
        QScrollBar *bar = events->verticalScrollBar();
        bar->setValue(bar->maximum() / 2);
        QCoreApplication::processEvents();
        const int rowHeight = events->view()->verticalHeader()->defaultSectionSize();
        const QModelIndex middle
            = events->view()->indexAt(QPoint(4, events->view()->viewport()->height() / 2 / rowHeight * rowHeight + 2));
        events->view()->setCurrentIndex(middle);
        QElapsedTimer settle;
        settle.start();
        while (settle.elapsed() < 500)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        return window->grab().save(out) ? 0 : 1;
    }

    platform::ManualSource source;
    populate(source);
    for (int i = 0; i < 12; ++i)
        source.upsert(routeRow("172.16." + std::to_string(i) + ".0", 24, "192.168.1.1", 2, 100 + i, 186 /* bgp */));
    // An IPv6 router advertisement route that expires in 95 s (the Expires column counts down).
    RouteRow raRoute = routeRow("2001:db8:ff::", 64, "fe80::1", 2, 1024, 9 /* ra */);
    raRoute.expiresUs = nowUs() + 95'000'000;
    source.upsert(raRoute);
    // Neighbors (the Neighbors tab, tab argument 5): ARP and NDP entries in several states,
    // a router, a proxy entry.
    const auto neighbor = [](const char *address, std::uint32_t ifIndex, std::uint64_t mac, std::uint16_t state,
                             std::uint8_t flags = 0) {
        NeighborRow n;
        n.ifIndex = ifIndex;
        n.address = IpAddress::parse(address);
        n.state = state;
        n.flags = flags;
        n.type = 1;
        if (mac != 0) {
            n.lladdrLength = 6;
            for (int i = 0; i < 6; ++i)
                n.lladdr[std::size_t(i)] = std::uint8_t(mac >> (8 * (5 - i)));
        }
        return n;
    };
    source.upsert(neighbor("192.168.1.1", 2, 0x02a0c9112233, NudReachable));
    source.upsert(neighbor("192.168.1.20", 2, 0x3c22fb445566, NudStale));
    source.upsert(neighbor("192.168.1.33", 2, 0, NudFailed));
    source.upsert(neighbor("192.168.1.50", 2, 0, 0, NtfProxy));
    source.upsert(neighbor("fe80::1", 2, 0x02a0c9112233, NudReachable, NtfRouter));
    source.upsert(neighbor("2001:db8::20", 2, 0x3c22fb445566, NudDelay));
    source.upsert(neighbor("10.0.3.1", 3, 0x0242ac110002, NudPermanent));
    // Rules (the Rules tab, tab argument 6): the kernel's defaults and a VPN-like policy.
    const auto rule = [](Family family, std::uint32_t priority, std::uint32_t table, std::uint8_t protocol = 2) {
        RuleRow r;
        r.family = family;
        r.priority = priority;
        r.table = table;
        r.protocol = protocol;
        return r;
    };
    for (const Family f : {Family::IPv4, Family::IPv6}) {
        source.upsert(rule(f, 0, 255));
        source.upsert(rule(f, 32766, 254));
    }
    source.upsert(rule(Family::IPv4, 32767, 253));
    RuleRow vpnMark = rule(Family::IPv4, 5208, 51820, 4);
    vpnMark.invert = true;
    vpnMark.fwmark = 0xca6c;
    vpnMark.fwmask = 0xffffffffu;
    source.upsert(vpnMark);
    RuleRow suppress = rule(Family::IPv4, 5209, 254, 4);
    suppress.suppressPrefixLength = 0;
    source.upsert(suppress);
    RuleRow lan = rule(Family::IPv4, 1000, 100, 3);
    lan.source = IpAddress::v4(192, 168, 1, 0);
    lan.sourceLength = 24;
    lan.inputInterface = "eth0";
    source.upsert(lan);
    RuleRow web = rule(Family::IPv6, 2000, 0, 0);
    web.source = IpAddress::parse("2001:db8:20::");
    web.sourceLength = 48;
    web.ipProto = 6;
    web.dportStart = web.dportEnd = 443;
    web.action = RuleUnreachable;
    source.upsert(web);
    RuleRow jump = rule(Family::IPv4, 3000, 0, 0);
    jump.destination = IpAddress::v4(10, 8, 0, 0);
    jump.destinationLength = 16;
    jump.uidStart = 1000;
    jump.uidEnd = 1999;
    jump.hasUidRange = true;
    jump.action = RuleGoto;
    jump.gotoPriority = 5209;
    source.upsert(jump);
    NotificationModel model(&source);
    // The window records as the user's does, into a temporary folder.
    QTemporaryDir recordings;
    QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"))
        .setValue(QStringLiteral("liveRecording/folder"), recordings.path());
    MainWindow window(&model);
    window.resize(width, height);
    const qint64 startUs = nowUs();
    QString error;
    if (!model.start(platform::afUnspec(), true, &error))
        qFatal("start: %s", qPrintable(error));
    window.show();
    const auto entityRecord = [](ChangeKind change, std::uint32_t protocol) {
        ChangeRecord r;
        r.object = ObjectKind::Entity;
        r.change = change;
        r.timeUs = nowUs();
        EntityRow e;
        e.protocol = protocol;
        e.routeCount = change == ChangeKind::Deregistered ? 0 : 1;
        (change == ChangeKind::Deregistered ? r.before : r.after) = e;
        return r;
    };
    // The snapshot's entities (route origins), as the platform reports them.
    source.deliver({entityRecord(ChangeKind::Initial, 2), entityRecord(ChangeKind::Initial, 4),
                    entityRecord(ChangeKind::Initial, 9), entityRecord(ChangeKind::Initial, 186)});

    // Some seconds of live changes so the timeline and the row marks have something to show.
    int step = 0;
    QTimer tick;
    tick.setInterval(60);
    // Who asked (the By column): a routing daemon, NetworkManager, `ip`, the kernel.
    const auto process = [](int pid, const char *command, const char *commandLine, const char *cgroup) {
        platform::Requester r;
        r.kind = platform::Requester::Kind::Process;
        r.portId = std::uint32_t(pid);
        r.pid = pid;
        r.command = command;
        r.commandLine = commandLine;
        r.cgroup = cgroup;
        return platform::RequesterTable::intern(r);
    };
    const std::uint32_t bird
        = process(1312, "bird", "/usr/sbin/bird -f -u bird -g bird", "0::/system.slice/bird.service");
    const std::uint32_t networkManager = process(812, "NetworkManager", "/usr/sbin/NetworkManager --no-daemon",
                                                 "0::/system.slice/NetworkManager.service");
    const std::uint32_t tailscaled
        = process(977, "tailscaled", "/usr/sbin/tailscaled --state=/var/lib/tailscale/tailscaled.state --port=41641",
                  "0::/system.slice/tailscaled.service");
    QObject::connect(&tick, &QTimer::timeout, [&] {
        ++step;
        switch (step % 4) {
        case 0: source.setRequester(bird, 1312); break;
        case 1: source.setRequester(networkManager, 812); break;
        case 2: source.setRequester(tailscaled, 977 + (1u << 22)); break;
        default: source.setRequester(platform::RequesterTable::kernel(), 0); break;
        }
        if (step % 7 == 0)
            source.upsert(interfaceRow(4, "veth-lab0", "veth", 1500 + step));
        if (step % 3 == 0)
            source.upsert(routeRow("203.0.113." + std::to_string(step % 200) + "", 32, "10.1.0.254", 4, 50));
        if (step % 5 == 0)
            source.remove(routeRow("203.0.113." + std::to_string((step - 9) % 200) + "", 32, "10.1.0.254", 4, 50));
        if (step % 11 == 0)
            source.upsert(addressRow(4, "fd00:1::" + std::to_string(step), 64, 0, AddrTentative));
        if (step == 25) {
            // Events were lost (ENOBUFS); the resync reports what changed meanwhile as inferred.
            ChangeRecord gap;
            gap.object = ObjectKind::Gap;
            gap.change = ChangeKind::Gap;
            gap.timeUs = nowUs();
            gap.note = "ENOBUFS: receive queue overflowed; resyncing";
            RouteRow missed = routeRow("198.51.100.0", 24, "192.168.1.1", 2, 30, 12 /* bird */);
            ChangeRecord inferredAdd;
            inferredAdd.object = ObjectKind::Route;
            inferredAdd.change = ChangeKind::Add;
            inferredAdd.origin = Origin::Inferred;
            inferredAdd.family = Family::IPv4;
            inferredAdd.timeUs = nowUs() + 1500;
            inferredAdd.after = missed;
            inferredAdd.requester = platform::RequesterTable::cause("resync after gap");
            ChangeRecord inferredDel;
            inferredDel.object = ObjectKind::Route;
            inferredDel.change = ChangeKind::Delete;
            inferredDel.origin = Origin::Inferred;
            inferredDel.family = Family::IPv4;
            inferredDel.timeUs = nowUs() + 1600;
            inferredDel.before = routeRow("172.16.11.0", 24, "192.168.1.1", 2, 111, 186);
            inferredDel.requester = platform::RequesterTable::cause("resync after gap");
            source.deliver({gap, inferredAdd, entityRecord(ChangeKind::Registered, 12), inferredDel});
        }
        if (step == 33) {
            // An IPv6 route whose lifetime ran out.
            RouteRow old = routeRow("2001:db8:fe::", 64, "fe80::1", 2, 1024, 9);
            ChangeRecord expired;
            expired.object = ObjectKind::Route;
            expired.change = ChangeKind::Expired;
            expired.family = Family::IPv6;
            expired.timeUs = nowUs();
            expired.before = old;
            source.deliver({expired});
        }
        if (step == 40) {
            source.upsert(interfaceRow(3, "wlan0", "ether", 1500, true)); // comes up
            source.upsert(routeRow("0.0.0.0", 0, "192.168.1.1", 2, 100, 16)); // no-op, dropped
        }
        if (step == 60) {
            tick.stop();
            source.upsert(interfaceRow(2, "eth0", "ether", 9000));
            source.upsert(routeRow("10.99.0.0", 16, "192.168.1.254", 2, 10));
        }
    });
    tick.start();

    // A rule added live, a moment before the grab: marked, and selected in the log (tab 6).
    QTimer::singleShot(60 * 60, &window, [&] {
        RuleRow blackhole;
        blackhole.priority = 900;
        blackhole.destination = IpAddress::v4(203, 0, 113, 0);
        blackhole.destinationLength = 24;
        blackhole.action = RuleBlackhole;
        blackhole.protocol = 4;
        source.upsert(blackhole);
    });
    QTimer::singleShot(60 * 60 + 400, &window, [&] {
        window.tablesPage()->tabs()->setCurrentIndex(tab == 4 ? 3 : tab == 5 ? 4 : tab == 6 ? 5 : tab == 7 ? 2 : tab);
        if (tab == 7) // only the changes tailscaled asked for on the timeline
            window.timelineFilter()->setFilterText(QStringLiteral("tailscaled"));
        if (tab == 4) { // select the bgp entity: the Routes table shows its routes only
            TableSection *entities = window.tablesPage()->entitiesSection();
            for (int r = 0; r < entities->proxy()->rowCount(); ++r) {
                if (entities->proxy()->index(r, EntityTableModel::Protocol).data().toString() == QStringLiteral("bgp"))
                    entities->view()->selectRow(r);
            }
            window.tablesPage()->tabs()->setCurrentWidget(window.tablesPage()->routesSection());
        }
        // Routes: those with an expiry first (counting down), then by metric.
        window.tablesPage()->routesSection()->view()->sortByColumn(
            tab == 2 ? RouteTableModel::Expires : RouteTableModel::Metric, Qt::AscendingOrder);
        source.remove(routeRow("10.1.0.0", 24, "", 4, 20, 2, 254, 253)); // greyed for a second
        source.upsert(routeRow("10.1.0.0", 16, "10.1.0.253", 4, 1024)); // changed next hop
        TableSection *events = window.eventPane()->eventsSection();
        const QAbstractItemModel *proxy = events->proxy();
        // Tab 2: the interface parameter change; tab 3: the gap; tab 4: the inferred delete.
        const QString wantChange = tab == 3 ? QStringLiteral("gap")
            : tab == 4                      ? QStringLiteral("delete")
            : tab == 6                      ? QStringLiteral("add")
                                            : QStringLiteral("parameter");
        const QString wantObject = tab == 3 ? QStringLiteral("gap")
            : tab == 4                      ? QStringLiteral("route")
            : tab == 6                      ? QStringLiteral("rule")
                                            : QStringLiteral("interface");
        for (int r = proxy->rowCount() - 1; r >= 0; --r) {
            const QModelIndex index = proxy->index(r, 0);
            if (proxy->index(r, EventLogModel::Change).data().toString() == wantChange
                && proxy->index(r, EventLogModel::Object).data().toString() == wantObject
                && (tab != 4
                    || model.history()->record(index.data(EventIndexRole).toLongLong()).origin == Origin::Inferred)) {
                const QModelIndex shown = events->viewIndex(index);
                events->view()->setCurrentIndex(shown);
                events->view()->scrollTo(shown, QAbstractItemView::PositionAtCenter);
                break;
            }
        }
        // Row marks are visible for ~1.5 s: grab while the last changes are marked.
        QTimer::singleShot(300, &window, [&] {
            bool ok = window.grab().save(out);
            window.showDiagnostics();
            QString diagOut = out;
            diagOut.replace(QStringLiteral(".png"), QStringLiteral("-diagnostics.png"));
            ok = window.diagnosticsDialog()->grab().save(diagOut) && ok;
            // The same window over this machine's real source (read only: no traffic, no changes).
            if (std::unique_ptr<platform::Source> system = platform::createSystemSource()) {
                NotificationModel live(system.get());
                QString liveError;
                if (live.start(platform::afUnspec(), true, &liveError)) {
                    QElapsedTimer wait;
                    wait.start();
                    while (!live.isSnapshotComplete() && wait.elapsed() < 3000)
                        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
                    DiagnosticsDialog dialog(&live);
                    dialog.resize(620, 520);
                    dialog.refresh();
                    QString liveOut = out;
                    liveOut.replace(QStringLiteral(".png"), QStringLiteral("-diagnostics-system.png"));
                    ok = dialog.grab().save(liveOut) && ok;
                    live.stop();
                } else {
                    qWarning("system source: %s", qPrintable(liveError));
                }
            }
            // Compare over the live timeline: from the start to now, read from the live
            // recording while it is being written.
            window.diagnosticsDialog()->close();
            window.timelineView()->selectTimeRange(startUs + 500'000, nowUs());
            window.compareRangeAction()->trigger();
            StateDiffDialog *diff = nullptr;
            QElapsedTimer wait;
            wait.start();
            while (!(diff = window.findChild<StateDiffDialog *>()) && wait.elapsed() < 20000)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            if (diff) {
                diff->resize(std::min(width - 80, 1100), 420);
                diff->move(window.geometry().topLeft() + QPoint(40, height / 3));
                diff->raise();
                wait.restart();
                while (wait.elapsed() < 500)
                    QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
                QString diffOut = out;
                diffOut.replace(QStringLiteral(".png"), QStringLiteral("-compare-dialog.png"));
                ok = diff->grab().save(diffOut) && ok;
                diffOut = out;
                diffOut.replace(QStringLiteral(".png"), QStringLiteral("-compare.png"));
                ok = window.screen()->grabWindow(0).save(diffOut) && ok;
            } else {
                qWarning("compare: no result");
                ok = false;
            }
            qInfo("%s %s", ok ? "saved" : "could not save", qPrintable(out));
            app.exit(ok ? 0 : 1);
        });
    });
    return app.exec();
}
