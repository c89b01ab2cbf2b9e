// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/statediffdialog.h"

#include "platform/format.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ncv {

namespace {

QString utcTime(qint64 us)
{
    return QDateTime::fromSecsSinceEpoch(us / 1'000'000, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"))
        + QStringLiteral(".%1").arg(us % 1'000'000, 6, 10, QLatin1Char('0'));
}

QColor kindColor(StateChange::Kind kind)
{
    switch (kind) {
    case StateChange::Added: return QColor(0xd8, 0xf0, 0xd8);
    case StateChange::Removed: return QColor(0xe6, 0xe6, 0xe6);
    case StateChange::Changed: return QColor(0xfc, 0xeb, 0xc4);
    }
    return QColor();
}

/// The whole change as text: its field changes, then both rows (a side that does not exist
/// is left out).
QString changeText(const StateChange &c, platform::KnownFields known)
{
    QStringList lines;
    lines << QStringLiteral("%1 %2 %3")
                 .arg(stateChangeKindName(c.kind), QString::fromLatin1(platform::objectName(c.object)),
                      stateChangeKey(c));
    if (const QString changes = stateChangeChanges(c, known); !changes.isEmpty())
        lines << changes.split(QStringLiteral("; "));
    if (const QString before = stateChangeBefore(c, known); !before.isEmpty())
        lines << StateDiffDialog::tr("Before: %1").arg(before);
    if (const QString after = stateChangeAfter(c, known); !after.isEmpty())
        lines << StateDiffDialog::tr("After: %1").arg(after);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

StateDiffDialog::StateDiffDialog(std::vector<StateChange> changes, qint64 fromUs, qint64 toUs,
                                 platform::KnownFields known, QWidget *parent)
    : QDialog(parent), m_changes(std::move(changes)), m_fromUs(fromUs), m_toUs(toUs), m_known(known)
{
    setObjectName(QStringLiteral("stateDiffDialog"));
    setWindowTitle(tr("Changes between two moments"));
    int counts[3] = {0, 0, 0};
    for (const StateChange &c : m_changes)
        ++counts[c.kind];
    m_summary = new QLabel(tr("From %1 to %2 UTC: %3 added, %4 removed, %5 changed")
                               .arg(utcTime(fromUs), utcTime(toUs))
                               .arg(counts[StateChange::Added])
                               .arg(counts[StateChange::Removed])
                               .arg(counts[StateChange::Changed]),
                           this);
    m_summary->setObjectName(QStringLiteral("stateDiffSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_table = new QTableWidget(int(m_changes.size()), ColumnCount, this);
    m_table->setObjectName(QStringLiteral("stateDiffTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("Change"), tr("Object"), tr("Key"), tr("Changed fields"), tr("Before"), tr("After")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    int row = 0;
    for (const StateChange &c : m_changes) {
        const QString cells[ColumnCount] = {stateChangeKindName(c.kind),
                                            QString::fromLatin1(platform::objectName(c.object)),
                                            stateChangeKey(c),
                                            stateChangeFields(c),
                                            stateChangeBeforeBrief(c, m_known),
                                            stateChangeAfterBrief(c, m_known)};
        // Rich text: Qt wraps it to the screen, where a long plain line would run off it.
        const QString tip = QStringLiteral("<p style='white-space:pre-wrap'>%1</p>")
                                .arg(changeText(c, m_known).toHtmlEscaped().replace(u'\n', QStringLiteral("<br>")));
        for (int col = 0; col < ColumnCount; ++col) {
            auto *item = new QTableWidgetItem(cells[col]);
            item->setToolTip(tip);
            item->setBackground(kindColor(c.kind));
            item->setForeground(QColor(Qt::black));
            if (c.kind == StateChange::Removed) {
                QFont f = item->font();
                f.setStrikeOut(col == Key);
                item->setFont(f);
            }
            m_table->setItem(row, col, item);
        }
        ++row;
    }
    m_table->resizeColumnsToContents();
    for (int col = 0; col < ColumnCount; ++col)
        m_table->setColumnWidth(col, std::min(m_table->columnWidth(col), 420));
    m_table->horizontalHeader()->setStretchLastSection(true);

    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("stateDiffDetails"));
    m_details->setReadOnly(true);
    m_details->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_details->setPlaceholderText(tr("Select a change to see it in full"));
    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int current) { showDetails(current); });
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    if (!m_changes.empty())
        m_table->setCurrentCell(0, 0);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_exportButton = buttons->addButton(tr("Export as CSV..."), QDialogButtonBox::ActionRole);
    m_exportButton->setObjectName(QStringLiteral("stateDiffExport"));
    connect(m_exportButton, &QPushButton::clicked, this, &StateDiffDialog::exportWithDialog);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
    layout->addWidget(buttons);
    resize(1000, 480);
}

void StateDiffDialog::showDetails(int row)
{
    if (row < 0 || std::size_t(row) >= m_changes.size()) {
        m_details->clear();
        return;
    }
    m_details->setPlainText(changeText(m_changes[std::size_t(row)], m_known));
}

bool StateDiffDialog::exportCsv(const QString &path, QString *error) const
{
    QSaveFile file(path);
    const QByteArray data = stateDiffCsv(m_changes, m_fromUs, m_toUs, m_known);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

void StateDiffDialog::exportWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Changes as CSV"),
                                                      QDir::home().filePath(QStringLiteral("netchangeview-diff.csv")),
                                                      tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace ncv
