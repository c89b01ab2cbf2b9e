// SPDX-License-Identifier: GPL-2.0-or-later
// UI tests: the EventPane alone (no MainWindow), offscreen, over a real NotificationModel
// fed by a ManualSource (batches arrive through the event loop, hence QTRY_*).
#include "views/eventpane.h"

#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "model/notificationmodel.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "support/viewstestdata.h"
#include "views/detailspanel.h"
#include "views/tablesection.h"

#include <QAction>
#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace ncv;
using namespace ncv::testdata;

namespace {

QString clock(qint64 us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(QStringLiteral("hh:mm:ss.zzz"));
}

/// An EventPane over a NotificationModel fed by a ManualSource that holds the populate() rows.
struct PaneFixture {
    PaneFixture() { populate(source); }
    /// Starts the model (initial notification on) and shows the pane; false and why in *error
    /// when the model does not start.
    bool start(QString *error)
    {
        if (!model.start(platform::afUnspec(), true, error))
            return false;
        pane.show();
        return true;
    }

    platform::ManualSource source;
    NotificationModel model {&source};
    EventPane pane {&model};
};

} // namespace

class TestEventPane : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void timeFilterBarShowsRangeAndClears();
    void currentEventFillsDetails();
    void byColumnDetailsAndFilter();
    void namespaceColumnForSeveral();
};

void TestEventPane::timeFilterBarShowsRangeAndClears()
{
    PaneFixture fixture;
    auto &[source, model, pane] = fixture;
    QAction clear(QStringLiteral("&Clear Time Filter"));
    connect(&clear, &QAction::triggered, &pane, &EventPane::clearTimeFilter);
    pane.setClearTimeFilterAction(&clear);
    QString error;
    QVERIFY2(fixture.start(&error), qPrintable(error));
    const int initial = kInterfaces + kAddresses + kRoutes;
    TableSection *events = pane.eventsSection();
    QTRY_COMPARE(events->proxy()->rowCount(), initial);
    QTest::qWait(30);
    const qint64 fromUs = platform::nowUs();
    QTest::qWait(30);
    source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    QTRY_COMPARE(events->proxy()->rowCount(), initial + 1);

    auto *bar = pane.findChild<QWidget *>(QStringLiteral("timeFilterBar"));
    QVERIFY(bar);
    QVERIFY(!bar->isVisible());
    QVERIFY(!pane.hasTimeFilter());
    auto *button = bar->findChild<QToolButton *>();
    QVERIFY(button);
    QCOMPARE(button->defaultAction(), &clear);

    QSignalSpy changed(&pane, &EventPane::timeFilterChanged);
    const qint64 toUs = platform::nowUs();
    pane.setTimeFilter(fromUs, toUs);
    QCOMPARE(events->proxy()->rowCount(), 1);
    QVERIFY(pane.hasTimeFilter());
    QVERIFY(pane.filterProxy()->hasTimeRange());
    QVERIFY(bar->isVisible());
    auto *label = bar->findChild<QLabel *>();
    QVERIFY(label);
    QCOMPARE(label->text(), QStringLiteral("Time filter: %1 – %2").arg(clock(fromUs), clock(toUs)));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toBool(), true);

    // The bar's button is the given action: it clears the filter.
    button->click();
    QCOMPARE(events->proxy()->rowCount(), initial + 1);
    QVERIFY(!pane.hasTimeFilter());
    QVERIFY(!bar->isVisible());
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(1).at(0).toBool(), false);
    model.stop();
}

void TestEventPane::currentEventFillsDetails()
{
    PaneFixture fixture;
    auto &[source, model, pane] = fixture;
    QString error;
    QVERIFY2(fixture.start(&error), qPrintable(error));
    TableSection *events = pane.eventsSection();
    QCOMPARE(pane.splitter()->objectName(), QStringLiteral("bottomSplitter"));
    QCOMPARE(pane.splitter()->indexOf(pane.detailsPanel()), 1);
    source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes + 1);

    const int last = events->proxy()->rowCount() - 1;
    QCOMPARE(events->proxy()->index(last, EventLogModel::Change).data().toString(), QStringLiteral("parameter"));
    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(last, 0)));
    QVERIFY2(pane.detailsPanel()->titleLabel()->text().contains(QStringLiteral("parameter interface eth0")),
             qPrintable(pane.detailsPanel()->titleLabel()->text()));
    QCOMPARE(pane.detailsPanel()->changedFieldNames(), QStringList {QStringLiteral("mtu")});
    // No current row: back to the placeholder.
    events->view()->setCurrentIndex(QModelIndex());
    QVERIFY(pane.detailsPanel()->changedFieldNames().isEmpty());
    QCOMPARE(pane.detailsPanel()->titleLabel()->text(), QStringLiteral("No event selected"));
    model.stop();
}

// Who asked: the By column, the details panel's process, command line and cgroup, and the
// log's filter by process name.
void TestEventPane::byColumnDetailsAndFilter()
{
    PaneFixture fixture;
    auto &[source, model, pane] = fixture;
    QString error;
    QVERIFY2(fixture.start(&error), qPrintable(error));
    TableSection *events = pane.eventsSection();
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes);
    platform::Requester tailscaled;
    tailscaled.kind = platform::Requester::Kind::Process;
    tailscaled.portId = 977;
    tailscaled.pid = 977;
    tailscaled.command = "tailscaled";
    tailscaled.commandLine = "/usr/sbin/tailscaled --port=41641";
    tailscaled.cgroup = "0::/system.slice/tailscaled.service";
    source.setRequester(platform::RequesterTable::intern(tailscaled), 977);
    source.upsert(routeRow("100.64.0.0", 10, "", 2, 0));
    source.setRequester(platform::RequesterTable::kernel());
    source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    const int initial = kInterfaces + kAddresses + kRoutes;
    QTRY_COMPARE(events->proxy()->rowCount(), initial + 2);
    QCOMPARE(events->proxy()->index(0, EventLogModel::By).data().toString(), QString()); // a dump names nobody
    QCOMPARE(events->proxy()->index(initial, EventLogModel::By).data().toString(), QStringLiteral("tailscaled (977)"));
    QCOMPARE(events->proxy()->index(initial + 1, EventLogModel::By).data().toString(), QStringLiteral("kernel"));
    QCOMPARE(events->proxy()->headerData(EventLogModel::By, Qt::Horizontal).toString(), QStringLiteral("By"));

    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(initial, 0)));
    const QString details = pane.detailsPanel()->subtitleLabel()->text();
    QVERIFY2(details.contains(QStringLiteral("By: tailscaled (977) · netlink port id 977")), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral("Command line: /usr/sbin/tailscaled --port=41641")), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral("cgroup: 0::/system.slice/tailscaled.service")), qPrintable(details));

    // "only changes made by tailscaled"
    events->filterEdit()->setText(QStringLiteral("tailscaled"));
    QTRY_COMPARE(events->proxy()->rowCount(), 1);
    QCOMPARE(events->proxy()->index(0, EventLogModel::By).data().toString(), QStringLiteral("tailscaled (977)"));
    model.stop();
}

// Events of several network namespaces: the Namespace column appears (after Interface)
// once a second one is seen, names each event's namespace, filters, and the details say it.
void TestEventPane::namespaceColumnForSeveral()
{
    PaneFixture fixture;
    auto &[source, model, pane] = fixture;
    QString error;
    QVERIFY2(fixture.start(&error), qPrintable(error));
    TableSection *events = pane.eventsSection();
    QHeaderView *header = events->view()->horizontalHeader();
    const int initial = kInterfaces + kAddresses + kRoutes;
    QTRY_COMPARE(events->proxy()->rowCount(), initial);
    QCOMPARE(events->proxy()->headerData(EventLogModel::Namespace, Qt::Horizontal).toString(),
             QStringLiteral("Namespace"));
    QVERIFY(header->isSectionHidden(EventLogModel::Namespace)); // the default: one namespace, unnamed

    const auto inNamespace = [](std::uint32_t netns, const char *prefix) {
        platform::ChangeRecord r;
        r.object = platform::ObjectKind::Route;
        r.change = platform::ChangeKind::Add;
        r.family = platform::Family::IPv4;
        r.netns = netns;
        r.timeUs = platform::nowUs();
        r.after = routeRow(prefix, 24, "", 2, 0);
        return r;
    };
    const std::uint32_t blue = platform::NamespaceTable::intern({"blue", 4026532591, 4});
    const std::uint32_t container
        = platform::NamespaceTable::intern({"docker:3f2a1b9c0d12 (nginx 4242)", 4026532777, 4});
    source.deliver({inNamespace(blue, "198.51.100.0")});
    QTRY_COMPARE(events->proxy()->rowCount(), initial + 1);
    QCOMPARE(model.namespaceCount(), 1);
    QVERIFY(header->isSectionHidden(EventLogModel::Namespace)); // one named namespace: the title says it

    source.deliver({inNamespace(container, "203.0.113.0"), inNamespace(blue, "192.0.2.0")});
    QTRY_COMPARE(events->proxy()->rowCount(), initial + 3);
    QCOMPARE(model.namespaceCount(), 2);
    QVERIFY(!header->isSectionHidden(EventLogModel::Namespace));
    QCOMPARE(header->visualIndex(EventLogModel::Namespace), header->visualIndex(EventLogModel::Interface) + 1);
    QCOMPARE(events->proxy()->index(0, EventLogModel::Namespace).data().toString(), QString());
    QCOMPARE(events->proxy()->index(initial, EventLogModel::Namespace).data().toString(), QStringLiteral("blue"));
    QCOMPARE(events->proxy()->index(initial + 1, EventLogModel::Namespace).data().toString(),
             QStringLiteral("docker:3f2a1b9c0d12 (nginx 4242)"));

    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(initial + 1, 0)));
    const QString details = pane.detailsPanel()->subtitleLabel()->text();
    QVERIFY2(details.contains(QStringLiteral("Namespace: docker:3f2a1b9c0d12 (nginx 4242) · net:[4026532777]")),
             qPrintable(details));

    events->filterEdit()->setText(QStringLiteral("blue"));
    QTRY_COMPARE(events->proxy()->rowCount(), 2);
    QCOMPARE(events->proxy()->index(1, EventLogModel::Key).data().toString(), QStringLiteral("192.0.2.0/24"));
    model.stop();
}

QTEST_MAIN(TestEventPane)

#include "tst_eventpane.moc"
