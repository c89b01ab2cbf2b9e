// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/linux/netnsscan.h"

#include "platform/linux/procnet.h"
#include "platform/textescape.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>
#include <utility>

namespace ncv::platform {

namespace {

bool isHexId(std::string_view text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string_view withoutSuffix(std::string_view text, std::string_view suffix)
{
    if (text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix)
        text.remove_suffix(suffix.size());
    return text;
}

// The id after prefix in a segment "PREFIX<64 hex>[.scope]", or empty.
std::string_view scopeId(std::string_view segment, std::string_view prefix)
{
    if (segment.substr(0, prefix.size()) != prefix)
        return {};
    const std::string_view id = withoutSuffix(segment.substr(prefix.size()), ".scope");
    return isHexId(id) ? id : std::string_view();
}

std::optional<ContainerRef> containerOfSegment(std::string_view segment, std::string_view parent)
{
    const auto ref = [](std::string runtime, std::string_view id) {
        return ContainerRef {std::move(runtime), std::string(id.substr(0, 12))};
    };
    if (auto id = scopeId(segment, "docker-"); !id.empty())
        return ref("docker", id);
    if (auto id = scopeId(segment, "libpod-"); !id.empty())
        return ref("podman", id);
    if (auto id = scopeId(segment, "cri-containerd-"); !id.empty())
        return ref("containerd", id);
    if (auto id = scopeId(segment, "crio-"); !id.empty())
        return ref("crio", id);
    if (isHexId(segment)) {
        // cgroupfs drivers: /docker/<id>, /libpod_parent/libpod-<id> is above, and
        // Kubernetes' /kubepods/<qos>/pod<uid>/<id> (runtime not named in the path).
        if (parent == "docker")
            return ref("docker", segment);
        if (parent.substr(0, 3) == "pod")
            return ref("kubernetes", segment);
    }
    if (segment.substr(0, 12) == "lxc.payload." && segment.size() > 12)
        return ContainerRef {"lxc", std::string(segment.substr(12))};
    if (parent == "lxc" && !segment.empty())
        return ContainerRef {"lxc", std::string(segment)};
    if (parent == "machine.slice" && segment.substr(0, 8) == "machine-") {
        const std::string_view name = withoutSuffix(segment.substr(8), ".scope");
        if (!name.empty() && name.size() != segment.size() - 8)
            // systemd unit names escape bytes as \xHH ("machine-my\x2dbox.scope" is machine "my-box").
            return ContainerRef {"machine", textFromBytes(bytesFromText(name))};
    }
    return std::nullopt;
}

struct NsKey {
    std::uint64_t device;
    std::uint64_t inode;
    bool operator<(const NsKey &other) const { return std::pair(device, inode) < std::pair(other.device, other.inode); }
};

std::optional<NsKey> nsKeyOf(const std::string &path, int *error)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) != 0) {
        if (error)
            *error = errno;
        return std::nullopt;
    }
    return NsKey {std::uint64_t(st.st_dev), std::uint64_t(st.st_ino)};
}

// A name in the named directory is usable when it is a network namespace file: on the nsfs
// file system (the device of /proc/self/ns/net) and, where the kernel can say it
// (NS_GET_NSTYPE, Linux 4.11), of type CLONE_NEWNET. A file `ip netns add` made but failed to
// mount on is an empty file of the directory's own file system.
bool isNetNamespaceFile(const std::string &path, std::uint64_t nsfsDevice)
{
    const auto key = nsKeyOf(path, nullptr);
    if (!key || key->device != nsfsDevice)
        return false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const int type = ::ioctl(fd, NS_GET_NSTYPE);
    const int savedErrno = errno;
    ::close(fd);
    return type == CLONE_NEWNET || (type < 0 && savedErrno == ENOTTY);
}

// Whether /proc/PID/stat says PID is a kernel thread (PF_KTHREAD in its flags, the ninth
// field, counted after the parenthesised command name, which may hold spaces and parentheses).
bool isKernelThread(const std::string &procRoot, int pid)
{
    constexpr unsigned long pfKthread = 0x00200000;
    const auto stat = procnet::readFile(procRoot + '/' + std::to_string(pid) + "/stat", 4096);
    if (!stat)
        return false;
    const std::size_t close = stat->rfind(')');
    if (close == std::string::npos)
        return false;
    std::size_t i = close + 1;
    for (int field = 3; field <= 9; ++field) {
        while (i < stat->size() && (*stat)[i] == ' ')
            ++i;
        const std::size_t end = std::min(stat->find(' ', i), stat->size());
        if (field == 9) {
            const auto flags = procnet::number<unsigned long>(std::string_view(*stat).substr(i, end - i));
            return flags && (*flags & pfKthread) != 0;
        }
        i = end;
    }
    return false;
}

// The initial ("host") namespace: PID 1's, or where PID 1 is not readable (a sandbox that hides
// it, a process without ptrace access to it), a kernel thread's: kernel threads always run in
// the initial namespace, and kthreadd is PID 2 in the initial PID namespace.
std::optional<NsKey> initialNamespaceKey(const std::string &procRoot)
{
    if (const auto init = nsKeyOf(procRoot + "/1/ns/net", nullptr))
        return init;
    if (isKernelThread(procRoot, 2))
        return nsKeyOf(procRoot + "/2/ns/net", nullptr);
    return std::nullopt;
}

std::optional<int> pidOf(const char *name)
{
    if (!*name)
        return std::nullopt;
    const auto pid = procnet::number<int>(name);
    if (!pid || *pid <= 0)
        return std::nullopt;
    return pid;
}

} // namespace

std::optional<ContainerRef> containerFromCgroup(std::string_view cgroup)
{
    // "hierarchy-ID:controllers:path" as /proc/PID/cgroup writes it; a bare path is taken as is.
    if (!cgroup.empty() && cgroup.front() != '/') {
        const std::size_t first = cgroup.find(':');
        const std::size_t second = first == std::string_view::npos ? first : cgroup.find(':', first + 1);
        if (second == std::string_view::npos)
            return std::nullopt;
        cgroup.remove_prefix(second + 1);
    }
    while (!cgroup.empty() && (cgroup.back() == '\n' || cgroup.back() == '/'))
        cgroup.remove_suffix(1);
    std::vector<std::string_view> segments;
    std::size_t i = 0;
    while (i <= cgroup.size()) {
        const std::size_t slash = std::min(cgroup.find('/', i), cgroup.size());
        if (slash > i)
            segments.push_back(cgroup.substr(i, slash - i));
        i = slash + 1;
    }
    for (std::size_t k = segments.size(); k-- > 0;) {
        if (auto ref = containerOfSegment(segments[k], k > 0 ? segments[k - 1] : std::string_view()))
            return ref;
    }
    return std::nullopt;
}

std::string NetNamespaceInfo::displayName() const
{
    if (!names.empty())
        return names.front();
    if (initial)
        return "host";
    if (holderPid <= 0)
        return "net:[" + std::to_string(inode) + ']';
    const std::string process
        = holderCommand.empty() ? "pid " + std::to_string(holderPid) : holderCommand + ' ' + std::to_string(holderPid);
    if (container)
        return container->runtime + ':' + container->id + " (" + process + ')';
    return holderCommand.empty() ? process : holderCommand + " (" + std::to_string(holderPid) + ')';
}

NetNamespaceScan scanNetNamespaces(const NetNamespaceScanOptions &options)
{
    NetNamespaceScan scan;
    std::map<NsKey, NetNamespaceInfo> found;
    const auto entry = [&](NsKey key) -> NetNamespaceInfo & {
        NetNamespaceInfo &info = found[key];
        info.device = key.device;
        info.inode = key.inode;
        return info;
    };

    const auto self = nsKeyOf(options.procRoot + "/self/ns/net", nullptr);
    if (self)
        entry(*self).current = true;
    if (const auto init = initialNamespaceKey(options.procRoot))
        entry(*init).initial = true;

    if (DIR *proc = ::opendir(options.procRoot.c_str())) {
        while (const dirent *e = ::readdir(proc)) {
            const auto pid = pidOf(e->d_name);
            if (!pid)
                continue;
            int error = 0;
            const auto key = nsKeyOf(options.procRoot + '/' + e->d_name + "/ns/net", &error);
            if (!key) {
                if (error == EACCES || error == EPERM)
                    ++scan.unreadableProcesses;
                continue; // ENOENT: it exited while we looked, or is a zombie
            }
            NetNamespaceInfo &info = entry(*key);
            ++info.processCount;
            if (info.holderPid == 0 || *pid < info.holderPid)
                info.holderPid = *pid;
        }
        ::closedir(proc);
    }

    // The named directory after /proc: `ip netns add` creates the name's file before it
    // enters the new namespace, so a namespace a process was seen in has its file in the
    // directory read after (still empty: counted in unusableNames, which holds the new
    // namespace back until it is named). Read the other way round, the file could come just
    // after the directory was read and the namespace just before /proc was, and the namespace
    // would be found with no name and nothing pending: named after the ip process for good.
    if (DIR *dir = ::opendir(options.namedDir.c_str())) {
        while (const dirent *e = ::readdir(dir)) {
            const std::string name = e->d_name;
            if (name == "." || name == "..")
                continue;
            const std::string path = options.namedDir + '/' + name;
            if (!self || !isNetNamespaceFile(path, self->device)) {
                ++scan.unusableNames;
                continue;
            }
            if (const auto key = nsKeyOf(path, nullptr))
                entry(*key).names.push_back(name);
        }
        ::closedir(dir);
    } else if (errno != ENOENT) {
        scan.namedDirError = "cannot list " + options.namedDir + ": " + std::strerror(errno);
    }

    for (auto &[key, info] : found) {
        std::sort(info.names.begin(), info.names.end());
        if (info.holderPid > 0) {
            const std::string dir = options.procRoot + '/' + std::to_string(info.holderPid);
            info.holderCommand = procnet::firstLine(procnet::readFile(dir + "/comm", 256).value_or(std::string()));
            info.holderCgroup = procnet::firstLine(procnet::readFile(dir + "/cgroup", 4096).value_or(std::string()));
            info.container = containerFromCgroup(info.holderCgroup);
        }
        if (!info.names.empty())
            info.path = options.namedDir + '/' + info.names.front();
        else if (info.holderPid > 0)
            info.path = options.procRoot + '/' + std::to_string(info.holderPid) + "/ns/net";
        scan.namespaces.push_back(std::move(info));
    }
    std::sort(scan.namespaces.begin(), scan.namespaces.end(), [](const auto &a, const auto &b) {
        if (a.current != b.current)
            return a.current;
        if (a.initial != b.initial)
            return a.initial;
        if (a.names.empty() != b.names.empty())
            return !a.names.empty();
        if (!a.names.empty() && a.names.front() != b.names.front())
            return a.names.front() < b.names.front();
        return std::pair(a.holderPid, a.inode) < std::pair(b.holderPid, b.inode);
    });
    return scan;
}

std::string runInNetNamespace(const std::string &path, const std::function<void()> &fn)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "cannot open " + path + ": " + std::strerror(errno);
    std::string error;
    try {
        std::thread thread([&] {
            if (::setns(fd, CLONE_NEWNET) != 0) {
                error = "setns(" + path + "): " + std::strerror(errno);
                return;
            }
            fn();
        });
        thread.join();
    } catch (const std::system_error &e) {
        error = std::string("std::thread: ") + e.what();
    }
    ::close(fd);
    return error;
}

} // namespace ncv::platform
