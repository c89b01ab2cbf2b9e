// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_capture_corpus <directory>: dumps links, addresses, routes (IPv4, IPv6) and nexthop
// objects from the kernel over rtnetlink and writes each message as a seed file for
// fuzz_decoder: <kind>-<n>.bin (one message), <kind>-del-<n>.bin (the same message as its
// RTM_DEL* twin, as events carry them) and <kind>-datagram.bin (up to 8 messages as the
// kernel packed them). Used by tests/fuzz/make-corpus.sh inside a private namespace.
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

bool writeFile(const std::string &path, const void *data, std::size_t len)
{
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    const bool ok = std::fwrite(data, 1, len, f) == len;
    return std::fclose(f) == 0 && ok;
}

int dump(mnl_socket *sock, std::uint16_t type, std::uint8_t family, const std::string &dir, const char *kind)
{
    alignas(nlmsghdr) char request[256] = {};
    nlmsghdr *nlh = mnl_nlmsg_put_header(request);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = type;
    const std::size_t header = type == RTM_GETLINK ? sizeof(ifinfomsg)
        : type == RTM_GETADDR                      ? sizeof(ifaddrmsg)
        : type == RTM_GETROUTE                     ? sizeof(rtmsg)
                                                   : sizeof(nhmsg);
    auto *h = static_cast<std::uint8_t *>(mnl_nlmsg_put_extra_header(nlh, header));
    h[0] = family; // the family is the first byte of every one of these headers
    if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
        std::perror("sendto");
        return -1;
    }
    std::vector<char> buffer(1 << 16);
    int count = 0;
    bool datagramWritten = false;
    for (;;) {
        const ssize_t n = mnl_socket_recvfrom(sock, buffer.data(), buffer.size());
        if (n < 0) {
            std::perror("recv");
            return -1;
        }
        int len = static_cast<int>(n);
        const auto *msg = reinterpret_cast<const nlmsghdr *>(buffer.data());
        std::size_t datagramBytes = 0;
        int inDatagram = 0;
        for (; mnl_nlmsg_ok(msg, len); msg = mnl_nlmsg_next(msg, &len)) {
            if (msg->nlmsg_type == NLMSG_DONE || msg->nlmsg_type == NLMSG_ERROR) {
                if (!datagramWritten && datagramBytes)
                    writeFile(dir + "/" + kind + "-datagram.bin", buffer.data(), datagramBytes);
                return count;
            }
            if (inDatagram++ < 8)
                datagramBytes += MNL_ALIGN(msg->nlmsg_len);
            const std::string base = dir + "/" + kind + "-" + std::to_string(count);
            writeFile(base + ".bin", msg, msg->nlmsg_len);
            std::vector<char> copy(reinterpret_cast<const char *>(msg),
                                   reinterpret_cast<const char *>(msg) + msg->nlmsg_len);
            reinterpret_cast<nlmsghdr *>(copy.data())->nlmsg_type = std::uint16_t(msg->nlmsg_type + 1); // NEW -> DEL
            writeFile(dir + "/" + kind + "-del-" + std::to_string(count) + ".bin", copy.data(), copy.size());
            ++count;
        }
        if (!datagramWritten && datagramBytes) {
            writeFile(dir + "/" + kind + "-datagram.bin", buffer.data(), datagramBytes);
            datagramWritten = true;
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <directory>\n", argv[0]);
        return 2;
    }
    mnl_socket *sock = mnl_socket_open(NETLINK_ROUTE);
    if (!sock || mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
        std::perror("netlink socket");
        return 1;
    }
    const std::string dir = argv[1];
    struct Dump {
        std::uint16_t type;
        std::uint8_t family;
        const char *kind;
    } dumps[] = {{RTM_GETLINK, AF_UNSPEC, "link"},   {RTM_GETADDR, AF_INET, "addr4"},
                 {RTM_GETADDR, AF_INET6, "addr6"},   {RTM_GETROUTE, AF_INET, "route4"},
                 {RTM_GETROUTE, AF_INET6, "route6"}, {RTM_GETNEXTHOP, AF_UNSPEC, "nexthop"}};
    for (const Dump &d : dumps) {
        const int n = dump(sock, d.type, d.family, dir, d.kind);
        std::printf("%s: %d messages\n", d.kind, n);
    }
    mnl_socket_close(sock);
    return 0;
}
