// SPDX-License-Identifier: GPL-2.0-or-later
// ManualSource: the register/cancel contract every Source keeps (errors as in the
// reference pages, initial notification, family filter, cancel inside a callback).
#include "support/platformtest.h"

#include "support/manualsource.h"

#include <atomic>
#include <thread>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

using namespace ncv::platform;

namespace {
struct Collector {
    std::vector<ChangeRecord> records;
    ManualSource *source = nullptr;
    Handle handle = 0;
    bool cancelInside = false;
    Status cancelStatus;
};

void collect(void *ctx, std::span<const ChangeRecord> records)
{
    auto *c = static_cast<Collector *>(ctx);
    c->records.insert(c->records.end(), records.begin(), records.end());
    if (c->cancelInside && c->handle)
        c->cancelStatus = c->source->cancel(c->handle);
}

RouteRow route(const char *dst)
{
    RouteRow r;
    r.destination = IpAddress::parse(dst);
    r.prefixLength = r.destination.family == Family::IPv4 ? 24 : 64;
    return r;
}
} // namespace

TEST_CASE("errors_as_documented")
{
    ManualSource source;
    Collector c;
    Handle h = 0;
    RegisterParams p {AllObjectsMask, 12345, collect, &c, true};
    Status s = source.registerChanges(p, &h);
    CHECK(s.error == Error::InvalidParameter);
    CHECK(s.message.find("12345") != std::string::npos);
    p.addressFamily = AF_INET;
    p.callback = nullptr;
    CHECK(source.registerChanges(p, &h).error == Error::InvalidParameter);
    p.callback = collect;
    CHECK(source.registerChanges(p, nullptr).error == Error::InvalidParameter);
    CHECK(source.cancel(0).error == Error::InvalidParameter);
    CHECK(source.cancel(999).error == Error::InvalidHandle);
    CHECK(source.registerChanges(p, &h).ok());
    CHECK(source.cancel(h).ok());
    CHECK(source.cancel(h).error == Error::InvalidHandle); // double cancel
}

TEST_CASE("initial_then_snapshot_complete_then_live")
{
    ManualSource source;
    source.upsert(route("10.0.0.0"));
    Collector c;
    Handle h = 0;
    CHECK(source.registerChanges({AllObjectsMask, AF_UNSPEC, collect, &c, true}, &h).ok());
    CHECK_EQ(c.records.size(), std::size_t(2));
    CHECK(c.records[0].change == ChangeKind::Initial);
    CHECK(c.records[1].change == ChangeKind::SnapshotComplete);
    source.upsert(route("10.1.0.0"));
    CHECK_EQ(c.records.size(), std::size_t(3));
    CHECK(c.records[2].change == ChangeKind::Add);

    Collector quiet;
    Handle h2 = 0;
    CHECK(source.registerChanges({AllObjectsMask, AF_UNSPEC, collect, &quiet, false}, &h2).ok());
    CHECK_EQ(quiet.records.size(), std::size_t(1));
    CHECK(quiet.records[0].change == ChangeKind::SnapshotComplete);
    source.cancel(h);
    source.cancel(h2);
}

TEST_CASE("family_filter")
{
    ManualSource source;
    Collector v4;
    Handle h = 0;
    CHECK(source.registerChanges({AllObjectsMask, AF_INET, collect, &v4, false}, &h).ok());
    source.upsert(route("2001:db8::"));
    source.upsert(route("10.0.0.0"));
    InterfaceRow i;
    i.ifIndex = 3;
    source.upsert(i);
    CHECK_EQ(v4.records.size(), std::size_t(3)); // snapshot-complete, the IPv4 route, the interface
    for (const auto &r : v4.records)
        CHECK(r.family != Family::IPv6);
    source.cancel(h);
}

TEST_CASE("cancel_inside_callback_is_deferred")
{
    ManualSource source;
    Collector c;
    c.source = &source;
    CHECK(source.registerChanges({AllObjectsMask, AF_UNSPEC, collect, &c, false}, &c.handle).ok());
    c.cancelInside = true;
    source.upsert(route("10.0.0.0")); // the callback cancels itself
    CHECK(c.cancelStatus.ok());
    const auto seen = c.records.size();
    source.upsert(route("10.1.0.0"));
    CHECK_EQ(c.records.size(), seen);
    CHECK_EQ(source.registrationCount(), std::size_t(0));
}

TEST_CASE("no_callback_after_cancel_returns")
{
    ManualSource source;
    std::atomic<bool> cancelled {false};
    std::atomic<int> late {0};
    struct Ctx {
        std::atomic<bool> *cancelled;
        std::atomic<int> *late;
    } ctx {&cancelled, &late};
    auto cb = [](void *p, std::span<const ChangeRecord>) {
        auto *c = static_cast<Ctx *>(p);
        if (c->cancelled->load())
            c->late->fetch_add(1);
        std::this_thread::yield();
    };
    Handle h = 0;
    CHECK(source.registerChanges({AllObjectsMask, AF_UNSPEC, cb, &ctx, false}, &h).ok());
    std::thread producer([&] {
        for (int k = 0; k < 20000; ++k) {
            RouteRow r;
            r.destination = IpAddress::v4(10, std::uint8_t(k >> 8), std::uint8_t(k), 0);
            r.prefixLength = 24;
            source.upsert(r);
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(source.cancel(h).ok());
    cancelled = true;
    producer.join();
    CHECK_EQ(late.load(), 0);
}

TEST_CASE("entities_per_registration")
{
    ManualSource source;
    source.setEntityRecords(true);
    RouteRow bird = route("10.0.0.0");
    bird.protocol = 12;
    source.upsert(bird); // before any registration: counted by the quiet registration below
    Collector quiet, v6;
    Handle h = 0, h6 = 0;
    CHECK(source.registerChanges({AllObjectsMask, AF_UNSPEC, collect, &quiet, false}, &h).ok());
    CHECK(source.registerChanges({AllObjectsMask, AF_INET6, collect, &v6, true}, &h6).ok());
    CHECK_EQ(v6.records.size(), std::size_t(1)); // no IPv6 routes: no entity
    Collector all;
    Handle ha = 0;
    CHECK(source.registerChanges({AllObjectsMask, AF_UNSPEC, collect, &all, true}, &ha).ok());
    CHECK_EQ(all.records.size(), std::size_t(3)); // route initial, entity initial (bird, 1 route), snapshot-complete
    CHECK(all.records[1].object == ObjectKind::Entity);
    CHECK(all.records[1].change == ChangeKind::Initial);
    CHECK_EQ(std::get<EntityRow>(all.records[1].after).routeCount, std::uint64_t(1));
    source.cancel(ha);
    RouteRow bird2 = route("10.1.0.0");
    bird2.protocol = 12;
    source.upsert(bird2);
    CHECK_EQ(quiet.records.size(), std::size_t(2)); // snapshot-complete, route add (bird already registered)
    source.remove(bird);
    source.remove(bird2);
    CHECK_EQ(quiet.records.size(), std::size_t(5));
    CHECK(quiet.records[4].object == ObjectKind::Entity);
    CHECK(quiet.records[4].change == ChangeKind::Deregistered);
    CHECK_EQ(v6.records.size(), std::size_t(1)); // the IPv6 registration saw none of it
    // deliver() passes records as they are, without entity records.
    ChangeRecord add;
    add.object = ObjectKind::Route;
    add.change = ChangeKind::Add;
    add.family = Family::IPv4;
    add.after = bird;
    source.deliver({add});
    CHECK_EQ(quiet.records.size(), std::size_t(6));
    source.cancel(h);
    source.cancel(h6);
}

TEST_CASE("entities_are_off_by_default")
{
    ManualSource source;
    Collector c;
    Handle h = 0;
    CHECK(source.registerChanges({AllObjectsMask, AF_UNSPEC, collect, &c, true}, &h).ok());
    source.upsert(route("10.0.0.0"));
    source.remove(route("10.0.0.0"));
    CHECK_EQ(c.records.size(), std::size_t(3)); // snapshot-complete, add, delete
    source.cancel(h);
}
