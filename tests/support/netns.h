// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper: move the test process into a private network namespace, so platform tests
// make real kernel changes (veth pairs, addresses, routes) without touching the host.
// Qt-free. Call enterPrivateNetworkNamespace() first thing in main(), before any thread
// exists (unshare(CLONE_NEWUSER) refuses multithreaded processes).
#pragma once

#include <string>

namespace ncv::test {

struct NetnsResult {
    bool entered = false; ///< true when the process now runs in a fresh network namespace with lo up
    std::string message; ///< how it was entered, or why not (for the SKIP message)
};

/// As root: unshare(CLONE_NEWNET). Otherwise: unshare(CLONE_NEWUSER | CLONE_NEWNET) with
/// uid/gid maps making the caller root inside (so `ip` works). Then brings lo up.
/// Remembers the result; later calls return it again without doing anything.
NetnsResult enterPrivateNetworkNamespace();

/// The result of the first call (entered == false before it).
const NetnsResult &networkNamespaceResult();

/// Sets net.ipv4.nexthop_compat_mode (1: the kernel writes a route through a nexthop object
/// with its gateway and device as well; 0: with RTA_NH_ID alone) in the process's private
/// namespace. Only there, and only where the kernel keeps the setting per namespace: a
/// namespace made after the write must still read the default (1), else the write is
/// undone. Returns "" when set, else why not.
std::string setNexthopCompatMode(bool on);

} // namespace ncv::test
