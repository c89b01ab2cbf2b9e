// KeyedTableModel<RowT>: row storage for a live table — the platform rows in a vector,
// a RowKey -> row index hash (O(1) updates), and the record classification shared by
// the interface, address and route tables. GUI thread only.
#pragma once

#include "changetablemodel.h"
#include "rowkey.h"
#include "types.h"

#include <unordered_map>
#include <variant>
#include <vector>

namespace ncv {

template<typename RowT> class KeyedTableModel : public ChangeTableModel {
public:
    using ChangeTableModel::ChangeTableModel;

    /// The row at `row` (0 <= row < rowCount()). For a deleted row, its last state.
    const RowT &rowAt(int row) const { return m_rows[std::size_t(row)]; }
    /// Row index of the object with key `key`, or -1.
    int indexOf(const RowKey &key) const
    {
        const auto it = m_index.find(key);
        return it == m_index.end() || it->second >= publishedRowCount() ? -1 : it->second;
    }
    int indexOf(const RowT &keyRow) const { return indexOf(rowKey(keyRow)); }

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
                const auto it = m_index.find(oldKey);
                if (it != m_index.end()) {
                    row = it->second;
                    const RowKey newKey = rowKey(*after);
                    if (!(newKey == oldKey)) {
                        m_index.erase(it);
                        m_index[newKey] = row;
                    }
                }
            }
            if (row < 0) {
                upsert(*after, ChangeChanged, columnsForFields(record.changedFields));
                break;
            }
            m_rows[std::size_t(row)] = *after;
            markRow(row, ChangeChanged, columnsForFields(record.changedFields));
            break;
        }
        case ChangeKind::Delete:
        case ChangeKind::Expired:
            if (const RowT *before = std::get_if<RowT>(&record.row())) {
                const auto it = m_index.find(rowKey(*before));
                if (it != m_index.end())
                    markRow(it->second, ChangeDeleted, 0);
            }
            break;
        default: break;
        }
    }

protected:
    /// Bit per Column that shows one of the fields in mask (platform::fieldBit values).
    virtual quint32 columnsForFields(platform::FieldMask mask) const = 0;

    void eraseRows(int first, int last) override
    {
        for (int i = first; i <= last; ++i)
            m_index.erase(rowKey(m_rows[std::size_t(i)]));
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
    }
    void reindexFrom(int first) override
    {
        for (std::size_t i = std::size_t(first); i < m_rows.size(); ++i)
            m_index[rowKey(m_rows[i])] = int(i);
    }
    void clearRows() override
    {
        m_rows.clear();
        m_index.clear();
    }

    std::vector<RowT> m_rows;

private:
    void upsert(const RowT &row, ChangeState state, quint32 columns)
    {
        const RowKey key = rowKey(row);
        const auto it = m_index.find(key);
        if (it != m_index.end()) {
            const int index = it->second;
            m_rows[std::size_t(index)] = row;
            if (state == ChangeNone && storedState(index) == ChangeDeleted)
                markRow(index, ChangeAdded, 0); // deleted, then back before the sweep
            else if (state == ChangeNone)
                touchRow(index);
            else
                markRow(index, state, columns);
            return;
        }
        m_rows.push_back(row);
        const int index = appendRowMark(state, columns);
        m_index.emplace(key, index);
    }

    std::unordered_map<RowKey, int, RowKeyHash> m_index;
};

} // namespace ncv
