// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper: a private mount namespace, so file tests mount their own tmpfs and make
// their own device nodes, FIFOs and symlinks there, never touching the machine's real
// /dev or files outside temporary directories. Qt-free. Call enterPrivateMountNamespace()
// first thing in main() (after enterPrivateNetworkNamespace() if both are used), before
// any thread exists: unshare(CLONE_NEWNS) refuses a process whose threads share its
// file-system state.
#pragma once

#include <memory>
#include <string>

namespace ncv::test {

struct MountnsResult {
    bool entered = false; ///< true when mounts made now are this process's (and its children's) only
    std::string message; ///< how it was entered, or why not (for the SKIP message)
};

/// unshare(CLONE_NEWNS), then every mount made private (nothing propagates back to the
/// host). Remembers the result; later calls return it without doing anything.
MountnsResult enterPrivateMountNamespace();

/// The result of the first call (entered == false before it).
const MountnsResult &mountNamespaceResult();

/// A tmpfs of sizeKiB mounted on the existing directory dir for the object's lifetime
/// (unmounted, lazily, by the destructor). Only in a private mount namespace.
class TmpfsMount {
public:
    TmpfsMount(const std::string &dir, unsigned sizeKiB);
    ~TmpfsMount();
    TmpfsMount(const TmpfsMount &) = delete;
    TmpfsMount &operator=(const TmpfsMount &) = delete;

    bool ok() const { return m_mounted; }
    const std::string &error() const { return m_error; }

private:
    std::string m_dir;
    std::string m_error;
    bool m_mounted = false;
};

/// For a test that names network namespaces (`ip netns add` binds them under /run/netns):
/// after enterPrivateNetworkNamespace() and enterPrivateMountNamespace() both succeeded, a
/// tmpfs /run of the test's own (1 MiB), which hides the machine's names and keeps the
/// test's from it. nullptr and why not in whyNot (the SKIP message) when either namespace is
/// missing or the mount fails.
std::unique_ptr<TmpfsMount> privateRunForNamedNetns(std::string &whyNot);

/// Makes a character device node at path (major, minor), mode 0666. Returns an empty
/// string, or why not (mknod needs CAP_MKNOD: root outside a user namespace).
std::string makeCharDevice(const std::string &path, unsigned major, unsigned minor);

} // namespace ncv::test
