# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of the netchangeview executable (headless) in a private network namespace.
if(NOT WIN32)
    ncv_add_qt_test(tst_headless SOURCES tst_headless.cpp LIBS ncv_model TIMEOUT 180)
    target_compile_definitions(tst_headless PRIVATE NCV_APP_BINARY="$<TARGET_FILE:netchangeview>")
    add_dependencies(tst_headless netchangeview)
endif()
if(NOT WIN32)
    ncv_add_qt_test(tst_headlessrecording SOURCES tst_headlessrecording.cpp LIBS ncv_model TIMEOUT 300)
    target_compile_definitions(tst_headlessrecording PRIVATE NCV_APP_BINARY="$<TARGET_FILE:netchangeview>"
                                                             NCV_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_dependencies(tst_headlessrecording netchangeview)
endif()
if(NOT WIN32)
    # A remote host over a fake ssh that runs this build's netchangeview in the namespace.
    ncv_add_qt_test(tst_remotesource SOURCES tst_remotesource.cpp LIBS ncv_views TIMEOUT 240)
    target_compile_definitions(tst_remotesource PRIVATE NCV_APP_BINARY="$<TARGET_FILE:netchangeview>")
    add_dependencies(tst_remotesource netchangeview)
    # Two remote hosts in one window: two sshd's in two namespaces, the real ssh client.
    ncv_add_qt_test(tst_remotehosts SOURCES tst_remotehosts.cpp LIBS ncv_views TIMEOUT 120)
    target_compile_definitions(tst_remotehosts PRIVATE NCV_APP_BINARY="$<TARGET_FILE:netchangeview>")
    add_dependencies(tst_remotehosts netchangeview)
    # Every network namespace (--netns): named, unnamed, created and destroyed while recording.
    ncv_add_qt_test(tst_netnsheadless SOURCES tst_netnsheadless.cpp LIBS ncv_model TIMEOUT 240)
    target_compile_definitions(tst_netnsheadless PRIVATE NCV_APP_BINARY="$<TARGET_FILE:netchangeview>"
                                                         NCV_NLREQUESTER="$<TARGET_FILE:ncv_nlrequester>")
    add_dependencies(tst_netnsheadless netchangeview ncv_nlrequester)
    # The live window on several namespaces (--netns all): the log shows them all, the
    # tables one at a time, against `ip -n NS -j`. Needs ip (iproute2).
    ncv_add_qt_test(tst_livenamespaces SOURCES tst_livenamespaces.cpp LIBS ncv_views TIMEOUT 240)
    # Every line of `ip -ts -o monitor all` has its event in --stream, over a scenario of
    # rules, neighbors, nexthop objects and a namespace created. Needs ip (iproute2), unshare.
    ncv_add_qt_test(tst_monitorparity SOURCES tst_monitorparity.cpp LIBS ncv_model TIMEOUT 180)
    target_compile_definitions(tst_monitorparity PRIVATE NCV_APP_BINARY="$<TARGET_FILE:netchangeview>")
    add_dependencies(tst_monitorparity netchangeview)
endif()
