# SPDX-License-Identifier: GPL-2.0-or-later
# Windows backend tests (Qt-free; cross-built with MinGW-w64 and run under Wine by
# .ci/windows-tests.sh, or natively on Windows).
ncv_add_plain_test(tst_iphlpapisource_convert SOURCES tst_iphlpapisource_convert.cpp LIBS ncv_platform TIMEOUT 120)
ncv_add_plain_test(tst_iphlpapisource SOURCES tst_iphlpapisource.cpp LIBS ncv_platform TIMEOUT 180)
