// SPDX-License-Identifier: GPL-2.0-or-later
// The live window on several network namespaces (`netchangeview --netns all`), real kernel:
// two named namespaces (`ip netns add`, on a tmpfs /run of a private mount namespace) with
// the same ifindexes (a veth pair d0 / d1 in each) and different addresses and routes,
// watched through NetNamespaceSources by a NotificationModel (setSeveralNamespaces) shown
// in a MainWindow. The event log must hold both namespaces' events, each with its
// namespace's name; the address and route tables must hold exactly what `ip -n NS -j`
// lists for the namespace picked in the Namespace box, never the other's rows, also after
// a change made in one while the other is shown; the time cursor must show the picked
// namespace's past; a namespace created while running must join the box, and one
// destroyed while shown must leave it, another one shown instead.
#include "model/history/eventlogmodel.h"
#include "model/liverecordings.h"
#include "model/livetimetravel.h"
#include "model/netnssources.h"
#include "model/notificationmodel.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "platform/netnstable.h"
#include "support/mountns.h"
#include "support/netns.h"
#include "support/runtool.h"
#include "views/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace ncv;

namespace {

using ncv::test::ip;
using ncv::test::runTool;

constexpr int kTimeoutMs = 30000; // a slow, loaded machine: generous, never a fixed sleep

/// `ip netns add ns`, lo up, a veth pair d0 / d1 (the same ifindexes in every namespace made
/// so), both up, address (CIDR) on d0 and a route through a gateway on it.
bool addNamespace(const QString &ns, const QString &address, const QString &route, const QString &gateway)
{
    return ip(u"netns add "_s + ns) && ip(u"-n %1 link set lo up"_s.arg(ns))
        && ip(u"-n %1 link add d0 type veth peer name d1"_s.arg(ns)) && ip(u"-n %1 link set d1 up"_s.arg(ns))
        && ip(u"-n %1 link set d0 up"_s.arg(ns)) && ip(u"-n %1 addr add %2 dev d0"_s.arg(ns, address))
        && ip(u"-n %1 route add %2 via %3"_s.arg(ns, route, gateway));
}

/// "-n ns", or nothing for the test's own namespace (ns empty).
QString nsArgs(const QString &ns)
{
    return ns.isEmpty() ? QString() : u"-n "_s + ns;
}

/// The IPv4 main-table routes of namespace ns as "destination interface", from
/// `ip -n ns -j -4 route show table main` (the test makes no host routes: dst has its length).
QSet<QString> kernelRoutes(const QString &ns)
{
    QByteArray out;
    if (!ip(nsArgs(ns) + u" -j -4 route show table main"_s, &out))
        return {u"(ip failed)"_s};
    QSet<QString> routes;
    for (const QJsonValue &v : QJsonDocument::fromJson(out).array()) {
        const QJsonObject o = v.toObject();
        routes.insert(o.value(u"dst"_s).toString() + u' ' + o.value(u"dev"_s).toString());
    }
    return routes;
}

/// The IPv4 addresses of namespace ns as "interface address/length", from `ip -n ns -j -4 addr show`.
QSet<QString> kernelAddresses(const QString &ns)
{
    QByteArray out;
    if (!ip(nsArgs(ns) + u" -j -4 addr show"_s, &out))
        return {u"(ip failed)"_s};
    QSet<QString> addresses;
    for (const QJsonValue &link : QJsonDocument::fromJson(out).array()) {
        const QJsonObject l = link.toObject();
        for (const QJsonValue &a : l.value(u"addr_info"_s).toArray()) {
            const QJsonObject o = a.toObject();
            addresses.insert(u"%1 %2/%3"_s.arg(l.value(u"ifname"_s).toString(), o.value(u"local"_s).toString())
                                 .arg(o.value(u"prefixlen"_s).toInt()));
        }
    }
    return addresses;
}

bool isLive(const QAbstractItemModel *m, int row)
{
    return m->index(row, 0).data(ChangeStateRole).toInt() != ChangeDeleted;
}

/// The live IPv4 main-table rows of a route table as kernelRoutes() writes them.
QSet<QString> tableRoutes(const QAbstractItemModel *m)
{
    QSet<QString> routes;
    for (int r = 0; r < m->rowCount(); ++r) {
        const QString dst = m->index(r, RouteTableModel::Destination).data().toString();
        if (!isLive(m, r) || dst.contains(u':') || m->index(r, RouteTableModel::Table).data().toString() != u"main"_s)
            continue;
        routes.insert(dst + u' ' + m->index(r, RouteTableModel::Interface).data().toString());
    }
    return routes;
}

/// The live IPv4 rows of an address table as kernelAddresses() writes them.
QSet<QString> tableAddresses(const QAbstractItemModel *m)
{
    QSet<QString> addresses;
    for (int r = 0; r < m->rowCount(); ++r) {
        const QString address = m->index(r, AddressTableModel::Address).data().toString();
        if (!isLive(m, r) || address.contains(u':'))
            continue;
        addresses.insert(m->index(r, AddressTableModel::Interface).data().toString() + u' ' + address);
    }
    return addresses;
}

/// Every cell text of every row of m, for "never holds that".
QString allText(const QAbstractItemModel *m)
{
    QString text;
    for (int r = 0; r < m->rowCount(); ++r)
        for (int c = 0; c < m->columnCount(); ++c)
            text += m->index(r, c).data().toString() + u'|';
    return text;
}

/// The Namespace cells of the event log's rows whose Summary or Key holds text.
QStringList eventNamespaces(const QAbstractItemModel *log, const QString &text)
{
    QStringList namespaces;
    for (int r = 0; r < log->rowCount(); ++r) {
        if (log->index(r, EventLogModel::Key).data().toString().contains(text)
            || log->index(r, EventLogModel::Summary).data().toString().contains(text))
            namespaces << log->index(r, EventLogModel::Namespace).data().toString();
    }
    return namespaces;
}

} // namespace

class TestLiveNamespaces : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tablesShowOneNamespaceAtATime();

private:
    std::unique_ptr<ncv::test::TmpfsMount> m_run;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_liveDir;
    QTemporaryDir m_proc;
};

void TestLiveNamespaces::initTestCase()
{
    std::string whyNot;
    m_run = ncv::test::privateRunForNamedNetns(whyNot);
    if (!m_run)
        QSKIP(whyNot.c_str());
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY(m_liveDir.isValid());
    QSettings settings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"));
    settings.clear();
    settings.setValue(QLatin1StringView(liverecordings::kFolderKey), m_liveDir.path()); // never the user's
    // The namespaces are found by their names only: a /proc with nothing but "self" (the
    // machine's other processes, and the namespaces they hold, stay out of the test).
    QVERIFY(m_proc.isValid());
    QVERIFY(QFile::link(u"/proc/self"_s, m_proc.filePath(u"self"_s)));
}

void TestLiveNamespaces::tablesShowOneNamespaceAtATime()
{
    QVERIFY(addNamespace(u"nsa"_s, u"10.1.0.1/24"_s, u"10.91.0.0/16"_s, u"10.1.0.2"_s));
    QVERIFY(addNamespace(u"nsb"_s, u"10.2.0.1/24"_s, u"10.92.0.0/16"_s, u"10.2.0.2"_s));

    NetNamespaceSelection selection;
    QString error;
    QVERIFY(NetNamespaceSelection::parse(u"all"_s, &selection, &error));
    NetNamespaceWatcher::Options options;
    options.procRoot = m_proc.path();
    NetNamespaceSources sources(selection, nullptr, options);
    QVERIFY2(sources.start(&error), qPrintable(error));
    QVERIFY2(sources.warning().isEmpty(), qPrintable(sources.warning()));
    const quint32 nsa = platform::NamespaceTable::find("nsa");
    const quint32 nsb = platform::NamespaceTable::find("nsb");
    QVERIFY(nsa != 0 && nsb != 0 && nsa != nsb);

    // As app/gui.cpp wires `netchangeview --netns all`.
    NotificationModel model(sources.source());
    QVERIFY(sources.several());
    sources.showIn(&model);
    QAbstractItemModelTester routesTester(model.routes(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester addressesTester(model.addresses(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester interfacesTester(model.interfaces(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester logTester(model.eventLog(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    MainWindow window(&model, nullptr, MainWindow::LiveRecording::FromSettings);
    window.show();
    QVERIFY2(model.start(window.selectedFamily(), true, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(model.isSnapshotComplete(), kTimeoutMs);

    // The box: the watched namespaces by name, the first shown.
    QComboBox *combo = window.namespaceCombo();
    QVERIFY(combo);
    QVERIFY(combo->findText(u"nsa"_s) >= 0);
    QVERIFY(combo->findText(u"nsb"_s) >= 0);
    QCOMPARE(combo->count(), int(sources.namespaceIds().size()));
    QCOMPARE(combo->currentIndex(), 0);
    QCOMPARE(combo->currentData().toUInt(), model.tablesNamespace());

    combo->setCurrentIndex(combo->findText(u"nsa"_s));
    QCOMPARE(model.tablesNamespace(), nsa);
    QTRY_COMPARE_WITH_TIMEOUT(tableRoutes(model.routes()), kernelRoutes(u"nsa"_s), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(tableAddresses(model.addresses()), kernelAddresses(u"nsa"_s), kTimeoutMs);
    QVERIFY(tableRoutes(model.routes()).contains(u"10.91.0.0/16 d0"_s));

    // A change in each: the log has both, each with its namespace; the tables only nsa's.
    QVERIFY(ip(u"-n nsa route add 10.81.0.0/16 dev d0"_s));
    QVERIFY(ip(u"-n nsb route add 10.82.0.0/16 dev d0"_s));
    QVERIFY(ip(u"-n nsb addr add 10.2.5.1/24 dev d1"_s));
    QTRY_COMPARE_WITH_TIMEOUT(eventNamespaces(model.eventLog(), u"10.82.0.0/16"_s), QStringList {u"nsb"_s}, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(eventNamespaces(model.eventLog(), u"10.2.5.1"_s).contains(u"nsb"_s), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(eventNamespaces(model.eventLog(), u"10.81.0.0/16"_s), QStringList {u"nsa"_s}, kTimeoutMs);
    QVERIFY(eventNamespaces(model.eventLog(), u"10.91.0.0/16"_s).contains(u"nsa"_s));
    QVERIFY(eventNamespaces(model.eventLog(), u"10.92.0.0/16"_s).contains(u"nsb"_s));
    QVERIFY(model.namespaceCount() >= 2);
    QVERIFY(!window.timelineNamespaceCombo()->isHidden());
    QVERIFY(window.timelineNamespaceCombo()->findText(u"nsa"_s) >= 0);
    QVERIFY(window.timelineNamespaceCombo()->findText(u"nsb"_s) >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(tableRoutes(model.routes()), kernelRoutes(u"nsa"_s), kTimeoutMs);
    QCOMPARE(tableAddresses(model.addresses()), kernelAddresses(u"nsa"_s));
    for (const QString &other : {u"10.2."_s, u"10.92."_s, u"10.82."_s}) {
        QVERIFY2(!allText(model.routes()).contains(other), qPrintable(other));
        QVERIFY2(!allText(model.addresses()).contains(other), qPrintable(other));
    }
    // ifindex 2 (d1) and 3 (d0) exist in both: one row each.
    QCOMPARE(model.interfaces()->liveRowCount(), 3);

    // nsb: exactly its rows.
    combo->setCurrentIndex(combo->findText(u"nsb"_s));
    QCOMPARE(model.tablesNamespace(), nsb);
    QTRY_COMPARE_WITH_TIMEOUT(tableRoutes(model.routes()), kernelRoutes(u"nsb"_s), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(tableAddresses(model.addresses()), kernelAddresses(u"nsb"_s), kTimeoutMs);
    QVERIFY(tableAddresses(model.addresses()).contains(u"d1 10.2.5.1/24"_s));
    QCOMPARE(model.interfaces()->liveRowCount(), 3);
    QCOMPARE(model.liveCount(platform::ObjectKind::Route), model.routes()->liveRowCount());

    // A change in nsa while nsb is shown: in the log, not in nsb's tables.
    QVERIFY(ip(u"-n nsa route add 10.83.0.0/16 via 10.1.0.2"_s));
    QVERIFY(ip(u"-n nsa route del 10.91.0.0/16"_s));
    QTRY_VERIFY_WITH_TIMEOUT(eventNamespaces(model.eventLog(), u"10.91.0.0/16"_s).size() == 2, kTimeoutMs);
    QCOMPARE(eventNamespaces(model.eventLog(), u"10.83.0.0/16"_s), QStringList {u"nsa"_s});
    QCOMPARE(tableRoutes(model.routes()), kernelRoutes(u"nsb"_s));
    QVERIFY(!allText(model.routes()).contains(u"10.83."_s));
    // Back to nsa: the change is there.
    combo->setCurrentIndex(combo->findText(u"nsa"_s));
    QCOMPARE(tableRoutes(model.routes()), kernelRoutes(u"nsa"_s));
    QVERIFY(tableRoutes(model.routes()).contains(u"10.83.0.0/16 d0"_s));
    QVERIFY(!tableRoutes(model.routes()).contains(u"10.91.0.0/16 d0"_s));
    QCOMPARE(tableAddresses(model.addresses()), kernelAddresses(u"nsa"_s));

    // The time cursor (read from the live recording): now, in the namespace picked.
    LiveTimeTravel *travel = window.liveTimeTravel();
    QTRY_VERIFY_WITH_TIMEOUT(travel->isAvailable(), kTimeoutMs);
    const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    QVERIFY2(travel->showStateAt(nowUs, &error), qPrintable(error));
    QVERIFY(travel->isInPast());
    QCOMPARE(tableRoutes(travel->pastModel()->routes()), kernelRoutes(u"nsa"_s));
    QCOMPARE(tableAddresses(travel->pastModel()->addresses()), kernelAddresses(u"nsa"_s));
    // Another namespace picked while the past is shown: its tables at the same moment.
    combo->setCurrentIndex(combo->findText(u"nsb"_s));
    QTRY_VERIFY_WITH_TIMEOUT(!travel->isSeeking(), kTimeoutMs);
    QVERIFY(travel->isInPast());
    QCOMPARE(tableRoutes(travel->pastModel()->routes()), kernelRoutes(u"nsb"_s));
    QCOMPARE(tableAddresses(travel->pastModel()->addresses()), kernelAddresses(u"nsb"_s));
    QVERIFY2(window.stateBannerText().contains(u"namespace nsb"_s), qPrintable(window.stateBannerText()));
    travel->backToLive();

    // A namespace created while running joins the box; shown, it has its own rows.
    QVERIFY(ip(u"netns add nsc"_s));
    QTRY_VERIFY_WITH_TIMEOUT(combo->findText(u"nsc"_s) >= 0, kTimeoutMs);
    QVERIFY(ip(u"-n nsc link set lo up"_s));
    QVERIFY(ip(u"-n nsc addr add 10.3.0.1/8 dev lo"_s));
    combo->setCurrentIndex(combo->findText(u"nsc"_s));
    QCOMPARE(model.tablesNamespace(), platform::NamespaceTable::find("nsc"));
    QTRY_COMPARE_WITH_TIMEOUT(tableAddresses(model.addresses()), kernelAddresses(u"nsc"_s), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(tableRoutes(model.routes()), kernelRoutes(u"nsc"_s), kTimeoutMs);
    // Destroyed while shown: it leaves the box, and another namespace's tables are shown.
    QVERIFY(ip(u"netns del nsc"_s));
    QTRY_VERIFY_WITH_TIMEOUT(combo->findText(u"nsc"_s) < 0, kTimeoutMs);
    QVERIFY(combo->currentIndex() >= 0);
    QCOMPARE(combo->currentData().toUInt(), model.tablesNamespace());
    QVERIFY(model.tablesNamespace() != platform::NamespaceTable::find("nsc"));
    // The first watched (this test's own namespace: `ip` without -n), as at start.
    QCOMPARE(combo->currentIndex(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(tableRoutes(model.routes()), kernelRoutes(QString()), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(tableAddresses(model.addresses()), kernelAddresses(QString()), kTimeoutMs);
    QVERIFY(!allText(model.addresses()).contains(u"10.3.0.1"_s));

    model.stop();
}

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    ncv::test::enterPrivateMountNamespace();
    QApplication app(argc, argv);
    TestLiveNamespaces test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_livenamespaces.moc"
