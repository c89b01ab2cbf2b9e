# SPDX-License-Identifier: GPL-2.0-or-later
# Model layer tests: QtCore + QtTest only, each tst_<name>.cpp against ncv_model.
foreach(t notificationmodel routetablemodel interfacetablemodel addresstablemodel eventlogmodel
          csvwriter timelinebins recorder eventhistory changetableproxy entitytablemodel recording
          eventcolumns recordingsession jsonlines jsonlinesreader streamfeed coveringroutes rowwindowproxy)
    ncv_add_qt_test(tst_${t} SOURCES tst_${t}.cpp LIBS ncv_model)
endforeach()
# A 200k-event recording read back in pages, filtered by scans of the file.
ncv_add_qt_test(tst_fileeventlogmodel SOURCES tst_fileeventlogmodel.cpp LIBS ncv_model TIMEOUT 900)
ncv_add_qt_test(tst_filelogfilter SOURCES tst_filelogfilter.cpp LIBS ncv_model)
