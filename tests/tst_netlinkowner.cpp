// SPDX-License-Identifier: GPL-2.0-or-later
// NetlinkOwnerResolver: port id -> process, against real processes holding real netlink
// sockets in a private network namespace (skips where namespaces are not allowed), a real
// route notification, and a made-up /proc tree for the malformed entries, the rate limit
// and the cache bound.
#include "support/netns.h"
#include "support/platformtest.h"

#include "platform/linux/netlinkowner.h"
#include "platform/linux/procnet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// For doctest's messages.
template<> struct doctest::StringMaker<ncv::platform::NetlinkOwner::State> {
    static String convert(ncv::platform::NetlinkOwner::State state)
    {
        return std::string(ncv::platform::ownerStateName(state)).c_str();
    }
};

using namespace ncv::platform;
using namespace std::chrono_literals;
using State = NetlinkOwner::State;

namespace {

constexpr int kTimeoutMs = 5000;

bool readAll(int fd, void *data, std::size_t size)
{
    auto *p = static_cast<char *>(data);
    while (size > 0) {
        pollfd pfd {fd, POLLIN, 0};
        if (::poll(&pfd, 1, kTimeoutMs) != 1)
            return false;
        const ssize_t n = ::read(fd, p, size);
        if (n <= 0)
            return false;
        p += n;
        size -= std::size_t(n);
    }
    return true;
}

bool writeAll(int fd, const void *data, std::size_t size)
{
    return ::write(fd, data, size) == ssize_t(size);
}

// RTM_NEWROUTE for blackhole 10.77.<octet>.0/24 in table main, over nl; 0 or an errno.
int addBlackholeRoute(mnl_socket *nl, std::uint8_t octet)
{
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr *nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = RTM_NEWROUTE;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
    nlh->nlmsg_seq = 1;
    auto *rtm = static_cast<rtmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = 24;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_STATIC;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_BLACKHOLE;
    const in_addr dst {htonl(0x0a4d0000u | (std::uint32_t(octet) << 8))};
    mnl_attr_put(nlh, RTA_DST, sizeof dst, &dst);
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
        return errno;
    const ssize_t n = mnl_socket_recvfrom(nl, buf.data(), buf.size());
    if (n < 0)
        return errno;
    return mnl_cb_run(buf.data(), std::size_t(n), 1, mnl_socket_get_portid(nl), nullptr, nullptr) < 0 ? errno : 0;
}

// A forked process holding netlink sockets until told to quit. Its comm is `name`; it reports
// the port ids of its sockets, and on 'r' <socket index> <octet> adds a blackhole route over
// that socket. The test process is single-threaded (doctest), so fork is safe here.
struct Child {
    pid_t pid = -1;
    int commands = -1;
    int replies = -1;
    std::vector<std::uint32_t> ports;

    Child() = default;
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;
    ~Child() { quit(); }

    int addRoute(std::uint8_t socketIndex, std::uint8_t octet)
    {
        const char command[3] = {'r', char(socketIndex), char(octet)};
        int result = -1;
        if (!writeAll(commands, command, sizeof command) || !readAll(replies, &result, sizeof result))
            return -1;
        return result;
    }
    void quit()
    {
        if (pid <= 0)
            return;
        ::close(commands);
        ::close(replies);
        ::waitpid(pid, nullptr, 0);
        pid = -1;
    }
};

enum class SocketKind { Plain, Mnl };

[[noreturn]] void childMain(const char *name, int count, SocketKind kind, int commands, int replies)
{
    ::prctl(PR_SET_NAME, name);
    std::vector<mnl_socket *> mnlSockets;
    std::vector<std::uint32_t> ports;
    for (int i = 0; i < count; ++i) {
        if (kind == SocketKind::Plain) {
            const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
            sockaddr_nl address {};
            address.nl_family = AF_NETLINK; // nl_pid 0: the kernel picks the port id
            socklen_t length = sizeof address;
            if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
                || ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
                ::_exit(2);
            ports.push_back(address.nl_pid);
        } else {
            mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
            if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                ::_exit(2);
            mnlSockets.push_back(nl);
            ports.push_back(mnl_socket_get_portid(nl));
        }
    }
    const std::uint32_t n = std::uint32_t(ports.size());
    if (!writeAll(replies, &n, sizeof n) || !writeAll(replies, ports.data(), ports.size() * sizeof ports[0]))
        ::_exit(3);
    for (;;) {
        char command[3];
        if (::read(commands, command, 1) != 1 || command[0] != 'r')
            ::_exit(0);
        if (::read(commands, command + 1, 2) != 2)
            ::_exit(0);
        const auto index = std::size_t(std::uint8_t(command[1]));
        const int result
            = index < mnlSockets.size() ? addBlackholeRoute(mnlSockets[index], std::uint8_t(command[2])) : EINVAL;
        writeAll(replies, &result, sizeof result);
    }
}

bool startChild(Child &child, const char *name, int count, SocketKind kind)
{
    int commands[2];
    int replies[2];
    if (::pipe2(commands, O_CLOEXEC) != 0 || ::pipe2(replies, O_CLOEXEC) != 0)
        return false;
    const pid_t pid = ::fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        ::close(commands[1]);
        ::close(replies[0]);
        childMain(name, count, kind, commands[0], replies[1]);
    }
    ::close(commands[0]);
    ::close(replies[1]);
    child.pid = pid;
    child.commands = commands[1];
    child.replies = replies[0];
    std::uint32_t n = 0;
    if (!readAll(child.replies, &n, sizeof n) || n != std::uint32_t(count))
        return false;
    child.ports.resize(n);
    return readAll(child.replies, child.ports.data(), n * sizeof child.ports[0]);
}

// fork + exec of argv with stdout/stderr on /dev/null; the PID (the same after exec).
pid_t spawn(const std::vector<const char *> &argv)
{
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        std::vector<char *> args;
        for (const char *a : argv)
            args.push_back(const_cast<char *>(a));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

std::string readText(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string firstLineOf(const std::string &path)
{
    std::string text = readText(path);
    return text.substr(0, text.find('\n'));
}

// A resolver whose clock the test moves on (boot time + offset).
struct TestClock {
    std::chrono::nanoseconds offset {0};
    NetlinkOwnerResolver::Clock clock()
    {
        return [this] { return NetlinkOwnerResolver::bootClockNow() + offset; };
    }
};

// The nlmsg_pid of the first RTM_NEWROUTE for `destination` (host order) read from mon.
std::optional<std::uint32_t> waitRouteNotification(mnl_socket *mon, std::uint32_t destination)
{
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd pfd {mnl_socket_get_fd(mon), POLLIN, 0};
        if (::poll(&pfd, 1, 200) != 1)
            continue;
        const ssize_t n = mnl_socket_recvfrom(mon, buf.data(), buf.size());
        if (n <= 0)
            return std::nullopt;
        int left = int(n);
        for (auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data()); mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_type != RTM_NEWROUTE)
                continue;
            const char *tail = static_cast<const char *>(mnl_nlmsg_get_payload_tail(nlh));
            for (auto *attr = static_cast<nlattr *>(mnl_nlmsg_get_payload_offset(nlh, sizeof(rtmsg)));
                 mnl_attr_ok(attr, int(tail - reinterpret_cast<const char *>(attr))); attr = mnl_attr_next(attr)) {
                if (mnl_attr_get_type(attr) == RTA_DST && mnl_attr_get_payload_len(attr) == 4
                    && ntohl(mnl_attr_get_u32(attr)) == destination)
                    return nlh->nlmsg_pid;
            }
        }
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("a process with one NETLINK_ROUTE socket: its port id maps to its PID and comm")
{
    REQUIRE_NAMESPACE();
    Child child;
    REQUIRE(startChild(child, "ncv-owner-a", 1, SocketKind::Plain));
    REQUIRE(child.ports.size() == 1);

    NetlinkOwnerResolver resolver;
    const NetlinkOwner owner = resolver.resolve(child.ports[0]);
    CHECK(ownerStateName(owner.state) == "found");
    CHECK(owner.portId == child.ports[0]);
    CHECK(owner.pid == child.pid);
    CHECK(owner.command == "ncv-owner-a");
    CHECK_FALSE(owner.pidFromPortId); // seen in the socket table, not guessed
    std::string cmdline = readText("/proc/self/cmdline"); // a fork has its parent's command line
    while (!cmdline.empty() && cmdline.back() == '\0')
        cmdline.pop_back();
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    CHECK(owner.commandLine == cmdline.substr(0, 1024));
    CHECK(owner.cgroup == firstLineOf("/proc/" + std::to_string(child.pid) + "/cgroup"));
    REQUIRE(owner.startTime.has_value());
    CHECK(*owner.startTime <= NetlinkOwnerResolver::bootClockNow());
    CHECK(*owner.startTime > NetlinkOwnerResolver::bootClockNow() - 60s);

    // Another program's command line: `ip monitor route` holds one NETLINK_ROUTE socket.
    const pid_t ip = spawn({"ip", "monitor", "route"});
    REQUIRE(ip > 0);
    bool listed = false;
    for (int i = 0; i < kTimeoutMs / 10 && !listed; ++i) {
        listed = procnet::readNetlinkSocket(std::uint32_t(ip)).has_value();
        if (!listed)
            std::this_thread::sleep_for(10ms);
    }
    NetlinkOwner monitor;
    if (listed) // a new resolver: the first one refreshed just now and would only guess
        monitor = NetlinkOwnerResolver().resolve(std::uint32_t(ip));
    ::kill(ip, SIGTERM);
    ::waitpid(ip, nullptr, 0);
    REQUIRE(listed);
    CHECK(monitor.state == State::Found);
    CHECK(monitor.pid == ip);
    CHECK(monitor.command == "ip");
    CHECK(monitor.commandLine == "ip monitor route");
    CHECK_FALSE(monitor.pidFromPortId);
}

TEST_CASE("a process with several libmnl sockets: every port id maps to that process")
{
    REQUIRE_NAMESPACE();
    Child child;
    REQUIRE(startChild(child, "ncv-owner-b", 3, SocketKind::Mnl));
    REQUIRE(child.ports.size() == 3);
    // The kernel gives the first its PID and the others negative ids (printed unsigned).
    CHECK(child.ports[0] == std::uint32_t(child.pid));
    CHECK(child.ports[1] > 0x80000000u);
    CHECK(child.ports[2] > 0x80000000u);

    NetlinkOwnerResolver resolver;
    // The last one first: it is not the PID, so only the table and /proc/*/fd can tell.
    for (auto it = child.ports.rbegin(); it != child.ports.rend(); ++it) {
        CAPTURE(*it);
        const NetlinkOwner owner = resolver.resolve(*it);
        CHECK(owner.state == State::Found);
        CHECK(owner.pid == child.pid);
        CHECK(owner.command == "ncv-owner-b");
        CHECK_FALSE(owner.pidFromPortId);
    }
    // One refresh found all three: the others came from the cache.
    CHECK(resolver.stats().refreshes == 1);
    CHECK(resolver.stats().scans == 1);
}

TEST_CASE("port 0 is the kernel, without reading /proc")
{
    NetlinkOwnerResolver::Options options;
    options.procRoot = "/nonexistent-proc";
    NetlinkOwnerResolver resolver(options);
    const NetlinkOwner owner = resolver.resolve(0);
    CHECK(owner.state == State::Kernel);
    CHECK(owner.pid == 0);
    CHECK(owner.command.empty());
    CHECK(resolver.stats().refreshes == 0);
    CHECK(ownerStateName(owner.state) == "kernel");
}

TEST_CASE("a process that exits after its socket was seen is Exited with its PID; a never-seen id is Unknown")
{
    REQUIRE_NAMESPACE();
    TestClock clock;
    NetlinkOwnerResolver::Options options;
    options.clock = clock.clock();
    NetlinkOwnerResolver resolver(options);

    Child child;
    REQUIRE(startChild(child, "ncv-owner-d", 2, SocketKind::Mnl));
    const pid_t pid = child.pid;
    const std::uint32_t second = child.ports[1]; // not the PID: no guessing possible
    const NetlinkOwner before = resolver.resolve(second);
    REQUIRE(before.state == State::Found);
    REQUIRE(before.pid == pid);

    child.quit(); // exits and is reaped: /proc/PID is gone
    clock.offset += 1s; // past the liveness check interval
    const NetlinkOwner after = resolver.resolve(second);
    CHECK(after.state == State::Exited);
    CHECK(after.pid == pid);
    CHECK(after.command == "ncv-owner-d"); // as read when the socket was seen
    CHECK(after.startTime == before.startTime);
    CHECK_FALSE(after.pidFromPortId);

    // An id that no socket had and that cannot be a PID (a kernel-chosen negative id).
    const NetlinkOwner never = resolver.resolve(0xfff00000u);
    CHECK(never.state == State::Unknown);
    CHECK(never.pid == 0);
    CHECK(never.command.empty());

    // An id in the PID range whose socket was never seen and whose process is gone: the
    // kernel gives a process's first socket its PID, so the PID is kept, marked as guessed.
    const pid_t gone = ::fork();
    if (gone == 0)
        ::_exit(0);
    REQUIRE(gone > 0);
    ::waitpid(gone, nullptr, 0);
    const NetlinkOwner guessed = resolver.resolve(std::uint32_t(gone));
    CHECK(guessed.state == State::Exited);
    CHECK(guessed.pid == gone);
    CHECK(guessed.pidFromPortId);
    CHECK(guessed.command.empty());
}

TEST_CASE("a route notification is attributed to the process that asked for it")
{
    REQUIRE_NAMESPACE();
    mnl_socket *mon = mnl_socket_open(NETLINK_ROUTE);
    REQUIRE(mon != nullptr);
    REQUIRE(mnl_socket_bind(mon, RTMGRP_IPV4_ROUTE, MNL_SOCKET_AUTOPID) == 0);
    NetlinkOwnerResolver resolver;

    SUBCASE("a child adds the route over its second libmnl socket")
    {
        Child child;
        REQUIRE(startChild(child, "ncv-owner-e", 2, SocketKind::Mnl));
        REQUIRE(child.addRoute(1, 1) == 0);
        const auto port = waitRouteNotification(mon, 0x0a4d0100u);
        REQUIRE(port.has_value());
        CHECK(*port == child.ports[1]); // the kernel stamps the requesting socket's port id
        const NetlinkOwner owner = resolver.resolve(*port);
        CHECK(owner.state == State::Found);
        CHECK(owner.pid == child.pid);
        CHECK(owner.command == "ncv-owner-e");
        CHECK_FALSE(owner.pidFromPortId);
    }

    SUBCASE("`ip route add`: ip with its PID, or Exited with its PID, never another process")
    {
        for (int i = 0; i < 4; ++i) {
            CAPTURE(i);
            const std::string prefix = "10.78." + std::to_string(i) + ".0/24";
            const pid_t ip = spawn({"ip", "route", "add", "blackhole", prefix.c_str()});
            REQUIRE(ip > 0);
            // Half of the runs resolve after ip was reaped: its socket is then never seen.
            int status = 0;
            if (i % 2 == 1)
                REQUIRE(::waitpid(ip, &status, 0) == ip);
            const auto port = waitRouteNotification(mon, 0x0a4e0000u | (std::uint32_t(i) << 8));
            REQUIRE(port.has_value());
            const NetlinkOwner owner = resolver.resolve(*port);
            if (i % 2 == 0)
                REQUIRE(::waitpid(ip, &status, 0) == ip);
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 0);
            CAPTURE(owner.state);
            CHECK((owner.state == State::Found || owner.state == State::Exited));
            CHECK(owner.pid == ip);
            if (!owner.command.empty())
                CHECK(owner.command == "ip");
            if (i % 2 == 1) {
                CHECK(owner.state == State::Exited);
                CHECK(owner.pidFromPortId);
            }
        }
    }

    SUBCASE("an address: the kernel's own local route has port id 0")
    {
        REQUIRE(std::system("ip address add 10.79.0.1/32 dev lo") == 0);
        // The local route 10.79.0.1 in table local comes from the kernel, not from ip.
        std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
        std::optional<std::uint32_t> port;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
        while (!port && std::chrono::steady_clock::now() < deadline) {
            pollfd pfd {mnl_socket_get_fd(mon), POLLIN, 0};
            if (::poll(&pfd, 1, 200) != 1)
                continue;
            const ssize_t n = mnl_socket_recvfrom(mon, buf.data(), buf.size());
            REQUIRE(n > 0);
            int left = int(n);
            for (auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data()); mnl_nlmsg_ok(nlh, left);
                 nlh = mnl_nlmsg_next(nlh, &left)) {
                if (nlh->nlmsg_type == RTM_NEWROUTE)
                    port = nlh->nlmsg_pid;
            }
        }
        REQUIRE(port.has_value());
        CHECK(resolver.resolve(*port).state == State::Kernel);
    }
    mnl_socket_close(mon);
}

namespace {

// A made-up /proc: procRoot/net/netlink and procRoot/PID/{stat,comm,cmdline,cgroup,fd/N}.
struct FakeProc {
    std::filesystem::path root;
    FakeProc()
    {
        char pattern[] = "/tmp/ncv-fakeproc-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        root = pattern;
        std::filesystem::create_directories(root / "net");
    }
    ~FakeProc() { std::filesystem::remove_all(root); }
    void write(const std::filesystem::path &relative, const std::string &text)
    {
        std::filesystem::create_directories((root / relative).parent_path());
        std::ofstream(root / relative, std::ios::binary | std::ios::trunc) << text;
    }
    void link(const std::filesystem::path &relative, const std::string &target)
    {
        std::filesystem::create_directories((root / relative).parent_path());
        std::filesystem::create_symlink(target, root / relative);
    }
    void process(int pid, const std::string &comm, std::uint64_t startTicks, const std::string &cmdline = "prog")
    {
        const std::string dir = std::to_string(pid);
        write(dir + "/stat",
              dir + " (" + comm + ") S 1 " + dir + " " + dir + " 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
                  + std::to_string(startTicks) + " 1000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0\n");
        write(dir + "/comm", comm + "\n");
        write(dir + "/cmdline", cmdline);
        write(dir + "/cgroup", "0::/fake.slice/p" + dir + ".service\n1:name=other:/\n");
    }
};

constexpr char kHeader[] = "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n";

std::string row(int eth, const std::string &port, const std::string &inode)
{
    return "0000000000000000 " + std::to_string(eth) + "   " + port
        + " 00000000 0        0        0     2        0     " + "   " + inode + "\n";
}

} // namespace

TEST_CASE("malformed and unreadable /proc entries give Unknown, never a crash")
{
    FakeProc proc;
    proc.write("net/netlink",
               std::string(kHeader) + row(0, "555", "9001") + row(0, "556", "9002") + row(16, "557", "9003")
                   + "garbage line\n" + row(0, "notanumber", "9010") + row(0, "99999999999999", "9011")
                   + row(0, "558", "9004") + row(0, "4294963199", "9005") + row(0, "560", "x") + "0 0\n");
    proc.process(123, "we (ird) name", 4242, std::string("prog\0--flag\0arg with space\0", 26));
    proc.link("123/fd/3", "socket:[9001]");
    proc.link("123/fd/4", "pipe:[9002]");
    proc.link("123/fd/5", "socket:[abc]");
    proc.link("123/fd/6", "socket:[");
    proc.link("123/fd/7", "socket:[9003]"); // a NETLINK_GENERIC socket: other port id space
    proc.write("124/stat", "124 (broken");
    proc.link("124/fd/3", "socket:[9004]");
    proc.process(125, "long", 4300, std::string(3000, 'x'));
    proc.link("125/fd/9", "socket:[9005]");
    proc.write("126/fd", "not a directory");
    proc.write("notapid/fd/1", "");
    proc.link("127", "/nonexistent");

    TestClock clock;
    NetlinkOwnerResolver::Options options;
    options.procRoot = proc.root.string();
    options.clock = clock.clock();
    options.maxCommandLine = 100;
    options.inferPidFromPortId = false;
    NetlinkOwnerResolver resolver(options);

    const NetlinkOwner found = resolver.resolve(555);
    CHECK(found.state == State::Found);
    CHECK(found.pid == 123);
    CHECK(found.command == "we (ird) name");
    CHECK(found.commandLine == "prog --flag arg with space");
    CHECK(found.cgroup == "0::/fake.slice/p123.service");
    REQUIRE(found.startTime.has_value());
    CHECK(*found.startTime == std::chrono::nanoseconds(4242 * (1'000'000'000 / ::sysconf(_SC_CLK_TCK))));

    CHECK(resolver.resolve(556).state == State::Unknown); // a pipe with that inode is no socket
    CHECK(resolver.resolve(557).state == State::Unknown); // only NETLINK_ROUTE rows count
    const NetlinkOwner broken = resolver.resolve(558);
    CHECK(broken.state == State::Unknown); // the holder's stat does not parse
    CHECK(broken.pid == 124);
    CHECK(resolver.resolve(560).state == State::Unknown);

    // The stat read but the comm gone: the process exited between the two reads.
    proc.write("net/netlink", std::string(kHeader) + row(0, "555", "9001") + row(0, "561", "9006"));
    proc.process(128, "ip", 4400);
    std::filesystem::remove(proc.root / "128/comm");
    proc.link("128/fd/3", "socket:[9006]");
    clock.offset += std::chrono::seconds(10); // past the refresh interval
    const NetlinkOwner vanished = resolver.resolve(561);
    CHECK(vanished.state == State::Exited);
    CHECK(vanished.pid == 128);
    proc.write("net/netlink",
               std::string(kHeader) + row(0, "555", "9001") + row(0, "556", "9002") + row(16, "557", "9003")
                   + row(0, "558", "9004") + row(0, "4294963199", "9005"));

    const NetlinkOwner negative = resolver.resolve(4294963199u);
    CHECK(negative.state == State::Found);
    CHECK(negative.pid == 125);
    CHECK(negative.commandLine == std::string(100, 'x')); // bounded

    // A table without its header, and no table at all.
    proc.write("net/netlink", row(0, "555", "9001"));
    NetlinkOwnerResolver headerless(options);
    CHECK(headerless.resolve(555).state == State::Unknown);
    std::filesystem::remove(proc.root / "net/netlink");
    NetlinkOwnerResolver tableless(options);
    CHECK(tableless.resolve(555).state == State::Unknown);
    options.procRoot = "/nonexistent-proc";
    NetlinkOwnerResolver noProc(options);
    CHECK(noProc.resolve(555).state == State::Unknown);
}

TEST_CASE("a reused PID or a process started after the notification is never the owner")
{
    FakeProc proc;
    proc.write("net/netlink", std::string(kHeader) + row(0, "4294963000", "9001") + row(0, "321", "9002"));
    proc.process(123, "first", 4242);
    proc.link("123/fd/3", "socket:[9001]");
    proc.process(321, "own", 4242);
    proc.link("321/fd/3", "socket:[9002]");

    TestClock clock;
    NetlinkOwnerResolver::Options options;
    options.procRoot = proc.root.string();
    options.clock = clock.clock();
    NetlinkOwnerResolver resolver(options);
    const auto tick = std::chrono::nanoseconds(1'000'000'000 / ::sysconf(_SC_CLK_TCK));

    // The notification came before the holder started (tick 4242): the holder is not it.
    const NetlinkOwner early = resolver.resolve(4294963000u, 4000 * tick);
    CHECK(early.state == State::Unknown);
    CHECK(early.pid == 0);
    const NetlinkOwner early321 = resolver.resolve(321, 4000 * tick);
    CHECK(early321.state == State::Exited); // an earlier process 321 had it
    CHECK(early321.pid == 321);
    CHECK(early321.command.empty()); // not the new process's name
    CHECK(resolver.resolve(321, 5000 * tick).state == State::Found);

    const NetlinkOwner owner = resolver.resolve(4294963000u, 5000 * tick);
    REQUIRE(owner.state == State::Found);
    REQUIRE(owner.pid == 123);

    // PID 123 is reused by a process started later; the cached owner is then Exited.
    std::filesystem::remove_all(proc.root / "123");
    proc.process(123, "second", 9999);
    clock.offset += 1s;
    const NetlinkOwner reused = resolver.resolve(4294963000u);
    CHECK(reused.state == State::Exited);
    CHECK(reused.pid == 123);
    CHECK(reused.command == "first");

    // A zombie has exited as well.
    proc.write("321/stat", "321 (own) Z 1 321 321 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n");
    clock.offset += 1s;
    CHECK(resolver.resolve(321).state == State::Exited);
}

TEST_CASE("refreshes are rate limited and the cache is bounded")
{
    FakeProc proc;
    proc.write("net/netlink", std::string(kHeader) + row(0, "4294963000", "9001"));
    proc.process(123, "holder", 10);
    proc.link("123/fd/3", "socket:[9001]");

    TestClock clock;
    NetlinkOwnerResolver::Options options;
    options.procRoot = proc.root.string();
    options.clock = clock.clock();
    options.minRefreshInterval = 250ms;
    options.missRetryInterval = 5s;
    options.capacity = 3;
    NetlinkOwnerResolver resolver(options);

    // A flood from an id that is nowhere: one refresh.
    for (int i = 0; i < 1000; ++i)
        CHECK(resolver.resolve(0xfff00001u).state == State::Unknown);
    CHECK(resolver.stats().refreshes == 1);
    // That refresh also found the holder of the table's one socket, in one scan.
    CHECK(resolver.stats().scans == 1);

    // Another unknown id within minRefreshInterval: answered without a refresh.
    CHECK(resolver.resolve(0xfff00002u).state == State::Unknown);
    CHECK(resolver.stats().refreshes == 1);
    clock.offset += 300ms;
    CHECK(resolver.resolve(0xfff00002u).state == State::Unknown);
    CHECK(resolver.stats().refreshes == 2);
    // The first id again, before missRetryInterval: no refresh; after it, one.
    clock.offset += 300ms;
    resolver.resolve(0xfff00001u);
    CHECK(resolver.stats().refreshes == 2);
    clock.offset += 5s;
    resolver.resolve(0xfff00001u);
    CHECK(resolver.stats().refreshes == 3);

    // A known socket is answered from the cache, however often.
    for (int i = 0; i < 1000; ++i)
        CHECK(resolver.resolve(4294963000u).pid == 123);
    CHECK(resolver.stats().refreshes == 3);

    // A new socket appears: the next unknown id finds it.
    proc.write("net/netlink", std::string(kHeader) + row(0, "4294963000", "9001") + row(0, "4294962999", "9003"));
    proc.link("123/fd/4", "socket:[9003]");
    clock.offset += 300ms;
    CHECK(resolver.resolve(4294962999u).pid == 123);
    CHECK(resolver.stats().refreshes == 4);

    for (std::uint32_t id = 0xfff00010u; id < 0xfff00020u; ++id) {
        clock.offset += 300ms;
        resolver.resolve(id);
    }
    CHECK(resolver.cacheSize() <= 3);
}

TEST_CASE("refresh cost: a full scan of /proc/*/fd on this machine (printed, not asserted)")
{
    std::uint64_t processes = 0;
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
        std::uint64_t scanned = 0;
        const auto start = std::chrono::steady_clock::now();
        // An inode nobody holds: every process is searched.
        const auto found = NetlinkOwnerResolver::findSocketHolders("/proc", {~std::uint64_t(0)}, {}, &scanned);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        CHECK(found.empty());
        processes = scanned;
    }
    std::string figures;
    for (const double m : ms)
        figures += std::to_string(m) + " ";
    MESSAGE("full /proc/*/fd scan: " << processes << " processes readable, ms per scan: " << figures);
}

TEST_CASE("a port id is looked up as a PID before the table: a requester gone meanwhile keeps its name")
{
    FakeProc proc;
    proc.process(4006, "ip", 4242, std::string("ip\0route\0add\0", 13));
    // The table is a FIFO: reading it waits for the writer below, which first takes the
    // process away, as a shell reaps `ip` while the table is read and searched.
    const std::filesystem::path fifo = proc.root / "netlink-fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread reaper([&] {
        std::ofstream table(fifo); // opens once the resolver opens the table
        std::filesystem::remove_all(proc.root / "4006");
        table << kHeader << row(0, "555", "9001");
    });

    NetlinkOwnerResolver::Options options;
    options.procRoot = proc.root.string();
    options.netlinkTable = fifo.string();
    NetlinkOwnerResolver resolver(options);
    const NetlinkOwner owner = resolver.resolve(4006);
    reaper.join();
    CHECK(!std::filesystem::exists(proc.root / "4006")); // gone when the table was read
    CHECK(owner.state == State::Found); // alive when the notification was looked at
    CHECK(owner.pid == 4006);
    CHECK(owner.pidFromPortId);
    CHECK(owner.command == "ip");
    CHECK(owner.commandLine == "ip route add");

    // A reused PID is still refused: a process 4007 started after the notification.
    proc.process(4007, "other", 4242);
    const auto tick = std::chrono::nanoseconds(1'000'000'000 / ::sysconf(_SC_CLK_TCK));
    proc.write("net/netlink", std::string(kHeader));
    NetlinkOwnerResolver::Options plain;
    plain.procRoot = proc.root.string();
    NetlinkOwnerResolver later(plain);
    const NetlinkOwner reused = later.resolve(4007, 4000 * tick);
    CHECK(reused.state == State::Exited);
    CHECK(reused.pid == 4007);
    CHECK(reused.command.empty());
}

TEST_CASE("another namespace: its table through an open descriptor, and PIDs of other namespaces refused")
{
    FakeProc proc;
    proc.write("net/netlink", std::string(kHeader) + row(0, "4294963000", "9001")); // ours: not read
    proc.write("other-netlink", std::string(kHeader) + row(0, "4294962000", "9002"));
    proc.process(123, "inside", 10);
    proc.link("123/fd/3", "socket:[9001]");
    proc.link("123/fd/4", "socket:[9002]");
    proc.link("123/ns/net", "net:[4026532111]");
    proc.process(200, "here", 10); // a process of another namespace whose PID is a port id there
    proc.link("200/ns/net", "net:[4026531840]");
    proc.process(201, "there", 10);
    proc.link("201/ns/net", "net:[4026532111]");
    proc.process(202, "zombie", 10); // no ns links: cannot tell, the guess stands

    const int fd = ::open((proc.root / "other-netlink").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    TestClock clock;
    NetlinkOwnerResolver::Options options;
    options.procRoot = proc.root.string();
    options.clock = clock.clock();
    options.netlinkTableFd = fd;
    options.netNamespace = 4026532111u;
    NetlinkOwnerResolver resolver(options);

    const NetlinkOwner inside = resolver.resolve(4294962000u);
    CHECK(inside.state == State::Found);
    CHECK(inside.pid == 123);
    CHECK(resolver.resolve(4294963000u).state == State::Unknown); // a socket of our table only
    // The descriptor is read from its start again: a socket added later is found.
    proc.write("other-netlink", std::string(kHeader) + row(0, "4294962000", "9002") + row(0, "4294961000", "9001"));
    clock.offset += 1s;
    CHECK(resolver.resolve(4294961000u).pid == 123);

    const NetlinkOwner here = resolver.resolve(200);
    CHECK(here.state == State::Unknown);
    CHECK(here.pid == 0);
    CHECK(resolver.resolve(201).state == State::Found);
    CHECK(resolver.resolve(201).command == "there");
    CHECK(resolver.resolve(202).state == State::Found);
    ::close(fd);
}
