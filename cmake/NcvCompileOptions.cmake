# SPDX-License-Identifier: GPL-2.0-or-later
# ncv_target_defaults(<target> [QT]): C++20, the project's warnings (errors with
# NCV_WERROR) and, for Qt targets, the string-safety definitions (QT_NO_CAST_FROM_ASCII & co.).
function(ncv_target_defaults target)
    cmake_parse_arguments(ARG "QT" "" "" ${ARGN})
    target_compile_features(${target} PUBLIC cxx_std_20)
    if(MSVC)
        target_compile_options(${target} PRIVATE /W4 /permissive- /utf-8)
        if(NCV_WERROR)
            target_compile_options(${target} PRIVATE /WX)
        endif()
    else()
        target_compile_options(${target} PRIVATE -Wall -Wextra -pedantic)
        if(NCV_WERROR)
            target_compile_options(${target} PRIVATE -Werror)
        endif()
    endif()
    if(ARG_QT)
        target_compile_definitions(${target} PRIVATE
            QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_USE_QSTRINGBUILDER QT_NO_FOREACH)
    endif()
endfunction()
