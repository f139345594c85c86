#!/usr/bin/env python3
"""Writes the bad-input corpus (tests/data/bad/) and its index: every file must make the command
line exit 1 with a one-line error naming the file (tests/engine/test_bad_inputs.cpp). Run from
anywhere: python3 tests/data/bad/generate.py. Files found by the fuzzers (fuzz/README.md) are added
by hand (found_*, and files such as platform_*); this script leaves them and their index lines alone."""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REL = "tests/data/bad"
EVAL_HW = "eval --hw {file} --workload " + REL + "/fixtures/net.json"
EVAL_NET = "eval --hw " + REL + "/fixtures/hw.json --workload {file}"
SEARCH = "search {file} --db {db} --budget 2 --threads 1 --quiet"

HW = {
    "name": "bad", "clock_mhz": 500, "tech_node_nm": 28,
    "array": {"rows": 8, "cols": 8, "dataflow": "ws", "precision": "int8"},
    "sram": {"inputs": {"kib": 32}, "weights": {"kib": 32}, "outputs": {"kib": 16},
             "vector": {"kib": 16}},
    "dram": {"type": "lpddr4", "bandwidth_gbps": 6.4},
    "vector": {"lanes": 8},
}
GENESYS = json.load(open(os.path.join(HERE, "../../../spaces/reference/simdit/hw_training_design01.json")))
CONV = {"name": "c", "type": "conv2d", "in": [3, 16, 16], "out_channels": 8, "kernel": [3, 3]}
MATMUL = {"name": "fc", "type": "matmul", "m": 1, "k": 64, "n": 10}
SPACE = {
    "name": "bad", "hardware": "fixtures/hw.json",
    "parameters": [{"name": "sram.inputs.kib", "pow2": [16, 64]}],
    "workloads": [{"name": "net", "file": "fixtures/net.json"}],
    "objectives": ["latency", "energy"],
}
CFG = {"ArrayHeight": "32", "ArrayWidth": "32", "IfmapSramSzkB": "64", "FilterSramSzkB": "64",
       "OfmapSramSzkB": "64", "Bandwidth": "10", "Dataflow": "os"}
CSV_HEADER = "Layer name,IFMAP Height,IFMAP Width,Filter Height,Filter Width,Channels,Num Filter,Strides,\n"

entries = []  # (file, command)


def write(name, text, command, binary=False):
    path = os.path.join(HERE, name)
    with open(path, "wb" if binary else "w") as f:
        f.write(text)
    entries.append((name, command))


def with_path(base, path, value):
    doc = copy.deepcopy(base)
    node = doc
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = keys[-1]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


DELETE = object()


def dumps(doc):
    text = json.dumps(doc, indent=1)
    return text if len(text) < 20000 else json.dumps(doc, separators=(",", ":"))


# ---- native hardware JSON ----
deep = "[" * 100000 + "]" * 100000
write("hw_nested_100k.json", deep, EVAL_HW)
write("hw_nested_objects.json", '{"a":' * 5000 + "1" + "}" * 5000, EVAL_HW)
write("hw_nested_in_name.json", dumps(HW).replace('"bad"', "[" * 100000 + "]" * 100000, 1), EVAL_HW)
write("hw_number_1e400.json", dumps(HW).replace("500", "1e400", 1), EVAL_HW)
write("hw_number_minus_1e400.json", dumps(HW).replace("6.4", "-1e400", 1), EVAL_HW)
for name, path, value in [
    ("clock_1e-300", "clock_mhz", 1e-300), ("clock_1e300", "clock_mhz", 1e300),
    ("clock_zero", "clock_mhz", 0), ("clock_negative", "clock_mhz", -800),
    ("clock_string", "clock_mhz", "fast"), ("clock_missing", "clock_mhz", DELETE),
    ("rows_1e30", "array.rows", 1e30), ("rows_2e40", "array.rows", 2 ** 40),
    ("rows_2e63", "array.rows", 2 ** 63), ("rows_2e64_minus_1", "array.rows", 2 ** 64 - 1),
    ("rows_zero", "array.rows", 0), ("rows_fraction", "array.rows", 3.5),
    ("cols_negative", "array.cols", -4), ("cols_100k", "array.cols", 100000),
    ("dataflow_unknown", "array.dataflow", "diagonal"),
    ("precision_unknown", "array.precision", "int3"),
    ("accumulator_bits_1000", "array.accumulator_bits", 1000),
    ("sram_kib_1e308", "sram.inputs.kib", 1e308), ("sram_kib_zero", "sram.weights.kib", 0),
    ("sram_kib_1e-300", "sram.outputs.kib", 1e-300),
    ("sram_port_bits_2e20", "sram.vector.port_bits", 2 ** 20),
    ("sram_missing_buffer", "sram.vector", DELETE),
    ("bandwidth_1e-300", "dram.bandwidth_gbps", 1e-300),
    ("bandwidth_1e300", "dram.bandwidth_gbps", 1e300),
    ("bandwidth_split_negative", "dram.bandwidth_gbps",
     {"inputs": 1, "weights": 1, "outputs": -1, "vector": 1}),
    ("capacity_1e300", "dram.capacity_gib", 1e300),
    ("dram_type_unknown", "dram.type", "sram9"),
    ("lanes_1e9", "vector.lanes", 10 ** 9), ("pipeline_depth_2e40", "vector.pipeline_depth", 2 ** 40),
    ("tile_overhead_1e300", "vector.tile_overhead_cycles", 1e300),
    ("cycles_per_element_1e300", "vector.cycles_per_element", {"exp": 1e300}),
    ("cycles_per_element_unknown", "vector.cycles_per_element", {"teleport": 1}),
    ("tech_node_3", "tech_node_nm", 3), ("unknown_field", "colour", "red"),
    ("newline_in_key", "bad\nkey", 1), ("long_key", "k" * 20000, 1),
    ("long_string", "array.dataflow", "x" * 20000),
    ("huge_list_value", "array.precision", list(range(5000))),
    # Fields of the network-level model: names and booleans only.
    ("inter_layer_unknown", "inter_layer", "sideways"), ("inter_layer_number", "inter_layer", 1),
    ("fusion_string", "fusion", "yes"), ("process_unknown", "process", "edram"),
    ("holds_activations_string", "sram.outputs.holds_activations", "true"),
    ("pipelined_tiles_null", "array.pipelined_tiles", None),
    ("phy_on_die_number", "dram.phy_on_die", 0),
    ("scratchpad_without_rs", "array.scratchpad_bytes", {"filter": 448, "ifmap": 24, "psum": 48}),
    # Chip-to-chip links: a count of at least 1 and a bandwidth each way.
    ("links_count_zero", "links", {"count": 0, "gbps": 50}),
    ("links_count_fraction", "links", {"count": 2.5, "gbps": 50}),
    ("links_count_2e40", "links", {"count": 2 ** 40, "gbps": 50}),
    ("links_gbps_negative", "links", {"count": 6, "gbps": -50}),
    ("links_gbps_1e300", "links", {"count": 6, "gbps": 1e300}),
    ("links_gbps_missing", "links", {"count": 6}),
    ("links_unknown_field", "links", {"count": 6, "gbps": 50, "lanes": 8}),
    ("links_string", "links", "six"),
]:
    write("hw_" + name + ".json", dumps(with_path(HW, path, value)), EVAL_HW)
RS = with_path(HW, "array.dataflow", "rs")
write("hw_rs_scratchpad_1e300.json", dumps(with_path(RS, "array.scratchpad_bytes",
                                                   {"filter": 1e300, "ifmap": 24, "psum": 48})), EVAL_HW)
write("hw_rs_scratchpad_1e-300.json", dumps(with_path(RS, "array.scratchpad_bytes",
                                                    {"filter": 448, "ifmap": 1e-300, "psum": 48})), EVAL_HW)
write("hw_rs_scratchpad_missing.json", dumps(RS), EVAL_HW)
write("hw_rs_scratchpad_unknown_field.json", dumps(with_path(RS, "array.scratchpad_bytes", {
    "filter": 448, "ifmap": 24, "psum": 48, "weights": 1})), EVAL_HW)
# DRAM compression of activations and a shared pool of input/output banks (Eyeriss).
RLC = {"format": "rlc", "run_bits": 5, "level_bits": 16, "word_bits": 64, "pairs_per_word": 3}
for name, code in [
    ("format_unknown", dict(RLC, format="huffman")), ("run_bits_zero", dict(RLC, run_bits=0)),
    ("run_bits_2e40", dict(RLC, run_bits=2 ** 40)), ("level_bits_fraction", dict(RLC, level_bits=15.5)),
    ("word_too_narrow", dict(RLC, word_bits=32)), ("pairs_missing", {k: v for k, v in RLC.items() if k != "pairs_per_word"}),
    ("unknown_field", dict(RLC, zeros="skip")), ("not_object", "rlc"),
]:
    write("hw_rlc_" + name + ".json", dumps(with_path(HW, "dram.activation_compression", code)), EVAL_HW)
for name, value in [("one", 1), ("negative", -25), ("1e30", 1e30), ("string", "25")]:
    write("hw_input_output_banks_" + name + ".json",
          dumps(with_path(HW, "sram.input_output_banks", value)), EVAL_HW)
write("hw_empty.json", "", EVAL_HW)
write("hw_truncated.json", dumps(HW)[:120], EVAL_HW)
write("hw_array_root.json", "[1, 2, 3]", EVAL_HW)
write("hw_binary.json", bytes(range(256)) * 4, EVAL_HW, binary=True)
write("hw_nul_bytes.json", b"{\"name\": \"a\x00b\"}", EVAL_HW, binary=True)

# ---- GeneSys hardware JSON ----
for name, key, value in [
    ("array_1e30", "ARRAY_N", 1e30), ("array_2e40", "ARRAY_M", 2 ** 40),
    ("capacity_2e62", "IBUF_CAPACITY_BITS", 2 ** 62), ("acc_width_7", "ACC_WIDTH", 7),
    ("axi_zero", "SIMD_AXI_DATA_WIDTH", 0), ("weight_bits_3", "WGT_DATA_WIDTH", 3),
    ("unknown_field", "COLOUR", 1),
]:
    write("genesys_" + name + ".json", dumps(with_path(GENESYS, key, value)), EVAL_HW)

# ---- SCALE-Sim config ----
def cfg(**changes):
    values = dict(CFG)
    values.update(changes)
    lines = ["[architecture_presets]"]
    lines += [k + " : " + v for k, v in values.items() if v is not None]
    return "\n".join(lines) + "\n"


for name, changes in [
    ("array_height_1e30", {"ArrayHeight": "1e30"}), ("array_height_2e40", {"ArrayHeight": str(2 ** 40)}),
    ("array_width_zero", {"ArrayWidth": "0"}), ("array_width_text", {"ArrayWidth": "wide"}),
    ("array_height_fraction", {"ArrayHeight": "3.5"}), ("sram_1e400", {"IfmapSramSzkB": "1e400"}),
    ("sram_inf", {"FilterSramSzkB": "inf"}), ("sram_nan", {"OfmapSramSzkB": "nan"}),
    ("sram_1e300", {"OfmapSramSzkB": "1e300"}), ("bandwidth_zero", {"Bandwidth": "0"}),
    ("bandwidth_1e-300", {"Bandwidth": "1e-300"}), ("dataflow_unknown", {"Dataflow": "xy"}),
    ("missing_array_width", {"ArrayWidth": None}),
]:
    write("cfg_" + name + ".cfg", cfg(**changes), EVAL_HW)
write("cfg_no_separator.cfg", cfg() + "this line has no separator\n", EVAL_HW)
write("cfg_empty.cfg", "", EVAL_HW)

# ---- native workload JSON ----
def net(*ops, **fields):
    doc = {"name": "bad", "batch": 1, "ops": list(ops)}
    doc.update(fields)
    return dumps(doc)


write("net_nested_100k.json", deep, EVAL_NET)
write("net_nested_in_op.json", net(dict(CONV, name="[" * 1000)).replace('"[' + "[" * 999 + '"', "[" * 100000 + "]" * 100000), EVAL_NET)
write("net_number_1e400.json", net(CONV).replace("16,", "1e400,", 1), EVAL_NET)
for name, op in [
    ("matmul_m_2e62", dict(MATMUL, m=2 ** 62)), ("matmul_product_overflow", dict(MATMUL, m=2 ** 31 - 1, k=2 ** 31 - 1, n=2 ** 31 - 1)),
    ("matmul_batch_count_2e62", dict(MATMUL, batch_count=2 ** 62)), ("matmul_k_zero", dict(MATMUL, k=0)),
    ("matmul_m_1e30", dict(MATMUL, m=1e30)), ("matmul_params_2e62", dict(MATMUL, params=2 ** 62)),
    ("conv_in_2e40", dict(CONV, **{"in": [3, 2 ** 40, 16]})),
    ("conv_product_overflow", dict(CONV, **{"in": [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1]})),
    ("conv_kernel_larger", dict(CONV, kernel=[32, 32])), ("conv_stride_2e40", dict(CONV, stride=[2 ** 40, 1])),
    ("conv_pad_2e40", dict(CONV, pad=[2 ** 40])), ("conv_pad_three", dict(CONV, pad=[1, 1, 1])),
    ("conv_groups_zero", dict(CONV, groups=0)), ("conv_groups_not_divisor", dict(CONV, groups=2)),
    ("conv_dilation_huge", dict(CONV, dilation=[2 ** 31 - 1, 1])),
    ("conv_input_dilation_huge", dict(CONV, input_dilation=[2 ** 31 - 1, 2 ** 31 - 1])),
    ("conv_out_channels_1e300", dict(CONV, out_channels=1e300)),
    ("vector_shape_overflow", {"name": "v", "type": "activation", "fn": "relu", "shape": [2 ** 31 - 1] * 8}),
    ("vector_input_elements_2e60", {"name": "v", "type": "eltwise", "input_elements": 2 ** 60, "output_elements": 1, "work_elements": 1}),
    ("vector_out_shape_overflow", {"name": "v", "type": "reduce", "shape": [4], "out_shape": [2 ** 31 - 1] * 3}),
    ("vector_inputs_count_huge", {"name": "v", "type": "eltwise", "shape": [4], "inputs_count": 2 ** 40}),
    ("pool_in_overflow", {"name": "p", "type": "pool", "in": [2 ** 31 - 1] * 3, "kernel": [1, 1]}),
    ("pool_window_too_big", {"name": "p", "type": "pool", "in": [4, 4, 4], "kernel": [9, 9]}),
    ("optimizer_params_2e62", {"name": "o", "type": "optimizer", "params": 2 ** 62}),
    ("optimizer_unknown", {"name": "o", "type": "optimizer", "params": 10, "optimizer": "lion"}),
    ("type_unknown", {"name": "x", "type": "quantum"}), ("name_missing", {"type": "matmul", "m": 1, "k": 1, "n": 1}),
    ("fn_unknown", {"name": "a", "type": "activation", "fn": "mish2", "shape": [4]}),
]:
    write("net_" + name + ".json", net(op), EVAL_NET)
for name, op, fields in [
    ("density_zero", dict(CONV, input_density=0), {"density_source": "test"}),
    ("density_above_one", dict(CONV, output_density=1.5), {"density_source": "test"}),
    ("density_negative", dict(MATMUL, input_density=-0.2), {"density_source": "test"}),
    ("density_string", dict(CONV, input_density="half"), {"density_source": "test"}),
    ("density_1e400", dict(CONV, input_density=0.5), {"density_source": "test"}),
    ("density_without_source", dict(CONV, output_density=0.4), {}),
    ("density_on_vector_op", {"name": "a", "type": "activation", "fn": "relu", "shape": [4],
                              "output_density": 0.5}, {"density_source": "test"}),
    ("density_source_number", dict(CONV, input_density=0.5), {"density_source": 7}),
]:
    text = net(op, **fields)
    if name == "density_1e400":
        text = text.replace('"input_density": 0.5', '"input_density": 1e400')
    write("net_" + name + ".json", text, EVAL_NET)
write("net_vector_reduction_per_sample.json",
      net({"name": "v", "type": "batch_norm", "shape": [4], "reduction_per_sample": 2 ** 53}, batch=2),
      EVAL_NET)
write("net_batch_2e62.json", net(CONV, batch=2 ** 62), EVAL_NET)
write("net_batch_zero.json", net(CONV, batch=0), EVAL_NET)
write("net_batch_2e21.json", net(CONV, batch=2 ** 21), EVAL_NET)
write("net_ops_empty.json", net(), EVAL_NET)
write("net_ops_not_list.json", dumps({"name": "x", "ops": {"a": 1}}), EVAL_NET)
write("net_total_macs_overflow.json", dumps({"name": "big", "batch": 1, "ops": [
    dict(MATMUL, name="m%d" % i, m=2 ** 21, k=2 ** 16, n=2 ** 16) for i in range(600)]}), EVAL_NET)
write("net_training_macs_overflow.json", dumps({"name": "big", "batch": 1, "ops": [
    dict(MATMUL, name="m%d" % i, m=2 ** 21, k=2 ** 16, n=2 ** 16) for i in range(200)]}),
      "eval --hw " + REL + "/fixtures/hw.json --workload {file} --training")
write("net_empty.json", "", EVAL_NET)
write("net_unknown_extension.txt", net(CONV), EVAL_NET)

# ---- SimDIT spec JSON ----
def simdit(*program, mode="inference"):
    return dumps({"mode": mode, "program": list(program)})


SIMDIT_CONV = {"operation": "conv", "iterable_dimensions": {"OC": 64, "N": 1, "IC": 16, "KH": 7, "KW": 7, "OH": 112, "OW": 112}, "operation_parameters": {"stride": 2}}
write("simdit_conv_2e40.json", simdit(with_path(SIMDIT_CONV, "iterable_dimensions.OH", 2 ** 40)), EVAL_NET)
write("simdit_conv_overflow.json", simdit(with_path(with_path(SIMDIT_CONV, "iterable_dimensions.OH", 2 ** 31 - 1), "iterable_dimensions.OW", 2 ** 31 - 1)), EVAL_NET)
write("simdit_relu_overflow.json", simdit({"operation": "relu", "iterable_dimensions": {"N": 1, "C": 2 ** 31 - 1, "H": 2 ** 31 - 1, "W": 2 ** 31 - 1}}), EVAL_NET)
write("simdit_sgd4d_overflow.json", simdit({"operation": "sgd4d", "iterable_dimensions": {"N": 2 ** 31 - 1, "C": 2 ** 31 - 1, "H": 2 ** 31 - 1, "W": 3}}, mode="training"), EVAL_NET)
write("simdit_unknown_operation.json", simdit({"operation": "teleport"}), EVAL_NET)
write("simdit_program_empty.json", simdit(), EVAL_NET)
write("simdit_mode_unknown.json", simdit(SIMDIT_CONV, mode="both"), EVAL_NET)
write("simdit_stride_1e30.json", simdit(with_path(SIMDIT_CONV, "operation_parameters.stride", 1e30)), EVAL_NET)

# ---- SCALE-Sim topology CSV ----
write("csv_dims_2e40.csv", CSV_HEADER + "Conv1,%d,%d,7,7,3,64,2,\n" % (2 ** 40, 2 ** 40), EVAL_NET)
write("csv_product_overflow.csv", CSV_HEADER + "Conv1,2147483647,2147483647,1,1,2147483647,64,1,\n", EVAL_NET)
write("csv_bad_field.csv", CSV_HEADER + "Conv1,224,224,7,7,3,64,2,\nCB2a,56,abc,1,1,64,64,1,\n", EVAL_NET)
write("csv_all_rows_bad.csv", CSV_HEADER + "Conv1,x,224,7,7,3,64,2,\nCB2a,y,56,1,1,64,64,1,\n", EVAL_NET)
write("csv_no_header_bad_field.csv", "Conv1,x,224,7,7,3,64,2,\n", EVAL_NET)
write("csv_negative.csv", CSV_HEADER + "Conv1,224,224,7,7,3,-64,2,\n", EVAL_NET)
write("csv_huge_number.csv", CSV_HEADER + "Conv1,224,224,7,7,3,99999999999999999999999,2,\n", EVAL_NET)
write("csv_too_few_fields.csv", CSV_HEADER + "Conv1,224,224,7\n", EVAL_NET)
write("csv_header_only.csv", CSV_HEADER, EVAL_NET)
write("csv_empty.csv", "", EVAL_NET)
write("csv_filter_larger.csv", CSV_HEADER + "Conv1,4,4,7,7,3,64,2,\n", EVAL_NET)
write("csv_gemm_overflow.csv", "Layer,M,N,K,\nfc,2147483647,2147483647,2147483647,\n", EVAL_NET)

# ---- ONNX ----
write("onnx_garbage.onnx", bytes(range(256)) * 8, EVAL_NET, binary=True)
write("onnx_empty.onnx", b"", EVAL_NET, binary=True)
with open(os.path.join(HERE, "../onnx/resnet18.onnx"), "rb") as f:
    write("onnx_truncated.onnx", f.read()[:5000], EVAL_NET, binary=True)
# A Relu over an input of 2147483647^3 elements (the importer's element count wrapped), and one
# with a dimension of 2^40 (protoc --encode of a text ModelProto, bytes kept here).
write("onnx_input_elements_overflow.onnx", bytes.fromhex(
    "08083a470a120a01781201791a0472656c75220452656c751201675a230a0178121e0a1c080112180a0608ffff"
    "ffff070a0608ffffffff070a0608ffffffff0762090a017912040a02080142040a00100d"), EVAL_NET, binary=True)
write("onnx_input_dim_2e40.onnx", bytes.fromhex(
    "08083a400a120a01781201791a0472656c75220452656c751201675a1c0a017812170a15080112110a0208010a"
    "0208030a070880808080802062090a017912040a02080142040a00100d"), EVAL_NET, binary=True)

# ---- design spaces ----
def space(**changes):
    doc = copy.deepcopy(SPACE)
    for path, value in changes.items():
        doc = with_path(doc, path.replace("__", "."), value)
    return dumps(doc)


for name, changes in [
    ("range_1e17_1e18", {"parameters__0": {"name": "sram.inputs.kib", "range": [1e17, 1e18], "step": 1}}),
    ("step_1e-300", {"parameters__0": {"name": "sram.inputs.kib", "range": [16, 64], "step": 1e-300}}),
    ("range_1_1e9", {"parameters__0": {"name": "sram.inputs.kib", "range": [1, 1e9]}}),
    ("range_levels_equal", {"parameters__0": {"name": "sram.inputs.kib", "range": [1e17, 1e17 + 100], "step": 1}}),
    ("step_zero", {"parameters__0": {"name": "sram.inputs.kib", "range": [16, 64], "step": 0}}),
    ("step_negative", {"parameters__0": {"name": "sram.inputs.kib", "range": [16, 64], "step": -1}}),
    ("pow2_1e-300_1e300", {"parameters__0": {"name": "sram.inputs.kib", "pow2": [1e-300, 1e300]}}),
    ("pow2_zero", {"parameters__0": {"name": "sram.inputs.kib", "pow2": [0, 64]}}),
    ("values_too_many", {"parameters__0": {"name": "sram.inputs.kib", "values": list(range(1, 70000))}}),
    ("values_repeated", {"parameters__0": {"name": "sram.inputs.kib", "values": [16, 16]}}),
    ("values_mixed", {"parameters__0": {"name": "sram.inputs.kib", "values": [16, "x"]}}),
    ("values_1e300", {"parameters__0": {"name": "sram.inputs.kib", "values": [16, 1e300]}}),
    ("float_clock_1e300", {"parameters__0": {"name": "clock_mhz", "float": [1e-300, 1e300], "log": True}}),
    ("float_equal", {"parameters__0": {"name": "clock_mhz", "float": [5, 5]}}),
    ("unknown_hardware_field", {"parameters__0": {"name": "array.colour", "values": [1, 2]}}),
    ("two_forms", {"parameters__0": {"name": "sram.inputs.kib", "values": [16], "pow2": [16, 32]}}),
    ("hardware_missing_file", {"hardware": "no_such_hardware.json"}),
    ("hardware_dev_zero", {"hardware": "/dev/zero"}),
    ("hardware_inline_bad", {"hardware": with_path(HW, "clock_mhz", 1e-300)}),
    # Found by fuzzing: every design failed, one by one, and the search "succeeded".
    ("hardware_dram_type_unknown", {"hardware": with_path(HW, "dram.type", "hb-2")}),
    ("hardware_tech_node_unknown", {"hardware": with_path(HW, "tech_node_nm", 3)}),
    ("workload_batch_2e40", {"workloads__0__batch": 2 ** 40}),
    ("workload_missing", {"workloads__0__file": "no_such_net.json"}),
    ("workload_mode_unknown", {"workloads__0__mode": "both"}),
    ("objective_unknown", {"objectives": ["latency", "beauty"]}),
    ("objective_twice", {"objectives": ["latency", "latency_ms"]}),
    ("constraint_contradictory", {"constraints": {"area_mm2": {"min": 5, "max": 1}}}),
    ("constraint_unknown_metric", {"constraints": {"beauty": {"max": 1}}}),
    ("reference_point_size", {"reference_point": [1, 2, 3]}),
    ("reference_point_1e400", {"reference_point": [1, "REF"]}),
    ("dataflow_rs_without_scratchpads", {"parameters__0": {"name": "array.dataflow", "values": ["ws", "rs"]}}),
    ("scratchpad_range_1e9", {"parameters__0": {"name": "array.scratchpad_bytes.filter", "range": [1, 1e9]}}),
    ("inter_layer_unknown", {"hardware": with_path(HW, "inter_layer", "resident"),
                             "parameters__0": {"name": "inter_layer", "values": ["resident", "sideways"]}}),
    ("holds_activations_number", {"parameters__0": {"name": "sram.outputs.holds_activations", "values": [0, 1]}}),
]:
    text = space(**changes).replace('"REF"', "1e400")
    write("space_" + name + ".json", text, SEARCH)

PE = [{"name": "pe_count", "pow2": [1, 2 ** 40]}, {"name": "aspect", "values": [0.5, 1, 2]}]
RULE = [{"rule": "pe_array", "pe_count": "pe_count", "aspect": "aspect"}]
for name, params, rule in [
    ("pe_count_2e40", PE, RULE),
    ("pe_count_float_1e300", [{"name": "pe_count", "float": [1, 1e300]}], [{"rule": "pe_array", "pe_count": "pe_count"}]),
    ("pe_count_fixed_1e30", [{"name": "sram.inputs.kib", "pow2": [16, 64]}], [{"rule": "pe_array", "pe_count": 1e30}]),
    ("aspect_zero", [PE[0] | {"pow2": [64, 256]}, {"name": "aspect", "values": [0, 1]}], RULE),
    ("aspect_negative", [PE[0] | {"pow2": [64, 256]}, {"name": "aspect", "values": [-1, 1]}], RULE),
    ("rule_unknown", [{"name": "sram.inputs.kib", "pow2": [16, 64]}], [{"rule": "teleport"}]),
    ("rule_unknown_parameter", [{"name": "sram.inputs.kib", "pow2": [16, 64]}], [{"rule": "pe_array", "pe_count": "nope"}]),
    ("dram_split_zero", [{"name": "share", "values": [0, 0.5]}],
     [{"rule": "dram_split", "total_gbps": 10, "fractions": {"inputs": 1, "weights": 1, "outputs": 1, "vector": "share"}}]),
    ("dram_split_1e300", [{"name": "total", "values": [10, 1e300]}],
     [{"rule": "dram_split", "total_gbps": "total", "fractions": {"inputs": 1, "weights": 1, "outputs": 1, "vector": 1}}]),
    ("virtual_unused", [{"name": "pe_count", "pow2": [64, 256]}], []),
]:
    doc = copy.deepcopy(SPACE)
    doc["parameters"] = params
    doc["derived"] = rule
    write("space_" + name + ".json", dumps(doc), SEARCH)
too_many = copy.deepcopy(SPACE)
too_many["parameters"] = [{"name": "p%d" % i, "values": [1, 2]} for i in range(300)]
write("space_parameters_300.json", dumps(too_many), SEARCH)
levels = copy.deepcopy(SPACE)
levels["parameters"] = [{"name": "sram.inputs.kib", "range": [1, 65536]}, {"name": "sram.weights.kib", "range": [1, 65536]},
                        {"name": "sram.outputs.kib", "range": [1, 65536]}, {"name": "sram.vector.kib", "range": [1, 65536]},
                        {"name": "clock_mhz", "range": [1, 65536]}]
write("space_total_levels.json", dumps(levels), SEARCH)
write("space_nested_100k.json", deep, SEARCH)
write("space_nested_in_values.json", space(parameters__0={"name": "sram.inputs.kib", "values": "NEST"}).replace('"NEST"', "[" * 100000 + "]" * 100000), SEARCH)
write("space_number_1e400_in_values.json", space(parameters__0={"name": "sram.inputs.kib", "values": [16, "BIG"]}).replace('"BIG"', "1e400"), SEARCH)

# ---- technology tables (--tech DIR; {dir} is the file's directory) ----
# A copy of the shipped technology.json (its tables named by relative path) with one bad figure,
# or a bad CACTI table next to it.
EVAL_TECH = "eval --hw " + REL + "/fixtures/hw.json --workload " + REL + "/fixtures/net.json --tech {dir}"
TECH = json.load(open(os.path.join(HERE, "../../../spaces/tech/technology.json")))
SHIPPED_TABLES = "../../../../spaces/tech/"
for cells in ("low_power", "high_performance"):
    TECH["sram"]["tables"][cells]["file"] = SHIPPED_TABLES + TECH["sram"]["tables"][cells]["file"]
LP_TABLE = open(os.path.join(HERE, "../../../spaces/tech",
                             os.path.basename(TECH["sram"]["tables"]["low_power"]["file"]))).read()


def tech_dir(name, tech=None, table=None):
    directory = os.path.join(HERE, "tech_" + name)
    os.makedirs(directory, exist_ok=True)
    doc = copy.deepcopy(tech or TECH)
    if table is not None:
        doc["sram"]["tables"]["low_power"]["file"] = "table.csv"
        with open(os.path.join(directory, "table.csv"), "w") as f:
            f.write(table)
    with open(os.path.join(directory, "technology.json"), "w") as f:
        f.write(dumps(doc))
    entries.append(("tech_" + name + ("/table.csv" if table is not None else "/technology.json"), EVAL_TECH))


for name, path, value in [
    ("macro_factor_1e300", "sram.macro_factor.value", 1e300),
    ("multiply_pj_1e308", "logic_45nm.multiply.int8.pj", 1e308),
    ("register_pj_1e-300", "registers_45nm.pj_per_bit.value", 1e-300),
    ("register_clock_above_total", "registers_45nm.clock_pj_per_bit.value", 0.02),
    ("register_clock_missing", "registers_45nm.clock_pj_per_bit", DELETE),
    ("array_network_negative", "array_network_45nm.pj_per_bit.value", -0.1),
    ("chip_links_negative", "chip_links.pj_per_bit.value", -1.9),
    ("chip_links_zero", "chip_links.pj_per_bit.value", 0),
    ("chip_links_source_missing", "chip_links.pj_per_bit.source", DELETE),
    ("node_energy_negative", "node_scaling.nodes.45.energy", -1),
    ("node_name_not_integer", "node_scaling.nodes.28abc", {"energy": 1, "area": 1}),
    ("node_name_1e30", "node_scaling.nodes.1e30", {"energy": 1, "area": 1}),
    ("dram_energy_1e300", "dram.types.lpddr4.device_pj_per_bit", 1e300),
    ("value_missing", "implementation.logic_layout_factor.value", DELETE),
]:
    tech_dir(name, tech=with_path(TECH, path, value))
HEADER, ROWS = LP_TABLE.split("\n", 1)


def bad_row(pattern):
    """The shipped low-power table with its first 32 nm row rewritten by `pattern` (its cells)."""
    lines = ROWS.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("32,"))
    lines[i] = pattern(lines[i].split(","))
    return HEADER + "\n" + "\n".join(lines) + "\n"


for name, pattern in [
    ("read_inf", lambda c: ",".join(c[:3] + ["inf"] + c[4:])),
    ("read_nan", lambda c: ",".join(c[:3] + ["nan"] + c[4:])),
    ("read_trailing_text", lambda c: ",".join(c[:3] + [c[3] + "abc"] + c[4:])),
    ("read_negative", lambda c: ",".join(c[:3] + ["-5"] + c[4:])),
    ("width_zero", lambda c: ",".join(c[:2] + ["0"] + c[3:])),
    ("node_1e30", lambda c: ",".join(["1e30"] + c[1:])),
    ("size_2e50", lambda c: ",".join(c[:1] + [str(2 ** 50)] + c[2:])),
    ("area_1e300", lambda c: ",".join(c[:6] + ["1e300"] + c[7:])),
    ("too_few_columns", lambda c: ",".join(c[:5])),
]:
    tech_dir("table_" + name, table=bad_row(pattern))
tech_dir("table_header_only", table=HEADER + "\n")
# Two rows 1 byte apart with figures 1e9 apart: extrapolated to 1 TiB, the read energy overflows.
tech_dir("table_steep_extrapolation", table=HEADER + "\n" +
         "32,1024,128,1,1,1,1\n32,1025,128,1e9,1e9,1e9,1e9\n")

# The index: generated entries, then every entry of the existing index that this script does not
# generate (fuzzers' finds, found_*, and inputs added by hand, e.g. platform files), kept as is.
index_path = os.path.join(HERE, "index.tsv")
generated = {name for name, _ in entries}
found = []
if os.path.exists(index_path):
    for line in open(index_path):
        if line.startswith("#") or not line.strip():
            continue
        if line.split("\t", 1)[0] not in generated:
            found.append(line.rstrip("\n"))
with open(index_path, "w") as f:
    f.write("# Bad inputs and the command each is fed to ({file}: the file, {db}: a fresh database).\n")
    f.write("# Every line must exit 1 with a one-line error naming the file. Written by generate.py;\n")
    f.write("# fuzzer finds (found_*) and other inputs are added by hand (kept on regeneration).\n")
    for name, command in entries:
        f.write(name + "\t" + command + "\n")
    for line in found:
        f.write(line + "\n")
print(len(entries) + len(found), "bad inputs")
