// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/modellogging.h"

Q_LOGGING_CATEGORY(lcModel, "ncv.model")
