// SPDX-License-Identifier: GPL-2.0-or-later
// scanNetNamespaces(), runInNetNamespace() and RtnetlinkSource's netnsPath against real
// namespaces: the test's own private one, namespaces made by
// forked processes (unshare, setns), and a name bound the way `ip netns add` binds it, into a
// directory of this test's own in a private mount namespace, so the machine's /run/netns is
// never touched. containerFromCgroup() on the cgroup paths of the container runtimes.
#include "support/mountns.h"
#include "support/netns.h"
#include "support/platformtest.h"

#include "platform/linux/netnsscan.h"
#include "platform/linux/rtnetlinksource.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>

using namespace ncv::platform;

namespace {

std::uint64_t inodeOf(const std::string &path)
{
    struct stat st { };
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return std::uint64_t(st.st_ino);
}

const NetNamespaceInfo *findByInode(const NetNamespaceScan &scan, std::uint64_t inode)
{
    const auto it = std::find_if(scan.namespaces.begin(), scan.namespaces.end(),
                                 [&](const NetNamespaceInfo &info) { return info.inode == inode; });
    return it == scan.namespaces.end() ? nullptr : &*it;
}

// A forked process named `name` that enters a new network namespace (joinPid == 0) or the one
// of joinPid, says so through a pipe, and waits to be killed (or dies with the test).
struct Holder {
    pid_t pid = -1;
    bool ok = false;

    Holder(const char *name, pid_t joinPid)
    {
        int pipeFds[2];
        REQUIRE(::pipe2(pipeFds, O_CLOEXEC) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::prctl(PR_SET_NAME, name);
            bool entered = false;
            if (joinPid == 0) {
                entered = ::unshare(CLONE_NEWNET) == 0;
            } else {
                const int fd = ::open(("/proc/" + std::to_string(joinPid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
                entered = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
            }
            const char answer = entered ? '1' : '0';
            (void)!::write(pipeFds[1], &answer, 1);
            for (;;)
                ::pause();
        }
        ::close(pipeFds[1]);
        pollfd pfd {pipeFds[0], POLLIN, 0};
        char answer = '0';
        if (::poll(&pfd, 1, 5000) == 1)
            ok = ::read(pipeFds[0], &answer, 1) == 1 && answer == '1';
        ::close(pipeFds[0]);
    }
    ~Holder() { stop(); }
    void stop()
    {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            pid = -1;
        }
    }
    std::string nsPath() const { return "/proc/" + std::to_string(pid) + "/ns/net"; }
};

const std::string kId = "3f2a1b9c0d12e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9";

} // namespace

TEST_CASE("containerFromCgroup names the container runtimes' cgroups, and nothing else")
{
    struct Case {
        std::string cgroup;
        std::string runtime;
        std::string id;
    };
    const Case cases[] = {
        {"0::/system.slice/docker-" + kId + ".scope", "docker", "3f2a1b9c0d12"},
        {"12:pids:/docker/" + kId, "docker", "3f2a1b9c0d12"},
        {"0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope/container", "podman",
         "3f2a1b9c0d12"},
        {"0::/machine.slice/libpod-" + kId + ".scope", "podman", "3f2a1b9c0d12"},
        {"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0e1f.slice/cri-containerd-" + kId
             + ".scope",
         "containerd", "3f2a1b9c0d12"},
        {"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0e1f.slice/crio-" + kId + ".scope",
         "crio", "3f2a1b9c0d12"},
        {"0::/kubepods/besteffort/pod0e1f2a3b-0000-1111-2222-333344445555/" + kId, "kubernetes", "3f2a1b9c0d12"},
        {"0::/lxc.payload.web1/system.slice/nginx.service", "lxc", "web1"},
        {"4:memory:/lxc/web1", "lxc", "web1"},
        {"0::/machine.slice/machine-my\\x2dbox.scope/payload", "machine", "my-box"},
        // Nested: Docker inside an LXC container is the Docker container.
        {"0::/lxc.payload.web1/system.slice/docker-" + kId + ".scope", "docker", "3f2a1b9c0d12"},
    };
    for (const Case &c : cases) {
        CAPTURE(c.cgroup);
        const auto ref = containerFromCgroup(c.cgroup);
        REQUIRE(ref.has_value());
        CHECK(ref->runtime == c.runtime);
        CHECK(ref->id == c.id);
    }
    for (const std::string &cgroup :
         {std::string("0::/"), std::string("0::/system.slice/ssh.service"),
          std::string("0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-foot.scope"),
          "0::/machine.slice/libpod-conmon-" + kId + ".scope", std::string("0::/system.slice/docker-abc.scope"),
          std::string("0::/lxc.monitor.web1"), std::string("garbage"), std::string(""),
          std::string("1:name=systemd")}) {
        CAPTURE(cgroup);
        CHECK_FALSE(containerFromCgroup(cgroup).has_value());
    }
}

TEST_CASE("the current namespace comes first, identified as `ip netns identify` does")
{
    REQUIRE_NAMESPACE();
    const NetNamespaceScan scan = scanNetNamespaces();
    REQUIRE_FALSE(scan.namespaces.empty());
    const NetNamespaceInfo &first = scan.namespaces.front();
    CHECK(first.current);
    CHECK(first.inode == inodeOf("/proc/self/ns/net"));
    // A fresh private namespace: this process is the only one in it, so it is the holder.
    CHECK(first.holderPid == ::getpid());
    CHECK(first.processCount == 1);
    CHECK_FALSE(first.initial);
    CHECK(first.path == "/proc/" + std::to_string(::getpid()) + "/ns/net");
    // The namespace the test started in is still held by the other processes of the machine.
    const auto current = std::count_if(scan.namespaces.begin(), scan.namespaces.end(),
                                       [](const NetNamespaceInfo &info) { return info.current; });
    CHECK(current == 1);
}

TEST_CASE("the initial namespace is named host, found through a kernel thread where PID 1 is hidden")
{
    // Kernel threads run in the initial namespace; kthreadd is PID 2 on any machine this runs on
    // outside a PID namespace. Inside one (a container), PID 2 is a user process: nothing to check.
    std::ifstream stat("/proc/2/stat");
    std::string line;
    std::getline(stat, line);
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos)
        return;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    unsigned long flags = 0;
    for (int i = 3; i <= 9 && fields >> field; ++i)
        if (i == 9)
            flags = std::stoul(field);
    if ((flags & 0x00200000) == 0)
        return;
    const std::uint64_t kernelNs = inodeOf("/proc/2/ns/net");
    REQUIRE(kernelNs != 0);
    const NetNamespaceScan scan = scanNetNamespaces();
    const NetNamespaceInfo *info = findByInode(scan, kernelNs);
    REQUIRE(info != nullptr);
    CHECK(info->initial);
    if (info->names.empty())
        CHECK(info->displayName() == "host");
    CHECK(std::count_if(scan.namespaces.begin(), scan.namespaces.end(),
                        [](const NetNamespaceInfo &i) { return i.initial; })
          == 1);
}

TEST_CASE("a namespace held by processes is listed once, by its lowest PID, and goes when they exit")
{
    REQUIRE_NAMESPACE();
    Holder first("ncvholder", 0);
    REQUIRE(first.ok);
    Holder second("ncvjoiner", first.pid);
    REQUIRE(second.ok);
    const std::uint64_t inode = inodeOf(first.nsPath());
    REQUIRE(inode != inodeOf("/proc/self/ns/net"));
    REQUIRE(inodeOf(second.nsPath()) == inode);

    const NetNamespaceScan scan = scanNetNamespaces();
    const NetNamespaceInfo *info = findByInode(scan, inode);
    REQUIRE(info != nullptr);
    CHECK(std::count_if(scan.namespaces.begin(), scan.namespaces.end(),
                        [&](const NetNamespaceInfo &i) { return i.inode == inode; })
          == 1);
    CHECK(info->processCount == 2);
    const pid_t lowest = std::min(first.pid, second.pid);
    CHECK(info->holderPid == lowest);
    CHECK(info->holderCommand == (lowest == first.pid ? "ncvholder" : "ncvjoiner"));
    CHECK(info->displayName() == info->holderCommand + " (" + std::to_string(lowest) + ")");
    CHECK(info->names.empty());
    CHECK_FALSE(info->current);
    CHECK(info->path == "/proc/" + std::to_string(lowest) + "/ns/net");

    first.stop();
    second.stop();
    CHECK(findByInode(scanNetNamespaces(), inode) == nullptr);
}

TEST_CASE("a named namespace keeps its name after its processes exit; a file that is not a namespace is counted")
{
    REQUIRE_NAMESPACE();
    // A bind mount made in a private mount namespace vanishes with this process.
    if (const auto &mountns = ncv::test::enterPrivateMountNamespace(); !mountns.entered)
        SKIP("needs a private mount namespace to bind a name without touching /run/netns: " + mountns.message);
    const std::filesystem::path dir
        = std::filesystem::temp_directory_path() / ("ncv-netns-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string named = (dir / "blue").string();
    const std::string stale = (dir / "stale").string();
    std::ofstream(named).close();
    std::ofstream(stale).close();

    std::uint64_t inode = 0;
    {
        Holder holder("ncvnamed", 0);
        REQUIRE(holder.ok);
        inode = inodeOf(holder.nsPath());
        // What `ip netns add blue` does: bind the namespace file onto /run/netns/blue.
        REQUIRE(::mount(holder.nsPath().c_str(), named.c_str(), nullptr, MS_BIND, nullptr) == 0);

        const NetNamespaceScan scan = scanNetNamespaces({dir.string(), "/proc"});
        const NetNamespaceInfo *info = findByInode(scan, inode);
        REQUIRE(info != nullptr);
        CHECK(info->names == std::vector<std::string> {"blue"});
        CHECK(info->displayName() == "blue");
        CHECK(info->path == named);
        CHECK(info->holderPid == holder.pid);
        CHECK(scan.unusableNames == 1);
        CHECK(scan.namedDirError.empty());
    }

    // The bind mount keeps the namespace alive with nobody in it.
    const NetNamespaceScan scan = scanNetNamespaces({dir.string(), "/proc"});
    const NetNamespaceInfo *info = findByInode(scan, inode);
    REQUIRE(info != nullptr);
    CHECK(info->holderPid == 0);
    CHECK(info->processCount == 0);
    CHECK(info->displayName() == "blue");
    // A setns() through its path enters it.
    const int fd = ::open(info->path.c_str(), O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    if (fd >= 0)
        ::close(fd);

    REQUIRE(::umount2(named.c_str(), MNT_DETACH) == 0);
    const NetNamespaceScan after = scanNetNamespaces({dir.string(), "/proc"});
    CHECK(findByInode(after, inode) == nullptr);
    CHECK(after.unusableNames == 2);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a namespace being named is never found without its name or a pending one")
{
    // What `ip netns add NAME` does, over and over: create the name's file, enter a new
    // namespace, bind it onto the file. A scan that ran meanwhile must either not see the new
    // namespace, see it named, or see the file still empty (unusableNames, which makes the
    // watcher wait for the name). A scan that saw the namespace in /proc without the file
    // would have it named after the process for good.
    REQUIRE_NAMESPACE();
    if (const auto &mountns = ncv::test::enterPrivateMountNamespace(); !mountns.entered)
        SKIP("needs a private mount namespace to bind names without touching /run/netns: " + mountns.message);
    const std::filesystem::path dir
        = std::filesystem::temp_directory_path() / ("ncv-naming-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "racer").string();

    std::atomic<bool> done {false};
    int scans = 0, unnamedWithNothingPending = 0, seenBeingNamed = 0;
    std::thread scanner([&] {
        while (!done.load()) {
            const NetNamespaceScan scan = scanNetNamespaces({dir.string(), "/proc"});
            ++scans;
            for (const NetNamespaceInfo &info : scan.namespaces) {
                // A child not yet in its own namespace is in this one (and may be its lowest PID,
                // once PIDs wrap around).
                if (info.current || info.holderCommand != "ncvnaming" || !info.names.empty())
                    continue;
                if (scan.unusableNames == 0)
                    ++unnamedWithNothingPending;
                else
                    ++seenBeingNamed;
            }
        }
    });
    // No REQUIRE until the scanner is joined: a throw past a joinable std::thread terminates.
    int named = 0;
    std::string failed;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (failed.empty() && std::chrono::steady_clock::now() < until) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            failed = std::string("fork: ") + std::strerror(errno);
            break;
        }
        if (pid == 0) {
            // Only async-signal-safe calls here: the parent has another thread.
            ::prctl(PR_SET_NAME, "ncvnaming");
            const int fd = ::open(file.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
            if (fd < 0)
                ::_exit(1);
            ::close(fd);
            if (::unshare(CLONE_NEWNET) != 0)
                ::_exit(2);
            ::_exit(::mount("/proc/self/ns/net", file.c_str(), nullptr, MS_BIND, nullptr) == 0 ? 0 : 3);
        }
        int status = 0;
        if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = "the naming child failed (status " + std::to_string(status) + ")";
        else if (::umount2(file.c_str(), MNT_DETACH) != 0 || ::unlink(file.c_str()) != 0)
            failed = std::string("cannot remove the name: ") + std::strerror(errno);
        else
            ++named;
    }
    done = true;
    scanner.join();
    INFO(named << " names bound, " << scans << " scans, " << seenBeingNamed << " saw one being named");
    REQUIRE(failed.empty());
    CHECK(named > 100);
    CHECK(unnamedWithNothingPending == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a missing named directory is no error; an unnamed namespace without a holder reads as its inode")
{
    const NetNamespaceScan scan = scanNetNamespaces({"/nonexistent/ncv-netns", "/proc"});
    CHECK(scan.namedDirError.empty());
    CHECK_FALSE(scan.namespaces.empty());

    NetNamespaceInfo orphan;
    orphan.inode = 4026532000;
    CHECK(orphan.displayName() == "net:[4026532000]");
    orphan.initial = true;
    CHECK(orphan.displayName() == "host");
    NetNamespaceInfo contained;
    contained.holderPid = 4242;
    contained.holderCommand = "nginx";
    contained.container = ContainerRef {"docker", "3f2a1b9c0d12"};
    CHECK(contained.displayName() == "docker:3f2a1b9c0d12 (nginx 4242)");
}

TEST_CASE("runInNetNamespace creates sockets in the namespace without moving the caller")
{
    REQUIRE_NAMESPACE();
    Holder holder("ncvtarget", 0);
    REQUIRE(holder.ok);
    const std::uint64_t target = inodeOf(holder.nsPath());
    const std::uint64_t own = inodeOf("/proc/self/ns/net");
    REQUIRE(target != own);

    int sock = -1;
    const std::string error = runInNetNamespace(
        holder.nsPath(), [&] { sock = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */); });
    CHECK(error.empty());
    REQUIRE(sock >= 0);
    // SIOCGSKNS (Linux 4.9): a file descriptor of the socket's network namespace.
    const int nsFd = ::ioctl(sock, SIOCGSKNS);
    REQUIRE(nsFd >= 0);
    struct stat st { };
    REQUIRE(::fstat(nsFd, &st) == 0);
    CHECK(std::uint64_t(st.st_ino) == target);
    ::close(nsFd);
    ::close(sock);
    // The calling thread stayed where it was.
    CHECK(inodeOf("/proc/thread-self/ns/net") == own);

    const std::string missing = runInNetNamespace("/nonexistent/ncv-ns", [] { FAIL("must not run"); });
    CHECK(missing.find("cannot open /nonexistent/ncv-ns: ") == 0);
}

namespace {

// The interface names of a source's records, collected from its reader thread.
struct InterfaceCollector {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::string> added; // interface names of Initial and Add records, in order
    bool snapshotComplete = false;

    static void callback(void *context, std::span<const ChangeRecord> records)
    {
        auto *self = static_cast<InterfaceCollector *>(context);
        std::lock_guard lock(self->mutex);
        for (const ChangeRecord &r : records) {
            if (r.change == ChangeKind::SnapshotComplete)
                self->snapshotComplete = true;
            if (const auto *row = std::get_if<InterfaceRow>(&r.after);
                row && (r.change == ChangeKind::Initial || r.change == ChangeKind::Add))
                self->added.push_back(row->name);
        }
        self->changed.notify_all();
    }
    template<typename Pred> bool waitFor(Pred pred)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(10), [&] { return pred(); });
    }
    bool has(const std::string &name) const { return std::find(added.begin(), added.end(), name) != added.end(); }
};

int run(const std::string &command)
{
    return std::system(("{ " + command + "; } >/dev/null 2>&1").c_str());
}

} // namespace

TEST_CASE("RtnetlinkSource with netnsPath watches that namespace, not its own")
{
    REQUIRE_NAMESPACE();
    if (run("command -v ip && command -v nsenter") != 0)
        SKIP("needs ip (iproute2) and nsenter (util-linux)");
    REQUIRE(run("ip link add ncvown0 type veth peer name ncvown1") == 0);
    Holder holder("ncvwatched", 0);
    REQUIRE(holder.ok);

    RtnetlinkSource::Options options;
    options.netnsPath = holder.nsPath();
    RtnetlinkSource source(options);
    InterfaceCollector collector;
    RegisterParams params;
    params.addressFamily = AF_UNSPEC;
    params.callback = &InterfaceCollector::callback;
    params.callerContext = &collector;
    params.initialNotification = true;
    Handle handle = 0;
    const Status status = source.registerChanges(params, &handle);
    REQUIRE_MESSAGE(status.ok(), status.message);
    REQUIRE(collector.waitFor([&] { return collector.snapshotComplete; }));
    {
        std::lock_guard lock(collector.mutex);
        // The watched namespace is new: it holds lo and nothing else.
        CHECK(collector.added == std::vector<std::string> {"lo"});
    }

    const std::string there = "nsenter -t " + std::to_string(holder.pid) + " -n ";
    REQUIRE(run("ip link add ncvown2 type veth peer name ncvown3") == 0);
    REQUIRE(run(there + "ip link add ncvthere0 type veth peer name ncvthere1") == 0);
    CHECK(collector.waitFor([&] { return collector.has("ncvthere0") && collector.has("ncvthere1"); }));
    {
        std::lock_guard lock(collector.mutex);
        CHECK_FALSE(collector.has("ncvown0"));
        CHECK_FALSE(collector.has("ncvown2"));
    }
    CHECK(source.cancel(handle).ok());
    run("ip link del ncvown0");
    run("ip link del ncvown2");

    RtnetlinkSource::Options missing;
    missing.netnsPath = "/nonexistent/ncv-ns";
    RtnetlinkSource nowhere(missing);
    Handle none = 0;
    const Status refused = nowhere.registerChanges(params, &none);
    CHECK(refused.error == Error::Os);
    CHECK(refused.message
          == "RtnetlinkSource::registerChanges: cannot open /nonexistent/ncv-ns: No such file or directory");
    CHECK(none == 0);
}
