#!/usr/bin/python3
"""Exports the shipped networks to ONNX, without weights, into tests/data/onnx/.

Run with Debian's interpreter and packages (no network, no pretrained weights):
    apt-get install -y python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 scripts/export_onnx_models.py [OUTPUT_DIR] [--small-only]
Then scripts/make_workloads.sh imports them into spaces/workloads/*.json.

Tested with python3-torch 1.13, python3-torchvision 0.14 and python3-onnx 1.12 (Debian 12).

- CNNs (torchvision ResNet-50, ResNet-18, MobileNetV2, VGG-16, GoogLeNet without its auxiliary
  classifiers, MNASNet 1.0, and a LeNet-5-sized CNN on 28x28 grey images) are exported in training mode
  with constant folding off, so batch normalization stays a separate op (an eval-mode export
  folds it into the convolutions). The batch is a dynamic axis named "batch".
- Transformers (no `transformers` library on Debian) are written here in plain torch: a BERT-base
  encoder (embeddings, 12 post-LN layers, no pooler, no padding mask, exact erf GELU) and a
  GPT-2-small-like decoder (token and position embeddings, 12 pre-LN blocks with a causal mask,
  final LayerNorm, LM head tied to the token embedding; exact erf GELU instead of GPT-2's tanh
  approximation, same cost class). Batch and sequence are dynamic axes ("batch", "sequence"),
  so one file serves every sequence length. They are exported in eval mode (no dropout ops).
- `--only NAME[,NAME...]` exports just those networks (so adding one does not rewrite the
  others). Small extra models exercise the importer: torch.nn.TransformerEncoderLayer at opset 13 (layer
  norm decomposed into ReduceMean/Sub/Pow/Sqrt/Div), torch.nn.TransformerDecoderLayer at
  opset 17, and hand-made models (--small-only rebuilds just these): attention written with
  Einsum, unsupported ops, an input without a shape.

export_params=False keeps the files small: parameters become graph inputs with shapes only.
Parameters are re-initialised randomly first, because the exporter merges parameters with equal
values (e.g. all-zero biases) into one input plus Identity ops, which would hide them.
"""
import math
import os
import sys
import warnings

import onnx
import torch
import torchvision
from onnx import TensorProto, helper
from torch import nn

OPSET = 17


def randomize(module):
    """Distinct random values for every parameter (see module docstring)."""
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0.0, 0.02)


def export(module, args, path, input_names, dynamic_axes, training, opset=OPSET):
    randomize(module)
    module.train(training)
    mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, path, export_params=False, training=mode,
                          do_constant_folding=False, opset_version=opset,
                          input_names=input_names, output_names=["output"],
                          dynamic_axes=dynamic_axes)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    print(f"{path}: {len(model.graph.node)} nodes, {os.path.getsize(path)} bytes")


# ---- transformers ----

class SelfAttention(nn.Module):
    def __init__(self, hidden, heads, fused_qkv):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.fused_qkv = fused_qkv
        if fused_qkv:  # GPT-2's c_attn
            self.qkv = nn.Linear(hidden, 3 * hidden)
        else:  # BERT's query, key, value
            self.q, self.k, self.v = (nn.Linear(hidden, hidden) for _ in range(3))
        self.out = nn.Linear(hidden, hidden)

    def split_heads(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, causal=None):
        b, s, hidden = x.shape
        if self.fused_qkv:
            q, k, v = self.qkv(x).split(hidden, dim=2)
        else:
            q, k, v = self.q(x), self.k(x), self.v(x)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if causal is not None:
            scores = scores.masked_fill(causal == 0, float("-inf"))
        context = torch.softmax(scores, dim=-1) @ v
        return self.out(context.transpose(1, 2).reshape(b, s, hidden))


class FeedForward(nn.Module):
    def __init__(self, hidden, inner):
        super().__init__()
        self.up, self.act, self.down = nn.Linear(hidden, inner), nn.GELU(), nn.Linear(inner, hidden)

    def forward(self, x):
        return self.down(self.act(self.up(x)))


class BertLayer(nn.Module):  # post-LN
    def __init__(self, hidden, heads, inner):
        super().__init__()
        self.attention = SelfAttention(hidden, heads, fused_qkv=False)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.ffn = FeedForward(hidden, inner)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x):
        x = self.attention_norm(x + self.attention(x))
        return self.output_norm(x + self.ffn(x))


class BertEncoder(nn.Module):
    """BERT-base: vocabulary 30522, 512 positions, hidden 768, 12 layers, 12 heads, FFN 3072."""

    def __init__(self, vocab=30522, positions=512, hidden=768, layers=12, heads=12, inner=3072):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(positions, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(BertLayer(hidden, heads, inner) for _ in range(layers))

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], dtype=torch.long)
        token_types = torch.zeros_like(input_ids)
        x = self.word(input_ids) + self.position(positions) + self.token_type(token_types)
        x = self.embedding_norm(x)
        for layer in self.layers:
            x = layer(x)
        return x


class Gpt2Block(nn.Module):  # pre-LN
    def __init__(self, hidden, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden)
        self.attn = SelfAttention(hidden, heads, fused_qkv=True)
        self.ln_2 = nn.LayerNorm(hidden)
        self.mlp = FeedForward(hidden, 4 * hidden)

    def forward(self, x, causal):
        x = x + self.attn(self.ln_1(x), causal)
        return x + self.mlp(self.ln_2(x))


class Gpt2(nn.Module):
    """GPT-2 small: vocabulary 50257, 1024 positions, hidden 768, 12 blocks, 12 heads."""

    def __init__(self, vocab=50257, positions=1024, hidden=768, layers=12, heads=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Embedding(positions, hidden)
        self.blocks = nn.ModuleList(Gpt2Block(hidden, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(hidden)

    def forward(self, input_ids):
        s = input_ids.shape[1]
        positions = torch.arange(s, dtype=torch.long)
        causal = torch.tril(torch.ones(s, s, dtype=torch.long))
        x = self.wte(input_ids) + self.wpe(positions)
        for block in self.blocks:
            x = block(x, causal)
        return nn.functional.linear(self.ln_f(x), self.wte.weight)  # tied LM head


class TorchEncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(64, 4, 128, batch_first=True, activation="gelu")

    def forward(self, x):
        return self.layer(x)


class TorchDecoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerDecoderLayer(64, 4, 128, batch_first=True)

    def forward(self, x, memory):
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1])
        return self.layer(x, memory, tgt_mask=mask)


class LeNet5(nn.Module):
    """LeNet-5-sized CNN (LeCun et al. 1998) on 1x28x28 inputs: conv 5x5 (6, padded), pool,
    conv 5x5 (16), pool, fully connected 400-120-84-10; ReLU and max pooling as usual today."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


# ---- hand-made models for the importer's error paths ----

def save_small(path, nodes, inputs, outputs, check=True, extra_opsets=()):
    graph = helper.make_graph(nodes, os.path.basename(path)[:-5], inputs, outputs)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", OPSET), *extra_opsets],
                              producer_name="accelscope export_onnx_models.py")
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, path)
    print(f"{path}: {len(model.graph.node)} nodes, {os.path.getsize(path)} bytes")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = os.path.normpath(args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx"))
    os.makedirs(out, exist_ok=True)
    only = None
    for a in sys.argv[1:]:
        if a.startswith("--only="):
            only = set(a[len("--only="):].split(","))
    torch.manual_seed(0)
    if "--small-only" not in sys.argv:
        export_networks(out, only)
    if only is None:
        export_small_models(out)


def export_networks(out, only=None):
    def wanted(name):
        return only is None or name in only

    image = torch.randn(1, 3, 224, 224)
    batch_axis = {"input": {0: "batch"}, "output": {0: "batch"}}
    models = torchvision.models
    for name, constructor in [("resnet50", models.resnet50),
                              ("resnet18", models.resnet18),
                              ("mobilenet_v2", models.mobilenet_v2),
                              ("vgg16", models.vgg16),
                              # no auxiliary classifiers (inference graph, as torchvision's
                              # pretrained GoogLeNet); weights are re-drawn by randomize()
                              ("googlenet", lambda weights: models.googlenet(
                                  weights=weights, aux_logits=False, init_weights=False)),
                              ("mnasnet", models.mnasnet1_0)]:
        if wanted(name):
            export(constructor(weights=None), (image,), f"{out}/{name}.onnx", ["input"],
                   batch_axis, training=True)
    if wanted("lenet"):
        export(LeNet5(), (torch.randn(1, 1, 28, 28),), f"{out}/lenet.onnx", ["input"],
               batch_axis, training=True)
    if only is not None:
        return

    ids = torch.zeros(1, 128, dtype=torch.long)
    text_axes = {"input_ids": {0: "batch", 1: "sequence"}, "output": {0: "batch", 1: "sequence"}}
    export(BertEncoder(), (ids,), f"{out}/bert_base.onnx", ["input_ids"], text_axes,
           training=False)
    export(Gpt2(), (ids,), f"{out}/gpt2_small.onnx", ["input_ids"], text_axes, training=False)

    export(TorchEncoderLayer(), (torch.randn(2, 16, 64),), f"{out}/torch_encoder_layer.onnx",
           ["x"], {"x": {0: "batch", 1: "sequence"}}, training=False, opset=13)
    export(TorchDecoderLayer(), (torch.randn(2, 16, 64), torch.randn(2, 10, 64)),
           f"{out}/torch_decoder_layer.onnx", ["x", "memory"],
           {"x": {0: "batch", 1: "sequence"}, "memory": {0: "batch", 1: "memory_sequence"}},
           training=False)


def export_small_models(out):
    """Hand-made models for the importer's error paths and less common ops."""
    # CumSum is a standard op accelscope does not cost; Scale is a custom-domain op ONNX has no
    # schema (so no shape inference) for.
    axis = helper.make_tensor("axis", TensorProto.INT64, [], [1])
    save_small(f"{out}/unsupported_op.onnx",
               [helper.make_node("Relu", ["x"], ["a"], name="first_relu"),
                helper.make_node("Constant", [], ["axis"], value=axis, name="axis"),
                helper.make_node("CumSum", ["a", "axis"], ["b"], name="running_total"),
                helper.make_node("Scale", ["b"], ["c"], name="custom_scale",
                                 domain="com.example"),
                helper.make_node("Relu", ["c"], ["y"], name="last_relu")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 64])],
               extra_opsets=[helper.make_opsetid("com.example", 1)])
    # Attention written with Einsum (as torchvision's MaxViT does): ONNX infers only its rank.
    qkv = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", 4, 16, 8])
           for n in ("q", "k", "v")]
    save_small(f"{out}/einsum_attention.onnx",
               [helper.make_node("Einsum", ["q", "k"], ["scores"], name="scores",
                                 equation="b h i d, b h j d -> b h i j"),
                helper.make_node("Softmax", ["scores"], ["weights"], name="softmax", axis=-1),
                helper.make_node("Einsum", ["weights", "v"], ["context"], name="context",
                                 equation="bhij,bhjd->bhid"),
                helper.make_node("Einsum", ["context"], ["y"], name="sum_heads",
                                 equation="bhid->bid")],
               qkv, [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 16, 8])])
    # A graph input declared without any shape (the ONNX checker rejects it too).
    save_small(f"{out}/no_shape.onnx", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], check=False)


if __name__ == "__main__":
    main()
