# SPDX-License-Identifier: GPL-2.0-or-later
# Views tests: UI tests on the real MainWindow and its panes, offscreen.
ncv_add_qt_test(tst_mainwindow SOURCES tst_mainwindow.cpp LIBS ncv_views TIMEOUT 180)
target_compile_definitions(tst_mainwindow PRIVATE NCV_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
ncv_add_qt_test(tst_eventpane SOURCES tst_eventpane.cpp LIBS ncv_views)
ncv_add_qt_test(tst_rowwindowscroller SOURCES tst_rowwindowscroller.cpp LIBS ncv_views TIMEOUT 120)
ncv_add_qt_test(tst_livetimetravel SOURCES tst_livetimetravel.cpp LIBS ncv_views TIMEOUT 120)

# Not a test: fills a MainWindow with realistic rows and events and saves a PNG
# (ncv_screenshot [out.png] [width height]); used to look at the layout.
qt_add_executable(ncv_screenshot screenshot_main.cpp)
ncv_target_defaults(ncv_screenshot QT)
target_link_libraries(ncv_screenshot PRIVATE ncv_views ncv_testsupport)
if(NOT WIN32)
    # The Route Lookup dock in the live window over the real kernel in a private network
    # namespace: its answers against `ip -j route get`, its over-time rows against exportLookup().
    ncv_add_qt_test(tst_routelookuppanel SOURCES tst_routelookuppanel.cpp LIBS ncv_views TIMEOUT 180)
endif()
