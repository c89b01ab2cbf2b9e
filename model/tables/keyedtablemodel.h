// SPDX-License-Identifier: GPL-2.0-or-later
// KeyedTableModel<RowT>: row storage for a live table — the platform rows in their compact
// form (platform::PackedRows: the description's codec, decoded when a row is shown, sorted
// or filtered; ~22 bytes for an IPv4 route instead of ~190), a RowKey -> row index hash
// (O(1) updates), and the record classification shared by the interface, address, route
// and entity tables. Its columns are the fields of RowT's
// description that have a column title (rowfields.h): headers, cells, sorting (compareRows,
// sortKeys) and filtering (rowContains) all come from there, so a table class adds only
// what is not a field (timers, live counts, extra columns). GUI thread only, except
// rowContains() (see ChangeTableModel).
// The index is a platform::HashIndex of row numbers (8-byte slots) that recomputes a row's
// key from the row itself (decoded) to confirm a match: ~16 bytes per row instead of a
// ~100-byte hash node holding a copy of the 61-byte key, and growing it moves slots without
// rehashing keys (no long stall at a million routes).
#pragma once

#include "model/interfacenames.h"
#include "model/modeltext.h"
#include "model/tables/changetablemodel.h"
#include "model/tables/rowkey.h"
#include "platform/hashindex.h"
#include "platform/packedrows.h"
#include "platform/rowfields.h"
#include "platform/types.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <limits>
#include <string>
#include <variant>
#include <vector>

// A field's function taken as a constant and tested with a plain if: GCC's sanitizers do
// not accept a function pointer's comparison with nullptr in `if constexpr`, and the plain
// test of a function's address warns that it is never null (-Waddress). -O2 folds it.
#if defined(__clang__)
#define NCV_FIELD_FUNCTION_CHECK_BEGIN                                                                                 \
    _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wtautological-pointer-compare\"")            \
        _Pragma("clang diagnostic ignored \"-Wpointer-bool-conversion\"")
#define NCV_FIELD_FUNCTION_CHECK_END _Pragma("clang diagnostic pop")
#elif defined(__GNUC__)
#define NCV_FIELD_FUNCTION_CHECK_BEGIN _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Waddress\"")
#define NCV_FIELD_FUNCTION_CHECK_END _Pragma("GCC diagnostic pop")
#else
#define NCV_FIELD_FUNCTION_CHECK_BEGIN
#define NCV_FIELD_FUNCTION_CHECK_END
#endif

namespace ncv {

template<typename RowT> class KeyedTableModel : public ChangeTableModel {
public:
    /// The described columns of RowT (those with a title), then extraColumns().
    static constexpr int kFieldColumns = int(platform::columnCount<RowT>);

    /// names: resolves columns of interface indexes (ifindex -> name); may be nullptr
    /// ("if N" then).
    explicit KeyedTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr)
        : ChangeTableModel(parent), m_names(names)
    { }

    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : kFieldColumns + extraColumns();
    }
    /// The field's column title; as tool tip, where its value comes from (its source).
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override
    {
        const bool field = orientation == Qt::Horizontal && section >= 0 && section < kFieldColumns;
        if (field && role == Qt::ToolTipRole)
            return qs(columnInfo(section).source);
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return QAbstractTableModel::headerData(section, orientation, role);
        if (field)
            return qs(columnInfo(section).header);
        return extraHeader(section - kFieldColumns);
    }

    /// Which fields the rows hold values for (KnownFields::CsvRow: a recording converted
    /// from a CSV export, whose other members are defaults that say nothing): the cells of
    /// the other columns are empty, and the filter does not look at them.
    void setKnownFields(platform::KnownFields known)
    {
        const platform::FieldMask mask = platform::knownFieldsOf<RowT>(known);
        quint32 unknown = 0;
        for (int c = 0; c < kFieldColumns; ++c) {
            if (!(mask & (platform::FieldMask(1) << platform::columnFields<RowT>[std::size_t(c)])))
                unknown |= 1u << unsigned(c);
        }
        if (unknown == m_unknownColumns)
            return;
        m_unknownColumns = unknown;
        m_match.prepared = false;
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, kFieldColumns - 1));
    }
    /// True when column shows a field the rows do not hold (setKnownFields()): its cells are empty.
    bool isUnknownColumn(int column) const
    {
        return column >= 0 && column < kFieldColumns && (m_unknownColumns & (1u << unsigned(column))) != 0;
    }

    /// The network namespace whose interface names the interface columns show (a
    /// platform::NamespaceTable id, as InterfaceNames keys them; 0 by default): the
    /// namespace of the rows. Call interfaceNamesChanged() or reset the rows after.
    void setNamesNamespace(quint32 netns) { m_namesNetns = netns; }
    quint32 namesNamespace() const { return m_namesNetns; }

    /// Emits dataChanged over the columns that show interface names (after a rename).
    void interfaceNamesChanged()
    {
        if (rowCount() == 0)
            return;
        for (int c = 0; c < kFieldColumns; ++c) {
            if (columnInfo(c).has(platform::InterfaceIndexes))
                Q_EMIT dataChanged(index(0, c), index(rowCount() - 1, c));
        }
    }

    /// By the field's compare (numbers, addresses...), by the text for names (SortByText,
    /// or no compare), interface columns by the names shown.
    int compareRows(int a, int b, int column) const override
    {
        if (column < 0 || column >= kFieldColumns)
            return ChangeTableModel::compareRows(a, b, column);
        const platform::FieldInfo<RowT> &info = columnInfo(column);
        const RowT &l = decoded(CompareLeft, a), &r = decoded(CompareRight, b);
        if (info.has(platform::InterfaceIndexes)) {
            IfIndexes li, ri;
            li.read(info, l);
            ri.read(info, r);
            if (li == ri)
                return 0;
            return QString::compare(names(li), names(ri));
        }
        if (info.has(platform::SortByText) || !info.compare) {
            if (info.small) {
                const int lv = info.small(l);
                if (lv >= 0 && lv == info.small(r))
                    return 0;
            }
            std::string lt, rt;
            cellText(info, l, lt);
            cellText(info, r, rt);
            const int c = lt.compare(rt);
            return c < 0 ? -1 : c > 0 ? 1 : 0;
        }
        return compareField(column, l, r);
    }
    /// The column's field compare of two rows (a column with a compare function: sortKeys()'s
    /// keys are exact or compareRows() is this).
    static int compareField(int column, const RowT &l, const RowT &r)
    {
        int order = 0;
        withColumnField(column, [&](auto field) {
            // The field's compare as a constant: called directly (inlined where it can be).
            // A plain if: under -fsanitize GCC does not take a function pointer's
            // comparison with nullptr as a constant expression; -O2 folds it all the same.
            static constexpr auto compare
                = std::get<decltype(field)::value>(platform::Description<RowT>::fields).info.compare;
            NCV_FIELD_FUNCTION_CHECK_BEGIN
            if (compare)
                order = compare(l, r);
            NCV_FIELD_FUNCTION_CHECK_END
        });
        return order;
    }
    /// True when column's field has a sort key and a compare (no interface names, no text).
    static bool hasFieldSortKey(int column)
    {
        if (column < 0 || column >= kFieldColumns)
            return false;
        const platform::FieldInfo<RowT> &info = columnInfo(column);
        return !info.has(platform::InterfaceIndexes) && !info.has(platform::SortByText) && info.sortKey && info.compare;
    }
    /// The field's sort keys of rows (a column with hasFieldSortKey()).
    bool sortKeysOf(std::span<const int> rows, int column, std::vector<SortKey> &keys) const override
    {
        if (!hasFieldSortKey(column))
            return false;
        const int n = rowCount();
        for (int row : rows)
            if (row < 0 || row >= n)
                return false;
        keys.resize(rows.size());
        withColumnField(column, [&](auto field) {
            static constexpr auto sortKey
                = std::get<decltype(field)::value>(platform::Description<RowT>::fields).info.sortKey;
            NCV_FIELD_FUNCTION_CHECK_BEGIN
            if (sortKey) { // a plain if, as in compareField()
                for (std::size_t i = 0; i < rows.size(); ++i) {
                    const RowT &r = decodeInto(Scan, m_rows, std::size_t(rows[i]));
                    bool exact = true;
                    const quint64 key = sortKey(r, exact);
                    keys[i] = SortKey {key, quint32(rows[i]), exact ? 1u : 0u};
                }
            }
            NCV_FIELD_FUNCTION_CHECK_END
        });
        return true;
    }
    /// sortKeys() of rows [0, n) of rows for a column whose field has a sort key and a
    /// compare (no interface names, no text): false (keys untouched) for other columns.
    /// Any thread (only rows).
    static bool fieldSortKeys(const platform::PackedRows<RowT> &rows, std::size_t n, int column,
                              std::vector<SortKey> &keys)
    {
        if (!hasFieldSortKey(column))
            return false;
        keys.resize(n);
        withColumnField(column, [&](auto field) {
            static constexpr auto sortKey
                = std::get<decltype(field)::value>(platform::Description<RowT>::fields).info.sortKey;
            NCV_FIELD_FUNCTION_CHECK_BEGIN
            if (sortKey) { // a plain if, as in compareField()
                rows.forEach(
                    [&](std::size_t i, const RowT &row) {
                        bool exact = true;
                        const quint64 key = sortKey(row, exact);
                        keys[i] = SortKey {key, quint32(i), exact ? 1u : 0u};
                    },
                    0, n);
            }
            NCV_FIELD_FUNCTION_CHECK_END
        });
        return true;
    }

    /// One column after the other (a typed needle never spans two cells), as
    /// prepareContains() planned them: columns whose text cannot hold the needle (charset)
    /// are skipped, names of small values were answered once per value, interface names are
    /// answered once per interface and thread, the rest is matched on the cell text.
    /// Read-only: may run on several threads after prepareContains().
    bool rowContains(int row, const Needle &needle) const override
    {
        if (!m_match.prepared || m_match.generation != needle.generation)
            prepareContains(needle); // GUI thread: the proxy prepares before it scans on threads
        if (m_match.packed)
            return packedRowContains(row, needle);
        ScanCache *cache = nullptr; // fetched when a column needs it (a thread-local lookup)
        const auto scan = [&]() -> ScanCache & {
            if (!cache)
                cache = &scanCache(needle);
            return *cache;
        };
        RowT &r = threadRow(Scan);
        m_rows.decode(std::size_t(row), r);
        for (int k = 0; k < m_match.columns; ++k) {
            const Plan &plan = m_match.plan[std::size_t(k)];
            switch (plan.kind) {
            case Plan::Small: {
                const int v = plan.info->small(r);
                if (v >= 0 ? m_match.values[std::size_t(k)][std::size_t(v)] : textContains(plan, r, needle, scan()))
                    return true;
                break;
            }
            case Plan::Keyed: {
                ScanCache &cache = scan();
                if (cache.textOnly[std::size_t(plan.column)]) {
                    if (textContains(plan, r, needle, cache))
                        return true;
                    break;
                }
                bool exact = true;
                const quint64 key = plan.info->sortKey(r, exact);
                typename ScanCache::Last &last = cache.last[std::size_t(plan.column)];
                if (exact && last.valid && last.key == key) {
                    ++last.hits;
                    if (last.found)
                        return true;
                    break;
                }
                const bool found = textContains(plan, r, needle, cache);
                if (exact) {
                    last.key = key;
                    last.valid = true;
                    last.found = found;
                }
                // Keys that hardly repeat (destinations): match the text, no key.
                if (++last.misses > 256 && last.hits < last.misses / 4)
                    cache.textOnly[std::size_t(plan.column)] = true;
                if (found)
                    return true;
                break;
            }
            case Plan::Text:
                if (textContains(plan, r, needle, scan()))
                    return true;
                break;
            case Plan::Interfaces:
                if (interfacesContain(*plan.info, r, needle, scan()))
                    return true;
                break;
            }
        }
        for (int c = kFieldColumns; c < columnCount(); ++c) {
            if (cellData(row, c, Qt::DisplayRole).toString().contains(needle.text, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }
    void prepareContains(const Needle &needle) const override
    {
        m_match.generation = needle.generation;
        m_match.prepared = true;
        m_match.columns = 0;
        m_match.packed = false;
        const std::string_view n = needle.lowerUtf8;
        m_match.needle.set(n);
        if (n.empty())
            return;
        // The columns whose text can hold the needle (charset), cheapest first: values with
        // one answer each (answered here for all 256), then numbers, other texts, interface
        // names.
        for (int pass = 0; pass < 4; ++pass) {
            for (int c = 0; c < kFieldColumns; ++c) {
                if (isUnknownColumn(c))
                    continue; // an empty cell holds no needle
                const platform::FieldInfo<RowT> &info = columnInfo(c);
                Plan plan;
                plan.column = c;
                plan.info = &info;
                plan.text = info.cell ? info.cell : info.text;
                plan.plainText = !info.charset.empty();
                plan.kind = info.has(platform::InterfaceIndexes)    ? Plan::Interfaces
                    : info.small && info.smallText                  ? Plan::Small
                    : info.has(platform::TextByKey) && info.sortKey ? Plan::Keyed
                                                                    : Plan::Text;
                // Numbers before other texts: they are short and quick to write.
                const int cost = plan.kind == Plan::Interfaces       ? 3
                    : plan.kind == Plan::Small                       ? 0
                    : info.charset == std::string_view("0123456789") ? 1
                                                                     : 2;
                if (cost != pass)
                    continue;
                const std::string_view chars = info.charset;
                if (!chars.empty() && n.find_first_not_of(chars) != std::string_view::npos)
                    continue;
                const std::size_t k = std::size_t(m_match.columns);
                plan.reads = platform::columnReads<RowT>[std::size_t(c)];
                if (plan.reads != platform::kAnyField && plan.reads != 0) {
                    plan.first = std::countr_zero(plan.reads);
                    plan.end = int(sizeof(platform::FieldMask) * 8) - std::countl_zero(plan.reads);
                    plan.headMask = platform::headBitsOf<RowT>(plan.reads);
                    plan.cidr = platform::columnCidr<RowT>[std::size_t(c)];
                    plan.familyShift = platform::fielddetail::headShifts<RowT>[std::size_t(plan.first)];
                }
                m_match.plan[k] = plan;
                if (plan.kind == Plan::Small) {
                    // The answer for each value, once.
                    std::string text;
                    bool any = false;
                    for (unsigned v = 0; v < 256; ++v) {
                        text.clear();
                        info.smallText(text, v);
                        any |= m_match.values[k][v] = containsIgnoringCase(text, needle);
                    }
                    if (!any && info.smallAlways)
                        continue; // no row can match here
                }
                ++m_match.columns;
            }
        }
        // Every column says which fields it reads: the scan locates the fields in the
        // compact bytes and decodes only those (packedRowContains()).
        m_match.packed = kFieldColumns == columnCount();
        for (int k = 0; k < m_match.columns; ++k) {
            const Plan &plan = m_match.plan[std::size_t(k)];
            m_match.packed = m_match.packed && plan.reads != platform::kAnyField && plan.reads != 0;
        }
    }

    /// Keys from the field's sortKey; ranks of the texts for names and texts; ranks of the
    /// names shown for interface columns.
    bool sortKeys(int column, std::vector<SortKey> &keys) const override
    {
        if (column < 0 || column >= kFieldColumns) {
            keys.clear();
            return false;
        }
        const platform::FieldInfo<RowT> &info = columnInfo(column);
        const int n = rowCount();
        if (fieldSortKeys(m_rows, std::size_t(n), column, keys))
            return true;
        keys.resize(std::size_t(n));
        // Ranks of the distinct texts (equal texts share a rank).
        std::vector<qint32> textOf(static_cast<std::size_t>(n));
        if (info.has(platform::InterfaceIndexes)) {
            std::vector<QString> texts;
            QHash<QString, qint32> index;
            std::vector<qint32> single; // by ifindex (< 65536): text index, -1 unknown
            RowT row;
            for (int i = 0; i < n; ++i) {
                m_rows.decode(std::size_t(i), row);
                IfIndexes ifs;
                ifs.read(info, row);
                qint32 *known = nullptr;
                if (ifs.count == 1 && ifs.values[0] < 65536) {
                    if (single.size() <= ifs.values[0])
                        single.resize(ifs.values[0] + 1, -1);
                    known = &single[ifs.values[0]];
                    if (*known >= 0) {
                        textOf[std::size_t(i)] = *known;
                        continue;
                    }
                }
                const QString text = names(ifs);
                auto it = index.find(text);
                if (it == index.end()) {
                    it = index.insert(text, qint32(texts.size()));
                    texts.push_back(text);
                }
                textOf[std::size_t(i)] = *it;
                if (known)
                    *known = *it;
            }
            rankTexts(texts, textOf, keys, [](const QString &a, const QString &b) { return QString::compare(a, b); });
            return true;
        }
        std::vector<std::string> texts;
        QHash<QByteArray, qint32> index;
        std::array<qint32, 256> byValue;
        byValue.fill(-1);
        std::string text;
        RowT r;
        for (int i = 0; i < n; ++i) {
            m_rows.decode(std::size_t(i), r);
            const int v = info.small ? info.small(r) : -1;
            if (v >= 0 && byValue[std::size_t(v)] >= 0) {
                textOf[std::size_t(i)] = byValue[std::size_t(v)];
                continue;
            }
            text.clear();
            cellText(info, r, text);
            const QByteArray key = QByteArray::fromRawData(text.data(), qsizetype(text.size()));
            auto it = index.find(key);
            if (it == index.end()) {
                texts.push_back(text);
                it = index.insert(QByteArray(text.data(), qsizetype(text.size())), qint32(texts.size() - 1));
            }
            textOf[std::size_t(i)] = *it;
            if (v >= 0)
                byValue[std::size_t(v)] = *it;
        }
        rankTexts(texts, textOf, keys, [](const std::string &a, const std::string &b) { return a.compare(b); });
        return true;
    }

    /// The row at `row` (0 <= row < rowCount()), decoded. For a deleted row, its last state.
    RowT rowAt(int row) const { return m_rows.at(std::size_t(row)); }
    /// Decodes the row at `row` into out (no allocation once out's vectors have grown).
    void readRow(int row, RowT &out) const { m_rows.decode(std::size_t(row), out); }
    /// Calls fn(int row, const RowT &) for every row (0 <= row < rowCount()), in order (one
    /// decode buffer).
    template<typename Fn> void forEachRow(Fn fn) const
    {
        m_rows.forEach([&](std::size_t i, const RowT &r) { fn(int(i), r); }, 0, std::size_t(rowCount()));
    }
    /// Shows `rows` instead of the current rows, which are left in `rows`: a whole state at
    /// once (e.g. the table at a past moment, its rows decoded from a recording elsewhere).
    /// One model reset; the storage is swapped in O(1), then the key index is rebuilt from
    /// the rows (a decode and a hash per row). No row is marked.
    void swapRows(platform::PackedRows<RowT> &rows)
    {
        resetRows([&] {
            m_rows.swap(rows);
            rowsWritten();
            m_erased.clear();
            rebuildIndex();
            return int(m_rows.size());
        });
    }
    /// Rows with their key index, built off the GUI thread (prepare(): any thread) and
    /// swapped into a table in O(1) (swapPrepared()).
    struct Prepared {
        platform::PackedRows<RowT> rows;
        platform::HashIndex index;
        std::vector<RowT> stored; ///< rows that rowStored() must see (those rowNeedsNote() names)
        int rankColumn = -1; ///< ranks: the rows' ranks in this column (rankKeys()), or -1
        std::vector<quint32> ranks;
    };
    /// Builds p.index from p.rows, and p.stored; with rankColumn >= 0 (the column a proxy
    /// sorts the table by) also the rows' ranks in that column when the column's keys need
    /// no interface name or text (fieldSortKeys()). Any thread: touches only p.
    static void prepare(Prepared &p, int rankColumn = -1)
    {
        p.stored.clear();
        buildIndex(p.rows, p.index, [&p](const RowT &r) {
            if (rowNeedsNote(r))
                p.stored.push_back(r);
        });
        p.rankColumn = -1;
        p.ranks.clear();
        std::vector<SortKey> keys;
        if (!fieldSortKeys(p.rows, p.rows.size(), rankColumn, keys))
            return;
        const platform::PackedRows<RowT> &rows = p.rows;
        p.ranks = rankKeys(keys, rows.size(), [&rows, rankColumn](quint32 a, quint32 b) {
            return compareField(rankColumn, decodeInto(CompareLeft, rows, a), decodeInto(CompareRight, rows, b));
        });
        p.rankColumn = rankColumn;
    }
    /// Shows p's rows instead of the current rows, which are left in p (its index and
    /// ranks no longer match them): as swapRows() without the index's rebuild on this
    /// thread, and with p's ranks for the proxy (takePresetRanks()). One model reset. No
    /// row is marked.
    void swapPrepared(Prepared &p)
    {
        resetRows(
            [&] {
                m_rows.swap(p.rows);
                m_index.swap(p.index);
                rowsWritten();
                m_erased.clear();
                m_reindexedKeys += m_rows.size();
                for (const RowT &r : p.stored)
                    rowStored(r);
                return int(m_rows.size());
            },
            p.rankColumn, &p.ranks);
    }
    /// Heap bytes of the rows and their index (marks not included). For tests and benchmarks.
    std::size_t rowMemoryBytes() const { return m_rows.memoryBytes() + m_index.memoryBytes(); }
    /// Row index of the object with key `key`, or -1.
    int indexOf(const RowKey &key) const
    {
        const int row = findRow(key, RowKeyHash {}(key));
        return row >= publishedRowCount() ? -1 : row;
    }
    int indexOf(const RowT &keyRow) const { return indexOf(rowKey(keyRow)); }
    /// Index entries renumbered after the sweep removed rows, since construction: the rows
    /// after the first removed one, never the whole table. For tests.
    quint64 reindexedKeyCount() const { return m_reindexedKeys; }

    /// Hints the CPU to load the index slot that apply(record) looks at first (the index
    /// is far larger than the caches at a million rows): call it a few records ahead.
    void prefetch(const platform::ChangeRecord &record) const
    {
        const RowT *row = std::get_if<RowT>(&record.before);
        if (!row)
            row = std::get_if<RowT>(&record.after);
        if (row)
            m_index.prefetch(RowKeyHash {}(rowKey(*row)));
    }
    /// Applies one record of this table's object kind (others are ignored):
    /// Initial / Add insert (or update when the key exists), Parameter updates (found by
    /// the key of `before`, re-keyed when `after`'s key differs; inserted when unknown),
    /// Delete / Expired mark the row deleted (removed by the sweep about 1 s later).
    /// Initial rows are not marked; Add marks added, Parameter marks changed with the
    /// changed columns. Signals are emitted at endBatch().
    void apply(const platform::ChangeRecord &record)
    {
        using platform::ChangeKind;
        switch (record.change) {
        case ChangeKind::Initial:
        case ChangeKind::Add:
            if (const RowT *after = std::get_if<RowT>(&record.after))
                upsert(*after, record.change == ChangeKind::Initial ? ChangeNone : ChangeAdded, 0);
            break;
        case ChangeKind::Parameter: {
            const RowT *after = std::get_if<RowT>(&record.after);
            if (!after)
                break;
            int row = -1;
            if (const RowT *before = std::get_if<RowT>(&record.before)) {
                const RowKey oldKey = rowKey(*before);
                row = findRow(oldKey, RowKeyHash {}(oldKey));
                if (row >= 0) {
                    const RowKey newKey = rowKey(*after);
                    if (!(newKey == oldKey)) {
                        eraseKey(oldKey);
                        m_rows.assign(std::size_t(row), *after); // the index confirms keys from the rows
                        rowsWritten();
                        rowStored(*after);
                        insertKey(newKey, row);
                        markRow(row, ChangeChanged, columnsForFields(record.changedFields));
                        break;
                    }
                }
            }
            if (row < 0) {
                upsert(*after, ChangeChanged, columnsForFields(record.changedFields));
                break;
            }
            m_rows.assign(std::size_t(row), *after);
            rowsWritten();
            rowStored(*after);
            markRow(row, ChangeChanged, columnsForFields(record.changedFields));
            break;
        }
        case ChangeKind::Delete:
        case ChangeKind::Expired:
            if (const RowT *before = std::get_if<RowT>(&record.row())) {
                const RowKey key = rowKey(*before);
                const int row = findRow(key, RowKeyHash {}(key));
                if (row >= 0)
                    markRow(row, ChangeDeleted, 0);
            }
            break;
        default: break;
        }
    }

protected:
    static const platform::FieldInfo<RowT> &columnInfo(int column)
    {
        return platform::fieldInfos<RowT>[platform::columnFields<RowT>[std::size_t(column)]];
    }
    /// Calls f(std::integral_constant<std::size_t, I>) with the index I of column's field, so
    /// that f can use that field's functions as constants.
    template<typename F> static void withColumnField(int column, F &&f)
    {
        const std::size_t wanted = platform::columnFields<RowT>[std::size_t(column)];
        platform::fielddetail::forEachIndex<RowT>([&](auto field) {
            if (decltype(field)::value == wanted)
                f(field);
        });
    }
    /// Called with each row that enters the table: added or changed (before it is stored),
    /// or swapped in (swapRows(); swapPrepared() calls it only with the rows rowNeedsNote()
    /// names).
    virtual void rowStored(const RowT &) { }
    /// Whether a table's rowStored() looks at this row: rows with an expiry (the Routes'
    /// countdown).
    static bool rowNeedsNote(const RowT &row)
    {
        if constexpr (requires { row.expiresUs; })
            return row.expiresUs != 0;
        else
            return false;
    }
    /// Columns after the described ones (a table's own, e.g. the Entities' "Registered at").
    virtual int extraColumns() const { return 0; }
    virtual QVariant extraHeader(int) const { return {}; }

    /// Display and tool tip: the cell text (interface names for interface columns); SortRole:
    /// for number columns the number shown (the largest qint64 when none: "forever", ""),
    /// else the text.
    QVariant cellData(int row, int column, int role) const override
    {
        if (column < 0 || column >= kFieldColumns)
            return {};
        if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
            return {};
        if (isUnknownColumn(column))
            return QString();
        const platform::FieldInfo<RowT> &info = columnInfo(column);
        QString text;
        const RowT &r = decoded(Cell, row);
        if (info.has(platform::InterfaceIndexes)) {
            IfIndexes ifs;
            ifs.read(info, r);
            text = names(ifs);
        } else {
            std::string utf8;
            cellText(info, r, utf8);
            text = qs(utf8);
        }
        if (role == SortRole && info.has(platform::NumberColumn)) {
            qsizetype digits = 0;
            while (digits < text.size() && text.at(digits).isDigit())
                ++digits;
            return digits ? QVariant(QStringView(text).left(digits).toLongLong())
                          : QVariant(std::numeric_limits<qint64>::max());
        }
        return text;
    }
    bool isNumberColumn(int column) const override
    {
        return column >= 0 && column < kFieldColumns && columnInfo(column).has(platform::NumberColumn);
    }
    /// Bit per column that shows one of the fields in mask: its own, and those it is
    /// markedBy (description).
    quint32 columnsForFields(platform::FieldMask mask) const
    {
        quint32 columns = 0;
        for (int c = 0; c < kFieldColumns; ++c) {
            if (mask & platform::columnMarks<RowT>[std::size_t(c)])
                columns |= 1u << unsigned(c);
        }
        return columns;
    }
    /// Name of an interface, "if N" without names.
    QString interfaceName(quint32 ifIndex) const
    {
        return m_names ? m_names->name(ifIndex, m_namesNetns) : QStringLiteral("if %1").arg(ifIndex);
    }

    void eraseRows(int first, int last) override
    {
        // The sweep erases ranges last first, so rows [first, last] still have their own
        // numbers in the index (only rows after an erased range are renumbered, by
        // reindexFrom() once all ranges are gone): their entries are found by row number.
        for (int row = first; row <= last; ++row)
            eraseRowEntry(row);
        m_rows.erase(std::size_t(first), std::size_t(last) + 1);
        rowsWritten();
        m_erased.push_back({first, last});
    }
    void reindexFrom(int first) override
    {
        std::vector<std::pair<int, int>> erased;
        erased.swap(m_erased);
        if (m_index.size() != m_rows.size()) {
            rebuildIndex(); // rows without an entry (records with duplicate keys)
            return;
        }
        const std::size_t from = std::min(m_rows.size(), std::size_t(std::max(first, 0)));
        const std::size_t moved = m_rows.size() - from;
        if (moved == 0)
            return;
        m_reindexedKeys += moved;
        if (moved * 16 >= m_index.capacity() && !erased.empty()) {
            // Many rows moved: one pass over the index slots. Entries of the erased rows are
            // gone; every other entry still holds its number from before the sweep, and its
            // new number is that less the erased rows before it (no row decoded or hashed).
            std::sort(erased.begin(), erased.end());
            std::vector<int> starts(erased.size());
            std::vector<std::uint32_t> before(erased.size() + 1, 0); // erased rows in ranges [0, k)
            for (std::size_t k = 0; k < erased.size(); ++k) {
                starts[k] = erased[k].first;
                before[k + 1] = before[k] + std::uint32_t(erased[k].second - erased[k].first + 1);
            }
            m_index.forEach([&](std::uint32_t slot, std::uint32_t row) {
                if (row < std::uint32_t(first))
                    return;
                const std::size_t k
                    = std::size_t(std::lower_bound(starts.begin(), starts.end(), int(row)) - starts.begin());
                m_index.setValue(slot, row - before[k]);
            });
            return;
        }
        // Few rows moved: each row's entry is found by its key (one decode and hash each).
        // Each row from `first` on still has an entry under its own hash with its old
        // (larger) number; entries store only (hash, row), so any such stale entry of the
        // same hash may take the new number. Two passes, so a renumbered entry is never
        // taken again within this call.
        std::vector<std::uint32_t> claimed;
        claimed.reserve(moved);
        RowT &r = threadRow(Probe);
        for (std::size_t i = from; i < m_rows.size(); ++i) {
            m_rows.decode(i, r);
            const std::uint32_t slot = m_index.find(RowKeyHash {}(rowKey(r)), [first](std::uint32_t row) {
                return row != kClaimed && row >= std::uint32_t(first);
            });
            if (slot == platform::HashIndex::npos) {
                rebuildIndex(); // not expected: an entry went missing; start over from the rows
                return;
            }
            m_index.setValue(slot, kClaimed);
            claimed.push_back(slot);
        }
        for (std::size_t k = 0; k < claimed.size(); ++k)
            m_index.setValue(claimed[k], std::uint32_t(from + k));
    }
    void clearRows() override
    {
        m_rows.clear();
        rowsWritten();
        m_index.clear();
        m_erased.clear();
    }

    /// The rows in their compact form (see the top of this file).
    platform::PackedRows<RowT> m_rows;

private:
    /// Decode buffers, one per use and thread (rowContains and compareRows run on the
    /// proxy's threads too): rows are decoded into them without an allocation per row.
    enum RowBuffer { Probe, Rebuild, Cell, Scan, CompareLeft, CompareRight, RowBufferCount };
    struct Decoded {
        RowT row;
        quint64 generation = 0; // m_rowsGeneration when decoded (0: nothing held)
        int index = -1;
    };
    static Decoded &threadBuffer(RowBuffer which)
    {
        thread_local std::array<Decoded, RowBufferCount> rows;
        return rows[std::size_t(which)];
    }
    static RowT &threadRow(RowBuffer which) { return threadBuffer(which).row; }
    /// Row i of rows decoded into this thread's buffer `which`, which decoded() then no
    /// longer takes for any table's row.
    static const RowT &decodeInto(RowBuffer which, const platform::PackedRows<RowT> &rows, std::size_t i)
    {
        Decoded &d = threadBuffer(which);
        rows.decode(i, d.row);
        d.generation = 0;
        return d.row;
    }
    /// Row `row` decoded into a buffer that keeps it while the rows are not written: cells
    /// of one row and comparisons against the same row (a sorted insert's binary search)
    /// decode it once.
    const RowT &decoded(RowBuffer which, int row) const
    {
        Decoded &d = threadBuffer(which);
        if (d.generation != m_rowsGeneration || d.index != row) {
            m_rows.decode(std::size_t(row), d.row);
            d.generation = m_rowsGeneration;
            d.index = row;
        }
        return d.row;
    }
    /// After every write to m_rows: buffers decoded before are stale. Generations are
    /// unique across tables, so a buffer never mistakes another table's row for this one's.
    void rowsWritten() { m_rowsGeneration = s_rowsGenerations.fetch_add(1, std::memory_order_relaxed) + 1; }
    static inline std::atomic<quint64> s_rowsGenerations {0};
    quint64 m_rowsGeneration = s_rowsGenerations.fetch_add(1, std::memory_order_relaxed) + 1;

    /// The interface indexes a cell shows (the first few; more are rare).
    struct IfIndexes {
        std::array<std::uint32_t, 8> values {};
        std::size_t count = 0;
        std::vector<std::uint32_t> more; // all of them, when more than values holds
        void read(const platform::FieldInfo<RowT> &info, const RowT &r)
        {
            count = info.ifIndexes(r, values.data(), values.size());
            if (count > values.size()) {
                more.resize(count);
                info.ifIndexes(r, more.data(), count);
            }
        }
        std::uint32_t at(std::size_t i) const { return count > values.size() ? more[i] : values[i]; }
        friend bool operator==(const IfIndexes &a, const IfIndexes &b)
        {
            if (a.count != b.count)
                return false;
            for (std::size_t i = 0; i < a.count; ++i)
                if (a.at(i) != b.at(i))
                    return false;
            return true;
        }
    };
    QString names(const IfIndexes &ifs) const
    {
        QString text;
        for (std::size_t i = 0; i < ifs.count; ++i) {
            if (ifs.at(i) == 0)
                continue;
            if (!text.isEmpty())
                text += QStringLiteral(", ");
            text += interfaceName(ifs.at(i));
        }
        return text;
    }
    static void cellText(const platform::FieldInfo<RowT> &info, const RowT &r, std::string &out)
    {
        (info.cell ? info.cell : info.text)(out, r);
    }
    /// True when text contains the lower-case needle, ignoring case (ASCII in place; other
    /// text through QString).
    static bool containsIgnoringCase(std::string &text, const Needle &needle)
    {
        bool ascii = true;
        for (char &c : text) {
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
            else if (static_cast<unsigned char>(c) >= 0x80)
                ascii = false;
        }
        if (ascii)
            return text.find(needle.lowerUtf8) != std::string::npos;
        return QString::fromUtf8(text.data(), qsizetype(text.size())).contains(needle.text, Qt::CaseInsensitive);
    }
    // How the scan matches one column.
    struct Plan {
        enum Kind : quint8 { Small, Keyed, Text, Interfaces } kind = Text;
        bool plainText = false; // charset text: no case folding
        int column = 0;
        const platform::FieldInfo<RowT> *info = nullptr;
        typename platform::FieldInfo<RowT>::Text text = nullptr; // the cell text
        platform::FieldMask reads = platform::kAnyField; // the fields the cell reads
        int first = 0, end = 0; // reads lie in fields [first, end)
        std::uint32_t headMask = 0; // their header bits
        bool cidr = false; // platform::CidrText: IPv4 cells written from the compact bytes
        std::uint32_t familyShift = 0; // CidrText: the address family's header bits
    };
    /// The lower-case needle as the scan compares it to short texts written into a char
    /// buffer: its first (up to) eight bytes as a word, compared at each position.
    struct ShortNeedle {
        std::string text;
        std::uint64_t head = 0, mask = 0; // text's first min(8, size) bytes, as loaded from memory

        void set(std::string_view lower)
        {
            text = lower;
            const std::size_t n = std::min<std::size_t>(8, lower.size());
            std::array<char, 8> bytes {};
            std::memcpy(bytes.data(), lower.data(), n);
            std::memcpy(&head, bytes.data(), 8);
            std::memset(bytes.data(), 0xff, n);
            std::memset(bytes.data() + n, 0, 8 - n);
            std::memcpy(&mask, bytes.data(), 8);
        }
        /// Whether the size characters at t hold the needle; 7 bytes after them must be
        /// readable (their values do not matter).
        Q_ALWAYS_INLINE bool in(const char *t, std::size_t size) const
        {
            const std::size_t n = text.size();
            if (n > size)
                return false;
            for (std::size_t i = 0; i + n <= size; ++i) {
                std::uint64_t w;
                std::memcpy(&w, t + i, 8);
                if ((w & mask) == head && (n <= 8 || std::memcmp(t + i + 8, text.data() + 8, n - 8) == 0))
                    return true;
            }
            return false;
        }
    };
    // Bytes of a column's fields (and of a row's other fields) a scan remembers.
    static constexpr std::size_t kMemoBytes = 64;
    static constexpr std::size_t kRowMemoBytes = 64;
    /// Answers per value (names, interfaces), per thread and filter pass: no shared state is
    /// written while several threads scan.
    struct ScanCache {
        quint64 generation = 0;
        const void *owner = nullptr;
        std::vector<signed char> byIfIndex; // ifindex < 65536
        struct Last {
            quint64 key = 0;
            bool valid = false;
            bool found = false;
            quint32 hits = 0;
            quint32 misses = 0;
        };
        std::array<Last, std::max(kFieldColumns, 1)> last; // per column: the last exact key met
        std::array<bool, std::max(kFieldColumns, 1)> textOnly; // the key hardly repeats
        std::string text;
        std::array<char, 64> chars {}; // a CidrText cell (ShortNeedle::in() reads 7 bytes after it)
        /// Per planned column (packedRowContains()): the bytes of fields [first, end) and
        /// the header bits of the fields it reads, in the last two rows with other bytes it
        /// was matched on (rows alternating between two next hops...), and the answers.
        struct Memo {
            struct Seen {
                std::array<std::uint8_t, kMemoBytes + 8> bytes {}; // + 8: sameBytes() reads words
                std::uint32_t length = 0;
                std::uint32_t head = 0;
                bool valid = false;
                bool found = false;
            };
            std::array<Seen, 2> seen {};
            quint8 next = 0; // the entry a miss replaces
            bool off = false; // the bytes hardly repeat: not compared
            quint32 hits = 0;
            quint32 misses = 0;
        };
        std::array<Memo, std::max(kFieldColumns, 1)> memo;
        /// The columns matched on every row (bits by plan index), the fields [a, b) they
        /// skip, and the record's bytes outside them (and its header bits) in the last row
        /// whose other columns were matched, with the answer of those other columns.
        struct RowMemo {
            quint32 everyRow = 0; // 0: no row memo
            int a = 0, b = 0;
            int walk = 0; // fields [0, walk) hold those the every-row columns read
            std::uint32_t headMask = 0;
            std::array<std::uint8_t, kRowMemoBytes + 8> bytes {};
            std::uint32_t before = 0, after = 0; // bytes before field a, from field b on
            std::uint32_t head = 0;
            bool valid = false;
            bool found = false;
        };
        RowMemo rowMemo;
        bool replan = false; // a column's memo went off: planRowMemo()
        RowT row; // the fields decoded by packedRowContains()
    };

    ScanCache &scanCache(const Needle &needle) const
    {
        thread_local ScanCache cache;
        if (cache.generation != needle.generation || cache.owner != this) {
            cache.generation = needle.generation;
            cache.owner = this;
            cache.byIfIndex.clear();
            cache.last.fill({});
            cache.textOnly.fill(false);
            cache.memo.fill({});
            cache.rowMemo = {};
            cache.replan = false;
        }
        return cache;
    }
    /// n bytes at a equal those at b, compared eight at a time: up to 7 bytes after each
    /// must be readable (PackedRows::kReadSlack, the memos' 8 extra bytes). Called a few
    /// times per row: inlined.
    Q_ALWAYS_INLINE static bool sameBytes(const std::uint8_t *a, const std::uint8_t *b, std::size_t n)
    {
        for (; n >= 8; n -= 8, a += 8, b += 8) {
            std::uint64_t x, y;
            std::memcpy(&x, a, 8);
            std::memcpy(&y, b, 8);
            if (x != y)
                return false;
        }
        if (n == 0)
            return true;
        std::uint64_t x, y;
        std::memcpy(&x, a, 8);
        std::memcpy(&y, b, 8);
        const std::uint64_t low = (std::uint64_t(1) << (8 * n)) - 1; // the first n bytes in memory
        const std::uint64_t mask = std::endian::native == std::endian::little ? low : ~(~std::uint64_t(0) >> (8 * n));
        return ((x ^ y) & mask) == 0;
    }
    /// rowContains() when every planned column names the fields it reads: the record's
    /// fields are located, not decoded; a column whose fields have the same bytes as in one
    /// of the last two rows it was matched on has the same answer; otherwise only its fields
    /// are decoded (into a row whose other members are stale) and its cell matched as
    /// rowContains() does. Once some columns' fields hardly repeat (destinations), the
    /// other columns are answered for the whole row at once while the record's other bytes
    /// repeat (RowMemo).
    bool packedRowContains(int row, const Needle &needle) const
    {
        ScanCache &cache = scanCache(needle);
        const std::string_view record = m_rows.bytes(std::size_t(row));
        const auto *p = reinterpret_cast<const std::uint8_t *>(record.data());
        const std::uint8_t *end = p + record.size();
        platform::FieldLayout<RowT> layout;
        typename ScanCache::RowMemo &memo = cache.rowMemo;
        if (!memo.everyRow) {
            platform::locateFields(p, layout);
            const bool found = columnsContain(layout, ~quint32(0), needle, cache);
            if (cache.replan)
                planRowMemo(cache);
            return found;
        }
        platform::locateFields(p, layout, std::size_t(memo.walk));
        const std::uint8_t *first = layout.at[0];
        const std::uint8_t *rest = layout.at[std::size_t(memo.b)];
        const std::size_t before = std::size_t(layout.at[std::size_t(memo.a)] - first);
        const std::size_t after = std::size_t(end - rest);
        const std::uint32_t head = layout.head & memo.headMask;
        if (memo.valid && memo.before == before && memo.after == after && memo.head == head
            && sameBytes(first, memo.bytes.data(), before) && sameBytes(rest, memo.bytes.data() + before, after)) {
            const bool found = memo.found || columnsContain(layout, memo.everyRow, needle, cache);
            if (cache.replan)
                planRowMemo(cache);
            return found;
        }
        platform::locateFields(p, layout);
        const bool others = columnsContain(layout, ~memo.everyRow, needle, cache);
        if (before + after <= kRowMemoBytes) {
            std::memcpy(memo.bytes.data(), first, before);
            std::memcpy(memo.bytes.data() + before, rest, after);
            memo.before = std::uint32_t(before);
            memo.after = std::uint32_t(after);
            memo.head = head;
            memo.found = others;
            memo.valid = true;
        }
        const bool found = others || columnsContain(layout, memo.everyRow, needle, cache);
        if (cache.replan)
            planRowMemo(cache);
        return found;
    }
    /// Whether the planned columns in `columns` (bits by plan index) match the row located
    /// in layout (packedRowContains()).
    bool columnsContain(const platform::FieldLayout<RowT> &layout, quint32 columns, const Needle &needle,
                        ScanCache &cache) const
    {
        RowT &r = cache.row;
        platform::FieldMask decoded = 0;
        for (int k = 0; k < m_match.columns; ++k) {
            if (!(columns & (quint32(1) << k)))
                continue;
            const Plan &plan = m_match.plan[std::size_t(k)];
            typename ScanCache::Memo &memo = cache.memo[std::size_t(k)];
            const std::uint8_t *from = layout.at[std::size_t(plan.first)];
            const std::size_t length = std::size_t(layout.at[std::size_t(plan.end)] - from);
            const std::uint32_t head = layout.head & plan.headMask;
            const bool remember = !memo.off && length <= kMemoBytes;
            if (remember) {
                const auto same = [&](const typename ScanCache::Memo::Seen &seen) {
                    return seen.valid && seen.length == length && seen.head == head
                        && sameBytes(from, seen.bytes.data(), length);
                };
                const int hit = same(memo.seen[0]) ? 0 : same(memo.seen[1]) ? 1 : -1;
                if (hit >= 0) {
                    ++memo.hits;
                    if (memo.seen[std::size_t(hit)].found)
                        return true;
                    continue;
                }
            }
            bool found = false;
            if (plan.cidr && ((layout.head >> plan.familyShift) & 3) == std::uint32_t(platform::Family::IPv4)) {
                // appendCidr()'s text of an IPv4 address, written from its 4 bytes and the
                // prefix length's byte without decoding them.
                char *t = cache.chars.data();
                char *e = platform::fielddetail::writeIpv4(t, layout.at[std::size_t(plan.first)]);
                *e++ = '/';
                e = platform::fielddetail::writeOctet(e, *layout.at[std::size_t(plan.first) + 1]);
                found = m_match.needle.in(t, std::size_t(e - t));
            } else {
                if (const platform::FieldMask need = plan.reads & ~decoded) {
                    platform::decodeFields(layout, need, r);
                    decoded |= need;
                }
                switch (plan.kind) {
                case Plan::Small: {
                    const int v = plan.info->small(r);
                    found = v >= 0 ? m_match.values[std::size_t(k)][std::size_t(v)]
                                   : textContains(plan, r, needle, cache);
                    break;
                }
                case Plan::Interfaces: found = interfacesContain(*plan.info, r, needle, cache); break;
                case Plan::Keyed:
                case Plan::Text: found = textContains(plan, r, needle, cache); break;
                }
            }
            if (remember) {
                typename ScanCache::Memo::Seen &seen = memo.seen[memo.next];
                memo.next ^= 1;
                std::memcpy(seen.bytes.data(), from, length);
                seen.length = std::uint32_t(length);
                seen.head = head;
                seen.valid = true;
                seen.found = found;
                if (++memo.misses > 256 && memo.hits < memo.misses / 4) {
                    memo.off = true; // fields that hardly repeat (destinations): match the text
                    cache.replan = true;
                }
            }
            if (found)
                return true;
        }
        return false;
    }
    /// The columns matched on every row: those whose fields hardly repeat (Memo::off), and
    /// those that read a field between their first and last field; the row memo compares
    /// the record's bytes outside those fields.
    void planRowMemo(ScanCache &cache) const
    {
        cache.replan = false;
        typename ScanCache::RowMemo &memo = cache.rowMemo;
        memo = {};
        int a = int(platform::fieldCount<RowT>), b = 0;
        for (int k = 0; k < m_match.columns; ++k) {
            const Plan &plan = m_match.plan[std::size_t(k)];
            if (cache.memo[std::size_t(k)].off) {
                memo.everyRow |= quint32(1) << k;
                a = std::min(a, plan.first);
                b = std::max(b, plan.end);
            }
        }
        if (!memo.everyRow)
            return;
        const platform::FieldMask span = platform::FieldMask((std::uint64_t(1) << b) - (std::uint64_t(1) << a));
        memo.a = a;
        memo.b = b;
        memo.walk = b;
        for (int k = 0; k < m_match.columns; ++k) {
            const Plan &plan = m_match.plan[std::size_t(k)];
            if (plan.reads & span) {
                memo.everyRow |= quint32(1) << k;
                memo.walk = std::max(memo.walk, plan.end);
            }
        }
        memo.headMask = ~platform::headBitsOf<RowT>(span);
    }

    bool textContains(const Plan &plan, const RowT &r, const Needle &needle, ScanCache &cache) const
    {
        cache.text.clear();
        plan.text(cache.text, r);
        if (cache.text.size() < needle.lowerUtf8.size())
            return false;
        // A text of charset characters (digits, lower-case hex, punctuation) needs no case folding.
        return plan.plainText ? cache.text.find(needle.lowerUtf8) != std::string::npos
                              : containsIgnoringCase(cache.text, needle);
    }
    bool interfacesContain(const platform::FieldInfo<RowT> &info, const RowT &r, const Needle &needle,
                           ScanCache &cache) const
    {
        IfIndexes ifs;
        ifs.read(info, r);
        if (ifs.count == 1 && ifs.values[0] < 65536) {
            const std::uint32_t ifIndex = ifs.values[0];
            if (cache.byIfIndex.size() <= ifIndex)
                cache.byIfIndex.resize(ifIndex + 1, -1);
            signed char &known = cache.byIfIndex[ifIndex];
            if (known < 0)
                known = interfaceName(ifIndex).contains(needle.text, Qt::CaseInsensitive) ? 1 : 0;
            return known == 1;
        }
        return ifs.count > 0 && names(ifs).contains(needle.text, Qt::CaseInsensitive);
    }
    template<typename Text, typename Compare>
    void rankTexts(const std::vector<Text> &texts, const std::vector<qint32> &textOf, std::vector<SortKey> &keys,
                   Compare compare) const
    {
        std::vector<quint32> order(texts.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = quint32(i);
        std::sort(order.begin(), order.end(), [&](quint32 a, quint32 b) { return compare(texts[a], texts[b]) < 0; });
        std::vector<quint32> ranks(texts.size());
        quint32 rank = 0;
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (i > 0 && compare(texts[order[i - 1]], texts[order[i]]) != 0)
                ++rank;
            ranks[order[i]] = rank;
        }
        for (std::size_t i = 0; i < textOf.size(); ++i)
            keys[i] = SortKey {ranks[std::size_t(textOf[i])], quint32(i), 1};
    }

    const InterfaceNames *m_names;
    quint32 m_namesNetns = 0;
    quint32 m_unknownColumns = 0; ///< bit per column whose field the rows do not hold (setKnownFields)
    // Per-needle answers, written by prepareContains() on the GUI thread, read by the scan.
    struct Match {
        quint64 generation = 0;
        bool prepared = false;
        int columns = 0; // the columns to look at, in plan[]: those that can hold the needle
        std::array<Plan, std::max(kFieldColumns, 1)> plan {};
        std::array<std::array<bool, 256>, std::max(kFieldColumns, 1)> values {}; // Small plans' answers
        bool packed = false; // every planned column names its fields: packedRowContains()
        ShortNeedle needle; // the needle's lowerUtf8
    };
    mutable Match m_match;

    void upsert(const RowT &row, ChangeState state, quint32 columns)
    {
        const RowKey key = rowKey(row);
        const int index = findRow(key, RowKeyHash {}(key));
        rowStored(row);
        if (index >= 0) {
            m_rows.assign(std::size_t(index), row);
            rowsWritten();
            if (state == ChangeNone && storedState(index) == ChangeDeleted)
                markRow(index, ChangeAdded, 0); // deleted, then back before the sweep
            else if (state == ChangeNone)
                touchRow(index);
            else
                markRow(index, state, columns);
            return;
        }
        m_rows.push_back(row);
        rowsWritten();
        const int added = appendRowMark(state, columns);
        insertKey(key, added);
    }

    // --- the index: row numbers by the hash of their RowKey (platform::HashIndex) --------
    /// Row of key, or -1. Confirms a hash match by the key of the stored row.
    int findRow(const RowKey &key, std::size_t fullHash) const
    {
        const std::uint32_t slot = m_index.find(fullHash, [&](std::uint32_t row) { return storedKey(row) == key; });
        return slot == platform::HashIndex::npos ? -1 : int(m_index.value(slot));
    }
    /// Points key at row (replacing the entry of an equal key). Row `row` may still hold
    /// another row; other entries' rows must be current.
    void insertKey(const RowKey &key, int row) { insertKey(key, RowKeyHash {}(key), row); }
    void insertKey(const RowKey &key, std::size_t hash, int row) { insertKeyInto(m_rows, m_index, key, hash, row); }
    static void insertKeyInto(const platform::PackedRows<RowT> &rows, platform::HashIndex &index, const RowKey &key,
                              std::size_t hash, int row)
    {
        const std::uint32_t slot = index.find(
            hash, [&](std::uint32_t held) { return held == std::uint32_t(row) || keyOf(rows, held) == key; });
        if (slot != platform::HashIndex::npos)
            index.setValue(slot, std::uint32_t(row)); // an equal key: it now names this row
        else
            index.insert(hash, std::uint32_t(row));
    }
    void eraseKey(const RowKey &key)
    {
        const std::uint32_t slot
            = m_index.find(RowKeyHash {}(key), [&](std::uint32_t row) { return storedKey(row) == key; });
        if (slot != platform::HashIndex::npos)
            m_index.erase(slot);
    }

    /// Removes the entry naming row `row` (the row's key is not compared: other entries may
    /// name rows that have moved).
    void eraseRowEntry(int row)
    {
        const std::uint32_t slot = m_index.find(RowKeyHash {}(storedKey(std::uint32_t(row))),
                                                [row](std::uint32_t held) { return held == std::uint32_t(row); });
        if (slot != platform::HashIndex::npos)
            m_index.erase(slot);
    }
    /// Every entry again from the rows.
    void rebuildIndex()
    {
        m_reindexedKeys += m_rows.size();
        buildIndex(m_rows, m_index, [this](const RowT &r) { rowStored(r); });
    }
    /// index: every row of rows by its key (emptied first); stored(row) sees each row. Any
    /// thread (its own rows and index).
    /// The index is far larger than the caches at a million rows: each row's key is taken
    /// kAhead rows before it goes in, and its slot loaded meanwhile, so that the misses overlap.
    template<typename Stored>
    static void buildIndex(const platform::PackedRows<RowT> &rows, platform::HashIndex &index, Stored stored)
    {
        const std::size_t n = rows.size();
        index.clear(false);
        index.reserve(n); // no growth (nor its incremental move) while building
        constexpr std::size_t kAhead = 8;
        std::array<RowKey, kAhead> keys;
        std::array<std::size_t, kAhead> hashes {};
        RowT &r = threadRow(Rebuild);
        const auto load = [&](std::size_t i) {
            rows.decode(i, r);
            stored(r);
            RowKey &key = keys[i % kAhead];
            key = rowKey(r);
            hashes[i % kAhead] = RowKeyHash {}(key);
            index.prefetch(hashes[i % kAhead]);
        };
        for (std::size_t i = 0; i < std::min(kAhead, n); ++i)
            load(i);
        for (std::size_t i = 0; i < n; ++i) {
            const RowKey key = keys[i % kAhead];
            const std::size_t hash = hashes[i % kAhead];
            if (i + kAhead < n)
                load(i + kAhead);
            insertKeyInto(rows, index, key, hash, int(i));
        }
    }

    /// The key of stored row `row`.
    RowKey storedKey(std::uint32_t row) const { return keyOf(m_rows, row); }
    static RowKey keyOf(const platform::PackedRows<RowT> &rows, std::uint32_t row)
    {
        RowT &r = threadRow(Probe);
        rows.decode(row, r);
        return rowKey(r);
    }

    static constexpr std::uint32_t kClaimed = platform::HashIndex::npos - 1; // inside reindexFrom() only
    platform::HashIndex m_index;
    std::vector<std::pair<int, int>> m_erased; // ranges erased by the sweep, until reindexFrom()
    quint64 m_reindexedKeys = 0;
};

} // namespace ncv
