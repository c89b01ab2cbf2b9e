# Model layer tests (owned by the model helper). QtCore + QtTest only.
foreach(t notificationmodel routetablemodel interfacetablemodel addresstablemodel eventlogmodel
          csvwriter timelinebins recorder eventhistory changetableproxy)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tst_${t}.cpp)
        ncv_add_qt_test(tst_${t} SOURCES tst_${t}.cpp LIBS ncv_model)
    endif()
endforeach()

# Issue #3 (UI/model half): routing entities table and the diagnostics /proc parsers.
foreach(t entitytablemodel)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tst_${t}.cpp)
        ncv_add_qt_test(tst_${t} SOURCES tst_${t}.cpp LIBS ncv_model)
    endif()
endforeach()
