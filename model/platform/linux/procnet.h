// SPDX-License-Identifier: GPL-2.0-or-later
// Parsers and readers of the Linux /proc files that tell how the netlink event socket is
// doing: net.core.rmem_max (/proc/sys/net/core/rmem_max, the cap of SO_RCVBUF without
// SO_RCVBUFFORCE) and a netlink socket's drop counter (/proc/net/netlink, the row whose Pid
// column is the socket's port id; its Drops column counts messages the kernel could not
// queue). The parsers take the file text and are tested on samples. Qt-free; any thread.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ncv::platform::procnet {

/// A /proc file reported with size 0 (as they all are) read to its end, at most maxBytes
/// (bounded, so a strange entry cannot make the caller read without end). nullopt with
/// *error set ("cannot read PATH: <strerror>") when it cannot be opened or read.
std::optional<std::string> readFile(const std::string &path, std::size_t maxBytes, std::string *error = nullptr);

/// The same through a descriptor kept open, read again from its start (lseek to 0, as a
/// seq_file allows). A table opened in another network namespace (/proc/thread-self/net/...
/// from a thread that joined it) keeps showing that namespace. nullopt with *error set
/// ("cannot read an open /proc file: <strerror>") when it cannot be rewound or read.
std::optional<std::string> readFromStart(int fd, std::size_t maxBytes, std::string *error = nullptr);

/// The most a /proc table (/proc/net/netlink, /proc/sys/...) is read to: 64 MiB.
inline constexpr std::size_t kMaxTableBytes = 64u * 1024 * 1024;

/// text up to its first newline (all of it when it has none): a one-line /proc file's value.
std::string firstLine(std::string text);

/// The whitespace-separated fields of one line of a /proc table (views into line).
std::vector<std::string_view> fields(std::string_view line);

/// text as a whole decimal number of type T; nullopt when empty, not a number or out of range.
template<typename T> std::optional<T> number(std::string_view text)
{
    T value {};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

/// A /proc/net/netlink row: Eth = netlink protocol (0 = NETLINK_ROUTE), Pid = port id,
/// Rmem = bytes queued, Drops = messages dropped.
struct NetlinkSocketInfo {
    int protocol = -1;
    std::uint32_t portId = 0;
    std::uint64_t rmem = 0;
    std::uint64_t drops = 0;
};

/// Parses the text of /proc/sys/net/core/rmem_max ("212992\n"): bytes, or nullopt when it
/// is not one non-negative decimal number (surrounding white space allowed).
std::optional<std::int64_t> parseRmemMax(std::string_view text);

/// Finds the row of /proc/net/netlink text whose Pid equals portId (and Eth equals
/// protocol, 0 = NETLINK_ROUTE; -1 = any). The columns are located by the header line
/// ("sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode"), so their order may vary.
/// nullopt when the header lacks Pid or Drops, or no row matches.
std::optional<NetlinkSocketInfo> parseNetlinkSocket(std::string_view text, std::uint32_t portId, int protocol = 0);

/// Reads /proc/sys/net/core/rmem_max. nullopt with *error set ("cannot read ...: <strerror>",
/// "unexpected content in ...") otherwise.
std::optional<std::int64_t> readRmemMax(std::string *error = nullptr);

/// Reads /proc/net/netlink and returns the NETLINK_ROUTE socket with this port id; nullopt
/// with *error set when the file cannot be read or has no such row.
std::optional<NetlinkSocketInfo> readNetlinkSocket(std::uint32_t portId, std::string *error = nullptr);

} // namespace ncv::platform::procnet
