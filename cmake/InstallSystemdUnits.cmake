# Installs packaging/systemd/* into <prefix>/lib/systemd/system at install time (cmake --install,
# cpack), with ExecStart= pointing at the binary of that prefix: the files in the repository say
# /usr/bin/chainidx (the package's path); `cmake --install --prefix /opt/x` makes /opt/x/bin/….
# Run by install(CODE) with UNITS_SRC, BINDIR and STAGING (a build directory) set; file(INSTALL) honours DESTDIR and the manifest.
file(GLOB units "${UNITS_SRC}/*.service" "${UNITS_SRC}/*.timer")
set(staging "${STAGING}")
file(REMOVE_RECURSE "${staging}")
file(MAKE_DIRECTORY "${staging}")
if(IS_ABSOLUTE "${BINDIR}")
  set(bin "${BINDIR}/chainidx")
else()
  set(bin "${CMAKE_INSTALL_PREFIX}/${BINDIR}/chainidx")
endif()
foreach(unit IN LISTS units)
  get_filename_component(name "${unit}" NAME)
  file(READ "${unit}" text)
  string(REPLACE "/usr/bin/chainidx " "${bin} " text "${text}")
  file(WRITE "${staging}/${name}" "${text}")
endforeach()
file(GLOB staged "${staging}/*")
file(INSTALL ${staged} DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
