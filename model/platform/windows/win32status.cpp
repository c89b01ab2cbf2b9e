// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/windows/win32status.h"

#include "platform/windows/iphlpapiconvert.h"

#include <windows.h>

#include <cstdio>

namespace ncv::platform::win {

namespace {

// NTSTATUS values the netioapi pages name (kernel-mode NETIO_STATUS); user-mode
// iphlpapi returns the Win32 equivalents, but both are accepted.
constexpr std::uint32_t kStatusInvalidHandle = 0xC0000008u;
constexpr std::uint32_t kStatusInvalidParameter = 0xC000000Du;
constexpr std::uint32_t kStatusNoMemory = 0xC0000017u;
constexpr std::uint32_t kStatusInsufficientResources = 0xC000009Au;
constexpr std::uint32_t kStatusNotSupported = 0xC00000BBu;
constexpr std::uint32_t kStatusNotFound = 0xC0000225u;

struct CodeName {
    std::uint32_t code;
    const char *name;
};

constexpr CodeName kNames[] = {
    {ERROR_SUCCESS, "NO_ERROR"},
    {ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND"},
    {ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED"},
    {ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE"},
    {ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY"},
    {ERROR_OUTOFMEMORY, "ERROR_OUTOFMEMORY"},
    {ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED"},
    {ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER"},
    {ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER"},
    {ERROR_NOT_FOUND, "ERROR_NOT_FOUND"},
    {ERROR_OBJECT_ALREADY_EXISTS, "ERROR_OBJECT_ALREADY_EXISTS"},
    {kStatusInvalidHandle, "STATUS_INVALID_HANDLE"},
    {kStatusInvalidParameter, "STATUS_INVALID_PARAMETER"},
    {kStatusNoMemory, "STATUS_NOT_ENOUGH_MEMORY"}, // STATUS_NO_MEMORY in ntstatus.h; the pages' name
    {kStatusInsufficientResources, "STATUS_INSUFFICIENT_RESOURCES"},
    {kStatusNotSupported, "STATUS_NOT_SUPPORTED"},
    {kStatusNotFound, "STATUS_NOT_FOUND"},
};

bool isNtStatus(std::uint32_t code)
{
    return (code & 0xC0000000u) == 0xC0000000u;
}

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    for (char &c : text) {
        if (c == '\r' || c == '\n')
            c = ' ';
    }
    return text;
}

std::string formatFrom(DWORD flags, HMODULE module, std::uint32_t code)
{
    wchar_t buffer[512];
    // English text first (logs and bug reports), else the user's language.
    for (const DWORD language : {DWORD(MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)), DWORD(0)}) {
        const DWORD len
            = FormatMessageW(flags | FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK, module, code,
                             language, buffer, static_cast<DWORD>(sizeof buffer / sizeof buffer[0]), nullptr);
        if (len != 0)
            return trimmed(utf8FromWide(buffer, len));
    }
    return {};
}

} // namespace

std::string win32CodeName(std::uint32_t code)
{
    for (const CodeName &entry : kNames) {
        if (entry.code == code)
            return entry.name;
    }
    return {};
}

std::string win32MessageText(std::uint32_t code)
{
    if (isNtStatus(code)) {
        if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll"))
            return formatFrom(FORMAT_MESSAGE_FROM_HMODULE, ntdll, code);
        return {};
    }
    return formatFrom(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, code);
}

Status statusFromWin32(const char *call, std::uint32_t code)
{
    if (code == ERROR_SUCCESS)
        return Status::success();

    Error error = Error::Os;
    switch (code) {
    case ERROR_INVALID_PARAMETER:
    case kStatusInvalidParameter: error = Error::InvalidParameter; break;
    case ERROR_INVALID_HANDLE:
    case kStatusInvalidHandle: error = Error::InvalidHandle; break;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case kStatusNoMemory:
    case kStatusInsufficientResources: error = Error::NotEnoughMemory; break;
    case ERROR_NOT_SUPPORTED:
    case kStatusNotSupported: error = Error::NotSupported; break;
    default: break;
    }

    std::string message = call && *call ? call : "(unnamed call)";
    message += ": ";
    const std::string name = win32CodeName(code);
    char number[32];
    if (isNtStatus(code))
        std::snprintf(number, sizeof number, "0x%08lX", static_cast<unsigned long>(code));
    else
        std::snprintf(number, sizeof number, "%lu", static_cast<unsigned long>(code));
    if (name.empty()) {
        message += "error ";
        message += number;
    } else {
        message += name;
        message += " (";
        message += number;
        message += ")";
    }
    const std::string text = win32MessageText(code);
    if (!text.empty()) {
        message += ": ";
        message += text;
    }
    return Status::failure(error, std::move(message), static_cast<long>(code));
}

} // namespace ncv::platform::win
