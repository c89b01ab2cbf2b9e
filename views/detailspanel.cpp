// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/detailspanel.h"

#include "model/modeltext.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "platform/rowfields.h"
#include "views/rowstatedelegate.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace ncv {

namespace {

QString timeText(qint64 timeUs, bool nanoseconds, std::uint16_t subUsNs)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(timeUs / 1000);
    QString text = t.toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"))
        + QString::number(timeUs % 1000).rightJustified(3, QLatin1Char('0'));
    if (nanoseconds)
        text += QString::number(std::min<unsigned>(subUsNs, 999)).rightJustified(3, QLatin1Char('0'));
    return text;
}

} // namespace

DetailsPanel::DetailsPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("detailsPanel"));
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("detailsTitle"));
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_subtitle = new QLabel(this);
    m_subtitle->setWordWrap(true);
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_notice = new QLabel(this);
    m_notice->setObjectName(QStringLiteral("detailsNotice"));
    m_notice->setWordWrap(true);
    m_notice->setAutoFillBackground(true);
    m_notice->setMargin(4);
    m_notice->hide();

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("detailsTable"));
    m_table->setHorizontalHeaderLabels({tr("Field"), tr("Before"), tr("After")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(FieldColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(BeforeColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(AfterColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);
    layout->addWidget(m_notice);
    layout->addWidget(m_table, 1);
    layout->addStretch(0); // takes the room when the table is hidden (a gap has no fields)
    clear();
}

void DetailsPanel::clear()
{
    m_title->setText(tr("No event selected"));
    m_subtitle->setText(tr("Select an event in the event log to see its fields before and after the change."));
    m_table->setRowCount(0);
    m_notice->hide();
    m_table->show();
    m_table->setColumnHidden(BeforeColumn, false);
    m_table->setColumnHidden(AfterColumn, false);
}

void DetailsPanel::showRecord(const platform::ChangeRecord &record, quint64 sequence, const QString &ifName,
                              platform::KnownFields known, bool nanoseconds)
{
    using namespace ncv::platform;
    const std::string name = ifName.toStdString();
    m_title->setText(tr("#%1  %2").arg(sequence).arg(qs(summary(record, name))));
    QString sub = tr("%1 · %2 %3 · %4 · %5")
                      .arg(timeText(record.timeUs, nanoseconds, record.timeSubUsNs), qs(changeName(record.change)),
                           qs(platform::objectName(record.object)), qs(familyName(record.family)),
                           qs(originName(record.origin)));
    if (record.netns != 0) {
        // ifindex and interface names are per namespace: say whose they are, with the
        // inode that `ls -l /proc/PID/ns/net` and `ip netns identify` show.
        const NetNamespace &ns = NamespaceTable::get(record.netns);
        sub += QLatin1Char('\n') + tr("Namespace: %1").arg(qs(ns.name));
        if (ns.inode != 0 && ns.name.find(std::to_string(ns.inode)) == std::string::npos)
            sub += tr(" · net:[%1]").arg(ns.inode);
    }
    if (record.change == ChangeKind::Parameter && record.changedFields != 0)
        sub += QLatin1Char('\n') + tr("Changed: %1").arg(qs(fieldList(record.object, record.changedFields, ", ")));
    if (!record.note.empty())
        sub += QLatin1Char('\n') + qs(record.note);
    if (record.requester != 0) {
        // Who asked: the process (and its command line and cgroup, which tell which service
        // or container it runs in), the kernel, or the cause of an inferred event.
        const Requester &who = RequesterTable::get(record.requester);
        QString by = tr("By: %1").arg(qs(requesterText(who)));
        if (who.kind != Requester::Kind::Cause)
            by += tr(" · netlink port id %1").arg(who.portId);
        if (who.kind == Requester::Kind::Exited)
            by += tr(" · exited before the change was read");
        sub += QLatin1Char('\n') + by;
        if (!who.commandLine.empty())
            sub += QLatin1Char('\n') + tr("Command line: %1").arg(qs(who.commandLine));
        if (!who.cgroup.empty())
            sub += QLatin1Char('\n') + tr("cgroup: %1").arg(qs(who.cgroup));
    }
    m_subtitle->setText(sub);

    QString notice;
    QColor noticeTint;
    const QColor panelBase = palette().color(QPalette::Base);
    if (record.object == ObjectKind::Gap || record.change == ChangeKind::Gap) {
        notice = tr("<b>Gap:</b> notifications were lost here (the receive queue overflowed). "
                    "The source dumps the tables again and reports the differences as inferred events.");
        noticeTint = QColor(0xd6, 0x27, 0x28);
    } else if (record.origin == Origin::Inferred) {
        notice = tr("<b><i>Inferred:</i></b> the OS did not report this change; NetChangeView derived it "
                    "(a resync after lost events, or a deletion the kernel makes silently).");
        noticeTint = QColor(0xf5, 0xa6, 0x23);
    }
    if (notice.isEmpty()) {
        m_notice->hide();
    } else {
        QPalette pal = m_notice->palette();
        const double k = panelBase.lightness() < 128 ? 0.35 : 0.25;
        const auto mix = [k](int a, int b) { return int(a * (1.0 - k) + b * k + 0.5); };
        pal.setColor(QPalette::Window,
                     QColor(mix(panelBase.red(), noticeTint.red()), mix(panelBase.green(), noticeTint.green()),
                            mix(panelBase.blue(), noticeTint.blue())));
        m_notice->setPalette(pal);
        m_notice->setText(notice);
        m_notice->show();
    }

    const bool hasBefore = !std::holds_alternative<std::monostate>(record.before);
    const bool hasAfter = !std::holds_alternative<std::monostate>(record.after);
    // ifName names the interface of record.row(): a side on another one (a route whose
    // first hop moved) keeps its ifindex in the fields that name the device.
    const auto nameOf = [&](const Row &row) {
        return rowIfIndex(row) == rowIfIndex(record.row()) ? std::string_view(name) : std::string_view();
    };
    const auto beforeFields = hasBefore ? fieldTexts(record.before, known, nameOf(record.before))
                                        : std::vector<std::pair<std::string, std::string>> {};
    const auto afterFields = hasAfter ? fieldTexts(record.after, known, nameOf(record.after))
                                      : std::vector<std::pair<std::string, std::string>> {};

    // Field names of the changed bits, as the description names them (fieldTexts uses the same).
    QSet<QString> changedNames;
    for (int f = 0; f < 32; ++f) {
        if (record.changedFields & (FieldMask(1) << f))
            changedNames.insert(qs(fieldName(record.object, f)));
    }

    // Rows in display order: the after row's order, then any field only before had.
    QStringList order;
    std::map<QString, QString> before;
    std::map<QString, QString> after;
    for (const auto &[key, text] : afterFields) {
        const QString k = qs(key);
        if (!after.count(k))
            order.append(k);
        after[k] = qs(text);
    }
    for (const auto &[key, text] : beforeFields) {
        const QString k = qs(key);
        if (!after.count(k) && !before.count(k))
            order.append(k);
        before[k] = qs(text);
    }

    const QColor base = m_table->palette().color(QPalette::Base);
    const QColor strong = RowStateDelegate::tint(RowStateDelegate::Changed, true, base);
    m_table->setRowCount(int(order.size()));
    for (int row = 0; row < order.size(); ++row) {
        const QString &key = order.at(row);
        const QString b = before.count(key) ? before[key] : QString();
        const QString a = after.count(key) ? after[key] : QString();
        const bool changed = changedNames.contains(key)
            || (hasBefore && hasAfter && record.change == ChangeKind::Parameter
                && before.count(key) != after.count(key));
        const QString cells[ColumnCount] = {key, b, a};
        for (int column = 0; column < ColumnCount; ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            item->setToolTip(cells[column]);
            if (changed) {
                QFont font = m_table->font();
                font.setBold(true);
                item->setFont(font);
                item->setBackground(strong);
            }
            m_table->setItem(row, column, item);
        }
    }
    m_table->setVisible(!order.isEmpty()); // a gap has no fields
    m_table->setColumnHidden(BeforeColumn, !hasBefore);
    m_table->setColumnHidden(AfterColumn, !hasAfter);
    m_table->setHorizontalHeaderItem(BeforeColumn, new QTableWidgetItem(hasAfter ? tr("Before") : tr("Value")));
    m_table->setHorizontalHeaderItem(AfterColumn, new QTableWidgetItem(hasBefore ? tr("After") : tr("Value")));
}

QStringList DetailsPanel::changedFieldNames() const
{
    QStringList names;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *item = m_table->item(row, FieldColumn);
        if (item && item->font().bold())
            names.append(item->text());
    }
    return names;
}

} // namespace ncv
