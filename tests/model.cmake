# SPDX-License-Identifier: GPL-2.0-or-later
# Model layer tests: QtCore + QtTest only, each tst_<name>.cpp against ncv_model.
foreach(t notificationmodel routetablemodel interfacetablemodel addresstablemodel eventlogmodel
          csvwriter timelinebins recorder eventhistory changetableproxy entitytablemodel recording
          eventcolumns recordingsession)
    ncv_add_qt_test(tst_${t} SOURCES tst_${t}.cpp LIBS ncv_model)
endforeach()
