# `cmake --install` into a scratch prefix, then import the installed package (not the build tree's)
# with the module's interpreter and evaluate one design. Run by CTest (tests/python/CMakeLists.txt).
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE status OUTPUT_QUIET)
if(status)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} failed: ${status}")
endif()
set(check [=[
import os, sys
import accelscope
assert accelscope.__file__.startswith(sys.argv[1]), accelscope.__file__
result = accelscope.evaluate(os.path.join(accelscope.data_directory(), "hardware",
                                          "edge_16x16_int8.json"), "resnet50", per_layer=False)
assert result["total"]["latency_s"] > 0
print("installed:", accelscope.__file__)
]=])
execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${PREFIX}/${PACKAGE_DIR}
                        ${PYTHON} -c "${check}" ${PREFIX}
                WORKING_DIRECTORY ${PREFIX} RESULT_VARIABLE status)
file(REMOVE_RECURSE ${PREFIX})
if(status)
  message(FATAL_ERROR "the installed package does not work")
endif()
