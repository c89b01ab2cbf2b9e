# Model layer tests (owned by the model helper).
ncv_add_qt_test(tst_notificationmodel SOURCES tst_notificationmodel.cpp LIBS ncv_model)
