// SPDX-License-Identifier: GPL-2.0-or-later
// UI tests: the event log of a recording read from the file scrolls through a window of
// its rows (RowWindowScroller over a FileEventLogProxy in a TableSection), offscreen, over a
// real recording of 20,000 events shown through a window of 300 rows, so that scrolling
// crosses windows everywhere: the end shows the last event, Home / End / arrows / PageDown
// and the wheel cross windows, a row clicked far away is that event (and in a recording's
// window moves the time cursor to it; the time cursor brings its event into view), filters
// and sorts then scroll, selected rows copy.
#include "views/rowwindowscroller.h"

#include "model/history/eventlogmodel.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recordingsession.h"
#include "support/syntheticrecording.h"
#include "views/eventpane.h"
#include "views/mainwindow.h"
#include "views/tablesection.h"
#include "views/timelinechartview.h"

#include <QApplication>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <memory>

using namespace ncv;

namespace {

constexpr int kEvents = 20'000;
constexpr int kWindow = 300;

} // namespace

class TestRowWindowScroller : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void scrollToEndShowsTheLastEvent();
    void homeEndAndArrowsCrossWindows();
    void wheelScrollsAcrossWindows();
    void clickedFarRowIsItsEvent();
    void filterThenScroll();
    void sortDescendingThenEnd();
    void copiesSelectedRows();
    void recordingWindowTimeTravel();

private:
    QTableView *view() const { return m_section->view(); }
    QScrollBar *bar() const { return m_section->verticalScrollBar(); }
    int rowHeight() const { return view()->verticalHeader()->defaultSectionSize(); }
    // Rows that fit the viewport, as the view counts them (the section's bar's page step).
    int visibleRows() const { return bar()->pageStep(); }
    QModelIndex indexAtLine(int line) const { return view()->indexAt(QPoint(5, line * rowHeight() + rowHeight() / 2)); }
    // The file's row shown at a line of the viewport (0 = top), -1 for none.
    int sourceRowAtLine(int line) const
    {
        const QModelIndex index = indexAtLine(line);
        return index.isValid() ? m_section->proxy()->mapToSource(index).row() : -1;
    }
    // The file's row at the bottom of the viewport: at the end of the scroll range the view
    // aligns the last row with the bottom (the top row is then partly hidden).
    int sourceRowAtBottom() const
    {
        const QModelIndex index = view()->indexAt(QPoint(5, view()->viewport()->height() - 2));
        return index.isValid() ? m_section->proxy()->mapToSource(index).row() : -1;
    }
    QString sequenceTextAtLine(int line) const
    {
        return indexAtLine(line).siblingAtColumn(EventLogModel::Sequence).data().toString();
    }
    int currentSourceRow() const
    {
        const QModelIndex current = view()->currentIndex();
        return current.isValid() ? m_section->proxy()->mapToSource(current).row() : -1;
    }
    void key(int k, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QTest::keyClick(view(), Qt::Key(k), modifiers);
        QCoreApplication::processEvents(); // as between a user's key presses: re-basing is queued
    }
    void clickLine(int line, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        const QRect rect = view()->visualRect(indexAtLine(line));
        QTest::mouseClick(view()->viewport(), Qt::LeftButton, modifiers, rect.center());
        QCoreApplication::processEvents();
    }

    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_start = 1'700'000'000'000'000;
    std::unique_ptr<FileEventLogModel> m_file;
    std::unique_ptr<TableSection> m_section;
    FileEventLogProxy *m_proxy = nullptr;
};

void TestRowWindowScroller::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("config")));
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("config")));
    m_path = m_dir.filePath(QStringLiteral("log.ncv"));
    QString error;
    QVERIFY2(testdata::writeSyntheticRecording(m_path, kEvents, m_start, &error), qPrintable(error));
}

void TestRowWindowScroller::init()
{
    m_file = std::make_unique<FileEventLogModel>();
    QString error;
    QVERIFY2(m_file->open(m_path, &error), qPrintable(error));
    m_proxy = new FileEventLogProxy;
    m_proxy->setWindowRows(kWindow);
    m_section = std::make_unique<TableSection>(QStringLiteral("events"), m_file.get(), m_proxy);
    m_section->resize(900, 420);
    m_section->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_section.get()));
    QVERIFY(visibleRows() > 5 && visibleRows() < kWindow / 4);
    QVERIFY(qAbs(visibleRows() - view()->viewport()->height() / rowHeight()) <= 1);
}

void TestRowWindowScroller::cleanup()
{
    m_section.reset();
    m_file.reset();
}

void TestRowWindowScroller::scrollToEndShowsTheLastEvent()
{
    // The view holds the window's rows only; its scroll bar is hidden, the section's spans
    // every row.
    QCOMPARE(view()->model()->rowCount(), kWindow);
    QCOMPARE(view()->verticalHeader()->count(), kWindow);
    QCOMPARE(view()->verticalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
    QCOMPARE(bar()->maximum(), kEvents - visibleRows());

    m_section->scrollToBottom();
    QCoreApplication::processEvents();
    QCOMPARE(sourceRowAtBottom(), kEvents - 1);
    QCOMPARE(view()
                 ->indexAt(QPoint(5, view()->viewport()->height() - 2))
                 .siblingAtColumn(EventLogModel::Sequence)
                 .data()
                 .toString(),
             QString::number(m_file->info().lastSeq));
    QVERIFY(m_section->isAtBottom());

    bar()->setValue(12'345);
    QCoreApplication::processEvents();
    QCOMPARE(sourceRowAtLine(0), 12'345);
    QCOMPARE(sequenceTextAtLine(0), QString::number(m_file->info().firstSeq + 12'345));
    QCOMPARE(sourceRowAtLine(visibleRows() - 1), 12'345 + visibleRows() - 1);

    m_section->scrollToTop();
    QCoreApplication::processEvents();
    QCOMPARE(sourceRowAtLine(0), 0);
    QCOMPARE(view()->model()->rowCount(), kWindow);
}

void TestRowWindowScroller::homeEndAndArrowsCrossWindows()
{
    view()->setFocus();
    key(Qt::Key_End);
    QCOMPARE(currentSourceRow(), kEvents - 1);
    QCOMPARE(sourceRowAtBottom(), kEvents - 1);
    QCOMPARE(bar()->value(), bar()->maximum());
    key(Qt::Key_Home);
    QCOMPARE(currentSourceRow(), 0);
    QCOMPARE(bar()->value(), 0);
    key(Qt::Key_End, Qt::ControlModifier);
    QCOMPARE(currentSourceRow(), kEvents - 1);
    key(Qt::Key_Home, Qt::ControlModifier);
    QCOMPARE(currentSourceRow(), 0);

    // Down past the window's end: the window moves along, row by row.
    const int downs = kWindow + 50;
    for (int i = 0; i < downs; ++i)
        key(Qt::Key_Down);
    QCOMPARE(currentSourceRow(), downs);
    QVERIFY(m_proxy->windowFirst() > 0);
    QVERIFY(bar()->value() <= downs && downs < bar()->value() + visibleRows());
    QCOMPARE(view()->currentIndex().siblingAtColumn(EventLogModel::Sequence).data().toString(),
             QString::number(m_file->info().firstSeq + downs));
    for (int i = 0; i < 20; ++i)
        key(Qt::Key_Up);
    QCOMPARE(currentSourceRow(), downs - 20);

    // A page at a time, through several windows.
    int previous = currentSourceRow();
    for (int i = 0; i < 3 * kWindow / visibleRows(); ++i) {
        key(Qt::Key_PageDown);
        QVERIFY2(currentSourceRow() > previous, qPrintable(QString::number(currentSourceRow())));
        previous = currentSourceRow();
    }
    QVERIFY(previous > 3 * kWindow);
    QVERIFY(bar()->value() <= previous && previous < bar()->value() + visibleRows());
    for (int i = 0; i < 3; ++i)
        key(Qt::Key_PageUp);
    QVERIFY(currentSourceRow() < previous);

    // Shift+End selects from the current row to the last (all in the window there).
    key(Qt::Key_End);
    for (int i = 0; i < 4; ++i)
        key(Qt::Key_Up);
    key(Qt::Key_End, Qt::ShiftModifier);
    QCOMPARE(view()->selectionModel()->selectedRows().size(), 5);
}

void TestRowWindowScroller::wheelScrollsAcrossWindows()
{
    bar()->setValue(5000);
    QCoreApplication::processEvents();
    const QPoint at(10, 10);
    const int notches = 200; // 600 rows with 3 lines a notch: two windows
    for (int i = 0; i < notches; ++i) {
        QWheelEvent wheel(at, view()->viewport()->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view()->viewport(), &wheel);
        QCoreApplication::processEvents();
    }
    const int expected = 5000 + notches * QApplication::wheelScrollLines();
    QCOMPARE(bar()->value(), expected);
    QCOMPARE(sourceRowAtLine(0), expected);
    QCOMPARE(sequenceTextAtLine(0), QString::number(m_file->info().firstSeq + expected));
}

void TestRowWindowScroller::clickedFarRowIsItsEvent()
{
    QSignalSpy currentChanged(view()->selectionModel(), &QItemSelectionModel::currentRowChanged);
    bar()->setValue(15'000);
    QCoreApplication::processEvents();
    clickLine(3);
    QCOMPARE(currentSourceRow(), 15'003);
    QCOMPARE(m_file->sequenceAt(15'003), m_file->info().firstSeq + 15'003);
    QCOMPARE(view()->currentIndex().siblingAtColumn(EventLogModel::Sequence).data().toString(),
             QString::number(m_file->info().firstSeq + 15'003));
    QCOMPARE(currentChanged.size(), 1);

    // Scrolled far away, the row leaves the window; back, it is current and selected again,
    // without a second currentRowChanged for the same event.
    bar()->setValue(100);
    QCoreApplication::processEvents();
    QVERIFY(m_proxy->proxyRowOf(15'003) < 0);
    bar()->setValue(14'990);
    QCoreApplication::processEvents();
    QCOMPARE(currentSourceRow(), 15'003);
    QVERIFY(view()->selectionModel()->isRowSelected(view()->currentIndex().row()));
    QCOMPARE(currentChanged.size(), 1);
}

void TestRowWindowScroller::filterThenScroll()
{
    m_section->filterEdit()->setText(QStringLiteral("eth3"));
    m_section->applyFilterNow();
    m_file->waitForFilter();
    QCoreApplication::processEvents();
    const int shown = m_section->shownRowCount();
    QCOMPARE(shown, m_file->rowCount());
    QVERIFY2(shown > 3 * kWindow && shown < kEvents, qPrintable(QString::number(shown)));
    QCOMPARE(bar()->maximum(), shown - visibleRows());
    auto *count = m_section->findChild<QLabel *>(QStringLiteral("eventsCount"));
    QVERIFY(count);
    QTRY_COMPARE(count->text(),
                 QStringLiteral("%1 of %2 rows").arg(QLocale().toString(shown), QLocale().toString(kEvents)));

    m_section->scrollToBottom();
    QCoreApplication::processEvents();
    QCOMPARE(sourceRowAtBottom(), shown - 1);
    QCOMPARE(view()
                 ->indexAt(QPoint(5, view()->viewport()->height() - 2))
                 .siblingAtColumn(EventLogModel::Sequence)
                 .data()
                 .toString(),
             QString::number(m_file->sequenceAt(shown - 1)));
    bar()->setValue(shown / 2);
    QCoreApplication::processEvents();
    for (int line = 0; line < visibleRows(); ++line) {
        QCOMPARE(sourceRowAtLine(line), shown / 2 + line);
        QCOMPARE(sequenceTextAtLine(line), QString::number(m_file->sequenceAt(shown / 2 + line)));
        QString text;
        for (int c = 0; c < EventLogModel::ColumnCount; ++c)
            text += indexAtLine(line).siblingAtColumn(c).data().toString() + QLatin1Char(' ');
        QVERIFY2(text.contains(QStringLiteral("eth3")), qPrintable(text));
    }

    // A time range of 2 s (about 2000 events) instead: scrolled to its end, its last event.
    m_section->filterEdit()->clear();
    m_section->applyFilterNow();
    const qint64 from = m_start + 5'000'000;
    m_file->setTimeRange(from, from + 2'000'000);
    m_file->waitForFilter();
    QCoreApplication::processEvents();
    QVERIFY(m_section->shownRowCount() > kWindow);
    m_section->scrollToBottom();
    QCoreApplication::processEvents();
    recording::RecordedEvent last;
    QVERIFY(m_file->eventAt(sourceRowAtBottom(), &last));
    QCOMPARE(sourceRowAtBottom(), m_section->shownRowCount() - 1);
    QVERIFY(last.record.timeUs <= from + 2'000'000 && last.record.timeUs > from + 1'990'000);

    // A range whose rows all fit: no bar (nowhere to scroll) and the view takes its width;
    // rows enough to scroll again bring it back.
    QVERIFY(bar()->isVisible());
    const int viewWidth = view()->width();
    m_file->setTimeRange(from, from + 2'000);
    m_file->waitForFilter();
    QCoreApplication::processEvents();
    QVERIFY(m_section->shownRowCount() > 0);
    QVERIFY2(m_section->shownRowCount() <= visibleRows(),
             qPrintable(QStringLiteral("%1 rows, %2 fit").arg(m_section->shownRowCount()).arg(visibleRows())));
    QTRY_VERIFY(!bar()->isVisible());
    QTRY_VERIFY(view()->width() > viewWidth);
    QCOMPARE(sourceRowAtLine(0), 0);
    m_file->setTimeRange(from, from + 2'000'000);
    m_file->waitForFilter();
    QTRY_VERIFY(bar()->isVisible());
    QTRY_COMPARE(view()->width(), viewWidth);
}

void TestRowWindowScroller::sortDescendingThenEnd()
{
    view()->sortByColumn(EventLogModel::Sequence, Qt::DescendingOrder);
    QCoreApplication::processEvents();
    m_section->scrollToTop();
    QCoreApplication::processEvents();
    QCOMPARE(sequenceTextAtLine(0), QString::number(m_file->info().lastSeq));
    view()->setFocus();
    key(Qt::Key_End);
    QCOMPARE(view()->currentIndex().siblingAtColumn(EventLogModel::Sequence).data().toString(),
             QString::number(m_file->info().firstSeq));
    bar()->setValue(7000);
    QCoreApplication::processEvents();
    QCOMPARE(sequenceTextAtLine(0), QString::number(m_file->info().lastSeq - 7000));
}

void TestRowWindowScroller::copiesSelectedRows()
{
    bar()->setValue(10'000);
    QCoreApplication::processEvents();
    clickLine(1);
    clickLine(3, Qt::ShiftModifier);
    const QStringList lines = m_section->selectedRowsAsText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4); // the header and three rows
    for (int i = 0; i < 3; ++i)
        QVERIFY2(lines.at(i + 1).startsWith(QString::number(m_file->info().firstSeq + 10'001 + i) + QLatin1Char('\t')),
                 qPrintable(lines.at(i + 1)));
}

void TestRowWindowScroller::recordingWindowTimeTravel()
{
    cleanup(); // this test's log is the window's
    QString error;
    // A history of 1000 events: the log of 20,000 is read from the file, 4096 rows a window.
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(m_path, nullptr, &error, 1000));
    QVERIFY2(w, qPrintable(error));
    w->resize(1200, 800);
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    FileEventLogModel *file = w->eventPane()->fileEventLog();
    QVERIFY(file);
    TableSection *section = w->eventPane()->eventsSection();
    QTableView *log = section->view();
    QVERIFY(log->model()->rowCount() < kEvents);

    // A row clicked far from the end: its event becomes the time cursor.
    section->verticalScrollBar()->setValue(12'000);
    QCoreApplication::processEvents();
    const int height = log->verticalHeader()->defaultSectionSize();
    const QModelIndex clicked = log->indexAt(QPoint(5, 2 * height + height / 2));
    QTest::mouseClick(log->viewport(), Qt::LeftButton, {}, log->visualRect(clicked).center());
    QCOMPARE(section->proxy()->mapToSource(log->currentIndex()).row(), 12'002);
    recording::RecordedEvent e;
    QVERIFY(file->eventAt(12'002, &e));
    QTRY_COMPARE(w->timelineView()->cursorTimeUs(), e.record.timeUs);
    QTRY_VERIFY(!w->recordingSession()->isSeeking()); // the tables are read on a worker

    // The time cursor set elsewhere (the timeline): its event is current and in view.
    QVERIFY(file->eventAt(3000, &e));
    QVERIFY(w->setTimeCursor(e.record.timeUs));
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QCoreApplication::processEvents();
    QCOMPARE(section->proxy()->mapToSource(log->currentIndex()).row(), 3000);
    QVERIFY(log->viewport()->rect().contains(log->visualRect(log->currentIndex())));
    const int top = section->verticalScrollBar()->value();
    QVERIFY2(top <= 3000 && 3000 < top + log->viewport()->height() / height, qPrintable(QString::number(top)));
}

QTEST_MAIN(TestRowWindowScroller)
#include "tst_rowwindowscroller.moc"
