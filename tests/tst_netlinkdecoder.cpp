// SPDX-License-Identifier: GPL-2.0-or-later
// Netlink decoder: hand-built RTM_* messages (built with libmnl as the kernel lays them
// out), field by field, and malformed ones (truncated, bad lengths, wrong sizes), which
// must fail cleanly with a reason and never read outside the buffer.
#include "platform/format.h"
#include "platform/linux/decoder.h"
#include "platform/textescape.h"
#include "support/randomrows.h"

#include <QTest>

#include <libmnl/libmnl.h>
#include <linux/icmpv6.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

using namespace ncv::platform;
using namespace ncv::platform::netlink;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000'000; // fixed "now" for lifetimes, µs

/// An aligned message buffer built with libmnl.
struct Msg {
    alignas(8) unsigned char buf[4096] = {};
    nlmsghdr *nlh = nullptr;

    explicit Msg(std::uint16_t type)
    {
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
    }
    Msg(const Msg &other) : nlh(reinterpret_cast<nlmsghdr *>(buf)) { std::memcpy(buf, other.buf, sizeof buf); }
    Msg &operator=(const Msg &other)
    {
        std::memcpy(buf, other.buf, sizeof buf);
        nlh = reinterpret_cast<nlmsghdr *>(buf);
        return *this;
    }
    template<typename T> T *header() { return static_cast<T *>(mnl_nlmsg_put_extra_header(nlh, sizeof(T))); }
    std::size_t size() const { return nlh->nlmsg_len; }
    DecodeStatus decode(DecodedMessage &out) const { return netlink::decode(buf, size(), kNow, out); }
};

Msg nexthopMessage()
{
    Msg m(RTM_NEWNEXTHOP);
    auto *nhm = m.header<nhmsg>();
    nhm->nh_family = AF_INET;
    nhm->nh_protocol = RTPROT_STATIC;
    nhm->nh_flags = RTNH_F_ONLINK;
    mnl_attr_put_u32(m.nlh, NHA_ID, 5);
    const unsigned char gw[4] = {10, 1, 0, 2};
    mnl_attr_put(m.nlh, NHA_GATEWAY, sizeof gw, gw);
    mnl_attr_put_u32(m.nlh, NHA_OIF, 7);
    return m;
}

Msg linkMessage(std::uint16_t type = RTM_NEWLINK)
{
    Msg m(type);
    auto *ifi = m.header<ifinfomsg>();
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = 7;
    ifi->ifi_type = ARPHRD_ETHER;
    ifi->ifi_flags = IFF_UP | IFF_LOWER_UP;
    mnl_attr_put_strz(m.nlh, IFLA_IFNAME, "veth7");
    mnl_attr_put_str(m.nlh, IFLA_IFALIAS, "uplink ☃"); // not NUL-terminated, UTF-8
    nlattr *info = mnl_attr_nest_start(m.nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(m.nlh, IFLA_INFO_KIND, "veth");
    mnl_attr_nest_end(m.nlh, info);
    mnl_attr_put_u8(m.nlh, IFLA_OPERSTATE, 6);
    mnl_attr_put_u8(m.nlh, IFLA_CARRIER, 1);
    mnl_attr_put_u32(m.nlh, IFLA_MTU, 9000);
    const unsigned char mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
    mnl_attr_put(m.nlh, IFLA_ADDRESS, sizeof mac, mac);
    mnl_attr_put_u32(m.nlh, IFLA_MASTER, 3);
    return m;
}

Msg addressMessage4()
{
    Msg m(RTM_NEWADDR);
    auto *ifa = m.header<ifaddrmsg>();
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = 24;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = 7;
    ifa->ifa_flags = 0x80;
    const unsigned char local[4] = {10, 1, 0, 1};
    const unsigned char peer[4] = {10, 1, 0, 2};
    mnl_attr_put(m.nlh, IFA_ADDRESS, 4, peer);
    mnl_attr_put(m.nlh, IFA_LOCAL, 4, local);
    mnl_attr_put_strz(m.nlh, IFA_LABEL, "veth7:1");
    mnl_attr_put_u32(m.nlh, IFA_FLAGS, IFA_F_NOPREFIXROUTE | IFA_F_SECONDARY);
    ifa_cacheinfo ci {};
    ci.ifa_prefered = 100;
    ci.ifa_valid = 200;
    mnl_attr_put(m.nlh, IFA_CACHEINFO, sizeof ci, &ci);
    return m;
}

Msg routeMessage4()
{
    Msg m(RTM_NEWROUTE);
    auto *rtm = m.header<rtmsg>();
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = 24;
    rtm->rtm_tos = 0;
    rtm->rtm_table = RT_TABLE_COMPAT; // the 8-bit field cannot hold 1000
    rtm->rtm_protocol = RTPROT_STATIC;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_UNICAST;
    mnl_attr_put_u32(m.nlh, RTA_TABLE, 1000);
    const unsigned char dst[4] = {10, 9, 0, 0};
    const unsigned char gw[4] = {10, 1, 0, 2};
    const unsigned char src[4] = {10, 1, 0, 1};
    mnl_attr_put(m.nlh, RTA_DST, 4, dst);
    mnl_attr_put(m.nlh, RTA_GATEWAY, 4, gw);
    mnl_attr_put_u32(m.nlh, RTA_OIF, 7);
    mnl_attr_put_u32(m.nlh, RTA_PRIORITY, 100);
    mnl_attr_put(m.nlh, RTA_PREFSRC, 4, src);
    rta_cacheinfo ci {};
    ci.rta_expires = static_cast<std::uint32_t>(5 * userHz()); // 5 s in USER_HZ ticks
    mnl_attr_put(m.nlh, RTA_CACHEINFO, sizeof ci, &ci);
    return m;
}

/// IPv6 multipath: two next hops, each with its own RTA_GATEWAY; weights = rtnh_hops + 1.
Msg routeMessage6Multipath()
{
    Msg m(RTM_NEWROUTE);
    auto *rtm = m.header<rtmsg>();
    rtm->rtm_family = AF_INET6;
    rtm->rtm_dst_len = 64;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_BOOT;
    rtm->rtm_type = RTN_UNICAST;
    unsigned char dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 9};
    mnl_attr_put(m.nlh, RTA_DST, 16, dst);
    mnl_attr_put_u32(m.nlh, RTA_PRIORITY, 1024);
    nlattr *mp = mnl_attr_nest_start(m.nlh, RTA_MULTIPATH);
    for (int i = 0; i < 2; ++i) {
        auto *rtnh = static_cast<rtnexthop *>(mnl_nlmsg_get_payload_tail(m.nlh));
        m.nlh->nlmsg_len += RTNH_ALIGN(sizeof(rtnexthop));
        rtnh->rtnh_flags = 0;
        rtnh->rtnh_hops = static_cast<unsigned char>(i * 2);
        rtnh->rtnh_ifindex = 7 + i;
        unsigned char gw[16]
            = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<unsigned char>(2 + i)};
        mnl_attr_put(m.nlh, RTA_GATEWAY, 16, gw);
        rtnh->rtnh_len
            = static_cast<unsigned short>(reinterpret_cast<unsigned char *>(mnl_nlmsg_get_payload_tail(m.nlh))
                                          - reinterpret_cast<unsigned char *>(rtnh));
    }
    mnl_attr_nest_end(m.nlh, mp);
    return m;
}

/// Finds the first attribute of type in the message's attribute area (after the family header).
nlattr *findAttr(Msg &m, std::size_t familyHeader, std::uint16_t type)
{
    auto *p = static_cast<unsigned char *>(mnl_nlmsg_get_payload(m.nlh)) + MNL_ALIGN(familyHeader);
    auto *end = reinterpret_cast<unsigned char *>(m.nlh) + m.nlh->nlmsg_len;
    while (p + sizeof(nlattr) <= end) {
        auto *a = reinterpret_cast<nlattr *>(p);
        if (mnl_attr_get_type(a) == type)
            return a;
        p += MNL_ALIGN(a->nla_len);
    }
    return nullptr;
}

} // namespace

class TestNetlinkDecoder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void link();
    void linkKindFromType_data();
    void linkKindFromType();
    void linkCarrierFromFlags();
    void linkBytesThatAreNotUtf8AreEscaped();
    void linkDeleteAndBridgeSkip();
    void address4();
    void address6WithoutLocal();
    void route4();
    void route6Multipath();
    void routeViaAndNhId();
    void routeSkipsCloned();
    void routeBlackholeHasNoNextHop();
    void otherMessagesAreSkipped();
    void malformed_data();
    void malformed();
    void everyTruncationFailsCleanly();
    void corruptedBytesNeverCrash();
    void hugeMessageLengthIsRejected();
    void walkingADatagram();
    void nexthopObjectId();
    void nexthopObjects();
    void namespaceIds();
    void malformedNamespaceIds_data();
    void malformedNamespaceIds();
    void ipv6MultipathHopsAreSorted();
    void routeRowIsResetBetweenMessages();
    void routePreference();
};

void TestNetlinkDecoder::link()
{
    const Msg m = linkMessage();
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.object, ObjectKind::Interface);
    QVERIFY(!out.isDelete);
    const InterfaceRow &r = out.interface;
    QCOMPARE(r.ifIndex, 7u);
    QCOMPARE(r.name, std::string("veth7"));
    QCOMPARE(r.alias, std::string("uplink ☃"));
    QCOMPARE(r.kind, std::string("veth"));
    QCOMPARE(r.operState, OperState::Up);
    QVERIFY(r.adminUp);
    QVERIFY(r.carrier);
    QCOMPARE(r.mtu, 9000u);
    QCOMPARE(r.macLength, std::uint8_t(6));
    QCOMPARE(macText(r.mac.data(), r.macLength), std::string("02:00:5e:10:20:30"));
    QCOMPARE(r.masterIndex, 3u);
    QCOMPARE(r.linkType, std::uint32_t(ARPHRD_ETHER));
    QCOMPARE(r.family, Family::Unspec);

    // Reusing the output clears fields the next message does not carry.
    Msg bare(RTM_NEWLINK);
    auto *ifi = bare.header<ifinfomsg>();
    ifi->ifi_index = 8;
    ifi->ifi_type = ARPHRD_ETHER;
    QCOMPARE(bare.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.interface.ifIndex, 8u);
    QVERIFY(out.interface.name.empty());
    QVERIFY(out.interface.alias.empty());
    QCOMPARE(out.interface.kind, std::string("ether"));
    QCOMPARE(out.interface.mtu, 0u);
    QCOMPARE(out.interface.macLength, std::uint8_t(0));
    QCOMPARE(out.interface.masterIndex, 0u);
    QVERIFY(!out.interface.adminUp);
}

void TestNetlinkDecoder::linkKindFromType_data()
{
    QTest::addColumn<unsigned>("type");
    QTest::addColumn<QString>("kind");
    QTest::newRow("loopback") << unsigned(ARPHRD_LOOPBACK) << QStringLiteral("loopback");
    QTest::newRow("ether") << unsigned(ARPHRD_ETHER) << QStringLiteral("ether");
    QTest::newRow("none") << unsigned(ARPHRD_NONE) << QStringLiteral("none");
    QTest::newRow("ipip") << unsigned(ARPHRD_TUNNEL) << QStringLiteral("ipip");
    QTest::newRow("sit") << unsigned(ARPHRD_SIT) << QStringLiteral("sit");
    QTest::newRow("gre") << unsigned(ARPHRD_IPGRE) << QStringLiteral("gre");
    QTest::newRow("ip6tnl") << unsigned(ARPHRD_TUNNEL6) << QStringLiteral("ip6tnl");
    QTest::newRow("ppp") << unsigned(ARPHRD_PPP) << QStringLiteral("ppp");
    QTest::newRow("unknown") << 4242u << QStringLiteral("arphrd-4242");
}

void TestNetlinkDecoder::linkKindFromType()
{
    QFETCH(unsigned, type);
    QFETCH(QString, kind);
    Msg m(RTM_NEWLINK);
    auto *ifi = m.header<ifinfomsg>();
    ifi->ifi_index = 1;
    ifi->ifi_type = static_cast<unsigned short>(type);
    mnl_attr_put_strz(m.nlh, IFLA_IFNAME, "x");
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(QString::fromStdString(out.interface.kind), kind);
}

void TestNetlinkDecoder::linkBytesThatAreNotUtf8AreEscaped()
{
    // The kernel takes any bytes in an alias and nearly any in a name; the rows hold valid
    // UTF-8 with each stray byte as \xHH and a typed "\x41" kept apart as "\x5cx41".
    const std::string name = "d\xff\xfe";
    const std::string alias = "bad\xff\xfe \xc3\xbc \\x41 \xe6\x97"; // invalid, ü, typed \x41, truncated
    const std::string label = "d\xff\xfe:1";
    Msg m(RTM_NEWLINK);
    auto *ifi = m.header<ifinfomsg>();
    ifi->ifi_index = 9;
    ifi->ifi_type = ARPHRD_ETHER;
    mnl_attr_put_strz(m.nlh, IFLA_IFNAME, name.c_str());
    mnl_attr_put(m.nlh, IFLA_IFALIAS, alias.size(), alias.data()); // not NUL-terminated
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.interface.name, std::string("d\\xff\\xfe"));
    QCOMPARE(out.interface.alias, std::string("bad\\xff\\xfe \xc3\xbc \\x5cx41 \\xe6\\x97"));
    QVERIFY(isValidUtf8(out.interface.name));
    QVERIFY(isValidUtf8(out.interface.alias));
    QCOMPARE(bytesFromText(out.interface.name), name);
    QCOMPARE(bytesFromText(out.interface.alias), alias);
    // The text forms built from the row are valid UTF-8 too.
    QVERIFY(isValidUtf8(keyText(Row(out.interface))));
    for (const auto &[field, value] : fieldTexts(Row(out.interface)))
        QVERIFY2(isValidUtf8(value), field.c_str());

    Msg withLabel(RTM_NEWADDR);
    auto *ifa = withLabel.header<ifaddrmsg>();
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = 24;
    ifa->ifa_index = 9;
    const unsigned char local[4] = {10, 1, 0, 1};
    mnl_attr_put(withLabel.nlh, IFA_LOCAL, 4, local);
    mnl_attr_put_strz(withLabel.nlh, IFA_LABEL, label.c_str());
    QCOMPARE(withLabel.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.address.label, std::string("d\\xff\\xfe:1"));
}

void TestNetlinkDecoder::linkCarrierFromFlags()
{
    // Without IFLA_CARRIER the carrier comes from IFF_LOWER_UP.
    Msg m(RTM_NEWLINK);
    auto *ifi = m.header<ifinfomsg>();
    ifi->ifi_index = 1;
    ifi->ifi_flags = IFF_UP | IFF_LOWER_UP;
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QVERIFY(out.interface.carrier);
    // IFLA_CARRIER wins over the flag.
    mnl_attr_put_u8(m.nlh, IFLA_CARRIER, 0);
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QVERIFY(!out.interface.carrier);
    QCOMPARE(out.interface.operState, OperState::Unknown);
}

void TestNetlinkDecoder::linkDeleteAndBridgeSkip()
{
    const Msg del = linkMessage(RTM_DELLINK);
    DecodedMessage out;
    QCOMPARE(del.decode(out), DecodeStatus::Ok);
    QVERIFY(out.isDelete);
    QCOMPARE(out.interface.ifIndex, 7u);

    // A bridge port message (AF_BRIDGE) must not be taken for the interface itself: a port
    // leaving its bridge sends RTM_DELLINK/AF_BRIDGE while the interface stays.
    Msg bridge = linkMessage(RTM_DELLINK);
    reinterpret_cast<ifinfomsg *>(mnl_nlmsg_get_payload(bridge.nlh))->ifi_family = AF_BRIDGE;
    QCOMPARE(bridge.decode(out), DecodeStatus::Skip);
    QCOMPARE(out.object, ObjectKind::None);
    QVERIFY(!out.reason.empty());
}

void TestNetlinkDecoder::address4()
{
    const Msg m = addressMessage4();
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.object, ObjectKind::Address);
    const AddressRow &a = out.address;
    QCOMPARE(a.ifIndex, 7u);
    QCOMPARE(toString(a.address), std::string("10.1.0.1"));
    QCOMPARE(toString(a.peer), std::string("10.1.0.2")); // IFA_ADDRESS differs from IFA_LOCAL
    QCOMPARE(a.prefixLength, std::uint8_t(24));
    QCOMPARE(a.scope, std::uint8_t(RT_SCOPE_UNIVERSE));
    QCOMPARE(a.flags, std::uint32_t(IFA_F_NOPREFIXROUTE | IFA_F_SECONDARY)); // IFA_FLAGS, not ifa_flags
    QCOMPARE(a.label, std::string("veth7:1"));
    QCOMPARE(a.preferredLifetime, 100u);
    QCOMPARE(a.validLifetime, 200u);
    QCOMPARE(a.preferredUntilUs, kNow + 100 * 1000000LL);
    QCOMPARE(a.validUntilUs, kNow + 200 * 1000000LL);
}

void TestNetlinkDecoder::address6WithoutLocal()
{
    Msg m(RTM_DELADDR);
    auto *ifa = m.header<ifaddrmsg>();
    ifa->ifa_family = AF_INET6;
    ifa->ifa_prefixlen = 64;
    ifa->ifa_scope = RT_SCOPE_LINK;
    ifa->ifa_index = 3;
    ifa->ifa_flags = IFA_F_PERMANENT | IFA_F_NODAD;
    unsigned char addr[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    mnl_attr_put(m.nlh, IFA_ADDRESS, 16, addr);
    ifa_cacheinfo ci {};
    ci.ifa_prefered = kInfiniteLifetime;
    ci.ifa_valid = kInfiniteLifetime;
    mnl_attr_put(m.nlh, IFA_CACHEINFO, sizeof ci, &ci);
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QVERIFY(out.isDelete);
    QCOMPARE(toString(out.address.address), std::string("fe80::1"));
    QVERIFY(out.address.peer.isUnspecified());
    QCOMPARE(out.address.flags, std::uint32_t(IFA_F_PERMANENT | IFA_F_NODAD)); // from ifa_flags
    QCOMPARE(out.address.validLifetime, kInfiniteLifetime);
    QCOMPARE(out.address.validUntilUs, std::int64_t(0));
    QCOMPARE(out.address.preferredUntilUs, std::int64_t(0));
    QVERIFY(out.address.label.empty());
}

void TestNetlinkDecoder::route4()
{
    const Msg m = routeMessage4();
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.object, ObjectKind::Route);
    const RouteRow &r = out.route;
    QCOMPARE(r.family(), Family::IPv4);
    QCOMPARE(toCidr(r.destination, r.prefixLength), std::string("10.9.0.0/24"));
    QCOMPARE(r.table, 1000u); // RTA_TABLE, not rtm_table
    QCOMPARE(r.metric, 100u);
    QCOMPARE(r.protocol, std::uint8_t(RTPROT_STATIC));
    QCOMPARE(r.type, std::uint8_t(RTN_UNICAST));
    QCOMPARE(toString(r.prefSrc), std::string("10.1.0.1"));
    QCOMPARE(r.nextHops.size(), std::size_t(1));
    QCOMPARE(toString(r.nextHops[0].gateway), std::string("10.1.0.2"));
    QCOMPARE(r.nextHops[0].ifIndex, 7u);
    QCOMPARE(r.nextHops[0].weight, std::uint16_t(1));
    QCOMPARE(r.expiresUs, kNow + 5 * 1000000LL);
    QCOMPARE(r.nhId, 0u);
}

void TestNetlinkDecoder::route6Multipath()
{
    Msg m = routeMessage6Multipath();
    m.nlh->nlmsg_flags = NLM_F_REPLACE;
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.nlmsgFlags, std::uint16_t(NLM_F_REPLACE)); // kept for replace handling
    const RouteRow &r = out.route;
    QCOMPARE(toCidr(r.destination, r.prefixLength), std::string("2001:db8:9::/64"));
    QCOMPARE(r.table, 254u); // no RTA_TABLE: rtm_table
    QCOMPARE(r.metric, 1024u);
    QCOMPARE(r.nextHops.size(), std::size_t(2));
    QCOMPARE(toString(r.nextHops[0].gateway), std::string("2001:db8:1::2"));
    QCOMPARE(r.nextHops[0].ifIndex, 7u);
    QCOMPARE(r.nextHops[0].weight, std::uint16_t(1));
    QCOMPARE(toString(r.nextHops[1].gateway), std::string("2001:db8:1::3"));
    QCOMPARE(r.nextHops[1].ifIndex, 8u);
    QCOMPARE(r.nextHops[1].weight, std::uint16_t(3));
    QCOMPARE(gatewayList(r), std::string("2001:db8:1::2;2001:db8:1::3"));
    QCOMPARE(r.expiresUs, std::int64_t(0));
}

void TestNetlinkDecoder::routeViaAndNhId()
{
    // An IPv4 route whose gateway is IPv6 (RTA_VIA), and one using a nexthop object.
    Msg m(RTM_NEWROUTE);
    auto *rtm = m.header<rtmsg>();
    rtm->rtm_family = AF_INET;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_type = RTN_UNICAST;
    unsigned char via[2 + 16] = {};
    const std::uint16_t af = AF_INET6;
    std::memcpy(via, &af, 2);
    via[2] = 0xfe;
    via[3] = 0x80;
    via[17] = 1;
    mnl_attr_put(m.nlh, RTA_VIA, sizeof via, via);
    mnl_attr_put_u32(m.nlh, RTA_OIF, 4);
    mnl_attr_put_u32(m.nlh, RTA_NH_ID, 77);
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(toCidr(out.route.destination, out.route.prefixLength), std::string("0.0.0.0/0"));
    QCOMPARE(out.route.nextHops.size(), std::size_t(1));
    QCOMPARE(toString(out.route.nextHops[0].gateway), std::string("fe80::1"));
    QCOMPARE(out.route.nextHops[0].ifIndex, 4u);
    QCOMPARE(out.route.nhId, 77u);
}

void TestNetlinkDecoder::routeSkipsCloned()
{
    Msg m = routeMessage4();
    reinterpret_cast<rtmsg *>(mnl_nlmsg_get_payload(m.nlh))->rtm_flags |= RTM_F_CLONED;
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Skip);
    QCOMPARE(out.object, ObjectKind::None);
    QVERIFY(QString::fromStdString(out.reason).contains(QStringLiteral("cloned")));
}

void TestNetlinkDecoder::routeBlackholeHasNoNextHop()
{
    Msg m(RTM_NEWROUTE);
    auto *rtm = m.header<rtmsg>();
    rtm->rtm_family = AF_INET6;
    rtm->rtm_dst_len = 48;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_type = RTN_BLACKHOLE;
    unsigned char dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x66};
    mnl_attr_put(m.nlh, RTA_DST, 16, dst);
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QVERIFY(out.route.nextHops.empty());
    QCOMPARE(out.route.type, std::uint8_t(RTN_BLACKHOLE));
}

void TestNetlinkDecoder::otherMessagesAreSkipped()
{
    DecodedMessage out;
    Msg neigh(RTM_NEWNEIGH);
    neigh.header<ndmsg>();
    QCOMPARE(neigh.decode(out), DecodeStatus::Skip);
    Msg mpls(RTM_NEWROUTE);
    mpls.header<rtmsg>()->rtm_family = AF_MPLS;
    QCOMPARE(mpls.decode(out), DecodeStatus::Skip);
    Msg packetAddr(RTM_NEWADDR);
    packetAddr.header<ifaddrmsg>()->ifa_family = AF_PACKET;
    QCOMPARE(packetAddr.decode(out), DecodeStatus::Skip);
}

void TestNetlinkDecoder::malformed_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("reason"); // expected part of the one-line reason
    QTest::newRow("link payload shorter than ifinfomsg") << 0 << QStringLiteral("shorter than struct ifinfomsg");
    QTest::newRow("address payload shorter than ifaddrmsg") << 1 << QStringLiteral("shorter than struct ifaddrmsg");
    QTest::newRow("route payload shorter than rtmsg") << 2 << QStringLiteral("RTM_DELROUTE: shorter than struct rtmsg");
    QTest::newRow("attribute longer than the message") << 3 << QStringLiteral("truncated or malformed attribute");
    QTest::newRow("attribute length below header") << 4 << QStringLiteral("truncated or malformed attribute");
    QTest::newRow("IFLA_MTU of 2 bytes") << 5 << QStringLiteral("IFLA_MTU is not a u32");
    QTest::newRow("RTA_DST of 3 bytes for IPv4") << 6 << QStringLiteral("RTA_DST is not 4 bytes");
    QTest::newRow("rtnexthop with rtnh_len 4") << 7 << QStringLiteral("rtnexthop with a bad length");
    QTest::newRow("rtnexthop longer than RTA_MULTIPATH") << 8 << QStringLiteral("rtnexthop with a bad length");
    QTest::newRow("address without IFA_LOCAL/IFA_ADDRESS") << 9 << QStringLiteral("neither IFA_LOCAL nor IFA_ADDRESS");
    QTest::newRow("prefix length 200") << 10 << QStringLiteral("ifa_prefixlen is too large");
    QTest::newRow("nlmsg_len beyond the buffer") << 11 << QStringLiteral("nlmsg_len does not fit");
    QTest::newRow("IFLA_LINKINFO with broken nested attribute")
        << 12 << QStringLiteral("truncated or malformed attribute");
    QTest::newRow("IFA_CACHEINFO too short") << 13 << QStringLiteral("IFA_CACHEINFO is too short");
    QTest::newRow("RTA_VIA with unknown family") << 14 << QStringLiteral("RTA_VIA has an unsupported address family");
    QTest::newRow("ifindex 0") << 15 << QStringLiteral("ifi_index is not positive");
    QTest::newRow("multipath next hop with a short gateway attribute")
        << 16 << QStringLiteral("truncated or malformed attribute");
}

void TestNetlinkDecoder::malformed()
{
    QFETCH(int, which);
    QFETCH(QString, reason);
    DecodedMessage out;
    std::size_t bufferLen = 0;
    Msg m(RTM_NEWLINK);
    switch (which) {
    case 0: m.nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 8; break;
    case 1:
        m = Msg(RTM_NEWADDR);
        m.nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
        break;
    case 2:
        m = Msg(RTM_DELROUTE);
        m.nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 8;
        break;
    case 3: {
        m = linkMessage();
        nlattr *a = findAttr(m, sizeof(ifinfomsg), IFLA_MTU);
        a->nla_len = 4000;
        break;
    }
    case 4: {
        m = linkMessage();
        findAttr(m, sizeof(ifinfomsg), IFLA_IFNAME)->nla_len = 2;
        break;
    }
    case 5: {
        m = Msg(RTM_NEWLINK);
        m.header<ifinfomsg>()->ifi_index = 1;
        mnl_attr_put_u16(m.nlh, IFLA_MTU, 1500);
        break;
    }
    case 6: {
        m = Msg(RTM_NEWROUTE);
        m.header<rtmsg>()->rtm_family = AF_INET;
        const unsigned char dst[3] = {10, 0, 0};
        mnl_attr_put(m.nlh, RTA_DST, 3, dst);
        break;
    }
    case 7:
    case 8:
    case 16: {
        m = routeMessage6Multipath();
        nlattr *mp = findAttr(m, sizeof(rtmsg), RTA_MULTIPATH);
        auto *rtnh = static_cast<rtnexthop *>(mnl_attr_get_payload(mp));
        if (which == 7)
            rtnh->rtnh_len = 4;
        else if (which == 8)
            rtnh->rtnh_len = 1000;
        else {
            auto *gw
                = reinterpret_cast<nlattr *>(reinterpret_cast<unsigned char *>(rtnh) + RTNH_ALIGN(sizeof(rtnexthop)));
            gw->nla_len = 4 + 4; // an IPv4-sized gateway in an IPv6 route; the rest becomes garbage
        }
        break;
    }
    case 9: {
        m = Msg(RTM_NEWADDR);
        auto *ifa = m.header<ifaddrmsg>();
        ifa->ifa_family = AF_INET;
        ifa->ifa_index = 1;
        mnl_attr_put_strz(m.nlh, IFA_LABEL, "x");
        break;
    }
    case 10: {
        m = addressMessage4();
        reinterpret_cast<ifaddrmsg *>(mnl_nlmsg_get_payload(m.nlh))->ifa_prefixlen = 200;
        break;
    }
    case 11:
        m = linkMessage();
        bufferLen = m.size() - 8;
        break;
    case 12: {
        m = linkMessage();
        nlattr *info = findAttr(m, sizeof(ifinfomsg), IFLA_LINKINFO);
        auto *kind = static_cast<nlattr *>(mnl_attr_get_payload(info));
        kind->nla_len = 200;
        break;
    }
    case 13: {
        m = addressMessage4();
        findAttr(m, sizeof(ifaddrmsg), IFA_CACHEINFO)->nla_len = 4 + 8;
        // keep the message consistent: the attribute area ends where nla_len says
        m.nlh->nlmsg_len = static_cast<std::uint32_t>(
            reinterpret_cast<unsigned char *>(findAttr(m, sizeof(ifaddrmsg), IFA_CACHEINFO)) + 12
            - reinterpret_cast<unsigned char *>(m.nlh));
        break;
    }
    case 14: {
        m = Msg(RTM_NEWROUTE);
        m.header<rtmsg>()->rtm_family = AF_INET;
        unsigned char via[6] = {0x99, 0x00, 1, 2, 3, 4};
        mnl_attr_put(m.nlh, RTA_VIA, sizeof via, via);
        break;
    }
    case 15:
        m = linkMessage();
        reinterpret_cast<ifinfomsg *>(mnl_nlmsg_get_payload(m.nlh))->ifi_index = 0;
        break;
    }
    const std::size_t len = bufferLen ? bufferLen : m.size();
    QCOMPARE(decode(m.buf, len, kNow, out), DecodeStatus::Error);
    QCOMPARE(out.object, ObjectKind::None);
    QVERIFY2(QString::fromStdString(out.reason).contains(reason), out.reason.c_str());
}

void TestNetlinkDecoder::everyTruncationFailsCleanly()
{
    // Cut each well-formed message at every length, with nlmsg_len lowered to match:
    // the decoder returns Ok only when the cut falls between attributes, else Error
    // (or Skip); it never reads past the cut (run under ASan to prove it).
    const std::vector<Msg> messages
        = {linkMessage(), addressMessage4(), routeMessage4(), routeMessage6Multipath(), nexthopMessage()};
    for (const Msg &original : messages) {
        for (std::size_t cut = 0; cut <= original.size(); ++cut) {
            // Copy only the bytes up to the cut into a heap buffer of exactly that size.
            std::vector<std::uint32_t> storage((cut + 3) / 4 + 1);
            std::memcpy(storage.data(), original.buf, cut);
            if (cut >= sizeof(nlmsghdr))
                reinterpret_cast<nlmsghdr *>(storage.data())->nlmsg_len = static_cast<std::uint32_t>(cut);
            DecodedMessage out;
            const DecodeStatus s = decode(storage.data(), cut, kNow, out);
            if (cut < MNL_NLMSG_HDRLEN + 8)
                QCOMPARE(s, DecodeStatus::Error);
            if (s != DecodeStatus::Ok)
                QVERIFY(!out.reason.empty());
        }
    }
}

void TestNetlinkDecoder::corruptedBytesNeverCrash()
{
    // Every byte of each message set to 0x00, 0x01, 0x7f and 0xff in turn.
    const std::vector<Msg> messages
        = {linkMessage(), addressMessage4(), routeMessage4(), routeMessage6Multipath(), nexthopMessage()};
    int ok = 0, failed = 0;
    for (const Msg &original : messages) {
        for (std::size_t i = 0; i < original.size(); ++i) {
            for (unsigned char v : {0x00, 0x01, 0x7f, 0xff}) {
                Msg m = original;
                m.buf[i] = v;
                DecodedMessage out;
                const DecodeStatus s = decode(m.buf, original.size(), kNow, out);
                (s == DecodeStatus::Ok ? ok : failed)++;
            }
        }
    }
    QVERIFY(ok > 0);
    QVERIFY(failed > 0);
}

void TestNetlinkDecoder::hugeMessageLengthIsRejected()
{
    // nlmsg_len >= 2^31 passes libmnl's mnl_nlmsg_ok() (a signed cast) and then reads far
    // beyond the buffer; found by fuzz_decoder. The decoder's own checks are unsigned.
    Msg m = routeMessage4();
    const std::size_t real = m.size();
    for (std::uint32_t len : {0x80000000u, 0xfffffff0u, 0xffffffffu, std::uint32_t(real + 1)}) {
        m.nlh->nlmsg_len = len;
        DecodedMessage out;
        QCOMPARE(netlink::decode(m.buf, real, kNow, out), DecodeStatus::Error);
        QVERIFY(!messageOk(m.nlh, real));
    }
    m.nlh->nlmsg_len = std::uint32_t(real);
    QVERIFY(messageOk(m.nlh, real));
    QVERIFY(!messageOk(m.nlh, sizeof(nlmsghdr) - 1));
}

void TestNetlinkDecoder::walkingADatagram()
{
    // Two messages back to back (aligned), then a trailing partial header.
    alignas(8) unsigned char datagram[8192] = {};
    const Msg a = routeMessage4();
    const Msg b = addressMessage4();
    std::size_t used = 0;
    std::memcpy(datagram, a.buf, a.size());
    used += NLMSG_ALIGN(a.size());
    std::memcpy(datagram + used, b.buf, b.size());
    used += NLMSG_ALIGN(b.size());
    used += 6; // garbage shorter than a header
    std::size_t remaining = used;
    const auto *msg = reinterpret_cast<const nlmsghdr *>(datagram);
    QStringList types;
    for (; messageOk(msg, remaining); msg = nextMessage(msg, remaining))
        types << QString::number(msg->nlmsg_type);
    QCOMPARE(types, QStringList({QString::number(RTM_NEWROUTE), QString::number(RTM_NEWADDR)}));
    QCOMPARE(remaining, std::size_t(6));
    // A message whose aligned length runs past the end ends the walk.
    remaining = a.size() - 1;
    msg = reinterpret_cast<const nlmsghdr *>(datagram);
    QVERIFY(!messageOk(msg, remaining));
}

void TestNetlinkDecoder::nexthopObjectId()
{
    Msg m(RTM_DELNEXTHOP);
    auto *nhm = m.header<nhmsg>();
    nhm->nh_family = AF_INET;
    mnl_attr_put_u32(m.nlh, NHA_ID, 10);
    std::uint32_t id = 0;
    std::string reason;
    QCOMPARE(decodeNexthopId(m.nlh, id, reason), DecodeStatus::Ok);
    QCOMPARE(id, 10u);
    Msg none(RTM_NEWNEXTHOP);
    none.header<nhmsg>();
    QCOMPARE(decodeNexthopId(none.nlh, id, reason), DecodeStatus::Error);
    QVERIFY(QString::fromStdString(reason).contains(u"NHA_ID"));
    Msg other = routeMessage4();
    QCOMPARE(decodeNexthopId(other.nlh, id, reason), DecodeStatus::Skip);
    // Through decode(): a nexthop row with that id.
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.object, ObjectKind::Nexthop);
    QVERIFY(out.isDelete);
    QCOMPARE(out.nexthop.id, 10u);
}

namespace {

/// Bytes the kernel sent to RTNLGRP_NSID (Linux 6.x, read from a socket in a private
/// namespace while `ip link add ca type veth peer name cb netns PID` made it give the peer
/// namespace an id, then while that namespace ended): nlmsghdr (len 28, type 88
/// RTM_NEWNSID / 89 RTM_DELNSID, flags 0, seq 0, pid 0), struct rtgenmsg (AF_UNSPEC and 3
/// bytes of padding), NETNSA_NSID (len 8, type 1) = 0.
QByteArray capturedNsid(bool deleted)
{
    return QByteArray::fromHex(deleted ? "1c000000590000000000000000000000000000000800010000000000"
                                       : "1c000000580000000000000000000000000000000800010000000000");
}

/// An RTM_NEWNSID as the kernel lays it out, with NETNSA_NSID = id.
Msg nsidMessage(std::uint32_t id, std::uint16_t type = RTM_NEWNSID)
{
    Msg m(type);
    m.header<rtgenmsg>()->rtgen_family = AF_UNSPEC;
    mnl_attr_put_u32(m.nlh, NETNSA_NSID, id);
    return m;
}

} // namespace

void TestNetlinkDecoder::namespaceIds()
{
    for (const bool deleted : {false, true}) {
        const QByteArray bytes = capturedNsid(deleted);
        alignas(8) unsigned char buf[64] = {};
        std::memcpy(buf, bytes.constData(), std::size_t(bytes.size()));
        DecodedMessage out;
        QCOMPARE(decode(buf, std::size_t(bytes.size()), kNow, out), DecodeStatus::Ok);
        QCOMPARE(out.object, ObjectKind::Nsid);
        QCOMPARE(out.isDelete, deleted);
        QCOMPARE(out.nsid, 0);
    }
    // Larger ids, and NETNSA_CURRENT_NSID (in answers to RTM_GETNSID) read past.
    Msg m = nsidMessage(4711, RTM_DELNSID);
    mnl_attr_put_u32(m.nlh, NETNSA_CURRENT_NSID, 3);
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.object, ObjectKind::Nsid);
    QVERIFY(out.isDelete);
    QCOMPARE(out.nsid, 4711);
}

void TestNetlinkDecoder::malformedNamespaceIds_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("reason"); // expected part of the one-line reason
    // From the captured message: each kind of damage.
    QByteArray noAttribute = capturedNsid(false).left(20);
    noAttribute[0] = 20;
    QTest::newRow("no NETNSA_NSID") << noAttribute << QStringLiteral("RTM_NEWNSID: has no NETNSA_NSID");
    QByteArray noHeader = capturedNsid(false).left(16);
    noHeader[0] = 16;
    QTest::newRow("no rtgenmsg") << noHeader << QStringLiteral("RTM_NEWNSID: shorter than struct rtgenmsg");
    QByteArray shortId = capturedNsid(true);
    shortId[0] = 26;
    shortId[20] = 6; // a 2-byte NETNSA_NSID
    QTest::newRow("2-byte NETNSA_NSID") << shortId.left(26) << QStringLiteral("RTM_DELNSID: NETNSA_NSID is not a u32");
    QByteArray negative = capturedNsid(false);
    negative.replace(24, 4, QByteArray(4, '\xff')); // -1: NETNSA_NSID_NOT_ASSIGNED
    QTest::newRow("negative id") << negative << QStringLiteral("RTM_NEWNSID: NETNSA_NSID is negative");
    QByteArray overlong = capturedNsid(false);
    overlong[20] = 12; // the attribute runs past the message
    QTest::newRow("attribute past the end") << overlong << QStringLiteral("truncated or malformed attribute");
}

void TestNetlinkDecoder::malformedNamespaceIds()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, reason);
    alignas(8) unsigned char buf[64] = {};
    std::memcpy(buf, message.constData(), std::size_t(message.size()));
    DecodedMessage out;
    QCOMPARE(decode(buf, std::size_t(message.size()), kNow, out), DecodeStatus::Error);
    QCOMPARE(out.object, ObjectKind::None);
    QVERIFY2(QString::fromStdString(out.reason).contains(reason), out.reason.c_str());
}

void TestNetlinkDecoder::nexthopObjects()
{
    DecodedMessage out;
    // A gateway nexthop: struct nhmsg + NHA_ID, NHA_GATEWAY, NHA_OIF.
    Msg gw = nexthopMessage();
    QCOMPARE(gw.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.object, ObjectKind::Nexthop);
    QVERIFY(!out.isDelete);
    const NexthopRow &row = out.nexthop;
    QCOMPARE(row.id, 5u);
    QCOMPARE(row.family, Family::IPv4);
    QCOMPARE(toString(row.gateway), std::string("10.1.0.2"));
    QCOMPARE(row.ifIndex, 7u);
    QCOMPARE(row.protocol, std::uint8_t(RTPROT_STATIC));
    QCOMPARE(row.flags, std::uint32_t(RtnhOnlink));
    QVERIFY(!row.blackhole && !row.fdb && row.group.empty());

    // A resilient group: NHA_GROUP members (weight - 1 in the u8, weight_high above it).
    Msg group(RTM_NEWNEXTHOP);
    group.header<nhmsg>()->nh_family = AF_UNSPEC;
    mnl_attr_put_u32(group.nlh, NHA_ID, 10);
    unsigned char members[16] = {};
    const std::uint32_t first = 5, second = 6;
    std::memcpy(members, &first, 4);
    members[4] = 2; // weight 3
    std::memcpy(members + 8, &second, 4);
    members[12] = 0xff;
    members[13] = 0x01; // weight 0x1ff + 1 = 512
    mnl_attr_put(group.nlh, NHA_GROUP, sizeof members, members);
    mnl_attr_put_u16(group.nlh, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_RES);
    QCOMPARE(group.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.nexthop.id, 10u);
    QCOMPARE(out.nexthop.family, Family::Unspec);
    QCOMPARE(out.nexthop.group.size(), std::size_t(2));
    QCOMPARE(out.nexthop.group[0].id, 5u);
    QCOMPARE(out.nexthop.group[0].weight, 3u);
    QCOMPARE(out.nexthop.group[1].id, 6u);
    QCOMPARE(out.nexthop.group[1].weight, 512u);
    QCOMPARE(out.nexthop.groupType, std::uint16_t(NexthopGroupResilient));
    QCOMPARE(out.nexthop.gateway.family, Family::Unspec); // nothing left of the previous message
    QCOMPARE(out.nexthop.ifIndex, 0u);

    // A blackhole and an FDB nexthop: flag attributes; an IPv6 gateway.
    Msg drop(RTM_NEWNEXTHOP);
    drop.header<nhmsg>()->nh_family = AF_INET6;
    mnl_attr_put_u32(drop.nlh, NHA_ID, 3);
    mnl_attr_put(drop.nlh, NHA_BLACKHOLE, 0, nullptr);
    mnl_attr_put(drop.nlh, NHA_FDB, 0, nullptr);
    const unsigned char gw6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    mnl_attr_put(drop.nlh, NHA_GATEWAY, sizeof gw6, gw6);
    QCOMPARE(drop.decode(out), DecodeStatus::Ok);
    QVERIFY(out.nexthop.blackhole);
    QVERIFY(out.nexthop.fdb);
    QCOMPARE(toString(out.nexthop.gateway), std::string("2001:db8::2"));
    QVERIFY(out.nexthop.group.empty());

    // Malformed: a clear reason, never a row.
    const auto refused = [&](const Msg &m, const char *reason) {
        DecodedMessage bad;
        const DecodeStatus s = m.decode(bad);
        if (s != DecodeStatus::Error || !QString::fromStdString(bad.reason).contains(QLatin1StringView(reason))) {
            qWarning("%s", bad.reason.c_str());
            return false;
        }
        return bad.object == ObjectKind::None;
    };
    Msg shortHeader(RTM_NEWNEXTHOP);
    QVERIFY(refused(shortHeader, "shorter than struct nhmsg"));
    Msg noId(RTM_NEWNEXTHOP);
    noId.header<nhmsg>();
    QVERIFY(refused(noId, "NHA_ID"));
    Msg shortGroup(RTM_NEWNEXTHOP);
    shortGroup.header<nhmsg>();
    mnl_attr_put_u32(shortGroup.nlh, NHA_ID, 1);
    mnl_attr_put(shortGroup.nlh, NHA_GROUP, 12, members); // one and a half entries
    QVERIFY(refused(shortGroup, "NHA_GROUP"));
    Msg badGateway(RTM_NEWNEXTHOP);
    badGateway.header<nhmsg>();
    mnl_attr_put_u32(badGateway.nlh, NHA_ID, 1);
    mnl_attr_put(badGateway.nlh, NHA_GATEWAY, 3, gw6);
    QVERIFY(refused(badGateway, "NHA_GATEWAY"));
    Msg badOif(RTM_NEWNEXTHOP);
    badOif.header<nhmsg>();
    mnl_attr_put_u32(badOif.nlh, NHA_ID, 1);
    mnl_attr_put_u16(badOif.nlh, NHA_OIF, 1);
    QVERIFY(refused(badOif, "NHA_OIF"));
    Msg badType(RTM_NEWNEXTHOP);
    badType.header<nhmsg>();
    mnl_attr_put_u32(badType.nlh, NHA_ID, 1);
    mnl_attr_put_u32(badType.nlh, NHA_GROUP_TYPE, 1);
    QVERIFY(refused(badType, "NHA_GROUP_TYPE"));
    // Another family (none exists today): skipped, not an error.
    Msg other(RTM_NEWNEXTHOP);
    other.header<nhmsg>()->nh_family = AF_PACKET;
    mnl_attr_put_u32(other.nlh, NHA_ID, 1);
    QCOMPARE(other.decode(out), DecodeStatus::Skip);
}

void TestNetlinkDecoder::ipv6MultipathHopsAreSorted()
{
    // The kernel lists the announced sibling first in notifications and in insertion order
    // in dumps; IPv6 next hops are sorted by (interface, gateway, weight) so both compare equal.
    Msg m = routeMessage6Multipath();
    auto *mp = findAttr(m, sizeof(rtmsg), RTA_MULTIPATH);
    QVERIFY(mp);
    auto *first = static_cast<rtnexthop *>(mnl_attr_get_payload(mp));
    first->rtnh_ifindex = 9; // now the first hop has the larger interface index
    DecodedMessage out;
    QCOMPARE(m.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.route.nextHops.size(), std::size_t(2));
    QCOMPARE(out.route.nextHops[0].ifIndex, 8u);
    QCOMPARE(out.route.nextHops[1].ifIndex, 9u);
}

QTEST_GUILESS_MAIN(TestNetlinkDecoder)
// The reader thread decodes message after message into one DecodedMessage: a route
// decoded over another has every member of its own (nothing of the previous one left).
void TestNetlinkDecoder::routeRowIsResetBetweenMessages()
{
    const Msg full = routeMessage4(); // prefsrc, cacheinfo, table, metric...
    const Msg six = routeMessage6Multipath();
    Msg bare(RTM_NEWROUTE);
    auto *rtm = bare.header<rtmsg>();
    rtm->rtm_family = AF_INET;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_type = RTN_BLACKHOLE;
    for (const Msg *second : {static_cast<const Msg *>(&bare), &six}) {
        for (const Msg *first : {&full, &six, static_cast<const Msg *>(&bare)}) {
            DecodedMessage fresh;
            QCOMPARE(second->decode(fresh), DecodeStatus::Ok);
            ncvtest::Random g(7);
            DecodedMessage reused;
            reused.route = ncvtest::randomRow<RouteRow>(g); // whatever a row held before
            QCOMPARE(first->decode(reused), DecodeStatus::Ok);
            QCOMPARE(second->decode(reused), DecodeStatus::Ok);
            const std::string differs = ncvtest::firstDifference(fresh.route, reused.route);
            QVERIFY2(differs.empty(), differs.c_str());
        }
    }
}

// RTA_PREF (RFC 4191 route preference, u8 ICMPV6_ROUTER_PREF_*): "pref high" as
// `ip -6 route` writes it; none for a route without it; a wrong length is malformed.
void TestNetlinkDecoder::routePreference()
{
    Msg high = routeMessage6Multipath();
    mnl_attr_put_u8(high.nlh, RTA_PREF, ICMPV6_ROUTER_PREF_HIGH);
    DecodedMessage out;
    QCOMPARE(high.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.route.pref, std::uint8_t(ICMPV6_ROUTER_PREF_HIGH));
    const auto fields = fieldTexts(out.route);
    QVERIFY(std::find(fields.begin(), fields.end(), std::pair<std::string, std::string>("pref", "high"))
            != fields.end());
    std::string attributes;
    appendAttributes(attributes, out.route);
    QVERIFY2(attributes.ends_with(" pref high"), attributes.c_str());

    const Msg none = routeMessage4();
    QCOMPARE(none.decode(out), DecodeStatus::Ok);
    QCOMPARE(out.route.pref, kNoRoutePref);
    attributes.clear();
    appendAttributes(attributes, out.route);
    QVERIFY2(attributes.find("pref") == std::string::npos, attributes.c_str());

    Msg wrong = routeMessage6Multipath();
    mnl_attr_put_u16(wrong.nlh, RTA_PREF, ICMPV6_ROUTER_PREF_LOW);
    QCOMPARE(wrong.decode(out), DecodeStatus::Error);
    QVERIFY2(out.reason.find("RTA_PREF is not a u8") != std::string::npos, out.reason.c_str());
}

#include "tst_netlinkdecoder.moc"
