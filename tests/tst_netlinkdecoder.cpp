#include <QTest>
class TestNetlinkDecoder : public QObject { Q_OBJECT };
QTEST_MAIN(TestNetlinkDecoder)
#include "tst_netlinkdecoder.moc"
