// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/buildinfo.h"

#include "ncv_buildinfo_generated.h"

namespace ncv {

const char *buildCommit()
{
    return NCV_BUILD_COMMIT;
}

} // namespace ncv
