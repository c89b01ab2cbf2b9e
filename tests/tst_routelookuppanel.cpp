// SPDX-License-Identifier: GPL-2.0-or-later
// The Route Lookup dock (RouteLookupPanel) in the real live MainWindow, offscreen, over the
// real kernel in a private network namespace: after each route and rule change made with
// `ip`, the panel's answer equals `ip -j route get`; its over-time table (read from the
// window's own live recording) has one row per change of the answer with the event that
// made it, equal to what exportLookup() writes for that recording, and the panel's CSV
// export writes exactly that; clicking a change shows the tables at that moment; the
// timeline marks each change; bad input is one line, never a lookup.
#include "views/mainwindow.h"

#include "model/history/eventhistory.h"
#include "model/liverecordings.h"
#include "model/livetimetravel.h"
#include "model/notificationmodel.h"
#include "model/recording/lookupexport.h"
#include "model/recording/recordingreader.h"
#include "model/recordingfeed.h"
#include "model/recordingsession.h"
#include "platform/source.h"
#include "support/netns.h"
#include "views/routelookuppanel.h"
#include "views/timelinechartview.h"

#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <limits>
#include <memory>

using namespace ncv;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kTimeoutMs = 30000;

bool ip(const QString &command)
{
    QProcess p;
    p.start(u"ip"_s, command.split(u' '));
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning() << "ip" << command << "failed:" << p.readAllStandardError();
        return false;
    }
    return true;
}

/// What the kernel answers `ip -j route get address`: errno (0 for a route), and for a route
/// its gateway ("" without one), device and table ("main" when ip prints none).
struct KernelAnswer {
    int error = 0;
    QString gateway, dev, table;
    bool operator==(const KernelAnswer &) const = default;
};

QString describe(const KernelAnswer &a)
{
    return u"error %1 via %2 dev %3 table %4"_s.arg(a.error).arg(a.gateway, a.dev, a.table);
}

KernelAnswer kernelAnswer(const QString &address)
{
    QProcess g;
    g.start(u"ip"_s, {u"-j"_s, u"route"_s, u"get"_s, address});
    g.waitForFinished(60000);
    KernelAnswer a;
    if (g.exitCode() != 0) {
        const QString text = QString::fromLocal8Bit(g.readAllStandardError());
        a.error = text.contains(u"Network is unreachable"_s) ? ENETUNREACH
            : text.contains(u"No route to host"_s)           ? EHOSTUNREACH
            : text.contains(u"Invalid argument"_s)           ? EINVAL
            : text.contains(u"Permission denied"_s)          ? EACCES
                                                             : -1;
        return a;
    }
    const QJsonObject o = QJsonDocument::fromJson(g.readAllStandardOutput()).array().first().toObject();
    a.gateway = o.value(u"gateway"_s).toString();
    a.dev = o.value(u"dev"_s).toString();
    a.table = o.contains(u"table"_s) ? o.value(u"table"_s).toVariant().toString() : u"main"_s;
    return a;
}

/// The same of a panel's answer (or an over-time change).
KernelAnswer panelAnswer(const recording::LookupChange &c)
{
    KernelAnswer a;
    a.error = c.answer.error();
    if (a.error == 0) {
        a.gateway = QString::fromStdString(c.gateway);
        a.dev = QString::fromStdString(c.ifName);
        a.table = QString::fromStdString(c.table);
    }
    return a;
}

} // namespace

class TestRouteLookupPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void badInputIsOneLine();
    void liveAnswersEqualIpRouteGet();
    void recordingWindowReadsTheFile();

private:
    QString m_recordingPath; // the live test's recording, closed with its window
    QByteArray m_lookupCsv; // what exportLookup() wrote for it
    int m_changeCount = 0;
    std::unique_ptr<platform::Source> m_source;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_liveDir;
};

void TestRouteLookupPanel::initTestCase()
{
    if (!test::networkNamespaceResult().entered)
        QSKIP(test::networkNamespaceResult().message.c_str());
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(m_liveDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings settings(u"NetChangeView"_s, u"NetChangeView"_s);
    settings.clear();
    // The live recordings go to this process's temporary folder, never the user's.
    settings.setValue(QLatin1StringView(liverecordings::kFolderKey), m_liveDir.path());
    m_source = platform::createSystemSource();
    QVERIFY(m_source);
}

void TestRouteLookupPanel::badInputIsOneLine()
{
    NotificationModel model(m_source.get());
    MainWindow window(&model, nullptr, MainWindow::LiveRecording::Off);
    window.show();
    QString error;
    QVERIFY2(model.start(platform::afUnspec(), true, &error), qPrintable(error));
    window.routeLookupDock()->toggleViewAction()->trigger();
    QVERIFY(window.routeLookupDock()->isVisible());
    RouteLookupPanel *panel = window.routeLookupPanel();

    const auto enter = [&](QLineEdit *edit, const QString &text) {
        edit->clear();
        QTest::keyClicks(edit, text);
        QTest::keyClick(edit, Qt::Key_Return);
    };
    enter(panel->destinationEdit(), u"10.66.7"_s);
    QVERIFY(panel->errorLabel()->isVisible());
    QVERIFY2(panel->errorLabel()->text().contains(u"not an IPv4 or IPv6 address"_s),
             qPrintable(panel->errorLabel()->text()));
    QVERIFY(!panel->hasAnswer());
    enter(panel->destinationEdit(), u"127.0.0.1"_s);
    QVERIFY(!panel->errorLabel()->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(panel->hasAnswer(), kTimeoutMs);
    enter(panel->fwmarkEdit(), u"0xzz"_s);
    QVERIFY2(panel->errorLabel()->text().contains(u"Mark"_s), qPrintable(panel->errorLabel()->text()));
    QVERIFY(!panel->hasAnswer());
    enter(panel->fwmarkEdit(), u"010"_s); // ip would read it as octal
    QVERIFY2(panel->errorLabel()->text().contains(u"leading 0"_s), qPrintable(panel->errorLabel()->text()));
    enter(panel->fwmarkEdit(), u"0x10"_s);
    QVERIFY(!panel->errorLabel()->isVisible());
    enter(panel->sourceEdit(), u"2001:db8::1"_s);
    QVERIFY2(panel->errorLabel()->text().contains(u"family"_s), qPrintable(panel->errorLabel()->text()));
    enter(panel->sourceEdit(), QString());
    enter(panel->inputInterfaceEdit(), u"a/b"_s);
    QVERIFY2(panel->errorLabel()->text().contains(u"interface"_s), qPrintable(panel->errorLabel()->text()));
    enter(panel->inputInterfaceEdit(), QString());
    QVERIFY(!panel->errorLabel()->isVisible());
    // No recording: the over-time part says why.
    QVERIFY2(panel->historyStatus()->text().contains(u"No recording"_s), qPrintable(panel->historyStatus()->text()));
    window.close();
    model.stop();
}

void TestRouteLookupPanel::liveAnswersEqualIpRouteGet()
{
    for (const QString &cmd : {u"link add lk0 type veth peer name lk0p"_s, u"link add lk1 type veth peer name lk1p"_s,
                               u"link set lk0 up"_s, u"link set lk0p up"_s, u"link set lk1 up"_s, u"link set lk1p up"_s,
                               u"addr add 10.61.0.1/24 dev lk0"_s, u"addr add 10.62.0.1/24 dev lk1"_s})
        QVERIFY(ip(cmd));
    const QString destination = u"10.66.7.8"_s;

    NotificationModel model(m_source.get());
    auto window = std::make_unique<MainWindow>(&model, nullptr, MainWindow::LiveRecording::FromSettings);
    window->resize(1500, 950);
    window->show();
    QString error;
    QVERIFY2(model.start(platform::afUnspec(), true, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(window->liveRecording() && window->liveRecording()->isOpen(), kTimeoutMs);
    // Shown as the window before left it (its state is saved with the other docks').
    QVERIFY(window->routeLookupDock()->isVisible());
    RouteLookupPanel *panel = window->routeLookupPanel();
    QTest::keyClicks(panel->destinationEdit(), destination);
    // The lookup starts by itself once typing paused.

    // The answer after each step, as the kernel gives it: one over-time row per change.
    QList<KernelAnswer> expected;
    QStringList causes {u"state at start"_s};
    const auto settle = [&] {
        const KernelAnswer kernel = kernelAnswer(destination);
        QTRY_VERIFY2_WITH_TIMEOUT(panel->hasAnswer() && panelAnswer(panel->answer()) == kernel,
                                  qPrintable(u"kernel: %1; panel: %2 (%3)"_s.arg(
                                      describe(kernel), describe(panelAnswer(panel->answer())),
                                      panel->answerLabel()->text() + u" / "_s + panel->errorLabel()->text())),
                                  kTimeoutMs);
        if (expected.isEmpty() || !(expected.constLast() == kernel))
            expected << kernel;
    };
    settle();
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(expected.constLast().error, ENETUNREACH);
    const struct Step {
        QString command;
        QString cause; // the cause of the change it makes; "" when the answer stays
        int covering; // routes covering the destination after it, in every table
    } steps[] = {
        {u"route add 10.0.0.0/8 via 10.61.0.2"_s, u"add route 10.0.0.0/8"_s, 1},
        {u"route add 10.66.0.0/16 via 10.62.0.2"_s, u"add route 10.66.0.0/16"_s, 2},
        {u"route add 10.66.7.0/24 via 10.61.0.3 table 100"_s, QString(), 3},
        {u"rule add to 10.66.7.0/24 lookup 100 pref 100"_s, u"add rule"_s, 3},
        {u"rule del pref 100"_s, u"delete rule"_s, 3},
        {u"route del 10.66.0.0/16"_s, u"delete route 10.66.0.0/16"_s, 2},
        {u"route del 10.0.0.0/8"_s, u"delete route 10.0.0.0/8"_s, 1},
        // Routes that do not cover the destination come, change and go between some that do.
        {u"route add 10.67.0.0/16 via 10.62.0.2"_s, QString(), 1},
        {u"route add 10.66.7.8/32 via 10.62.0.5"_s, u"add route 10.66.7.8/32"_s, 2},
        {u"route change 10.67.0.0/16 via 10.61.0.2"_s, QString(), 2},
        {u"route add 10.66.7.9/32 via 10.61.0.2"_s, QString(), 2},
        {u"route change 10.66.7.8/32 via 10.61.0.5"_s, u"parameter route 10.66.7.8/32"_s, 2},
        {u"route del 10.66.7.9/32"_s, QString(), 2},
        {u"route del 10.66.7.8/32"_s, u"delete route 10.66.7.8/32"_s, 1},
        {u"route del 10.67.0.0/16"_s, QString(), 1},
    };
    // From here on the panel reads no whole route table (it follows the covering routes)
    // and no whole recording (it reads the events written since its last read).
    const quint64 fullScans = panel->coveringRoutes().fullScans();
    const int fullReads = panel->historyFullReads();
    for (const Step &step : steps) {
        QVERIFY(ip(step.command));
        const qsizetype before = expected.size();
        settle();
        if (QTest::currentTestFailed())
            return;
        QTRY_COMPARE_WITH_TIMEOUT(int(panel->coveringRoutes().size()), step.covering, kTimeoutMs);
        QCOMPARE(expected.size(), before + (step.cause.isEmpty() ? 0 : 1));
        if (!step.cause.isEmpty())
            causes << step.cause;
    }
    QCOMPARE(panel->coveringRoutes().fullScans(), fullScans);
    QCOMPARE(expected.at(3).table, u"100"_s);
    QCOMPARE(expected.at(3).gateway, u"10.61.0.3"_s);

    // Over time: one row per change of the answer, each with the event that made it.
    const auto historyMatches = [&] {
        const auto &changes = panel->changes();
        if (panel->isReadingHistory() || changes.size() != std::size_t(expected.size()))
            return false;
        for (qsizetype i = 0; i < expected.size(); ++i)
            if (!(panelAnswer(changes[std::size_t(i)]) == expected.at(i))
                || !QString::fromStdString(changes[std::size_t(i)].cause).startsWith(causes.at(i)))
                return false;
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(historyMatches(), kTimeoutMs);
    QCOMPARE(panel->changesModel()->rowCount(), int(expected.size()));
    QCOMPARE(panel->historyFullReads(), fullReads);
    QVERIFY(panel->historyIncrementalReads() > 0);
    // The timeline marks each change.
    QCOMPARE(window->timelineView()->marks().size(), expected.size());

    // The rows (built incrementally) equal what exportLookup() (`--lookup --export-csv`)
    // writes for the same recording, read whole, and the panel's export writes exactly that.
    RecordingFeed *feed = window->liveRecording();
    const EventHistory *history = model.history();
    QVERIFY(feed->waitCommitted(history->sequence(history->size() - 1), kTimeoutMs));
    const QString csvPath = m_liveDir.filePath(u"lookup.csv"_s);
    const QString panelCsvPath = m_liveDir.filePath(u"panel.csv"_s);
    {
        recording::RecordingReader reader;
        QVERIFY2(reader.open(feed->currentPath(), &error), qPrintable(error));
        platform::RouteQuery query;
        query.destination = platform::IpAddress::parse(destination.toStdString());
        std::int64_t rows = 0;
        QVERIFY2(recording::exportLookup(reader, query, std::numeric_limits<std::int64_t>::min(),
                                         std::numeric_limits<std::int64_t>::max(), csvPath, &rows, &error),
                 qPrintable(error));
        QCOMPARE(rows, std::int64_t(expected.size()));
        std::vector<recording::LookupChange> changes;
        QVERIFY2(recording::lookupHistory(reader, query, std::numeric_limits<std::int64_t>::min(),
                                          std::numeric_limits<std::int64_t>::max(), &changes, &error),
                 qPrintable(error));
        QByteArray built = QByteArray(recording::kLookupHeaderLine) + "\r\n";
        for (const recording::LookupChange &c : changes)
            built += recording::lookupCsvLine(query, c, reader.info().nanosecondTimes());
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray written = csv.readAll();
        QCOMPARE(built, written);
        m_lookupCsv = written;
        m_recordingPath = feed->currentPath();
        m_changeCount = int(expected.size());
        QVERIFY2(panel->exportCsv(panelCsvPath, &error), qPrintable(error));
        QFile panelCsv(panelCsvPath);
        QVERIFY(panelCsv.open(QIODevice::ReadOnly));
        QCOMPARE(panelCsv.readAll(), written);
    }

    // Ctrl+C on the changes table copies the selected rows, tab-separated, with a header.
    QTableView *view = panel->changesView();
    view->setFocus();
    view->selectRow(1);
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    const QStringList copied = QApplication::clipboard()->text().split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(copied.size(), 2);
    QVERIFY2(copied.at(0).startsWith(u"Time (UTC)\tOutcome\tRoute"_s), qPrintable(copied.at(0)));
    QVERIFY2(copied.at(1).contains(u"Z\tunicast\t10.0.0.0/8\t10.61.0.2\tlk0\tmain\t32766\tadd route 10.0.0.0/8"_s),
             qPrintable(copied.at(1)));

    // Clicking a change shows the tables at its moment: the answer there is that change's.
    const int row = 2; // 10.66.0.0/16 via lk1
    const qint64 at = panel->changesModel()->index(row, 0).data(Qt::UserRole).toLongLong();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(panel->changesModel()->index(row, 1)).center());
    QTRY_VERIFY_WITH_TIMEOUT(window->liveTimeTravel()->isInPast() && window->liveTimeTravel()->cursorUs() == at
                                 && !window->liveTimeTravel()->isSeeking(),
                             kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(panel->hasAnswer() && panelAnswer(panel->answer()) == expected.at(row), kTimeoutMs);
    QVERIFY2(panel->answerLabel()->text().contains(u"dev lk1"_s), qPrintable(panel->answerLabel()->text()));
    QCOMPARE(view->selectionModel()->selectedRows().value(0).row(), row); // still the change clicked

    if (const QByteArray shot = qgetenv("NCV_LOOKUP_SCREENSHOT"); !shot.isEmpty()) {
        QTest::qWait(300);
        QVERIFY(window->grab().save(QString::fromLocal8Bit(shot)));
    }
    window->backToEndAction()->trigger();
    window.reset();
    model.stop();
    QVERIFY(ip(u"link del lk0"_s));
    QVERIFY(ip(u"link del lk1"_s));
}

void TestRouteLookupPanel::recordingWindowReadsTheFile()
{
    if (m_recordingPath.isEmpty())
        QSKIP("the live test made no recording");
    QString error;
    std::unique_ptr<MainWindow> window(MainWindow::openRecordingWindow(m_recordingPath, nullptr, &error));
    QVERIFY2(window, qPrintable(error));
    window->resize(1500, 950);
    window->show();
    window->routeLookupDock()->show();
    RouteLookupPanel *panel = window->routeLookupPanel();
    QTest::keyClicks(panel->destinationEdit(), u"10.66.7.8"_s);
    QTest::keyClick(panel->destinationEdit(), Qt::Key_Return);
    // The tables at the end of the recording: no route any more.
    QVERIFY(panel->hasAnswer());
    QCOMPARE(panel->answer().answer.error(), ENETUNREACH);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isReadingHistory() && int(panel->changes().size()) == m_changeCount, kTimeoutMs);
    const QString csvPath = m_liveDir.filePath(u"recording-panel.csv"_s);
    QVERIFY2(panel->exportCsv(csvPath, &error), qPrintable(error));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll(), m_lookupCsv);
    QCOMPARE(window->timelineView()->marks().size(), qsizetype(m_changeCount));

    // Clicking the change to table 100 shows the tables then, and the answer there.
    const int row = 3;
    const qint64 at = panel->changesModel()->index(row, 0).data(Qt::UserRole).toLongLong();
    QTableView *view = panel->changesView();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(panel->changesModel()->index(row, 1)).center());
    TimeCursor *cursor = window->recordingSession();
    QTRY_VERIFY_WITH_TIMEOUT(cursor->cursorUs() == at && !cursor->isSeeking(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(panel->hasAnswer() && panel->answer().table == "100", kTimeoutMs);
    QVERIFY2(panel->answerLabel()->text().contains(u"via 10.61.0.3 dev lk0"_s),
             qPrintable(panel->answerLabel()->text()));
    if (const QByteArray shot = qgetenv("NCV_LOOKUP_SCREENSHOT"); !shot.isEmpty()) {
        QTest::qWait(300);
        QVERIFY(window->grab().save(QString::fromLocal8Bit(shot).replace(u".png"_s, u"-recording.png"_s)));
    }
}

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    QApplication app(argc, argv);
    TestRouteLookupPanel test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_routelookuppanel.moc"
