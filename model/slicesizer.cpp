// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/slicesizer.h"

#include <algorithm>

namespace ncv {

SliceSizer::SliceSizer(double budgetMs, std::size_t minRecords, std::size_t maxRecords)
    : m_budgetNs(std::max(0.0, budgetMs) * 1e6), m_min(std::max<std::size_t>(1, minRecords)),
      m_max(std::max(m_min, maxRecords))
{ }

std::size_t SliceSizer::next() const
{
    const double n = m_budgetNs / m_nsPerRecord;
    if (n <= double(m_min))
        return m_min;
    if (n >= double(m_max))
        return m_max;
    return std::size_t(n);
}

void SliceSizer::record(std::size_t records, qint64 ns)
{
    if (records == 0 || ns <= 0)
        return;
    const double measured = double(ns) / double(std::max(records, m_min));
    if (measured >= m_nsPerRecord)
        m_nsPerRecord = measured; // slower: believed at once
    else
        m_nsPerRecord = (m_nsPerRecord + measured) / 2; // faster: averaged in
}

void SliceSizer::setBudgetMs(double ms)
{
    m_budgetNs = std::max(0.0, ms) * 1e6;
}

} // namespace ncv
