// SPDX-License-Identifier: GPL-2.0-or-later
// EventColumns and format 2's events.record: every event (random rows of every kind, with
// and without changed fields and notes) comes back whole from its columns and record; what
// the columns hold is not repeated in the record; malformed records are refused.
#include "model/history/eventcodec.h"
#include "model/recording/eventcolumns.h"
#include "platform/format.h"
#include "support/modeltestrows.h"
#include "support/randomrows.h"

#include <QTest>

#include <string>

using namespace ncv;
using namespace ncv::recording;
using namespace ncvtest;

namespace {

/// The whole event in the history's form: equal bytes, equal events.
std::string wholeEvent(const ChangeRecord &r)
{
    std::string bytes;
    eventcodec::encode(r, bytes);
    return bytes;
}

Row randomRowOf(Random &g, ObjectKind object)
{
    switch (object) {
    case ObjectKind::Interface: return randomRow<InterfaceRow>(g);
    case ObjectKind::Address: return randomRow<AddressRow>(g);
    case ObjectKind::Route: return randomRow<RouteRow>(g);
    case ObjectKind::Entity: return randomRow<EntityRow>(g);
    default: return std::monostate {};
    }
}

/// r read back through its columns and record; "" when equal, else what went wrong.
QString roundTrip(const ChangeRecord &r, std::string *recordOut = nullptr)
{
    const EventColumns c = EventColumns::of(r);
    std::string record;
    encodeRecord(r, c, record);
    if (recordOut)
        *recordOut = record;
    ChangeRecord back;
    Random g(7);
    back.after = randomRow<RouteRow>(g); // what a reused record held must not survive
    back.note = "old";
    if (!decodeRecord(c, record.data(), record.data() + record.size(), &back))
        return QStringLiteral("not decoded");
    if (wholeEvent(back) != wholeEvent(r))
        return QStringLiteral("differs");
    return {};
}

} // namespace

class TestEventColumns : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void randomEventsComeBackWhole();
    void keyColumnsAreNotRepeated();
    void refusesMalformedRecords();
};

void TestEventColumns::randomEventsComeBackWhole()
{
    Random g(20261202);
    const ObjectKind objects[]
        = {ObjectKind::Interface, ObjectKind::Address, ObjectKind::Route, ObjectKind::Entity, ObjectKind::Gap};
    for (int i = 0; i < 4000; ++i) {
        ChangeRecord r;
        r.object = objects[g() % 5];
        r.change = ChangeKind(g() % 9);
        r.origin = Origin(g() % 2);
        r.family = Family(g() % 3);
        switch (g() % 4) {
        case 0: r.after = randomRowOf(g, r.object); break;
        case 1: r.before = randomRowOf(g, r.object); break;
        case 2:
            r.before = randomRowOf(g, r.object);
            r.after = randomRowOf(g, r.object);
            break;
        default: {
            // A parameter change: one field differs.
            r.before = randomRowOf(g, r.object);
            r.after = r.before;
            if (auto *route = std::get_if<RouteRow>(&r.after))
                route->nextHops = randomRow<RouteRow>(g).nextHops;
            else if (auto *iface = std::get_if<InterfaceRow>(&r.after))
                iface->mtu = std::uint32_t(g());
            break;
        }
        }
        if (g() % 3 == 0)
            r.changedFields = FieldMask(g());
        if (g() % 4 == 0)
            r.note = "note " + std::to_string(g());
        const QString failure = roundTrip(r);
        QVERIFY2(failure.isEmpty(), qPrintable(QStringLiteral("event %1: %2").arg(i).arg(failure)));
    }
    // A row of another kind than the object's (markers carry none, but nothing forbids it).
    ChangeRecord odd;
    odd.object = ObjectKind::Gap;
    odd.change = ChangeKind::Gap;
    odd.before = randomRow<AddressRow>(g);
    odd.after = randomRow<RouteRow>(g);
    QCOMPARE(roundTrip(odd), QString());
}

void TestEventColumns::keyColumnsAreNotRepeated()
{
    // A route added as a burst adds them: 20.0.1.7/32 via 10.9.0.2 dev 2, proto boot.
    RouteRow route;
    route.destination = IpAddress::v4(20, 0, 1, 7);
    route.prefixLength = 32;
    route.protocol = 3;
    route.nextHops.push_back(NextHop {IpAddress::v4(10, 9, 0, 2), 2, 1});
    ChangeRecord add;
    add.object = ObjectKind::Route;
    add.change = ChangeKind::Add;
    add.family = Family::IPv4;
    add.after = route;
    std::string record;
    QCOMPARE(roundTrip(add, &record), QString());
    const EventColumns c = EventColumns::of(add);
    QCOMPARE(QString::fromStdString(c.destination), QStringLiteral("20.0.1.7/32"));
    QCOMPARE(c.table, 254u);
    QCOMPARE(c.ifIndex, 2u);
    // The flags byte, the field mask, the next hops (count, family, gateway, ifindex).
    QCOMPARE(record.size(), std::size_t(9));
    QCOMPARE(record.find(std::string("\x14\x00\x01\x07", 4)), std::string::npos); // the destination is not in it
    QVERIFY(wholeEvent(add).size() > 30);

    // A parameter change holds the before row and only what changed after it.
    ChangeRecord change;
    change.object = ObjectKind::Route;
    change.change = ChangeKind::Parameter;
    change.family = Family::IPv4;
    change.before = route;
    route.nextHops.front().gateway = IpAddress::v4(10, 9, 0, 3);
    change.after = route;
    change.changedFields = fieldBit<RouteRow>("nexthops");
    QCOMPARE(roundTrip(change, &record), QString());
    QCOMPARE(record.size(), std::size_t(1 + 1 + 8 + 8));

    // A delete holds the before row as an add holds the after row.
    ChangeRecord del;
    del.object = ObjectKind::Route;
    del.change = ChangeKind::Delete;
    del.family = Family::IPv4;
    del.before = add.after;
    QCOMPARE(roundTrip(del, &record), QString());
    QCOMPARE(record.size(), std::size_t(9));
}

void TestEventColumns::refusesMalformedRecords()
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = ChangeKind::Parameter;
    r.family = Family::IPv6;
    Random g(5);
    r.before = randomRow<RouteRow>(g);
    r.after = randomRow<RouteRow>(g);
    r.changedFields = 3;
    r.note = "x";
    const EventColumns c = EventColumns::of(r);
    std::string record;
    encodeRecord(r, c, record);
    ChangeRecord back;
    QVERIFY(decodeRecord(c, record.data(), record.data() + record.size(), &back));
    for (std::size_t n = 0; n < record.size(); ++n)
        QVERIFY2(!decodeRecord(c, record.data(), record.data() + n, &back), qPrintable(QString::number(n)));
    const std::string longer = record + '\0';
    QVERIFY(!decodeRecord(c, longer.data(), longer.data() + longer.size(), &back));
    std::string badKind = record;
    badKind[0] = char((badKind[0] & ~7) | 5); // no Row alternative 5
    QVERIFY(!decodeRecord(c, badKind.data(), badKind.data() + badKind.size(), &back));
    // A field mask naming a field without a codec (a derived column): the route's "family".
    const std::string derived("\x18\x01", 2); // after: a route; mask bit 0
    QVERIFY(!decodeRecord(c, derived.data(), derived.data() + derived.size(), &back));
}

QTEST_MAIN(TestEventColumns)
#include "tst_eventcolumns.moc"
