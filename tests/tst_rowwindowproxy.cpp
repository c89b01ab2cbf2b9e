// SPDX-License-Identifier: GPL-2.0-or-later
// RowWindowProxy over a live source: random inserts, removes, layout changes (with and
// without a change of the row count, as ChangeTableProxy announces a burst) and re-bases,
// checked after every step against the source itself: the window shows exactly the source
// rows [windowFirst(), windowFirst() + rowCount()), is as full as the source allows, keeps
// showing the same rows when rows come or go before it, and its persistent indexes (a
// view's current row and selection) keep their rows while those stay in the window.
// QAbstractItemModelTester checks the signals' consistency throughout.
#include "model/tables/rowwindowproxy.h"

#include <QAbstractItemModelTester>
#include <QAbstractTableModel>
#include <QPersistentModelIndex>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <vector>

using namespace ncv;

namespace {

/// A flat table of unique values (column 0 the value, column 1 its double), changed like a
/// live table: row inserts, row removes and layout changes that reorder it and may add or
/// drop rows (persistent indexes follow their value, or become invalid with it).
class ValueModel : public QAbstractTableModel {
public:
    std::vector<int> values;

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(values.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : 2; }
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (role != Qt::DisplayRole || !index.isValid())
            return {};
        const int v = values[std::size_t(index.row())];
        return index.column() == 0 ? v : 2 * v;
    }
    void insert(int at, const std::vector<int> &added)
    {
        beginInsertRows({}, at, at + int(added.size()) - 1);
        values.insert(values.begin() + at, added.begin(), added.end());
        endInsertRows();
    }
    void remove(int at, int count)
    {
        beginRemoveRows({}, at, at + count - 1);
        values.erase(values.begin() + at, values.begin() + at + count);
        endRemoveRows();
    }
    void relayout(std::vector<int> order)
    {
        Q_EMIT layoutAboutToBeChanged();
        const QModelIndexList from = persistentIndexList();
        QModelIndexList to;
        for (const QModelIndex &index : from) {
            const int v = values[std::size_t(index.row())];
            const auto it = std::find(order.begin(), order.end(), v);
            to.append(it == order.end() ? QModelIndex() : createIndex(int(it - order.begin()), index.column()));
        }
        values = std::move(order);
        changePersistentIndexList(from, to);
        Q_EMIT layoutChanged();
    }
};

/// A source of `rows` values 0.. shown through a window of `windowRows` rows.
struct Windowed {
    ValueModel source;
    RowWindowProxy window;
    Windowed(int rows, int windowRows)
    {
        for (int v = 0; v < rows; ++v)
            source.values.push_back(v);
        window.setWindowRows(windowRows);
        window.setSourceModel(&source);
    }
};

} // namespace

class TestRowWindowProxy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowShowsItsSourceRowsThroughRandomChanges_data();
    void windowShowsItsSourceRowsThroughRandomChanges();
    void rowsBeforeTheWindowKeepItsRowsOnScreen();
    void rowsInsideTheWindowAreInsertedThere();
    void removalAtTheEndRefillsFromBefore();
    void layoutChangeKeepsTheCurrentRowByItsSourceRow();
};

namespace {

// Fails the running test (QVERIFY in a helper: the caller checks QTest::currentTestFailed()).
void checkWindow(const RowWindowProxy &window, const ValueModel &source, const QString &step)
{
    const int rows = source.rowCount();
    const int first = window.windowFirst();
    QVERIFY2(first >= 0 && first <= std::max(0, rows - window.windowRows()), qPrintable(step));
    QVERIFY2(window.rowCount() == std::min(window.windowRows(), rows - first), qPrintable(step));
    QCOMPARE(window.sourceRowCount(), rows);
    for (int r = 0; r < window.rowCount(); ++r) {
        if (window.index(r, 0).data().toInt() != source.values[std::size_t(first + r)]
            || window.index(r, 1).data().toInt() != 2 * source.values[std::size_t(first + r)]) {
            QFAIL(qPrintable(QStringLiteral("%1: row %2 shows %3, source row %4 is %5")
                                 .arg(step)
                                 .arg(r)
                                 .arg(window.index(r, 0).data().toInt())
                                 .arg(first + r)
                                 .arg(source.values[std::size_t(first + r)])));
        }
        QCOMPARE(window.mapToSource(window.index(r, 1)), source.index(first + r, 1));
        QCOMPARE(window.mapFromSource(source.index(first + r, 0)), window.index(r, 0));
    }
    if (first > 0)
        QVERIFY(!window.mapFromSource(source.index(first - 1, 0)).isValid());
}

} // namespace

void TestRowWindowProxy::windowShowsItsSourceRowsThroughRandomChanges_data()
{
    QTest::addColumn<int>("windowRows");
    QTest::addColumn<quint32>("seed");
    QTest::newRow("window 16") << 16 << 1u;
    QTest::newRow("window 50") << 50 << 2u;
    QTest::newRow("window 1") << 1 << 3u;
    QTest::newRow("window 300") << 300 << 4u;
}

void TestRowWindowProxy::windowShowsItsSourceRowsThroughRandomChanges()
{
    QFETCH(int, windowRows);
    QFETCH(quint32, seed);
    QRandomGenerator rng(seed);
    ValueModel source;
    int next = 0;
    for (; next < 120; ++next)
        source.values.push_back(next);
    RowWindowProxy window;
    window.setWindowRows(windowRows);
    window.setSourceModel(&source);
    QAbstractItemModelTester tester(&window, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // What a view holds: a few persistent indexes, with the value each showed.
    std::vector<std::pair<QPersistentModelIndex, int>> held;
    int kinds[6] = {};
    for (int step = 0; step < 3000; ++step) {
        // Hold up to 4 rows of the window (refreshing those that left it).
        held.erase(std::remove_if(held.begin(), held.end(), [](const auto &h) { return !h.first.isValid(); }),
                   held.end());
        while (held.size() < 4 && window.rowCount() > 0) {
            const QModelIndex index = window.index(int(rng.bounded(window.rowCount())), int(rng.bounded(2)));
            held.emplace_back(QPersistentModelIndex(index), window.index(index.row(), 0).data().toInt());
        }
        const int rows = source.rowCount();
        const int first = window.windowFirst();
        const int kind = int(rng.bounded(6));
        ++kinds[kind];
        QString what;
        if (kind == 0 || (kind == 1 && rows < 10)) { // insert
            // Near the window's edges half of the time, where the cases are.
            int at = rng.bounded(2) ? int(rng.bounded(rows + 1))
                                    : std::clamp(first + int(rng.bounded(windowRows + 3)) - 1, 0, rows);
            std::vector<int> added(1 + rng.bounded(rng.bounded(4) == 0 ? 2 * windowRows + 2 : 3));
            for (int &v : added)
                v = next++;
            what = QStringLiteral("insert %1 at %2").arg(added.size()).arg(at);
            source.insert(at, added);
        } else if (kind == 1) { // remove
            int at = rng.bounded(2) ? int(rng.bounded(rows))
                                    : std::clamp(first + int(rng.bounded(windowRows + 3)) - 1, 0, rows - 1);
            const int count = std::min(rows - at, 1 + int(rng.bounded(rng.bounded(4) == 0 ? 2 * windowRows + 2 : 3)));
            what = QStringLiteral("remove %1 at %2").arg(count).arg(at);
            source.remove(at, count);
        } else if (kind == 2) { // layout change: shuffle
            std::vector<int> order = source.values;
            for (std::size_t i = order.size(); i > 1; --i)
                std::swap(order[i - 1], order[rng.bounded(quint32(i))]);
            what = QStringLiteral("shuffle");
            source.relayout(std::move(order));
        } else if (kind == 3) { // layout change that adds and drops rows (a burst)
            std::vector<int> order;
            for (int v : source.values) {
                if (rng.bounded(5) != 0)
                    order.push_back(v);
            }
            for (int k = int(rng.bounded(40)); k > 0; --k)
                order.insert(order.begin() + rng.bounded(quint32(order.size() + 1)), next++);
            what = QStringLiteral("layout %1 -> %2 rows").arg(rows).arg(order.size());
            source.relayout(std::move(order));
        } else if (kind == 4) { // re-base
            const int to = int(rng.bounded(rows + 1));
            what = QStringLiteral("setWindowFirst(%1)").arg(to);
            window.setWindowFirst(to);
        } else { // grow back when small
            std::vector<int> added(std::size_t(rows < 60 ? 80 : 1));
            for (int &v : added)
                v = next++;
            what = QStringLiteral("append %1").arg(added.size());
            source.insert(rows, added);
        }
        const QString label = QStringLiteral("step %1 (%2)").arg(step).arg(what);
        checkWindow(window, source, label);
        if (QTest::currentTestFailed())
            return;
        // A held index still valid shows the value it showed; one that became invalid has
        // left the window or the source.
        for (const auto &[index, value] : held) {
            if (index.isValid()) {
                QVERIFY2(window.index(index.row(), 0).data().toInt() == value, qPrintable(label));
            } else {
                const auto it = std::find(source.values.begin(), source.values.end(), value);
                const int row = it == source.values.end() ? -1 : int(it - source.values.begin());
                QVERIFY2(row < 0 || window.proxyRowOf(row) < 0,
                         qPrintable(label + QStringLiteral(": lost a held row")));
            }
        }
    }
    for (int kind : kinds)
        QVERIFY(kind > 300); // every kind of change was made many times
}

void TestRowWindowProxy::rowsBeforeTheWindowKeepItsRowsOnScreen()
{
    Windowed w(1000, 100);
    ValueModel &source = w.source;
    RowWindowProxy &window = w.window;
    QVERIFY(window.setWindowFirst(500));
    QSignalSpy inserted(&window, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&window, &QAbstractItemModel::rowsRemoved);
    QSignalSpy told(&window, &RowWindowProxy::sourceRowsInserted);
    source.insert(10, {5000, 5001, 5002});
    QCOMPARE(window.windowFirst(), 503);
    QCOMPARE(window.index(0, 0).data().toInt(), 500); // the same row at the top
    QCOMPARE(inserted.count(), 0); // the view sees no change
    QCOMPARE(told.count(), 1);
    QCOMPARE(told.at(0).at(0).toInt(), 10);
    QCOMPARE(told.at(0).at(1).toInt(), 3);
    source.remove(0, 50);
    QCOMPARE(window.windowFirst(), 453);
    QCOMPARE(window.index(0, 0).data().toInt(), 500);
    QCOMPARE(removed.count(), 0);
    // Rows inserted at the top of a window at the top of the source are shown.
    QVERIFY(window.setWindowFirst(0));
    source.insert(0, {6000});
    QCOMPARE(window.windowFirst(), 0);
    QCOMPARE(window.index(0, 0).data().toInt(), 6000);
}

void TestRowWindowProxy::rowsInsideTheWindowAreInsertedThere()
{
    Windowed w(1000, 100);
    ValueModel &source = w.source;
    RowWindowProxy &window = w.window;
    QVERIFY(window.setWindowFirst(200));
    const QPersistentModelIndex current = window.index(50, 0); // value 250
    QSignalSpy inserted(&window, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&window, &QAbstractItemModel::rowsRemoved);
    source.insert(220, {7000, 7001});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 20);
    QCOMPARE(inserted.at(0).at(2).toInt(), 21);
    QCOMPARE(removed.count(), 1); // the two rows pushed past the window's end
    QCOMPARE(removed.at(0).at(1).toInt(), 100);
    QCOMPARE(window.rowCount(), 100);
    QCOMPARE(current.row(), 52);
    QCOMPARE(current.data().toInt(), 250);
    // Removed inside: removed there, and the window filled again from the rows after it.
    source.remove(205, 10);
    QCOMPARE(window.rowCount(), 100);
    QCOMPARE(current.row(), 42);
    QCOMPARE(current.data().toInt(), 250);
    QCOMPARE(window.index(99, 0).data().toInt(), source.values[299]);
}

void TestRowWindowProxy::removalAtTheEndRefillsFromBefore()
{
    Windowed w(300, 100);
    ValueModel &source = w.source;
    RowWindowProxy &window = w.window;
    QVERIFY(window.setWindowFirst(200)); // the last 100 rows
    const QPersistentModelIndex current = window.index(10, 0); // value 210
    source.remove(250, 50);
    QCOMPARE(window.rowCount(), 100);
    QCOMPARE(window.windowFirst(), 150);
    QCOMPARE(current.data().toInt(), 210);
    QCOMPARE(current.row(), 60);
}

void TestRowWindowProxy::layoutChangeKeepsTheCurrentRowByItsSourceRow()
{
    Windowed w(1000, 100);
    ValueModel &source = w.source;
    RowWindowProxy &window = w.window;
    QVERIFY(window.setWindowFirst(400));
    const QPersistentModelIndex stays = window.index(10, 1); // value 410
    const QPersistentModelIndex leaves = window.index(20, 0); // value 420
    QSignalSpy reordered(&window, &RowWindowProxy::sourceReordered);
    // 410 moves 5 rows down (it stays in the window), 420 to the far end (it leaves).
    std::vector<int> order = source.values;
    order.erase(std::find(order.begin(), order.end(), 410));
    order.insert(order.begin() + 415, 410);
    order.erase(std::find(order.begin(), order.end(), 420));
    order.push_back(420);
    source.relayout(order);
    QCOMPARE(reordered.count(), 1);
    QCOMPARE(window.windowFirst(), 400);
    QVERIFY(stays.isValid());
    QCOMPARE(stays.row(), 15);
    QCOMPARE(stays.column(), 1);
    QCOMPARE(stays.data().toInt(), 820);
    QVERIFY(!leaves.isValid());
}

QTEST_GUILESS_MAIN(TestRowWindowProxy)
#include "tst_rowwindowproxy.moc"
