# Views tests (owned by the views helper): UI tests on the real MainWindow, offscreen.
ncv_add_qt_test(tst_mainwindow SOURCES tst_mainwindow.cpp LIBS ncv_views TIMEOUT 180)

# Not a test: fills a MainWindow with realistic rows and events and saves a PNG
# (ncv_screenshot [out.png] [width height]); used to look at the layout.
qt_add_executable(ncv_screenshot screenshot_main.cpp)
ncv_target_defaults(ncv_screenshot QT)
target_link_libraries(ncv_screenshot PRIVATE ncv_views ncv_testsupport)
