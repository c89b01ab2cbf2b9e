# SPDX-License-Identifier: GPL-2.0-or-later
# Toolchain for cross-building the Qt-free platform layer for Windows with Debian's
# mingw-w64 (x86_64-w64-mingw32-g++, posix threads). Used by the "mingw" preset.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Static runtime so the test .exe runs under Wine without copying MinGW DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
# Tests run under Wine: Debian's wine64 package installs the loader as
# /usr/lib/wine/wine64 (not on PATH); the "wine" wrapper would prefer a 32-bit loader.
find_program(NCV_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(NCV_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${NCV_WINE})
endif()
