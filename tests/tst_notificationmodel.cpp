#include <QTest>
class TestNotificationModel : public QObject { Q_OBJECT };
QTEST_MAIN(TestNotificationModel)
#include "tst_notificationmodel.moc"
