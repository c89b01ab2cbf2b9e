// SPDX-License-Identifier: GPL-2.0-or-later
// TimelineChartView: changes per time bucket, one line series per object kind
// (interface, address, route, gap) on a QDateTimeAxis, fed from ncv::TimelineBins.
// - Redraws at most once per RefreshMs after TimelineBins::changed(), with
//   QXYSeries::replace() of a whole list (never one append per event); maxPoints is the
//   plot width in pixels so a bucket is about one pixel wide.
// - Gaps (events lost, then a resync) are also drawn as translucent red bands over the
//   whole plot height (a QAreaSeries), at least GapBandMinPx wide at any zoom.
// - Follows the live edge (the newest events at the right) until the user zooms.
// - Mouse: wheel zooms around the cursor; a left-button drag selects a time range,
//   zooms to it and emits timeRangeSelected(); double click or right click goes back to
//   following the live edge. A click (no drag) emits timeClicked().
// - A time cursor (setCursorTime()) is drawn as a vertical line over the plot: the moment
//   the tables show when they show the past.
// - While the counts are still being read (a recording's timeline filled by a worker),
//   setBusy() draws a line of text over the plot and greys the part not counted yet, so
//   zero there does not read as "no changes".
#pragma once

#include "platform/types.h"

#include <QChartView>
#include <QPointer>
#include <QTimer>

class QAreaSeries;
class QDateTimeAxis;
class QLineSeries;
class QRubberBand;
class QValueAxis;

namespace ncv {

class TimelineBins;

class TimelineChartView : public QChartView {
    Q_OBJECT
public:
    static constexpr int RefreshMs = 100;
    /// Live window: at least 60 s, at most 10 min wide.
    static constexpr qint64 MinLiveSpanUs = 60'000'000;
    static constexpr qint64 MaxLiveSpanUs = 600'000'000;
    /// Narrowest gap band on screen, pixels.
    static constexpr int GapBandMinPx = 5;

    explicit TimelineChartView(QWidget *parent = nullptr);

    /// Data source; not owned. May be null (empty chart).
    void setTimeline(TimelineBins *bins);

    bool followsLiveEdge() const { return m_follow; }
    /// Shown range, microseconds since the epoch.
    qint64 fromUs() const { return m_fromUs; }
    qint64 toUs() const { return m_toUs; }
    /// The series of one kind (Interface, Address, Route, Gap), or null.
    QLineSeries *series(ncv::platform::ObjectKind kind) const;
    /// The gap bands: its upper series holds, per band, (x0, 0), (x0, top), (x1, top),
    /// (x1, 0) with x in ms since the epoch; no points when no gap is in range.
    QAreaSeries *gapBands() const { return m_gapBands; }
    /// The time cursor, µs since the epoch; -1 when none is shown.
    qint64 cursorTimeUs() const { return m_cursorUs; }
    /// The legend as rich text, one coloured square and name per object kind drawn, then the
    /// gap band's entry while a gap is in range (legendChanged()). Shown in the timeline's
    /// title row rather than beside the plot: a column of seven entries does not fit the
    /// chart's least height, and the plot keeps its width for time.
    QString legendHtml() const;
    /// The text setBusy() shows; "" when none.
    QString busyText() const { return m_busyText; }
    /// Widget x of time us inside the plot (for tests and the cursor line).
    double xAtTime(qint64 us) const;
    /// A recording's whole range [fromUs, toUs]: "follow the live edge" then shows it
    /// (there is no live edge). fromUs > toUs clears it.
    void setHomeRange(qint64 fromUs, qint64 toUs);

public Q_SLOTS:
    /// true: show the newest events, sliding with time; false: keep the current range.
    void setFollowLiveEdge(bool follow);
    /// Zooms to [fromUs, toUs] and emits timeRangeSelected (as a rubber band drag does).
    void selectTimeRange(qint64 fromUs, qint64 toUs);
    /// Shows [fromUs, toUs] (stops following the live edge).
    void zoomTo(qint64 fromUs, qint64 toUs);
    /// Redraws now (skipping the throttle).
    void refreshNow();
    /// Redraws within RefreshMs (at most one redraw per RefreshMs however often called).
    void scheduleRefresh();
    /// Shows the time cursor at us (µs since the epoch) as a vertical line; -1 hides it.
    void setCursorTime(qint64 us);
    /// Counting in progress: text is drawn in a box at the top of the plot, and the plot
    /// right of countedUpToUs (µs since the epoch; the times are counted in order) is
    /// greyed. An empty text clears both.
    void setBusy(const QString &text, qint64 countedUpToUs);
    /// Marks moments (µs since the epoch) with thin dashed vertical lines, each with its
    /// one-line text as the tooltip near it (e.g. the route lookup's changes); empty: none.
    void setMarks(const QList<qint64> &timesUs, const QStringList &texts);
    const QList<qint64> &marks() const { return m_marks; }
    /// The text of the mark nearest view x within a few pixels, else "".
    QString markTextAt(double x) const;

Q_SIGNALS:
    void timeRangeSelected(qint64 fromUs, qint64 toUs);
    void followLiveEdgeChanged(bool follow);
    /// The plot was clicked (pressed and released without dragging) at time us.
    void timeClicked(qint64 us);
    /// legendHtml() changed (the gap entry came or went).
    void legendChanged();

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    bool viewportEvent(QEvent *event) override;

private:
    void computeLiveRange();
    /// Plot area in view (widget) coordinates.
    QRectF plotRectInView() const;
    /// Widget x -> microseconds since the epoch within the shown range (clamped).
    qint64 timeAtX(double x) const;

    QPointer<TimelineBins> m_bins;
    QDateTimeAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    QList<QPair<ncv::platform::ObjectKind, QLineSeries *>> m_series;
    QAreaSeries *m_gapBands = nullptr;
    /// The series of bucket counts (x = bucket start, ms) as steps: two points per bucket,
    /// at its start and its end, both at its count.
    static QList<QPointF> steps(const QList<QPointF> &buckets);
    void updateGapBands(const QList<QPointF> &gapPoints, double top);
    QTimer m_refreshTimer; // single shot, throttles redraws to one per RefreshMs
    QTimer m_liveTimer; // slides the live window while following
    QRubberBand *m_band = nullptr;
    QPoint m_pressPos;
    bool m_dragging = false;
    bool m_follow = true;
    qint64 m_fromUs = 0;
    qint64 m_toUs = 0;
    qint64 m_cursorUs = -1;
    QList<qint64> m_marks;
    QStringList m_markTexts;
    QString m_busyText;
    qint64 m_countedUpToUs = 0;
    qint64 m_homeFromUs = 0;
    qint64 m_homeToUs = -1; // < m_homeFromUs: no home range (live)
};

} // namespace ncv
