# SPDX-License-Identifier: GPL-2.0-or-later
# Linux platform tests (included from tests/CMakeLists.txt on non-Windows hosts).
# EntityTracker is Qt-free and OS-independent (it could also run under Wine from CMakeLists.txt).
ncv_add_plain_test(tst_entitytracker SOURCES tst_entitytracker.cpp LIBS ncv_platform)
# NetlinkOwnerResolver: port ids of real netlink sockets (forked holders, `ip`, a route
# notification) in a private network namespace, and a made-up /proc tree. Needs ip (iproute2).
ncv_add_plain_test(tst_netlinkowner SOURCES tst_netlinkowner.cpp LIBS ncv_platform TIMEOUT 120)
ncv_add_plain_test(tst_netnsscan SOURCES tst_netnsscan.cpp LIBS ncv_platform)
if(NOT NCV_PLATFORM_ONLY)
    # Decoder: hand-built netlink messages, including truncated and malformed ones.
    ncv_add_qt_test(tst_netlinkdecoder SOURCES tst_netlinkdecoder.cpp LIBS ncv_platform)
    target_link_libraries(tst_netlinkdecoder PRIVATE PkgConfig::LIBMNL)

    # /proc/net/netlink and rmem_max parsers on samples, and the diagnostics readers here.
    ncv_add_qt_test(tst_diagnostics SOURCES tst_diagnostics.cpp LIBS ncv_model)

    # RtnetlinkSource against the real kernel in a private network namespace (skips when
    # namespaces are not allowed). Needs `ip` (iproute2).
    ncv_add_qt_test(tst_rtnetlinksource SOURCES tst_rtnetlinksource.cpp
                    LIBS ncv_platform TIMEOUT 180)
    # Route lookup (rules, tables, longest prefix, metric) against `ip route get` through a
    # scenario of rule and route changes in a private network namespace.
    ncv_add_qt_test(tst_routelookup SOURCES tst_routelookup.cpp LIBS ncv_platform TIMEOUT 120)

    # Who asked for a change: ncv_nlrequester (one or several libmnl sockets), `ip` and the
    # kernel change routes and addresses in a private namespace; the source names them.
    add_executable(ncv_nlrequester support/nlrequester.cpp)
    ncv_target_defaults(ncv_nlrequester)
    target_link_libraries(ncv_nlrequester PRIVATE PkgConfig::LIBMNL)
    ncv_add_qt_test(tst_requesters SOURCES tst_requesters.cpp LIBS ncv_model TIMEOUT 120)
    target_compile_definitions(tst_requesters PRIVATE NCV_NLREQUESTER="$<TARGET_FILE:ncv_nlrequester>")
    add_dependencies(tst_requesters ncv_nlrequester)

    # RtmonReader on a file the real rtmon wrote in a private namespace, against `ip monitor
    # file` and the live source. Needs rtmon and ip (iproute2).
    ncv_add_qt_test(tst_rtmonreader SOURCES tst_rtmonreader.cpp LIBS ncv_platform TIMEOUT 120)

    # PcapReader on LINKTYPE_NETLINK captures of real kernel messages (written with libpcap,
    # as nlmon would capture them) in a private namespace, against the live source and
    # `tshark -r` (pcapng made by editcap; those parts skip without tshark).
    ncv_add_qt_test(tst_pcapreader SOURCES tst_pcapreader.cpp LIBS ncv_platform TIMEOUT 120)

    # NetNamespaceWatcher against `unshare -n` processes and a name bound as `ip netns add`
    # binds it (in a private mount namespace). Needs unshare (util-linux).
    ncv_add_qt_test(tst_netnswatcher SOURCES tst_netnswatcher.cpp LIBS ncv_model)

    # Keyframes from images of the source's state: equal to the replayed events (a source
    # changed from another thread, the kernel in a private namespace) and to `ip route show`.
    ncv_add_qt_test(tst_recordingimages SOURCES tst_recordingimages.cpp LIBS ncv_model TIMEOUT 300)
endif()
