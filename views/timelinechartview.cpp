// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/timelinechartview.h"

#include "model/history/timelinebins.h"

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPainter>
#include <QRubberBand>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ncv {

using platform::ObjectKind;

TimelineChartView::TimelineChartView(QWidget *parent) : QChartView(parent)
{
    setObjectName(QStringLiteral("timelineChart"));
    setRubberBand(QChartView::NoRubberBand); // our own drag handling selects and zooms
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(140);
    setToolTip(tr("Drag to select a time range (filters the event log), wheel to zoom, "
                  "double click to follow the live edge"));

    auto *c = new QChart;
    c->setMargins(QMargins(4, 4, 4, 4));
    c->setBackgroundRoundness(0);
    c->legend()->hide(); // legendHtml(), in the title row
    c->setAnimationOptions(QChart::NoAnimation);

    m_axisX = new QDateTimeAxis(c);
    m_axisX->setFormat(QStringLiteral("hh:mm:ss"));
    m_axisX->setTickCount(7);
    m_axisX->setTitleText(QString());
    m_axisY = new QValueAxis(c);
    m_axisY->setLabelFormat(QStringLiteral("%d"));
    m_axisY->setRange(0, 4);
    m_axisY->setTickCount(5);
    m_axisY->setTitleText(tr("events"));
    c->addAxis(m_axisX, Qt::AlignBottom);
    c->addAxis(m_axisY, Qt::AlignLeft);

    // Gap bands first, so the count lines are drawn over them.
    m_gapBands = new QAreaSeries(c);
    m_gapBands->setObjectName(QStringLiteral("gapBands"));
    m_gapBands->setUpperSeries(new QLineSeries(m_gapBands));
    m_gapBands->setName(tr("gap (events lost)"));
    m_gapBands->setBrush(QColor(0xd6, 0x27, 0x28, 90));
    QPen bandPen(QColor(0xd6, 0x27, 0x28, 200));
    bandPen.setWidthF(1.0);
    m_gapBands->setPen(bandPen);
    c->addSeries(m_gapBands);
    m_gapBands->attachAxis(m_axisX);
    m_gapBands->attachAxis(m_axisY);

    const struct {
        ObjectKind kind;
        QString name;
        QColor color;
    } kinds[] = {
        {ObjectKind::Interface, tr("interfaces"), QColor(0x1f, 0x77, 0xb4)},
        {ObjectKind::Address, tr("addresses"), QColor(0x2c, 0xa0, 0x2c)},
        {ObjectKind::Route, tr("routes"), QColor(0xe3, 0x77, 0x0c)},
        {ObjectKind::Neighbor, tr("neighbors"), QColor(0x94, 0x67, 0xbd)},
        {ObjectKind::Rule, tr("rules"), QColor(0x8c, 0x56, 0x4b)},
        {ObjectKind::Nexthop, tr("nexthops"), QColor(0x17, 0xbe, 0xcf)},
        {ObjectKind::Gap, tr("gaps"), QColor(0xd6, 0x27, 0x28)},
    };
    for (const auto &k : kinds) {
        auto *s = new QLineSeries(c);
        s->setName(k.name);
        QPen pen(k.color);
        pen.setWidthF(1.8);
        s->setPen(pen);
        c->addSeries(s);
        s->attachAxis(m_axisX);
        s->attachAxis(m_axisY);
        m_series.append({k.kind, s});
    }
    // QChartView(QWidget *) made a default chart; setChart() releases it without deleting.
    QChart *defaultChart = chart();
    setChart(c);
    delete defaultChart;
    // Gaps are shown only while one is in range (see refreshNow()).
    series(ObjectKind::Gap)->setVisible(false);
    m_gapBands->setVisible(false);

    m_band = new QRubberBand(QRubberBand::Rectangle, viewport());
    m_band->hide();

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(RefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &TimelineChartView::refreshNow);
    m_liveTimer.setInterval(1000);
    connect(&m_liveTimer, &QTimer::timeout, this, &TimelineChartView::scheduleRefresh);
    m_liveTimer.start();

    computeLiveRange();
    m_axisX->setRange(QDateTime::fromMSecsSinceEpoch(m_fromUs / 1000), QDateTime::fromMSecsSinceEpoch(m_toUs / 1000));
}

QLineSeries *TimelineChartView::series(ObjectKind kind) const
{
    for (const auto &entry : m_series) {
        if (entry.first == kind)
            return entry.second;
    }
    return nullptr;
}

void TimelineChartView::setTimeline(TimelineBins *bins)
{
    if (m_bins)
        disconnect(m_bins, nullptr, this, nullptr);
    m_bins = bins;
    if (bins)
        connect(bins, &TimelineBins::changed, this, &TimelineChartView::scheduleRefresh);
    scheduleRefresh();
}

void TimelineChartView::setFollowLiveEdge(bool follow)
{
    if (m_follow == follow)
        return;
    m_follow = follow;
    if (follow)
        m_liveTimer.start();
    else
        m_liveTimer.stop();
    refreshNow();
    Q_EMIT followLiveEdgeChanged(follow);
}

void TimelineChartView::zoomTo(qint64 fromUs, qint64 toUs)
{
    if (toUs < fromUs)
        std::swap(fromUs, toUs);
    toUs = std::max(toUs, fromUs + 1000); // at least 1 ms wide
    m_fromUs = fromUs;
    m_toUs = toUs;
    setFollowLiveEdge(false);
    refreshNow();
}

void TimelineChartView::selectTimeRange(qint64 fromUs, qint64 toUs)
{
    if (toUs < fromUs)
        std::swap(fromUs, toUs);
    zoomTo(fromUs, toUs);
    Q_EMIT timeRangeSelected(fromUs, toUs);
}

void TimelineChartView::scheduleRefresh()
{
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void TimelineChartView::setHomeRange(qint64 fromUs, qint64 toUs)
{
    m_homeFromUs = fromUs;
    m_homeToUs = toUs;
    if (m_follow)
        refreshNow();
}

void TimelineChartView::setCursorTime(qint64 us)
{
    if (us == m_cursorUs)
        return;
    m_cursorUs = us;
    viewport()->update();
}

double TimelineChartView::xAtTime(qint64 us) const
{
    const QRectF plot = plotRectInView();
    if (m_toUs <= m_fromUs)
        return plot.left();
    return plot.left() + plot.width() * double(us - m_fromUs) / double(m_toUs - m_fromUs);
}

void TimelineChartView::setMarks(const QList<qint64> &timesUs, const QStringList &texts)
{
    m_marks = timesUs;
    m_markTexts = texts;
    viewport()->update();
}

QString TimelineChartView::markTextAt(double x) const
{
    constexpr double kNearPx = 4;
    QString found;
    double best = kNearPx + 1;
    for (qsizetype i = 0; i < m_marks.size(); ++i) {
        if (m_marks.at(i) < m_fromUs || m_marks.at(i) > m_toUs)
            continue;
        const double d = std::abs(xAtTime(m_marks.at(i)) - x);
        if (d <= kNearPx && d < best) {
            best = d;
            found = i < m_markTexts.size() ? m_markTexts.at(i) : QString();
        }
    }
    return found;
}

bool TimelineChartView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && !m_marks.isEmpty()) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = markTextAt(viewport()->mapTo(this, help->pos()).x());
        if (!text.isEmpty()) {
            QToolTip::showText(help->globalPos(), text, this);
            return true;
        }
    }
    return QChartView::viewportEvent(event);
}

void TimelineChartView::setBusy(const QString &text, qint64 countedUpToUs)
{
    if (text == m_busyText && countedUpToUs == m_countedUpToUs)
        return;
    m_busyText = text;
    m_countedUpToUs = countedUpToUs;
    viewport()->update();
}

void TimelineChartView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    // The painter draws in scene coordinates; the plot area is in the chart's.
    const QRectF plot = chart()->mapToScene(chart()->plotArea()).boundingRect();
    if (!m_busyText.isEmpty()) {
        painter->save();
        // Not counted yet: from the newest counted moment to the right edge (scene
        // coordinates, as plot; xAtTime() gives the view's).
        const double span = double(std::max<qint64>(1, m_toUs - m_fromUs));
        const double f = std::clamp(double(m_countedUpToUs - m_fromUs) / span, 0.0, 1.0);
        const double counted = plot.left() + f * plot.width();
        painter->fillRect(QRectF(QPointF(counted, plot.top()), plot.bottomRight()), QColor(128, 128, 128, 60));
        QFont font = painter->font();
        font.setBold(true);
        painter->setFont(font);
        const QFontMetrics metrics(font);
        const double width = metrics.horizontalAdvance(m_busyText) + 24;
        const QRectF box(plot.center().x() - width / 2, plot.top() + 8, width, metrics.height() + 10);
        painter->setPen(QColor(0xe0, 0xb8, 0x4c));
        painter->setBrush(QColor(0xfd, 0xf2, 0xd0));
        painter->drawRoundedRect(box, 4, 4);
        painter->setPen(QColor(0x5c, 0x44, 0x00));
        painter->drawText(box, Qt::AlignCenter, m_busyText);
        painter->restore();
    }
    if (!m_marks.isEmpty()) {
        // Thin dashed lines with a small flag at the top: readable beside the cursor's
        // solid line and the count curves.
        painter->save();
        QPen pen(QColor(0xd3, 0x54, 0x00));
        pen.setWidthF(1.0);
        pen.setStyle(Qt::DashLine);
        painter->setRenderHint(QPainter::Antialiasing, false);
        const double span = double(std::max<qint64>(1, m_toUs - m_fromUs));
        for (const qint64 us : std::as_const(m_marks)) {
            if (us < m_fromUs || us > m_toUs)
                continue;
            const double x = plot.left() + double(us - m_fromUs) / span * plot.width();
            painter->setPen(pen);
            painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            painter->setPen(Qt::NoPen);
            painter->setBrush(QColor(0xd3, 0x54, 0x00));
            const QPointF flag[3] = {{x, plot.top()}, {x + 6, plot.top() + 3}, {x, plot.top() + 6}};
            painter->drawPolygon(flag, 3);
        }
        painter->restore();
    }
    if (m_cursorUs < 0 || m_cursorUs < m_fromUs || m_cursorUs > m_toUs)
        return;
    const double f = double(m_cursorUs - m_fromUs) / double(std::max<qint64>(1, m_toUs - m_fromUs));
    const double x = plot.left() + f * plot.width();
    painter->save();
    QPen pen(QColor(0x8e, 0x44, 0xad));
    pen.setWidthF(2.0);
    painter->setPen(pen);
    painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    painter->restore();
}

void TimelineChartView::computeLiveRange()
{
    if (m_homeToUs >= m_homeFromUs) {
        // Whole buckets: the counts are kept per TimelineBins::kBaseUs, so a recording of a
        // second or less would otherwise show its first and last buckets cut (the lines
        // ending before the last events).
        const qint64 base = TimelineBins::kBaseUs;
        const qint64 from = m_homeFromUs - (m_homeFromUs % base + base) % base;
        const qint64 to = m_homeToUs - (m_homeToUs % base + base) % base + base;
        const qint64 margin = std::max<qint64>(1000, (to - from) / 50);
        m_fromUs = from - margin;
        m_toUs = to + margin;
        return;
    }
    qint64 to = platform::nowUs();
    qint64 first = to;
    if (m_bins && m_bins->lastUs() > 0) {
        to = std::max(to, m_bins->lastUs());
        first = m_bins->firstUs();
    }
    const qint64 span = std::clamp<qint64>((to - first) + (to - first) / 20, MinLiveSpanUs, MaxLiveSpanUs);
    // A little room on the right so the newest bucket is not glued to the border.
    m_toUs = to + span / 50;
    m_fromUs = m_toUs - span;
}

void TimelineChartView::refreshNow()
{
    m_refreshTimer.stop();
    if (m_follow)
        computeLiveRange();
    // A bucket per 2 pixels: drawn as steps, that is a point per pixel, and the chart lays
    // out every point of every refresh (about 15 ms per thousand points of a line).
    const int maxPoints = std::max(16, int(chart()->plotArea().width()) / 2);
    double maxY = 0;
    QList<QPointF> gapPoints;
    for (const auto &[kind, s] : std::as_const(m_series)) {
        QList<QPointF> points;
        if (m_bins)
            points = m_bins->series(kind, m_fromUs, m_toUs, maxPoints);
        double kindMax = 0;
        for (const QPointF &p : std::as_const(points))
            kindMax = std::max(kindMax, p.y());
        if (kind == ObjectKind::Gap) {
            // Kept as data but never drawn as a line (it would run red along the x axis):
            // the bands show the gaps, and a gap does not raise the y axis.
            s->setVisible(false);
            gapPoints = points;
        } else {
            maxY = std::max(maxY, kindMax);
        }
        if (kindMax == 0) {
            // Nothing of this kind in range: no line (it would lie on the x axis), and no
            // thousand points for the chart to lay out on every refresh of a burst.
            if (s->count() > 0)
                s->clear();
            continue;
        }
        s->replace(steps(points));
    }
    m_axisX->setRange(QDateTime::fromMSecsSinceEpoch(m_fromUs / 1000), QDateTime::fromMSecsSinceEpoch(m_toUs / 1000));
    const qint64 spanUs = m_toUs - m_fromUs;
    m_axisX->setFormat(spanUs < 10'000'000                 ? QStringLiteral("hh:mm:ss.zzz")
                           : spanUs < 2LL * 86'400'000'000 ? QStringLiteral("hh:mm:ss")
                                                           : QStringLiteral("MM-dd hh:mm"));
    // Nice integer top: 4, 8, 12 ... so the "%d" labels stay exact.
    const double top = std::max(4.0, std::ceil(maxY * 1.1 / 4.0) * 4.0);
    m_axisY->setRange(0, top);
    updateGapBands(gapPoints, top);
    viewport()->update(); // the cursor line moves with the range
}

QList<QPointF> TimelineChartView::steps(const QList<QPointF> &buckets)
{
    // Each count spans its bucket, from its start to the next bucket's: the line reaches
    // the events at the end of a bucket, and a lone event shows as a plateau, not a spike
    // at the bucket's start.
    QList<QPointF> points;
    if (buckets.isEmpty())
        return points;
    const double width
        = buckets.size() >= 2 ? buckets.at(1).x() - buckets.at(0).x() : double(TimelineBins::kBaseUs) / 1000.0;
    points.reserve(buckets.size() * 2);
    for (const QPointF &b : buckets)
        points << b << QPointF(b.x() + width, b.y());
    return points;
}

void TimelineChartView::updateGapBands(const QList<QPointF> &gapPoints, double top)
{
    // Bucket width of the series (ms), and the narrowest band allowed at this zoom.
    const double bucketMs
        = gapPoints.size() >= 2 ? gapPoints.at(1).x() - gapPoints.at(0).x() : double(TimelineBins::kBaseUs) / 1000.0;
    const double plotWidth = std::max(1.0, chart()->plotArea().width());
    const double minMs = double(m_toUs - m_fromUs) / 1000.0 / plotWidth * GapBandMinPx;
    const double widthMs = std::max(bucketMs, minMs);
    QList<QPair<double, double>> bands; // [x0, x1] merged when they touch
    for (const QPointF &p : gapPoints) {
        if (p.y() <= 0)
            continue;
        const double x0 = p.x() + bucketMs / 2 - widthMs / 2;
        const double x1 = x0 + widthMs;
        if (!bands.isEmpty() && x0 <= bands.last().second)
            bands.last().second = std::max(bands.last().second, x1);
        else
            bands.append({x0, x1});
    }
    QList<QPointF> outline;
    outline.reserve(bands.size() * 4);
    for (const auto &[x0, x1] : std::as_const(bands))
        outline << QPointF(x0, 0) << QPointF(x0, top) << QPointF(x1, top) << QPointF(x1, 0);
    m_gapBands->upperSeries()->replace(outline);
    const bool any = !bands.isEmpty();
    const bool was = m_gapBands->isVisible();
    m_gapBands->setVisible(any);
    if (any != was)
        Q_EMIT legendChanged();
}

QString TimelineChartView::legendHtml() const
{
    const auto entry = [](const QColor &color, const QString &name) {
        return QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2")
            .arg(color.name(QColor::HexRgb), name.toHtmlEscaped());
    };
    QStringList entries;
    for (const auto &[kind, s] : m_series) {
        if (kind != ObjectKind::Gap)
            entries << entry(s->pen().color(), s->name());
    }
    if (m_gapBands->isVisible())
        entries << entry(m_gapBands->pen().color(), m_gapBands->name());
    return entries.join(QStringLiteral("&nbsp;&nbsp;&nbsp;"));
}

QRectF TimelineChartView::plotRectInView() const
{
    const QRectF scenePlot = chart()->mapToScene(chart()->plotArea()).boundingRect();
    return mapFromScene(scenePlot).boundingRect();
}

qint64 TimelineChartView::timeAtX(double x) const
{
    const QRectF plot = plotRectInView();
    if (plot.width() <= 0)
        return m_fromUs;
    const double f = std::clamp((x - plot.left()) / plot.width(), 0.0, 1.0);
    return m_fromUs + qint64(std::llround(f * double(m_toUs - m_fromUs)));
}

void TimelineChartView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && plotRectInView().contains(event->position())) {
        m_dragging = true;
        m_pressPos = event->position().toPoint();
        const QRectF plot = plotRectInView();
        m_band->setGeometry(QRect(QPoint(m_pressPos.x(), int(plot.top())), QSize(1, int(plot.height()))));
        m_band->show();
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        setFollowLiveEdge(true);
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event);
}

void TimelineChartView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragging) {
        const QRectF plot = plotRectInView();
        const int x = int(std::clamp(event->position().x(), plot.left(), plot.right()));
        const int left = std::min(x, m_pressPos.x());
        const int right = std::max(x, m_pressPos.x());
        m_band->setGeometry(QRect(left, int(plot.top()), std::max(1, right - left), int(plot.height())));
        event->accept();
        return;
    }
    QChartView::mouseMoveEvent(event);
}

void TimelineChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragging && event->button() == Qt::LeftButton) {
        m_dragging = false;
        m_band->hide();
        const double x0 = m_pressPos.x();
        const double x1 = event->position().x();
        if (std::abs(x1 - x0) >= 4) // a click is not a selection
            selectTimeRange(timeAtX(std::min(x0, x1)), timeAtX(std::max(x0, x1)));
        else
            Q_EMIT timeClicked(timeAtX(x1));
        event->accept();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void TimelineChartView::mouseDoubleClickEvent(QMouseEvent *event)
{
    setFollowLiveEdge(true);
    event->accept();
}

void TimelineChartView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0) {
        event->ignore();
        return;
    }
    const qint64 anchor = timeAtX(event->position().x());
    const double factor = std::pow(1.25, -steps); // wheel up = zoom in
    const qint64 from = anchor - qint64(double(anchor - m_fromUs) * factor);
    const qint64 to = anchor + qint64(double(m_toUs - anchor) * factor);
    zoomTo(from, to);
    event->accept();
}

void TimelineChartView::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    scheduleRefresh(); // maxPoints follows the plot width
}

} // namespace ncv
