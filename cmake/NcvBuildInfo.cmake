# SPDX-License-Identifier: GPL-2.0-or-later
# Writes OUTPUT (a header defining NCV_BUILD_COMMIT) from `git describe` of SOURCE_DIR.
# Run at every build (cmake -P, from the ncv_buildinfo target), not only at configure time,
# so the commit is always the one built; configure_file() rewrites OUTPUT only when its text
# changes, so a new commit recompiles the one file that includes it (app/buildinfo.cpp),
# and an unchanged one recompiles nothing. Outside a git checkout (a source tarball) the
# commit is "unknown".
set(commit "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SOURCE_DIR}/.git")
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" describe --always --dirty --abbrev=12
                    OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE result ERROR_QUIET)
    if(result EQUAL 0 AND NOT described STREQUAL "")
        set(commit "${described}")
    endif()
endif()
set(NCV_BUILD_COMMIT "${commit}")
configure_file("${INPUT}" "${OUTPUT}" @ONLY)
