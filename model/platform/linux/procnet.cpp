// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/linux/procnet.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

namespace ncv::platform::procnet {

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
           });
}

} // namespace

namespace {

// Reads fd from where it is to its end, at most maxBytes; false with errno set on an error.
bool readAll(int fd, std::size_t maxBytes, std::string &text)
{
    char buffer[4096];
    while (text.size() < maxBytes) {
        const ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, maxBytes - text.size()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        text.append(buffer, std::size_t(n));
    }
    return true;
}

} // namespace

std::optional<std::string> readFile(const std::string &path, std::size_t maxBytes, std::string *error)
{
    const auto fail = [&] {
        if (error)
            *error = "cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return fail();
    std::string text;
    if (!readAll(fd, maxBytes, text)) {
        const int savedErrno = errno;
        ::close(fd);
        errno = savedErrno;
        return fail();
    }
    ::close(fd);
    return text;
}

std::optional<std::string> readFromStart(int fd, std::size_t maxBytes, std::string *error)
{
    std::string text;
    if (::lseek(fd, 0, SEEK_SET) != 0 || !readAll(fd, maxBytes, text)) {
        if (error)
            *error = std::string("cannot read an open /proc file: ") + std::strerror(errno);
        return std::nullopt;
    }
    return text;
}

std::string firstLine(std::string text)
{
    const std::size_t end = text.find('\n');
    if (end != std::string::npos)
        text.resize(end);
    return text;
}

std::vector<std::string_view> fields(std::string_view line)
{
    const auto isSpace
        = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isSpace(line[i]))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && !isSpace(line[i]))
            ++i;
        if (i > start)
            out.push_back(line.substr(start, i - start));
    }
    return out;
}

std::optional<std::int64_t> parseRmemMax(std::string_view text)
{
    const std::vector<std::string_view> cells = fields(text);
    if (cells.size() != 1)
        return std::nullopt;
    const auto value = number<std::int64_t>(cells.front());
    if (!value || *value < 0)
        return std::nullopt;
    return value;
}

std::optional<NetlinkSocketInfo> parseNetlinkSocket(std::string_view text, std::uint32_t portId, int protocol)
{
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    if (lines.empty())
        return std::nullopt;
    const std::vector<std::string_view> header = fields(lines.front());
    const auto column = [&header](std::string_view name) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (equalsIgnoringCase(header[i], name))
                return int(i);
        }
        return -1;
    };
    const int pidColumn = column("Pid");
    const int dropsColumn = column("Drops");
    const int ethColumn = column("Eth");
    const int rmemColumn = column("Rmem");
    if (pidColumn < 0 || dropsColumn < 0)
        return std::nullopt;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::vector<std::string_view> cells = fields(lines[i]);
        if (int(cells.size()) <= std::max(pidColumn, dropsColumn))
            continue;
        const auto pid = number<std::uint64_t>(cells[std::size_t(pidColumn)]);
        if (!pid || *pid != portId)
            continue;
        NetlinkSocketInfo info;
        info.portId = std::uint32_t(*pid);
        if (ethColumn >= 0 && ethColumn < int(cells.size()))
            info.protocol = number<int>(cells[std::size_t(ethColumn)]).value_or(-1);
        if (protocol >= 0 && info.protocol != protocol)
            continue;
        const auto drops = number<std::uint64_t>(cells[std::size_t(dropsColumn)]);
        if (!drops)
            continue;
        info.drops = *drops;
        if (rmemColumn >= 0 && rmemColumn < int(cells.size()))
            info.rmem = number<std::uint64_t>(cells[std::size_t(rmemColumn)]).value_or(0);
        return info;
    }
    return std::nullopt;
}

std::optional<std::int64_t> readRmemMax(std::string *error)
{
    static const char path[] = "/proc/sys/net/core/rmem_max";
    const auto text = readFile(path, kMaxTableBytes, error);
    if (!text)
        return std::nullopt;
    auto value = parseRmemMax(*text);
    if (!value && error)
        *error = std::string("unexpected content in ") + path;
    return value;
}

std::optional<NetlinkSocketInfo> readNetlinkSocket(std::uint32_t portId, std::string *error)
{
    const auto text = readFile("/proc/net/netlink", kMaxTableBytes, error);
    if (!text)
        return std::nullopt;
    auto info = parseNetlinkSocket(*text, portId, 0);
    if (!info && error)
        *error = "no NETLINK_ROUTE socket with port id " + std::to_string(portId) + " in /proc/net/netlink";
    return info;
}

} // namespace ncv::platform::procnet
