# Views tests: UI tests on the real MainWindow, offscreen.
ncv_add_qt_test(tst_mainwindow SOURCES tst_mainwindow.cpp viewstestdata.h LIBS ncv_views TIMEOUT 180)
target_include_directories(tst_mainwindow PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

# Not a test: fills a MainWindow with realistic rows and events and saves a PNG
# (ncv_screenshot [out.png] [width height]); used to look at the layout.
qt_add_executable(ncv_screenshot screenshot_main.cpp viewstestdata.h)
ncv_target_defaults(ncv_screenshot QT)
target_include_directories(ncv_screenshot PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(ncv_screenshot PRIVATE ncv_views)
