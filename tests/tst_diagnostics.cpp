// SPDX-License-Identifier: GPL-2.0-or-later
// The /proc parsers (platform/linux/procnet.h) on sample text (net.core.rmem_max, /proc/net/netlink),
// and the readers on this machine where /proc exists.
#include "model/diagnostics.h"
#include "platform/linux/procnet.h"

#include <QTest>

using namespace ncv;

namespace {
// /proc/net/netlink as Linux 6.x prints it (sk, Eth, Pid, Groups, Rmem, Wmem, Dump, Locks, Drops, Inode).
const char kNetlink[] = "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
                        "ffff9a0c4a5e8800 0   0          00000000 0        0        0     2        0        10\n"
                        "ffff9a0c4f3d1000 0   4123       00000551 212992   0        0     2        17       3456\n"
                        "ffff9a0c4f3d2000 0   2147483690 00000551 0        0        0     2        0        3457\n"
                        "ffff9a0c41a2c000 9   4123       00000000 0        0        0     2        99       20\n"
                        "ffff9a0c41a2c800 16  3735928559 00000000 0        0        0     2        5        21\n";
} // namespace

class TestDiagnostics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rmemMax_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qint64>("value");
        QTest::newRow("typical") << QByteArray("212992\n") << true << qint64(212992);
        QTest::newRow("large") << QByteArray("33554432") << true << qint64(33554432);
        QTest::newRow("spaces") << QByteArray("  4096 \n") << true << qint64(4096);
        QTest::newRow("empty") << QByteArray("") << false << qint64(0);
        QTest::newRow("text") << QByteArray("abc\n") << false << qint64(0);
        QTest::newRow("negative") << QByteArray("-5\n") << false << qint64(0);
        QTest::newRow("two numbers") << QByteArray("1 2\n") << false << qint64(0);
    }
    void rmemMax()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        QFETCH(qint64, value);
        const auto parsed
            = platform::procnet::parseRmemMax(std::string_view(text.constData(), std::size_t(text.size())));
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QCOMPARE(qint64(*parsed), value);
    }

    void netlinkRowByPortId()
    {
        // NETLINK_ROUTE (Eth 0) socket 4123: Drops 17 (the Eth 9 socket with the same pid is not it).
        const auto info = platform::procnet::parseNetlinkSocket(std::string_view(kNetlink), 4123);
        QVERIFY(info.has_value());
        QCOMPARE(info->protocol, 0);
        QCOMPARE(info->portId, 4123u);
        QCOMPARE(info->drops, 17u);
        QCOMPARE(info->rmem, 212992u);
        // Any protocol: the first row with that pid.
        QCOMPARE(platform::procnet::parseNetlinkSocket(std::string_view(kNetlink), 4123, -1)->drops, 17u);
        // Protocol 9 explicitly.
        QCOMPARE(platform::procnet::parseNetlinkSocket(std::string_view(kNetlink), 4123, 9)->drops, 99u);
        // Port ids above INT_MAX (kernel-assigned ids are negative pids printed unsigned).
        QCOMPARE(platform::procnet::parseNetlinkSocket(std::string_view(kNetlink), 2147483690u)->drops, 0u);
        QCOMPARE(platform::procnet::parseNetlinkSocket(std::string_view(kNetlink), 3735928559u, 16)->drops, 5u);
    }

    void netlinkMissingRowOrColumns()
    {
        QVERIFY(!platform::procnet::parseNetlinkSocket(std::string_view(kNetlink), 999).has_value());
        QVERIFY(!platform::procnet::parseNetlinkSocket(std::string_view(""), 4123).has_value());
        // No Drops column in the header: no answer rather than a wrong column.
        const char noDrops[] = "sk Eth Pid Groups Rmem\nffff 0 4123 0 0\n";
        QVERIFY(!platform::procnet::parseNetlinkSocket(std::string_view(noDrops), 4123).has_value());
        // Columns in another order are found by name.
        const char reordered[] = "Drops Pid Eth\n42 4123 0\n";
        QCOMPARE(platform::procnet::parseNetlinkSocket(std::string_view(reordered), 4123)->drops, 42u);
        // A short or broken row is skipped.
        const char broken[]
            = "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\nffff 0 4123\nffff 0 4123 0 0 0 0 2 x 1\n";
        QVERIFY(!platform::procnet::parseNetlinkSocket(std::string_view(broken), 4123).has_value());
    }

    void readersOnThisMachine()
    {
        if (!diagnostics::available()) {
            QString error;
            QVERIFY(!diagnostics::readRmemMax(&error).has_value());
            QVERIFY(!error.isEmpty());
            return;
        }
        QString error;
        const auto rmem = diagnostics::readRmemMax(&error);
        if (!rmem)
            QSKIP(qPrintable(QStringLiteral("cannot read rmem_max here: ") + error));
        QVERIFY(*rmem > 0);
        // Port id 0 is the kernel's own socket and always listed for NETLINK_ROUTE.
        const auto kernel = diagnostics::readNetlinkSocket(0, &error);
        if (!kernel)
            QSKIP(qPrintable(QStringLiteral("/proc/net/netlink: ") + error));
        QCOMPARE(kernel->protocol, 0);
    }
};

QTEST_GUILESS_MAIN(TestDiagnostics)
#include "tst_diagnostics.moc"
