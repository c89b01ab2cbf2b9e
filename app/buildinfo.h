// SPDX-License-Identifier: GPL-2.0-or-later
// What this executable was built from. Only buildinfo.cpp includes the generated header,
// so a new commit recompiles that one small file.
#pragma once

namespace ncv {

/// The git commit the program was built from: `git describe --always --dirty` of the
/// source tree at build time (a tag, or the abbreviated hash; "-dirty" when there were
/// uncommitted changes), or "unknown" when it was built outside a git checkout.
const char *buildCommit();

} // namespace ncv
