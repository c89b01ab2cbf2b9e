// SPDX-License-Identifier: GPL-2.0-or-later
// Netlink message decoder: turns one rtnetlink message (RTM_NEWLINK/DELLINK,
// RTM_NEWADDR/DELADDR, RTM_NEWROUTE/DELROUTE, RTM_NEWNEIGH/DELNEIGH, RTM_NEWRULE/DELRULE,
// RTM_NEWNEXTHOP/DELNEXTHOP) into a platform row, or a namespace id message
// (RTM_NEWNSID/DELNSID) into its id.
// Pure functions, no I/O, no Qt. Every length is checked: a malformed or truncated
// message is reported as DecodeStatus::Error with a one-line reason, never read past.
// Called on the reader thread of RtnetlinkSource (and by tests / the fuzzer).
#pragma once

#include "platform/types.h"

#include <cstddef>
#include <cstdint>
#include <string>

struct nlmsghdr;

namespace ncv::platform::netlink {

enum class DecodeStatus : std::uint8_t {
    Ok = 0, ///< a row was decoded into DecodedMessage
    Skip, ///< well-formed but not shown (RTM_F_CLONED route, bridge port message, other family...); reason says why
    Error, ///< malformed; reason says what is wrong
};

/// Output of decode(). Reuse one instance across calls: strings and the next-hop vector
/// keep their capacity, so decoding allocates nothing in the steady state.
struct DecodedMessage {
    /// Interface, Address, Route, Neighbor, Rule, Nexthop or Nsid when status is Ok
    ObjectKind object = ObjectKind::None;
    bool isDelete = false; ///< RTM_DEL* (the row then carries at least the key fields)
    std::uint16_t nlmsgFlags = 0; ///< nlmsg_flags (NLM_F_REPLACE on an IPv6 route replace, NLM_F_DUMP_INTR...)
    InterfaceRow interface; ///< valid when object == Interface
    AddressRow address; ///< valid when object == Address
    RouteRow route; ///< valid when object == Route
    NeighborRow neighbor; ///< valid when object == Neighbor
    RuleRow rule; ///< valid when object == Rule
    NexthopRow nexthop; ///< valid when object == Nexthop
    std::int32_t nsid = -1; ///< valid when object == Nsid: NETNSA_NSID, s32 (0 and up)
    std::string reason; ///< for Skip / Error: one line, e.g. "RTM_NEWROUTE: RTA_GATEWAY has 3 bytes, expected 4"
};

/// True when a whole message starts at msg with `remaining` bytes left in the datagram.
/// Unsigned checks throughout: libmnl's mnl_nlmsg_ok() casts nlmsg_len to int, so a
/// length of 2^31 or more passes it and mnl_nlmsg_next() then jumps out of the buffer.
bool messageOk(const nlmsghdr *msg, std::size_t remaining);
/// The message after msg (NLMSG_ALIGN'ed), reducing remaining (to 0 at the end). Call only
/// after messageOk(msg, remaining).
const nlmsghdr *nextMessage(const nlmsghdr *msg, std::size_t &remaining);

/// Decodes the message at data (len bytes available; the message's nlmsg_len must fit).
/// nowUs: wall-clock time (microseconds since the epoch) used to turn relative lifetimes
/// (IFA_CACHEINFO, RTA_CACHEINFO.rta_expires) into absolute ones.
/// Message types other than the fourteen above give Skip.
DecodeStatus decode(const void *data, std::size_t len, std::int64_t nowUs, DecodedMessage &out);

/// Same, for a message already validated with messageOk().
DecodeStatus decode(const nlmsghdr *nlh, std::int64_t nowUs, DecodedMessage &out);

/// The individual decoders (nlh must be a validated message of the matching type).
DecodeStatus decodeLink(const nlmsghdr *nlh, InterfaceRow &row, std::string &reason);
DecodeStatus decodeAddress(const nlmsghdr *nlh, std::int64_t nowUs, AddressRow &row, std::string &reason);
DecodeStatus decodeRoute(const nlmsghdr *nlh, std::int64_t nowUs, RouteRow &row, std::string &reason);
/// RTM_NEWNEIGH / RTM_DELNEIGH (struct ndmsg + NDA_*). Skip for families other than
/// AF_INET / AF_INET6 (AF_BRIDGE: the bridge FDB, which shares the message type). NDA_CACHEINFO
/// (used / confirmed / updated times) and NDA_PROBES are not read: they change constantly.
DecodeStatus decodeNeighbor(const nlmsghdr *nlh, NeighborRow &row, std::string &reason);
/// RTM_NEWRULE / RTM_DELRULE (struct fib_rule_hdr + FRA_*). Skip for families other than
/// AF_INET / AF_INET6 (RTNL_FAMILY_IPMR / IP6MR multicast routing rules share the message
/// type). FRA_FLOW (realms) and FRA_DSCP are not read; of fib_rule_hdr.flags only
/// FIB_RULE_INVERT is kept (the others are state the kernel sets when it answers).
DecodeStatus decodeRule(const nlmsghdr *nlh, RuleRow &row, std::string &reason);

/// RTM_NEWNEXTHOP / RTM_DELNEXTHOP (struct nhmsg + NHA_*, linux/nexthop.h). Error for a
/// malformed message (no NHA_ID, a gateway of neither 4 nor 16 bytes, an NHA_GROUP that is no
/// whole array of struct nexthop_grp...); Skip for families other than AF_UNSPEC / AF_INET /
/// AF_INET6. The resilient group's parameters (NHA_RES_GROUP) and bucket messages
/// (RTM_NEWNEXTHOPBUCKET) are not read; nor are NHA_ENCAP (lightweight tunnels) and the
/// hardware statistics.
DecodeStatus decodeNexthop(const nlmsghdr *nlh, NexthopRow &row, std::string &reason);

/// RTM_NEWNEXTHOP / RTM_DELNEXTHOP (struct nhmsg + NHA_*): the nexthop object's id (NHA_ID).
/// Error for a malformed message or one without NHA_ID; Skip for other message types.
DecodeStatus decodeNexthopId(const nlmsghdr *nlh, std::uint32_t &id, std::string &reason);

/// RTM_NEWNSID / RTM_DELNSID (struct rtgenmsg + NETNSA_*, linux/net_namespace.h), as the
/// kernel's rtnl_net_notifyid() sends them to RTNLGRP_NSID: the id (NETNSA_NSID, s32) the
/// receiving namespace assigned to, or removed from, a peer namespace. Error for a message
/// shorter than struct rtgenmsg, without NETNSA_NSID, with an NETNSA_NSID of other than 4
/// bytes or a negative one (NETNSA_NSID_NOT_ASSIGNED, -1, is an answer to RTM_GETNSID,
/// never a notification). NETNSA_CURRENT_NSID (the id of the namespace that asked, in
/// answers) is not read.
DecodeStatus decodeNsid(const nlmsghdr *nlh, std::int32_t &nsid, std::string &reason);

/// Interface kind name for an ARPHRD_* link type when IFLA_INFO_KIND is absent:
/// "loopback", "ether", "none", "ipip", "sit", "gre", "ip6tnl", "ppp", ... else "arphrd-<n>".
std::string kindFromLinkType(unsigned linkType);

/// Clock ticks per second of RTA_CACHEINFO times (USER_HZ, sysconf(_SC_CLK_TCK)).
long userHz();

} // namespace ncv::platform::netlink
