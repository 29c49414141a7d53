# The Debian package (`cpack -G DEB` in the build directory): the binary, manual pages,
# completions, systemd units, an example config, a chainidx system user made by postinst
# (packaging/deb/). Dependencies come from dpkg-shlibdeps (Debian package dpkg-dev).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME chainidx)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "chainidx maintainers <maintainers@users.noreply.b-seed-52322b45.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "index token balances from blockchains into PostgreSQL")
# The extended description (CPack puts the summary above it and indents each line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "chainidx indexes ERC-20 balances of EVM chains, Bitcoin balances per address
and Solana SOL and SPL balances into PostgreSQL, exact to the last unit, and
checks them against the chain's own balances (reconcile). Runs can be killed
and rerun without losing or double-counting anything.

This package has the chainidx command, its manual pages, shell completions
and systemd units and timers (chainidx-scan@, chainidx-scan-once@,
chainidx-reconcile@) running as the chainidx system user.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# postinst runs adduser.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_SOURCE_DIR}/packaging/deb/postinst;${CMAKE_SOURCE_DIR}/packaging/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

# Debian's documentation files: the changelog (gzip -9n: no timestamp, so builds are identical)
# and the copyright file.
set(CHAINIDX_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(
  OUTPUT ${CHAINIDX_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND sh -c "gzip -9n -c \"$1\" > \"$2\"" sh ${CMAKE_SOURCE_DIR}/packaging/deb/changelog
          ${CHAINIDX_CHANGELOG_GZ}
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/deb/changelog
  VERBATIM)
add_custom_target(chainidx_package_docs ALL DEPENDS ${CHAINIDX_CHANGELOG_GZ})
install(FILES ${CHAINIDX_CHANGELOG_GZ} ${CMAKE_SOURCE_DIR}/packaging/deb/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The lintian tags that stay, each with its reason.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/deb/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME chainidx)

include(CPack)
