// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper: private network namespace (see netns.h).
#include "support/netns.h"

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

} // namespace ncv::test
