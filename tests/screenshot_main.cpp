// Not a test: fills a MainWindow from a ManualSource with realistic rows and a few
// seconds of live changes, selects a parameter event and saves QWidget::grab() as PNG.
// Usage: ncv_screenshot [out.png] [width height [tab]]   (tab: 0 interfaces, 1 addresses, 2 routes)
#include "detailspanel.h"
#include "eventlogmodel.h"
#include "mainwindow.h"
#include "notificationmodel.h"
#include "routetablemodel.h"
#include "tablesection.h"
#include "viewstestdata.h"

#include <QApplication>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>

using namespace ncv;
using namespace ncv::testdata;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // never touch the real settings
    const QStringList args = app.arguments();
    const QString out = args.size() > 1 ? args.at(1) : QStringLiteral("netchangeview-screenshot.png");
    const int width = args.size() > 3 ? args.at(2).toInt() : 1280;
    const int height = args.size() > 3 ? args.at(3).toInt() : 860;
    const int tab = args.size() > 4 ? args.at(4).toInt() : 2;

    platform::ManualSource source;
    populate(source);
    for (int i = 0; i < 12; ++i)
        source.upsert(routeRow("172.16." + std::to_string(i) + ".0", 24, "192.168.1.1", 2, 100 + i, 186 /* bgp */));
    NotificationModel model(&source);
    MainWindow window(&model);
    window.resize(width, height);
    QString error;
    if (!model.start(afUnspec(), true, &error))
        qFatal("start: %s", qPrintable(error));
    window.show();

    // Some seconds of live changes so the timeline and the row marks have something to show.
    int step = 0;
    QTimer tick;
    tick.setInterval(60);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        ++step;
        if (step % 7 == 0)
            source.upsert(interfaceRow(4, "veth-lab0", "veth", 1500 + step));
        if (step % 3 == 0)
            source.upsert(routeRow("203.0.113." + std::to_string(step % 200) + "", 32, "10.1.0.254", 4, 50));
        if (step % 5 == 0)
            source.remove(routeRow("203.0.113." + std::to_string((step - 9) % 200) + "", 32, "10.1.0.254", 4, 50));
        if (step % 11 == 0)
            source.upsert(addressRow(4, "fd00:1::" + std::to_string(step), 64, 0, AddrTentative));
        if (step == 40) {
            source.upsert(interfaceRow(3, "wlan0", "ether", 1500, true)); // comes up
            source.upsert(routeRow("0.0.0.0", 0, "192.168.1.1", 2, 100, 16)); // no-op, dropped
        }
        if (step == 60) {
            tick.stop();
            source.upsert(interfaceRow(2, "eth0", "ether", 9000));
            source.upsert(routeRow("10.99.0.0", 16, "192.168.1.254", 2, 10));
        }
    });
    tick.start();

    QTimer::singleShot(60 * 60 + 400, &window, [&] {
        window.tableTabs()->setCurrentIndex(tab);
        window.routesSection()->view()->sortByColumn(RouteTableModel::Metric, Qt::AscendingOrder);
        source.remove(routeRow("10.1.0.0", 24, "", 4, 20, 2, 254, 253)); // greyed for a second
        source.upsert(routeRow("10.1.0.0", 16, "10.1.0.253", 4, 1024)); // changed next hop
        TableSection *events = window.eventsSection();
        const QAbstractItemModel *proxy = events->proxy();
        for (int r = proxy->rowCount() - 1; r >= 0; --r) {
            if (proxy->index(r, EventLogModel::Change).data().toString() == QStringLiteral("parameter")
                && proxy->index(r, EventLogModel::Object).data().toString() == QStringLiteral("interface")) {
                events->view()->setCurrentIndex(proxy->index(r, 0));
                break;
            }
        }
        // Row marks are visible for ~1.5 s: grab while the last changes are marked.
        QTimer::singleShot(300, &window, [&] {
            const bool ok = window.grab().save(out);
            qInfo("%s %s", ok ? "saved" : "could not save", qPrintable(out));
            app.exit(ok ? 0 : 1);
        });
    });
    return app.exec();
}
