// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper: private mount namespace (see mountns.h).
#include "support/mountns.h"

#include "support/netns.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

namespace ncv::test {

namespace {
MountnsResult g_result;
bool g_done = false;
} // namespace

const MountnsResult &mountNamespaceResult()
{
    return g_result;
}

MountnsResult enterPrivateMountNamespace()
{
    if (g_done)
        return g_result;
    g_done = true;
    if (unshare(CLONE_NEWNS) != 0) {
        g_result.message = std::string("no private mount namespace: unshare(CLONE_NEWNS): ") + std::strerror(errno);
        return g_result;
    }
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        g_result.message = std::string("no private mount namespace: making / private: ") + std::strerror(errno);
        return g_result;
    }
    g_result.entered = true;
    g_result.message = "unshare(CLONE_NEWNS), / made private";
    return g_result;
}

std::unique_ptr<TmpfsMount> privateRunForNamedNetns(std::string &whyNot)
{
    if (const NetnsResult &ns = networkNamespaceResult(); !ns.entered) {
        whyNot = "no private network namespace: " + ns.message;
        return nullptr;
    }
    if (!g_result.entered) {
        whyNot = "no private mount namespace: " + g_result.message;
        return nullptr;
    }
    auto run = std::make_unique<TmpfsMount>("/run", 1024);
    if (!run->ok()) {
        whyNot = "cannot mount a tmpfs on /run: " + run->error();
        return nullptr;
    }
    return run;
}

TmpfsMount::TmpfsMount(const std::string &dir, unsigned sizeKiB) : m_dir(dir)
{
    if (!g_result.entered) {
        m_error = "not in a private mount namespace";
        return;
    }
    const std::string options = "size=" + std::to_string(sizeKiB) + "k,mode=0755";
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
        m_error = "mount tmpfs on " + dir + ": " + std::strerror(errno);
        return;
    }
    m_mounted = true;
}

TmpfsMount::~TmpfsMount()
{
    if (m_mounted)
        umount2(m_dir.c_str(), MNT_DETACH);
}

std::string makeCharDevice(const std::string &path, unsigned major, unsigned minor)
{
    if (mknod(path.c_str(), S_IFCHR | 0666, makedev(major, minor)) != 0)
        return "mknod " + path + ": " + std::strerror(errno);
    chmod(path.c_str(), 0666); // whatever the umask
    return {};
}

} // namespace ncv::test
