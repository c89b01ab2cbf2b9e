// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_nlrequester: a long-running process that holds netlink sockets (libmnl) and changes
// routes, addresses and policy rules over them when told to, so tests can check that the changes are
// attributed to it (its PID and comm) whichever of its sockets asked.
//
// Usage: ncv_nlrequester SOCKETS. Prints the port ids of its sockets on one line (the first
// is its PID: the kernel autobinds a process's first netlink socket to it; later ones get
// negative ids), then reads commands from stdin, one per line, and answers each with the
// errno of the kernel's reply (0 = done):
//   route add|del SOCKET OCTET          blackhole 10.77.OCTET.0/24 in table main
//   addr add|del SOCKET IFINDEX OCTET   10.78.OCTET.1/24 on IFINDEX
//   rule add|del SOCKET OCTET           to 10.79.OCTET.0/24 lookup 100, priority 2000 + OCTET
// It exits at the end of stdin.
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::uint32_t g_seq = 1;

int transact(mnl_socket *nl, nlmsghdr *nlh)
{
    nlh->nlmsg_seq = ++g_seq;
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
        return errno;
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    const ssize_t n = mnl_socket_recvfrom(nl, buf.data(), buf.size());
    if (n < 0)
        return errno;
    return mnl_cb_run(buf.data(), std::size_t(n), g_seq, mnl_socket_get_portid(nl), nullptr, nullptr) < 0 ? errno : 0;
}

// A request header in buf: acknowledged, and for an add, creating only what is new.
nlmsghdr *request(std::vector<char> &buf, bool add, std::uint16_t type)
{
    nlmsghdr *nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
    return nlh;
}

int route(mnl_socket *nl, bool add, unsigned octet)
{
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr *nlh = request(buf, add, add ? RTM_NEWROUTE : RTM_DELROUTE);
    auto *rtm = static_cast<rtmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = 24;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_STATIC;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_BLACKHOLE;
    const in_addr dst {htonl(0x0a4d0000u | ((octet & 0xff) << 8))};
    mnl_attr_put(nlh, RTA_DST, sizeof dst, &dst);
    return transact(nl, nlh);
}

int address(mnl_socket *nl, bool add, unsigned ifIndex, unsigned octet)
{
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr *nlh = request(buf, add, add ? RTM_NEWADDR : RTM_DELADDR);
    auto *ifa = static_cast<ifaddrmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = 24;
    ifa->ifa_index = ifIndex;
    const in_addr a {htonl(0x0a4e0001u | ((octet & 0xff) << 8))};
    mnl_attr_put(nlh, IFA_LOCAL, sizeof a, &a);
    mnl_attr_put(nlh, IFA_ADDRESS, sizeof a, &a);
    return transact(nl, nlh);
}

int rule(mnl_socket *nl, bool add, unsigned octet)
{
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr *nlh = request(buf, add, add ? RTM_NEWRULE : RTM_DELRULE);
    auto *frh = static_cast<fib_rule_hdr *>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
    frh->family = AF_INET;
    frh->dst_len = 24;
    frh->table = 100;
    frh->action = FR_ACT_TO_TBL;
    const in_addr dst {htonl(0x0a4f0000u | ((octet & 0xff) << 8))};
    mnl_attr_put(nlh, FRA_DST, sizeof dst, &dst);
    mnl_attr_put_u32(nlh, FRA_PRIORITY, 2000 + (octet & 0xff));
    return transact(nl, nlh);
}

} // namespace

int main(int argc, char **argv)
{
    const int count = argc > 1 ? std::atoi(argv[1]) : 1;
    std::vector<mnl_socket *> sockets;
    for (int i = 0; i < count; ++i) {
        mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
        if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
            std::perror("mnl_socket_bind");
            return 2;
        }
        sockets.push_back(nl);
        std::cout << (i ? " " : "") << mnl_socket_get_portid(nl);
    }
    std::cout << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string what, verb;
        unsigned socket = 0, a = 0, b = 0;
        in >> what >> verb >> socket >> a >> b;
        int result = EINVAL;
        if (socket < sockets.size() && (verb == "add" || verb == "del")) {
            if (what == "route")
                result = route(sockets[socket], verb == "add", a);
            else if (what == "addr")
                result = address(sockets[socket], verb == "add", a, b);
            else if (what == "rule")
                result = rule(sockets[socket], verb == "add", a);
        }
        std::cout << result << std::endl;
    }
    for (mnl_socket *nl : sockets)
        mnl_socket_close(nl);
    return 0;
}
