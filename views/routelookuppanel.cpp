// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/routelookuppanel.h"

#include "model/notificationmodel.h"
#include "model/recording/recordingexport.h"
#include "model/recording/recordingreader.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/nexthoptablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/ruletablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "model/timecursor.h"
#include "platform/format.h"
#include "views/tablespage.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScopeGuard>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>

#include <cerrno>
#include <limits>
#include <map>

namespace ncv {

using platform::RouteAnswer;

namespace {

enum Column {
    TimeColumn,
    OutcomeColumn,
    RouteColumn,
    ViaColumn,
    DevColumn,
    TableColumn,
    RuleColumn,
    CauseColumn,
    ColumnCount
};

constexpr int kCopyRole = Qt::UserRole + 1; // a cell's text for Copy when it differs from the shown one

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

// "unicast 10.0.0.0/24 via 10.0.0.1 dev v0", "unreachable (rule 100)", "no route".
QString answerText(const recording::LookupChange &c, const QString &hops)
{
    const RouteAnswer &a = c.answer;
    QString text = qs(c.outcome);
    if (a.hasRoute)
        text += QLatin1Char(' ') + qs(c.route);
    if (!hops.isEmpty())
        text += QLatin1Char(' ') + hops;
    return text;
}

QString hopsText(const recording::LookupChange &c)
{
    const QStringList gateways = qs(c.gateway).split(QLatin1Char(';'));
    const QStringList devices = qs(c.ifName).split(QLatin1Char(';'));
    if (c.ifName.empty() && c.gateway.empty())
        return {};
    QStringList hops;
    for (qsizetype i = 0; i < std::max(gateways.size(), devices.size()); ++i) {
        QStringList parts;
        if (i < gateways.size() && !gateways.at(i).isEmpty())
            parts << QStringLiteral("via ") + gateways.at(i);
        if (i < devices.size() && !devices.at(i).isEmpty())
            parts << QStringLiteral("dev ") + devices.at(i);
        hops << parts.join(QLatin1Char(' '));
    }
    return hops.join(QStringLiteral("; "));
}

} // namespace

RouteLookupPanel::RouteLookupPanel(TablesPage *tables, QWidget *parent)
    : QWidget(parent), m_tables(tables), m_history(this, [this](HistoryResult &r) { onHistoryRead(r); })
{
    setObjectName(QStringLiteral("routeLookupPanel"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const auto edit = [this](const QString &name, const QString &placeholder, const QString &tip) {
        auto *e = new QLineEdit(this);
        e->setObjectName(name);
        e->setPlaceholderText(placeholder);
        e->setToolTip(tip);
        e->setClearButtonEnabled(true);
        connect(e, &QLineEdit::textEdited, this, [this] { m_typingTimer.start(); });
        connect(e, &QLineEdit::returnPressed, this, &RouteLookupPanel::applyInputs);
        return e;
    };
    m_destination = edit(QStringLiteral("lookupDestination"), tr("e.g. 10.0.0.5 or 2001:db8::1"),
                         tr("The destination address looked up (as `ip route get ADDRESS`)"));
    m_source = edit(QStringLiteral("lookupSource"), tr("optional"), tr("The source address (`from`), same family"));
    m_fwmark = edit(QStringLiteral("lookupFwmark"), tr("optional: decimal or 0x hex"),
                    tr("The packet's firewall mark (`mark`), 32 bits"));
    m_iif = edit(QStringLiteral("lookupIif"), tr("optional: e.g. eth0"),
                 tr("The input interface (`iif`): a packet arriving there instead of one sent from this host"));
    form->addRow(tr("&Destination:"), m_destination);
    form->addRow(tr("&From:"), m_source);
    form->addRow(tr("&Mark:"), m_fwmark);
    form->addRow(tr("&Input interface:"), m_iif);
    layout->addLayout(form);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("lookupError"));
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->setWordWrap(true);
    m_error->hide();
    layout->addWidget(m_error);

    m_momentLabel = new QLabel(this);
    m_momentLabel->setObjectName(QStringLiteral("lookupMoment"));
    QFont bold = m_momentLabel->font();
    bold.setBold(true);
    m_momentLabel->setFont(bold);
    layout->addWidget(m_momentLabel);
    m_answerLabel = new QLabel(this);
    m_answerLabel->setObjectName(QStringLiteral("lookupAnswer"));
    m_answerLabel->setWordWrap(true);
    m_answerLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_answerLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    m_answerLabel->setFont(big);
    layout->addWidget(m_answerLabel);
    m_detailLabel = new QLabel(this);
    m_detailLabel->setObjectName(QStringLiteral("lookupDetail"));
    m_detailLabel->setWordWrap(true);
    m_detailLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_detailLabel);

    auto *overTime = new QLabel(tr("Over time"), this);
    overTime->setFont(bold);
    layout->addSpacing(6);
    layout->addWidget(overTime);
    auto *statusRow = new QHBoxLayout;
    m_historyStatus = new QLabel(this);
    m_historyStatus->setObjectName(QStringLiteral("lookupHistoryStatus"));
    m_historyStatus->setWordWrap(true);
    statusRow->addWidget(m_historyStatus, 1);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(120);
    m_progress->setTextVisible(false);
    m_progress->hide();
    statusRow->addWidget(m_progress);
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->hide();
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        m_history.cancel();
        m_fullReadRunning = false;
        m_continueAfterRead = false;
        m_tracker = {};
        m_progressTimer.stop();
        m_progress->hide();
        m_cancel->hide();
        m_historyStatus->setText(tr("Reading the changes was cancelled."));
    });
    statusRow->addWidget(m_cancel);
    layout->addLayout(statusRow);

    m_changesModel = new QStandardItemModel(0, ColumnCount, this);
    m_changesModel->setHorizontalHeaderLabels(
        {tr("Time (UTC)"), tr("Outcome"), tr("Route"), tr("Via"), tr("Dev"), tr("Table"), tr("Rule"), tr("Cause")});
    m_changesView = new QTableView(this);
    m_changesView->setObjectName(QStringLiteral("lookupChanges"));
    m_changesView->setModel(m_changesModel);
    m_changesView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_changesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_changesView->setSortingEnabled(false); // time order is the point
    m_changesView->verticalHeader()->hide();
    m_changesView->horizontalHeader()->setStretchLastSection(true);
    m_changesView->setWordWrap(false);
    // Cause (the longest text, last) takes the width the other columns leave (fitColumns()),
    // elided when it does not fit: every cell's tooltip holds the whole change.
    m_changesView->setTextElideMode(Qt::ElideRight);
    m_changesView->verticalHeader()->setDefaultSectionSize(m_changesView->fontMetrics().height() + 6);
    m_changesView->setToolTip(tr("Each change of the answer; click one to show the tables at that moment. "
                                 "Ctrl+C copies the selected rows."));
    m_changesView->installEventFilter(this);
    connect(m_changesView, &QTableView::clicked, this, [this](const QModelIndex &index) {
        Q_EMIT momentActivated(m_changesModel->index(index.row(), TimeColumn).data(Qt::UserRole).toLongLong());
    });
    connect(m_changesView, &QTableView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT momentActivated(m_changesModel->index(index.row(), TimeColumn).data(Qt::UserRole).toLongLong());
    });
    layout->addWidget(m_changesView, 1);

    auto *buttons = new QHBoxLayout;
    m_refresh = new QPushButton(tr("&Refresh"), this);
    m_refresh->setToolTip(tr("Read the changes from the recording again"));
    connect(m_refresh, &QPushButton::clicked, this, &RouteLookupPanel::refreshHistory);
    m_export = new QPushButton(tr("Export CSV…"), this);
    m_export->setObjectName(QStringLiteral("lookupExport"));
    m_export->setToolTip(
        tr("Write the changes as `netchangeview --headless FILE --lookup ADDRESS --export-csv OUT` does"));
    m_export->setEnabled(false);
    connect(m_export, &QPushButton::clicked, this, &RouteLookupPanel::exportWithDialog);
    buttons->addWidget(m_refresh);
    buttons->addStretch(1);
    buttons->addWidget(m_export);
    layout->addLayout(buttons);

    m_typingTimer.setSingleShot(true);
    m_typingTimer.setInterval(kTypingDelayMs);
    connect(&m_typingTimer, &QTimer::timeout, this, &RouteLookupPanel::applyInputs);
    m_answerTimer.setSingleShot(true);
    m_answerTimer.setInterval(kThrottleMs);
    connect(&m_answerTimer, &QTimer::timeout, this, &RouteLookupPanel::computeAnswer);
    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, [this] {
        if (m_progressValue)
            m_progress->setValue(m_progressValue->load());
    });

    connect(m_tables, &TablesPage::modelShown, this, [this](NotificationModel *model) {
        watchModel(model);
        computeAnswer();
    });
    watchModel(m_tables->model());
    applyInputs();
}

RouteLookupPanel::~RouteLookupPanel() = default;

QSize RouteLookupPanel::sizeHint() const
{
    // Wide enough for the changes' time, outcome, route, gateway, device, table and rule
    // columns and the start of their cause (the rest elided, whole in the tooltips).
    return {std::max(QWidget::sizeHint().width(), fontMetrics().horizontalAdvance(QLatin1Char('x')) * 92),
            QWidget::sizeHint().height()};
}

void RouteLookupPanel::setHistoryProvider(HistoryProvider provider)
{
    m_historyProvider = std::move(provider);
    refreshHistory();
}

void RouteLookupPanel::setMomentProvider(std::function<QString()> provider)
{
    m_momentProvider = std::move(provider);
    computeAnswer();
}

void RouteLookupPanel::watchModel(NotificationModel *model)
{
    for (const QMetaObject::Connection &c : std::as_const(m_modelConnections))
        disconnect(c);
    m_modelConnections.clear();
    m_model = model;
    if (!model)
        return;
    // The routes through m_covering (only a change of a route covering the destination);
    // the other tables are short, any change of theirs asks for the answer again.
    m_modelConnections << connect(&m_covering, &CoveringRoutes::changed, this, &RouteLookupPanel::scheduleAnswer);
    const QList<QAbstractItemModel *> tables {model->rules(), model->nexthops(), model->interfaces()};
    for (QAbstractItemModel *t : tables) {
        m_modelConnections << connect(t, &QAbstractItemModel::rowsInserted, this, &RouteLookupPanel::scheduleAnswer)
                           << connect(t, &QAbstractItemModel::rowsRemoved, this, &RouteLookupPanel::scheduleAnswer)
                           << connect(t, &QAbstractItemModel::dataChanged, this, &RouteLookupPanel::scheduleAnswer)
                           << connect(t, &QAbstractItemModel::modelReset, this, &RouteLookupPanel::scheduleAnswer)
                           << connect(t, &QAbstractItemModel::layoutChanged, this, &RouteLookupPanel::scheduleAnswer);
    }
}

void RouteLookupPanel::scheduleAnswer()
{
    if (!isVisible()) {
        m_stale = true; // a hidden panel costs nothing; it looks up when shown
        return;
    }
    if (!m_answerTimer.isActive())
        m_answerTimer.start(); // a throttle, not a debounce: a steady stream still updates
}

bool RouteLookupPanel::parseInputs(platform::RouteQuery *query, QString *error) const
{
    *query = {};
    recording::RouteQueryText text;
    text.destination = m_destination->text().trimmed();
    if (text.destination.isEmpty()) {
        *error = QString(); // nothing to look up yet: no error
        return false;
    }
    text.source = m_source->text().trimmed();
    text.fwmark = m_fwmark->text().trimmed();
    text.inputInterface = m_iif->text().trimmed();
    recording::RouteQueryField field = recording::RouteQueryField::None;
    QString why;
    if (recording::parseRouteQuery(text, query, &field, &why))
        return true;
    switch (field) {
    case recording::RouteQueryField::Source: *error = tr("From “%1” %2.").arg(text.source, why); break;
    case recording::RouteQueryField::Fwmark: *error = tr("Mark “%1” %2.").arg(text.fwmark, why); break;
    case recording::RouteQueryField::InputInterface:
        *error = tr("Input interface “%1” %2.").arg(text.inputInterface, why);
        break;
    case recording::RouteQueryField::Destination:
    case recording::RouteQueryField::None: *error = tr("Destination “%1” %2.").arg(text.destination, why); break;
    }
    return false;
}

void RouteLookupPanel::applyInputs()
{
    m_typingTimer.stop();
    platform::RouteQuery query;
    QString error;
    m_valid = parseInputs(&query, &error);
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_query = query;
    m_hasAnswer = false; // the answer of another query: not a change
    refreshHistory();
    computeAnswer();
}

QString RouteLookupPanel::nextHopsText() const
{
    return m_hasAnswer ? hopsText(m_answer) : QString();
}

void RouteLookupPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        computeAnswer();
}

void RouteLookupPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    // Hidden, the panel follows no route change (not even the rows a batch touched); it
    // reads the covering routes again when shown.
    m_covering.watch(nullptr, {});
    m_stale = true;
}

void RouteLookupPanel::computeAnswer()
{
    m_answerTimer.stop();
    m_stale = false;
    QElapsedTimer took;
    took.start();
    // A lookup reads the covering routes, the rules and the interfaces: should those grow
    // long, at most a fifth of the time.
    const auto throttle
        = qScopeGuard([&] { m_answerTimer.setInterval(int(std::max<qint64>(kThrottleMs, 4 * took.elapsed()))); });
    m_momentLabel->setText(m_momentProvider ? m_momentProvider() : tr("Now"));
    const bool had = m_hasAnswer;
    const recording::LookupChange before = m_answer;
    m_hasAnswer = false;
    if (!m_valid || !m_model) {
        m_covering.watch(nullptr, {});
        m_answerLabel->setText(m_destination->text().trimmed().isEmpty()
                                   ? tr("Type a destination address to see the route it takes.")
                                   : QString());
        m_detailLabel->clear();
        return;
    }
    using namespace platform;
    const Family family = m_query.destination.family;
    // Only the routes covering the destination, kept by m_covering from the table's changes:
    // the whole table is read once per destination, table or reset, not at each answer.
    RouteTableModel *routeTable = m_model->routes();
    if (m_covering.table() != routeTable || !(m_covering.destination() == m_query.destination))
        m_covering.watch(routeTable, m_query.destination);
    const std::vector<RouteRow> routes = m_covering.routes();
    std::vector<PolicyRule> rules;
    RuleTableModel *ruleTable = m_model->rules();
    ruleTable->forEachRow([&](int row, const RuleRow &r) {
        if (ruleTable->changeState(row) != ChangeDeleted && r.family == family)
            rules.push_back(policyRuleOf(r));
    });
    // Tables without rules (a recording made before they were recorded, Windows): the
    // kernel's defaults, as lookupHistory() does.
    if (rules.empty())
        rules = defaultPolicyRules(family);
    // The nexthop objects only when a covering route goes through one (a table of them can
    // be long too).
    NexthopObjects nexthops;
    if (std::any_of(routes.begin(), routes.end(), [](const RouteRow &r) { return r.nhId != 0; })) {
        NexthopTableModel *nexthopTable = m_model->nexthops();
        nexthopTable->forEachRow([&](int row, const NexthopRow &h) {
            if (nexthopTable->changeState(row) != ChangeDeleted)
                nexthops.insert_or_assign(h.id, h);
        });
    }
    std::map<std::uint32_t, std::string> names;
    InterfaceTableModel *interfaceTable = m_model->interfaces();
    interfaceTable->forEachRow([&](int row, const InterfaceRow &i) {
        if (interfaceTable->changeState(row) != ChangeDeleted)
            names[i.ifIndex] = i.name;
    });
    m_answer = {};
    m_answer.answer = lookupRoute(m_query, routes, rules, nexthops.empty() ? nullptr : &nexthops);
    recording::describeAnswer(m_answer, names);
    m_hasAnswer = true;

    const RouteAnswer &a = m_answer.answer;
    m_answerLabel->setText(answerText(m_answer, hopsText(m_answer)));
    QStringList details;
    if (a.hasRoute)
        details << tr("table %1").arg(qs(m_answer.table));
    if (a.hasRule)
        details << tr("rule %1").arg(qs(m_answer.rule));
    if (a.hasRoute)
        details << tr("metric %1").arg(qs(m_answer.metric));
    switch (a.error()) {
    case 0: break;
    case ENETUNREACH: details << tr("`ip route get`: Network is unreachable"); break;
    case EHOSTUNREACH: details << tr("`ip route get`: No route to host"); break;
    case EINVAL: details << tr("`ip route get`: Invalid argument"); break;
    case EACCES: details << tr("`ip route get`: Permission denied"); break;
    default: details << tr("`ip route get`: error %1").arg(a.error()); break;
    }
    m_detailLabel->setText(details.join(QStringLiteral(" · ")));

    // The live window's history grows with the answer's changes; a recording's does not,
    // but a namespace switched to reads another one.
    const bool changed = !had || !before.answer.sameChoice(a);
    const HistorySource source = m_historyProvider ? m_historyProvider() : HistorySource {};
    const QString key = source.path + QLatin1Char('#') + QString::number(source.netns);
    if (key != m_lastSourceKey)
        refreshHistory();
    else if (had && changed && source.live)
        continueHistory();
}

void RouteLookupPanel::refreshHistory()
{
    const HistorySource source = m_historyProvider ? m_historyProvider() : HistorySource {};
    m_lastSourceKey = source.path + QLatin1Char('#') + QString::number(source.netns);
    if (!m_valid || source.path.isEmpty()) {
        m_history.cancel();
        m_fullReadRunning = false;
        m_continueAfterRead = false;
        m_tracker = {};
        m_progressTimer.stop();
        m_progress->hide();
        m_cancel->hide();
        m_changes.clear();
        showChanges();
        if (!m_valid)
            m_historyStatus->clear();
        else
            m_historyStatus->setText(source.why.isEmpty()
                                         ? tr("No recording to read the changes from.")
                                         : tr("No recording to read the changes from: %1.").arg(source.why));
        return;
    }
    auto progress = std::make_shared<std::atomic<int>>(0);
    m_progressValue = progress;
    m_changesQuery = m_query;
    m_tracker = {};
    m_trackerKey.clear();
    m_fullReadRunning = true;
    m_continueAfterRead = false;
    ++m_fullReads;
    // Worker thread (QThreadPool): touches only what it captured.
    m_history.start([source, query = m_query, progress](const std::atomic<bool> &cancelled) {
        HistoryResult result;
        recording::RecordingReader reader;
        if (!openForHistory(source, cancelled, &reader, &result))
            return result;
        // lookupHistory() over the whole file, keeping its pass to go on with.
        result.ok = result.tracker.begin(reader, query, reader.info().startUs,
                                         TimeCursor::fileNamespace(reader, source.netns), &result.error, &cancelled)
            && result.tracker.read(reader, std::numeric_limits<std::int64_t>::max(), &result.error, &cancelled,
                                   progress.get());
        if (result.ok)
            result.changes = result.tracker.changes();
        return result;
    });
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    m_progressTimer.start();
    m_historyStatus->setText(tr("Reading the changes…"));
}

bool RouteLookupPanel::openForHistory(const HistorySource &source, const std::atomic<bool> &cancelled,
                                      recording::RecordingReader *reader, HistoryResult *result)
{
    if (source.waitCommitted)
        source.waitCommitted(cancelled); // on a timeout: what the file has
    if (cancelled.load() || !reader->open(source.path, &result->error))
        return false;
    result->nanoseconds = reader->info().nanosecondTimes();
    return true;
}

void RouteLookupPanel::continueHistory()
{
    const HistorySource source = m_historyProvider ? m_historyProvider() : HistorySource {};
    const QString key = source.path + QLatin1Char('#') + QString::number(source.netns);
    if (m_fullReadRunning) {
        // The read running may have opened the file before the events of this change: go on
        // from its pass once it is done.
        m_continueAfterRead = true;
        return;
    }
    const recording::LookupTracker &tracker = m_tracker;
    if (!m_valid || source.path.isEmpty() || !tracker.isValid() || key != m_trackerKey || !tracker.query()
        || tracker.query()->destination != m_query.destination || tracker.query()->source != m_query.source
        || tracker.query()->fwmark != m_query.fwmark || tracker.query()->inputInterface != m_query.inputInterface) {
        refreshHistory();
        return;
    }
    ++m_incrementalReads;
    // Worker thread (QThreadPool): touches only what it captured (its own copy of the pass:
    // a newer request cancels this one and starts again from m_tracker).
    m_history.start([source, tracker = m_tracker](const std::atomic<bool> &cancelled) mutable {
        HistoryResult result;
        result.incremental = true;
        recording::RecordingReader reader;
        if (!openForHistory(source, cancelled, &reader, &result))
            return result;
        result.ok = tracker.read(reader, std::numeric_limits<std::int64_t>::max(), &result.error, &cancelled);
        if (result.ok) {
            result.changes = tracker.changes();
            result.tracker = std::move(tracker);
        }
        return result;
    });
}

void RouteLookupPanel::onHistoryRead(HistoryResult &result)
{
    const bool wasFull = !result.incremental;
    if (wasFull)
        m_fullReadRunning = false;
    if (result.incremental && result.ok) {
        // Only new rows: no progress bar was shown, the rows already there stay.
        m_tracker = std::move(result.tracker);
        m_changes = std::move(result.changes);
        showChanges();
        updateHistoryStatus();
        return;
    }
    m_progressTimer.stop();
    m_progress->hide();
    m_cancel->hide();
    if (!result.ok) {
        m_tracker = {};
        m_changes.clear();
        showChanges();
        m_historyStatus->setText(tr("Cannot read the changes: %1").arg(result.error));
        return;
    }
    m_tracker = std::move(result.tracker);
    m_trackerKey = m_lastSourceKey;
    m_changes = std::move(result.changes);
    m_changesNanoseconds = result.nanoseconds;
    showChanges();
    updateHistoryStatus();
    if (std::exchange(m_continueAfterRead, false))
        continueHistory();
}

void RouteLookupPanel::updateHistoryStatus()
{
    const int n = int(m_changes.size()) - 1;
    const QString since = m_changes.empty()
        ? QString()
        : QLocale::c().toString(QDateTime::fromMSecsSinceEpoch(m_changes.front().timeUs / 1000, QTimeZone::utc()),
                                QStringLiteral("yyyy-MM-dd hh:mm:ss 'UTC'"));
    m_historyStatus->setText(tr("%n change(s) since %1 (the first row: the answer then)", nullptr, n).arg(since));
}

void RouteLookupPanel::showChanges()
{
    // The change selected stays selected when the changes are read again.
    const QModelIndexList selected = m_changesView->selectionModel()->selectedRows(TimeColumn);
    const QVariant selectedUs = selected.isEmpty() ? QVariant() : selected.constFirst().data(Qt::UserRole);
    m_changesModel->removeRows(0, m_changesModel->rowCount());
    QList<qint64> times;
    QStringList texts;
    const QString destination = qs(platform::toString(m_changesQuery.destination));
    for (const recording::LookupChange &c : m_changes) {
        QList<QStandardItem *> row;
        // The time of day in the table (the day is in the status line and the tooltip); the
        // whole ISO time as the CSV has it for Copy.
        const QString iso = recording::isoTime(c.timeUs, m_changesNanoseconds, c.timeSubUsNs);
        const QString time = iso.mid(11).chopped(1);
        auto *timeItem = new QStandardItem(time);
        timeItem->setData(qint64(c.timeUs), Qt::UserRole);
        timeItem->setData(iso, kCopyRole);
        row << timeItem << new QStandardItem(qs(c.outcome)) << new QStandardItem(qs(c.route))
            << new QStandardItem(qs(c.gateway)) << new QStandardItem(qs(c.ifName)) << new QStandardItem(qs(c.table))
            << new QStandardItem(qs(c.rule)) << new QStandardItem(qs(c.cause));
        const QString line = tr("%1 → %2 at %3: %4").arg(destination, answerText(c, hopsText(c)), time, qs(c.cause));
        for (QStandardItem *item : row)
            item->setToolTip(line);
        m_changesModel->appendRow(row);
        times << qint64(c.timeUs);
        texts << line;
    }
    fitColumns();
    if (selectedUs.isValid()) {
        const QModelIndexList again = m_changesModel->match(m_changesModel->index(0, TimeColumn), Qt::UserRole,
                                                            selectedUs, 1, Qt::MatchExactly);
        if (!again.isEmpty())
            m_changesView->selectRow(again.constFirst().row());
    }
    m_export->setEnabled(!m_changes.empty());
    Q_EMIT changesRead(times, texts);
}

void RouteLookupPanel::fitColumns()
{
    // The short columns fit their contents; Cause gets the rest of the view's width (at least
    // a readable part of it), not its whole text's width pushed out of sight to the right.
    m_changesView->resizeColumnsToContents();
    QHeaderView *header = m_changesView->horizontalHeader();
    const int x = m_changesView->fontMetrics().horizontalAdvance(QLatin1Char('x'));
    // A long route or gateway list (IPv6, multipath) is capped too: its tooltip has it all.
    for (int c = 0; c < CauseColumn; ++c)
        header->resizeSection(c, std::min(header->sectionSize(c), 34 * x));
    int others = 0;
    for (int c = 0; c < CauseColumn; ++c)
        others += header->sectionSize(c);
    header->resizeSection(CauseColumn, std::max(m_changesView->viewport()->width() - others, 24 * x));
}

void RouteLookupPanel::copyChanges()
{
    QList<int> rows;
    for (const QModelIndex &index : m_changesView->selectionModel()->selectedRows())
        rows << index.row();
    std::sort(rows.begin(), rows.end());
    if (rows.isEmpty())
        for (int r = 0; r < m_changesModel->rowCount(); ++r)
            rows << r;
    QStringList lines;
    QStringList header;
    for (int c = 0; c < ColumnCount; ++c)
        header << m_changesModel->headerData(c, Qt::Horizontal).toString();
    lines << header.join(QLatin1Char('\t'));
    for (int r : std::as_const(rows)) {
        QStringList cells;
        for (int c = 0; c < ColumnCount; ++c) {
            const QModelIndex index = m_changesModel->index(r, c);
            const QVariant full = index.data(kCopyRole);
            cells << (full.isValid() ? full : index.data()).toString().replace(QLatin1Char('\t'), QLatin1Char(' '));
        }
        lines << cells.join(QLatin1Char('\t'));
    }
    QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
}

bool RouteLookupPanel::exportCsv(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QByteArray buffer = QByteArray(recording::kLookupHeaderLine) + "\r\n";
    for (const recording::LookupChange &c : m_changes)
        buffer += recording::lookupCsvLine(m_changesQuery, c, m_changesNanoseconds);
    if (file.write(buffer) != buffer.size() || !file.commit()) {
        *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void RouteLookupPanel::exportWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Route Lookup"), QStringLiteral("lookup-%1.csv").arg(m_destination->text().trimmed()),
        tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export Route Lookup"), error);
}

bool RouteLookupPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_changesView && event->type() == QEvent::Resize)
        QTimer::singleShot(0, this, &RouteLookupPanel::fitColumns); // once the viewport has its new width
    if (watched == m_changesView) {
        // The window's own Ctrl+C copies its tables: the changes table takes it first.
        if (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) {
            auto *key = static_cast<QKeyEvent *>(event);
            if (key->matches(QKeySequence::Copy)) {
                event->accept();
                if (event->type() == QEvent::KeyPress)
                    copyChanges();
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace ncv
