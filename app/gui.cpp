#include "app/gui.h"

#include "app/commandline.h"
#include "model/notificationmodel.h"
#include "platform/source.h"
#include "views/mainwindow.h"

#include <QApplication>
#include <QIcon>
#include <QMessageBox>

namespace ncv {

int runGui(const AppOptions &options)
{
    std::unique_ptr<platform::Source> source = platform::createSystemSource();
    if (!source) {
        QMessageBox::critical(nullptr, QStringLiteral("NetChangeView"),
                              QStringLiteral("No network change source is available on this system."));
        return 1;
    }
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/netchangeview.svg")));
    NotificationModel model(source.get());
    MainWindow window(&model);
    if (options.familyGiven)
        window.setFamily(options.addressFamily); // remembered; the model is not running yet
    window.show();
    QString error;
    if (!model.start(window.selectedFamily(), true, &error))
        QMessageBox::critical(&window, QStringLiteral("NetChangeView"),
                              QStringLiteral("Could not register for network changes:\n%1").arg(error));
    const int code = QApplication::exec();
    model.stop();
    return code;
}

} // namespace ncv
