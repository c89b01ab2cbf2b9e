// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper: private network namespace (see netns.h).
#include "support/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ncv::test {

namespace {

NetnsResult g_result;
bool g_done = false;

bool writeFile(const char *path, const std::string &text)
{
    FILE *f = std::fopen(path, "w");
    if (!f)
        return false;
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    return std::fclose(f) == 0 && ok;
}

} // namespace

const NetnsResult &networkNamespaceResult()
{
    return g_result;
}

NetnsResult enterPrivateNetworkNamespace()
{
    if (g_done)
        return g_result;
    g_done = true;

    std::string how;
    if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0) {
        how = "unshare(CLONE_NEWNET) as root";
    } else {
        const int rootErr = errno;
        const uid_t uid = geteuid();
        const gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
            const int err = errno;
            g_result.message = std::string("no private network namespace: unshare(CLONE_NEWNET) ")
                + (geteuid() == 0 ? std::strerror(rootErr) : "needs root")
                + ", unshare(CLONE_NEWUSER|CLONE_NEWNET): " + std::strerror(err);
            return g_result;
        }
        // setgroups must be denied before an unprivileged gid_map write.
        writeFile("/proc/self/setgroups", "deny");
        if (!writeFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1")
            || !writeFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
            g_result.message
                = std::string("no private network namespace: writing uid_map/gid_map failed: ") + std::strerror(errno);
            return g_result;
        }
        how = "unshare(CLONE_NEWUSER|CLONE_NEWNET)";
    }
    const int rc = std::system("ip link set dev lo up");
    if (rc != 0) {
        g_result.message = how + " worked, but `ip link set dev lo up` failed (is iproute2 installed?)";
        return g_result;
    }
    g_result.entered = true;
    g_result.message = how;
    return g_result;
}

std::string setNexthopCompatMode(bool on)
{
    static constexpr char kPath[] = "/proc/sys/net/ipv4/nexthop_compat_mode";
    if (!g_result.entered)
        return "not in a private network namespace: " + g_result.message;
    if (!writeFile(kPath, on ? "1" : "0"))
        return std::string("cannot write ") + kPath + ": " + std::strerror(errno);
    if (on)
        return {};
    // What a namespace made now reads: a child unshares one and exits with the digit.
    const pid_t pid = fork();
    if (pid == 0) {
        char c = 0;
        const int fd = unshare(CLONE_NEWNET) == 0 ? open(kPath, O_RDONLY) : -1;
        _exit(fd >= 0 && read(fd, &c, 1) == 1 && c >= '0' && c <= '9' ? c - '0' : 255);
    }
    int status = 0;
    const int fresh = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    if (fresh == 1)
        return {};
    writeFile(kPath, "1");
    return fresh == 0 ? "net.ipv4.nexthop_compat_mode is not per network namespace on this kernel: left at 1"
                      : "cannot check that net.ipv4.nexthop_compat_mode is per network namespace: left at 1";
}

} // namespace ncv::test
