// SPDX-License-Identifier: GPL-2.0-or-later
// KeyedTableModel<RowT>: row storage for a live table — the platform rows in a vector,
// a RowKey -> row index hash (O(1) updates), and the record classification shared by
// the interface, address and route tables. GUI thread only.
// The index is an open-addressing table of (32-bit hash, row) slots, 8 bytes
// each, that recomputes a row's key from the row itself to confirm a match: ~16 bytes per
// row instead of a ~100-byte hash node holding a copy of the 61-byte key, and growing it
// moves slots without rehashing keys (no long stall at a million routes).
#pragma once

#include "model/tables/changetablemodel.h"
#include "model/tables/rowkey.h"
#include "platform/types.h"

#include <algorithm>
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
        const int row = findRow(key, RowKeyHash {}(key));
        return row >= publishedRowCount() ? -1 : row;
    }
    int indexOf(const RowT &keyRow) const { return indexOf(rowKey(keyRow)); }
    /// Keys hashed again to renumber their index entries after the sweep removed rows,
    /// since construction: the rows after the first removed one, never the whole table.
    /// For tests.
    quint64 reindexedKeyCount() const { return m_reindexedKeys; }

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
                        m_rows[std::size_t(row)] = *after; // the index confirms keys from the rows
                        insertKey(newKey, row);
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
    /// Bit per Column that shows one of the fields in mask (platform::fieldBit values).
    virtual quint32 columnsForFields(platform::FieldMask mask) const = 0;

    void eraseRows(int first, int last) override
    {
        // The sweep erases ranges last first, so rows [first, last] still have their own
        // numbers in the index (only rows after an erased range are renumbered, by
        // reindexFrom() once all ranges are gone): their entries are found by row number.
        for (int row = first; row <= last; ++row)
            eraseRowEntry(row);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
    }
    void reindexFrom(int first) override
    {
        // Rows before `first` kept their numbers and entries. Each row from `first` on still
        // has an entry under its own hash with its old (larger) number; entries store only
        // (hash, row), so any such stale entry of the same hash may take the new number.
        // Two passes, so a renumbered entry is never taken again within this call.
        if (m_count != m_rows.size()) {
            rebuildIndex(); // rows without an entry (records with duplicate keys)
            return;
        }
        const std::size_t from = std::min(m_rows.size(), std::size_t(std::max(first, 0)));
        std::vector<std::size_t> claimed;
        claimed.reserve(m_rows.size() - from);
        for (std::size_t i = from; i < m_rows.size(); ++i) {
            ++m_reindexedKeys;
            const std::size_t slot = findStaleEntry(quint32(RowKeyHash {}(rowKey(m_rows[i]))), first);
            if (slot == std::size_t(-1)) {
                rebuildIndex(); // not expected: an entry went missing; start over from the rows
                return;
            }
            m_slots[slot].row = kClaimed;
            claimed.push_back(slot);
        }
        for (std::size_t k = 0; k < claimed.size(); ++k)
            m_slots[claimed[k]].row = qint32(from + k);
    }
    void clearRows() override
    {
        m_rows.clear();
        m_slots.clear();
        m_slots.shrink_to_fit();
        m_used = 0;
        m_count = 0;
    }

    std::vector<RowT> m_rows;

private:
    void upsert(const RowT &row, ChangeState state, quint32 columns)
    {
        const RowKey key = rowKey(row);
        const int index = findRow(key, RowKeyHash {}(key));
        if (index >= 0) {
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
        const int added = appendRowMark(state, columns);
        insertKey(key, added);
    }

    // --- the index: open addressing, linear probing, tombstones -------------------------
    static constexpr qint32 kEmpty = -1;
    static constexpr qint32 kErased = -2;
    static constexpr qint32 kClaimed = -3; // inside reindexFrom() only
    struct Slot {
        quint32 hash = 0;
        qint32 row = kEmpty;
    };

    std::size_t mask() const { return m_slots.size() - 1; }
    /// Row of key, or -1. Confirms a hash match by the key of the stored row.
    int findRow(const RowKey &key, std::size_t fullHash) const
    {
        if (m_slots.empty())
            return -1;
        const quint32 h = quint32(fullHash);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            const Slot &slot = m_slots[i];
            if (slot.row == kEmpty)
                return -1;
            if (slot.row >= 0 && slot.hash == h && rowKey(m_rows[std::size_t(slot.row)]) == key)
                return slot.row;
        }
    }
    /// Points key at row (replacing the entry of an equal key). m_rows[row] may still
    /// hold another row; other entries' rows must be current.
    void insertKey(const RowKey &key, int row)
    {
        if ((m_used + 1) * 10 > m_slots.size() * 7)
            grow();
        const quint32 h = quint32(RowKeyHash {}(key));
        std::size_t reuse = std::size_t(-1);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot &slot = m_slots[i];
            if (slot.row == kEmpty) {
                if (reuse == std::size_t(-1)) {
                    reuse = i;
                    ++m_used;
                }
                m_slots[reuse] = Slot {h, row};
                ++m_count;
                return;
            }
            if (slot.row == kErased) {
                if (reuse == std::size_t(-1))
                    reuse = i;
                continue;
            }
            if (slot.hash == h && (slot.row == row || rowKey(m_rows[std::size_t(slot.row)]) == key)) {
                slot.row = row; // an equal key: it now names this row
                return;
            }
        }
    }
    void eraseKey(const RowKey &key)
    {
        if (m_slots.empty())
            return;
        const quint32 h = quint32(RowKeyHash {}(key));
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot &slot = m_slots[i];
            if (slot.row == kEmpty)
                return;
            if (slot.row >= 0 && slot.hash == h && rowKey(m_rows[std::size_t(slot.row)]) == key) {
                slot.row = kErased;
                --m_count;
                return;
            }
        }
    }
    /// Turns the entry naming row `row` into a tombstone (the row's key is not compared:
    /// other entries may name rows that have moved).
    void eraseRowEntry(int row)
    {
        if (m_slots.empty())
            return;
        const quint32 h = quint32(RowKeyHash {}(rowKey(m_rows[std::size_t(row)])));
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot &slot = m_slots[i];
            if (slot.row == kEmpty)
                return;
            if (slot.row == row && slot.hash == h) {
                slot.row = kErased;
                --m_count;
                return;
            }
        }
    }
    /// Slot of an entry with hash h that names a row >= first (a stale number), or -1.
    std::size_t findStaleEntry(quint32 h, int first) const
    {
        if (m_slots.empty())
            return std::size_t(-1);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            const Slot &slot = m_slots[i];
            if (slot.row == kEmpty)
                return std::size_t(-1);
            if (slot.hash == h && slot.row >= first)
                return i;
        }
    }
    /// Every entry again from the rows.
    void rebuildIndex()
    {
        m_slots.assign(m_slots.size(), Slot {});
        m_used = 0;
        m_count = 0;
        m_reindexedKeys += m_rows.size();
        for (std::size_t i = 0; i < m_rows.size(); ++i)
            insertKey(rowKey(m_rows[i]), int(i));
    }
    void grow()
    {
        // Live entries at most half full afterwards (tombstones are dropped).
        std::size_t size = 64;
        while ((m_count + 1) * 10 > size * 5)
            size *= 2;
        std::vector<Slot> old;
        old.swap(m_slots);
        m_slots.assign(size, Slot {});
        m_used = 0;
        for (const Slot &slot : old) {
            if (slot.row < 0)
                continue;
            std::size_t i = slot.hash & mask();
            while (m_slots[i].row != kEmpty)
                i = (i + 1) & mask();
            m_slots[i] = slot;
            ++m_used;
        }
    }

    std::vector<Slot> m_slots; // size: a power of two (or empty)
    std::size_t m_used = 0; // live + erased slots
    std::size_t m_count = 0; // live slots
    quint64 m_reindexedKeys = 0;
};

} // namespace ncv
