// SPDX-License-Identifier: GPL-2.0-or-later
// Error mapping for the IP Helper calls: a returned Win32 / NETIO_STATUS code becomes a
// Status that names the call, the code and (where the system has it) the FormatMessage
// text. Qt-free; Windows only.
#pragma once

#include "platform/source.h"

#include <cstdint>
#include <string>

namespace ncv::platform::win {

/// Symbolic name of a code the IP Helper pages document ("ERROR_INVALID_HANDLE",
/// "STATUS_INVALID_PARAMETER", ...); empty for codes without a known name.
std::string win32CodeName(std::uint32_t code);

/// FormatMessage text for code (system message table; ntdll's for NTSTATUS values),
/// one line without the trailing newline; empty when the system has no text.
std::string win32MessageText(std::uint32_t code);

/// Maps the code a call returned to a Status:
///   0 (NO_ERROR / STATUS_SUCCESS)                       -> success
///   ERROR_INVALID_PARAMETER, STATUS_INVALID_PARAMETER   -> Error::InvalidParameter
///   ERROR_INVALID_HANDLE, STATUS_INVALID_HANDLE         -> Error::InvalidHandle
///   ERROR_NOT_ENOUGH_MEMORY, ERROR_OUTOFMEMORY,
///   STATUS_NO_MEMORY (the pages' STATUS_NOT_ENOUGH_MEMORY),
///   STATUS_INSUFFICIENT_RESOURCES                       -> Error::NotEnoughMemory
///   ERROR_NOT_SUPPORTED, STATUS_NOT_SUPPORTED           -> Error::NotSupported
///   anything else                                       -> Error::Os
/// osCode is the code; message is "<call>: <NAME> (<code>): <FormatMessage text>",
/// with the name or the text left out where unknown, e.g.
/// "NotifyRouteChange2: ERROR_INVALID_HANDLE (6): The handle is invalid."
Status statusFromWin32(const char *call, std::uint32_t code);

} // namespace ncv::platform::win
