// SPDX-License-Identifier: GPL-2.0-or-later
// The row descriptions (rowfields.h) and what they drive: every described member of every
// row type round-trips through the compact form (checked and trusted readers) and through
// PackedRouteTable / PackedRouteList for random rows, and truncated bytes are rejected;
// the entries are consistent (shown fields have texts, tracked ones a change test, a value
// shortcut gives the same text as the row); diff() reports a change of each tracked field;
// fields and columns are found by name.
#include "platform/diff.h"
#include "platform/packedroutetable.h"
#include "platform/rowfields.h"
#include "platform/statestore.h"
#include "support/platformtest.h"
#include "support/randomrows.h"

#include <algorithm>
#include <limits>
#include <set>

using namespace ncv::platform;
using namespace ncvtest;

namespace {

const std::uint8_t *bytesOf(const std::string &s)
{
    return reinterpret_cast<const std::uint8_t *>(s.data());
}

template<typename Row> void checkRoundTrips(const char *kind, std::uint64_t seed)
{
    Random g(seed);
    for (int i = 0; i < 2000; ++i) {
        const Row row = randomRow<Row>(g);
        std::string bytes;
        encodeRow(row, bytes);
        CHECK(bytes.size() <= maxEncodedSize(row));

        Row checked = randomRow<Row>(g); // decoded over another row: every member must be written
        compact::CheckedReader in {bytesOf(bytes), bytesOf(bytes) + bytes.size()};
        decodeRow(in, checked);
        CHECK(in.ok);
        CHECK(in.p == bytesOf(bytes) + bytes.size());
        const std::string differs = firstDifference(row, checked);
        if (!differs.empty()) {
            FAIL_CHECK((std::string(kind) + " member " + differs + " did not round-trip"));
            return;
        }
        Row trusted = randomRow<Row>(g);
        compact::TrustedReader fast {bytesOf(bytes), nullptr};
        decodeRow(fast, trusted);
        CHECK(fast.p == bytesOf(bytes) + bytes.size());
        CHECK_EQ(firstDifference(row, trusted), std::string());

        // Every byte is needed: each shorter prefix is malformed.
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            Row partial;
            compact::CheckedReader cut {bytesOf(bytes), bytesOf(bytes) + n};
            decodeRow(cut, partial);
            if (cut.ok) {
                FAIL_CHECK((std::string(kind) + ": a prefix of " + std::to_string(n) + " bytes decoded"));
                return;
            }
        }
    }
}

template<typename Row> void checkEntries(const char *kind)
{
    std::set<std::string_view> names;
    for (const FieldInfo<Row> &info : fieldInfos<Row>) {
        const std::string what = std::string(kind) + " " + std::string(info.name);
        CHECK(!info.name.empty());
        if (!names.insert(info.name).second)
            FAIL_CHECK((what + ": two fields of that name"));
        CHECK(!info.source.empty());
        const bool shown
            = info.has(InDetails) || !info.header.empty() || info.has(InAttributes) || info.csv != CsvColumn::None;
        if (shown && !info.text)
            FAIL_CHECK((what + ": shown, but has no text"));
        if (info.has(Tracked) && !info.differs)
            FAIL_CHECK((what + ": tracked, but has no change test"));
        if (info.has(InterfaceIndexes) && !info.ifIndexes)
            FAIL_CHECK((what + ": interface names without interface indexes"));
        if (info.small && !info.smallText)
            FAIL_CHECK((what + ": a value shortcut without its text"));
        if (info.sortKey && !info.compare)
            FAIL_CHECK((what + ": a sort key without a comparison"));
    }
}

/// The per-value text (what a filter matches once per value) is the cell text of a row
/// with that value.
template<typename Row> void checkSmallTexts(const char *kind, std::uint64_t seed)
{
    Random g(seed);
    for (int i = 0; i < 2000; ++i) {
        const Row row = randomRow<Row>(g);
        for (const FieldInfo<Row> &info : fieldInfos<Row>) {
            if (!info.small || info.header.empty())
                continue;
            const int v = info.small(row);
            if (v < 0)
                continue;
            std::string cell, byValue;
            (info.cell ? info.cell : info.text)(cell, row);
            info.smallText(byValue, unsigned(v));
            if (cell != byValue) {
                FAIL_CHECK((std::string(kind) + " " + std::string(info.name) + ": value " + std::to_string(v)
                            + " gives \"" + byValue + "\", the row \"" + cell + "\""));
                return;
            }
        }
    }
}

/// A column that names the fields it reads (FieldInfo::reads) shows the same cell, value
/// shortcut and interface indexes when only those fields are decoded (locateFields() +
/// decodeFields()) into a row whose other members hold another row's values: what the
/// table filter relies on. locateFields() finds where decodeRow() reads each field.
template<typename Row> void checkReads(const char *kind, std::uint64_t seed)
{
    Random g(seed);
    for (int i = 0; i < 3000; ++i) {
        const Row row = randomRow<Row>(g);
        std::string bytes;
        encodeRow(row, bytes);
        bytes.append(16, '\0'); // as PackedRows::kReadSlack
        FieldLayout<Row> layout;
        locateFields(bytesOf(bytes), layout);
        CHECK(layout.at[fieldCount<Row>] == bytesOf(bytes) + bytes.size() - 16);
        for (std::size_t c = 0; c < columnCount<Row>; ++c) {
            const FieldMask reads = columnReads<Row>[c];
            if (reads == kAnyField)
                continue;
            const FieldInfo<Row> &info = fieldInfos<Row>[columnFields<Row>[c]];
            Row partial = randomRow<Row>(g);
            decodeFields(layout, reads, partial);
            std::string full, part;
            (info.cell ? info.cell : info.text)(full, row);
            (info.cell ? info.cell : info.text)(part, partial);
            const std::string what = std::string(kind) + " " + std::string(info.name);
            if (full != part) { // a countdown may have crossed a second: once more
                full.clear();
                (info.cell ? info.cell : info.text)(full, row);
            }
            if (full != part) {
                FAIL_CHECK((what + ": reads too few fields: \"" + part + "\" instead of \"" + full + "\""));
                return;
            }
            if (info.small && info.small(row) != info.small(partial)) {
                FAIL_CHECK((what + ": its value shortcut reads other fields"));
                return;
            }
            if (info.ifIndexes) {
                std::uint32_t a[16] = {}, b[16] = {};
                const std::size_t n = info.ifIndexes(row, a, 16);
                if (n != info.ifIndexes(partial, b, 16) || !std::equal(a, a + std::min<std::size_t>(n, 16), b)) {
                    FAIL_CHECK((what + ": its interface indexes read other fields"));
                    return;
                }
            }
        }
    }
}

/// A change of a tracked member's value (by the field's own test) sets its bit in diff().
template<typename Row> void checkDiff(const char *kind, std::uint64_t seed)
{
    Random g(seed);
    std::apply(
        [&](const auto &...e) {
            (
                [&](const auto &entry) {
                    using E = std::remove_cvref_t<decltype(entry)>;
                    if constexpr (E::isMember) {
                        if (!(entry.info.flags & Tracked))
                            return;
                        int index = 0;
                        while (fieldInfos<Row>[std::size_t(index)].name != entry.info.name)
                            ++index;
                        for (int tries = 0; tries < 50; ++tries) {
                            const Row before = randomRow<Row>(g);
                            Row after = before;
                            randomValue(g, after.*(E::member));
                            if (!entry.info.differs(before, after))
                                continue;
                            if (!(diff(before, after) & (FieldMask(1) << index)))
                                FAIL_CHECK((std::string(kind) + " " + std::string(entry.info.name)
                                            + ": changed, but not in diff()"));
                            return;
                        }
                        FAIL_CHECK((std::string(kind) + " " + std::string(entry.info.name)
                                    + ": no random change counted as one"));
                    }
                }(e),
                ...);
        },
        Description<Row>::fields);
}

} // namespace

TEST_CASE("every_member_round_trips_through_the_compact_form")
{
    checkRoundTrips<InterfaceRow>("interface", 1);
    checkRoundTrips<AddressRow>("address", 2);
    checkRoundTrips<RouteRow>("route", 3);
    checkRoundTrips<EntityRow>("entity", 4);
    checkRoundTrips<NeighborRow>("neighbor", 5);
    checkRoundTrips<RuleRow>("rule", 6);
    checkRoundTrips<NexthopRow>("nexthop", 7);
}

TEST_CASE("columns_read_only_the_fields_they_name")
{
    checkReads<InterfaceRow>("interface", 11);
    checkReads<AddressRow>("address", 12);
    checkReads<RouteRow>("route", 13);
    checkReads<EntityRow>("entity", 14);
    checkReads<NeighborRow>("neighbor", 15);
    checkReads<RuleRow>("rule", 16);
    checkReads<NexthopRow>("nexthop", 17);
    // The Routes table names the fields of every column (its filter never decodes a whole row).
    for (const FieldMask reads : columnReads<RouteRow>)
        CHECK(reads != kAnyField);
    // Each named field: the destination column reads the address and its prefix length.
    CHECK_EQ(columnReads<RouteRow>[std::size_t(columnOf<RouteRow>("destination"))],
             fieldBit<RouteRow>("destination") | fieldBit<RouteRow>("prefix_length"));
}

TEST_CASE("random_routes_round_trip_through_the_packed_table")
{
    Random g(5);
    std::vector<RouteRow> rows;
    PackedRouteTable table;
    PackedRouteList list;
    for (std::uint64_t i = 0; i < 5000; ++i) {
        rows.push_back(randomRow<RouteRow>(g));
        table.insert(i * 0x9E3779B97F4A7C15ull, rows.back());
        list.push(rows.back());
    }
    std::vector<RouteRow> fromTable, fromList;
    table.forEach([&](const RouteRow &r) { fromTable.push_back(r); }); // arena order = insertion order
    list.forEach([&](const RouteRow &r) { fromList.push_back(r); });
    CHECK_EQ(fromTable.size(), rows.size());
    CHECK_EQ(fromList.size(), rows.size());
    for (std::size_t i = 0; i < rows.size() && i < fromTable.size() && i < fromList.size(); ++i) {
        CHECK_EQ(firstDifference(rows[i], fromTable[i]), std::string());
        CHECK_EQ(firstDifference(rows[i], fromList[i]), std::string());
    }
    // Rewritten rows (other lengths move to the arena's end) read back as written.
    std::vector<RouteRow> rewritten;
    for (std::uint64_t i = 0; i < rows.size(); ++i) {
        const RouteRow &key = rows[i];
        const std::uint32_t slot = table.find(
            i * 0x9E3779B97F4A7C15ull, [&](const RouteRow &held) { return firstDifference(held, key).empty(); },
            &rewritten.emplace_back());
        CHECK(slot != PackedRouteTable::npos);
        if (slot == PackedRouteTable::npos)
            return;
        rows[i] = randomRow<RouteRow>(g);
        table.assign(slot, rows[i]);
        RouteRow back;
        table.rowAt(slot, &back);
        CHECK_EQ(firstDifference(rows[i], back), std::string());
    }
    CHECK_EQ(table.size(), rows.size());
}

TEST_CASE("entries_are_consistent")
{
    checkEntries<InterfaceRow>("interface");
    checkEntries<AddressRow>("address");
    checkEntries<RouteRow>("route");
    checkEntries<EntityRow>("entity");
    checkEntries<NeighborRow>("neighbor");
    checkEntries<RuleRow>("rule");
    checkEntries<NexthopRow>("nexthop");
    checkSmallTexts<InterfaceRow>("interface", 6);
    checkSmallTexts<AddressRow>("address", 7);
    checkSmallTexts<RouteRow>("route", 8);
    checkSmallTexts<EntityRow>("entity", 9);
    checkSmallTexts<NeighborRow>("neighbor", 10);
    checkSmallTexts<RuleRow>("rule", 11);
    checkSmallTexts<NexthopRow>("nexthop", 12);
}

TEST_CASE("diff_reports_each_tracked_field")
{
    checkDiff<InterfaceRow>("interface", 10);
    checkDiff<AddressRow>("address", 11);
    checkDiff<RouteRow>("route", 12);
    checkDiff<NeighborRow>("neighbor", 13);
    checkDiff<RuleRow>("rule", 14); // every field is key: nothing tracked
    checkDiff<NexthopRow>("nexthop", 15); // keyed by id: every other field tracked (ip nexthop replace)
    // Lifetimes counting down are no change; finite <-> forever is.
    AddressRow a;
    a.validLifetime = 100;
    AddressRow b = a;
    b.validLifetime = 90;
    CHECK_EQ(diff(a, b), FieldMask(0));
    b.validLifetime = kInfiniteLifetime;
    CHECK_EQ(diff(a, b), fieldBit<AddressRow>("valid_lft"));
}

TEST_CASE("neighbors_read_as_ip_neigh_writes_them")
{
    NeighborRow n;
    n.ifIndex = 3;
    n.address = IpAddress::parse("2001:db8::2");
    n.lladdrLength = 6;
    n.lladdr = {0x02, 0, 0, 0, 0, 0x02};
    n.state = NudReachable;
    n.flags = NtfRouter;
    n.type = 1;
    std::string line;
    appendAttributes(line, n);
    CHECK_EQ(line, std::string("lladdr 02:00:00:00:00:02 router REACHABLE"));
    // A state change is a Parameter change of `state` alone.
    NeighborRow stale = n;
    stale.state = NudStale;
    CHECK_EQ(diff(n, stale), fieldBit<NeighborRow>("state"));
    ChangeRecord change;
    change.object = ObjectKind::Neighbor;
    change.change = ChangeKind::Parameter;
    change.before = n;
    change.after = stale;
    change.changedFields = diff(n, stale);
    std::string text;
    appendChanges(text, change);
    CHECK_EQ(text, std::string("state REACHABLE -> STALE"));
    // A proxy entry: no link-layer address, no state; its key text says proxy.
    NeighborRow proxy;
    proxy.ifIndex = 3;
    proxy.address = IpAddress::v4(10, 9, 0, 50);
    proxy.flags = NtfProxy;
    line.clear();
    appendAttributes(line, proxy);
    CHECK_EQ(line, std::string("proxy"));
    std::string cell;
    appendCsvCell(cell, proxy, CsvColumn::Destination);
    CHECK_EQ(cell, std::string("10.9.0.50 proxy"));
    CHECK_EQ(rowIfIndex(proxy), 3u);
    // Every state bit by name, unknown flag bits in hex.
    NeighborRow odd;
    odd.state = NudIncomplete | NudPermanent;
    odd.flags = NtfExtLearned;
    odd.extFlags = NtfExtManaged | 0x100;
    line.clear();
    appendAttributes(line, odd);
    CHECK_EQ(line, std::string("extern_learn managed 0x100 INCOMPLETE PERMANENT"));
}

TEST_CASE("rules_read_as_ip_rule_writes_them")
{
    // 100: from 10.1.0.0/16 to 10.2.0.1 tos 0x10 fwmark 0x1/0xff iif v0 oif v1 uidrange
    // 1000-2000 ipproto tcp sport 80 dport 1000-2000 lookup 100 suppress_prefixlength 0
    // suppress_ifgroup default proto static (as ip rule show wrote it for that rule).
    RuleRow r;
    r.priority = 100;
    r.source = IpAddress::v4(10, 1, 0, 0);
    r.sourceLength = 16;
    r.destination = IpAddress::v4(10, 2, 0, 1);
    r.destinationLength = 32;
    r.tos = 0x10;
    r.fwmark = 1;
    r.fwmask = 0xff;
    r.inputInterface = "v0";
    r.outputInterface = "v1";
    r.hasUidRange = true;
    r.uidStart = 1000;
    r.uidEnd = 2000;
    r.ipProto = 6;
    r.sportStart = r.sportEnd = 80;
    r.dportStart = 1000;
    r.dportEnd = 2000;
    r.table = 100;
    r.suppressPrefixLength = 0;
    r.suppressIfgroup = 0;
    r.protocol = 4;
    const std::string selector = "from 10.1.0.0/16 to 10.2.0.1 tos 0x10 fwmark 0x1/0xff iif v0 oif v1 uidrange "
                                 "1000-2000 ipproto tcp sport 80 dport 1000-2000";
    const std::string action = "lookup 100 suppress_prefixlength 0 suppress_ifgroup default";
    std::string line;
    appendAttributes(line, r);
    CHECK_EQ(line, selector + " " + action + " proto static");
    CHECK_EQ(keyText(r), "100: " + selector + " " + action);
    std::string cell;
    fieldtext::ruleSelector(cell, r);
    CHECK_EQ(cell, selector);
    cell.clear();
    fieldtext::ruleActionCell(cell, r);
    CHECK_EQ(cell, action);
    cell.clear();
    appendCsvCell(cell, r, CsvColumn::Destination);
    CHECK_EQ(cell, selector + " " + action);
    cell.clear();
    appendCsvCell(cell, r, CsvColumn::Metric);
    CHECK_EQ(cell, std::string("100"));
    CHECK_EQ(rowIfIndex(r), 0u);

    // The kernel's defaults, and each action; proto kernel is left out, as ip does.
    RuleRow main;
    main.priority = 32766;
    main.table = 254;
    main.protocol = 2;
    line.clear();
    appendAttributes(line, main);
    CHECK_EQ(line, std::string("from all lookup main"));
    RuleRow jump;
    jump.invert = true;
    jump.source = IpAddress::v4(10, 3, 0, 0);
    jump.sourceLength = 24;
    jump.fwmark = 5;
    jump.fwmask = 0xffffffffu;
    jump.action = RuleGoto;
    jump.gotoPriority = 32766;
    line.clear();
    appendAttributes(line, jump);
    CHECK_EQ(line, std::string("not from 10.3.0.0/24 fwmark 0x5 goto 32766"));
    RuleRow v6;
    v6.family = Family::IPv6;
    v6.destination = IpAddress::parse("2001:db8::");
    v6.destinationLength = 32;
    v6.action = RuleUnreachable;
    line.clear();
    appendAttributes(line, v6);
    CHECK_EQ(line, std::string("from all to 2001:db8::/32 unreachable"));
    for (const auto &[act, word] :
         {std::pair {RuleBlackhole, "blackhole"}, std::pair {RuleProhibit, "prohibit"}, std::pair {RuleNop, "nop"}}) {
        RuleRow a;
        a.action = act;
        line.clear();
        appendAttributes(line, a);
        CHECK_EQ(line, "from all " + std::string(word));
    }
    // The details list the fields a rule has: a blackhole rule to a prefix has no tos, mark,
    // interfaces, uid range, ports or table.
    RuleRow drop;
    drop.priority = 900;
    drop.destination = IpAddress::v4(203, 0, 113, 0);
    drop.destinationLength = 24;
    drop.action = RuleBlackhole;
    std::vector<std::string> names;
    for (const auto &[name, text] : fieldTexts(drop))
        names.push_back(name);
    CHECK_EQ(names, std::vector<std::string> {"priority", "family", "from", "to", "action", "protocol"});
    RuleRow vrf;
    vrf.l3mdev = 1;
    vrf.ipProto = 200;
    line.clear();
    appendAttributes(line, vrf);
    CHECK_EQ(line, std::string("from all lookup [l3mdev-table] ipproto ipproto-200"));

    // The text reads back into the same rule (the recordings' and CSV's key), and a text
    // it does not write is refused.
    Random g(21);
    std::vector<RuleRow> rules {r, main, jump, v6, vrf};
    for (int i = 0; i < 200; ++i) {
        RuleRow random = randomRow<RuleRow>(g);
        // The members the text can hold: a family's own addresses, host lengths, a mark's
        // mask, a goto's target only with goto, a uid range only when present.
        random.family = i % 2 ? Family::IPv6 : Family::IPv4;
        const std::uint8_t bits = random.family == Family::IPv4 ? 32 : 128;
        for (auto [address, length] : {std::pair {&random.source, &random.sourceLength},
                                       std::pair {&random.destination, &random.destinationLength}}) {
            if (g() % 3 == 0) {
                *address = {};
                *length = 0;
            } else {
                address->family = random.family;
                for (std::size_t k = address->byteLength(); k < address->bytes.size(); ++k)
                    address->bytes[k] = 0;
                *length = std::uint8_t(g() % (bits + 1));
                if (*length == 0)
                    *length = bits;
            }
        }
        random.inputInterface = g() % 2 ? "" : "eth" + std::to_string(g() % 10);
        random.outputInterface = g() % 2 ? "" : "v" + std::to_string(g() % 10);
        if (random.fwmark == 0 && random.fwmask == 0xffffffffu)
            random.fwmask = 0;
        if (random.fwmask == 0 && random.fwmark != 0)
            random.fwmask = 0xffffffffu;
        random.l3mdev = random.l3mdev % 2;
        if (!random.hasUidRange)
            random.uidStart = random.uidEnd = 0;
        if (random.sportStart == 0 && random.sportEnd != 0)
            random.sportStart = 1;
        if (random.dportStart == 0 && random.dportEnd != 0)
            random.dportStart = 1;
        random.action
            = std::array {RuleToTable, RuleGoto, RuleNop, RuleBlackhole, RuleUnreachable, RuleProhibit}[g() % 6];
        if (random.action != RuleGoto)
            random.gotoPriority = 0;
        if (random.suppressPrefixLength < -1)
            random.suppressPrefixLength = -1;
        if (random.suppressIfgroup < -1)
            random.suppressIfgroup = 7;
        rules.push_back(random);
    }
    for (const RuleRow &rule : rules) {
        std::string text;
        fieldtext::ruleText(text, rule);
        RuleRow back;
        back.family = rule.family;
        back.priority = rule.priority;
        back.protocol = rule.protocol;
        back.inputInterface = "stale"; // reset by the parse
        CHECK_MESSAGE(parseRuleText(text, back), text);
        CHECK_MESSAGE(firstDifference(rule, back).empty(), (text + ": " + firstDifference(rule, back)));
    }
    RuleRow bad;
    CHECK_FALSE(parseRuleText("from 10.1.0.0/33 lookup main", bad));
    CHECK_FALSE(parseRuleText("from all lookup", bad));
    CHECK_FALSE(parseRuleText("from all frobnicate 3", bad));
    CHECK_FALSE(parseRuleText("lookup main", bad)); // ip always writes from
    CHECK(parseRuleText("from all lookup main", bad));
    CHECK_EQ(bad.table, 254u);

    // Every field is the rule's identity: a rule never changes, it goes and another comes.
    RuleRow other = r;
    other.table = 101;
    CHECK_EQ(diff(r, other), FieldMask(0));
    StateStore store(StateStore::KeyScheme::Linux);
    ChangeRecord record;
    CHECK(store.upsert(r, 1, Origin::Observed, &record));
    CHECK_EQ(record.change, ChangeKind::Add);
    CHECK_FALSE(store.upsert(r, 2, Origin::Observed, &record)); // the same rule again: nothing
    CHECK(store.upsert(other, 3, Origin::Observed, &record));
    CHECK_EQ(record.change, ChangeKind::Add);
    CHECK_EQ(store.ruleCount(), 2u);
    CHECK(store.remove(r, 4, Origin::Observed, &record));
    CHECK_EQ(record.change, ChangeKind::Delete);
    CHECK_EQ(store.ruleCount(), 1u);
}

TEST_CASE("fields_and_columns_by_name")
{
    static_assert(fieldIndex<RouteRow>("metric") >= 0);
    CHECK_EQ(std::string(fieldInfos<RouteRow>[std::size_t(fieldIndex<RouteRow>("metric"))].header),
             std::string("Metric"));
    CHECK_EQ(std::string(fieldName(ObjectKind::Route, fieldIndex<RouteRow>("nexthops"))), std::string("nexthops"));
    CHECK_EQ(fieldList(ObjectKind::Route, fieldBit<RouteRow>("metric") | fieldBit<RouteRow>("nexthops")),
             std::string("nexthops;metric"));
    CHECK_EQ(std::string(fieldInfos<RouteRow>[columnFields<RouteRow>[std::size_t(columnOf<RouteRow>("prefsrc"))]].name),
             std::string("prefsrc"));
    // A column shows changes of the fields it is marked by.
    CHECK((columnMarks<RouteRow>[std::size_t(columnOf<RouteRow>("gateways"))] & fieldBit<RouteRow>("nhid")) != 0);
}

// Times at the ends of the range (a record read from damaged bytes) are written without
// overflowing: long past is "expired", far ahead a countdown.
TEST_CASE("extreme_times_are_written")
{
    const auto texts = [](std::int64_t us) {
        RouteRow r;
        r.expiresUs = us;
        std::string text, cell;
        const FieldInfo<RouteRow> &info = fieldInfos<RouteRow>[std::size_t(fieldIndex<RouteRow>("expires"))];
        info.text(text, r);
        info.cell(cell, r);
        return text + "|" + cell;
    };
    CHECK_EQ(texts(std::numeric_limits<std::int64_t>::min()), std::string("expired|0s"));
    CHECK_EQ(texts(std::numeric_limits<std::int64_t>::max()).substr(0, 3), std::string("in "));
    AddressRow a;
    a.validUntilUs = std::numeric_limits<std::int64_t>::min();
    std::string valid;
    fieldInfos<AddressRow>[std::size_t(fieldIndex<AddressRow>("valid_lft"))].cell(valid, a);
    CHECK_EQ(valid, std::string("0s"));
}

namespace {
struct Numbered {
    std::uint32_t value = 0;
};
inline constexpr NameTable kTestNames {ValueName {1, "one"}, ValueName {255, ""}};
struct NumberedDescription {
    static constexpr auto entry = field<&Numbered::value>("value", "a test number").nameTable<kTestNames>();
};
} // namespace

TEST_CASE("name_tables_name_some_values")
{
    const auto text = [](std::uint32_t v) {
        std::string out;
        NumberedDescription::entry.info.text(out, Numbered {v});
        return out;
    };
    CHECK_EQ(text(1), std::string("one"));
    CHECK_EQ(text(255), std::string()); // named as nothing
    CHECK_EQ(text(7), std::string("7")); // not named: the number
    std::string small;
    NumberedDescription::entry.info.smallText(small, 1);
    CHECK_EQ(small, std::string("one"));
}

TEST_CASE("route_next_hops_name_the_row_interface_as_ip_route_writes_it")
{
    RouteRow r;
    r.destination = IpAddress::v4(10, 66, 0, 0);
    r.prefixLength = 16;
    r.table = 254;
    r.protocol = 3; // boot
    NextHop first;
    first.gateway = IpAddress::v4(10, 62, 0, 2);
    first.ifIndex = 5;
    r.nextHops = {first};
    std::string text;
    appendAttributes(text, r);
    CHECK_EQ(text, std::string("via 10.62.0.2 dev 5 metric 0 table main proto boot"));
    text.clear();
    appendAttributes(text, r, KnownFields::All, "lk1");
    CHECK_EQ(text, std::string("via 10.62.0.2 dev lk1 metric 0 table main proto boot"));
    // No usable name ("" or the placeholder "if 5"): the index.
    text.clear();
    appendAttributes(text, r, KnownFields::All, "if 5");
    CHECK_EQ(text, std::string("via 10.62.0.2 dev 5 metric 0 table main proto boot"));
    // The details panel's nexthops field names it too; the interface field (if_index) stays
    // the number.
    for (const auto &[name, value] : fieldTexts(r, KnownFields::All, "lk1")) {
        if (name == "nexthops")
            CHECK_EQ(value, std::string("via 10.62.0.2 dev lk1"));
        if (name == "interface")
            CHECK_EQ(value, std::string("5"));
    }
    text.clear();
    appendCsvCell(text, r, CsvColumn::IfIndex, "lk1");
    CHECK_EQ(text, std::string("5"));

    // Multipath: the hops on the row's interface (the first hop's) by name, the others by
    // index (the writer knows one name).
    NextHop second;
    second.gateway = IpAddress::v4(10, 63, 0, 2);
    second.ifIndex = 6;
    NextHop third = first;
    third.gateway = IpAddress::v4(10, 62, 0, 3);
    RouteRow multi = r;
    multi.nextHops = {first, second, third};
    text.clear();
    fieldtext::nextHopsNamed(text, multi, "lk1");
    CHECK_EQ(
        text,
        std::string("via 10.62.0.2 dev lk1 weight 1, via 10.63.0.2 dev 6 weight 1, via 10.62.0.3 dev lk1 weight 1"));

    // A change: each side named when it is on the record's interface.
    RouteRow moved = multi;
    moved.nextHops = {second, first};
    ChangeRecord change;
    change.object = ObjectKind::Route;
    change.change = ChangeKind::Parameter;
    change.before = multi;
    change.after = multi;
    std::get<RouteRow>(change.after).nextHops.pop_back();
    change.changedFields = fieldBit<RouteRow>("nexthops");
    text.clear();
    appendChanges(text, change, KnownFields::All, "lk1");
    CHECK_EQ(text,
             std::string("nexthops via 10.62.0.2 dev lk1 weight 1, via 10.63.0.2 dev 6 weight 1, via 10.62.0.3 dev "
                         "lk1 weight 1 -> via 10.62.0.2 dev lk1 weight 1, via 10.63.0.2 dev 6 weight 1"));
    change.before = moved; // first hop on interface 6: lk1 is not its name
    text.clear();
    appendChanges(text, change, KnownFields::All, "lk1");
    CHECK_EQ(text,
             std::string("nexthops via 10.63.0.2 dev 6 weight 1, via 10.62.0.2 dev 5 weight 1 -> via 10.62.0.2 dev "
                         "lk1 weight 1, via 10.63.0.2 dev 6 weight 1"));
}

TEST_CASE("nexthop_texts_as_ip_nexthop_writes_them_and_back")
{
    NexthopRow gw;
    gw.id = 5;
    gw.family = Family::IPv4;
    gw.gateway = IpAddress::v4(10, 1, 0, 2);
    gw.ifIndex = 3;
    gw.protocol = 4; // static
    gw.flags = RtnhOnlink;
    std::string text;
    appendAttributes(text, gw);
    CHECK_EQ(text, std::string("via 10.1.0.2 dev 3 proto static onlink"));
    text.clear();
    fieldtext::nexthopText(text, gw);
    CHECK_EQ(text, std::string("id 5 via 10.1.0.2 dev 3 onlink")); // the protocol has its own CSV column
    CHECK_EQ(keyText(gw), std::string("id 5"));
    CHECK_EQ(rowIfIndex(gw), 3u);
    // The device by the name the writer knows for it, as ip writes it; by index when it
    // knows none ("" or "if 3", a placeholder with a space). if_index stays the number.
    text.clear();
    appendAttributes(text, gw, KnownFields::All, "veth0");
    CHECK_EQ(text, std::string("via 10.1.0.2 dev veth0 proto static onlink"));
    text.clear();
    appendCsvCell(text, gw, CsvColumn::Destination, "veth0");
    CHECK_EQ(text, std::string("id 5 via 10.1.0.2 dev veth0 onlink"));
    text.clear();
    appendCsvCell(text, gw, CsvColumn::IfIndex, "veth0");
    CHECK_EQ(text, std::string("3"));
    text.clear();
    fieldtext::nexthopNamedText(text, gw, "if 3");
    CHECK_EQ(text, std::string("id 5 via 10.1.0.2 dev 3 onlink"));
    // Read back: the name goes to the caller (who has the index), a number to ifIndex.
    NexthopRow named;
    std::string_view device;
    CHECK(parseNexthopText("id 5 via 10.1.0.2 dev veth0 onlink", named, &device));
    CHECK_EQ(device, std::string_view("veth0"));
    CHECK_EQ(named.ifIndex, 0u);
    CHECK(!parseNexthopText("id 5 via 10.1.0.2 dev veth0 onlink", named)); // a name nobody takes
    CHECK(parseNexthopText("id 5 dev 3", named, &device));
    CHECK_EQ(device, std::string_view("3"));
    CHECK_EQ(named.ifIndex, 3u);

    NexthopRow group;
    group.id = 7;
    group.group = {{5, 1}, {6, 3}};
    text.clear();
    appendAttributes(text, group);
    CHECK_EQ(text, std::string("group 5/6,3"));
    group.groupType = NexthopGroupResilient;
    text.clear();
    fieldtext::nexthopText(text, group);
    CHECK_EQ(text, std::string("id 7 group 5/6,3 type resilient"));

    NexthopRow drop;
    drop.id = 3;
    drop.blackhole = true;
    drop.fdb = true;
    drop.flags = RtnhDead | RtnhLinkdown;
    text.clear();
    fieldtext::nexthopText(text, drop);
    CHECK_EQ(text, std::string("id 3 blackhole dead linkdown fdb"));

    // A replace is a parameter change of what it changed; the id is the key.
    NexthopRow moved = gw;
    moved.gateway = IpAddress::v4(10, 1, 0, 3);
    CHECK_EQ(diff(gw, moved), fieldBit<NexthopRow>("gateway"));
    NexthopRow shrunk = group;
    shrunk.group.pop_back();
    CHECK_EQ(diff(group, shrunk), fieldBit<NexthopRow>("group"));
    StateStore keys;
    CHECK_EQ(keys.key(gw), keys.key(moved));
    CHECK(keys.key(gw) != keys.key(group));

    // nexthopText() reads back into every field but the family and protocol (their own
    // columns), for rows as the kernel makes them and for random ones.
    std::vector<NexthopRow> rows {gw, group, drop};
    Random g(21);
    for (int i = 0; i < 300; ++i) {
        NexthopRow r = randomRow<NexthopRow>(g);
        if (r.id == 0)
            r.id = 1;
        if (r.group.empty())
            r.groupType = NexthopGroupMpath; // written with a group only
        rows.push_back(r);
    }
    for (const NexthopRow &row : rows) {
        text.clear();
        fieldtext::nexthopText(text, row);
        NexthopRow back;
        back.protocol = row.protocol;
        CHECK_MESSAGE(parseNexthopText(text, back), text);
        back.family = row.family;
        CHECK_MESSAGE(firstDifference(row, back).empty(), (text + ": " + firstDifference(row, back)));
    }
    NexthopRow bad;
    for (const char *wrong : {"", "via 10.1.0.2", "id 0", "id 5 via 10.1.0.999", "id 5 group", "id 5 group 1/",
                              "id 5 group 1,0", "id 5 type", "id 5 frobnicate", "id x"})
        CHECK_MESSAGE(!parseNexthopText(wrong, bad), wrong);
}
